"""Workload definitions: sparse Jacobians (issue 17, item 4).

`sparse_jacobian_tridiag_10000`: the Jacobian of a 1-D finite-difference residual
F(u)_i = (u_{i-1} - 2 u_i + u_{i+1}) / h² + u_i³ - 1 (zero Dirichlet boundaries) with
n = 10,000 unknowns. The nablax column is `nablax.experimental.sparse_jacobian` (three
colours: three JVPs batched by vmap, then the recovery into a CSR matrix); the JAX column
and the reference are the dense `jit(jacfwd)` of JAX and nablax (10,000 JVPs, a 400 MB
float32 matrix; JAX has no sparse Jacobian). Every row returns the matrix's nonzeros in
row-major order (for the dense rows, read out of the dense matrix after it is computed),
so the check compares the same 29,998 values.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload, f32

N = 10_000


@lru_cache(maxsize=None)
def _point(n: int) -> np.ndarray:
    return np.random.RandomState(23).uniform(0.0, 1.0, n).astype(f32)


@lru_cache(maxsize=None)
def _tridiagonal_entries(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of a tridiagonal n x n matrix, row-major (CSR order)."""
    rows = np.repeat(np.arange(n), 3)
    cols = rows + np.tile([-1, 0, 1], n)
    keep = (cols >= 0) & (cols < n)
    return rows[keep], cols[keep]


def _residual(jnp: Any) -> Callable[[Any], Any]:
    def residual(u: Any) -> Any:
        h = 1.0 / (u.shape[0] + 1)
        padded = jnp.pad(u, 1)
        return (padded[:-2] - 2 * padded[1:-1] + padded[2:]) / h ** 2 + u ** 3 - 1.0

    return residual


def _dense(fw: Framework) -> Bench:
    rows, cols = _tridiagonal_entries(N)
    jac, x = fw.jax.jit(fw.jax.jacfwd(_residual(fw.jnp))), fw.asarray(_point(N))
    return Bench(lambda: np.asarray(fw.block(jac(x)))[rows, cols])


def sparse_jacobian_tridiag(fw: Framework, quick: bool) -> Bench | None:
    """nablax: sparse_jacobian; JAX (no sparse Jacobian): dense jit(jacfwd)."""
    if fw.name == "jax":
        return _dense(fw)
    if fw.name != "nablax":
        return None
    from nablax.experimental import sparse_jacobian

    jac, x = sparse_jacobian(_residual(fw.jnp)), fw.asarray(_point(N))
    return Bench(lambda: jac(x).data)


def dense_jacfwd(fw: Framework, quick: bool) -> Bench | None:
    """The reference: nablax's dense jit(jacfwd)."""
    return _dense(fw)


def workloads() -> list[Workload]:
    return [Workload(f"sparse_jacobian_tridiag_{N}", sparse_jacobian_tridiag, ref=dense_jacfwd, ref_fw="nablax",
                     ref_label="nablax dense jit(jacfwd)", frameworks=("nablax", "jax"), rtol=1e-5, atol=1e-2)]
