"""Shared plumbing of the general-matrix primitive modules (eig*.py): input checks, an eager
path that validates, the front-batching vmap rule, a per-matrix LAPACK loop and the few
matrix helpers their JVP rules are written with (all on `ops`, so they differentiate again).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .. import ops
from ..array import wrap
from ..avals import ShapedArray
from ..dtypes import bfloat16
from . import templates
from ._define import aval_of

COMPLEX_OF = {np.dtype(np.float32): np.dtype(np.complex64), np.dtype(np.float64): np.dtype(np.complex128),
              np.dtype(np.complex64): np.dtype(np.complex64),
              np.dtype(np.complex128): np.dtype(np.complex128)}


def require_inexact(name: str, aval: ShapedArray, what: str = "operand") -> None:
    """TypeError unless float32/64 or complex64/128 (as JAX's lax.linalg, which rejects ints)."""
    if aval.dtype == bfloat16 or aval.dtype not in COMPLEX_OF:
        raise TypeError(f"lax.linalg.{name} does not accept dtype {aval.dtype.name} for its {what}; "
                        "it needs float32, float64, complex64 or complex128")


def require_square(name: str, aval: ShapedArray) -> int:
    """ValueError unless the operand is a (stack of) square matrices; returns n."""
    if aval.ndim < 2 or aval.shape[-1] != aval.shape[-2]:
        raise ValueError(f"lax.linalg.{name}: the input must be a square matrix (or a stack of them, "
                         f"shape [..., n, n]), got shape {aval.shape}")
    return aval.shape[-1]


def require_same_dtype(name: str, avals) -> None:
    if len({a.dtype for a in avals}) > 1:
        shown = ", ".join(a.dtype.name for a in avals)
        raise TypeError(f"lax.linalg.{name} requires arguments of one dtype, got {shown}")


_NAN_C = complex(np.nan, np.nan)


def per_matrix(fn: Callable, arrays, batch: tuple, out_shapes, out_dtypes) -> list:
    """Apply a SciPy kernel that takes one matrix to each entry of the leading `batch` dims
    (a loop over the stack: SciPy's LAPACK wrappers are not stacked). `fn` returns a tuple, or
    None for all-NaN outputs (see nan_on_failure)."""
    outs = [np.empty(batch + tuple(s), dt) for s, dt in zip(out_shapes, out_dtypes)]
    for idx in np.ndindex(*batch):
        res = fn(*[a[idx] for a in arrays])
        for j, o in enumerate(outs):
            o[idx] = (_NAN_C if o.dtype.kind == "c" else np.nan) if res is None else res[j]
    return outs


def gap_reciprocals(w):
    """F[..., i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it (the non-degenerate
    perturbation-theory weights)."""
    n = templates.shape_of(w)[-1]
    nd = templates.ndim_of(w)
    dt = aval_of(w).dtype
    eye = wrap(np.eye(n, dtype=dt), False)
    diff = ops.sub(ops.expand_dims(w, (nd - 1,)), ops.expand_dims(w, (nd,)))
    return ops.sub(ops.div(wrap(np.ones((), dt), False), ops.add(diff, eye)), eye)


def nan_on_failure(fn: Callable) -> Callable:
    """An iterative LAPACK kernel (geev, gees) for one matrix that gives NaN outputs, as JAX
    does, where the input is not finite or the iteration fails (instead of raising)."""

    def safe(m, *rest):
        if not np.isfinite(m).all():
            return None
        try:
            return fn(m, *rest)
        except (np.linalg.LinAlgError, ValueError):
            return None  # the iteration did not converge

    return safe
