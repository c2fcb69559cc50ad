"""HTTP edge of carbon-inclusive accounts (碳普惠, docs/inclusive.md): the public scenarios,
totals and rewards; partners' files into the people's sub-ledger; a person's own account,
statement, export, redemptions and donations; the operator's days, partners, rewards,
accounts and enrolment.

Two kinds of write. Partners' files, enrolment and a day's close go to the sub-ledger
(``SubLedgerStore``), in a worker thread, never through the sequencer: a file of millions of
events must not hold the writer. Everything the journal records (partners, rewards, the
accounts, settling a day, spends) is a command handed to the sequencer like every other write
route, with its Idempotency-Key. Who may read what is ``qingshan.inclusive.queries``'s."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from qingshan.api import responses as r
from qingshan.api import responses_inclusive as ri
from qingshan.api import schemas as s
from qingshan.api.bodies import DATE_PATTERN
from qingshan.api.deps import Actor, EdgeDep, IdemKey, Json, one, run
from qingshan.api.responses_contexts import many
from qingshan.errors import InvalidInput
from qingshan.inclusive import queries
from qingshan.inclusive.errors import UnknownPerson, UnknownPosting
from qingshan.inclusive.model import EPOCH, MAX_PERSON, day_of_ms
from qingshan.inclusive.model import iso_day as iso
from qingshan.inclusive.people import people_from_records
from qingshan.ledger.domain.policy import check_admin

router = APIRouter(prefix="/api/v1/inclusive", tags=["inclusive"])

BATCHES = "/api/v1/inclusive/batches"  # the one route with a larger body limit
Day = Annotated[str, Path(pattern=DATE_PATTERN, description="a day, YYYY-MM-DD (Beijing)")]
Person = Annotated[int, Path(ge=1, le=MAX_PERSON, description="a personal account number")]
BatchId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file")]
Partner = Annotated[str, Path(pattern=r"^P[0-9]{6,12}$", description="the partner's party")]
StatementDay = Annotated[str | None, Query(pattern=DATE_PATTERN)]
STATEMENT_DAYS = 30
MAX_STATEMENT_DAYS = 366
# documented content types (any is read as the file's bytes: application/x-ndjson too)
FILE_TYPES = {"application/octet-stream": {"type": "string", "format": "binary"},
              "text/csv": {"type": "string"}}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _day(text: str, field: str = "day") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field} must be a day, YYYY-MM-DD", field=field) from None


def _number(day: dt.date) -> int:
    return day.toordinal() - EPOCH


# ------------------------------------------------------------------------------ public
@router.get("/scenarios", **r.ok(many(ri.Scenario)))
def scenarios() -> list[dict[str, Any]]:
    """Public: every scenario with the factor in force today, its caps and source."""
    return queries.scenarios()


@router.get("/summary", **r.ok(ri.Summary))
def summary(edge: EdgeDep) -> dict[str, Any]:
    """Public: people enrolled; grams credited on settled days by scenario, district, partner
    and month; points spent."""
    return queries.summary(edge.subledger)


@router.get("/rewards", **r.ok(many(ri.Reward)))
def rewards(edge: EdgeDep) -> list[dict[str, Any]]:
    """Public: the rewards people may redeem points for, with their price and stock."""
    return queries.rewards(edge.subledger)


# ------------------------------------------------------------------------------ partners
@router.post(
    "/batches", status_code=201, response_model=None,
    responses={201: {"model": ri.BatchResult, "description": "the batch as ingested"},
               200: {"model": ri.BatchResult,
                     "description": "the same bytes again: the first answer, replayed"}},
    openapi_extra={"requestBody": {
        "required": True, "description": "the partner's file as it is (JSON lines, CSV or "
                                         "Parquet, as ``format`` says)",
        "content": {k: {"schema": v} for k, v in FILE_TYPES.items()}}})
async def send_batch(request: Request, edge: EdgeDep, actor: Actor,
                     format: Literal["jsonl", "csv", "parquet"] = "jsonl",
                     name: Annotated[str, Query(max_length=200)] = "") -> Json:
    """A partner (a member's key of a registered partner's party) sends a file of people's
    events; the whole file is checked and kept, each refused line with its code. The same
    bytes again answer the first result (200, ``replayed``). Limit:
    ``QINGSHAN_INCLUSIVE_MAX_BATCH_BYTES`` (256 MiB); bigger files: ``qingshan inclusive
    ingest``."""
    partner = queries.partner_of(actor)
    data = await request.body()
    if not data.strip():
        raise InvalidInput("the file is empty", field="file")
    store = edge.subledger
    result = await run_in_threadpool(store.ingest, partner, data, format, _now_ms(), name)
    return Json(result.to_payload(), status_code=200 if result.replayed else 201)


@router.get("/batches", **r.ok(many(ri.Batch)))
def batches(edge: EdgeDep, actor: Actor,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    """The partner's own batches, newest first."""
    return queries.partner_batches(edge.subledger, queries.partner_of(actor), limit)


