"""An RFC 6962 / RFC 9162 (Certificate Transparency) Merkle log: hashing, appends, proofs,
signed tree heads and offline proof bundles. Pure: hashlib and ``cryptography`` only.

Tree hash (RFC 6962 §2.1): ``MTH({}) = SHA-256()``, ``MTH({d}) = SHA-256(0x00 ‖ d)``, and for
n > 1 with k the largest power of two below n, ``MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖
MTH(D[k:n]))``.

Storage: the application keeps leaf hashes (level 0) and the perfect-subtree nodes at levels
that are positive multiples of :data:`TILE_HEIGHT`; every other subtree hash is recomputed from
those (at most 2**TILE_HEIGHT - 1 hashes per level band).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from qingshan.errors import InvalidInput

TILE_HEIGHT = 4
EMPTY_ROOT = hashlib.sha256(b"").digest()
BUNDLE_FORMAT = "qingshan-inclusion-proof/1"
STH_PREFIX = b"qingshan-sth-v1\n"

Perfect = Callable[[int, int], bytes]  # (level, index) -> hash of that perfect subtree


class ProofError(InvalidInput):
    """A proof, signature or bundle does not hold."""

    code = "invalid_proof"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes (RFC 6962 §2.1), by folding a frontier: O(n) hashes."""
    f = MerkleFrontier()
    for h in hashes:
        f.append(h)
    return f.root()


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


class MerkleFrontier:
    """The right edge of the tree: one perfect subtree per set bit of ``size`` (a compact
    range from 0). Appends in O(log n); ``root()`` in O(log n)."""

    __slots__ = ("_nodes", "size")

    def __init__(self) -> None:
        self.size = 0
        self._nodes: list[tuple[int, bytes]] = []  # (level, hash), left to right, levels fall

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return every perfect node completed: (level, index, hash)."""
        index = self.size
        done = [(0, index, leaf)]
        level, h = 0, leaf
        nodes = self._nodes
        while nodes and nodes[-1][0] == level:
            _, left = nodes.pop()
            h = node_hash(left, h)
            level += 1
            index >>= 1
            done.append((level, index, h))
        nodes.append((level, h))
        self.size += 1
        return done

    def append_stored(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return only the completed nodes at stored levels (the hot path)."""
        nodes = self._nodes
        index = self.size
        self.size = index + 1
        if not nodes or nodes[-1][0] != 0:
            nodes.append((0, leaf))
            return []
        stored: list[tuple[int, int, bytes]] = []
        level, h = 0, leaf
        while nodes and nodes[-1][0] == level:
            h = node_hash(nodes.pop()[1], h)
            level += 1
            index >>= 1
            if level % TILE_HEIGHT == 0:
                stored.append((level, index, h))
        nodes.append((level, h))
        return stored

    def root(self) -> bytes:
        if not self._nodes:
            return EMPTY_ROOT
        h = self._nodes[-1][1]
        for _, left in reversed(self._nodes[:-1]):
            h = node_hash(left, h)
        return h

    def copy(self) -> MerkleFrontier:
        f = MerkleFrontier()
        f.size = self.size
        f._nodes = list(self._nodes)
        return f

    @classmethod
    def from_perfect(cls, size: int, perfect: Perfect) -> MerkleFrontier:
        """Rebuild from stored perfect-subtree hashes with one look-up per set bit of size."""
        if size < 0:
            raise InvalidInput("tree size cannot be negative", size=size)
        f = cls()
        start = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                f._nodes.append((level, perfect(level, start >> level)))
                start += 1 << level
        f.size = size
        return f


def stored_levels_for(level: int) -> bool:
    """True where the application stores perfect nodes (besides leaves at level 0)."""
    return level > 0 and level % TILE_HEIGHT == 0


def perfect_subtree_hash(level: int, index: int, fetch: Perfect) -> bytes:
    """Hash of the perfect subtree (level, index); ``fetch`` is called only with level 0 or a
    stored level, and the missing levels are rebuilt from the nearest stored one below."""
    if level == 0 or stored_levels_for(level):
        return fetch(level, index)
    base = level - level % TILE_HEIGHT
    width = 1 << (level - base)
    hashes = [fetch(base, index * width + i) for i in range(width)]
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


