"""nablax.flatten_util: as jax.flatten_util — a pytree of arrays as one flat vector, and back."""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from nablax import lax
from nablax import numpy as jnp
from nablax._src import dtypes
from nablax._src.tree import tree_flatten, tree_unflatten

__all__ = ["ravel_pytree"]


def ravel_pytree(pytree: Any) -> tuple[Any, Callable[[Any], Any]]:
    """(flat, unravel): the leaves raveled and concatenated in one 1-D array of their promoted
    dtype, and the function mapping such a vector back to the pytree (each leaf in its own
    shape and dtype). Both are differentiable and jittable."""
    leaves, treedef = tree_flatten(pytree)
    arrays = [jnp.asarray(x) for x in leaves]
    if not arrays:
        flat = jnp.zeros(0, dtypes.default_float_dtype())
    elif len(arrays) == 1:
        flat = jnp.ravel(arrays[0])
    else:
        dtype = dtypes.result_type(*leaves)
        flat = jnp.concatenate([jnp.ravel(lax.convert_element_type(a, dtype)) for a in arrays])
    shapes = [a.shape for a in arrays]
    leaf_dtypes = [a.dtype for a in arrays]
    sizes = [int(np.prod(s, dtype=int)) for s in shapes]
    flat_dtype, total = flat.dtype, flat.shape[0]

    def unravel(vector: Any) -> Any:
        vector = jnp.asarray(vector)
        if vector.shape != (total,):
            raise ValueError(f"unravel function given an array of shape {vector.shape}, but expected shape ({total},)")
        if vector.dtype != flat_dtype:
            raise TypeError(f"unravel function given array of dtype {vector.dtype}, but expected dtype {flat_dtype}")
        out, start = [], 0
        for shape, dtype, size in zip(shapes, leaf_dtypes, sizes):
            piece = jnp.reshape(lax.slice(vector, (start,), (start + size,)), shape)
            start += size
            if dtypes.is_complex(piece.dtype) and not dtypes.is_complex(dtype):
                warnings.warn("unravel: casting the complex flat vector to a real leaf discards the imaginary part",
                              np.exceptions.ComplexWarning, stacklevel=2)
                piece = jnp.real(piece)
            out.append(piece if piece.dtype == dtype else lax.convert_element_type(piece, dtype))
        return tree_unflatten(treedef, out)

    return flat, unravel
