"""nablax.scipy.ndimage: map_coordinates, as jax.scipy.ndimage.

Interpolation of order 0 (nearest, rounding half away from zero) or 1 (multilinear) is a
sum over the 2**ndim (or one) neighbouring grid points of gathered values times products
of 1-D weights, so it is differentiable in the input and in the coordinates and runs under
jit and vmap. Boundary modes follow SciPy's documentation, as JAX does (which departs from
SciPy's implementation near the edges): 'constant' is SciPy's 'grid-constant' (a neighbour
outside the grid contributes `cval`), 'wrap' is 'grid-wrap', and 'nearest', 'mirror',
'reflect' fold indices back into the grid.
"""
from __future__ import annotations

import functools
import itertools
import operator
from typing import Any, Callable, Sequence

import numpy as np

from . import dtypes
from . import numpy as jnp
from .primitives import special as lax_special

__all__ = ["map_coordinates"]


def _mirror(index, size: int):
    """Fold `index` into [0, size) as a triangle wave of half-period size - 1 (edge samples once)."""
    period = size - 1
    return jnp.abs((index + period) % (2 * period) - period)


def _reflect(index, size: int):
    """Fold `index` into [0, size) reflecting about the grid's outer edges (edge samples twice)."""
    return jnp.floor_divide(_mirror(2 * index + 1, 2 * size + 1) - 1, 2)


_FOLD: dict[str, Callable[[Any, int], Any]] = {
    "constant": lambda index, size: index,
    "nearest": lambda index, size: jnp.clip(index, 0, size - 1),
    "wrap": lambda index, size: index % size,
    "mirror": _mirror,
    "reflect": _reflect,
}


def _round_half_away(x):
    return x if dtypes.issubdtype(x.dtype, np.integer) else lax_special.round(x)


def _nearest_nodes(coordinate) -> list[tuple[Any, Any]]:
    return [(_round_half_away(coordinate).astype(np.int32), coordinate.dtype.type(1))]


def _linear_nodes(coordinate) -> list[tuple[Any, Any]]:
    lower = jnp.floor(coordinate)
    upper_weight = coordinate - lower
    index = lower.astype(np.int32)
    return [(index, 1 - upper_weight), (index + 1, upper_weight)]


def map_coordinates(input: Any, coordinates: Sequence[Any], order: int, mode: str = "constant",
                    cval: Any = 0.0):
    """`input` interpolated at `coordinates` (one array of positions per axis of `input`,
    all of one shape), by nearest neighbour (order 0) or linearly (order 1); positions
    outside the grid are handled by `mode`, with `cval` as the outside value in 'constant'."""
    values = jnp.asarray(input)
    coords = [jnp.asarray(c) for c in coordinates]
    cval = jnp.asarray(cval, values.dtype)
    if len(coords) != values.ndim:
        raise ValueError("coordinates must be a sequence of length input.ndim, but "
                         f"{len(coords)} != {values.ndim}")
    fold = _FOLD.get(mode)
    if fold is None:
        raise NotImplementedError(f"nablax.scipy.ndimage.map_coordinates does not yet support mode {mode}. "
                                  f"Currently supported modes are {set(_FOLD)}.")
    if order == 0:
        nodes = _nearest_nodes
    elif order == 1:
        nodes = _linear_nodes
    else:
        raise NotImplementedError("nablax.scipy.ndimage.map_coordinates currently requires order<=1")

    per_axis = []
    for coordinate, size in zip(coords, values.shape):
        axis_nodes = []
        for index, weight in nodes(coordinate):
            if mode == "constant":
                inside = (index >= 0) & (index < size)
                # Outside points read a clamped (in-range) neighbour, then are replaced by cval.
                axis_nodes.append((jnp.clip(index, 0, size - 1), inside, weight))
            else:
                axis_nodes.append((fold(index, size), None, weight))
        per_axis.append(axis_nodes)

    terms = []
    for combo in itertools.product(*per_axis):
        indices = tuple(node[0] for node in combo)
        masks = [node[1] for node in combo if node[1] is not None]
        picked = values[indices]
        if masks:
            picked = jnp.where(functools.reduce(operator.and_, masks), picked, cval)
        terms.append(functools.reduce(operator.mul, [node[2] for node in combo]) * picked)
    result = functools.reduce(operator.add, terms)
    if dtypes.issubdtype(values.dtype, np.integer):
        result = _round_half_away(result)
    return result.astype(values.dtype)
