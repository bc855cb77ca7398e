"""jit(f): trace once per input signature, simplify, generate NumPy source, cache.

A call builds the cache key (pytree structure, each leaf's shape/dtype/weak type,
static arguments, config flags). On a hit with no transformation active it calls the
compiled function on the raw NumPy values and wraps the outputs: no tracing, no
per-equation Python work. Under grad/vmap/an outer jit it binds `jit_call`, whose
rules transform the cached Jaxpr.

The cache belongs to the function, not to the wrapper (as in JAX): `jit(f)` twice with
the same options shares one, held weakly so that `f` can still be collected. Lookups and
updates hold the cache's lock, so threads may call and compile concurrently; NumPy
arguments are copied on entry, so a later write by the caller never shows in a result.
"""
from __future__ import annotations

import collections
import functools
import inspect
import operator
import threading
import weakref
from collections.abc import Iterable
from typing import Any, Callable, Sequence

import numpy as np

from .. import dtypes
from ..array import Array, to_concrete_array, wrap
from ..avals import ShapedArray, ShapeDtypeStruct
from ..config import config_key, disable_jit_flag
from ..core import Tracer, _trace_var, lift_aval
from ..interpreters.staging import trace_to_jaxpr
from ..ir import ClosedJaxpr, Jaxpr
from ..traceback_util import api_boundary, filter_exception, register_boundary
from ..tree import PyTreeDef, keystr, tree_flatten, tree_flatten_with_path, tree_unflatten
from .call import jit_call_p
from .compile import compile_closed

_SCALARS = (bool, int, float, complex)
DEFAULT_CACHE_SIZE = 64


def _fun_name(fun: Callable) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


class _BadLeaf(Exception):
    def __init__(self, leaf: Any):
        self.leaf = leaf


def _valid_numpy(x: Any) -> bool:
    d = x.dtype
    return dtypes.is_array_dtype(d)


def _leaf_key(x):
    """Hashable abstract signature of one argument leaf; _BadLeaf for a non-array leaf."""
    t = type(x)
    if t is Array:
        v = x._value
        return (v.shape, v.dtype, x._weak)
    if t in _SCALARS:
        return (t, dtypes.x64_flag.value) if t is not bool else (t,)
    if isinstance(x, Tracer):
        a = x.aval
        return (a.shape, a.dtype, a.weak_type)
    if isinstance(x, (np.ndarray, np.generic)) and _valid_numpy(x):
        return (x.shape, dtypes.canonicalize_dtype(x.dtype), False)
    raise _BadLeaf(x)


def _bad_argument_message(jitted: "Jitted", leaf: Any, leaves: list, dyn_args: tuple, dyn_kwargs: dict) -> str:
    """JAX's TypeError for a non-array argument, naming where it was passed."""
    i = next(i for i, x in enumerate(leaves) if x is leaf)
    path = tree_flatten_with_path((dyn_args, dyn_kwargs))[0][i][0]
    where = keystr(path[1:])
    if path[0].idx == 0:  # positional: name the parameter when the signature says it
        params = [p for p in _parameters(jitted.fun) if p.kind in _POSITIONAL]
        pos = path[1].idx
        dyn_pos = [j for j in range(len(params) + len(dyn_args)) if j not in jitted.static_argnums]
        if pos < len(dyn_pos) and dyn_pos[pos] < len(params):
            where = params[dyn_pos[pos]].name + keystr(path[2:])
    else:
        where = path[1].key + keystr(path[2:])
    what = f"of dtype {leaf.dtype}, " if isinstance(leaf, (np.ndarray, np.generic)) else ""
    return (f"Error interpreting argument to {jitted.fun!r} as an abstract array. The problematic value is of "
            f"type {type(leaf)} ({what}not an array of numbers) and was passed to the function at path {where}.\n"
            "This typically means that a jit-wrapped function was called with a non-array argument, and this "
            "argument was not marked as static using the static_argnums or static_argnames parameters of "
            "jax.jit.")


