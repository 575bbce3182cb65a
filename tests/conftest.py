"""Shared test set-up: Qt runs offscreen, hypothesis is deterministic and patient (the machines
are shared and slow; speed is measured by `graphapp bench`, never here).

``GRAPHAPP_REQUIRE_ALL=1`` (set by ``make test``, which installs Graphviz and micrograd) turns
every skip into a failure: a test that needs ``dot`` or micrograd must run there. Elsewhere the
suite still runs and says what it skipped. Under mutation testing (mutmut sets
``MUTANT_UNDER_TEST``) hypothesis draws fewer examples and tests marked ``slow`` are left out,
so that each of the thousands of mutants is judged in seconds.
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile(
    "graphapp", deadline=None, derandomize=True, max_examples=60, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("mutation", parent=settings.get_profile("graphapp"), max_examples=10)
settings.load_profile("mutation" if os.environ.get("MUTANT_UNDER_TEST") else "graphapp")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
REQUIRE_ALL = os.environ.get("GRAPHAPP_REQUIRE_ALL") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds; left out of mutation runs")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """With GRAPHAPP_REQUIRE_ALL=1 a skipped test is reported as failed, with the reason."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (f"skipped, but GRAPHAPP_REQUIRE_ALL=1 (make test) needs every test "
                           f"to run: {reason}")


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
