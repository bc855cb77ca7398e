"""Cases for custom_linear_solve, exercised through lax.custom_linear_solve (`bind=`).

The solves are fixed-count Jacobi iterations (fori_loop) on diagonally dominant operators
built inside each bind, so the vmap column's and finite differences' perturbed inputs stay
solvable and the solve converges to rounding error. Derivatives come from the primitive's
implicit rules (ẋ = A⁻¹(ḃ - Ȧx), b̄ = A⁻ᵀx̄), checked against finite differences of the
whole solve, in both b and the operator's entries.
"""
import numpy as np

import nablax.numpy as jnp
from nablax import lax
from nablax import tree_util as tu
from nablax._src.control_flow import custom_linear_solve_p

from .case import Case, randn


def _jacobi(diag):
    """solve(mv, b) by 80 Jacobi sweeps x <- x + (b - mv(x)) / diag (diag a pytree like b)."""
    def solve(mv, b):
        def sweep(_, x):
            r = tu.tree_map(lambda bi, yi: bi - yi, b, mv(x))
            return tu.tree_map(lambda xi, ri, di: xi + ri / di, x, r, diag)
        return lax.fori_loop(0, 80, sweep, tu.tree_map(jnp.zeros_like, b))
    return solve


def _operator(a):
    return 0.3 * a + 4.0 * jnp.eye(a.shape[-1], dtype=a.dtype)


def _general(a, b):
    m = _operator(a)
    d = jnp.diagonal(m)
    return lax.custom_linear_solve(lambda x: m @ x, b, _jacobi(d), transpose_solve=_jacobi(d))


def _general_ref(a, b):
    return np.linalg.solve(0.3 * a + 4.0 * np.eye(a.shape[-1]), b)


def _symmetric(a, b):
    m = _operator(a + a.T)
    return lax.custom_linear_solve(lambda x: m @ x, b, _jacobi(jnp.diagonal(m)), symmetric=True)


def _symmetric_ref(a, b):
    return np.linalg.solve(0.3 * (a + a.T) + 4.0 * np.eye(a.shape[-1]), b)


def _pytree(a, u, v):
    # b = {"u": u, "v": v} and the operator couples the two: (m u, 3 v + 0.5 u).
    m = _operator(a)
    diag = {"u": jnp.diagonal(m), "v": jnp.full_like(v, 3.0)}
    x = lax.custom_linear_solve(lambda x: {"u": m @ x["u"], "v": 3.0 * x["v"] + 0.5 * x["u"]}, {"u": u, "v": v},
                                _jacobi(diag), transpose_solve=_jacobi(diag))
    return jnp.concatenate([x["u"], x["v"]])


def _pytree_ref(a, u, v):
    xu = np.linalg.solve(0.3 * a + 4.0 * np.eye(a.shape[-1]), u)
    return np.concatenate([xu, (v - 0.5 * xu) / 3.0])


def _with_aux(a, b):
    m = _operator(a)
    jacobi = _jacobi(jnp.diagonal(m))
    x, n = lax.custom_linear_solve(lambda x: m @ x, b, lambda mv, r: (jacobi(mv, r), jnp.int32(80)),
                                   transpose_solve=lambda vm, r: (jacobi(vm, r), jnp.int32(80)), has_aux=True)
    return x * (n // 80)


CASES = [
    Case(custom_linear_solve_p, (randn(3, 3, seed=1), randn(3, seed=2)), bind=_general, reference=_general_ref,
         name="general"),
    Case(custom_linear_solve_p, (randn(3, 3, seed=3), randn(3, seed=4)), bind=_symmetric, reference=_symmetric_ref,
         name="symmetric"),
    Case(custom_linear_solve_p, (randn(3, 3, seed=5), randn(3, seed=6), randn(3, seed=7)), bind=_pytree,
         reference=_pytree_ref, name="pytree"),
    Case(custom_linear_solve_p, (randn(3, 3, seed=8), randn(3, seed=9)), bind=_with_aux, reference=_general_ref,
         name="has_aux"),
]


def _jacobi_plain(mv, b):
    return b / 4.0


BAD_CASES = [
    Case(custom_linear_solve_p, (randn(3, 3), randn(3)),
         bind=lambda a, b: lax.custom_linear_solve(lambda x: (a @ x)[:2], b, _jacobi_plain), name="matvec-shape"),
    Case(custom_linear_solve_p, (randn(3, 3), randn(3)),
         bind=lambda a, b: lax.custom_linear_solve(lambda x: (a @ x,), b, _jacobi_plain), name="matvec-tree"),
    Case(custom_linear_solve_p, (randn(3, 3), randn(3)),
         bind=lambda a, b: lax.custom_linear_solve(lambda x: a @ x, b, lambda mv, r: r[1:]), name="solve-shape"),
    Case(custom_linear_solve_p, (randn(3, 3), randn(3)),
         bind=lambda a, b: lax.custom_linear_solve(lambda x: a @ x, b, _jacobi_plain, has_aux=True),
         name="solve-no-aux"),
]
