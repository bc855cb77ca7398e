"""Workload definitions, part 6: large elementwise chains and reductions (jit's fusion).

`w6_*` is `sum(sin(x) * cos(x) + x**2)` on 10M float32 values, forward and gradient, the
row the performance issue names. Beside the four columns, the notes show torch.compile
(inductor's fused C++ loop, the fastest peer) and nablax on 2 threads
(`nablax_num_threads=2`: the same fused program, its chunks split over two threads).
`sum_10M` is `jit(jnp.sum)` against NumPy's own `x.sum()`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload, f32, jit_first_call

Builder = Callable[[Framework, bool], "Bench | None"]


@lru_cache(maxsize=2)
def _data(n: int) -> np.ndarray:
    return np.random.RandomState(6).uniform(-3, 3, n).astype(f32)


def _size(quick: bool) -> int:
    return 1_000_000 if quick else 10_000_000


def _w6(xp: Any) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        return (xp.sin(x) * xp.cos(x) + x ** 2).sum()

    return f


def _w6_grad_numpy(x: np.ndarray) -> np.ndarray:
    s, c = np.sin(x), np.cos(x)
    return c * c - s * s + 2 * x


def _torch_grad(torch: Any, f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def g(x: Any) -> Any:
        x = x.detach().requires_grad_()
        return torch.autograd.grad(f(x), x)[0]

    return g


def w6(grad: bool, variant: str = "") -> Builder:
    """The W6 chain (or its gradient); variant "compile" is torch.compile, "threads2" nablax on 2 threads."""

    def build(fw: Framework, quick: bool) -> Bench | None:
        x = _data(_size(quick))
        if fw.name == "numpy":
            return Bench((lambda: _w6_grad_numpy(x)) if grad else (lambda: _w6(np)(x)))
        if fw.name == "autograd":
            if not grad:
                return None  # autograd's forward pass is NumPy's
            g = fw.ag.grad(_w6(fw.anp))
            return Bench(lambda: g(x))
        if fw.name == "torch":
            torch = fw.torch
            f = _w6(torch)
            fn = _torch_grad(torch, f) if grad else f
            if variant == "compile":
                fn = torch.compile(fn)
            elif grad:
                fn = fw.func.grad(f)
            xt = fw.asarray(x)
            return Bench(lambda: fn(xt))
        jax = fw.jax
        f = _w6(fw.jnp)
        make = (lambda: jax.grad(lambda x: f(x))) if grad else (lambda: lambda x: f(x))
        jf, xj = jax.jit(make()), fw.asarray(x)
        if variant == "threads2":
            config = jax.config

            def run() -> Any:
                with config.override("nablax_num_threads", 2):
                    return jf(xj).block_until_ready()

            return Bench(run)
        return Bench(lambda: jf(xj).block_until_ready(), jit_first_call(fw, make, xj))

    return build


def sum_10m(fw: Framework, quick: bool) -> Bench | None:
    """`jit(jnp.sum)` of 10M float32; the reference is NumPy's `x.sum()`."""
    x = _data(_size(quick))
    if fw.name == "numpy":
        return Bench(lambda: x.sum())
    if fw.name == "torch":
        xt = fw.asarray(x)
        return Bench(lambda: fw.torch.sum(xt))
    if not fw.jaxlike:
        return None
    jf, xj = fw.jax.jit(fw.jnp.sum), fw.asarray(x)
    return Bench(lambda: jf(xj).block_until_ready())


def workloads() -> list[Workload]:
    """Part 6 of the table, in order."""
    out = []
    for grad in (False, True):
        name = "w6_grad_10M" if grad else "w6_forward_10M"
        extras = (("torch_compile", "torch.compile", w6(grad, "compile"), "torch"),
                  ("nablax_threads2", "nablax, 2 threads", w6(grad, "threads2")))
        out.append(Workload(name, w6(grad), ref=w6(grad), compile_name="compile_" + name, rtol=1e-4,
                            atol=1e-2 if not grad else 1e-4, extras=extras))
    out.append(Workload("sum_10M", sum_10m, ref=sum_10m, rtol=1e-4, atol=1e-2))
    return out
