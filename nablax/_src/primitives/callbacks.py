"""Host callbacks as primitives: pure_callback, io_callback and debug_callback (effects).

Each primitive carries the user's function, already flattened (flat Arrays in, flat
leaves out), as its `callback` param; `impl` calls it on the concrete values, so eager
code, generated jit code and every interpreter run it the same way.

Effects: an equation whose params hold a non-None `effect` (io_callback, debug_callback)
is effectful. jit's passes never drop, merge or fold it (`jit/passes.py`), and every
equation runs in program order, so ordered and unordered effects alike happen in the
order the program states them (nablax runs on one thread; "unordered" only permits
reordering, which nablax never does).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .. import ops
from ..array import wrap
from ..avals import ShapedArray
from ..dtypes import canonicalize_dtype
from ._define import define_primitive, never_weak
from .templates import batch_size, moveaxis


class Effect:
    """A side effect an equation has; jit keeps effectful equations in program order."""

    def __repr__(self) -> str:
        return type(self).__name__


class DebugEffect(Effect):
    """debug.print / debug.callback (ordered=False)."""


class OrderedDebugEffect(Effect):
    """debug.print / debug.callback with ordered=True."""


class IOEffect(Effect):
    """io_callback (ordered=False)."""


class OrderedIOEffect(Effect):
    """io_callback with ordered=True."""


debug_effect = DebugEffect()
ordered_debug_effect = OrderedDebugEffect()
io_effect = IOEffect()
ordered_io_effect = OrderedIOEffect()

VMAP_METHODS = ("sequential", "sequential_unrolled", "expand_dims", "broadcast_all", "legacy_vectorized", None)


# ------------------------------------------------------------------------ helpers

def _arrays(vals) -> list:
    return [wrap(np.asarray(v), False) for v in vals]


def checked_results(outs: Sequence, result_avals: Sequence[ShapedArray]) -> list:
    """The callback's flat results as NumPy arrays of exactly `result_avals` (dtypes made
    canonical first, as JAX does: float64 is float32 unless x64 is on); a RuntimeError
    naming the first mismatch otherwise."""
    if len(outs) != len(result_avals):
        raise RuntimeError(
            f"The callback returned {len(outs)} values, but result_shape_dtypes describes "
            f"{len(result_avals)}; return values structured like result_shape_dtypes"
        )
    checked = []
    for i, (o, aval) in enumerate(zip(outs, result_avals)):
        v = np.asarray(o)
        dtype = canonicalize_dtype(v.dtype)
        if dtype != aval.dtype:
            raise RuntimeError(f"Incorrect output dtype for return value #{i}: Expected: {aval.dtype.name}, "
                               f"Actual: {dtype.name}")
        if v.shape != aval.shape:
            raise RuntimeError(f"Incorrect output shape for return value #{i}: Expected: {aval.shape}, "
                               f"Actual: {v.shape}")
        checked.append(v.astype(dtype, copy=False))
    return checked


def _batched_avals(result_avals, size: int) -> tuple:
    return tuple(ShapedArray((size, *a.shape), a.dtype) for a in result_avals)


def _front(args, dims) -> tuple[list, int]:
    """Batched operands with their batch axis first; the batch size."""
    return [a if d is None else moveaxis(a, d, 0) for a, d in zip(args, dims)], batch_size(args, dims)


def _looped(callback: Callable, batched: Sequence[bool], size: int, result_avals) -> Callable:
    """`callback` applied once per example (batched operands sliced on axis 0, the others
    shared), its checked results stacked: how a callback runs under vmap sequentially."""
    def looped(*xs):
        raw = [np.asarray(x) for x in xs]
        per_example = [
            checked_results(callback(*[wrap(r[i] if b else r, False) for r, b in zip(raw, batched)]), result_avals)
            for i in range(size)
        ]
        if result_avals:
            return [np.stack(col) for col in zip(*per_example)] if size else [
                np.zeros((0, *a.shape), a.dtype) for a in result_avals]
        return []

    looped.__name__ = getattr(callback, "__name__", "callback")
    return looped


# -------------------------------------------------------------------- pure_callback

def _callback_impl(xp, *vals, callback, result_avals, **_):
    return checked_results(callback(*_arrays(vals)), result_avals)


def _pure_jvp(primals, tangents, **params):
    raise ValueError("Pure callbacks do not support JVP. Please use `custom_jvp` (or `custom_vjp`) to use "
                     "callbacks while taking gradients.")


def _pure_batch(args, dims, *, callback, result_avals, sharding, vmap_method):
    if vmap_method not in ("sequential", "sequential_unrolled", "expand_dims", "broadcast_all", "legacy_vectorized"):
        raise NotImplementedError(
            "vmap is only supported for the pure_callback primitive when vmap_method is one of 'sequential', "
            "'sequential_unrolled', 'expand_dims', 'broadcast_all', or 'legacy_vectorized'. "
            f"Got vmap_method={vmap_method!r}.")
    args, size = _front(args, dims)
    batched = [d is not None for d in dims]
    out_avals = _batched_avals(result_avals, size)
    if vmap_method in ("sequential", "sequential_unrolled"):
        callback = _looped(callback, batched, size, result_avals)
    elif vmap_method in ("expand_dims", "broadcast_all"):
        lead = size if vmap_method == "broadcast_all" else 1
        args = [a if b else ops.broadcast(a, (lead,)) for a, b in zip(args, batched)]
    outs = pure_callback_p.bind(*args, callback=callback, result_avals=out_avals, sharding=sharding,
                                vmap_method=vmap_method)
    return outs, [0] * len(outs)


pure_callback_p = define_primitive(
    "pure_callback",
    impl=_callback_impl,
    abstract_eval=lambda *avals, callback, result_avals, sharding, vmap_method: list(result_avals),
    jvp=_pure_jvp,
    batch=_pure_batch,
    multiple_results=True,
    weak_rule=never_weak,
    fold=False,  # run when the program runs, not while jit compiles it
)


# ---------------------------------------------------------------------- io_callback

def _io_jvp(primals, tangents, **params):
    raise ValueError("IO callbacks do not support JVP.")


def _io_batch(args, dims, *, callback, result_avals, sharding, ordered, effect):
    if ordered:
        raise ValueError("Cannot `vmap` ordered IO callback.")
    args, size = _front(args, dims)
    looped = _looped(callback, [d is not None for d in dims], size, result_avals)
    outs = io_callback_p.bind(*args, callback=looped, result_avals=_batched_avals(result_avals, size),
                              sharding=sharding, ordered=ordered, effect=effect)
    return outs, [0] * len(outs)


io_callback_p = define_primitive(
    "io_callback",
    impl=_callback_impl,
    abstract_eval=lambda *avals, callback, result_avals, sharding, ordered, effect: list(result_avals),
    jvp=_io_jvp,
    batch=_io_batch,
    multiple_results=True,
    weak_rule=never_weak,
    fold=False,
)


# ------------------------------------------------------------------- debug_callback

def _debug_impl(xp, *vals, callback, effect, partitioned):
    callback(*_arrays(vals))
    return []


def _debug_jvp(primals, tangents, **params):
    """Runs on the primal values only (in the forward pass); no tangent outputs."""
    return debug_callback_p.bind(*primals, **params), []


def _debug_transpose(cts, *args, **params):
    return [None] * len(args)


def _no_results(callback: Callable) -> Callable:
    def run(*xs):
        callback(*xs)
        return []

    return run


def _debug_batch(args, dims, *, callback, effect, partitioned):
    """One call per example, in order (as JAX unrolls it), inside a single equation."""
    args, size = _front(args, dims)
    looped = _looped(_no_results(callback), [d is not None for d in dims], size, ())
    return debug_callback_p.bind(*args, callback=looped, effect=effect, partitioned=partitioned), []


debug_callback_p = define_primitive(
    "debug_callback",
    impl=_debug_impl,
    abstract_eval=lambda *avals, callback, effect, partitioned: [],
    jvp=_debug_jvp,
    batch=_debug_batch,
    linear=True,  # a print of a linear value (inside linear_transpose) transposes to nothing
    transpose=_debug_transpose,
    multiple_results=True,
    fold=False,
)


__all__ = ["pure_callback_p", "io_callback_p", "debug_callback_p"]