def range_hash(start: int, end: int, perfect: Perfect) -> bytes:
    """MTH(D[start:end]) for a range whose start is aligned to the largest power of two not
    above its length, as every range in RFC 6962 proofs is: built from perfect subtrees."""
    n = end - start
    if n <= 0:
        raise InvalidInput("empty range", start=start, end=end)
    if n & (n - 1) == 0 and start % n == 0:
        return perfect(n.bit_length() - 1, start // n)
    k = _largest_power_of_two_below(n)
    return node_hash(range_hash(start, start + k, perfect), range_hash(start + k, end, perfect))


def _check_index(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise InvalidInput("leaf index must be below the tree size", index=index, size=size)


def inclusion_proof(index: int, size: int, perfect: Perfect) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1, leaf-side first."""
    _check_index(index, size)
    proof: list[bytes] = []

    def path(m: int, start: int, end: int) -> None:
        n = end - start
        if n == 1:
            return
        k = _largest_power_of_two_below(n)
        if m < k:
            path(m, start, start + k)
            proof.append(range_hash(start + k, end, perfect))
        else:
            path(m - k, start + k, end)
            proof.append(range_hash(start, start + k, perfect))

    path(index, 0, size)
    return proof


def consistency_proof(old_size: int, new_size: int, perfect: Perfect) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2."""
    if not 0 < old_size <= new_size:
        raise InvalidInput("need 0 < old size ≤ new size", old=old_size, new=new_size)
    proof: list[bytes] = []

    def subproof(m: int, start: int, end: int, complete: bool) -> None:
        n = end - start
        if m == n:
            if not complete:
                proof.append(range_hash(start, end, perfect))
            return
        k = _largest_power_of_two_below(n)
        if m <= k:
            subproof(m, start, start + k, complete)
            proof.append(range_hash(start + k, end, perfect))
        else:
            subproof(m - k, start + k, end, False)
            proof.append(range_hash(start, start + k, perfect))

    subproof(old_size, 0, new_size, True)
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size or any(len(p) != 32 for p in proof):
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old_size < 1 or old_size > new_size or any(len(p) != 32 for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root starts the path
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# ------------------------------------------------------------------------------ tree heads
@dataclass(frozen=True, slots=True)
class TreeHead:
    """Signed bytes: ``b"qingshan-sth-v1\\n" ‖ size (8 bytes, big-endian) ‖ timestamp in ms
    (8 bytes, big-endian) ‖ root (32 bytes)``."""

    size: int
    root: bytes
    timestamp_ms: int

    def signing_bytes(self) -> bytes:
        return (STH_PREFIX + self.size.to_bytes(8, "big") + self.timestamp_ms.to_bytes(8, "big")
                + self.root)


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    head: TreeHead
    signature: bytes
    key_id: str


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign_tree_head(private_key: Ed25519PrivateKey, head: TreeHead) -> SignedTreeHead:
    return SignedTreeHead(head, private_key.sign(head.signing_bytes()),
                          key_id(private_key.public_key()))


def verify_tree_head(public_key: Ed25519PublicKey, sth: SignedTreeHead) -> bool:
    try:
        public_key.verify(sth.signature, sth.head.signing_bytes())
    except InvalidSignature:
        return False
    return True


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def private_key_from_pem(data: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput("the signing key is not an Ed25519 key")
    return key


def public_key_to_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_from_pem(data: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise ProofError("the public key is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ProofError("the public key is not an Ed25519 key")
    return key


# ------------------------------------------------------------------------------ bundles
@dataclass(frozen=True, slots=True)
class InclusionBundle:
    """All a stranger needs to check that an entry is in the log, offline."""

    entry: bytes  # the journal entry's canonical bytes: the leaf data
    index: int  # leaf index (journal seq - 1)
    sth: SignedTreeHead
    proof: list[bytes]
    public_key_pem: bytes

    def to_json(self) -> str:
        return json.dumps({
            "format": BUNDLE_FORMAT,
            "entry": base64.b64encode(self.entry).decode(),
            "leaf_index": self.index,
            "tree_head": {"size": self.sth.head.size, "root": self.sth.head.root.hex(),
                          "timestamp": self.sth.head.timestamp_ms,
                          "signature": self.sth.signature.hex(), "key_id": self.sth.key_id},
            "audit_path": [p.hex() for p in self.proof],
            "public_key": self.public_key_pem.decode(),
        }, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> InclusionBundle:
        try:
            d = json.loads(text)
            if not isinstance(d, dict) or d.get("format") != BUNDLE_FORMAT:
                raise ProofError(f"not a {BUNDLE_FORMAT} document")
            th = d["tree_head"]
            sth = SignedTreeHead(TreeHead(_count(th["size"]), bytes.fromhex(th["root"]),
                                          _count(th["timestamp"])),
                                 bytes.fromhex(th["signature"]), str(th["key_id"]))
            return cls(entry=base64.b64decode(d["entry"], validate=True),
                       index=_count(d["leaf_index"]), sth=sth,
                       proof=[bytes.fromhex(p) for p in d["audit_path"]],
                       public_key_pem=str(d["public_key"]).encode())
        except ProofError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise ProofError(f"malformed proof bundle: {exc}") from exc


def _count(value: object) -> int:
    """A size, index or time in a bundle: a JSON integer that fits the signed 8 bytes."""
    if type(value) is not int or not 0 <= value < 2**63:
        raise ProofError("a size, index or timestamp is not a whole number from 0 to 2^63 - 1")
    return value


def check_bundle(bundle: InclusionBundle, trusted_public_key_pem: bytes | None = None) -> None:
    """Raise :class:`ProofError` saying what fails; return None when the bundle holds."""
    key = public_key_from_pem(bundle.public_key_pem)
    if trusted_public_key_pem is not None:
        trusted = public_key_from_pem(trusted_public_key_pem)
        if key_id(trusted) != key_id(key):
            raise ProofError("the bundle was signed with another key than the one you trust")
    if bundle.sth.key_id != key_id(key):
        raise ProofError("the tree head names another key than the bundle's")
    if not verify_tree_head(key, bundle.sth):
        raise ProofError("the tree head's signature does not verify")
    if not verify_inclusion(leaf_hash(bundle.entry), bundle.index, bundle.sth.head.size,
                            bundle.proof, bundle.sth.head.root):
        raise ProofError("the entry is not included in the signed tree: the audit path "
                         "does not lead to the signed root")
