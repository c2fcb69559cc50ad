"""The Merkle log against RFC 6962's published test vectors, and adversarial proofs."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.errors import InvalidInput
from qingshan.ledger import transparency as t
from tests.support.search import search

# The 8-leaf test tree and its roots, inclusion and consistency proofs, as published with the
# reference implementations: transparency-dev/merkle, file testonly/constants.go (carried over
# from google/certificate-transparency's C++ merkle_tree_test.cc).
LEAVES = [bytes.fromhex(h) for h in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"]]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (leaf index, tree size, audit path)
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def leaf_hashes(n: int) -> list[bytes]:
    return [t.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def perfect_from(hashes: list[bytes]) -> t.Perfect:
    def perfect(level: int, index: int) -> bytes:
        width = 1 << level
        chunk = hashes[index * width:(index + 1) * width]
        assert len(chunk) == width, "asked for a subtree that is not complete"
        return t.root_from_leaf_hashes(chunk)
    return perfect


RFC_HASHES = [t.leaf_hash(d) for d in LEAVES]
RFC_PERFECT = perfect_from(RFC_HASHES)


def test_empty_tree_root_is_hash_of_nothing() -> None:
    assert t.MerkleFrontier().root().hex() == \
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_rfc6962_vectors(size: int) -> None:
    assert t.root_from_leaf_hashes(RFC_HASHES[:size]).hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_rfc6962_vectors(index: int, size: int, path: list[str]) -> None:
    proof = t.inclusion_proof(index, size, RFC_PERFECT)
    assert [p.hex() for p in proof] == path
    assert t.verify_inclusion(RFC_HASHES[index], index, size, proof,
                              bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_rfc6962_vectors(old: int, new: int, path: list[str]) -> None:
    proof = t.consistency_proof(old, new, RFC_PERFECT)
    assert [p.hex() for p in proof] == path
    assert t.verify_consistency(old, new, bytes.fromhex(ROOTS[old - 1]),
                                bytes.fromhex(ROOTS[new - 1]), proof)


@search(2)
@given(size=st.integers(1, 300), data=st.data())
def test_every_inclusion_proof_verifies_and_any_change_breaks_it(size: int,
                                                                 data: st.DataObject) -> None:
    hashes = leaf_hashes(size)
    root = t.root_from_leaf_hashes(hashes)
    index = data.draw(st.integers(0, size - 1))
    proof = t.inclusion_proof(index, size, perfect_from(hashes))
    assert t.verify_inclusion(hashes[index], index, size, proof, root)
    assert not t.verify_inclusion(t.leaf_hash(b"forged"), index, size, proof, root)
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
        assert not t.verify_inclusion(hashes[index], other, size, proof, root)
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        bad = list(proof)
        bad[k] = bytes([bad[k][0] ^ 1]) + bad[k][1:]
        assert not t.verify_inclusion(hashes[index], index, size, bad, root)
        assert not t.verify_inclusion(hashes[index], index, size, proof[:-1], root)
    assert not t.verify_inclusion(hashes[index], index, size, [*proof, root], root)


@search(2)
@given(new=st.integers(1, 200), data=st.data())
def test_every_consistency_proof_verifies_and_forgeries_fail(new: int,
                                                            data: st.DataObject) -> None:
    hashes = leaf_hashes(new)
    old = data.draw(st.integers(1, new))
    old_root, new_root = t.root_from_leaf_hashes(hashes[:old]), t.root_from_leaf_hashes(hashes)
    proof = t.consistency_proof(old, new, perfect_from(hashes))
    assert t.verify_consistency(old, new, old_root, new_root, proof)
    forged_old = t.root_from_leaf_hashes([*hashes[:old - 1], t.leaf_hash(b"x")])
    assert not t.verify_consistency(old, new, forged_old, new_root, proof)
    if proof:
        assert not t.verify_consistency(old, new, old_root, new_root, proof[:-1])
        bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not t.verify_consistency(old, new, old_root, new_root, bad)


@search(1)
@given(size=st.integers(0, 600))
def test_frontier_matches_the_tree_and_rebuilds_from_stored_nodes(size: int) -> None:
    hashes = leaf_hashes(size)
    f = t.MerkleFrontier()
    stored: dict[tuple[int, int], bytes] = {}
    for h in hashes:
        for level, idx, node in f.append(h):
            if level == 0 or t.stored_levels_for(level):
                stored[(level, idx)] = node
    assert f.root() == t.root_from_leaf_hashes(hashes)

    def fetch(level: int, index: int) -> bytes:
        assert level == 0 or level % t.TILE_HEIGHT == 0
        return stored[(level, index)]

    def perfect(level: int, index: int) -> bytes:
        return t.perfect_subtree_hash(level, index, fetch)

    rebuilt = t.MerkleFrontier.from_perfect(size, perfect)
    assert rebuilt.root() == f.root()
    if size:
        direct = perfect_from(hashes)
        for level in range(size.bit_length()):
            for index in range(size >> level):
                assert perfect(level, index) == direct(level, index)


def test_bad_indices_are_refused() -> None:
    with pytest.raises(InvalidInput):
        t.inclusion_proof(8, 8, RFC_PERFECT)
    with pytest.raises(InvalidInput):
        t.consistency_proof(0, 8, RFC_PERFECT)
    assert not t.verify_inclusion(RFC_HASHES[0], 9, 8, [], bytes(32))
    assert not t.verify_consistency(5, 4, bytes(32), bytes(32), [])
    assert not t.verify_consistency(3, 8, bytes.fromhex(ROOTS[2]), bytes.fromhex(ROOTS[7]), [])


def make_bundle() -> tuple[t.InclusionBundle, bytes]:
    key = t.generate_signing_key()
    entries = [f'{{"seq":{i}}}'.encode() for i in range(1, 12)]
    hashes = [t.leaf_hash(e) for e in entries]
    head = t.TreeHead(len(hashes), t.root_from_leaf_hashes(hashes), 1764000000000)
    sth = t.sign_tree_head(key, head)
    pem = t.public_key_to_pem(key.public_key())
    proof = t.inclusion_proof(6, len(hashes), perfect_from(hashes))
    return t.InclusionBundle(entries[6], 6, sth, proof, pem), pem


def test_signed_tree_head_round_trip_and_forgery() -> None:
    key = t.generate_signing_key()
    sth = t.sign_tree_head(key, t.TreeHead(3, bytes(32), 5))
    assert t.verify_tree_head(key.public_key(), sth)
    assert not t.verify_tree_head(t.generate_signing_key().public_key(), sth)
    moved = dataclasses.replace(sth, head=dataclasses.replace(sth.head, size=4))
    assert not t.verify_tree_head(key.public_key(), moved)
    pem = t.private_key_to_pem(key)
    assert t.key_id(t.private_key_from_pem(pem).public_key()) == sth.key_id


def test_bundle_checks_offline_and_survives_json() -> None:
    bundle, pem = make_bundle()
    again = t.InclusionBundle.from_json(bundle.to_json())
    assert again == bundle
    t.check_bundle(again, pem)


@pytest.mark.parametrize("tamper", ["entry", "index", "proof", "signature", "root", "key"])
def test_tampered_bundle_is_rejected(tamper: str) -> None:
    bundle, pem = make_bundle()
    other = t.generate_signing_key()
    if tamper == "entry":
        bad = dataclasses.replace(bundle, entry=b'{"seq":99}')
    elif tamper == "index":
        bad = dataclasses.replace(bundle, index=5)
    elif tamper == "proof":
        bad = dataclasses.replace(bundle, proof=bundle.proof[:-1])
    elif tamper == "signature":
        bad = dataclasses.replace(bundle, sth=dataclasses.replace(bundle.sth,
                                                                  signature=bytes(64)))
    elif tamper == "root":
        head = dataclasses.replace(bundle.sth.head, root=bytes(32))
        bad = dataclasses.replace(bundle, sth=t.sign_tree_head(other, head),
                                  public_key_pem=t.public_key_to_pem(other.public_key()))
    else:
        bad = dataclasses.replace(bundle, public_key_pem=t.public_key_to_pem(
            other.public_key()))
    with pytest.raises(t.ProofError):
        t.check_bundle(bad, pem if tamper == "root" else None)


def test_malformed_bundle_json_is_a_clear_error() -> None:
    with pytest.raises(t.ProofError):
        t.InclusionBundle.from_json('{"format": "something else"}')
    with pytest.raises(t.ProofError):
        t.InclusionBundle.from_json('{"format": "qingshan-inclusion-proof/1"}')


@search(0.5)
@given(size=st.integers(0, 700))
def test_append_stored_returns_exactly_the_stored_nodes(size: int) -> None:
    a, b = t.MerkleFrontier(), t.MerkleFrontier()
    for h in leaf_hashes(size):
        full = [n for n in a.append(h) if t.stored_levels_for(n[0])]
        assert b.append_stored(h) == full
    assert a.root() == b.root() and a.size == b.size
