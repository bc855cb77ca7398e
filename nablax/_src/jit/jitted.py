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
import logging
import operator
import threading
import time
import weakref
from collections.abc import Iterable
from typing import Any, Callable, Sequence

import numpy as np

from .. import dtypes
from ..array import Array, to_concrete_array, wrap
from ..avals import ShapedArray, ShapeDtypeStruct
from ..config import config_key, disable_jit_flag, explain_cache_misses_flag, log_compiles_flag, no_tracing_flag
from ..core import Tracer, _trace_var, current_trace, gc_paused, lift_aval
from ..errors import JaxRuntimeError
from ..interpreters.staging import StagingTrace
from ..ir import ClosedJaxpr, Jaxpr
from ..primitives import refs
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
    if t is refs.Ref:
        return ("ref", x.shape, x.dtype, x.weak_type)
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
        if type(x) is refs.Ref:
            raise ValueError(refs.returned_ref_message(name, at))
        raise TypeError(f"function {name} traced for jit returned a value of type {type(x)}{at}, which is not a "
                        "valid JAX type (jit functions return arrays, scalars and pytrees of them)")


class _Entry:
    __slots__ = ("closed", "fn", "source", "out_tree", "out_weak", "hoisted", "cacheable", "single_out", "refs")

    def __init__(self, closed: ClosedJaxpr, out_tree: PyTreeDef, ref_state: refs.JitRefs | None = None):
        self.closed = closed
        self.out_tree = out_tree
        # Mutable array refs (primitives/refs.py): None when the function used none from outside;
        # else the closed-over ones (extra inputs) and which refs it writes (extra outputs).
        self.refs = ref_state
        # Constants that are tracers of an enclosing transformation belong to this call only,
        # and so do refs created inside one.
        self.cacheable = not any(isinstance(c, Tracer) for c in closed.consts) \
            and not (ref_state is not None and ref_state.local)
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
                vals: list = []
                sig: list = []
                if _fast_leaves(args, sig, vals):
                    sig.append(config_key())
                    sig.append(disable_jit_flag.value)
                    sig = tuple(sig)
                    entry = self._fast.get(sig)
                    if entry is not None:
                        outs = entry.fn(*vals)
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
        ins = leaves if entry.refs is None else refs.current_values(leaves, entry.refs)
        if _trace_var.get() is None and entry.fn is not None:
            if fast_sig is not None and not self.static_argnums and entry.refs is None:
                self._cache.put_fast(fast_sig, entry)
            outs = entry.fn(*[x._value if type(x) is Array else _raw(x) for x in ins])
            outs = [wrap(o, w) for o, w in zip(outs, entry.out_weak)]
        else:
            outs = jit_call_p.bind(*entry.closed.consts, *ins, jaxpr=entry.hoisted, name=_fun_name(self.fun))
        if entry.refs is not None:  # the refs' final values: stored, not returned
            outs = refs.write_back(leaves, entry.refs, outs)
        return tree_unflatten(entry.out_tree, outs)

    def _key(self, leaves, in_tree, statics, dyn_args, dyn_kwargs) -> tuple:
        try:
            sig = tuple([_leaf_key(x) for x in leaves])
        except _BadLeaf as bad:
            raise TypeError(_bad_argument_message(self, bad.leaf, leaves, dyn_args, dyn_kwargs)) from None
        return (in_tree, sig, statics, config_key())

    def _trace(self, args, kwargs, leaves, in_tree, statics) -> tuple[ClosedJaxpr, PyTreeDef, refs.JitRefs | None]:
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

        label = f"jit({_fun_name(self.fun)})"
        # Mutable array refs passed in or closed over become extra inputs and outputs.
        closed, ref_state = refs.trace_stateful(flat_fun, leaves, label, lambda: StagingTrace(current_trace(), True, label))
        return closed, store["out_tree"], ref_state

    def _compile(self, key, args, kwargs, leaves, in_tree, statics) -> _Entry:
        watched = log_compiles_flag.value or explain_cache_misses_flag.value or no_tracing_flag.value
        if watched:
            _before_trace(self, key)
            start = time.perf_counter()
        with gc_paused():  # (core.gc_paused: compile time linear in program size)
            closed, out_tree, ref_state = self._trace(args, kwargs, leaves, in_tree, statics)
            entry = _Entry(closed, out_tree, ref_state)
        if watched and log_compiles_flag.value:
            _LOG.warning("Compiling jit(%s) with global shapes and types %s: traced and compiled in %.6f sec",
                         _fun_name(self.fun), tuple(closed.in_avals), time.perf_counter() - start)
        if not entry.cacheable:
            return entry
        return self._cache.put(key, entry)

    # ------------------------------------------------------------------ introspection
    def trace(self, *args, **kwargs) -> "Traced":
        """Trace (and compile) for these arguments: `.jaxpr`, `.out_info`, `.lower()`."""
        dyn_args, dyn_kwargs, statics = self._split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        key = self._key(leaves, in_tree, statics, dyn_args, dyn_kwargs)
        entry = self._cache.get(key) or self._compile(key, args, kwargs, leaves, in_tree, statics)
        return Traced(entry, self, key, in_tree)

    def lower(self, *args, **kwargs) -> "Lowered":
        """Trace and compile for these arguments; `.as_text()` shows the generated source."""
        return self.trace(*args, **kwargs).lower()

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


