"""Fixtures of the sync contract suite: one server driver per test, one local clone.

Label Studio runs once for the session (the integration suite's own server fixture,
imported here) and every test gets a fresh project on it; the fakes are started per test,
which costs milliseconds. Tests against Label Studio are also marked ``integration``.
Scenarios that still show an open bug are listed in ``KNOWN_FAILURES`` with the bug and
marked as strict expected failures: the run stays red if one of them starts to pass, so
the entry goes as soon as the fix lands.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.drivers import Driver, make_driver
from tests.contract.harness import Case
from tests.integration.conftest import labelstudio, labelstudio_running

__all__ = ["labelstudio", "labelstudio_running"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract(name): a sync contract scenario")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _mark_known_failures(items)
    here = Path(__file__).parent
    for item in items:
        callspec = getattr(item, "callspec", None)
        if here in item.path.parents and callspec and callspec.params.get("kind") == "labelstudio":
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def driver(kind: str, request: pytest.FixtureRequest) -> Iterator[Driver]:
    server = request.getfixturevalue("labelstudio_running") if kind == "labelstudio" else None
    made = make_driver(kind, f"contract {request.node.name}", server)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def case(driver: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    return Case(driver, tmp_path, monkeypatch)


#: Scenarios that show bugs not fixed yet. Strict: each fails the run as soon as it passes,
#: so the entry must then be removed.
KNOWN_FAILURES: dict[str, str] = {}


def _mark_known_failures(items: list[pytest.Item]) -> None:
    for item in items:
        for suffix, reason in KNOWN_FAILURES.items():
            if item.nodeid.endswith(suffix):
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
