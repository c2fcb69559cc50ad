"""Reference data and the parties' side of the book: asset classes, parties, accounts and their
status (a freeze is heard by the context books' status watchers in the same entry).

Each handler checks everything first and then changes the book. Pure: no database, no I/O.
"""

from __future__ import annotations

from qingshan.errors import (
    AccountNotEmpty,
    AccountNotOpen,
    AlreadyExists,
)
from qingshan.ledger.domain.book import BookState
from qingshan.ledger.domain.commands import (
    CreateAssetClass,
    OpenAccount,
    RegisterParty,
    SetAccountStatus,
)
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import (
    Account,
    AccountStatus,
    AssetClass,
    AssetKind,
    HoldStatus,
    Party,
    Principal,
    account_id,
    party_id,
)


class Accounts(BookState):
    """The use-cases of reference data, parties and accounts."""

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