def _check_outputs(fun: Callable, out: Any, out_flat: list) -> None:
    """JAX's TypeError for a traced function returning a non-array value, naming which one."""
    for i, x in enumerate(out_flat):
        if isinstance(x, (Array, Tracer, *_SCALARS)) or (isinstance(x, (np.ndarray, np.generic)) and _valid_numpy(x)):
            continue
        path = tree_flatten_with_path(out)[0][i][0]
        at = f" at output component {keystr(path)}" if path else ""
        code = getattr(fun, "__code__", None)
        name = _fun_name(fun) if code is None else f"{_fun_name(fun)} at {code.co_filename}:{code.co_firstlineno}"
        raise TypeError(f"function {name} traced for jit returned a value of type {type(x)}{at}, which is not a "
                        "valid JAX type (jit functions return arrays, scalars and pytrees of them)")


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


class _Cache:
    """The compiled entries of one function under one set of jit options.

    Shared by every `jit` wrapper of that function with those options (JAX caches per
    function, so `jit(f)(1.); jit(f)(2.)` traces once). `entries` is an LRU keyed on the
    full signature; `fast` maps the signature of all-positional Array/scalar calls to an
    entry, read without a lock on the hit path. Every mutation holds `lock`.
    """

    __slots__ = ("entries", "fast", "size", "lock", "static_argnums", "static_argnames")

    def __init__(self, size: int, static_argnums: tuple, static_argnames: tuple):
        self.entries: collections.OrderedDict = collections.OrderedDict()
        self.fast: dict = {}
        self.size = size
        self.lock = threading.RLock()  # re-entrant: a key's __eq__ may run user code
        self.static_argnums = static_argnums
        self.static_argnames = static_argnames

    def get(self, key) -> _Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
        return entry

    def put(self, key, entry: _Entry) -> _Entry:
        """Store `entry`, or return the one another thread stored for `key` meanwhile."""
        with self.lock:
            winner = self.entries.setdefault(key, entry)
            self.entries.move_to_end(key)
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return winner

    def put_fast(self, sig, entry: _Entry) -> None:
        with self.lock:
            fast = self.fast
            if sig not in fast and len(fast) >= self.size:
                del fast[next(iter(fast))]
            fast[sig] = entry

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.fast.clear()


# function -> {jit options: _Cache}, under the options as given and as resolved (so that
# `static_argnums=()` and no static_argnums share one cache, as in JAX). Weak keys: a
# function's compiled code goes with it.
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache_for(fun: Callable, options: tuple) -> _Cache:
    """The cache shared by jit wrappers of `fun` with these options (a private one for a
    function that cannot be hashed or weakly referenced)."""
    try:
        with _CACHES_LOCK:
            per_fun = _CACHES.get(fun)
            cache = None if per_fun is None else per_fun.get(options)
    except TypeError:  # unhashable, or not weak-referenceable
        return _Cache(options[-1], *_resolve_static(fun, options[0], options[1]))
    if cache is None:
        nums, names = _resolve_static(fun, options[0], options[1])  # may raise: nothing stored
        resolved = ("resolved", nums, names, *options[2:])
        with _CACHES_LOCK:
            per_fun = _CACHES.setdefault(fun, {})
            cache = per_fun.setdefault(resolved, _Cache(options[-1], nums, names))
            per_fun[options] = cache
    return cache


