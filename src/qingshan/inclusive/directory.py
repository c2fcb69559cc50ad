"""What carbon-inclusive pooling asks of the registry: the terms of the pooled project the
credits are issued under. A typed interface bound by the composition root
(``qingshan.contexts``), so this context imports no other; it only reads, inside the pooling
command's own entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PooledProject:
    id: str
    account: str  # where its issuances go
    asset: str
    sector: str  # the methodology's sector: "inclusive" for a pooled project
    status: str  # the registry's project status (registered, …)
    buffer_percent: int


class Projects(Protocol):
    def pooled_project(self, project: str) -> PooledProject | None:
        """The registry's project ``project``; None if there is none."""
        ...

    def reported_periods(self, project: str) -> list[tuple[str, str]]:
        """The monitoring periods (first and last day, ISO) of the project's reports that
        are not rejected: days the registry may credit from a report, never from a pool."""
        ...


class NoProjects:
    def pooled_project(self, project: str) -> PooledProject | None:
        return None

    def reported_periods(self, project: str) -> list[tuple[str, str]]:
        return []
