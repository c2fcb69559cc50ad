"""What every in-memory test platform of a context shares: a router over the test book and the
context's books, one command at a time as one unit of work, and days passing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import SYSTEM, Principal

DAY_MS = 86_400_000


@dataclass
class InMemory:
    router: Router

    def run(self, cmd: Command, actor: Principal = SYSTEM) -> dict[str, Any]:
        """Apply one command as one unit of work: all of it, or (raising) nothing."""
        marks = self.router.mark()
        seq = getattr(self, "seq", 0) + 1  # each command its own journal entry
        try:
            effects = self.router.apply(cmd, actor, seq)
        except Exception:
            self.router.rollback_to(marks)
            raise
        self.router.forget_undo()
        self.seq = seq
        return effects.result

    def next_day(self, days: int = 1) -> None:
        self.router.now_ms += days * DAY_MS
