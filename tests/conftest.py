"""Test-session setup."""


def pytest_configure(config) -> None:
    # Importing nablax installs a filter for NumPy's floating-point RuntimeWarnings raised
    # inside nablax ("divide by zero encountered in log"; JAX never prints them), but pytest
    # collects and runs tests inside `warnings.catch_warnings()`, which discards filters
    # added there. The same filter as a pytest setting survives.
    config.addinivalue_line("filterwarnings", r"ignore::RuntimeWarning:nablax(\.|$)")
