"""Workload definitions: Taylor mode (issue 17, `jax.experimental.jet`).

`jet_8th_derivative`: the 8th derivative of a 50-operation scalar program (a chain of mixed
elementwise operations), by one `jet` call with the series (1, 0, ..., 0). nablax and JAX run
`jet`; the reference column is nablax's 8 nested `jvp` calls, the way to get the same number
without Taylor mode (its cost grows exponentially in the order). Same conventions as
`workloads.py`; the input is float32 (JAX's default).
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

import numpy as np

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload

ORDER = 8
X0 = 0.3


def chain(jnp: Any) -> Callable[[Any], Any]:
    """A scalar program of 50 elementwise operations: 5 rounds of 10 (sin, mul, mul, exp, mul,
    mul, log1p, add, tanh, add), which keep the values in a moderate range."""

    def f(x):
        for k in range(5):
            y = jnp.sin(x) * 0.9
            y = y * jnp.exp(-0.3 * x)
            y = jnp.log1p(y * y) + y
            x = jnp.tanh(y) + 0.1 * (k + 1)
        return x

    return f


def _jet(fw: Framework) -> Callable[..., Any]:
    return importlib.import_module(fw.name + ".experimental.jet").jet


def jet_8th(fw: Framework, quick: bool) -> Bench | None:
    """d^8/dx^8 of the chain at x = 0.3, by jet (one call, 8 coefficients)."""
    if not fw.jaxlike:
        return None
    jet, f, x = _jet(fw), chain(fw.jnp), fw.jnp.asarray(np.float32(X0))
    series = ((fw.jnp.asarray(np.float32(1.0)),) + (fw.jnp.asarray(np.float32(0.0)),) * (ORDER - 1),)
    return Bench(lambda: jet(f, (x,), series)[1][ORDER - 1].block_until_ready())


def nested_jvp_8th(fw: Framework, quick: bool) -> Bench | None:
    """Reference: the same derivative by 8 nested jvp calls (nablax)."""
    jax, f, x = fw.jax, chain(fw.jnp), fw.jnp.asarray(np.float32(X0))
    d = f
    for _ in range(ORDER):
        d = (lambda g: lambda t: jax.jvp(g, (t,), (np.float32(1.0),))[1])(d)
    return Bench(lambda: d(x).block_until_ready())


def workloads() -> list[Workload]:
    return [Workload("jet_8th_derivative", jet_8th, ref=nested_jvp_8th, ref_fw="nablax", ref_label="8 nested jvp",
                     rtol=1e-3, atol=1e-3, frameworks=("nablax", "jax"))]


__all__ = ["workloads", "chain"]
