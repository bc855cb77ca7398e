"""Helpers the factor/solve primitive modules share: operand checks, an eager path that
validates like abstract_eval, and matrix plumbing (transposes, products, triangles) on lax."""
from __future__ import annotations

import functools

import numpy as np

from .. import ops
from ..array import wrap
from ..avals import ShapedArray
from ..core import eager_args
from . import templates
from ._define import aval_of


def require_inexact(opname: str, aval: ShapedArray, position: int = 0) -> None:
    """TypeError unless the operand is a float or complex array (JAX's lax.linalg rule)."""
    if aval.dtype.kind not in "fc":
        raise TypeError(f"lax.linalg.{opname} does not accept dtype {aval.dtype.name} at position "
                        f"{position}; it needs a floating or complex array")


def require_rank(opname: str, aval: ShapedArray, rank: int, position: int = 0) -> None:
    if aval.ndim < rank:
        raise TypeError(f"lax.linalg.{opname}: input {position} must have rank at least {rank}, "
                        f"got shape {aval.shape}")


def require_same_batch(opname: str, avals, cores) -> tuple:
    """The common batch shape of operands with `cores[i]` trailing core axes each."""
    batches = [a.shape[:a.ndim - c] for a, c in zip(avals, cores)]
    if len({len(b) for b in batches}) != 1:
        raise TypeError(f"lax.linalg.{opname}: all inputs need the same number of batch dimensions, got "
                        f"shapes {', '.join(str(a.shape) for a in avals)}")
    if len(set(batches)) != 1:
        raise ValueError(f"lax.linalg.{opname}: inputs have different batch dimensions, got shapes "
                         f"{', '.join(str(a.shape) for a in avals)}")
    return batches[0]


def checked_eager(impl, abstract_eval, multiple_results: bool = False):
    """An eager path that validates with abstract_eval (so eager and jit reject alike) and takes
    the weak types from it."""

    def eager(*args, **params):
        arrays, vals = eager_args(args)
        out_aval = abstract_eval(*[a.aval for a in arrays], **params)
        out = impl(np, *vals, **params)
        if multiple_results:
            return [wrap(o, a.weak_type) for o, a in zip(out, out_aval)]
        return wrap(out, out_aval.weak_type)

    return eager


def matrix_transpose(x):
    """Swap the last two axes."""
    nd = templates.ndim_of(x)
    return ops.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def is_complex(x) -> bool:
    return aval_of(x).dtype.kind == "c"


def adjoint(x):
    """Conjugate transpose of the last two axes (plain transpose for real x)."""
    x = matrix_transpose(x)
    return ops.conj(x) if is_complex(x) else x


def matmul(x, y):
    """x @ y over the last two axes; both have the same leading batch dims."""
    nd = templates.ndim_of(x)
    batch = tuple(range(nd - 2))
    return ops.dot_general(x, y, (((nd - 1,), (nd - 2,)), (batch, batch)))


@functools.lru_cache(maxsize=256)
def _mask(rows: int, cols: int, k: int, lower: bool, dtype: np.dtype) -> np.ndarray:
    below = np.tri(rows, cols, k, dtype=bool)
    return (below if lower else ~np.tri(rows, cols, k - 1, dtype=bool)).astype(dtype)


def triangle(x, lower: bool, k: int = 0):
    """The lower (tril(x, k)) or upper (triu(x, k)) triangle of the last two axes."""
    aval = aval_of(x)
    return ops.mul(x, wrap(_mask(aval.shape[-2], aval.shape[-1], k, lower, aval.dtype)))


def front_batch(prim):
    """vmap rule of a one-operand primitive on (..., m, n) stacks: batch axis to the front."""

    def rule(args, dims, **params):
        (x,), (d,) = args, dims
        out = prim.bind(templates.moveaxis(x, d, 0), **params)
        return (out, [0] * len(out)) if prim.multiple_results else (out, 0)

    return rule
