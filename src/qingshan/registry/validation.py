"""Validation and re-validation: a verifier's opinion on a project, and (rules 2) the fixed
parameters it records — the methodology's defaults, or the values of the validated project
document. Reports cannot change them; only a re-validation by a verifier does, journaled with
its reason, and only for reports submitted after it."""

from __future__ import annotations

from qingshan.errors import InvalidInput
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.registry.commands import RevalidateProject, ValidateProject
from qingshan.registry.model import Pairs, ProjectStatus, Validation
from qingshan.registry.state import RegistryState


def _record(book: RegistryState, seq: int, pid: str, kind: str, methodology: str,
            fixed: Pairs, verifier: str, reason: str) -> None:
    book.put("validations", (seq, pid),
              Validation(seq, pid, kind, methodology, fixed, verifier, reason[:2000]))


def apply_validate(book: RegistryState, cmd: ValidateProject, actor: Principal,
                   seq: int) -> Effects:
    p = book.project(cmd.project)
    verifier = book.check_verifier(actor, p)
    book.check_state(p, ProjectStatus.SUBMITTED)
    to = ProjectStatus.VALIDATED if cmd.approve else ProjectStatus.DRAFT
    if book.rules(seq) == 1:  # as journaled then: nothing recorded but the opinion
        book.put_project(p, seq, status=to, validator=verifier if cmd.approve else None)
        book.event(seq, p.id, cmd.kind, actor, cmd.opinion)
        return Effects({"project": p.id, "status": to.value, "validator": verifier})
    m = book.methodology(p.methodology)
    if not cmd.approve:
        if cmd.fixed:
            raise InvalidInput("a refusal fixes no parameters", field="fixed")
        book.put_project(p, seq, status=to, validator=None)
        book.event(seq, p.id, cmd.kind, actor, cmd.opinion)
        return Effects({"project": p.id, "status": to.value, "validator": verifier})
    book.check_current(m, seq, "a validation")
    fixed = m.fixed_values(cmd.fixed)
    book.put_project(p, seq, status=to, validator=verifier, fixed=fixed)
    _record(book, seq, p.id, cmd.kind, m.key, fixed, verifier, cmd.opinion)
    book.event(seq, p.id, cmd.kind, actor, cmd.opinion)
    return Effects({"project": p.id, "status": to.value, "validator": verifier,
                    "fixed": dict(fixed)})


def apply_revalidate(book: RegistryState, cmd: RevalidateProject, actor: Principal,
                     seq: int) -> Effects:
    p = book.project(cmd.project)
    verifier = book.check_verifier(actor, p)
    book.check_state(p, ProjectStatus.VALIDATED, ProjectStatus.REGISTERED,
                     ProjectStatus.SUSPENDED)
    current = book.methodology(p.methodology)
    m = book.methodology(cmd.methodology) if cmd.methodology else current
    if m.id != current.id:
        raise InvalidInput("a re-validation keeps the methodology and may change only its "
                           "version", field="methodology", current=current.key)
    book.check_current(m, seq, "a re-validation")
    base = dict(p.fixed) if m.key == current.key else {}
    fixed = m.fixed_values(cmd.fixed, base)
    plant_code = cmd.plant_code or p.plant_code
    if m.green_certificates and not plant_code:
        raise InvalidInput(f"{m.key} credits electricity: give the plant's code in the "
                           "green-certificate lists", field="plant_code")
    book.put_project(p, seq, methodology=m.key, sector=m.sector, fixed=fixed,
                      validator=verifier, plant_code=plant_code)
    _record(book, seq, p.id, cmd.kind, m.key, fixed, verifier, cmd.reason)
    book.event(seq, p.id, cmd.kind, actor, cmd.reason)
    return Effects({"project": p.id, "methodology": m.key, "previous_methodology":
                    current.key, "fixed": dict(fixed), "previous": dict(p.fixed)})
