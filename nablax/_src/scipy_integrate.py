"""nablax.scipy.integrate: trapezoid, as jax.scipy.integrate.

The composite trapezoidal rule is jnp.trapezoid's (differences of `x`, or the spacing
`dx`, times the means of neighbouring samples), so it differentiates in `y`, `x` and `dx`
and runs under jit and vmap.
"""
from __future__ import annotations

from typing import Any

from .numpy.statistics import trapezoid as _jnp_trapezoid

__all__ = ["trapezoid"]


def trapezoid(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1):
    """The integral of `y` along `axis` by the trapezoidal rule, at sample points `x`
    (or evenly spaced `dx` apart when `x` is None)."""
    return _jnp_trapezoid(y, x, dx, axis)
