"""Test-session setup: the RuntimeWarning filter as a pytest setting, and the hypothesis
profiles for the randomised suites (tests/randomized, tests/compat/test_randomized_vs_jax.py).

`ci` (the default) keeps the randomised suite well under a minute and is derandomised, so
a CI failure reproduces exactly; `long` (`pytest --hypothesis-profile=long`) is the
nightly-style run with many more, freshly random, examples. The number of random
programs each randomised test ran is printed at the end of the session.

The Jaxpr checker runs after every jit pass throughout the suite (NABLAX_CHECK_JAXPRS,
set here before nablax is imported; `NABLAX_CHECK_JAXPRS=0 pytest` turns it off).
"""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=25, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=2500, **_COMMON)
settings.load_profile("ci")

os.environ.setdefault("NABLAX_CHECK_JAXPRS", "1")  # read once, when nablax's config is imported


def pytest_configure(config) -> None:
    # Importing nablax installs a filter for NumPy's floating-point RuntimeWarnings raised
    # inside nablax ("divide by zero encountered in log"; JAX never prints them), but pytest
    # collects and runs tests inside `warnings.catch_warnings()`, which discards filters
    # added there. The same filter as a pytest setting survives.
    config.addinivalue_line("filterwarnings", r"ignore::RuntimeWarning:nablax(\.|$)")


def pytest_terminal_summary(terminalreporter):
    cases = sys.modules.get("tests.randomized.cases")
    if cases is not None and cases.PROGRAMS_RUN:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(cases.PROGRAMS_RUN.items()))
        terminalreporter.write_line(f"randomized programs run: {sum(cases.PROGRAMS_RUN.values())} ({counts})")


@pytest.fixture
def x64():
    """x64 on for one test (nablax imported here, after NABLAX_CHECK_JAXPRS is set above)."""
    import nablax
    nablax.config.update("jax_enable_x64", True)
    yield
    nablax.config.update("jax_enable_x64", False)