_FAST_DEPTH = 32  # deeper argument pytrees take the full path (which has no recursion limit)


def _fast_leaves(xs, sig: list, vals: list, depth: int = 0) -> bool:
    """For arguments that are Arrays, Python floats/ints, and lists/tuples of them: append
    the cache signature (leaf avals, container types and lengths) to `sig` and the values the
    compiled function takes to `vals`, and return True; else False. One pass, no PyTreeDef:
    the key of the hit path."""
    for a in xs:
        t = type(a)
        if t is Array:
            v = a._value
            sig.append((v.shape, v.dtype, a._weak))
            vals.append(v)
        elif t is float:  # (the aval of a Python float is only the x64 flag, in the key)
            sig.append(t)
            vals.append(np.float64(a) if dtypes.x64_flag.value else np.float32(a))
        elif t is int:
            sig.append(t)
            vals.append(_raw(a))
        elif t is list or t is tuple:
            sig.append((t, len(a)))
            if depth == _FAST_DEPTH or not _fast_leaves(a, sig, vals, depth + 1):
                return False
        else:
            return False
    return True


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


_LOG = logging.getLogger("nablax.jit")


def _before_trace(jitted: Jitted, key: tuple) -> None:
    """What `log_compiles`, `explain_cache_misses` and `no_tracing` do before a (re)trace."""
    name = _fun_name(jitted.fun)
    code = getattr(jitted.fun, "__code__", None)
    where = f"{name} at {code.co_filename}:{code.co_firstlineno}" if code is not None else name
    if no_tracing_flag.value:
        raise JaxRuntimeError(f"re-tracing function {where} for `jit`, but 'no_tracing' is set")
    if explain_cache_misses_flag.value:
        _LOG.warning("TRACING CACHE MISS for %s:\n%s", where, _miss_reason(key, list(jitted._cache.entries)))


def _miss_reason(key: tuple, seen: list) -> str:
    """Why `key` matches no previously compiled key: the differences from the closest one."""
    if not seen:
        return "  never seen function (or its cache was cleared)"
    in_tree, sig, statics, flags = key

    def differences(old: tuple) -> list[str]:
        out = []
        if old[0] != in_tree:
            out.append(f"  * different input pytree structure: now {in_tree} and before {old[0]}")
        elif old[1] != sig:
            out += [f"  * at argument leaf {i}, now {_shown(a)} and before {_shown(b)}"
                    for i, (a, b) in enumerate(zip(sig, old[1])) if a != b]
        if old[2] != statics:
            out.append(f"  * different static arguments: now {statics} and before {old[2]}")
        if old[3] != flags:
            out.append(f"  * different configuration (x64, dtype promotion): now {flags} and before {old[3]}")
        return out

    closest = min((differences(old) for old in seen), key=len)
    return "  all previously seen cache keys differ. For the closest previous key:\n" + "\n".join(closest)


def _shown(leaf_key: tuple) -> str:
    if len(leaf_key) == 3:
        shape, dtype, weak = leaf_key
        return ShapedArray(shape, dtype, weak).str_short()
    return f"Python {leaf_key[0].__name__}"


