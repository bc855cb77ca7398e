"""Workload definitions: forward mode through custom_vjp (issue 17, item 2).

JAX raises a TypeError for jvp/jacfwd of a function with only a custom VJP rule; nablax
transposes the rule's bwd. The JAX column is therefore what a JAX user computes from the same
bwd instead: `jacrev` for the Jacobian, and the transpose of the vjp (`linear_transpose`) for
one JVP. The check compares the two results. Only nablax and JAX run.

- `custom_vjp_jacfwd_jit_100`: jit(jacfwd(f)) against JAX's jit(jacrev(f)), f(x) = W tanh(x)
  with x of 100 float32 and a custom_vjp rule (bwd: (Wᵀ ct)·(1 - tanh²)).
- `custom_vjp_jvp_eager_100`: one eager jvp of the same f (nablax traces and transposes bwd on
  each call) against JAX's eager vjp followed by linear_transpose of the pullback.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload, jit_first_call

N = 100


@lru_cache(maxsize=None)
def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rs = np.random.RandomState(0)
    return ((rs.randn(N, N) / np.sqrt(N)).astype(np.float32), rs.randn(N).astype(np.float32),
            rs.randn(N).astype(np.float32))


def _layer(fw: Framework) -> Any:
    """f(x) = W tanh(x), with a custom VJP rule."""
    jax, jnp = fw.jax, fw.jnp
    w = jnp.asarray(_data()[0])

    @jax.custom_vjp
    def f(x):
        return w @ jnp.tanh(x)

    def fwd(x):
        t = jnp.tanh(x)
        return w @ t, t

    f.defvjp(fwd, lambda t, ct: ((w.T @ ct) * (1.0 - t * t),))
    return f


def jacobian_jit(fw: Framework, quick: bool) -> Bench | None:
    """nablax: jit(jacfwd(f)); JAX: jit(jacrev(f)) (its jacfwd raises)."""
    if not fw.jaxlike:
        return None
    x = fw.jnp.asarray(_data()[1])
    jac = fw.jax.jacfwd if fw.name == "nablax" else fw.jax.jacrev

    def make() -> Any:
        return jac(_layer(fw))

    f = fw.jax.jit(make())
    return Bench(lambda: f(x).block_until_ready(), jit_first_call(fw, make, x))


def jvp_eager(fw: Framework, quick: bool) -> Bench | None:
    """nablax: jvp(f, (x,), (t,)); JAX: vjp then linear_transpose of the pullback."""
    if not fw.jaxlike:
        return None
    jax = fw.jax
    _, x, t = (fw.jnp.asarray(a) for a in _data())
    f = _layer(fw)
    if fw.name == "nablax":
        return Bench(lambda: jax.jvp(f, (x,), (t,))[1].block_until_ready())

    def run() -> Any:
        out, pullback = jax.vjp(f, x)
        return jax.linear_transpose(pullback, out)((t,))[0].block_until_ready()

    return Bench(run)


def workloads() -> list[Workload]:
    both = ("nablax", "jax")
    return [
        Workload("custom_vjp_jacfwd_jit_100", jacobian_jit, frameworks=both,
                 compile_name="compile_custom_vjp_jacfwd_100"),
        Workload("custom_vjp_jvp_eager_100", jvp_eager, frameworks=both),
    ]
