"""The symmetric tridiagonal eigensolver: eigh_tridiagonal_p (scipy.linalg.eigh_tridiagonal,
LAPACK stemr/stebz), behind jax.scipy.linalg.eigh_tridiagonal.

The primitive is not a lax.linalg name (JAX has none); the scipy.linalg layer calls
`eigh_tridiagonal` below. SciPy's kernel takes one matrix, so the impl loops over the stack.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg

from .. import ops
from ..ad_util import instantiate
from ..avals import ShapedArray, Zero
from ._define import aval_of, define_primitive, never_weak
from .eig_util import checked_eager, diagonal, front_batch, gap_reciprocals, matmul, mT, per_matrix

_REAL = (np.dtype(np.float32), np.dtype(np.float64))


def _count(n: int, select_range) -> int:
    return n if select_range is None else select_range[1] - select_range[0] + 1


def _impl(xp, d, e, *, compute_eigenvectors, select_range, tol):
    """Ascending eigenvalues (and orthonormal eigenvectors as columns) of the tridiagonal
    matrices with diagonals d [..., n] and off-diagonals e [..., n-1]; `select_range` (lo, hi)
    keeps eigenvalues lo..hi (inclusive indices)."""
    n = d.shape[-1]
    k = _count(n, select_range)
    kw = {"select": "a"} if select_range is None else {"select": "i", "select_range": select_range}
    if tol is not None:
        kw["tol"] = tol

    def one(di, ei):
        out = scipy.linalg.eigh_tridiagonal(di, ei, eigvals_only=not compute_eigenvectors,
                                            check_finite=False, **kw)
        return out if compute_eigenvectors else (out,)

    shapes = [(k,), (n, k)][:1 + compute_eigenvectors]
    return per_matrix(one, [d, e], d.shape[:-1], shapes, [d.dtype] * len(shapes))


def _abstract(d: ShapedArray, e: ShapedArray, *, compute_eigenvectors, select_range, tol):
    if d.dtype not in _REAL or e.dtype != d.dtype:
        raise TypeError("eigh_tridiagonal needs real float32/float64 d and e of one dtype, got "
                        f"{d.dtype.name} and {e.dtype.name}")
    if d.ndim < 1 or e.shape != d.shape[:-1] + (max(d.shape[-1] - 1, 0),):
        raise ValueError("eigh_tridiagonal needs d of shape [..., n] and e of shape [..., n - 1], got "
                         f"{d.shape} and {e.shape}")
    n = d.shape[-1]
    if select_range is not None and not 0 <= select_range[0] <= select_range[1] < n:
        raise ValueError(f"eigh_tridiagonal: select_range {select_range} must satisfy "
                         f"0 <= lo <= hi < n = {n}")
    k = _count(n, select_range)
    w = ShapedArray(d.shape[:-1] + (k,), d.dtype, False)
    return [w, ShapedArray(d.shape + (k,), d.dtype, False)] if compute_eigenvectors else [w]


def _shift_rows(x, lo: int, hi: int):
    """Pad the second-to-last axis of x with `lo` zero rows before and `hi` after."""
    nd = aval_of(x).ndim
    config = [(0, 0, 0)] * nd
    config[nd - 2] = (lo, hi, 0)
    return ops.pad(x, np.zeros((), aval_of(x).dtype), config)


def _tridiag_times(dd, de, v):
    """T v for the tridiagonal T with diagonal dd and off-diagonal de (v: [..., n, k])."""
    nd = aval_of(v).ndim
    n = aval_of(v).shape[-2]
    out = ops.mul(ops.expand_dims(dd, (nd - 1,)), v)
    if n > 1:
        de_col = ops.expand_dims(de, (nd - 1,))
        below = ops.slice_in_dim(v, 1, n, axis=nd - 2)   # rows 1..n-1
        above = ops.slice_in_dim(v, 0, n - 1, axis=nd - 2)  # rows 0..n-2
        out = ops.add(out, _shift_rows(ops.mul(de_col, below), 0, 1))
        out = ops.add(out, _shift_rows(ops.mul(de_col, above), 1, 0))
    return out


def _jvp(primals, tangents, *, compute_eigenvectors, select_range, tol):
    """dw_i = v_iᵀ Ṫ v_i (first-order perturbation of a simple eigenvalue); eigenvectors (all of
    them only) dv = V (F ∘ Vᵀ Ṫ V), F_ij = 1 / (w_j - w_i)."""
    d, e = primals
    params = dict(select_range=select_range, tol=tol)
    w, v = eigh_tridiagonal_p.bind(d, e, compute_eigenvectors=True, **params)
    primal = [w, v] if compute_eigenvectors else [w]
    dd, de = tangents
    if type(dd) is Zero and type(de) is Zero:
        return primal, [Zero(aval_of(o).to_tangent_aval()) for o in primal]
    if compute_eigenvectors and select_range is not None:
        raise NotImplementedError("eigh_tridiagonal: the derivative of eigenvectors is only implemented "
                                  "for select='a' (a subset of eigenvectors needs the whole spectrum)")
    p = matmul(mT(v), _tridiag_times(instantiate(dd), instantiate(de), v))
    tangent = [diagonal(p)]
    if compute_eigenvectors:
        tangent.append(matmul(v, ops.mul(gap_reciprocals(w), p)))
    return primal, tangent


eigh_tridiagonal_p = define_primitive(
    "eigh_tridiagonal",
    impl=_impl,
    abstract_eval=_abstract,
    jvp=_jvp,
    batch=None,
    eager=checked_eager(_impl, _abstract, weak=False),
    multiple_results=True,
    weak_rule=never_weak,
)
eigh_tridiagonal_p.batch = front_batch(eigh_tridiagonal_p)


def eigh_tridiagonal(d: Any, e: Any, *, eigvals_only: bool = False, select: str = "a",
                     select_range: tuple | None = None, tol: float | None = None):
    """jax.scipy.linalg.eigh_tridiagonal's computation: the eigenvalues (ascending) of the real
    symmetric tridiagonal matrix with diagonal d and off-diagonal e, and with
    eigvals_only=False also its eigenvectors as columns ((w, v); signs are LAPACK's, JAX's
    inverse iteration may choose others). select='i' keeps indices select_range[0]..[1]
    (inclusive); select='v' has a data-dependent output shape and is not implemented (as in JAX).
    Leading batch dimensions are allowed. Eigenvalues are differentiable in d and e."""
    if select == "v":
        raise NotImplementedError("eigh_tridiagonal(..., select='v') is not implemented")
    if select == "a":
        rng = None
    elif select == "i":
        if select_range is None:
            raise ValueError("eigh_tridiagonal: select='i' needs select_range=(lo, hi)")
        rng = (int(select_range[0]), int(select_range[1]))
    else:
        raise ValueError(f"eigh_tridiagonal: select must be 'a', 'i' or 'v', got {select!r}")
    out = eigh_tridiagonal_p.bind(d, e, compute_eigenvectors=not eigvals_only, select_range=rng,
                                  tol=None if tol is None else float(tol))
    return out[0] if eigvals_only else tuple(out)
