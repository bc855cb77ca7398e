"""Workload definitions, part 7: compile time against program size (first calls of `jit` on
long chains of elementwise operations on a small array). Same conventions as `workloads.py`.

`compile_chain_10000` is the first call of a freshly jitted 10,000-operation chain, nablax and
JAX. The `compile_per_op_{fwd,grad}` rows show the per-operation curve: each call compiles
20,000 operations in all, as 200 fresh programs of 100 operations (the nablax column), 20 of
1,000, 2 of 10,000 and 1 of 20,000 (the notes), so compile time per operation is flat exactly
when the notes' ratios are near 1×. The grad rows compile `grad` of the chain (its Jaxpr
holds about three equations per operation).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload, f32, jit_first_call

TOTAL_OPS = 20_000
CURVE = (100, 1_000, 10_000, 20_000)


@lru_cache(maxsize=None)
def _chain_data() -> tuple[np.ndarray, np.ndarray]:
    rs = np.random.RandomState(15)
    return rs.randn(8).astype(f32), rs.randn(8).astype(f32)


def _chain(fw: Framework, n_ops: int) -> Callable[[Any, Any], Any]:
    """sum of a chain of `n_ops` elementwise operations cycling through sin, *1.0001, +y,
    tanh, -0.5, maximum(., 0)."""
    jnp = fw.jnp
    steps = (jnp.sin, lambda x, y: x * 1.0001, lambda x, y: x + y, jnp.tanh, lambda x, y: x - 0.5,
             lambda x, y: jnp.maximum(x, 0.0))
    unary = (True, False, False, True, False, False)

    def f(x: Any, y: Any) -> Any:
        for i in range(n_ops):
            k = i % len(steps)
            x = steps[k](x) if unary[k] else steps[k](x, y)
        return jnp.sum(x)

    return f


def _make(fw: Framework, n_ops: int, grad: bool) -> Callable[[], Callable[..., Any]]:
    """A factory of fresh (never compiled) functions: the chain, or its gradient."""
    def make() -> Callable[..., Any]:
        f = _chain(fw, n_ops)
        return fw.jax.grad(f) if grad else f

    return make


def compile_chain(fw: Framework, quick: bool) -> Bench | None:
    """Steady-state call of the jitted 10,000-op chain, and its first call (the compile row)."""
    if not fw.jaxlike:
        return None
    x, y = (fw.asarray(a) for a in _chain_data())
    make = _make(fw, 10_000, False)
    jf = fw.jax.jit(make())
    return Bench(lambda: jf(x, y).block_until_ready(), jit_first_call(fw, make, x, y))


def _first_calls(fw: Framework, n_ops: int, grad: bool) -> Callable[[], Any]:
    """First calls of TOTAL_OPS // n_ops freshly jitted chains of n_ops operations. Returns how
    many operations it compiled, the one number every point of the curve shares (the chains'
    values differ with their length; `chain_10000` checks them against JAX)."""
    x, y = (fw.asarray(a) for a in _chain_data())
    make, jit, count = _make(fw, n_ops, grad), fw.jax.jit, TOTAL_OPS // n_ops

    def run() -> Any:
        for _ in range(count):
            jit(make())(x, y).block_until_ready()
        return np.float32(count * n_ops)

    return run


def _curve(n_ops: int, grad: bool) -> Callable[[Framework, bool], Bench | None]:
    def build(fw: Framework, quick: bool) -> Bench | None:
        return Bench(_first_calls(fw, n_ops, grad)) if fw.name == "nablax" else None

    return build


def workloads() -> list[Workload]:
    """Part 7 of the table, in order."""
    out = [Workload("chain_10000", compile_chain, compile_name="compile_chain_10000", rtol=1e-3, atol=1e-4,
                    frameworks=("nablax", "jax"))]
    for grad in (False, True):
        mode = "grad" if grad else "fwd"
        extras = tuple((f"ops_{n}", f"{TOTAL_OPS // n} x {n:,} ops", _curve(n, grad)) for n in CURVE[1:])
        out.append(Workload(f"compile_per_op_{mode}", _curve(CURVE[0], grad), frameworks=("nablax",),
                            extras=extras))
    return out