class Jitted:
    """The callable returned by `jit`. Its compilation cache is shared with other `jit`
    wrappers of the same function and options, and is freed with the function."""

    def __init__(self, fun: Callable, static_argnums=None, static_argnames=None, donate_argnums=None,
                 donate_argnames=None, keep_unused: bool = False, inline: bool = False,
                 cache_size: int = DEFAULT_CACHE_SIZE):
        functools.update_wrapper(self, fun)
        self.fun = fun
        options = (static_argnums, static_argnames, donate_argnums, donate_argnames, keep_unused, inline,
                   cache_size)
        self._cache = cache = _cache_for(fun, options)
        self._fast = cache.fast  # the hit path reads this dict directly
        self.static_argnums = cache.static_argnums
        self.static_argnames = cache.static_argnames

    # -------------------------------------------------------------------- the call path
    def _split(self, args: tuple, kwargs: dict):
        nums = self.static_argnums
        if nums or self.static_argnames:
            if nums and min(nums) < 0:  # negative positions count from the end, as in JAX
                nums = {i % len(args) if i < 0 else i for i in nums} if args else ()
            statics = []
            dyn_args = []
            for i, a in enumerate(args):
                if i in nums:
                    statics.append((i, _hashable_static(a, f"argument {i}", self)))
                else:
                    dyn_args.append(a)
            dyn_kwargs = {}
            for k in sorted(kwargs):
                v = kwargs[k]
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
        key = self._key(leaves, in_tree, statics, dyn_args, dyn_kwargs)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._compile(key, args, kwargs, leaves, in_tree, statics)
        if _trace_var.get() is None and entry.fn is not None:
            if fast_sig is not None and not self.static_argnums:
                self._cache.put_fast(fast_sig, entry)
            outs = entry.fn(*[x._value if type(x) is Array else _raw(x) for x in leaves])
            return tree_unflatten(entry.out_tree, [wrap(o, w) for o, w in zip(outs, entry.out_weak)])
        closed = entry.closed
        outs = jit_call_p.bind(*closed.consts, *leaves, jaxpr=entry.hoisted, name=_fun_name(self.fun))
        return tree_unflatten(entry.out_tree, outs)

    def _key(self, leaves, in_tree, statics, dyn_args, dyn_kwargs) -> tuple:
        try:
            sig = tuple([_leaf_key(x) for x in leaves])
        except _BadLeaf as bad:
            raise TypeError(_bad_argument_message(self, bad.leaf, leaves, dyn_args, dyn_kwargs)) from None
        return (in_tree, sig, statics, config_key())

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
            _check_outputs(self.fun, out, out_flat)
            return out_flat

        avals = [lift_aval(x) for x in leaves]
        closed = trace_to_jaxpr(flat_fun, avals, label=f"jit({_fun_name(self.fun)})")
        return closed, store["out_tree"]

    def _compile(self, key, args, kwargs, leaves, in_tree, statics) -> _Entry:
        closed, out_tree = self._trace(args, kwargs, leaves, in_tree, statics)
        entry = _Entry(closed, out_tree)
        if not entry.cacheable:
            return entry
        return self._cache.put(key, entry)

    # ------------------------------------------------------------------ introspection
    def lower(self, *args, **kwargs) -> "Lowered":
        """Trace and compile for these arguments; `.as_text()` shows the generated source."""
        dyn_args, dyn_kwargs, statics = self._split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        key = self._key(leaves, in_tree, statics, dyn_args, dyn_kwargs)
        entry = self._cache.get(key) or self._compile(key, args, kwargs, leaves, in_tree, statics)
        return Lowered(entry, self)

    def clear_cache(self) -> None:
        """Drop the compiled entries (shared with other `jit` wrappers of the function)."""
        self._cache.clear()

    def _cache_size_now(self) -> int:
        return len(self._cache.entries)

    def __get__(self, obj, objtype=None):
        """Jitted methods: bind `self` like a function would."""
        if obj is None:
            return self
        return functools.partial(self, obj)

    def __copy__(self) -> "Jitted":
        new = object.__new__(Jitted)
        new.__dict__.update(self.__dict__)
        return new

    def __deepcopy__(self, memo: dict) -> "Jitted":
        """A copy is another wrapper of the same function: it shares the cache (and its lock)."""
        return self.__copy__()

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
    """The NumPy value the compiled function gets for one argument. A writeable NumPy array
    is copied (once, here): the result must not change when the caller writes into it."""
    if type(x) is Array:
        return x._value
    if isinstance(x, _SCALARS):
        aval = lift_aval(x)
        return np.asarray(x, aval.dtype)[()]
    return to_concrete_array(x)._value


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


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _parameters(fun: Callable) -> list:
    try:
        return list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):  # some builtins have no signature
        return []


