"""Forestry carbon-sink expected-income pledge loans (林业碳汇预期收益权质押贷款): a bank's
credit lines to districts, appraisals of a forestry project's future credits, loans against
them pledged on the registry (existing units and every later issuance), repayments, release
on payoff and enforcement on default (docs/lending.md)."""
