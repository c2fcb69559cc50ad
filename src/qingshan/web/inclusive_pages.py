"""Carbon-inclusive pages (碳普惠): the public totals (``/inclusive``: people, days settled,
CO2e avoided by scenario, month, district on the map and partner); a person's own account,
phone-first (``/inclusive/me``: balance, settled and pending points, a chart of points by
month and scenario, the last 30 days' postings each opening onto its events, the rewards with
a redeem form, a donate form and the download of everything the platform holds of them); a
partner's console (``/inclusive/partner``: its batches, each batch's rejected lines, its
anomaly report). A person sees only their own account and a partner only its own batches (the
operator and auditors see any). Reads go through :mod:`qingshan.inclusive.queries` on the
platform's sub-ledger; forms submit commands to the sequencer like every page's."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import orjson
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from qingshan.errors import Forbidden, InvalidNumber, NotFound
from qingshan.inclusive import queries
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.inclusive.model import BEIJING_MS, MS_PER_DAY
from qingshan.inclusive.state import person_party
from qingshan.ledger.domain.model import Principal, Role
from qingshan.reference.chongqing import DISTRICTS, DISTRICTS_2024
from qingshan.science.inclusive import SCENARIOS
from qingshan.web import charts, geo, sessions
from qingshan.web.forms import notes, signin_redirect, submit
from qingshan.web.render import district_names, lang_of, render
from qingshan.web.strings import TEXT

router = APIRouter(include_in_schema=False)
READERS = frozenset({Role.OPERATOR, Role.SYSTEM, Role.AUDITOR})  # see every account
STATEMENT_DAYS = 30
_PERSON_PARTY = re.compile(r"CI([0-9]{12})")
_DIGITS = re.compile(r"[0-9]{1,13}")


def store_of(request: Request) -> SubLedgerStore:
    store: SubLedgerStore = request.app.state.edge.platform.subledger()
    return store


def person_of(actor: Principal) -> int | None:
    """The account number a person's principal carries (None for every other principal)."""
    if actor.role is not Role.PERSON or actor.party_id is None:
        return None
    m = _PERSON_PARTY.fullmatch(actor.party_id)
    return int(m.group(1)) if m else None


def mass(grams: int, lang: str) -> str:
    """Grams of CO2e in the reader's words: 1.23 t / 4.5 kg / 120 g (吨 / 千克 / 克)."""
    t, kg, g = ("吨", "千克", "克") if lang == "zh" else (" t", " kg", " g")
    if grams >= 1_000_000:
        return f"{grams / 1_000_000:,.2f}{t}"
    if grams >= 1_000:
        return f"{grams / 1_000:,.1f}{kg}"
    return f"{grams:,}{g}"


def scenario_name(code: str, lang: str) -> str:
    s = SCENARIOS.get(code)
    return code if s is None else (s.name_zh if lang == "zh" else s.name_en)


def unit_of(code: str) -> str:
    s = SCENARIOS.get(code)
    return "" if s is None else s.unit.value


def clock(ms: int | None) -> str:
    """Unix ms as Beijing wall time, HH:MM."""
    if ms is None:
        return "—"
    minutes = (int(ms) + BEIJING_MS) % MS_PER_DAY // 60_000
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def beijing_today() -> dt.date:
    ms = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    return dt.date(1970, 1, 1) + dt.timedelta(days=(ms + BEIJING_MS) // MS_PER_DAY)


def partner_names(store: SubLedgerStore) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in store.rows("SELECT id, name FROM inclusive_partners")}


def district_figure(values: dict[str, int], lang: str, title: str) -> Any:
    names = district_names(lang)
    rings = geo.load()
    unit = "克" if lang == "zh" else "g"
    if rings:
        return charts.district_map(rings, values, names, title=title, unit=unit)
    seats = {d.code: (d.lon, d.lat) for d in (*DISTRICTS_2024, *DISTRICTS)}
    return charts.symbol_map([(names.get(c, c), *seats[c], values.get(c, 0))
                              for c in {d.code for d in DISTRICTS} | set(values)
                              if c in seats], title=title, unit=unit)


def month_chart(by_month: dict[str, dict[str, int]], lang: str, title: str) -> Any:
    """Stacked columns: one per month, a segment per scenario."""
    months = sorted(by_month)
    codes = sorted({c for v in by_month.values() for c in v})
    series = [(scenario_name(c, lang), [by_month[m].get(c, 0) for m in months]) for c in codes]
    return charts.stacked_columns(months, series, title=title,
                                  unit="克" if lang == "zh" else "g")


