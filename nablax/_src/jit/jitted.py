"""jit(f): trace once per input signature, simplify, generate NumPy source, cache.

A call builds the cache key (pytree structure, each leaf's shape/dtype/weak type,
static arguments, config flags). On a hit with no transformation active it calls the
compiled function on the raw NumPy values and wraps the outputs: no tracing, no
per-equation Python work. Under grad/vmap/an outer jit it binds `jit_call`, whose
rules transform the cached Jaxpr.
"""
from __future__ import annotations

import collections
import functools
import inspect
import threading
from typing import Any, Callable, Sequence

import numpy as np

from .. import dtypes
from ..api import ShapeDtypeStruct
from ..array import Array, wrap
from ..avals import ShapedArray
from ..config import config_key, disable_jit_flag
from ..core import Tracer, _trace_var, lift_aval
from ..interpreters.staging import trace_to_jaxpr
from ..ir import ClosedJaxpr, Jaxpr
from ..traceback_util import api_boundary, filter_exception, register_boundary
from ..tree import PyTreeDef, tree_flatten, tree_unflatten
from .call import compile_closed, jit_call_p

_SCALARS = (bool, int, float, complex)
DEFAULT_CACHE_SIZE = 64


def _fun_name(fun: Callable) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _leaf_key(x):
    """Hashable abstract signature of one argument leaf (and validation)."""
    t = type(x)
    if t is Array:
        v = x._value
        return (v.shape, v.dtype, x._weak)
    if t in _SCALARS:
        return (t, dtypes.x64_flag.value) if t is not bool else (t,)
    if isinstance(x, Tracer):
        a = x.aval
        return (a.shape, a.dtype, a.weak_type)
    if isinstance(x, (np.ndarray, np.generic)):
        return (x.shape, dtypes.canonicalize_dtype(x.dtype), False)
    raise TypeError(
        f"jit: argument of type {type(x).__name__} is not a valid array type; arrays, scalars and "
        "pytrees of them are allowed (mark other arguments static with static_argnums/static_argnames)"
    )


class _Entry:
    __slots__ = ("closed", "fn", "source", "out_tree", "out_weak", "hoisted", "cacheable", "single_out")

    def __init__(self, closed: ClosedJaxpr, out_tree: PyTreeDef):
        self.closed = closed
        self.out_tree = out_tree
        # Constants that are tracers of an enclosing transformation belong to this call only.
        self.cacheable = not any(isinstance(c, Tracer) for c in closed.consts)
        self.hoisted = _hoisted(closed)
        if self.cacheable:
            self.fn, self.source = compile_closed(closed, "jitted")
        else:
            self.fn, self.source = None, None
        self.out_weak = [a.weak_type for a in closed.out_avals]
        self.single_out = out_tree.num_leaves == 1 and out_tree.num_nodes == 1


