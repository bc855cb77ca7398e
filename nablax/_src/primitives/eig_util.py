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
from ..core import eager_args
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


def checked_eager(impl: Callable, abstract: Callable, multiple: bool = True, weak: bool = True) -> Callable:
    """Eager path that runs the shape/dtype rule first, so eager and jit reject alike."""

    def eager(*args, **params):
        arrays, vals = eager_args(args)
        abstract(*[a.aval for a in arrays], **params)
        w = weak and all(a._weak for a in arrays)
        out = impl(np, *vals, **params)
        return [wrap(o, w) for o in out] if multiple else wrap(out, w)

    return eager


def front_batch(prim) -> Callable:
    """vmap rule: move every operand's batch axis to the front (broadcasting unbatched ones) and
    bind once; the primitives take leading batch dimensions."""

    def rule(args, dims, **params):
        size = templates.batch_size(args, dims)
        outs = prim.bind(*[templates.bdim_to_front(a, d, size) for a, d in zip(args, dims)], **params)
        return (outs, [0] * len(outs)) if prim.multiple_results else (outs, 0)

    return rule


def not_differentiable(name: str) -> Callable:
    """JVP of a primitive JAX has no derivative for: a NotImplementedError naming it."""

    def jvp(primals, tangents, **params):
        raise NotImplementedError(f"Differentiation rule for lax.linalg.{name} is not implemented "
                                  "(JAX 0.10 has none either)")

    return jvp


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


# ------------------------------------------------------------------ matrix helpers for JVPs

def matmul(a, b):
    """a @ b over the last two axes; leading axes are batch axes of both."""
    nd = templates.ndim_of(a)
    batch = tuple(range(nd - 2))
    return ops.dot_general(a, b, (((nd - 1,), (nd - 2,)), (batch, batch)))


def mT(x):
    nd = templates.ndim_of(x)
    return ops.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def mH(x):
    return ops.conj(mT(x))


def diagonal(x):
    """The diagonal of the last two axes (multiply by the identity, sum one axis)."""
    n = templates.shape_of(x)[-1]
    eye = wrap(np.eye(n, dtype=aval_of(x).dtype), False)
    return ops.reduce_sum(ops.mul(x, eye), (templates.ndim_of(x) - 1,))


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
        if np.isfinite(m).all():
            try:
                return fn(m, *rest)
            except (np.linalg.LinAlgError, ValueError):
                pass
        return None

    return safe
