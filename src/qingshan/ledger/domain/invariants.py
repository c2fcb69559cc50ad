"""The ledger's conservation laws, written once.

:func:`check_invariants` returns every violation it finds (an empty list means the book is
sound). The stateful property tests call it after each step and ``qingshan log verify`` calls it
after replaying the journal.

1. Serials: per asset class the blocks tile every issuance exactly: no serial in two blocks, no
   gap, nothing outside an issuance. Hence issued = active + held + retired + cancelled.
2. Holds: a held block belongs to an active hold on its own account; an active serialized hold
   holds exactly its quantity; an active fungible hold is counted in the account's held funds.
3. The book's look-up indexes agree with its blocks.
4. Money and points: double entry (every fungible asset's balances sum to zero); no account but
   a treasury is below zero or holds more than its balance.
"""

from __future__ import annotations

from collections import defaultdict

from qingshan.ledger.domain.model import (
    AccountType,
    AssetKind,
    BlockState,
    HoldStatus,
    UnitBlock,
)
from qingshan.ledger.domain.state import LedgerState


def supply_by_state(state: LedgerState, asset: str) -> dict[str, int]:
    """Units of ``asset`` per block state, plus ``issued``."""
    out = {s.value: 0 for s in BlockState}
    for b in state.blocks_of(asset):
        out[b.state.value] += b.quantity
    out["issued"] = sum(i.serials.quantity for i in state.issuances.values() if i.asset == asset)
    return out


def check_invariants(state: LedgerState) -> list[str]:
    errors: list[str] = state.index_problems()
    held_by_hold: dict[str, int] = defaultdict(int)
    for code, asset_class in state.assets.items():
        if asset_class.kind is AssetKind.SERIALIZED:
            _check_serials(state, code, errors, held_by_hold)
    held_funds = _check_holds(state, held_by_hold, errors)
    _check_balances(state, held_funds, errors)
    return errors


def _check_serials(state: LedgerState, code: str, errors: list[str],
                   held_by_hold: dict[str, int]) -> None:
    """Law 1 for one asset class: issuances then blocks tile the serials; issued = live +
    retired + cancelled. Counts each held block towards its hold in ``held_by_hold``."""
    issuances = sorted((i for i in state.issuances.values() if i.asset == code),
                       key=lambda i: i.serials.start)
    expected_next = 1
    for i in issuances:
        if i.serials.start != expected_next:
            errors.append(f"{code}: issuance {i.id} starts at {i.serials.start}, "
                          f"expected {expected_next}")
        expected_next = i.serials.end + 1
    if state.next_serial.get(code) != expected_next:
        errors.append(f"{code}: next serial {state.next_serial.get(code)} != {expected_next}")
    pos = 1
    by_state = {s: 0 for s in BlockState}
    for b in state.blocks_of(code):
        if b.start != pos:
            kind = "overlap" if b.start < pos else "gap"
            errors.append(f"{code}: {kind} at serial {min(pos, b.start)} (block {b.id})")
        pos = b.end + 1
        iss = state.issuances.get(b.issuance)
        if iss is None or not (iss.serials.start <= b.start and b.end <= iss.serials.end):
            errors.append(f"{code}: block {b.id} lies outside its issuance {b.issuance}")
        if b.account not in state.accounts:
            errors.append(f"{code}: block {b.id} is in unknown account {b.account}")
        by_state[b.state] += b.quantity
        _check_block_hold(state, code, b, errors, held_by_hold)
    if pos != expected_next:
        errors.append(f"{code}: blocks end at {pos - 1}, issued up to {expected_next - 1}")
    issued = expected_next - 1
    live = by_state[BlockState.ACTIVE] + by_state[BlockState.HELD]
    retired, cancelled = by_state[BlockState.RETIRED], by_state[BlockState.CANCELLED]
    if issued != live + retired + cancelled:
        errors.append(f"{code}: issued {issued} != live {live} + retired {retired} "
                      f"+ cancelled {cancelled}")


def _check_block_hold(state: LedgerState, code: str, b: UnitBlock, errors: list[str],
                      held_by_hold: dict[str, int]) -> None:
    """Law 2 for one block: a held block lies in an active hold on its own account."""
    if b.state is BlockState.HELD:
        hold = state.holds.get(b.hold or "")
        if hold is None or hold.status is not HoldStatus.ACTIVE:
            errors.append(f"{code}: block {b.id} is held by inactive hold {b.hold}")
        elif hold.account != b.account or hold.asset != code:
            errors.append(f"{code}: block {b.id} held outside its hold's account")
        else:
            held_by_hold[hold.id] += b.quantity
    elif b.hold is not None:
        errors.append(f"{code}: {b.state.value} block {b.id} still names hold {b.hold}")


def _check_holds(state: LedgerState, held_by_hold: dict[str, int],
                 errors: list[str]) -> dict[tuple[str, str], int]:
    """Law 2 for holds: an active serialized hold holds exactly its quantity. Returns the
    fungible funds the active holds hold, per (account, asset)."""
    held_funds: dict[tuple[str, str], int] = defaultdict(int)
    for hold in state.holds.values():
        if hold.status is not HoldStatus.ACTIVE:
            continue
        if state.assets[hold.asset].kind is AssetKind.SERIALIZED:
            if held_by_hold.get(hold.id, 0) != hold.quantity:
                errors.append(f"hold {hold.id} holds {held_by_hold.get(hold.id, 0)} units, "
                              f"not {hold.quantity}")
        else:
            held_funds[(hold.account, hold.asset)] += hold.quantity
    return held_funds


def _check_balances(state: LedgerState, held_funds: dict[tuple[str, str], int],
                    errors: list[str]) -> None:
    """Law 4: double entry, no account but a treasury below zero or holding more than it
    has, and the book's held funds equal to what the active holds hold."""
    totals: dict[str, int] = defaultdict(int)
    for (aid, code), bal in state.balances.items():
        totals[code] += bal
        treasury = state.accounts[aid].type is AccountType.TREASURY
        held = state.held_funds.get((aid, code), 0)
        if not treasury and bal < 0:
            errors.append(f"{aid}: negative {code} balance {bal}")
        if not treasury and held > bal:
            errors.append(f"{aid}: holds {held} {code} but has {bal}")
    for key, held in state.held_funds.items():
        if held != held_funds.get(key, 0):
            errors.append(f"{key[0]}: held {key[1]} {held} != active holds "
                          f"{held_funds.get(key, 0)}")
    for key, held in held_funds.items():
        if state.held_funds.get(key, 0) != held:
            errors.append(f"{key[0]}: active holds of {key[1]} not counted as held")
    for code, total in totals.items():
        if total != 0:
            errors.append(f"{code}: balances sum to {total}, not zero (double entry)")
