"""jnp.linalg's LU-based functions: solve, inv, slogdet, det, tensorsolve, tensorinv.

`solve` factors stop_gradient(a) once and hands the two triangular solves to
`lax.custom_linear_solve`, so derivatives in `a` and `b` are further solves with the
same factors (the transpose rule), never a differentiated factorization. `slogdet`
and `det` carry custom JVPs: d log|det A| = tr(A^-1 dA), and d det A = tr(adj(A) dA)
with the adjugate formed from the LU factors without dividing by the last pivot, so
that it stays finite (and correct) at matrices of rank n - 1, as JAX's does.
"""
from __future__ import annotations

import math
import operator
from typing import Any, NamedTuple

import numpy as np

from .. import control_flow
from .. import numpy as jnp
from ..core import Tracer
from ..custom_derivatives import custom_jvp
from ..primitives import factorizations
from ..primitives.misc import stop_gradient
from . import linalg as _products
from .promotion import as_array, check_arraylike, promote_args_inexact


class SlogdetResult(NamedTuple):
    """slogdet's result: sign (a unit complex number for complex input) and log|det|."""
    sign: Any
    logabsdet: Any


def _check_square(fname: str, a, error: type[Exception] = ValueError) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise error(f"jnp.linalg.{fname}: the argument must have shape [..., n, n], got {tuple(a.shape)}")


def _rows(x, index):
    """x[..., index, :] for an index vector (stack) whose batch dims equal x's."""
    return jnp.take_along_axis(x, index[..., :, None], axis=-2)


def _lu_solve(lu, perm, b, transpose: bool):
    """Solve a x = b (or a^T x = b) from a's LU factors (a[perm] = L U); b is (..., m, k)
    with the batch dims of lu."""
    if not transpose:
        x = factorizations.triangular_solve(lu, _rows(b, perm), left_side=True, lower=True, unit_diagonal=True)
        return factorizations.triangular_solve(lu, x, left_side=True, lower=False)
    x = factorizations.triangular_solve(lu, b, left_side=True, lower=False, transpose_a=True)
    x = factorizations.triangular_solve(lu, x, left_side=True, lower=True, unit_diagonal=True, transpose_a=True)
    return _rows(x, jnp.argsort(perm, axis=-1))


def _check_solve_shapes(a, b) -> tuple:
    """The broadcast batch shape of solve(a, b), or a ValueError naming both shapes."""
    shapes = f"a={tuple(a.shape)} and b={tuple(b.shape)}"
    if a.ndim < 2:
        raise ValueError(f"jnp.linalg.solve: a must be at least 2-D (shape [..., m, m]), got {shapes}")
    m = a.shape[-1]
    if a.shape[-2] != m:
        raise ValueError(f"jnp.linalg.solve: a must be square in its last two dimensions, got {shapes}")
    if b.ndim == 1:
        if b.shape[0] != m:
            raise ValueError(f"jnp.linalg.solve: b=[m] must have m matching a=[..., m, m], got {shapes}")
        return tuple(a.shape[:-2])
    if b.ndim == a.ndim - 1 and b.shape[-1] == m and b.shape[-2] != m:
        raise ValueError(f"jnp.linalg.solve: invalid shapes {shapes}: b of rank a.ndim - 1 is a stack of "
                         "matrices, not of vectors (before JAX 0.5 this was a batched 1-D solve); use "
                         "solve(a, b[..., None])[..., 0]")
    if b.ndim < 2 or b.shape[-2] != m:
        raise ValueError(f"jnp.linalg.solve: the arguments must have shapes a=[..., m, m] and b=[..., m, k] "
                         f"or b=[m]; got {shapes}")
    try:
        return tuple(np.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2])))
    except ValueError:
        raise ValueError(f"jnp.linalg.solve: the batch dimensions do not broadcast, got {shapes}") from None


def solve(a: Any, b: Any):
    """jnp.linalg.solve: x with a @ x = b for square a (..., m, m) and b (..., m, k) or (m,);
    batch dimensions broadcast. Differentiable in both arguments by implicit differentiation."""
    check_arraylike("linalg.solve", a, b)
    a, b = promote_args_inexact("linalg.solve", a, b)
    batch = _check_solve_shapes(a, b)
    vector = b.ndim == 1
    m = a.shape[-1]
    bm = b[:, None] if vector else b
    bm = jnp.broadcast_to(bm, batch + tuple(bm.shape[-2:]))
    lu, _, perm = factorizations.lu(stop_gradient(a))
    lu_b = jnp.broadcast_to(lu, batch + (m, m))
    perm_b = jnp.broadcast_to(perm, batch + (m,))
    if isinstance(a, Tracer) or isinstance(b, Tracer):  # under a transformation: implicit differentiation
        x = control_flow.custom_linear_solve(
            lambda x: _products.matmul(a, x), bm,
            solve=lambda _, r: _lu_solve(lu_b, perm_b, r, False),
            transpose_solve=lambda _, r: _lu_solve(lu_b, perm_b, r, True))
    else:  # concrete arrays: nothing to differentiate, skip tracing the solve functions
        x = _lu_solve(lu_b, perm_b, bm, False)
    return x[..., 0] if vector else x


