"""The bounded contexts whose books the sequencer hosts beside the ledger's, and the
adapters through which one context reads another (each context imports no other)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qingshan.access.book import AccessBook
from qingshan.inclusive.book import InclusiveBook
from qingshan.inclusive.directory import PooledProject
from qingshan.judicial.book import JudicialBook
from qingshan.ledger.books import Book
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import SYSTEM
from qingshan.lending.book import LendingBook
from qingshan.lending.directory import MonitoredVolumes, ProjectTerms
from qingshan.lending.errors import WrongInstrument
from qingshan.market import auction
from qingshan.market.book import MarketBook
from qingshan.market.commands import StartAuction
from qingshan.registry.book import RegistryBook
from qingshan.registry.methodologies import ALL
from qingshan.registry.model import ReportStatus
from qingshan.rights.book import RightsBook
from qingshan.science.forest import SpeciesGroup

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
VOLUME = "volume_"  # a stock methodology's monitored stem volume of a species group
GROUPS = frozenset(g.value for g in SpeciesGroup)


class RegistryProjects:
    """The registry's projects as pledge loans see them."""

    def __init__(self, registry: RegistryBook) -> None:
        self.registry = registry

    def project_terms(self, project: str) -> ProjectTerms | None:
        p = self.registry.projects.get(project)
        if p is None:
            return None
        m = self.registry.methodologies.get(p.methodology)
        return ProjectTerms(id=p.id, proponent=p.proponent, account=p.account, asset=p.asset,
                            sector=p.sector, district=p.district, status=p.status.value,
                            crediting_end=p.crediting_end,
                            buffer_percent=0 if m is None else m.buffer_percent,
                            baseline_per_year=dict(p.fixed).get("baseline_per_year", "0"))

    def monitored_volumes(self, project: str, reference: str) -> MonitoredVolumes | None:
        report = self.registry.reports.get(reference.split("/")[0])
        if report is None or report.project != project:
            return None
        volumes = tuple((name.removeprefix(VOLUME), float(value))
                        for name, value in report.values
                        if name.startswith(VOLUME) and name.removeprefix(VOLUME) in GROUPS)
        return MonitoredVolumes(report.period_end, volumes) if volumes else None


class RegistryPooledProjects:
    """The registry's projects as carbon-inclusive pooling sees them."""

    def __init__(self, registry: RegistryBook) -> None:
        self.registry = registry

    def pooled_project(self, project: str) -> PooledProject | None:
        p = self.registry.projects.get(project)
        if p is None:
            return None
        m = self.registry.methodologies.get(p.methodology)
        return PooledProject(id=p.id, account=p.account, asset=p.asset, sector=p.sector,
                             status=p.status.value,
                             buffer_percent=0 if m is None else m.buffer_percent)

    def reported_periods(self, project: str) -> list[tuple[str, str]]:
        return sorted((r.period_start, r.period_end) for r in self.registry.reports.values()
                      if r.project == project and r.status is not ReportStatus.REJECTED)


class MarketPrices:
    """The market's trades as prices for pledge loans' valuations.

    Read at every market close (the lending book's price watcher), so the trades are summed
    by asset and day once, as they come: an index that is a function of the market's trades
    alone, caught up from the last trade it has seen and rebuilt whenever that trade is no
    longer the market's (a rolled-back entry, a reload), so it never answers for a trade that
    is not there."""

    def __init__(self, market: MarketBook) -> None:
        self.market = market
        self._daily: dict[str, dict[int, list[int]]] = {}  # asset -> day -> [value, quantity]
        self._last = 0  # the last trade id summed
        self._seen: object = None  # that trade, as the market held it

    def _days(self, asset: str) -> dict[int, list[int]]:
        trades = self.market.trades
        if self._last and trades.get(self._last) is not self._seen:
            self._daily, self._last, self._seen = {}, 0, None
        top = self.market.counters["trade"]
        for tid in range(self._last + 1, top + 1):
            t = trades.get(tid)
            if t is None:
                continue
            inst = self.market.instruments.get(t.instrument)
            if inst is not None:
                day = self._daily.setdefault(inst.asset, {}).setdefault(t.day, [0, 0])
                day[0] += t.price * t.quantity
                day[1] += t.quantity
            self._last, self._seen = tid, t
        return self._daily.get(asset, {})

    def average_price(self, asset: str, first_day: int, last_day: int) -> int | None:
        days = self._days(asset)
        value = quantity = 0
        for d in range(first_day, last_day + 1):
            got = days.get(d)
            if got is not None:
                value, quantity = value + got[0], quantity + got[1]
        return value // quantity if quantity else None

    def yearly_prices(self, asset: str, last_day: int) -> list[tuple[int, int]]:
        by_year: dict[int, list[int]] = {}
        for day, (value, quantity) in self._days(asset).items():
            if day <= last_day:
                year = date.fromordinal(EPOCH_ORDINAL + day).year
                v, q = by_year.setdefault(year, [0, 0])
                by_year[year] = [v + value, q + quantity]
        return [(y, v // q) for y, (v, q) in sorted(by_year.items()) if q]


class MarketSales:
    """The market's one-way auction, where a bank's enforced units are sold."""

    def __init__(self, market: MarketBook) -> None:
        self.market = market

    def auction_lot(self, instrument: str, asset: str) -> int:
        inst = self.market.instrument(instrument)
        if inst.asset != asset:
            raise WrongInstrument("the instrument trades another asset", field="auction",
                                  instrument=instrument, asset=asset)
        return inst.lot

    def sell_by_auction(self, instrument: str, account: str, quantity: int,
                        reserve_price: int, ends_at: int, seq: int) -> Effects:
        return auction.start_auction(self.market, StartAuction(
            instrument=instrument, account=account, quantity=quantity,
            reserve_price=reserve_price, ends_at=ends_at), SYSTEM, seq)


def make_books() -> list[Book]:
    """Fresh, empty books of every context, in a fixed order (the journal replays into them)."""
    registry = RegistryBook({m.key: m for m in ALL})
    market = MarketBook()
    # judicial offsetting buys on the market through its Exchange interface, bound here;
    # pledge loans read the registry's projects and the market's prices, and auction enforced
    # units on the market, bound here
    lending = LendingBook(RegistryProjects(registry), MarketPrices(market), MarketSales(market))
    # pledge loans revalue on the registry's losses and the market's closes
    registry.watch_loss(lending.name, lending.loss_reported)
    market.watch_close(lending.name, lending.price_closed)
    return with_access([registry, market, JudicialBook(market), RightsBook(), lending,
                        InclusiveBook(projects=RegistryPooledProjects(registry))])


def with_access(books: Sequence[Book]) -> list[Book]:
    """The books given, plus the access book (API keys) unless one is there: every platform
    journals its keys, whatever contexts it hosts."""
    out = list(books)
    if not any(b.name == AccessBook.name for b in out):
        out.append(AccessBook())
    return out
