"""Householder-based condensed forms: hessenberg (?gehrd), tridiagonal (?sytrd/?hetrd), and the
products of their reflectors: householder_product (?orgqr/?ungqr) and ormqr (?ormqr/?unmqr).

Outputs are LAPACK's packed forms, as JAX's CPU backend returns them. SciPy's LAPACK wrappers
take one matrix, so each impl loops over the leading stack dimensions. None of these is
differentiable in JAX 0.10, and none here: their JVPs raise NotImplementedError.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy.linalg import lapack

from ..avals import ShapedArray
from ._define import define_primitive
from .eig_util import (
    checked_eager,
    front_batch,
    not_differentiable,
    per_matrix,
    require_inexact,
    require_same_dtype,
    require_square,
)

_REAL_OF = {"F": np.dtype(np.float32), "D": np.dtype(np.float64)}


def _real_dtype(dtype: np.dtype) -> np.dtype:
    return _REAL_OF.get(dtype.char, dtype)


def _kernel(real: str, cplx: str, dtype: np.dtype):
    return lapack.get_lapack_funcs(cplx if dtype.kind == "c" else real, dtype=dtype)


def _define(name: str, impl, abstract, multiple: bool = True):
    prim = define_primitive(name, impl=impl, abstract_eval=abstract, jvp=not_differentiable(name),
                            batch=None, eager=checked_eager(impl, abstract, multiple),
                            multiple_results=multiple)
    prim.batch = front_batch(prim)
    return prim


# ----------------------------------------------------------------------------- hessenberg

def _hessenberg_impl(xp, a):
    n = a.shape[-1]
    if n == 0:  # (LAPACK's wrapper rejects empty matrices; the reduction of nothing is nothing)
        return [a.copy(), np.empty(a.shape[:-2] + (0,), a.dtype)]
    gehrd = _kernel("gehrd", "gehrd", a.dtype)
    return per_matrix(lambda m: gehrd(m)[:2], [a], a.shape[:-2], [(n, n), (max(n - 1, 0),)], [a.dtype] * 2)


def _hessenberg_abstract(a: ShapedArray):
    require_inexact("hessenberg", a)
    n = require_square("hessenberg", a)
    return [ShapedArray(a.shape, a.dtype, a.weak_type),
            ShapedArray(a.shape[:-2] + (max(n - 1, 0),), a.dtype, a.weak_type)]


hessenberg_p = _define("hessenberg", _hessenberg_impl, _hessenberg_abstract)


def hessenberg(a: Any) -> list:
    """lax.linalg.hessenberg: [a, taus], LAPACK gehrd's packed form: the upper Hessenberg matrix
    on and above the first subdiagonal, the reflectors below it, their scalar factors in taus
    (Q = H_1 ⋯ H_{n-1}, so A = Q H Qᴴ; householder_product(a, taus) forms Q)."""
    return hessenberg_p.bind(a)


# ---------------------------------------------------------------------------- tridiagonal

def _tridiagonal_impl(xp, a, *, lower):
    n = a.shape[-1]
    sytrd = _kernel("sytrd", "hetrd", a.dtype)
    rdt = _real_dtype(a.dtype)
    k = max(n - 1, 0)
    return per_matrix(lambda m: sytrd(m, lower=int(lower))[:4], [a], a.shape[:-2],
                      [(n, n), (n,), (k,), (k,)], [a.dtype, rdt, rdt, a.dtype])


def _tridiagonal_abstract(a: ShapedArray, *, lower):
    require_inexact("tridiagonal", a)
    n = require_square("tridiagonal", a)
    if n == 0:  # as JAX
        raise ValueError(f"lax.linalg.tridiagonal: the input must be a non-empty square matrix, got shape {a.shape}")
    batch, rdt, w, k = a.shape[:-2], _real_dtype(a.dtype), a.weak_type, max(n - 1, 0)
    return [ShapedArray(a.shape, a.dtype, w), ShapedArray(batch + (n,), rdt, w),
            ShapedArray(batch + (k,), rdt, w), ShapedArray(batch + (k,), a.dtype, w)]


tridiagonal_p = _define("tridiagonal", _tridiagonal_impl, _tridiagonal_abstract)


def tridiagonal(a: Any, *, lower: bool = True) -> list:
    """lax.linalg.tridiagonal: [a, d, e, taus] of a symmetric/Hermitian matrix (sytrd/hetrd),
    reading only the `lower` (or upper) triangle. d is the diagonal, e the first sub- (super-)
    diagonal of the tridiagonal form, the reflectors are packed below (above) it in a."""
    return tridiagonal_p.bind(a, lower=bool(lower))


# -------------------------------------------------------------------- householder_product

def _householder_product_impl(xp, a, taus):
    orgqr = _kernel("orgqr", "ungqr", a.dtype)
    m, n = a.shape[-2:]
    (q,) = per_matrix(lambda x, t: orgqr(x, t)[:1], [a, taus], a.shape[:-2], [(m, n)], [a.dtype])
    return q


def _householder_product_abstract(a: ShapedArray, taus: ShapedArray):
    require_inexact("householder_product", a)
    require_same_dtype("householder_product", (a, taus))
    if a.ndim < 2 or taus.ndim != a.ndim - 1 or a.shape[:-2] != taus.shape[:-1]:
        raise ValueError("lax.linalg.householder_product needs a of shape [..., m, n] and taus of shape "
                         f"[..., k] with the same batch dimensions, got {a.shape} and {taus.shape}")
    m, n = a.shape[-2:]
    if m < n:
        raise ValueError("lax.linalg.householder_product: the first argument must have at least as many "
                         f"rows as columns, got shape {a.shape}")
    if taus.shape[-1] > n:
        raise ValueError(f"lax.linalg.householder_product: taus of shape {taus.shape} has more entries "
                         f"than min(m, n) for a of shape {a.shape}")
    return ShapedArray(a.shape, a.dtype, a.weak_type and taus.weak_type)


householder_product_p = _define("householder_product", _householder_product_impl,
                                _householder_product_abstract, multiple=False)


def householder_product(a: Any, taus: Any):
    """lax.linalg.householder_product: Q = H_1 ⋯ H_k (first n columns, a's shape) from the
    reflectors below a's diagonal and their scalar factors taus (orgqr/ungqr)."""
    return householder_product_p.bind(a, taus)


# ------------------------------------------------------------------------------------ ormqr

def _ormqr_impl(xp, a, taus, c, *, left, transpose):
    ormqr = _kernel("ormqr", "unmqr", a.dtype)
    k = taus.shape[-1]
    side = "L" if left else "R"
    trans = ("C" if a.dtype.kind == "c" else "T") if transpose else "N"
    lwork = max(1, *c.shape[-2:]) * 64

    def one(x, t, y):
        return ormqr(side, trans, x[:, :k], t, y, lwork)[:1]

    (out,) = per_matrix(one, [a, taus, c], a.shape[:-2], [c.shape[-2:]], [c.dtype])
    return out


def _ormqr_abstract(a: ShapedArray, taus: ShapedArray, c: ShapedArray, *, left, transpose):
    require_inexact("ormqr", a)
    require_same_dtype("ormqr", (a, taus, c))
    if (a.ndim < 2 or c.ndim != a.ndim or taus.ndim != a.ndim - 1 or
            not a.shape[:-2] == c.shape[:-2] == taus.shape[:-1]):
        raise ValueError("lax.linalg.ormqr needs a [..., m, n], taus [..., k] and c [..., p, q] with the "
                         f"same batch dimensions, got shapes {a.shape}, {taus.shape} and {c.shape}")
    m, n = a.shape[-2:]
    if taus.shape[-1] > min(m, n):
        raise ValueError(f"lax.linalg.ormqr: taus of shape {taus.shape} has more entries than min(m, n) "
                         f"for a of shape {a.shape}")
    if c.shape[-2 if left else -1] != m:
        which = "rows" if left else "columns"
        raise ValueError(f"lax.linalg.ormqr with left={left} needs c to have as many {which} as a has rows, "
                         f"got a of shape {a.shape} and c of shape {c.shape}")
    return ShapedArray(c.shape, c.dtype, a.weak_type and taus.weak_type and c.weak_type)


ormqr_p = _define("ormqr", _ormqr_impl, _ormqr_abstract, multiple=False)


def ormqr(a: Any, taus: Any, c: Any, *, left: bool = True, transpose: bool = False):
    """lax.linalg.ormqr: Q @ c, Qᴴ @ c (transpose), c @ Q or c @ Qᴴ (left=False) without forming
    Q, Q being the product of the reflectors in (a, taus) as householder_product forms it."""
    return ormqr_p.bind(a, taus, c, left=bool(left), transpose=bool(transpose))


__all__ = ["hessenberg", "tridiagonal", "householder_product", "ormqr"]