def inv(a: Any):
    """jnp.linalg.inv: the inverse of a square matrix (stack), as solve(a, I); a singular
    matrix gives what LAPACK gives (infs/NaNs, no exception)."""
    check_arraylike("linalg.inv", a)
    a = as_array(a)
    _check_square("inv", a)
    n = a.shape[-1]
    return solve(a, jnp.broadcast_to(jnp.eye(n, dtype=a.dtype), tuple(a.shape)))


def _lu_parity_sign(pivots, dtype):
    """(-1)^(number of row swaps) of the LU pivots, in `dtype`."""
    n = pivots.shape[-1]
    swaps = jnp.sum(pivots != jnp.arange(n, dtype=pivots.dtype), axis=-1)
    return (1 - 2 * (swaps % 2)).astype(dtype)


def _slogdet_value(a):
    lu, pivots, _ = factorizations.lu(a)
    return _slogdet_from_lu(lu, pivots, a.dtype)


def _slogdet_from_lu(lu, pivots, dtype):
    """(sign, log|det|) from LU factors and pivots; a zero pivot gives (0, -inf)."""
    diag = jnp.diagonal(lu, axis1=-2, axis2=-1)
    absdiag = jnp.abs(diag)
    singular = jnp.any(diag == 0, axis=-1)
    sign = _lu_parity_sign(pivots, dtype)
    if dtype.kind == "c":
        sign = sign * jnp.prod(diag / absdiag.astype(diag.dtype), axis=-1)
    else:
        sign = sign * (1 - 2 * (jnp.sum(diag < 0, axis=-1) % 2)).astype(dtype)
    sign = jnp.where(singular, jnp.zeros((), dtype), sign)
    logdet = jnp.where(singular, -np.inf, jnp.sum(jnp.log(absdiag), axis=-1))
    return sign, logdet


_slogdet = custom_jvp(_slogdet_value)


@_slogdet.defjvp
def _slogdet_jvp(primals, tangents):
    (a,), (da,) = primals, tangents
    lu, pivots, perm = factorizations.lu(a)  # one factorization for the value and the tangent
    sign, logdet = _slogdet_from_lu(lu, pivots, a.dtype)
    dlog = jnp.trace(_lu_solve(lu, perm, da, False), axis1=-2, axis2=-1)  # tr(a^-1 da), linear in da
    if a.dtype.kind == "c":
        dsign = sign * (dlog - jnp.real(dlog).astype(dlog.dtype))  # i Im(tr) sign
        dlog = jnp.real(dlog)
    else:
        dsign = jnp.zeros_like(sign)
    return (sign, logdet), (dsign, dlog)


def slogdet(a: Any, *, method: str | None = None) -> SlogdetResult:
    """jnp.linalg.slogdet: (sign, log|det a|) from an LU factorization; a singular matrix
    gives sign 0 and -inf. method='lu' (None) only: 'qr' needs geqrf, which nablax lacks."""
    check_arraylike("linalg.slogdet", a)
    (a,) = promote_args_inexact("linalg.slogdet", a)
    _check_square("slogdet", a)
    if method not in (None, "lu"):
        if method == "qr":
            raise NotImplementedError("jnp.linalg.slogdet: method='qr' needs the geqrf primitive, which nablax "
                                      "does not have; use method='lu' (the default)")
        raise ValueError(f"jnp.linalg.slogdet: unknown method {method!r}; supported are 'lu' (None) and 'qr'")
    # concrete input: nothing to differentiate, skip the custom_jvp call's tracing
    return SlogdetResult(*(_slogdet if isinstance(a, Tracer) else _slogdet_value)(a))


