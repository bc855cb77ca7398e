"""nablax.scipy.sparse.linalg: matrix-free Krylov solvers (cg, gmres, bicgstab).

Each solver is a `lax.while_loop` wrapped in `lax.custom_linear_solve` (as JAX's), so its
derivative is another solve with the transposed operator, never the unrolled iterations;
they jit and vmap (a batched solve runs until every example has converged). The operator
A (and the preconditioner M) is a function of a pytree like b, or a square matrix. The
iterations run on b's leaves raveled into one vector (the operator is applied to the
pytree), which gives the same arithmetic as per-leaf sums with one code path.
Tolerances are SciPy's non-legacy ones: stop when norm(r) <= max(tol * norm(b), atol).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import dtypes
from .control_flow import custom_linear_solve, while_loop
from .control_flow.loops import fori_loop
from .core import lift_aval
from .numpy import abs as _abs
from .numpy import (
    arange,
    asarray,
    concatenate,
    conj,
    eye,
    isnan,
    maximum,
    minimum,
    ravel,
    real,
    sqrt,
    vdot,
    where,
    zeros,
    zeros_like,
)
from .primitives.factorizations import triangular_solve
from .tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["cg", "gmres", "bicgstab"]


# ----------------------------------------------------------------- operators and vectors

def _operator(f, name: str, what: str) -> Callable:
    """A callable as given; a square matrix as x -> f @ x (as JAX's _normalize_matvec)."""
    if callable(f):
        return f
    if isinstance(f, np.ndarray) or hasattr(f, "__matmul__"):
        shape = getattr(f, "shape", None)
        if shape is not None and (len(shape) != 2 or shape[0] != shape[1]):
            raise ValueError(f"scipy.sparse.linalg.{name}: linear operator {what} must be a square matrix, "
                             f"but has shape: {tuple(shape)}")
        if isinstance(f, np.ndarray):
            f = asarray(f)
        return lambda x: f @ x
    raise TypeError(f"scipy.sparse.linalg.{name}: linear operator {what} must be either a function or ndarray: {f!r}")


class _Flat:
    """b's pytree layout: ravel a pytree like b into one vector of the promoted dtype and back."""

    def __init__(self, tree):
        leaves, self.treedef = tree_flatten(tree)
        self.avals = [lift_aval(asarray(v)) for v in leaves]
        self.dtype = dtypes.result_type(*[a.dtype for a in self.avals]) if self.avals else np.dtype(np.float32)
        self.size = sum(int(np.prod(a.shape)) for a in self.avals)

    def ravel(self, tree):
        leaves, _ = tree_flatten(tree)
        parts = [ravel(asarray(v)).astype(self.dtype) for v in leaves]
        return parts[0] if len(parts) == 1 else concatenate(parts)

    def unravel(self, vec):
        out, start = [], 0
        for a in self.avals:
            n = int(np.prod(a.shape))
            part = vec if len(self.avals) == 1 else vec[start:start + n]
            out.append(part.reshape(a.shape).astype(a.dtype))
            start += n
        return tree_unflatten(self.treedef, out)

    def wrap(self, f: Callable) -> Callable:
        return lambda v: self.ravel(f(self.unravel(v)))


def _norm(v):
    return sqrt(real(vdot(v, v)))


def _prepare(name: str, A, b, x0, maxiter, M):
    """The checks and defaults all three solvers share (as JAX's _isolve)."""
    if x0 is None:
        x0 = tree_map(zeros_like, b)
    bl, btree = tree_flatten(b)
    xl, xtree = tree_flatten(x0)
    if xtree != btree:
        raise ValueError(f"scipy.sparse.linalg.{name}: x0 and b must have matching tree structure: "
                         f"{xtree} vs {btree}")
    bshapes = [tuple(np.shape(v)) for v in bl]
    xshapes = [tuple(np.shape(v)) for v in xl]
    if xshapes != bshapes:
        # JAX's gmres checks no shapes and fails later with a TypeError: the same class here.
        raise (TypeError if name == "gmres" else ValueError)(
            f"scipy.sparse.linalg.{name}: arrays in x0 and b must have matching shapes: "
            f"{xshapes} vs {bshapes}")
    A = _operator(A, name, "A")
    M = None if M is None else _operator(M, name, "M")
    flat = _Flat(b)
    if maxiter is None:
        maxiter = 10 * flat.size  # SciPy's default
    return A, M, x0, flat, maxiter


def _solve_with(flat: _Flat, x0, M, iterate: Callable) -> Callable:
    """solve(op, rhs) for custom_linear_solve: `iterate` on raveled vectors, from x0."""
    def solve(op, rhs):
        mflat = (lambda v: v) if M is None else flat.wrap(M)
        return flat.unravel(iterate(flat.wrap(op), flat.ravel(rhs), flat.ravel(x0), mflat))
    return solve


def _tol_squared(b, tol, atol):
    bs = real(vdot(b, b))
    return maximum((tol * tol) * bs, atol * atol)


# ------------------------------------------------------------------------------ cg

def _cg_iterate(maxiter, tol, atol, preconditioned):
    def iterate(A, b, x0, M):
        atol2 = _tol_squared(b, tol, atol)
        r0 = b - A(x0)
        z0 = M(r0)
        gamma0 = vdot(r0, z0).real.astype(b.dtype)

        def cond(c):
            _, r, gamma, _, k = c
            rs = real(vdot(r, r)) if preconditioned else real(gamma)
            return (rs > atol2) & (k < maxiter)

        def body(c):
            x, r, gamma, p, k = c
            Ap = A(p)
            alpha = gamma / real(vdot(p, Ap)).astype(b.dtype)
            x = x + alpha * p
            r = r - alpha * Ap
            z = M(r)
            gamma_new = real(vdot(r, z)).astype(b.dtype)
            p = z + (gamma_new / gamma) * p
            return x, r, gamma_new, p, k + 1

        return while_loop(cond, body, (x0, r0, gamma0, z0, 0))[0]
    return iterate


def cg(A, b, x0=None, *, tol: float = 1e-5, atol: float = 0.0, maxiter: int | None = None,
       M=None) -> tuple[Any, None]:
    """scipy.sparse.linalg.cg: conjugate gradients for Hermitian positive definite A.

    Returns (x, None) (as JAX: no convergence info). Real systems are treated as symmetric
    (the gradient reuses the same solve).
    """
    A, M, x0, flat, maxiter = _prepare("cg", A, b, x0, maxiter, M)
    solve = _solve_with(flat, x0, M, _cg_iterate(maxiter, tol, atol, M is not None))
    symmetric = not dtypes.issubdtype(flat.dtype, np.complexfloating)
    x = custom_linear_solve(A, b, solve, transpose_solve=solve, symmetric=symmetric)
    return x, None


# ------------------------------------------------------------------------ bicgstab

def _bicgstab_iterate(maxiter, tol, atol):
    def iterate(A, b, x0, M):
        atol2 = _tol_squared(b, tol, atol)
        r0 = b - A(x0)
        one = asarray(1, dtype=b.dtype)
        zero_vec = zeros_like(r0)

        def cond(c):
            _, r, *_, k = c
            return (real(vdot(r, r)) > atol2) & (k < maxiter) & (k >= 0)  # k < 0: breakdown

        def body(c):
            x, r, rhat, alpha, omega, rho, p, v, k = c
            rho_new = vdot(rhat, r)
            beta = (rho_new / rho) * (alpha / omega)
            p = r + beta * (p - omega * v)
            y = M(p)
            v = A(y)
            alpha = rho_new / vdot(rhat, v)
            s = r - alpha * v
            done = real(vdot(s, s)) < atol2
            z = M(s)
            t = A(z)
            omega = vdot(t, s) / vdot(t, t)
            x = where(done, x + alpha * y, x + alpha * y + omega * z)
            r = where(done, s, s - omega * t)
            k = where((omega == 0) | (alpha == 0), -11, k + 1)
            k = where(rho_new == 0, -10, k)
            return x, r, rhat, alpha, omega, rho_new, p, v, k

        return while_loop(cond, body, (x0, r0, r0, one, one, one, zero_vec, zero_vec, 0))[0]
    return iterate


def bicgstab(A, b, x0=None, *, tol: float = 1e-5, atol: float = 0.0, maxiter: int | None = None,
             M=None) -> tuple[Any, None]:
    """scipy.sparse.linalg.bicgstab: BiCGSTAB for general (non-Hermitian) A; returns (x, None)."""
    A, M, x0, flat, maxiter = _prepare("bicgstab", A, b, x0, maxiter, M)
    solve = _solve_with(flat, x0, M, _bicgstab_iterate(maxiter, tol, atol))
    return custom_linear_solve(A, b, solve, transpose_solve=solve), None


# --------------------------------------------------------------------------- gmres

def _rotation(a, b):
    """A Givens rotation (c, s), c real, with [[c, s], [-conj(s), c]] @ [a, b] = [r, 0]."""
    aa, ab = _abs(a), _abs(b)
    rho = sqrt(aa * aa + ab * ab)
    a_zero = aa == 0
    safe_rho = where(rho == 0, 1, rho)
    phase = where(a_zero, 1, a / where(a_zero, 1, aa))
    c = where(rho == 0, 1, aa / safe_rho)
    s = where(rho == 0, 0, where(a_zero, 1, phase * conj(b) / safe_rho))
    return c.astype(a.dtype), s.astype(a.dtype)


def _rotate(vec, i, c, s):
    """Apply rotation (c, s) to entries i, i+1 of vec."""
    x, y = vec[i], vec[i + 1]
    return vec.at[i].set(c * x + s * y).at[i + 1].set(c * y - conj(s) * x)


def _gmres_cycle(A, M, b, x, restart: int, ptol, incremental: bool):
    """One restart: `restart` Arnoldi steps (classical Gram-Schmidt, twice) on the
    preconditioned residual, the Hessenberg matrix reduced to triangular R by Givens
    rotations as it grows, then x + V y with R y = g (a triangular solve). Incremental
    stops early once the residual estimate |g[k+1]| <= ptol; batched runs until `restart`
    steps or breakdown. Returns (x, preconditioned residual norm)."""
    dtype = b.dtype
    eps = np.finfo(np.dtype(dtype)).eps
    r = M(b - A(x))
    beta = _norm(r)
    v0 = where(beta > eps, r / where(beta > eps, beta, 1).astype(dtype), 0)
    V = zeros((restart + 1,) + r.shape, dtype).at[0].set(v0)
    R = eye(restart + 1, restart, dtype=dtype)
    g = zeros(restart + 1, dtype).at[0].set(beta.astype(dtype))
    rots = zeros((restart, 2), dtype)

    def step(c):
        k, _, _, V, R, g, rots = c
        w = M(A(V[k]))
        w_norm0 = _norm(w)
        h = conj(V) @ w
        w = w - h @ V
        h2 = conj(V) @ w
        w = w - h2 @ V
        h = h + h2
        hk = _norm(w)
        breakdown = hk <= eps * w_norm0
        V = V.at[k + 1].set(where(breakdown, 0, w / where(breakdown, 1, hk).astype(dtype)))
        col = h.at[k + 1].set(where(breakdown, 0, hk).astype(dtype))
        col = fori_loop(0, k, lambda i, col: _rotate(col, i, rots[i, 0], rots[i, 1]), col)
        cs, sn = _rotation(col[k], col[k + 1])
        col = _rotate(col, k, cs, sn)
        g = _rotate(g, k, cs, sn)
        R = R.at[:, k].set(col)
        rots = rots.at[k].set(concatenate([cs[None], sn[None]]))
        return k + 1, _abs(g[k + 1]), breakdown, V, R, g, rots

    def more(c):
        k, err, breakdown = c[:3]
        return (k < restart) & ((err > ptol) if incremental else ~breakdown)

    k, _, _, V, R, g, _ = while_loop(more, step, (0, beta, False, V, R, g, rots))
    # R y = g over the first k rows. A zero diagonal (a zero Krylov direction after a
    # breakdown) and the unused rows become identity rows with a zero right-hand side,
    # so those directions add nothing.
    d = R.diagonal()
    keep = (arange(restart) < k) & (d != 0)
    R = where(keep[:, None], R[:restart], eye(restart, dtype=dtype))
    y = triangular_solve(R, where(keep, g[:restart], 0), left_side=True, lower=False)
    x = x + y @ V[:restart]
    return x, _norm(M(b - A(x)))


def _gmres_iterate(maxiter, tol, atol, restart, incremental):
    def iterate(A, b, x0, M):
        b_norm = _norm(b)
        atol_ = maximum(tol * b_norm, atol)
        ptol = _norm(M(b)) * minimum(1.0, atol_ / b_norm)
        res0 = _norm(M(b - A(x0)))

        def cond(c):
            _, k, res = c
            return (k < maxiter) & (res > atol_)

        def body(c):
            x, k, _ = c
            x, res = _gmres_cycle(A, M, b, x, restart, ptol, incremental)
            return x, k + 1, res

        return while_loop(cond, body, (x0, 0, res0))[0]
    return iterate


def gmres(A, b, x0=None, *, tol: float = 1e-5, atol: float = 0.0, restart: int = 20,
          maxiter: int | None = None, M=None, solve_method: str = "batched") -> tuple[Any, Any]:
    """scipy.sparse.linalg.gmres: restarted GMRES for general A (left-preconditioned by M).

    `maxiter` counts restarts (as JAX); `restart` is the Krylov dimension per restart
    (at most b's size). solve_method 'batched' runs every Arnoldi step of a restart,
    'incremental' stops a restart once its residual estimate is small enough. Returns
    (x, info) with info -1 where x is NaN, else 0 (as JAX).
    """
    if solve_method not in ("batched", "incremental"):
        raise ValueError(f"scipy.sparse.linalg.gmres: invalid solve_method {solve_method!r}, must be either "
                         "'incremental' or 'batched'")
    A, M, x0, flat, maxiter = _prepare("gmres", A, b, x0, maxiter, M)
    restart = min(int(restart), flat.size)
    solve = _solve_with(flat, x0, M, _gmres_iterate(maxiter, tol, atol, restart, solve_method == "incremental"))
    x = custom_linear_solve(A, b, solve, transpose_solve=solve)
    failed = isnan(_norm(flat.ravel(x)))
    return x, where(failed, -1, 0)
