"""The ledger's book in memory: its state and look-up indexes, and the primitives every change
goes through.

:class:`BookState` holds all parties, accounts, asset classes, issuances, unit blocks,
balances and holds, with the indexes that make the hot path fast (the serial index per asset,
each account's active blocks in the order a transfer by quantity takes them, active unit
counts, the blocks of each hold). Every mutation goes through a few primitives that write an
undo record (``UndoLog``), so a whole group of commands rolls back (``mark`` / ``rollback_to``)
when a batch is refused or its transaction fails; ``dirty`` names the rows the storage layer
writes. Besides: the look-ups and checks every use-case shares, and fungible postings.

The use-cases are mixins on top, each importing only what is below it: ``units.py`` (taking
and moving units), ``accounts.py`` (reference data, parties, accounts), ``movements.py``
(issue, transfer, retire, cancel), ``holds.py``, ``settlement.py`` (the calls other books
make); ``state.py`` composes them into :class:`~qingshan.ledger.domain.state.LedgerState`.

Pure: no database, no I/O, and no clock of its own: rules that depend on the day read
``clock``, the time of the journal entry being applied, which the sequencer (and ``log
verify``, replaying) binds through the :class:`~qingshan.ledger.books.Router`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sortedcontainers import SortedDict, SortedList

from qingshan.errors import (
    AccountNotOpen,
    AssetMismatch,
    InsufficientFunds,
    UnknownAccount,
    UnknownAssetClass,
    UnknownHold,
    UnknownParty,
    WrongAccountType,
)
from qingshan.ledger.domain.effects import Effects, IssuanceWatcher, StatusWatcher
from qingshan.ledger.domain.model import (
    Account,
    AccountStatus,
    AccountType,
    AssetClass,
    AssetKind,
    BlockState,
    Hold,
    HoldStatus,
    Issuance,
    Party,
    PartyKind,
    Principal,
    Retirement,
    Role,
    UnitBlock,
)
from qingshan.ledger.domain.policy import check_admin, check_owner
from qingshan.ledger.domain.undo import MISSING, UndoLog

# Accounts into which units or funds may be moved by a transfer or an enforced hold.
RECEIVING_TYPES = frozenset({AccountType.HOLDING, AccountType.BUFFER, AccountType.ESCROW,
                             AccountType.TREASURY})


@dataclass(slots=True)
class Dirty:
    """Keys changed since the last flush: the storage layer writes their current rows."""

    parties: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    assets: set[str] = field(default_factory=set)
    issuances: set[int] = field(default_factory=set)
    blocks: set[int] = field(default_factory=set)
    balances: set[tuple[str, str]] = field(default_factory=set)
    holds: set[str] = field(default_factory=set)
    retirements: set[str] = field(default_factory=set)
    counters: bool = False



def _active_key(b: UnitBlock) -> tuple[int, int, int, int, int]:
    """Order of the units a transfer by quantity takes: oldest vintage first and, within a
    vintage, the largest block first (the fewest pieces move). The block id comes last."""
    return (b.vintage, -b.quantity, b.issuance, b.start, b.id)



def _mergeable(a: UnitBlock, b: UnitBlock) -> bool:
    return (a.state is BlockState.ACTIVE and b.state is BlockState.ACTIVE
            and a.account == b.account and a.issuance == b.issuance
            and a.hold is None and b.hold is None)



class BookState(UndoLog):
    """All parties, accounts, asset classes, issuances, unit blocks, balances and holds, their
    indexes, look-ups, shared checks and the primitives that change them."""

    def __init__(self) -> None:
        self.parties: dict[str, Party] = {}
        self.accounts: dict[str, Account] = {}
        self.assets: dict[str, AssetClass] = {}
        self.issuances: dict[int, Issuance] = {}
        self.blocks: dict[int, UnitBlock] = {}
        self.balances: dict[tuple[str, str], int] = {}
        self.held_funds: dict[tuple[str, str], int] = {}
        self.holds: dict[str, Hold] = {}
        self.retirements: dict[str, Retirement] = {}
        self.counters: dict[str, int] = {"party": 0, "account": 0, "issuance": 0, "block": 0,
                                         "hold": 0, "retirement": 0}
        self.next_serial: dict[str, int] = {}
        self.identifiers: dict[str, str] = {}  # party identifier (USCC, admin code) -> party id
        # indexes
        self._by_asset: dict[str, SortedDict] = {}  # asset -> start -> block id (all blocks)
        self._active: dict[tuple[str, str], SortedList] = {}  # (account, asset) -> keys
        self._active_qty: dict[tuple[str, str], int] = {}  # (account, asset) -> active units
        self._hold_blocks: dict[str, set[int]] = {}
        # context books told of every account status change, by book name (``bind``)
        self.status_watchers: dict[str, StatusWatcher] = {}
        self.issuance_watchers: dict[str, IssuanceWatcher] = {}
        super().__init__()
        self.dirty = Dirty()
        self.seq = 0  # the journal entry being applied
        # the journal time (Unix ms) of the entry being applied; the Router binds it
        self.clock: Callable[[], int] = lambda: 0

    def _next(self, counter: str) -> int:
        n = self.counters[counter] + 1
        self._set(self.counters, counter, n)
        self.dirty.counters = True
        return n

    def _active_list(self, account: str, asset: str) -> SortedList:
        key = (account, asset)
        sl = self._active.get(key)
        if sl is None:
            sl = SortedList()
            self._active[key] = sl  # an empty index is harmless if rolled back
        return sl

    def _put_block(self, old: UnitBlock | None, new: UnitBlock | None) -> None:
        """Replace ``old`` by ``new`` in the book and every index (either may be None).

        The hottest path of the ledger (every transfer, hold and fill passes here several
        times), so the undo records are appended inline; their tags are ``UndoLog``'s."""
        undo = self._undo
        active_qty = self._active_qty
        if old is not None:
            if old.state is BlockState.ACTIVE:
                self._sl_remove(self._active_list(old.account, old.asset), _active_key(old))
                key = (old.account, old.asset)
                was = active_qty[key]
                undo.append((0, active_qty, key, was))
                active_qty[key] = was - (old.end - old.start + 1)
            if old.hold is not None:
                self._set_discard(self._hold_blocks[old.hold], old.id)
            if new is None or new.start != old.start:
                self._del(self._by_asset[old.asset], old.start)
            if new is None:
                self._del(self.blocks, old.id)
                self.dirty.blocks.add(old.id)  # the storage layer deletes its row
        if new is not None:
            blocks = self.blocks
            undo.append((0, blocks, new.id, blocks.get(new.id, MISSING)))
            blocks[new.id] = new
            if old is None or new.start != old.start:
                self._set(self._serial_index(new.asset), new.start, new.id)
            if new.state is BlockState.ACTIVE:
                self._sl_add(self._active_list(new.account, new.asset), _active_key(new))
                key = (new.account, new.asset)
                if key in active_qty:
                    was = active_qty[key]
                    undo.append((0, active_qty, key, was))
                else:
                    was = 0
                    undo.append((0, active_qty, key, MISSING))
                active_qty[key] = was + (new.end - new.start + 1)
            if new.hold is not None:
                self._set_add(self._hold_blocks.setdefault(new.hold, set()), new.id)
            self.dirty.blocks.add(new.id)

    def _serial_index(self, asset: str) -> SortedDict:
        index = self._by_asset.get(asset)
        if index is None:  # (not setdefault: that would build a SortedDict on every call)
            index = self._by_asset[asset] = SortedDict()
        return index

    def _split(self, block: UnitBlock, at: int) -> tuple[UnitBlock, UnitBlock]:
        """Split into ``[start, at-1]`` (keeps the id) and ``[at, end]`` (a new id)."""
        b = block
        left = UnitBlock(b.id, b.asset, b.issuance, b.vintage, b.start, at - 1, b.account,
                         b.state, b.hold)
        right = UnitBlock(self._next("block"), b.asset, b.issuance, b.vintage, at, b.end,
                          b.account, b.state, b.hold)
        self._put_block(block, left)
        self._put_block(None, right)
        return left, right

    def _coalesce(self, b: UnitBlock) -> UnitBlock:
        """Merge an active block with active neighbours of the same issuance in the same
        account, so that holds released and lots bought back do not leave the book in pieces.
        The lower block keeps its id."""
        index = self._by_asset[b.asset]
        pos = index.bisect_left(b.start) - 1
        if pos >= 0:
            prev = self.blocks[index.peekitem(pos)[1]]
            if prev.end + 1 == b.start and _mergeable(prev, b):
                merged = UnitBlock(prev.id, b.asset, b.issuance, b.vintage, prev.start, b.end,
                                   b.account, b.state, None)
                self._put_block(b, None)
                self._put_block(prev, merged)
                b = merged
        nxt_id = index.get(b.end + 1)
        if nxt_id is not None:
            nxt = self.blocks[nxt_id]
            if _mergeable(b, nxt):
                merged = UnitBlock(b.id, b.asset, b.issuance, b.vintage, b.start, nxt.end,
                                   b.account, b.state, None)
                self._put_block(nxt, None)
                self._put_block(b, merged)
                b = merged
        return b

    def load_block(self, b: UnitBlock) -> None:
        """Put a stored block into the book without undo or dirty marks (startup)."""
        self.blocks[b.id] = b
        self._serial_index(b.asset)[b.start] = b.id
        if b.state is BlockState.ACTIVE:
            self._active_list(b.account, b.asset).add(_active_key(b))
            key = (b.account, b.asset)
            self._active_qty[key] = self._active_qty.get(key, 0) + b.quantity
        if b.hold is not None:
            self._hold_blocks.setdefault(b.hold, set()).add(b.id)

    def block_at(self, asset: str, serial: int) -> UnitBlock | None:
        """The block holding ``serial`` of ``asset`` now, whatever its state."""
        index = self._by_asset.get(asset)
        if not index:
            return None
        pos = index.bisect_right(serial) - 1
        if pos < 0:
            return None
        block = self.blocks[index.peekitem(pos)[1]]
        return block if block.start <= serial <= block.end else None

    def blocks_of(self, asset: str) -> Iterator[UnitBlock]:
        for bid in self._by_asset.get(asset, SortedDict()).values():
            yield self.blocks[bid]

    def active_blocks(self, account: str, asset: str) -> Iterator[UnitBlock]:
        for key in self._active.get((account, asset), ()):
            yield self.blocks[key[-1]]

    def active_quantity(self, account: str, asset: str) -> int:
        return self._active_qty.get((account, asset), 0)

    def index_problems(self) -> list[str]:
        """Differences between the look-up indexes and the blocks themselves."""
        problems: list[str] = []
        active: dict[tuple[str, str], list[tuple[int, int, int, int, int]]] = {}
        qty: dict[tuple[str, str], int] = {}
        for b in self.blocks.values():
            if b.state is BlockState.ACTIVE:
                active.setdefault((b.account, b.asset), []).append(_active_key(b))
                qty[(b.account, b.asset)] = qty.get((b.account, b.asset), 0) + b.quantity
            if self._by_asset.get(b.asset, {}).get(b.start) != b.id:
                problems.append(f"block {b.id} is missing from the serial index")
        for key, sl in self._active.items():
            if list(sl) != sorted(active.get(key, [])):
                problems.append(f"active index of {key} differs from its blocks")
        if {k: v for k, v in self._active_qty.items() if v} != qty:
            problems.append("active unit counts differ from the blocks")
        if sum(len(d) for d in self._by_asset.values()) != len(self.blocks):
            problems.append("the serial index holds blocks that do not exist")
        return problems

    def held_blocks(self, hold: str) -> list[UnitBlock]:
        blocks = [self.blocks[b] for b in self._hold_blocks.get(hold, ())]
        return sorted(blocks, key=_active_key)

    def party(self, pid: str) -> Party:
        p = self.parties.get(pid)
        if p is None:
            raise UnknownParty("no such party", party=pid)
        return p

    def account(self, aid: str) -> Account:
        a = self.accounts.get(aid)
        if a is None:
            raise UnknownAccount("no such account", account=aid)
        return a

    def asset(self, code: str, kind: AssetKind | None = None) -> AssetClass:
        a = self.assets.get(code)
        if a is None:
            raise UnknownAssetClass("no such asset class", asset=code)
        if kind is not None and a.kind is not kind:
            raise AssetMismatch(f"{code} is a {a.kind.value} asset", asset=code,
                                expected=kind.value)
        return a

    def hold(self, hid: str) -> Hold:
        h = self.holds.get(hid)
        if h is None:
            raise UnknownHold("no such hold", hold=hid)
        return h

    def balance(self, account: str, asset: str) -> int:
        return self.balances.get((account, asset), 0)

    def available(self, account: str, asset: str) -> int:
        key = (account, asset)
        return self.balances.get(key, 0) - self.held_funds.get(key, 0)

    def platform_account(self, given: str | None, kind: AccountType) -> Account:
        """``given`` if it is an account of ``kind``; else the platform operator's own one."""
        if given is not None:
            acct = self.account(given)
            if acct.type is not kind:
                raise WrongAccountType(f"account is not a {kind.value} account",
                                       account=given, type=acct.type.value)
            return acct
        for acct in self.accounts.values():  # the platform's own account of that type
            if acct.type is kind and self.parties[acct.party_id].kind is PartyKind.OPERATOR:
                return acct
        raise WrongAccountType(f"the platform has no {kind.value} account", type=kind.value)

    def accounts_of(self, party: str) -> list[Account]:
        return sorted((a for a in self.accounts.values() if a.party_id == party),
                      key=lambda a: a.id)

    def accounts_with_status(self, status: AccountStatus) -> list[Account]:
        return sorted((a for a in self.accounts.values() if a.status is status),
                      key=lambda a: a.id)

    def held_quantity(self, account: str, asset: str) -> int:
        return sum(h.quantity for h in self.holds.values()
                   if h.account == account and h.asset == asset
                   and h.status is HoldStatus.ACTIVE)

    @staticmethod
    def check_admin(actor: Principal) -> None:
        check_admin(actor)

    @staticmethod
    def check_owner(actor: Principal, account: Account) -> None:
        """Operator acts on any account; a member only on its own party's accounts."""
        check_owner(actor, account.id, account.party_id)

    @staticmethod
    def check_open(account: Account) -> None:
        if account.status is not AccountStatus.OPEN:
            raise AccountNotOpen(f"account is {account.status.value}", account=account.id,
                                 status=account.status.value)

    @staticmethod
    def check_not_buffer(account: Account, actor: Principal | None = None) -> None:
        """Units in a buffer pool leave it only when the platform itself cancels them for a
        reversal (the registry's loss events, as SYSTEM): never transferred, retired, held or
        sold, so the pool always holds its issued shares less its recorded draws."""
        if account.type is AccountType.BUFFER and (actor is None
                                                   or actor.role is not Role.SYSTEM):
            raise WrongAccountType("units in the buffer pool leave it only when a loss event "
                                   "cancels them", account=account.id, type="buffer")

    def check_receiving(self, aid: str) -> Account:
        acct = self.account(aid)
        if acct.status is AccountStatus.CLOSED:
            raise AccountNotOpen("account is closed", account=aid, status="closed")
        if acct.type not in RECEIVING_TYPES:
            raise WrongAccountType(f"a {acct.type.value} account cannot receive transfers",
                                   account=aid, type=acct.type.value)
        return acct

    def _post(self, account: str, asset: str, amount: int, effects: Effects) -> None:
        key = (account, asset)
        self._set(self.balances, key, self.balances.get(key, 0) + amount)
        self.dirty.balances.add(key)
        effects.postings.append((account, asset, amount))

    def _hold_funds(self, account: str, asset: str, amount: int) -> None:
        key = (account, asset)
        self._set(self.held_funds, key, self.held_funds.get(key, 0) + amount)
        self.dirty.balances.add(key)

    def check_funds(self, account: Account, asset: str, amount: int) -> None:
        if account.type is AccountType.TREASURY:
            return
        available = self.available(account.id, asset)
        if available < amount:
            raise InsufficientFunds("available balance is below the amount", account=account.id,
                                    asset=asset, available=available, requested=amount)

    def watch_account_status(self, book: str, watcher: StatusWatcher) -> None:
        self.status_watchers[book] = watcher

    def watch_issuance(self, book: str, watcher: IssuanceWatcher) -> None:
        self.issuance_watchers[book] = watcher
