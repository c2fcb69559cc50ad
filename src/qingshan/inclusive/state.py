"""Carbon-inclusive state and the checks its concerns share: the ledger accounts of points,
partners, settled days, rewards and spends; who may act for a person. Every change goes
through the methods here, so it is in the undo log and marked for writing."""

from __future__ import annotations

from qingshan.errors import Forbidden, InvalidInput
from qingshan.inclusive.directory import NoProjects, Projects
from qingshan.inclusive.errors import UnknownPartner, UnknownReward
from qingshan.inclusive.model import (
    Consent,
    Partner,
    Pool,
    Reward,
    SettledDay,
    Spend,
    SpendKind,
)
from qingshan.inclusive.subledger import NoSubLedger, StoredSubLedger, SubLedger
from qingshan.ledger.books import ContextBook, FetchAll
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.policy import ADMIN_ROLES

TABLES = ("settings", "partners", "days", "rewards", "spends", "pools", "consents")
SETTINGS = ("treasury", "people", "pool")


def person_party(person: int) -> str:
    """The party id a person's principal carries: CI and 12 digits."""
    return f"CI{person:012d}"


class InclusiveState(ContextBook):
    def __init__(self, subledger: SubLedger | None = None,
                 projects: Projects | None = None) -> None:
        super().__init__(TABLES)
        self.projects: Projects = projects if projects is not None else NoProjects()
        self.pools: dict[str, Pool] = {}
        self.consents: dict[tuple[int, str], Consent] = {}  # (person, partner) -> latest
        self.fixed_subledger = subledger is not None
        self.subledger: SubLedger = subledger if subledger is not None else NoSubLedger()
        self.settings: dict[str, str] = {}
        self.partners: dict[str, Partner] = {}
        self.days: dict[int, SettledDay] = {}
        self.rewards: dict[str, Reward] = {}
        self.spends: dict[str, Spend] = {}
        self.spent: dict[int, int] = {}  # person -> grams spent (derived from spends)
        self.counters = {"reward": 0, "spend": 0, "pool": 0}

    def configure(self, fetchall: FetchAll) -> None:
        if not self.fixed_subledger:
            self.subledger = StoredSubLedger(fetchall)

    # ------------------------------------------------------------------ changes
    def add_spend(self, spend: Spend) -> None:
        self.put("spends", spend.id, spend)
        self._set(self.spent, spend.person, self.spent.get(spend.person, 0) + spend.grams)

    # ------------------------------------------------------------------ look-ups and checks
    def account(self, name: str) -> str:
        aid = self.settings.get(name)
        if aid is None:
            raise InvalidInput("the operator has not set the accounts of inclusive points",
                               field=name)
        return aid

    def partner(self, pid: str) -> Partner:
        p = self.partners.get(pid)
        if p is None:
            raise UnknownPartner("no such carbon-inclusive partner", partner=pid)
        return p

    def reward(self, rid: str) -> Reward:
        r = self.rewards.get(rid)
        if r is None:
            raise UnknownReward("no such reward", reward=rid)
        return r

    def last_settled(self) -> int | None:
        return max(self.days) if self.days else None

    def balance(self, person: int) -> int:
        """Points a person may spend: posted on settled days, less what they spent."""
        last = self.last_settled()
        earned = 0 if last is None else self.subledger.earned(person, min(self.days), last)
        return earned - self.spent.get(person, 0)

    @staticmethod
    def check_person(actor: Principal, person: int) -> None:
        """A person acts for themself (role person, their own account), or the operator."""
        if actor.role in ADMIN_ROLES:
            return
        if actor.role is Role.PERSON and actor.party_id == person_party(person):
            return
        raise Forbidden("only the person themself acts on their points", person=person,
                        role=actor.role.value)

    def totals(self) -> dict[str, int]:
        settled = sum(d.close.grams for d in self.days.values())
        by_kind = {k: 0 for k in SpendKind}
        for s in self.spends.values():
            by_kind[s.kind] += s.grams
        return {"settled": settled, "redeemed": by_kind[SpendKind.REDEEM],
                "donated": by_kind[SpendKind.DONATE]}