class Jitted:
    """The callable returned by `jit`; owns its compilation cache (LRU, freed with it)."""

    def __init__(self, fun: Callable, static_argnums=(), static_argnames=(), donate_argnums=(),
                 cache_size: int = DEFAULT_CACHE_SIZE):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self._sig = _signature(fun)
        self.static_argnums = tuple(static_argnums)
        self.static_argnames = tuple(static_argnames)
        self._static_names_from_nums()
        self._cache: collections.OrderedDict = collections.OrderedDict()
        # Positional-array calls skip pytree flattening: (per-arg signature, flags) -> entry.
        self._fast: dict = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _static_names_from_nums(self) -> None:
        """Static arguments may be named by position or keyword: resolve both ways, like JAX."""
        if self._sig is None:
            return
        params = list(self._sig.parameters)
        nums = set(self.static_argnums)
        names = set(self.static_argnames)
        for i in list(nums):
            if 0 <= i < len(params):
                names.add(params[i])
        for n in list(names):
            if n in params:
                nums.add(params.index(n))
        self.static_argnums = tuple(sorted(nums))
        self.static_argnames = tuple(sorted(names))

    # -------------------------------------------------------------------- the call path
    def _split(self, args: tuple, kwargs: dict):
        nums = self.static_argnums
        if nums or self.static_argnames:
            statics = []
            dyn_args = []
            for i, a in enumerate(args):
                if i in nums:
                    statics.append((i, _hashable_static(a, f"argument {i}", self)))
                else:
                    dyn_args.append(a)
            dyn_kwargs = {}
            for k, v in kwargs.items():
                if k in self.static_argnames:
                    statics.append((k, _hashable_static(v, f"argument {k!r}", self)))
                else:
                    dyn_kwargs[k] = v
            return tuple(dyn_args), dyn_kwargs, tuple(statics)
        return args, kwargs, ()

    def __call__(self, *args, **kwargs):
        try:  # an API boundary (traceback_util); the try costs nothing until something raises
            if not kwargs and _trace_var.get() is None:
                sig = _fast_signature(args)
                if sig is not None:
                    entry = self._fast.get(sig)
                    if entry is not None:
                        outs = entry.fn(*[a._value if type(a) is Array else _raw(a) for a in args])
                        if entry.single_out:
                            return wrap(outs[0], entry.out_weak[0])
                        return tree_unflatten(entry.out_tree, [wrap(o, w) for o, w in zip(outs, entry.out_weak)])
                    return self._call_slow(args, kwargs, sig)
            return self._call_slow(args, kwargs, None)
        except Exception as e:
            filter_exception(e)
            raise

    def _call_slow(self, args, kwargs, fast_sig):
        if disable_jit_flag.value:
            return self.fun(*args, **kwargs)
        dyn_args, dyn_kwargs, statics = self._split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        key = (in_tree, tuple(_leaf_key(x) for x in leaves), statics, config_key())
        entry = self._cache.get(key)
        if entry is None:
            entry = self._compile(key, args, kwargs, leaves, in_tree, statics)
        else:
            self._cache.move_to_end(key)
        if _trace_var.get() is None and entry.fn is not None:
            if fast_sig is not None and not self.static_argnums:
                if len(self._fast) >= self._cache_size:
                    self._fast.pop(next(iter(self._fast)))
                self._fast[fast_sig] = entry
            try:
                vals = [x._value for x in leaves]
            except AttributeError:
                vals = [_raw(x) for x in leaves]
            outs = entry.fn(*vals)
            return tree_unflatten(entry.out_tree, [wrap(o, w) for o, w in zip(outs, entry.out_weak)])
        closed = entry.closed
        outs = jit_call_p.bind(*closed.consts, *leaves, jaxpr=entry.hoisted, name=_fun_name(self.fun))
        return tree_unflatten(entry.out_tree, outs)

    def _trace(self, args, kwargs, leaves, in_tree, statics) -> tuple[ClosedJaxpr, PyTreeDef]:
        static_pos = dict((k, v) for k, v in statics if isinstance(k, int))
        store: dict = {}

        def flat_fun(*xs):
            dyn_args, dyn_kwargs = tree_unflatten(in_tree, xs)
            it = iter(dyn_args)
            full_args = [static_pos[i] if i in static_pos else next(it) for i in range(len(args))]
            full_kwargs = dict(dyn_kwargs)
            full_kwargs.update((k, kwargs[k]) for k, _ in statics if isinstance(k, str))
            out = self.fun(*full_args, **full_kwargs)
            out_flat, store["out_tree"] = tree_flatten(out)
            return out_flat

        avals = [lift_aval(x) for x in leaves]
        closed = trace_to_jaxpr(flat_fun, avals, label=f"jit({_fun_name(self.fun)})")
        return closed, store["out_tree"]

    def _compile(self, key, args, kwargs, leaves, in_tree, statics) -> _Entry:
        closed, out_tree = self._trace(args, kwargs, leaves, in_tree, statics)
        entry = _Entry(closed, out_tree)
        if not entry.cacheable:
            return entry
        with self._lock:
            self._cache[key] = entry
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return entry

    # ------------------------------------------------------------------ introspection
    def lower(self, *args, **kwargs) -> "Lowered":
        """Trace and compile for these arguments; `.as_text()` shows the generated source."""
        dyn_args, dyn_kwargs, statics = self._split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        key = (in_tree, tuple(_leaf_key(x) for x in leaves), statics, config_key())
        entry = self._cache.get(key) or self._compile(key, args, kwargs, leaves, in_tree, statics)
        return Lowered(entry, self)

    def clear_cache(self) -> None:
        self._cache.clear()
        self._fast.clear()

    def _cache_size_now(self) -> int:
        return len(self._cache)

    def __get__(self, obj, objtype=None):
        """Jitted methods: bind `self` like a function would."""
        if obj is None:
            return self
        return functools.partial(self, obj)

    def __repr__(self) -> str:
        return f"<jitted function {_fun_name(self.fun)}>"


