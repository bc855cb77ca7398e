"""nablax.scipy.interpolate: RegularGridInterpolator, as jax.scipy.interpolate.

Query points are located on each axis by searchsorted (clamped to the outermost cell, so
points outside extrapolate linearly unless `fill_value` replaces them); 'linear' sums the
2**ndim cell corners with products of 1-D weights, 'nearest' picks the closer corner on
each axis (ties go down). Everything is lax, so the result is differentiable in the grid
values and the query points and runs under jit and vmap. The interpolator is a pytree
(children: grid, values, fill_value; static: method, bounds_error), as in JAX. As in JAX,
each grid axis must be strictly increasing (not checked), and `bounds_error=True` is not
supported.
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from . import dtypes
from . import numpy as jnp
from .numpy.promotion import check_arraylike, promote_args_inexact
from .tree import register_pytree_node

__all__ = ["RegularGridInterpolator"]

_METHODS = ("linear", "nearest")


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise ValueError(f"method {method!r} is not defined")


def _points_array(xi, ndim: int):
    """Query points as a (..., ndim) array: a tuple of coordinate arrays is broadcast and
    stacked (in the default float dtype, as JAX); a 1-D array is one point per ndim entries."""
    if isinstance(xi, tuple) and len(xi) == 1:
        xi = xi[0]
    if isinstance(xi, tuple):
        parts = jnp.broadcast_arrays(*xi)
        return jnp.stack([p.astype(dtypes.default_float_dtype()) for p in parts], axis=-1)
    check_arraylike("RegularGridInterpolator", xi)
    xi = jnp.asarray(xi)
    return xi.reshape(-1, ndim) if xi.ndim == 1 else xi


class RegularGridInterpolator:
    """Interpolation on a rectilinear grid: `points` (one increasing 1-D array per axis),
    `values` on that grid (trailing axes beyond the grid are carried along), `method`
    'linear' or 'nearest', and `fill_value` for points outside the grid (NaN by default;
    None extrapolates)."""

    def __init__(self, points, values, method: str = "linear", bounds_error: bool = False,
                 fill_value: Any = np.nan):
        _check_method(method)
        self.method = method
        self.bounds_error = bounds_error
        if bounds_error:
            raise NotImplementedError("`bounds_error` takes no effect under JIT")
        check_arraylike("RegularGridInterpolator", values)
        if len(points) > values.ndim:
            raise ValueError(f"there are {len(points)} point arrays, but values has {values.ndim} dimensions")
        (values,) = promote_args_inexact("RegularGridInterpolator", values)
        if fill_value is not None:
            check_arraylike("RegularGridInterpolator", fill_value)
            fill_value = jnp.asarray(fill_value)
            if not jnp.can_cast(fill_value.dtype, values.dtype, casting="same_kind"):
                raise ValueError("fill_value must be either 'None' or of a type compatible with values")
        self.fill_value = fill_value
        check_arraylike("RegularGridInterpolator", *points)
        self.grid = tuple(jnp.asarray(p) for p in points)
        self.values = values

    def __call__(self, xi, method: str | None = None):
        """The interpolated values at the points `xi` (shape (..., ndim), or a tuple of
        coordinate arrays); the result has shape xi.shape[:-1] + values.shape[ndim:]."""
        method = self.method if method is None else method
        _check_method(method)
        ndim = len(self.grid)
        xi = _points_array(xi, ndim)
        if xi.shape[-1] != ndim:
            raise ValueError(f"the requested sample points xi have dimension {xi.shape[-1]}, but this "
                             f"RegularGridInterpolator has dimension {ndim}")
        lead = xi.shape[:-1]
        flat = xi.reshape(-1, ndim)
        indices, fractions, outside = self._locate(flat.T)
        if method == "linear":
            result = self._linear(indices, fractions)
        else:
            result = self.values[tuple(jnp.where(t <= 0.5, i, i + 1) for i, t in zip(indices, fractions))]
        if self.fill_value is not None:
            mask = outside.reshape(result.shape[:1] + (1,) * (result.ndim - 1))
            result = jnp.where(mask, self.fill_value, result)
        return result.reshape(lead + self.values.shape[ndim:])

    def _locate(self, xi):
        """Per axis: the cell index of each point, its fractional position in the cell, and
        whether any coordinate lies outside the grid."""
        indices, fractions = [], []
        outside = jnp.zeros((xi.shape[1],), dtype=bool)
        for x, g in zip(xi, self.grid):
            i = jnp.clip(jnp.searchsorted(g, x) - 1, 0, g.size - 2)
            indices.append(i)
            fractions.append((x - g[i]) / (g[i + 1] - g[i]))
            outside = outside | (x < g[0]) | (x > g[-1])
        return indices, fractions, outside

    def _linear(self, indices, fractions):
        trailing = (slice(None),) + (None,) * (self.values.ndim - len(indices))
        total = jnp.asarray(0.0)
        for corner in itertools.product((0, 1), repeat=len(indices)):
            weight = jnp.asarray(1.0)
            for upper, t in zip(corner, fractions):
                weight = weight * (t if upper else 1 - t)
            total = total + self.values[tuple(i + u for i, u in zip(indices, corner))] * weight[trailing]
        return total


def _unflatten(aux, children) -> RegularGridInterpolator:
    # Rebuilt without __init__'s checks, so transformations may put any leaves in it.
    obj = object.__new__(RegularGridInterpolator)
    obj.grid, obj.values, obj.fill_value = children
    obj.method, obj.bounds_error = aux
    return obj


register_pytree_node(RegularGridInterpolator,
                     lambda r: ((r.grid, r.values, r.fill_value), (r.method, r.bounds_error)), _unflatten)
