"""The book: the ledger's whole state in memory, and the use-cases that change it.

Every use-case is a pair ``check_*`` (reads only, raises a :class:`~qingshan.errors.QingshanError`
when the command may not run) and ``do_*`` (mutates, cannot fail). :meth:`LedgerState.apply` runs
the pair for one command and returns its :class:`Effects`: the journaled result plus the postings
and serial events that the storage layer writes beside the journal entry.

Every mutation goes through a few primitives that write an undo record, so a whole group of
commands can be rolled back (:meth:`mark` / :meth:`rollback_to`) when a batch is refused or its
transaction fails. The same code replays the journal in ``qingshan log verify``.

Pure: no database, no I/O, and no clock of its own: rules that depend on the day (a monitoring
period must have ended before its units are issued) read ``clock``, the time of the journal
entry being applied, which the sequencer (and ``log verify``, replaying) binds through the
:class:`~qingshan.ledger.books.Router`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sortedcontainers import SortedDict, SortedList

from qingshan.errors import (
    AccountNotEmpty,
    AccountNotOpen,
    AlreadyExists,
    AssetMismatch,
    Forbidden,
    HoldNotActive,
    InsufficientFunds,
    InsufficientUnits,
    SerialsNotAvailable,
    UnknownAccount,
    UnknownAssetClass,
    UnknownHold,
    UnknownParty,
    WrongAccountType,
)
from qingshan.ledger.domain.commands import (
    CancelUnits,
    Command,
    CreateAssetClass,
    EnforceHold,
    IssueUnits,
    OpenAccount,
    PlaceHold,
    RegisterParty,
    ReleaseHold,
    RetireUnits,
    SetAccountStatus,
    Transfer,
)
from qingshan.ledger.domain.effects import Effects, StatusWatcher
from qingshan.ledger.domain.holds import check_destination, check_may_leave, check_may_place
from qingshan.ledger.domain.model import (
    SYSTEM,
    Account,
    AccountStatus,
    AccountType,
    AssetClass,
    AssetKind,
    BlockState,
    Hold,
    HoldKind,
    HoldStatus,
    Issuance,
    Party,
    PartyKind,
    Principal,
    Retirement,
    Role,
    SerialRange,
    UnitBlock,
    account_id,
    hold_id,
    party_id,
    retirement_id,
)
from qingshan.ledger.domain.parsing import check_period_ended
from qingshan.ledger.domain.policy import check_admin, check_owner, check_resolves
from qingshan.ledger.domain.port import LedgerPort
from qingshan.ledger.domain.undo import MISSING, UndoLog

# (``Effects`` and ``StatusWatcher`` moved to ``effects.py``; still importable from here)
__all__ = ["RECEIVING_TYPES", "Dirty", "Effects", "LedgerState", "StatusWatcher"]

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


class LedgerState(UndoLog):
    """All parties, accounts, asset classes, issuances, unit blocks, balances and holds."""

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

    # ------------------------------------------------------------------ block bookkeeping
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

    # ------------------------------------------------------------------ look-ups
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

    # ------------------------------------------------------------------ authorisation rules
    # (the rules themselves: ``policy.py``; kept as methods for the books that call them)
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

    # ------------------------------------------------------------------ selecting units
    def _active_keys(self, account: str, asset: str, vintages: tuple[int, int] | None,
                     categories: tuple[str, ...] | None = None,
                     ) -> Iterable[tuple[int, int, int, int, int]]:
        """An account's active blocks in the order a transfer by quantity takes them, only
        those of ``vintages`` and of issuances in ``categories`` when given."""
        sl = self._active_list(account, asset)
        keys: Iterable[tuple[int, int, int, int, int]] = sl if vintages is None else sl.irange(
            (vintages[0],), (vintages[1] + 1,), inclusive=(True, False))
        if categories is not None:
            issuances = self.issuances
            keys = (k for k in keys if issuances[k[2]].category in categories)
        return keys

    def check_take(self, account: str, asset: str, quantity: int,
                   ranges: tuple[SerialRange, ...] | None,
                   vintages: tuple[int, int] | None = None,
                   categories: tuple[str, ...] | None = None) -> None:
        """Raise unless the account's active units (of ``vintages`` and ``categories``, if
        given) can supply ``quantity`` / ``ranges``."""
        if ranges is None and (vintages is not None or categories is not None):
            have = 0
            for key in self._active_keys(account, asset, vintages, categories):
                have += self.blocks[key[-1]].quantity
                if have >= quantity:
                    return
            raise InsufficientUnits("not enough active units of these vintages and categories",
                                    account=account, asset=asset, available=have,
                                    requested=quantity,
                                    vintages=None if vintages is None else list(vintages),
                                    categories=None if categories is None else list(categories))
        if ranges is None:
            have = self.active_quantity(account, asset)
            if have < quantity:
                raise InsufficientUnits("not enough active units in the account",
                                        account=account, asset=asset, available=have,
                                        requested=quantity)
            return
        for r in ranges:
            pos = r.start
            while pos <= r.end:
                b = self.block_at(asset, pos)
                if b is None or b.account != account or b.state is not BlockState.ACTIVE:
                    raise SerialsNotAvailable(
                        "serials are not all active in the account", account=account,
                        asset=asset, range=r.to_payload(), serial=pos,
                        state=None if b is None else b.state.value)
                pos = b.end + 1

    def _take_ranges(self, asset: str, ranges: tuple[SerialRange, ...]) -> list[UnitBlock]:
        """Cut out the blocks of the named serial ranges (after :meth:`check_take`); by
        quantity, :meth:`_take_move` cuts as it moves."""
        taken: list[UnitBlock] = []
        for r in ranges:
            pos = r.start
            while pos <= r.end:
                found = self.block_at(asset, pos)
                assert found is not None  # check_take proved the whole range is there
                b = found
                if b.start < pos:
                    _, b = self._split(b, pos)
                if b.end > r.end:
                    b, _ = self._split(b, r.end + 1)
                taken.append(b)
                pos = b.end + 1
        return taken

    def _take_move(self, account: str, asset: str, quantity: int,
                   ranges: tuple[SerialRange, ...] | None,
                   vintages: tuple[int, int] | None = None,
                   categories: tuple[str, ...] | None = None, *, to: str, state: BlockState,
                   hold: str | None, effects: Effects) -> list[list[int]]:
        """Take units and :meth:`_move` them (after :meth:`check_take`). By quantity, the last
        block is cut straight into its new place, not indexed as active in between."""
        if ranges is not None:
            return self._move(self._take_ranges(asset, ranges), account=to, state=state,
                              hold=hold, effects=effects)
        need = quantity
        whole: list[UnitBlock] = []
        part: UnitBlock | None = None
        for key in self._active_keys(account, asset, vintages, categories):
            if not need:
                break
            b = self.blocks[key[-1]]
            size = b.end - b.start + 1
            if size > need:
                part = b
                break
            whole.append(b)
            need -= size
        moved = self._move(whole, account=to, state=state, hold=hold, effects=effects)
        if part is not None:
            b = part
            last = b.start + need - 1
            piece = UnitBlock(b.id, b.asset, b.issuance, b.vintage, b.start, last, to, state,
                              hold)
            rest = UnitBlock(self._next("block"), b.asset, b.issuance, b.vintage, last + 1,
                             b.end, b.account, b.state, b.hold)
            self._put_block(b, piece)
            self._put_block(None, rest)
            if state is BlockState.ACTIVE:
                self._coalesce(piece)
            moved.append([b.start, last])
            effects.serial_events.append((b.asset, b.start, last, b.account, to, state.value))
        return moved

    def _move(self, blocks: Iterable[UnitBlock], *, account: str, state: BlockState,
              hold: str | None, effects: Effects) -> list[list[int]]:
        moved: list[list[int]] = []
        for b in blocks:
            new = UnitBlock(b.id, b.asset, b.issuance, b.vintage, b.start, b.end, account, state,
                            hold)
            self._put_block(b, new)
            if state is BlockState.ACTIVE:
                self._coalesce(new)
            moved.append([b.start, b.end])
            effects.serial_events.append((b.asset, b.start, b.end, b.account, account,
                                          state.value))
        return moved

    # ------------------------------------------------------------------ fungible
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

    # ------------------------------------------------------------------ dispatch
    def apply(self, cmd: Command, actor: Principal, seq: int = 0) -> Effects:
        """Check, then do, one command as journal entry ``seq``. On error nothing has changed."""
        self.seq = seq
        handler = self._handlers[type(cmd)]
        return handler(self, cmd, actor)

    # ------------------------------------------------------------------ reference data
    def apply_create_asset_class(self, cmd: CreateAssetClass, actor: Principal) -> Effects:
        self.check_admin(actor)
        if cmd.code in self.assets:
            raise AlreadyExists("asset class exists", asset=cmd.code)
        self._set(self.assets, cmd.code, AssetClass(cmd.code, cmd.asset_kind, cmd.unit, cmd.name,
                                                    cmd.registry))
        if cmd.asset_kind is AssetKind.SERIALIZED:
            self._set(self.next_serial, cmd.code, 1)
        self.dirty.assets.add(cmd.code)
        return Effects({"asset": cmd.code})

    def apply_register_party(self, cmd: RegisterParty, actor: Principal) -> Effects:
        self.check_admin(actor)
        if cmd.identifier is not None and cmd.identifier in self.identifiers:
            raise AlreadyExists("a party with this identifier exists",
                                identifier=cmd.identifier,
                                party=self.identifiers[cmd.identifier])
        pid = party_id(self._next("party"))
        self._set(self.parties, pid, Party(pid, cmd.party_kind, cmd.name, cmd.identifier))
        if cmd.identifier is not None:
            self._set(self.identifiers, cmd.identifier, pid)
        self.dirty.parties.add(pid)
        return Effects({"party": pid})

    def apply_open_account(self, cmd: OpenAccount, actor: Principal) -> Effects:
        self.check_admin(actor)
        self.party(cmd.party)
        aid = account_id(self._next("account"))
        self._set(self.accounts, aid, Account(aid, cmd.party, cmd.account_type,
                                              AccountStatus.OPEN, cmd.label))
        self.dirty.accounts.add(aid)
        return Effects({"account": aid})

    def apply_set_account_status(self, cmd: SetAccountStatus, actor: Principal) -> Effects:
        self.check_admin(actor)
        acct = self.account(cmd.account)
        if acct.status is AccountStatus.CLOSED:
            raise AccountNotOpen("a closed account stays closed", account=acct.id,
                                 status="closed")
        if cmd.status is AccountStatus.CLOSED and self._holds_anything(acct.id):
            raise AccountNotEmpty("only an empty account can be closed", account=acct.id)
        self._set(self.accounts, acct.id, acct.with_status(cmd.status))
        self.dirty.accounts.add(acct.id)
        effects = Effects({"account": acct.id, "status": cmd.status.value,
                           "previous": acct.status.value})
        for watcher in self.status_watchers.values():
            effects.result.update(watcher(acct.id, cmd.status, effects))
        return effects

    def _holds_anything(self, aid: str) -> bool:
        for (acct, _asset), sl in self._active.items():
            if acct == aid and len(sl):
                return True
        if any(h.account == aid and h.status is HoldStatus.ACTIVE for h in self.holds.values()):
            return True
        return any(acct == aid and bal != 0 for (acct, _), bal in self.balances.items())

    # ------------------------------------------------------------------ serialized units
    def apply_issue_units(self, cmd: IssueUnits, actor: Principal) -> Effects:
        self.check_admin(actor)
        self.asset(cmd.asset, AssetKind.SERIALIZED)
        check_period_ended(cmd.monitoring_end, self.clock(), "monitoring_end")
        for aid, _ in cmd.allocations:
            acct = self.check_receiving(aid)
            self.check_open(acct)
        iid = self._next("issuance")
        first = self.next_serial[cmd.asset]
        serials = SerialRange(first, first + cmd.quantity - 1)
        self._set(self.next_serial, cmd.asset, serials.end + 1)
        self._set(self.issuances, iid, Issuance(iid, cmd.asset, cmd.project, cmd.vintage,
                                                serials, cmd.monitoring_start,
                                                cmd.monitoring_end, cmd.reference,
                                                cmd.category))
        self.dirty.issuances.add(iid)
        effects = Effects({})
        blocks: list[list[Any]] = []
        pos = first
        for aid, qty in cmd.allocations:
            b = UnitBlock(self._next("block"), cmd.asset, iid, cmd.vintage, pos, pos + qty - 1,
                          aid, BlockState.ACTIVE)
            self._put_block(None, b)
            effects.serial_events.append((cmd.asset, b.start, b.end, None, aid, "active"))
            blocks.append([aid, b.start, b.end])
            pos += qty
        effects.result = {"issuance": iid, "serials": serials.to_payload(), "blocks": blocks}
        return effects

    def apply_transfer(self, cmd: Transfer, actor: Principal) -> Effects:
        asset = self.asset(cmd.asset)
        source = self.account(cmd.source)
        self.check_owner(actor, source)
        self.check_open(source)
        self.check_not_buffer(source)
        self.check_receiving(cmd.destination)
        effects = Effects({})
        if asset.kind is AssetKind.FUNGIBLE:
            if cmd.ranges is not None:
                raise AssetMismatch("serial ranges given for a fungible asset", asset=asset.code)
            self.check_funds(source, asset.code, cmd.quantity)
            self._post(source.id, asset.code, -cmd.quantity, effects)
            self._post(cmd.destination, asset.code, cmd.quantity, effects)
            effects.result = {"amount": cmd.quantity}
            return effects
        self.check_take(source.id, asset.code, cmd.quantity, cmd.ranges)
        moved = self._take_move(source.id, asset.code, cmd.quantity, cmd.ranges,
                                to=cmd.destination, state=BlockState.ACTIVE, hold=None,
                                effects=effects)
        effects.result = {"ranges": moved}
        return effects

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

    def apply_retire_units(self, cmd: RetireUnits, actor: Principal) -> Effects:
        self.asset(cmd.asset, AssetKind.SERIALIZED)
        source = self.account(cmd.account)
        self.check_owner(actor, source)
        self.check_open(source)
        self.check_not_buffer(source)
        target = self.platform_account(cmd.retirement_account, AccountType.RETIREMENT)
        self.check_take(source.id, cmd.asset, cmd.quantity, cmd.ranges)
        effects = Effects({})
        moved = self._take_move(source.id, cmd.asset, cmd.quantity, cmd.ranges,
                                to=target.id, state=BlockState.RETIRED, hold=None,
                                effects=effects)
        rid = retirement_id(self._next("retirement"))
        self._set(self.retirements, rid, Retirement(
            rid, source.id, cmd.asset, cmd.quantity, cmd.purpose, cmd.beneficiary, cmd.reason,
            cmd.reference, tuple(SerialRange(s, e) for s, e in moved), seq=self.seq))
        self.dirty.retirements.add(rid)
        effects.result = {"retirement": rid, "ranges": moved, "retirement_account": target.id}
        return effects

    def _check_cancel(self, cmd: CancelUnits, actor: Principal) -> tuple[Account, Account]:
        """Raise unless ``actor`` may cancel these units now; return source and target."""
        self.asset(cmd.asset, AssetKind.SERIALIZED)
        source = self.account(cmd.account)
        self.check_owner(actor, source)
        self.check_open(source)
        self.check_not_buffer(source, actor)
        target = self.platform_account(None, AccountType.CANCELLATION)
        self.check_take(source.id, cmd.asset, cmd.quantity, cmd.ranges)
        return source, target

    def apply_cancel_units(self, cmd: CancelUnits, actor: Principal) -> Effects:
        source, target = self._check_cancel(cmd, actor)
        effects = Effects({})
        moved = self._take_move(source.id, cmd.asset, cmd.quantity, cmd.ranges,
                                to=target.id, state=BlockState.CANCELLED, hold=None,
                                effects=effects)
        effects.result = {"ranges": moved, "cancellation_account": target.id,
                          "destination": cmd.destination}
        return effects

    # ------------------------------------------------------------------ holds
    # (who may place and resolve which hold, and where it may go: ``holds.py``)
    def apply_place_hold(self, cmd: PlaceHold, actor: Principal) -> Effects:
        asset = self.asset(cmd.asset)
        acct = self.account(cmd.account)
        controller = check_may_place(self, actor, cmd, acct)
        if cmd.hold_kind is not HoldKind.JUDICIAL_FREEZE:
            self.check_open(acct)
        elif acct.status is AccountStatus.CLOSED:
            raise AccountNotOpen("account is closed", account=acct.id, status="closed")
        effects = Effects({})
        hid, moved = self._place_hold(cmd.hold_kind, asset, acct, cmd.quantity, cmd.ranges,
                                      cmd.vintages, controller, cmd.reference, effects,
                                      cmd.categories, cmd.destination)
        effects.result = {"hold": hid, "controller": controller}
        if moved is not None:
            effects.result["ranges"] = moved
        return effects

    def check_hold(self, asset: AssetClass, acct: Account, quantity: int,
                   ranges: tuple[SerialRange, ...] | None = None,
                   vintages: tuple[int, int] | None = None,
                   categories: tuple[str, ...] | None = None) -> None:
        """Raise unless ``acct`` could hold ``quantity`` of ``asset`` now (a market checks an
        incoming order this way, then settles what trades at once without a hold)."""
        if asset.kind is AssetKind.FUNGIBLE:
            if ranges is not None:
                raise AssetMismatch("serial ranges given for a fungible asset", asset=asset.code)
            if acct.type is AccountType.TREASURY:
                raise WrongAccountType("a treasury cannot be held", account=acct.id)
            self.check_funds(acct, asset.code, quantity)
        else:
            self.check_not_buffer(acct)
            self.check_take(acct.id, asset.code, quantity, ranges, vintages, categories)

    def _place_hold(self, kind: HoldKind, asset: AssetClass, acct: Account, quantity: int,
                    ranges: tuple[SerialRange, ...] | None, vintages: tuple[int, int] | None,
                    controller: str | None, reference: str, effects: Effects,
                    categories: tuple[str, ...] | None = None, destination: str | None = None,
                    ) -> tuple[str, list[list[int]] | None]:
        self.check_hold(asset, acct, quantity, ranges, vintages, categories)
        if asset.kind is AssetKind.FUNGIBLE:
            hid = hold_id(self._next("hold"))
            self._hold_funds(acct.id, asset.code, quantity)
            moved: list[list[int]] | None = None
        else:
            hid = hold_id(self._next("hold"))
            moved = self._take_move(acct.id, asset.code, quantity, ranges, vintages, categories,
                                    to=acct.id, state=BlockState.HELD, hold=hid,
                                    effects=effects)
        self._set(self.holds, hid, Hold(hid, kind, acct.id, asset.code, quantity,
                                        HoldStatus.ACTIVE, controller, reference, destination))
        self.dirty.holds.add(hid)
        return hid, moved

    def _active_hold(self, hid: str) -> Hold:
        hold = self.hold(hid)
        if hold.status is not HoldStatus.ACTIVE:
            raise HoldNotActive(f"hold is already {hold.status.value}", hold=hid,
                                status=hold.status.value)
        return hold

    def _close_hold(self, hold: Hold, status: HoldStatus) -> None:
        self._set(self.holds, hold.id, hold._replace(status=status))
        self.dirty.holds.add(hold.id)

    def apply_release_hold(self, cmd: ReleaseHold, actor: Principal) -> Effects:
        hold = self.hold(cmd.hold)
        check_resolves(actor, hold)
        hold = self._active_hold(cmd.hold)
        effects = Effects({})
        effects.result = self._release(hold, effects)
        return effects

    def _release(self, hold: Hold, effects: Effects) -> dict[str, Any]:
        if self.assets[hold.asset].kind is AssetKind.FUNGIBLE:
            self._hold_funds(hold.account, hold.asset, -hold.quantity)
            result: dict[str, Any] = {"hold": hold.id, "released": hold.quantity}
        else:
            moved = self._move(self.held_blocks(hold.id), account=hold.account,
                               state=BlockState.ACTIVE, hold=None, effects=effects)
            result = {"hold": hold.id, "released": hold.quantity, "ranges": moved}
        self._close_hold(hold, HoldStatus.RELEASED)
        return result

    def check_enforce(self, hold: Hold, destination: str, qty: int) -> None:
        if qty > hold.quantity:
            raise InsufficientUnits("the hold covers less than the quantity to enforce",
                                    hold=hold.id, held=hold.quantity, requested=qty)
        self.check_receiving(destination)
        if destination == hold.account:
            raise WrongAccountType("enforce into another account, or release the hold",
                                   account=destination)

    def apply_enforce_hold(self, cmd: EnforceHold, actor: Principal) -> Effects:
        check_resolves(actor, self.hold(cmd.hold))
        hold = self._active_hold(cmd.hold)
        qty = hold.quantity if cmd.quantity is None else cmd.quantity
        self.check_enforce(hold, cmd.destination, qty)
        check_destination(self, hold, cmd.destination)
        check_may_leave(self, hold)
        effects = Effects({})
        if cmd.keep_rest and qty < hold.quantity:
            moved = self._enforce_part(hold, cmd.destination, qty, effects)
            effects.result = {"hold": hold.id, "enforced": qty,
                              "remaining": hold.quantity - qty}
            if moved is not None:
                effects.result["ranges"] = moved
            return effects
        effects.result = self._enforce_all(hold, cmd.destination, qty, effects)
        return effects

    def _enforce_all(self, hold: Hold, destination: str, qty: int,
                     effects: Effects) -> dict[str, Any]:
        """Enforce ``qty`` of a hold, release the rest, and close it."""
        released = hold.quantity - qty
        if self.assets[hold.asset].kind is AssetKind.FUNGIBLE:
            self._hold_funds(hold.account, hold.asset, -hold.quantity)
            self._post(hold.account, hold.asset, -qty, effects)
            self._post(destination, hold.asset, qty, effects)
            result: dict[str, Any] = {"hold": hold.id, "enforced": qty, "released": released}
        else:
            need, enforce, rest = qty, [], []
            for b in self.held_blocks(hold.id):
                if need <= 0:
                    rest.append(b)
                    continue
                if b.quantity > need:
                    b, tail = self._split(b, b.start + need)
                    rest.append(tail)
                enforce.append(b)
                need -= b.quantity
            moved = self._move(enforce, account=destination, state=BlockState.ACTIVE,
                               hold=None, effects=effects)
            back = self._move(rest, account=hold.account, state=BlockState.ACTIVE, hold=None,
                              effects=effects)
            result = {"hold": hold.id, "enforced": qty, "released": released,
                      "ranges": moved, "released_ranges": back}
        self._close_hold(hold, HoldStatus.ENFORCED)
        return result

    def _enforce_part(self, hold: Hold, destination: str, qty: int,
                      effects: Effects) -> list[list[int]] | None:
        """Enforce ``qty`` of a hold and keep the rest held (a partial fill)."""
        if self.assets[hold.asset].kind is AssetKind.FUNGIBLE:
            self._hold_funds(hold.account, hold.asset, -qty)
            self._post(hold.account, hold.asset, -qty, effects)
            self._post(destination, hold.asset, qty, effects)
            moved = None
        else:
            need, enforce = qty, []
            part: UnitBlock | None = None
            for b in self.held_blocks(hold.id):
                if not need:
                    break
                if b.quantity > need:
                    part = b
                    break
                enforce.append(b)
                need -= b.quantity
            moved = self._move(enforce, account=destination, state=BlockState.ACTIVE,
                               hold=None, effects=effects)
            if part is not None:  # cut the first ``need`` units straight into the destination
                b, last = part, part.start + need - 1
                piece = UnitBlock(b.id, b.asset, b.issuance, b.vintage, b.start, last,
                                  destination, BlockState.ACTIVE, None)
                rest = UnitBlock(self._next("block"), b.asset, b.issuance, b.vintage, last + 1,
                                 b.end, b.account, b.state, b.hold)
                self._put_block(b, piece)
                self._put_block(None, rest)
                self._coalesce(piece)
                moved.append([b.start, last])
                effects.serial_events.append((b.asset, b.start, last, b.account, destination,
                                              BlockState.ACTIVE.value))
        self._set(self.holds, hold.id, hold._replace(quantity=hold.quantity - qty))
        self.dirty.holds.add(hold.id)
        return moved

    # ------------------------------------------------------------------ for other books
    # A context book (the market) settles inside its own command: it has checked its actor,
    # so these run as the platform, each still checking what the ledger alone can know.

    def hold_for(self, kind: HoldKind, account: str, asset: str, quantity: int,
                 vintages: tuple[int, int] | None, reference: str, effects: Effects,
                 categories: tuple[str, ...] | None = None) -> str:
        """Hold units (by quantity, oldest vintage first, within ``vintages`` and
        ``categories``) or funds of an open account, controlled by the platform; return the
        hold's id."""
        acct = self.account(account)
        self.check_open(acct)
        hid, _ = self._place_hold(kind, self.asset(asset), acct, quantity, None, vintages,
                                  SYSTEM.party_id, reference, effects, categories)
        return hid

    def _market_hold(self, hid: str) -> Hold:
        hold = self._active_hold(hid)
        if hold.kind is not HoldKind.MARKET_ORDER:
            raise Forbidden("the market settles only its orders' holds", hold=hid)
        return hold

    def settle_hold(self, hid: str, destination: str, qty: int, effects: Effects, *,
                    from_frozen: bool = False) -> None:
        """Enforce ``qty`` of an order's active hold into ``destination``, keeping any rest
        held. Nothing leaves a frozen account, unless ``from_frozen``: instruments listed
        under settlement rules 1 and 2 settled a frozen account's resting orders, and replay
        the entries journaled under them so."""
        hold = self._market_hold(hid)
        if not from_frozen:
            self.check_open(self.account(hold.account))
        self.check_enforce(hold, destination, qty)
        if qty < hold.quantity:
            self._enforce_part(hold, destination, qty, effects)
        else:
            self._enforce_all(hold, destination, qty, effects)

    def release_hold(self, hid: str, effects: Effects) -> None:
        """Release what is left of an active hold (nothing, if it is already closed)."""
        hold = self.holds[hid]
        if hold.status is HoldStatus.ACTIVE and hold.quantity:
            self._market_hold(hid)
            self._release(hold, effects)

    def deliver_units(self, source: str, destination: str, asset: str, quantity: int,
                      vintages: tuple[int, int] | None, effects: Effects,
                      categories: tuple[str, ...] | None = None) -> None:
        """Move ``quantity`` active units by quantity, oldest vintage first (within
        ``vintages`` and ``categories``), straight from ``source`` to ``destination`` (a fill
        that needs no hold: it settles in the entry that checked the source)."""
        self.check_open(self.account(source))
        self.check_take(source, asset, quantity, None, vintages, categories)
        self.check_receiving(destination)
        self._take_move(source, asset, quantity, None, vintages, categories,
                        to=destination, state=BlockState.ACTIVE, hold=None, effects=effects)

    def pay(self, source: str, destination: str, asset: str, amount: int,
            effects: Effects) -> None:
        """Move ``amount`` of a fungible asset from ``source``'s available balance (never out
        of a frozen account)."""
        account = self.account(source)
        self.check_open(account)
        self.check_funds(account, asset, amount)
        self.check_receiving(destination)
        self._post(source, asset, -amount, effects)
        self._post(destination, asset, amount, effects)

    # ------------------------------------------------------------------ the port
    # (``port.py`` declares these for the context books; the calls above belong to it too)
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

    def check_can_hold(self, account: str, asset: str, quantity: int, *,
                       vintages: tuple[int, int] | None = None,
                       categories: tuple[str, ...] | None = None) -> None:
        self.check_hold(self.asset(asset), self.account(account), quantity, None, vintages,
                        categories)

    def check_cancel_units(self, cmd: CancelUnits) -> None:
        self._check_cancel(cmd, SYSTEM)

    def place_order_hold(self, account: str, asset: str, quantity: int, reference: str,
                         effects: Effects, *, vintages: tuple[int, int] | None = None,
                         categories: tuple[str, ...] | None = None) -> str:
        return self.hold_for(HoldKind.MARKET_ORDER, account, asset, quantity, vintages,
                             reference, effects, categories)

    def issue_units(self, cmd: IssueUnits, seq: int) -> Effects:
        return self.apply(cmd, SYSTEM, seq)

    def cancel_units(self, cmd: CancelUnits, seq: int) -> Effects:
        return self.apply(cmd, SYSTEM, seq)

    def watch_account_status(self, book: str, watcher: StatusWatcher) -> None:
        self.status_watchers[book] = watcher

    _handlers: ClassVar[dict[type[Command], Callable[[LedgerState, Any, Principal], Effects]]] = {
        CreateAssetClass: apply_create_asset_class,
        RegisterParty: apply_register_party,
        OpenAccount: apply_open_account,
        SetAccountStatus: apply_set_account_status,
        IssueUnits: apply_issue_units,
        Transfer: apply_transfer,
        RetireUnits: apply_retire_units,
        CancelUnits: apply_cancel_units,
        PlaceHold: apply_place_hold,
        ReleaseHold: apply_release_hold,
        EnforceHold: apply_enforce_hold,
    }

    # ------------------------------------------------------------------ loading
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


if TYPE_CHECKING:  # mypy proves that the book implements the port the contexts use
    _implements_port: LedgerPort = LedgerState()
