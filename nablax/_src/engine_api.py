"""Top-level transformations beyond the core: host callbacks, checkpoint policies, naming,
compile-time evaluation and the custom-gradient conveniences.

pure_callback and io_callback bind the host-callback primitives (primitives/callbacks.py)
with the user's function flattened; the rest are re-exported from where they live.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .avals import ShapedArray
from .control_flow.common import as_value as _as_operand
from .dtypes import canonicalize_dtype
from .primitives.callbacks import VMAP_METHODS, io_callback_p, io_effect, ordered_io_effect, pure_callback_p
from .remat_policies import checkpoint_policies  # noqa: F401
from .traceback_util import api_boundary
from .transform_extras import closure_convert, custom_gradient, ensure_compile_time_eval, named_call, named_scope  # noqa: F401
from .tree import tree_flatten, tree_leaves, tree_unflatten


def _result_avals(result_shape_dtypes) -> tuple[tuple, Any]:
    """The flat result avals and their tree; 64-bit dtypes refused when x64 is off (as JAX)."""
    leaves, tree = tree_flatten(result_shape_dtypes)
    avals = []
    for leaf in leaves:
        if not (hasattr(leaf, "shape") and hasattr(leaf, "dtype")):
            raise TypeError(f"result_shape_dtypes leaves must have .shape and .dtype (e.g. ShapeDtypeStruct), "
                            f"got {leaf!r} of type {type(leaf).__name__}")
        dt = np.dtype(leaf.dtype)
        if canonicalize_dtype(dt) != dt:
            raise ValueError("result_shape_dtypes cannot specify 64-bit types when `jax_enable_x64` is disabled")
        avals.append(ShapedArray(tuple(leaf.shape), dt))
    return tuple(avals), tree


def _flat_callback(callback: Callable, in_tree) -> Callable:
    """`callback` on the flat operands (Arrays), rebuilt into its (args, kwargs); returns flat leaves."""
    def flat(*xs):
        args, kwargs = tree_unflatten(in_tree, list(xs))
        return tree_leaves(callback(*args, **kwargs))

    flat.__name__ = getattr(callback, "__name__", "callback")
    return flat


def _check_sharding(sharding, where: str) -> None:
    if sharding is not None:
        raise NotImplementedError(f"{where}(sharding=...): nablax runs on one CPU device and has no shardings "
                                  "to place the callback's results on; pass sharding=None")


@api_boundary
def pure_callback(callback: Callable, result_shape_dtypes: Any, *args: Any, sharding=None,
                  vmap_method: str | None = None, **kwargs: Any):
    """Call the Python function `callback` on the concrete values of `args` (also inside
    jit, where the compiled code calls it); its results must match `result_shape_dtypes`.

    As in JAX it is assumed pure: an unused result lets jit skip the call. Not
    differentiable (wrap it in custom_jvp/custom_vjp); under vmap `vmap_method` says how
    it is batched ('sequential' loops over the examples, 'expand_dims'/'broadcast_all'/
    'legacy_vectorized' call it once on the batch)."""
    if vmap_method not in VMAP_METHODS:
        raise ValueError(f"vmap_method must be on of the allowed methods {list(VMAP_METHODS)}, but got: {vmap_method}")
    _check_sharding(sharding, "pure_callback")
    flat_args, in_tree = tree_flatten((args, kwargs))
    avals, out_tree = _result_avals(result_shape_dtypes)
    outs = pure_callback_p.bind(*[_as_operand(a) for a in flat_args], callback=_flat_callback(callback, in_tree),
                                result_avals=avals, sharding=sharding, vmap_method=vmap_method)
    return tree_unflatten(out_tree, outs)


@api_boundary
def io_callback(callback: Callable, result_shape_dtypes: Any, *args: Any, sharding=None, ordered: bool = False,
                **kwargs: Any):
    """Call `callback` for its side effect (and results): never dropped by jit, even when
    its results are unused, and run in program order. Not differentiable; under vmap it
    is called once per example, and an ordered one cannot be vmapped (as in JAX)."""
    _check_sharding(sharding, "io_callback")
    flat_args, in_tree = tree_flatten((args, kwargs))
    avals, out_tree = _result_avals(result_shape_dtypes)
    outs = io_callback_p.bind(*[_as_operand(a) for a in flat_args], callback=_flat_callback(callback, in_tree),
                              result_avals=avals, sharding=sharding, ordered=bool(ordered),
                              effect=ordered_io_effect if ordered else io_effect)
    return tree_unflatten(out_tree, outs)


def effects_barrier() -> None:
    """Wait until every side effect (callbacks, debug prints) issued so far has happened.
    nablax runs each effect when its equation runs, synchronously, so there is never
    anything outstanding: this returns at once."""
    return None


__all__ = [
    "effects_barrier", "pure_callback", "checkpoint_policies", "named_call", "named_scope", "ensure_compile_time_eval",
    "custom_gradient", "closure_convert",
]
