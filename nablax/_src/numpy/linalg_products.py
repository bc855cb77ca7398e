"""jnp.linalg's products and views that need no factorization: cross, diagonal,
matrix_transpose, multi_dot (in the cheapest multiplication order) and matrix_power."""
from __future__ import annotations

import operator
from typing import Any, Sequence

from .. import numpy as jnp
from ..primitives.misc import convert_element_type
from . import linalg as _products
from .linalg_solve import inv
from .promotion import as_array, check_arraylike, promote_args


def cross(x1: Any, x2: Any, /, *, axis: int = -1):
    """jnp.linalg.cross: the cross product of 3-vectors along `axis` (other axes broadcast)."""
    check_arraylike("linalg.cross", x1, x2)
    x1, x2 = promote_args("linalg.cross", x1, x2)
    ax = operator.index(axis)
    for name, v in (("x1", x1), ("x2", x2)):
        if not -v.ndim <= ax < v.ndim:
            raise ValueError(f"jnp.linalg.cross: axis {axis} is out of bounds for {name} of shape {tuple(v.shape)}")
    n1, n2 = x1.shape[ax], x2.shape[ax]
    if n1 != 3 or n2 != 3:
        raise ValueError("jnp.linalg.cross: both inputs must be (arrays of) 3-vectors along axis "
                         f"{axis}, got x1 of shape {tuple(x1.shape)} and x2 of shape {tuple(x2.shape)}")
    a = jnp.moveaxis(x1, ax, -1)
    b = jnp.moveaxis(x2, ax, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    c = jnp.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    if c.weak_type:  # JAX's cross is strongly typed, even for weak inputs
        c = convert_element_type(c, c.dtype, weak_type=False)
    return jnp.moveaxis(c, -1, ax)


def diagonal(x: Any, /, *, offset: int = 0):
    """jnp.linalg.diagonal: the offset diagonal of the last two axes."""
    check_arraylike("linalg.diagonal", x)
    return jnp.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def matrix_transpose(x: Any, /):
    """jnp.linalg.matrix_transpose: swap the last two axes (ValueError below rank 2)."""
    check_arraylike("linalg.matrix_transpose", x)
    x = as_array(x)
    if x.ndim < 2:
        raise ValueError(f"jnp.linalg.matrix_transpose: needs an array of rank >= 2, got shape {tuple(x.shape)}")
    return jnp.matrix_transpose(x)


def _chain_order(dims: list) -> list:
    """The cheapest parenthesisation of a matrix chain with sizes dims[0] x dims[1] x ...
    (the classic O(n^3) dynamic programme): split[i][j] is where the product i..j splits."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, k
            cost[i][j] = best
    return split


def multi_dot(arrays: Sequence[Any], *, precision: Any = None):
    """jnp.linalg.multi_dot: the product of a chain of matrices (the first and last may be
    vectors), multiplied in the order with the fewest flops."""
    arrs = list(arrays)
    check_arraylike("linalg.multi_dot", *arrs)
    arrs = [as_array(a) for a in arrs]
    shapes = [tuple(a.shape) for a in arrs]
    if len(arrs) < 2:
        raise ValueError(f"jnp.linalg.multi_dot: needs at least two arrays, got {len(arrs)}")
    if not (arrs[0].ndim in (1, 2) and arrs[-1].ndim in (1, 2) and all(a.ndim == 2 for a in arrs[1:-1])):
        raise ValueError("jnp.linalg.multi_dot: the arrays must be 2-D, except the first and last, which may "
                         f"be 1-D; got shapes {shapes}")
    if any(a.shape[-1] != b.shape[0] for a, b in zip(arrs[:-1], arrs[1:])):
        raise ValueError("jnp.linalg.multi_dot: the last dimension of each array must match the first of the "
                         f"next; got shapes {shapes}")
    if len(arrs) == 2:
        return _products.matmul(arrs[0], arrs[1], precision=precision)
    dims = [1 if arrs[0].ndim == 1 else arrs[0].shape[0]] + [a.shape[-1] if a.ndim == 2 else 1 for a in arrs]
    dims[-1] = 1 if arrs[-1].ndim == 1 else arrs[-1].shape[1]
    split = _chain_order(dims)

    def product(i: int, j: int):
        if i == j:
            return arrs[i]
        k = split[i][j]
        return _products.matmul(product(i, k), product(k + 1, j), precision=precision)

    return product(0, len(arrs) - 1)


def matrix_power(a: Any, n: int):
    """jnp.linalg.matrix_power: a square matrix (stack) to an integer power by repeated
    squaring; n < 0 inverts first, n == 0 gives identities."""
    check_arraylike("linalg.matrix_power", a)
    a = as_array(a)
    if a.ndim < 2:
        raise TypeError(f"jnp.linalg.matrix_power: the array must be at least 2-D, got shape {tuple(a.shape)}")
    if a.shape[-2] != a.shape[-1]:
        raise TypeError(f"jnp.linalg.matrix_power: the last two dimensions must be square, got shape "
                        f"{tuple(a.shape)}")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"jnp.linalg.matrix_power: the exponent must be an integer, got {n!r}") from None
    if n == 0:
        return jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    if n < 0:
        a, n = inv(a), -n
    if n == 3:  # as JAX: (a @ a) @ a
        return _products.matmul(_products.matmul(a, a), a)
    result = None
    square = a
    while True:
        n, bit = divmod(n, 2)
        if bit:
            result = square if result is None else _products.matmul(result, square)
        if n == 0:
            return result
        square = _products.matmul(square, square)


__all__ = ["cross", "diagonal", "matrix_transpose", "multi_dot", "matrix_power"]