class ArgInfo:
    """One argument of a traced function: its aval and whether it was donated."""

    __slots__ = ("_aval", "donated")

    def __init__(self, aval: ShapedArray, donated: bool = False):
        self._aval = aval
        self.donated = donated

    shape = property(lambda self: self._aval.shape)
    dtype = property(lambda self: self._aval.dtype)

    def __repr__(self) -> str:
        return f"ArgInfo(_aval={self._aval!r}, donated={self.donated})"


class Traced:
    """A jit entry traced for one input signature (jit(f).trace(*args)): its Jaxpr and types."""

    def __init__(self, entry: _Entry, jitted: Jitted, key: tuple, in_tree: PyTreeDef):
        self._entry = entry
        self._jitted = jitted
        self._key = key
        self.in_tree = in_tree
        self.fun_name = _fun_name(jitted.fun)

    @property
    def jaxpr(self) -> ClosedJaxpr:
        return self._entry.closed

    @property
    def in_avals(self) -> list:
        return list(self._entry.closed.in_avals)

    @property
    def out_avals(self) -> list:
        return list(self._entry.closed.out_avals)

    out_tree = property(lambda self: self._entry.out_tree)

    @property
    def out_info(self):
        """The outputs' ShapeDtypeStructs, in the output pytree."""
        return tree_unflatten(self._entry.out_tree,
                              [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type) for a in self.out_avals])

    @property
    def args_info(self):
        """An ArgInfo per argument leaf, in the (args, kwargs) pytree of the traced call."""
        return tree_unflatten(self.in_tree, [ArgInfo(a) for a in self.in_avals])

    def lower(self, *, lowering_platforms=None) -> "Lowered":
        if lowering_platforms not in (None, ("cpu",), ["cpu"]):
            raise ValueError(f"lower: nablax runs only on 'cpu', got lowering_platforms={lowering_platforms!r}")
        return Lowered(self._entry, self._jitted, self._key, self.in_tree)


class Lowered(Traced):
    """A traced jit entry lowered to NumPy source (`.as_text()`), ready to `.compile()`."""

    def as_text(self, dialect: str | None = None, *, debug_info: bool = False) -> str:
        """The generated NumPy source of the compiled function."""
        if dialect is not None:
            raise ValueError(f"as_text: nablax generates NumPy source only; dialect={dialect!r} is not available")
        if self._entry.source is None:
            _, self._entry.source = compile_closed(self._entry.closed, "jitted")
        return self._entry.source

    def compiler_ir(self, dialect: str | None = None) -> str:
        """nablax's compiler output is the NumPy source (`as_text`)."""
        return self.as_text(dialect)

    def cost_analysis(self) -> None:
        """None: nablax has no cost model for generated NumPy code."""
        return None

    def compile(self, compiler_options=None) -> "Compiled":
        if compiler_options:
            raise ValueError(f"compile: nablax's compiler takes no options, got {compiler_options!r}")
        return Compiled(self._entry, self._jitted, self._key, self.in_tree)


class Compiled(Lowered):
    """A compiled jit entry: callable only with arguments of the types it was compiled for."""

    def memory_analysis(self) -> None:
        """None: nablax does not plan memory ahead of running."""
        return None

    def __call__(self, *args, **kwargs):
        jitted = self._jitted
        dyn_args, dyn_kwargs, statics = jitted._split(args, kwargs)
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        key = jitted._key(leaves, in_tree, statics, dyn_args, dyn_kwargs)
        if key != self._key:
            raise TypeError("Argument types differ from the types for which this computation was compiled:\n"
                            + _miss_reason(key, [self._key]).split("\n", 1)[1])
        return jitted(*args, **kwargs)


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

    # Mutable array refs it touches are lifted as under jit; their final values are dropped.
    closed, _ = refs.trace_stateful(flat_fun, leaves, "eval_shape",
                                    lambda: StagingTrace(current_trace(), True, "eval_shape"), avals)
    out_tree = store["out_tree"]
    return tree_unflatten(out_tree, [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type)
                                     for a in closed.out_avals[:out_tree.num_leaves]])
