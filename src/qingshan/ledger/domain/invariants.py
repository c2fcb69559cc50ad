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

from qingshan.ledger.domain.model import AccountType, AssetKind, BlockState, HoldStatus
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
        if asset_class.kind is not AssetKind.SERIALIZED:
            continue
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
        live = retired = cancelled = 0
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
            if b.state in (BlockState.ACTIVE, BlockState.HELD):
                live += b.quantity
            elif b.state is BlockState.RETIRED:
                retired += b.quantity
            else:
                cancelled += b.quantity
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
        if pos != expected_next:
            errors.append(f"{code}: blocks end at {pos - 1}, issued up to {expected_next - 1}")
        issued = expected_next - 1
        if issued != live + retired + cancelled:
            errors.append(f"{code}: issued {issued} != live {live} + retired {retired} "
                          f"+ cancelled {cancelled}")
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
    return errors
