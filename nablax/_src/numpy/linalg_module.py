"""The nablax.numpy.linalg namespace: the norms and array-API products here, and the
names of linalg_products (cross, multi_dot, ...), linalg_solve (solve, inv, det,
slogdet, ...) and linalg_decomp (cholesky, eigh, svd, qr, pinv, lstsq, ...). The public
module `nablax/numpy/linalg.py` re-exports `__all__` (JAX 0.10's 31 names).
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import dtypes
from .. import numpy as jnp
from ..lax_api import check_precision
from ..primitives import elementwise as ew
from ..primitives import reductions, special
from ..primitives import shape as lax_shape
from ..primitives.misc import convert_element_type
from . import linalg as _products
from . import linalg_decomp, linalg_products, linalg_solve
from .linalg_decomp import *  # noqa: F403
from .linalg_decomp import svdvals
from .linalg_products import *  # noqa: F403
from .linalg_solve import *  # noqa: F403
from .linalg_solve import inv
from .promotion import promote_args, promote_args_inexact

_INF = float("inf")


def _abs(x):
    return ew.abs(x) if x.dtype.kind in "ifc" else x


def _keep(out, shape: tuple, axes: tuple, keepdims: bool):
    """The norm `out` with the reduced axes kept as 1s when asked; a strong type, as JAX's
    norms always are (a weak input gives a strong result)."""
    if out.weak_type:
        out = convert_element_type(out, out.dtype, weak_type=False)
    if not keepdims:
        return out
    return lax_shape.reshape(out, tuple(1 if i in axes else d for i, d in enumerate(shape)))


def _norm_axes(x, axis) -> tuple:
    axes = (axis,) if isinstance(axis, int) or hasattr(axis, "__index__") else tuple(axis)
    out = []
    for a in axes:
        a = operator.index(a)
        if not -x.ndim <= a < x.ndim:
            raise ValueError(f"jnp.linalg.norm: axis {a} is out of bounds for an array of shape {tuple(x.shape)}")
        out.append(a % x.ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"jnp.linalg.norm: duplicate axes {axis}")
    return tuple(out)


def _sum_abs_squared(x, axes: tuple):
    a = _abs(x) if x.dtype.kind == "c" else x
    return reductions.reduce_sum(ew.mul(a, a), axes)


def _vector_norm(x, ord, axes: tuple):
    if ord is None or ord == 2:
        return special.sqrt(_sum_abs_squared(x, axes))
    if isinstance(ord, str):
        raise ValueError(f"jnp.linalg.norm: invalid norm order {ord!r} for vectors")
    if ord == _INF:
        return reductions.reduce_max(_abs(x), axes)
    if ord == -_INF:
        return reductions.reduce_min(_abs(x), axes)
    if ord == 0:
        nonzero = ew.ne(x, 0)
        return reductions.reduce_sum(convert_element_type(nonzero, dtypes.complex_to_real(x.dtype)), axes)
    if ord == 1:
        return reductions.reduce_sum(_abs(x), axes)
    p = float(ord)
    a = _abs(x)
    return ew.pow(reductions.reduce_sum(ew.pow(a, p), axes), 1.0 / p)


def _matrix_norm(x, ord, axes: tuple):
    row, col = axes
    if ord is None or ord in ("fro", "f"):
        return special.sqrt(_sum_abs_squared(x, axes))
    if ord in (1, -1):  # max/min over columns of the column sums
        sums = reductions.reduce_sum(_abs(x), (row,))
        col_after = col - (col > row)
        return (reductions.reduce_max if ord == 1 else reductions.reduce_min)(sums, (col_after,))
    if ord in (_INF, -_INF):  # max/min over rows of the row sums
        sums = reductions.reduce_sum(_abs(x), (col,))
        row_after = row - (row > col)
        return (reductions.reduce_max if ord == _INF else reductions.reduce_min)(sums, (row_after,))
    if ord in ("nuc", 2, -2):  # from the singular values of the (row, col) planes
        s = svdvals(lax_shape.transpose(x, tuple(d for d in range(x.ndim) if d not in axes) + (row, col)))
        reduce = {2: reductions.reduce_max, -2: reductions.reduce_min, "nuc": reductions.reduce_sum}[ord]
        return reduce(s, (s.ndim - 1,))
    raise ValueError(f"jnp.linalg.norm: invalid norm order {ord!r} for matrices")


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False):
    """jnp.linalg.norm: vector norms (ord None/2, 1, inf, -inf, 0, any p) over one axis and
    matrix norms ('fro', 1, -1, inf, -inf) over two; axis=None with ord=None is the 2-norm of
    the flattened array. The result is real (complex inputs give their real dtype)."""
    (x,) = promote_args_inexact("linalg.norm", x)
    shape = tuple(x.shape)
    if axis is None:
        if ord is None:
            axes = tuple(range(x.ndim))
            return _keep(special.sqrt(_sum_abs_squared(x, axes)), shape, axes, keepdims)
        if x.ndim not in (1, 2):
            raise ValueError(f"jnp.linalg.norm: with ord={ord!r} and axis=None the array must be 1-D or 2-D, "
                             f"got shape {shape}")
        axes = tuple(range(x.ndim))
    else:
        axes = _norm_axes(x, axis)
    if len(axes) == 1:
        out = _vector_norm(x, ord, axes)
    elif len(axes) == 2:
        out = _matrix_norm(x, ord, axes)
    else:
        raise ValueError(f"jnp.linalg.norm: axis must name one or two axes, got {axis!r}")
    return _keep(out, shape, axes, keepdims)


def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2):
    """jnp.linalg.vector_norm: a vector norm over `axis` (all axes, flattened, when None)."""
    (x,) = promote_args_inexact("linalg.vector_norm", x)
    shape = tuple(x.shape)
    axes = tuple(range(x.ndim)) if axis is None else _norm_axes(x, axis)
    if isinstance(ord, str):
        raise ValueError(f"jnp.linalg.vector_norm: invalid norm order {ord!r}")
    return _keep(_vector_norm(x, ord, axes), shape, axes, keepdims)


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro"):
    """jnp.linalg.matrix_norm: a matrix norm over the last two axes."""
    (x,) = promote_args_inexact("linalg.matrix_norm", x)
    if x.ndim < 2:
        raise ValueError(f"jnp.linalg.matrix_norm: needs rank >= 2, got shape {tuple(x.shape)}")
    axes = (x.ndim - 2, x.ndim - 1)
    return _keep(_matrix_norm(x, ord, axes), tuple(x.shape), axes, keepdims)


def cond(x: Any, p: Any = None):
    """jnp.linalg.cond: the condition number in the norm `p` (None/2/-2 from singular values;
    others as norm(x) * norm(inv(x)) for square x). NaN results become inf where x has no NaN."""
    (x,) = promote_args_inexact("linalg.cond", x)
    if x.ndim < 2:
        raise ValueError(f"jnp.linalg.cond: the input must be at least 2-D, got shape {tuple(x.shape)}")
    if x.shape[-1] == 0 or x.shape[-2] == 0:
        raise ValueError(f"jnp.linalg.cond: the input must not be empty, got shape {tuple(x.shape)}")
    if p is None or p == 2:
        s = svdvals(x)
        return s[..., 0] / s[..., -1]
    if p == -2:
        s = svdvals(x)
        r = s[..., -1] / s[..., 0]
    else:
        if x.shape[-2] != x.shape[-1]:
            raise ValueError(f"jnp.linalg.cond: for p={p!r} the array must be square, got shape {tuple(x.shape)}")
        r = norm(x, ord=p, axis=(-2, -1)) * norm(inv(x), ord=p, axis=(-2, -1))
    has_nan = jnp.any(jnp.isnan(x), axis=(-2, -1))
    return jnp.where(jnp.isnan(r) & ~has_nan, np.inf, r)


def matmul(x1: Any, x2: Any, /, *, precision=None, preferred_element_type=None):
    """jnp.linalg.matmul: jnp.matmul."""
    return _products.matmul(x1, x2, precision=precision, preferred_element_type=preferred_element_type)


def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2, precision=None, preferred_element_type=None):
    """jnp.linalg.tensordot: jnp.tensordot."""
    return _products.tensordot(x1, x2, axes, precision=precision, preferred_element_type=preferred_element_type)


def outer(x1: Any, x2: Any, /):
    """jnp.linalg.outer: the outer product of two 1-D arrays."""
    for i, v in enumerate((x1, x2)):
        if getattr(v, "ndim", 0) != 1:
            raise ValueError(f"jnp.linalg.outer: inputs must be 1-D, argument {i} has shape {getattr(v, 'shape', ())}")
    return _products.outer(x1, x2)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None):
    """jnp.linalg.trace: sum of the offset diagonal of the last two axes."""
    return _products.trace(x, offset, -2, -1, dtype)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1, precision=None, preferred_element_type=None):
    """jnp.linalg.vecdot: sum over `axis` of conj(x1) * x2, other axes broadcast."""
    if precision is not None:
        check_precision("jnp.linalg.vecdot", precision)
    x1, x2 = promote_args("linalg.vecdot", x1, x2)
    if x1.dtype.kind == "c":
        x1 = ew.conj(x1)
    prod = ew.mul(x1, x2)
    if prod.ndim == 0:
        raise ValueError("jnp.linalg.vecdot: inputs must have at least one dimension")
    ax = operator.index(axis)
    if not -prod.ndim <= ax < prod.ndim:
        raise ValueError(f"jnp.linalg.vecdot: axis {axis} is out of bounds for shape {tuple(prod.shape)}")
    n1 = x1.shape[ax] if x1.ndim > 0 and -x1.ndim <= ax < x1.ndim else None
    n2 = x2.shape[ax] if x2.ndim > 0 and -x2.ndim <= ax < x2.ndim else None
    if n1 is not None and n2 is not None and n1 != n2:
        raise ValueError(f"jnp.linalg.vecdot: axis {axis} has size {n1} in x1 {tuple(x1.shape)} and {n2} "
                         f"in x2 {tuple(x2.shape)}")
    out = reductions.reduce_sum(prod, (ax % prod.ndim,))
    if preferred_element_type is not None:
        out = convert_element_type(out, dtypes.check_user_dtype(preferred_element_type, "jnp.linalg.vecdot"))
    return out


__all__ = (["norm", "vector_norm", "matrix_norm", "cond", "matmul", "tensordot", "outer", "trace", "vecdot"]
           + linalg_products.__all__ + linalg_solve.__all__ + linalg_decomp.__all__)