def _as_tuple(v, kind: type) -> tuple:
    """One int/str or an iterable of them, as a tuple (NumPy integers become ints)."""
    if kind is int:
        return tuple(map(operator.index, v)) if isinstance(v, Iterable) else (operator.index(v),)
    return (v,) if isinstance(v, str) else tuple(v)


def _resolve_static(fun: Callable, argnums, argnames) -> tuple[tuple, tuple]:
    """static_argnums/static_argnames completed and checked against the signature, as JAX does.

    Given only one of them, the other is inferred through the parameters that can be passed
    either way (positional-or-keyword); given both, they are used as they are. Positions
    past a `*args` are valid; names a `**kwargs` accepts are valid.
    """
    if argnums is None and argnames is None:
        return (), ()
    try:
        sig = inspect.signature(fun)
    except (TypeError, ValueError):
        return _as_tuple(argnums or (), int), _as_tuple(argnames or (), str)
    params = list(sig.parameters.values())
    either = inspect.Parameter.POSITIONAL_OR_KEYWORD
    if argnums is None:
        argnames = _as_tuple(argnames, str)
        argnums = tuple(i for i, p in enumerate(params) if p.kind == either and p.name in argnames)
    elif argnames is None:
        argnums = _as_tuple(argnums, int)
        argnames = tuple(p.name for i, p in enumerate(params) if p.kind == either and i in argnums)
    else:
        argnums, argnames = _as_tuple(argnums, int), _as_tuple(argnames, str)
    n_pos = sum(p.kind in _POSITIONAL for p in params)
    takes_varargs = any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in params)
    if argnums and not takes_varargs and (-min(argnums) > n_pos or max(argnums) >= n_pos):
        raise ValueError(f"Jitted function has static_argnums={argnums}, but only accepts {n_pos} "
                         "positional arguments.")
    positional_only = {p.name for p in params if p.kind == inspect.Parameter.POSITIONAL_ONLY}
    if bad := positional_only & set(argnames):
        raise ValueError(f"Jitted function has invalid argnames {bad} in static_argnames. These are "
                         "positional-only")
    keywords = {p.name for p in params if p.kind in (either, inspect.Parameter.KEYWORD_ONLY)}
    takes_kwargs = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params)
    if not takes_kwargs and (bad := set(argnames) - keywords):
        raise ValueError(f"Jitted function has invalid argnames {bad} in static_argnames. Function does "
                         "not take these args.")
    return argnums, argnames


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


def jit(fun: Callable | None = None, *, static_argnums: int | Sequence[int] | None = None,
        static_argnames: str | Sequence[str] | None = None, donate_argnums: int | Sequence[int] | None = None,
        donate_argnames: str | Sequence[str] | None = None, keep_unused: bool = False,
        inline: bool = False) -> Any:
    """Compile `fun`: trace once per input signature into NumPy source, cache, reuse.

    Usable as `@jit` or `@jit(static_argnums=...)`. Wrappers of one function with the same
    options share their cache. Donation is accepted and ignored.
    """
    options = dict(static_argnums=_normalize(static_argnums, int), static_argnames=_normalize(static_argnames, str),
                   donate_argnums=_normalize(donate_argnums, int), donate_argnames=_normalize(donate_argnames, str),
                   keep_unused=bool(keep_unused), inline=bool(inline))
    if fun is None:
        return lambda f: jit(f, **options)
    if not callable(fun):
        raise TypeError(f"jit expects a callable, got {type(fun).__name__}")
    return Jitted(fun, **options)


def _normalize(v, kind: type):
    return None if v is None else _as_tuple(v, kind)


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