@router.get("/batches/{batch}", **r.ok(ri.BatchDetail))
def batch(batch: BatchId, edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    """A batch's counts (its partner, the operator and auditors)."""
    return queries.batch(edge.subledger, batch, actor)


@router.get("/batches/{batch}/rejects", **r.ok(many(ri.Reject)))
def batch_rejects(batch: BatchId, edge: EdgeDep, actor: Actor,
                  limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
                  ) -> list[dict[str, Any]]:
    """A batch's refused lines with their codes and reasons, by line (its partner, the
    operator and auditors)."""
    queries.batch(edge.subledger, batch, actor)
    return queries.batch_rejects(edge.subledger, batch, limit)


@router.get("/partners/{party}/anomalies", **r.ok(ri.Anomalies))
def anomalies(party: Partner, edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    """What looks wrong in a partner's data: refusals by code, duplicates, events cut by caps
    (the partner, the operator and auditors)."""
    queries.check_may_read_partner(actor, party)
    edge.subledger.partner(party)
    return queries.partner_anomalies(edge.subledger, party)


# ------------------------------------------------------------------------------ people
def _account(edge: EdgeDep, person: int) -> dict[str, Any]:
    found = queries.account(edge.subledger, person)
    if found is None:
        raise UnknownPerson("no such personal account", person=person)
    return found


def _statement(edge: EdgeDep, person: int, first: str | None,
               last: str | None) -> list[dict[str, Any]]:
    _account(edge, person)
    to = _day(last, "to") if last else dt.date.fromordinal(EPOCH + day_of_ms(_now_ms()))
    since = _day(first, "from") if first else to - dt.timedelta(days=STATEMENT_DAYS - 1)
    if not 0 <= (to - since).days < MAX_STATEMENT_DAYS:
        raise InvalidInput(f"from must be on or before to, at most {MAX_STATEMENT_DAYS} days "
                           "earlier", field="from")
    return queries.statement(edge.subledger, person, since, to)


@router.get("/me/account", **r.ok(ri.Account))
def my_account(edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    """A person's own account: balance, pending points, credits by month, spends."""
    return _account(edge, queries.person_of(actor))


@router.get("/me/statement", **r.ok(many(ri.Posting)))
def my_statement(edge: EdgeDep, actor: Actor,
                 from_: Annotated[StatementDay, Query(alias="from")] = None,
                 to: StatementDay = None) -> list[dict[str, Any]]:
    """A person's postings between two days (default the last 30), each with every event
    behind it: grams avoided, grams credited and why not more."""
    return _statement(edge, queries.person_of(actor), from_, to)


@router.get("/me/export", **r.ok(ri.Export))
def my_export(edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    """Everything the platform holds of the person, as JSON."""
    person = queries.person_of(actor)
    found = queries.export(edge.subledger, person)
    if found is None:
        raise UnknownPerson("no such personal account", person=person)
    return found


@router.get("/me/postings/{day}/proof", **r.ok(ri.PostingProof))
def my_posting_proof(day: Day, edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    """The person's posting of a settled day with its RFC 6962 inclusion proof in the day's
    Merkle tree, whose root the journal holds (check it with ``qingshan log check``'s
    ``verify_inclusion``; the leaf is SHA-256(0x00 ‖ ``leaf``))."""
    person = queries.person_of(actor)
    found = queries.posting_proof(edge.subledger, person, _day(day))
    if found is None:
        raise UnknownPosting("no posting of yours on a settled day of that date", day=day)
    return found


@router.post("/me/redeem", **r.write())
async def redeem(body: s.RedeemIn, edge: EdgeDep, actor: Actor,
                 key: IdemKey = None) -> Response:
    """The person spends points on a reward."""
    person = queries.person_of(actor)
    return await run(edge, one("redeem_inclusive_points", s.payload(body, person=person),
                               edge), actor, key)


@router.post("/me/donate", **r.write())
async def donate(body: s.DonateIn, edge: EdgeDep, actor: Actor,
                 key: IdemKey = None) -> Response:
    """The person gives points to the public pool."""
    person = queries.person_of(actor)
    return await run(edge, one("donate_inclusive_points", s.payload(body, person=person),
                               edge), actor, key)


@router.post("/me/consents", **r.write())
async def consent(body: s.ConsentIn, edge: EdgeDep, actor: Actor,
                  key: IdemKey = None) -> Response:
    """The person authorises a partner's data to count for them, or withdraws it (batches
    ingested afterwards are checked against it)."""
    person = queries.person_of(actor)
    return await run(edge, one("set_inclusive_consent", s.payload(body, person=person),
                               edge), actor, key)


@router.get("/people/{person}/account", **r.ok(ri.Account))
def person_account(person: Person, edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    """A person's account (the person, the operator and auditors)."""
    queries.check_may_read_person(actor, person)
    return _account(edge, person)


@router.get("/people/{person}/statement", **r.ok(many(ri.Posting)))
def person_statement(person: Person, edge: EdgeDep, actor: Actor,
                     from_: Annotated[StatementDay, Query(alias="from")] = None,
                     to: StatementDay = None) -> list[dict[str, Any]]:
    """A person's statement (the person, the operator and auditors)."""
    queries.check_may_read_person(actor, person)
    return _statement(edge, person, from_, to)


# ------------------------------------------------------------------------------ operator
@router.post("/people", status_code=201, response_model=None,
             responses={201: {"model": ri.Enrolled, "description": "how many were new"}})
async def enrol(body: s.PeopleIn, edge: EdgeDep, actor: Actor) -> Json:
    """Operator: enrol people (at most 10,000 a request; more: ``qingshan inclusive enrol``);
    someone already enrolled keeps their row."""
    check_admin(actor, "only the operator enrols people")
    frame = people_from_records([p.model_dump() for p in body.people])
    added = await run_in_threadpool(edge.subledger.enrol, frame)
    return Json({"sent": frame.height, "enrolled": added}, status_code=201)


@router.post("/days/{day}/close", status_code=201, response_model=None,
             responses={201: {"model": ri.DayClosed, "description": "the day's close"}})
async def close_day(day: Day, edge: EdgeDep, actor: Actor) -> Json:
    """Operator: credit a day's events under the caps and post one line per person (the
    sub-ledger, outside the sequencer); closing it again before it is settled replaces it."""
    check_admin(actor, "only the operator closes a day")
    n = _number(_day(day))
    close = await run_in_threadpool(edge.subledger.close_day, n, _now_ms())
    return Json({"day": iso(close.day), "root": close.root, "people": close.people,
                 "events": close.events, "grams": close.grams,
                 "by_scenario": dict(close.by_scenario),
                 "parameter_set": close.parameter_set}, status_code=201)


@router.post("/days/{day}/settle", **r.write())
async def settle_day(day: Day, edge: EdgeDep, actor: Actor, key: IdemKey = None) -> Response:
    """Operator: settle a closed day: its root and totals on the journal, its points from the
    treasury to the people's account."""
    return await run(edge, one("settle_inclusive_day", {"day": day}, edge), actor, key)


@router.post("/partners", **r.write())
async def register_partner(body: s.PartnerIn, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    """Operator: admit a partner system (a party) and the scenarios it may report."""
    return await run(edge, one("register_inclusive_partner", s.payload(body), edge), actor,
                     key)


@router.post("/rewards", **r.write())
async def add_reward(body: s.RewardIn, edge: EdgeDep, actor: Actor,
                     key: IdemKey = None) -> Response:
    """Operator: list a reward people may redeem points for."""
    return await run(edge, one("add_inclusive_reward", s.payload(body), edge), actor, key)


@router.post("/accounts", **r.write())
async def set_accounts(body: s.InclusiveAccountsIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    """Operator: name the ledger accounts of points (treasury, people's account, pool)."""
    return await run(edge, one("set_inclusive_accounts", s.payload(body), edge), actor, key)
