"""The registry's state machine on the pure books (tests/support/registry_machine.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.support.registry_machine import RegistryMachine

RegistryMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_registry_machine = RegistryMachine.TestCase