def _adjugate_product(a, g):
    """(det a, adj(a) @ g) for square a (..., n, n), n >= 2, and g of a's shape.

    With a[perm] = L U, adj(a) = s_P adj(U) L^-1 P, and writing U = E U' (U' is U with
    its last pivot u set to 1, E = diag(1, ..., 1, u)), adj(U) = d' U'^-1 diag(u, ..., u, 1)
    where d' is the product of the other pivots: polynomial in u, so exact at u = 0.
    When another pivot is zero, d' = 0 and the product is set to zero (as JAX's)."""
    n = a.shape[-1]
    lu, pivots, perm = factorizations.lu(a)
    diag = jnp.diagonal(lu, axis1=-2, axis2=-1)
    last = diag[..., -1]
    scale = _lu_parity_sign(pivots, a.dtype) * jnp.prod(diag[..., :-1], axis=-1)  # s_P d'
    corner = np.zeros((n, n), bool)
    corner[-1, -1] = True
    lu_unit_last = jnp.where(corner, jnp.ones((), a.dtype), lu)
    x = factorizations.triangular_solve(lu, _rows(g, perm), left_side=True, lower=True, unit_diagonal=True)
    row_scale = jnp.concatenate([jnp.broadcast_to(last[..., None], last.shape + (n - 1,)),
                                 jnp.ones(last.shape + (1,), a.dtype)], axis=-1)
    x = x * row_scale[..., :, None]
    degenerate = (scale == 0)[..., None, None]
    x = jnp.where(degenerate, jnp.zeros((), a.dtype), x)
    x = factorizations.triangular_solve(lu_unit_last, x, left_side=True, lower=False)
    x = jnp.where(degenerate, jnp.zeros((), a.dtype), x)
    return scale * last, scale[..., None, None] * x


def _det_lu_value(a):
    sign, logdet = _slogdet_value(a)
    return sign * jnp.exp(logdet).astype(sign.dtype)


_det_lu = custom_jvp(_det_lu_value)


@_det_lu.defjvp
def _det_lu_jvp(primals, tangents):
    (a,), (da,) = primals, tangents
    if a.shape[-1] == 1:
        return _det_lu(a), da[..., 0, 0]
    det, adj_da = _adjugate_product(a, da)
    return det, jnp.trace(adj_da, axis1=-2, axis2=-1)


def _det_small(a):
    """The explicit 2x2 and 3x3 determinants (differentiated as polynomials)."""
    e = [[a[..., i, j] for j in range(a.shape[-1])] for i in range(a.shape[-1])]
    if len(e) == 2:
        return e[0][0] * e[1][1] - e[0][1] * e[1][0]
    return (e[0][0] * e[1][1] * e[2][2] + e[0][1] * e[1][2] * e[2][0] + e[0][2] * e[1][0] * e[2][1]
            - e[0][2] * e[1][1] * e[2][0] - e[0][0] * e[1][2] * e[2][1] - e[0][1] * e[1][0] * e[2][2])


def det(a: Any):
    """jnp.linalg.det: the determinant of a square matrix (stack); differentiable at
    singular matrices (the JVP uses the adjugate, not the inverse)."""
    check_arraylike("linalg.det", a)
    (a,) = promote_args_inexact("linalg.det", a)
    _check_square("det", a)
    if a.shape[-1] in (2, 3):
        return _det_small(a)
    return (_det_lu if isinstance(a, Tracer) else _det_lu_value)(a)


def tensorinv(a: Any, ind: int = 2):
    """jnp.linalg.tensorinv: the inverse of a tensor seen as a matrix of its first `ind`
    dimensions against the rest."""
    check_arraylike("linalg.tensorinv", a)
    a = as_array(a)
    ind = operator.index(ind)
    if ind <= 0:
        raise ValueError(f"jnp.linalg.tensorinv: ind must be a positive integer, got {ind}")
    rows, cols = tuple(a.shape[:ind]), tuple(a.shape[ind:])
    if math.prod(rows) != math.prod(cols):
        raise ValueError("jnp.linalg.tensorinv: the product of the first `ind` dimensions must equal that of "
                         f"the others, got shape {tuple(a.shape)} with ind={ind}")
    return inv(a.reshape(math.prod(rows), math.prod(cols))).reshape(cols + rows)


def tensorsolve(a: Any, b: Any, axes: tuple | None = None):
    """jnp.linalg.tensorsolve: x with tensordot(a, x, x.ndim) = b; `axes` of a move to the end first."""
    check_arraylike("linalg.tensorsolve", a, b)
    a, b = as_array(a), as_array(b)
    if axes is not None:
        a = jnp.moveaxis(a, axes, tuple(range(a.ndim - len(axes), a.ndim)))
    out_shape = tuple(a.shape[b.ndim:])
    if tuple(a.shape[:b.ndim]) != tuple(b.shape):
        raise ValueError("jnp.linalg.tensorsolve: after moving axes to the end, the leading shape of a must be "
                         f"b's shape, got a.shape={tuple(a.shape)} and b.shape={tuple(b.shape)}")
    if b.size != math.prod(out_shape):
        raise ValueError("jnp.linalg.tensorsolve: prod(a.shape[:b.ndim]) must equal prod(a.shape[b.ndim:]), got "
                         f"a.shape={tuple(a.shape)} and b.ndim={b.ndim}")
    return solve(a.reshape(b.size, math.prod(out_shape)), b.reshape(-1)).reshape(out_shape)


__all__ = ["solve", "inv", "slogdet", "det", "tensorinv", "tensorsolve"]