register_boundary(Jitted.__call__)


def _fast_signature(args: tuple):
    """Cache key for calls whose arguments are all Arrays or Python floats/ints, else None."""
    sig = []
    for a in args:
        t = type(a)
        if t is Array:
            v = a._value
            sig.append((v.shape, v.dtype, a._weak))
        elif t is float or t is int:
            sig.append(t)
        else:
            return None
    return (tuple(sig), dtypes.x64_flag.value, disable_jit_flag.value)


def _raw(x):
    if type(x) is Array:
        return x._value
    if isinstance(x, _SCALARS):
        aval = lift_aval(x)
        return np.asarray(x, aval.dtype)[()]
    return np.asarray(x, dtypes.canonicalize_dtype(np.asarray(x).dtype))


def _hoisted(closed: ClosedJaxpr) -> ClosedJaxpr:
    """The Jaxpr with its constants turned into leading inputs (bound as arguments)."""
    if not closed.consts:
        return closed
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr([], list(j.constvars) + list(j.invars), j.outvars, j.eqns), [])


def _hashable_static(v, what: str, jitted: Jitted):
    try:
        hash(v)
    except TypeError:
        raise ValueError(  # JAX raises ValueError here too
            f"jit({_fun_name(jitted.fun)}): static {what} of type {type(v).__name__} is not hashable. "
            "Static arguments are part of the compilation cache key and must be hashable "
            "(use a tuple instead of a list, or pass arrays as non-static arguments)."
        ) from None
    return v


def _signature(fun: Callable):
    try:
        return inspect.signature(fun)
    except (TypeError, ValueError):
        return None


class Lowered:
    """A traced and compiled jit entry for one input signature."""

    def __init__(self, entry: _Entry, jitted: Jitted):
        self._entry = entry
        self._jitted = jitted

    def as_text(self) -> str:
        """The generated NumPy source of the compiled function."""
        if self._entry.source is None:
            _, self._entry.source = compile_closed(self._entry.closed, "jitted")
        return self._entry.source

    @property
    def jaxpr(self) -> ClosedJaxpr:
        return self._entry.closed

    def compile(self) -> "Compiled":
        return Compiled(self._entry, self._jitted)


class Compiled(Lowered):
    def __call__(self, *args, **kwargs):
        return self._jitted(*args, **kwargs)


def jit(fun: Callable | None = None, *, static_argnums: int | Sequence[int] = (),
        static_argnames: str | Sequence[str] = (), donate_argnums: int | Sequence[int] = (),
        donate_argnames: Any = (), keep_unused: bool = False, inline: bool = False) -> Any:
    """Compile `fun`: trace once per input signature into NumPy source, cache, reuse.

    Usable as `@jit` or `@jit(static_argnums=...)`. Donation is accepted and ignored.
    """
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
    if fun is None:
        return lambda f: Jitted(f, nums, names)
    if not callable(fun):
        raise TypeError(f"jit expects a callable, got {type(fun).__name__}")
    return Jitted(fun, nums, names)


@api_boundary
def eval_shape(fun: Callable, *args, **kwargs):
    """Output shapes/dtypes of fun(*args) as ShapeDtypeStructs, without computing anything."""
    leaves, in_tree = tree_flatten((args, kwargs))
    avals = [x if isinstance(x, ShapedArray) else ShapedArray(x.shape, x.dtype, getattr(x, "weak_type", False))
             if hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (Array, Tracer)) else lift_aval(x)
             for x in leaves]
    store: dict = {}

    def flat_fun(*xs):
        a, k = tree_unflatten(in_tree, xs)
        out = fun(*a, **k)
        out_flat, store["out_tree"] = tree_flatten(out)
        return out_flat

    closed = trace_to_jaxpr(flat_fun, avals, label="eval_shape")
    return tree_unflatten(store["out_tree"],
                          [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type) for a in closed.out_avals])
