"""The registry's state machine on the pure books (tests/support/registry_machine.py)."""

from __future__ import annotations

from hypothesis import HealthCheck

from tests.support.registry_machine import RegistryMachine
from tests.support.search import search

RegistryMachine.TestCase.settings = search(1.5, steps=1.2, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.filter_too_much])
test_registry_machine = RegistryMachine.TestCase
