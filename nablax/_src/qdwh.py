"""lax.linalg.qdwh: the polar decomposition by the QR-based dynamically weighted Halley iteration.

A function, not a primitive: QR steps from primitives/spectral.py and a `while_loop` for the
plain Halley steps, so it sits above control flow (its derivatives are those of its pieces).
"""
from __future__ import annotations

import numpy as np

from . import dtypes, ops
from .array import wrap
from .control_flow.loops import while_loop
from .primitives import templates
from .primitives._define import aval_of
from .primitives.linalg_common import adjoint
from .primitives.spectral import _as, _check_matrix, _const, _eye, _real_dtype, qr


def _qdwh_schedule(eps: float, max_iterations: int) -> list:
    """The dynamically weighted Halley coefficients (a, b, c) of Nakatsukasa, Bai & Gygi (2010).

    They depend only on the lower bound l₀ = eps of the smallest scaled singular value, not
    on the matrix, so the sequence is computed here, in Python, until l reaches 1.
    """
    coefs, low, tol = [], eps, 5.0 * eps
    while low + tol < 1 and len(coefs) < max_iterations:
        l2 = low * low
        d = (4.0 * (1.0 / l2 - 1.0) / l2) ** (1.0 / 3.0)
        sqd = (1.0 + d) ** 0.5
        a = sqd + (2.0 - d + 2.0 * (2.0 - l2) / (l2 * sqd)) ** 0.5
        b = (a - 1.0) ** 2 / 4.0
        c = a + b - 1.0
        low = low * (a + b * l2) / (1.0 + c * l2)
        coefs.append((a, b, c))
    return coefs


def _halley_step(u, a: float, b: float, c: float):
    """One weighted Halley step in its QR form: with [√c U; I] = [Q1; Q2] R,
    U ← (b/c) U + (a − b/c)/√c · Q1 Q2ᴴ (no inverse is formed)."""
    dtype = aval_of(u).dtype
    m, n = aval_of(u).shape
    e = b / c
    sqrt_c = c ** 0.5
    y = ops.concatenate([ops.mul(u, _const(np.array(sqrt_c, dtype))), _eye(n, dtype)], 0)
    q, _ = qr(y, full_matrices=False)
    q1, q2 = ops.slice_in_dim(q, 0, m, axis=0), ops.slice_in_dim(q, m, m + n, axis=0)
    step = ops.mul(ops.dot(q1, adjoint(q2)), _const(np.array((a - e) / sqrt_c, dtype)))
    return ops.add(ops.mul(u, _const(np.array(e, dtype))), step)


def _fro(x):
    return ops.sqrt(ops.reduce_sum(ops.real(ops.mul(x, ops.conj(x))) if aval_of(x).dtype.kind == "c"
                                   else ops.mul(x, x), (0, 1)))


def qdwh(x, *, is_hermitian: bool = False, max_iterations: int | None = None, eps: float | None = None,
         dynamic_shape: tuple[int, int] | None = None):
    """lax.linalg.qdwh: the polar decomposition x = u h (u with orthonormal columns, h Hermitian
    positive semidefinite) by the QR-based dynamically weighted Halley iteration.

    Returns (u, h, num_iters, is_converged), as JAX. x is (m, n) with m >= n. The weighted
    steps run first (at most `max_iterations`, default 10); then plain Halley steps (a, b, c)
    = (3, 1, 3) until ‖uₖ − uₖ₋₁‖_F <= (5 eps)^(1/3) or `max_iterations` steps in all. Every
    step is the QR form (JAX switches to an equivalent Cholesky form once c <= 100).
    `is_hermitian` is accepted and unused (as in JAX); `dynamic_shape` (padded inputs) is not
    implemented, except as the full shape.
    """
    shape = templates.shape_of(x)
    if len(shape) != 2 or shape[0] < shape[1]:
        raise ValueError(f"lax.linalg.qdwh needs a matrix of shape (m, n) with m >= n, got shape {shape}")
    if dynamic_shape is not None and tuple(dynamic_shape) != tuple(shape):
        raise NotImplementedError("lax.linalg.qdwh: dynamic_shape smaller than the input's shape (padded "
                                  "inputs) is not implemented in nablax")
    _check_matrix("qdwh", aval_of(x))
    dtype = aval_of(x).dtype
    rdt = _real_dtype(dtype)
    max_iterations = 10 if max_iterations is None else int(max_iterations)
    eps = float(np.finfo(rdt).eps) if eps is None else float(eps)
    tol = _const(np.array((5.0 * eps) ** (1.0 / 3.0), rdt))
    absx = ops.abs(x)
    one_norm = ops.reduce_max(ops.reduce_sum(absx, (0,)), (0,))
    inf_norm = ops.reduce_max(ops.reduce_sum(absx, (1,)), (0,))
    zero = ops.eq(one_norm, _const(np.zeros((), rdt)))
    scale = ops.select(zero, _const(np.ones((), rdt)), ops.mul(ops.rsqrt(one_norm), ops.rsqrt(inf_norm)))
    u = ops.mul(x, _as(scale, dtype))
    not_converged = _const(np.array(True))
    schedule = _qdwh_schedule(eps, max_iterations)
    for a, b, c in schedule:
        u_prev, u = u, _halley_step(u, a, b, c)
        if c <= 100:  # where JAX tests convergence (its Cholesky-form steps)
            not_converged = ops.gt(_fro(ops.sub(u, u_prev)), tol)

    int_dtype = dtypes.canonicalize_dtype(np.int64)  # the iteration count is a weak Python-int counter

    def cond(state):
        k, _, going = state
        return ops.bitwise_and(going, ops.lt(k, wrap(np.array(max_iterations, int_dtype), True)))

    def body(state):
        k, u, _ = state
        u_next = _halley_step(u, 3.0, 1.0, 3.0)
        return ops.add(k, wrap(np.array(1, int_dtype), True)), u_next, ops.gt(_fro(ops.sub(u_next, u)), tol)

    k0 = wrap(np.array(len(schedule), int_dtype), True)
    num_iters, u, not_converged = while_loop(cond, body, (k0, u, not_converged))
    # One Newton–Schulz step polishes the orthogonality; then h = uᴴ x, symmetrized.
    u = ops.sub(ops.mul(u, _const(np.array(1.5, dtype))),
                ops.mul(ops.dot(u, ops.dot(adjoint(u), u)), _const(np.array(0.5, dtype))))
    h = ops.dot(adjoint(u), x)
    h = ops.mul(ops.add(h, adjoint(h)), _const(np.array(0.5, dtype)))
    return u, h, num_iters, ops.bitwise_not(not_converged)


__all__ = ["qdwh"]
