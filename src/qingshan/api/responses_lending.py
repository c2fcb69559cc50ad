"""Response bodies of pledge loans' routes (OpenAPI), as ``qingshan.lending.queries`` returns
them."""

from __future__ import annotations

from qingshan.api.responses import Out


class DistrictTotals(Out):
    code: str
    name_zh: str
    name_en: str
    loans: int
    principal: int
    lines: int
    line_limit: int


class Summary(Out):
    """Public totals: loans and principal (fen), credit lines and their limits."""

    loans: int
    principal: int
    lines: int
    line_limit: int
    by_district: list[DistrictTotals]


class Loan(Out):
    id: str
    bank: str
    borrower: str
    project: str
    project_name: str
    district: str
    account: str
    asset: str
    line: str | None
    appraisal: str
    latest_appraisal: str
    principal: int
    rate_bps: int
    start: str
    maturity: str
    term_months: int
    repayment: str
    max_ltv_bps: int
    status: str
    repaid: int
    interest: int
    outstanding: int
    pledged: int
    holds: list[str]
    collateral: int
    ltv_bps: int | None
    overdue: int
    closed: str | None


class Instalment(Out):
    due: str
    principal: int
    interest: int
    outstanding_after: int


class RepaymentRow(Out):
    id: str
    day: str
    principal: int
    interest: int
    seq: int


class AlertRow(Out):
    id: str
    kind: str
    day: str
    note: str
    seq: int


class LoanAlert(AlertRow):
    loan: str


class AppraisalRow(Out):
    id: str
    day: str
    reason: str
    collateral: int
    ceiling: int
    note: str


class LoanDetail(Loan):
    schedule: list[Instalment]
    repayments: list[RepaymentRow]
    alerts: list[AlertRow]
    appraisals: list[AppraisalRow]


class Stand(Out):
    group: str
    area_m2: int
    age: int
    site_bps: int
    stocking_bps: int | None = None  # absent: fully stocked (10,000)


class ScenarioValue(Out):
    scenario: str
    basis: str
    value: int


class Appraisal(Out):
    id: str
    project: str
    project_name: str
    district: str
    bank: str
    day: str
    reason: str
    loan: str | None
    parameter_set: str
    collateral: int
    ceiling: int
    seq: int
    stands: list[Stand]
    stands_day: str
    note: str
    baseline_per_year: str
    horizon: int
    draws: int
    seed: int
    buffer_percent: int
    price: int
    price_basis: str
    trend_bps: int
    stress_bps: int
    discount_bps: int
    ltv_bps: int
    scenario: str
    existing_units: int
    p10: list[int]
    p50: list[int]
    p90: list[int]
    values: list[ScenarioValue]


class Exposure(Out):
    code: str
    name_zh: str
    name_en: str
    loans: int
    principal: int
    outstanding: int
    collateral: int
    lines: int
    line_limit: int
    overdue: int


class CreditLine(Out):
    id: str
    bank: str
    code: str
    name_zh: str
    name_en: str
    limit: int
    start: str
    end: str
    outstanding: int
    seq: int