# ---------------------------------------------------------------------- public totals
@router.get("/inclusive", response_class=HTMLResponse)
def public_page(request: Request) -> HTMLResponse:
    lang = lang_of(request)
    text = TEXT[lang]
    store = store_of(request)
    view = queries.summary(store)
    partners = partner_names(store)
    unit = "克" if lang == "zh" else "g"
    figures = {
        "scenarios": charts.bar_chart([(scenario_name(c, lang), g)
                                       for c, g in view["by_scenario"].items()],
                                      title=text["ci_by_scenario"], unit=unit),
        "months": charts.column_chart(list(view["by_month"].items()),
                                      title=text["ci_by_month"], unit=unit),
        "map": district_figure(view["by_district"], lang, text["ci_by_district"]),
    }
    return render(request, "inclusive.html", view=view, figures=figures, partners=partners,
                  names=district_names(lang), mass=mass, scenario_name=scenario_name)


# ---------------------------------------------------------------------- a person's account
def _signed_in(request: Request) -> sessions.Session | None:
    return sessions.current(request)


def _may_read(actor: Principal, person: int) -> None:
    if actor.role in READERS or person_of(actor) == person:
        return
    raise Forbidden("a carbon account is read by its person, the operator and auditors",
                    role=actor.role.value)


def _account_page(request: Request, session: sessions.Session, person: int) -> Response:
    actor = session.principal
    _may_read(actor, person)
    lang = lang_of(request)
    text = TEXT[lang]
    store = store_of(request)
    acct = queries.account(store, person)
    if acct is None:
        raise NotFound("no such carbon account", person=person)
    today = beijing_today()
    lines = queries.statement(store, person, today - dt.timedelta(days=STATEMENT_DAYS), today)
    own = person_of(actor) == person
    return render(request, "inclusive_me.html", a=acct, party=person_party(person),
                  statement=list(reversed(lines)), rewards=queries.rewards(store),
                  chart=month_chart(acct["by_month"], lang, text["ci_chart"]),
                  partners=partner_names(store), own=own, mass=mass,
                  scenario_name=scenario_name, unit_of=unit_of, clock=clock,
                  export=("/inclusive/me/export.json" if own
                          else f"/inclusive/people/{person}/export.json"),
                  csrf=session.csrf, form_key=secrets.token_urlsafe(16),
                  **notes(request, session))


@router.get("/inclusive/me", response_class=HTMLResponse)
def my_account(request: Request) -> Response:
    session = _signed_in(request)
    if session is None:
        return signin_redirect(request)
    person = person_of(session.principal)
    if person is None:
        raise Forbidden("this page is a person's own carbon account: sign in with your "
                        "personal key", role=session.principal.role.value)
    return _account_page(request, session, person)


@router.get("/inclusive/people/{person}", response_class=HTMLResponse)
def account_page(request: Request, person: int) -> Response:
    session = _signed_in(request)
    if session is None:
        return signin_redirect(request)
    return _account_page(request, session, person)


