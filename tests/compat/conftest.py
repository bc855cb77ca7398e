"""Fixtures shared by the differential tests against JAX."""
from __future__ import annotations

import pytest

import nablax


@pytest.fixture
def x64():
    """64-bit mode in both libraries for one test (JAX's flag is global: restored after)."""
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    nablax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", False)
    nablax.config.update("jax_enable_x64", False)