def _export(request: Request, person: int | None) -> Response:
    session = _signed_in(request)
    if session is None:
        return signin_redirect(request)
    if person is None:
        person = person_of(session.principal)
        if person is None:
            raise Forbidden("only a person downloads their own data here",
                            role=session.principal.role.value)
    _may_read(session.principal, person)
    data = queries.export(store_of(request), person)
    if data is None:
        raise NotFound("no such carbon account", person=person)
    name = f"carbon-account-{person_party(person)}.json"
    return Response(orjson.dumps(data, option=orjson.OPT_INDENT_2),
                    media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/inclusive/me/export.json")
def my_export(request: Request) -> Response:
    return _export(request, None)


@router.get("/inclusive/people/{person}/export.json")
def person_export(request: Request, person: int) -> Response:
    return _export(request, person)


def _whole(value: str, field: str) -> int:
    value = value.strip().replace(",", "")
    if not _DIGITS.fullmatch(value):
        raise InvalidNumber(f"{field} is a whole number written with the digits 0-9",
                            field=field, value=value[:64])
    return int(value)


def _own_person(request: Request) -> int:
    session = _signed_in(request)
    person = None if session is None else person_of(session.principal)
    if person is None:
        raise Forbidden("only a person spends their own points")
    return person


@router.post("/inclusive/me/redeem")
async def redeem(request: Request, reward: str = Form(""), quantity: str = Form("1"),
                 key: str = Form(""), csrf: str = Form("")) -> Response:
    """A person redeems points for a reward of the catalogue."""
    return await submit(request, "redeem_inclusive_points", lambda: {
        "person": _own_person(request), "reward": reward.strip(),
        "quantity": _whole(quantity, "quantity")}, key, csrf, form="redeem",
        back="/inclusive/me")


@router.post("/inclusive/me/donate")
async def donate(request: Request, grams: str = Form(""), note: str = Form(""),
                 key: str = Form(""), csrf: str = Form("")) -> Response:
    """A person gives points to the public pool."""
    return await submit(request, "donate_inclusive_points", lambda: {
        "person": _own_person(request), "grams": _whole(grams, "grams"),
        "note": note.strip()}, key, csrf, form="donate", back="/inclusive/me")


@router.post("/inclusive/me/consent")
async def consent(request: Request, partner: str = Form(""), allow: str = Form(""),
                  key: str = Form(""), csrf: str = Form("")) -> Response:
    """A person allows a partner's data to count for them, or withdraws it."""
    return await submit(request, "set_inclusive_consent", lambda: {
        "person": _own_person(request), "partner": partner.strip(),
        "allow": allow.strip() == "1"}, key, csrf, form="consent", back="/inclusive/me")


# ---------------------------------------------------------------------- a partner's console
def _partner_of(request: Request, actor: Principal, asked: str) -> str:
    """The partner whose console this is: the member's own party when it is a registered
    partner; any partner for the operator and auditors (``?partner=``)."""
    store = store_of(request)
    if actor.role in READERS and asked:
        store.partner(asked)  # unknown_partner when it is not one
        return asked
    if actor.role is Role.MEMBER and actor.party_id is not None \
            and actor.party_id in partner_names(store):
        return actor.party_id
    raise Forbidden("the partner console is its partner's (and the operator's and auditors')",
                    role=actor.role.value)


@router.get("/inclusive/partner", response_class=HTMLResponse)
def partner_page(request: Request, partner: str = "") -> Response:
    session = _signed_in(request)
    if session is None:
        return signin_redirect(request)
    pid = _partner_of(request, session.principal, partner.strip())
    store = store_of(request)
    return render(request, "inclusive_partner.html", partner=pid,
                  partner_name=partner_names(store).get(pid, pid),
                  batches=queries.partner_batches(store, pid),
                  odd=queries.partner_anomalies(store, pid), received=received)


def received(ms: int) -> str:
    """A batch's arrival, Beijing time."""
    return dt.datetime.fromtimestamp((ms + BEIJING_MS) / 1000, dt.UTC).strftime(
        "%Y-%m-%d %H:%M")


@router.get("/inclusive/batches/{batch}", response_class=HTMLResponse)
def batch_page(request: Request, batch: str) -> Response:
    session = _signed_in(request)
    if session is None:
        return signin_redirect(request)
    actor = session.principal
    store = store_of(request)
    owner = queries.batch_partner(store, batch)
    if owner is None:
        raise NotFound("no such batch", batch=batch[:64])
    if actor.role not in READERS and not (actor.role is Role.MEMBER
                                          and actor.party_id == owner):
        raise Forbidden("a batch is read by its partner, the operator and auditors",
                        role=actor.role.value)
    found = next((b for b in queries.partner_batches(store, owner, limit=10_000)
                  if b["batch"] == batch), None)
    return render(request, "inclusive_batch.html", b=found, batch=batch, partner=owner,
                  partner_name=partner_names(store).get(owner, owner),
                  rejects=queries.batch_rejects(store, batch), received=received)


# ---------------------------------------------------------------------- the /me part
def context(request: Request, actor: Principal) -> dict[str, Any]:
    """What the signed-in page shows a person (their balance, a link to their account) and
    a partner's member (a link to its console)."""
    person = person_of(actor)
    if person is not None:
        acct = queries.account(store_of(request), person)
        return {"inclusive_person": {"balance": 0 if acct is None else acct["balance"],
                                     "pending": 0 if acct is None else acct["pending"]}}
    if actor.role is Role.MEMBER and actor.party_id is not None \
            and actor.party_id in partner_names(store_of(request)):
        return {"inclusive_partner": actor.party_id}
    return {}
