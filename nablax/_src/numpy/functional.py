"""jnp's function application: vectorize, apply_along_axis, apply_over_axes, fromfunction,
frompyfunc and the ufunc class.

All of them are vmap (or a loop primitive) around the user's function, as in JAX, so the
result is a traced computation: it jits, differentiates and batches like the function does.
"""
from __future__ import annotations

import functools
import operator
import re
from typing import Any, Callable

import numpy as np

from .. import dtypes
from ..api import vmap
from ..control_flow.loops import fori_loop, scan
from ..jit.jitted import eval_shape
from . import creation, joining
from . import shape as shp
from .promotion import check_arraylike, checked_axis

# ---------------------------------------------------------------------- vectorize

_DIMS = r"\((?:\w+(?:,\s*\w+)*)?\)"
_SIGNATURE = re.compile(rf"^\s*{_DIMS}(?:\s*,\s*{_DIMS})*\s*->\s*{_DIMS}(?:\s*,\s*{_DIMS})*\s*$")


def _parse_signature(signature: str) -> tuple[list, list]:
    """'(m,n),(n)->(m)' as ([('m', 'n'), ('n',)], [('m',)])."""
    if not _SIGNATURE.match(signature):
        raise ValueError(f"not a valid gufunc signature: {signature}")
    ins, outs = signature.split("->")
    parse = lambda part: [tuple(re.findall(r"\w+", group)) for group in re.findall(_DIMS, part)]  # noqa: E731
    return parse(ins), parse(outs)


def _bind_excluded(func: Callable, excluded, args: tuple, kwargs: dict) -> tuple:
    """(function of the remaining arguments, remaining positional args, kwargs) with the excluded
    positional arguments (ints) and keywords (strings) fixed."""
    fixed = {i: args[i] for i in sorted(e for e in excluded if isinstance(e, int)) if i < len(args)}
    rest = [a for i, a in enumerate(args) if i not in fixed]

    def bound(*dynamic):
        it = iter(dynamic)
        full = [fixed[i] if i in fixed else next(it) for i in range(len(fixed) + len(dynamic))]
        return func(*full, **kwargs)

    return (bound if fixed else functools.partial(func, **kwargs)), rest


def _core_sizes(args: list, core_dims: list, context: str) -> tuple[tuple, dict]:
    """The broadcast loop shape and the size of every named core dimension."""
    sizes: dict = {}
    loops = []
    for a, dims in zip(args, core_dims):
        if a.ndim < len(dims):
            raise ValueError(f"input with shape {a.shape} does not have enough dimensions for all core "
                             f"dimensions {dims} {context}")
        core = a.shape[a.ndim - len(dims):]
        for name, n in zip(dims, core):
            if sizes.setdefault(name, n) != n:
                raise ValueError(f"inconsistent size for core dimension {name!r}: {n} vs {sizes[name]} {context}")
        loops.append(a.shape[:a.ndim - len(dims)])
    return shp.broadcast_shapes(*loops) if loops else (), sizes


def _checked_outputs(func: Callable, sizes: dict, out_dims: list, context: str) -> Callable:
    """`func`, checking that its outputs have the signature's core shapes."""

    def checked(*args):
        out = func(*args)
        outs = out if isinstance(out, tuple) else (out,)
        if len(outs) != len(out_dims):
            raise TypeError(f"wrong number of output arguments: expected {len(out_dims)}, got "
                            f"{len(outs) if isinstance(out, tuple) else 1} {context}")
        for o, dims in zip(outs, out_dims):
            shape = np.shape(o)
            if len(shape) != len(dims):
                raise ValueError(f"output shape {shape} does not match core dimensions {dims} {context}")
            for name, n in zip(dims, shape):
                if sizes.setdefault(name, n) != n:
                    raise ValueError(f"output shape {shape} does not match core dimension {name!r} of size "
                                     f"{sizes[name]} {context}")
        return out

    return checked


def vectorize(pyfunc: Callable, *, excluded=frozenset(), signature: str | None = None) -> Callable:
    """jnp.vectorize: `pyfunc` mapped (with vmap) over the broadcast leading axes of its arguments.

    Without a signature each argument's elements are passed as scalars; with one (e.g.
    '(m,n),(n)->(m)') the trailing core dimensions are passed whole. `excluded` positions
    (ints) are passed unchanged, and so are keyword arguments (JAX drops the ones not excluded).
    """
    if any(not isinstance(e, (str, int)) for e in excluded):
        raise TypeError(f"jax.numpy.vectorize can only exclude integer or string arguments, but excluded={excluded!r}")
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise ValueError(f"excluded={excluded!r} contains negative numbers")
    parsed = None if signature is None else _parse_signature(signature)

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        context = f"on vectorized function with excluded={excluded!r} and signature={signature!r}"
        func, rest = _bind_excluded(pyfunc, excluded, args, kwargs)
        in_dims, out_dims = parsed if parsed is not None else ([()] * len(rest), None)
        if len(in_dims) != len(rest):
            raise TypeError(f"wrong number of positional arguments: expected {len(in_dims)}, got {len(rest)} {context}")
        nones = {i for i, a in enumerate(rest) if a is None}
        if nones:
            if any(in_dims[i] for i in nones):
                raise ValueError(f"Cannot pass None at locations {nones} with signature={signature!r}")
            func, rest = _bind_excluded(func, nones, tuple(rest), {})
            in_dims = [d for i, d in enumerate(in_dims) if i not in nones]
        arrays = [creation.asarray(a) for a in rest]
        loop_shape, sizes = _core_sizes(arrays, in_dims, context)
        if out_dims is not None:
            func = _checked_outputs(func, sizes, out_dims, context)
        squeezed, padded = [], []
        for a, dims in zip(arrays, in_dims):
            loop = a.shape[:a.ndim - len(dims)]
            padded.append((1,) * (len(loop_shape) - len(loop)) + loop)
            squeezed.append(shp.squeeze(a, axis=tuple(i for i, n in enumerate(loop) if n == 1)))
        expand = []
        for k in range(len(loop_shape)):  # innermost loop axis first
            axis_sizes = [p[len(loop_shape) - 1 - k] for p in padded]
            in_axes = tuple(None if n == 1 else 0 for n in axis_sizes)
            if all(ax is None for ax in in_axes):
                expand.append(len(loop_shape) - 1 - k)
            else:
                func = vmap(func, in_axes)
        out = func(*squeezed)
        if not expand:
            return out
        if isinstance(out, tuple):
            return tuple(shp.expand_dims(o, tuple(expand)) for o in out)
        return shp.expand_dims(out, tuple(expand))

    return wrapped


# ---------------------------------------------------------------------- axes

def apply_along_axis(func1d: Callable, axis: int, arr, *args, **kwargs):
    """jnp.apply_along_axis: func1d applied to every 1-D slice of `arr` along `axis` (vmapped)."""
    check_arraylike("apply_along_axis", arr)
    a = creation.asarray(arr)
    n = a.ndim
    axis = checked_axis("jnp.apply_along_axis", axis, n)

    def func(x):
        return func1d(x, *args, **kwargs)

    for i in range(1, n - axis):
        func = vmap(func, in_axes=i, out_axes=-1)
    for _ in range(axis):
        func = vmap(func, in_axes=0, out_axes=0)
    return func(a)


def apply_over_axes(func: Callable, a, axes):
    """jnp.apply_over_axes: a = func(a, axis) for each axis in turn, re-inserting a reduced axis."""
    check_arraylike("apply_over_axes", a)
    out = creation.asarray(a)
    for axis in [axes] if np.ndim(axes) == 0 else axes:
        b = func(out, axis)
        if b.ndim == out.ndim - 1:
            b = shp.expand_dims(b, axis)
        elif b.ndim != out.ndim:
            raise ValueError("function is not returning an array of the correct shape")
        out = b
    return out


def fromfunction(function: Callable, shape, *, dtype=float, **kwargs):
    """jnp.fromfunction: function(*index_grids) with one index array per axis, built by vmap
    over 1-D aranges (so `function` sees scalars' batches, never a full meshgrid). Keyword
    arguments are passed unmapped (JAX maps them too, so a scalar one fails there)."""
    shape = tuple(operator.index(s) for s in shape)
    function = functools.partial(function, **kwargs)
    for i in range(len(shape)):
        in_axes = tuple(0 if j == i else None for j in range(len(shape)))
        function = vmap(function, in_axes=in_axes[::-1])
    return function(*(creation.arange(s, dtype=dtype) for s in shape))


# ---------------------------------------------------------------------- ufunc

def _one(x):
    """A 0-d stand-in of x's dtype (to find a function's result dtype with eval_shape)."""
    return creation.ones((), creation.asarray(x).dtype)


class ufunc:
    """jnp.ufunc: a function of `nin` scalars wrapped as a NumPy-style universal function, with
    __call__ (vectorized), reduce, accumulate, outer, at and reduceat built on loops and vmap.
    `call`, `reduce`, ... replace the generic implementation by a faster one."""

    def __init__(self, func: Callable, /, nin: int, nout: int, *, name: str | None = None, nargs: int | None = None,
                 identity: Any = None, call: Callable | None = None, reduce: Callable | None = None,
                 accumulate: Callable | None = None, at: Callable | None = None, reduceat: Callable | None = None):
        self.__doc__ = func.__doc__
        self.__name__ = name or func.__name__
        self._func = func
        self._nin, self._nout = operator.index(nin), operator.index(nout)
        self._nargs = operator.index(nargs or nin)
        self._identity = identity
        self._custom = {"call": call, "reduce": reduce, "accumulate": accumulate, "at": at, "reduceat": reduceat}

    nin = property(lambda self: self._nin)
    nout = property(lambda self: self._nout)
    nargs = property(lambda self: self._nargs)
    identity = property(lambda self: self._identity)

    def _key(self) -> tuple:
        return (self._func, self.__name__, self._identity, self._nin, self._nout, self._nargs)

    def __hash__(self) -> int:
        return hash(self._key())

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ufunc) and self._key() == other._key()

    def __repr__(self) -> str:
        return f"<jnp.ufunc '{self.__name__}'>"

    def __call__(self, *args, out=None, where=None):
        call = self._custom["call"]
        if call is not None and out is None and where is None and len(args) == self._nin:
            return call(*args)  # (the fast path of jnp.add & co: `call` checks its own arguments)
        check_arraylike(self.__name__, *args)
        if out is not None:
            raise NotImplementedError(f"out argument of {self}")
        if where is not None:
            raise NotImplementedError(f"where argument of {self}")
        if len(args) != self._nin:
            raise TypeError(f"{self.__name__}() takes {self._nin} positional argument(s) but {len(args)} were given")
        return (call or vectorize(self._func))(*args)

    def _binary(self, method: str) -> None:
        if self._nin != 2:
            raise ValueError(f"{method} only supported for binary ufuncs")
        if self._nout != 1:
            raise ValueError(f"{method} only supported for functions returning a single value")

    def _result_dtype(self, *xs):
        return eval_shape(self._func, *(_one(x) for x in xs)).dtype

    def reduce(self, a, axis: int | None = 0, dtype=None, out=None, keepdims: bool = False, initial=None, where=None):
        """Fold the binary function along `axis` (None: all elements), starting from `initial`
        (default the identity, or the first element); `where` masks elements out."""
        check_arraylike(f"{self.__name__}.reduce", a)
        self._binary("reduce")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.reduce()")
        if initial is not None:
            check_arraylike(f"{self.__name__}.reduce", initial)
        if where is not None:
            check_arraylike(f"{self.__name__}.reduce", where)
            if self._identity is None and initial is None:
                raise ValueError(f"reduction operation {self.__name__!r} does not have an identity, "
                                 "so to use a where mask one has to specify 'initial'.")
            if creation.asarray(where).dtype != np.bool_:
                raise ValueError(f"where argument must have dtype=bool; got dtype={creation.asarray(where).dtype}")
        fn = self._custom["reduce"] or self._reduce_loop
        return fn(a, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)

    def _reduce_loop(self, a, axis=0, dtype=None, keepdims=False, initial=None, where=None):
        arr = creation.asarray(a)
        initial = self._identity if initial is None else initial
        dtype = self._result_dtype(arr, arr) if dtype is None else dtypes.check_user_dtype(dtype, "ufunc.reduce")
        mask = None if where is None else shp.broadcast_to(where, arr.shape)
        if isinstance(axis, tuple):
            raise NotImplementedError(f"{self.__name__}.reduce: a tuple of axes is not supported (as in JAX)")
        if axis is None:
            final = (1,) * arr.ndim if keepdims else ()
            arr, mask, axis = shp.ravel(arr), None if mask is None else shp.ravel(mask), 0
        else:
            axis = checked_axis(f"{self.__name__}.reduce", axis, arr.ndim)
            final = arr.shape[:axis] + ((1,) if keepdims else ()) + arr.shape[axis + 1:]
        arr = shp.moveaxis(arr, axis, 0)
        mask = None if mask is None else shp.moveaxis(mask, axis, 0)
        if arr.shape[0] == 0:
            if initial is None:
                raise ValueError(f"zero-size array to reduction operation {self.__name__} which has no identity")
            return creation.full(final, initial, dtype)

        def body(i, acc):
            new = self(acc, arr[i].astype(dtype))
            return new if mask is None else shp.where(mask[i], new, acc)

        start = (1, arr[0]) if initial is None else (0, initial)
        init = shp.broadcast_to(creation.asarray(start[1]).astype(dtype), arr.shape[1:])
        return fori_loop(start[0], arr.shape[0], body, init).reshape(final)

    def accumulate(self, a, axis: int = 0, dtype=None, out=None):
        """The running fold along `axis` (the first entry is the first element)."""
        self._binary("accumulate")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.accumulate()")
        fn = self._custom["accumulate"] or self._accumulate_scan
        return fn(a, axis=axis, dtype=dtype)

    def _accumulate_scan(self, a, axis=0, dtype=None):
        check_arraylike(f"{self.__name__}.accumulate", a)
        arr = creation.asarray(a)
        dtype = self._result_dtype(arr, arr) if dtype is None else dtypes.check_user_dtype(dtype, "ufunc.accumulate")
        if axis is None or isinstance(axis, tuple):
            raise ValueError("accumulate does not allow multiple axes")
        axis = checked_axis(f"{self.__name__}.accumulate", axis, arr.ndim)
        if arr.size == 0:
            return creation.zeros(arr.shape, dtype)
        arr = shp.moveaxis(arr, axis, 0).astype(dtype)

        def step(acc, x):
            y = self(acc, x).astype(dtype)
            return y, y

        _, rest = scan(step, arr[0], arr[1:])
        return shp.moveaxis(joining.concatenate([arr[:1], rest]), 0, axis)

    def outer(self, A, B, /):
        """f(A[i...], B[j...]) for every pair: shape A.shape + B.shape."""
        self._binary("outer")
        check_arraylike(f"{self.__name__}.outer", A, B)
        a, b = creation.asarray(A), creation.asarray(B)
        out = vmap(vmap(self, (None, 0)), (0, None))(shp.ravel(a), shp.ravel(b))
        return out.reshape(a.shape + b.shape)

    def at(self, a, indices, b=None, /, *, inplace: bool = True):
        """a with a[indices] = f(a[indices], b) applied once per index (repeats accumulate);
        inplace=False is required, since arrays are immutable."""
        if inplace:
            raise NotImplementedError("jax.numpy.ufunc.at cannot modify arrays in-place, because JAX arrays are "
                                      "immutable. Pass inplace=False to instead return an updated array.")
        fn = self._custom["at"] or self._at_loop
        return fn(a, indices) if b is None else fn(a, indices, b)

    def _at_loop(self, a, indices, *args):
        check_arraylike(f"{self.__name__}.at", a, *args)
        dtype = self._result_dtype(a, *args)
        arr = creation.asarray(a).astype(dtype)
        args = tuple(creation.asarray(x).astype(dtype) for x in args)
        idx = indices if isinstance(indices, tuple) else (indices,)
        if not idx:
            return arr
        shapes = [np.shape(i) for i in idx if not isinstance(i, slice)]
        shape = shp.broadcast_shapes(*shapes) if shapes else ()
        if not shape:
            return arr.at[idx].set(self(arr.at[idx].get(), *args))
        count = int(np.prod(shape))
        if args:
            extra = args[0].shape[len(shape):]
            args = (shp.broadcast_to(args[0], shape + extra).reshape((count,) + extra),)
        flat = [i if isinstance(i, slice) else shp.broadcast_to(creation.asarray(i), shape).reshape(-1) for i in idx]

        def body(k, acc):
            where = tuple(i if isinstance(i, slice) else i[k] for i in flat)
            return acc.at[where].set(self(acc.at[where].get(), *(x[k] for x in args)))

        return fori_loop(0, count, body, arr)

    def reduceat(self, a, indices, axis: int = 0, dtype=None, out=None):
        """Reductions over the slices [indices[i], indices[i+1]) along `axis` (NumPy's rule: an
        empty or reversed slice gives a[indices[i]])."""
        self._binary("reduceat")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.reduceat()")
        fn = self._custom["reduceat"] or self._reduceat_loop
        return fn(a, indices, axis=axis, dtype=dtype)

    def _reduceat_loop(self, a, indices, axis=0, dtype=None):
        from .indexing import take
        check_arraylike(f"{self.__name__}.reduceat", a, indices)
        arr, ind = creation.asarray(a), creation.asarray(indices)
        if arr.ndim == 0:
            raise ValueError(f"reduceat: a must have 1 or more dimension, got a.shape={arr.shape}")
        if ind.ndim != 1:
            raise ValueError(f"reduceat: indices must be one-dimensional, got indices.shape={ind.shape}")
        if axis is None or isinstance(axis, (tuple, list)):
            raise ValueError("reduceat requires a single integer axis.")
        axis = checked_axis(f"{self.__name__}.reduceat", axis, arr.ndim)
        dtype = arr.dtype if dtype is None else dtypes.check_user_dtype(dtype, "ufunc.reduceat")
        arr = arr.astype(dtype)
        result = take(arr, ind, axis=axis)
        bounds = joining.concatenate([ind, creation.asarray([arr.shape[axis]], ind.dtype)])
        shape = [1] * arr.ndim
        shape[axis] = -1
        lo, hi = bounds[:-1].reshape(shape), bounds[1:].reshape(shape)

        def body(i, acc):
            inside = (i > lo) & (i < hi)
            return shp.where(inside, self(acc, take(arr, i[None], axis=axis)), acc)

        return fori_loop(0, arr.shape[axis], body, result)


def frompyfunc(func: Callable, /, nin: int, nout: int, *, identity: Any = None) -> ufunc:
    """jnp.frompyfunc: `func` (of nin scalars) as a jnp.ufunc."""
    return ufunc(func, nin, nout, identity=identity)


__all__ = ["vectorize", "apply_along_axis", "apply_over_axes", "fromfunction", "frompyfunc", "ufunc"]

METHODS: dict = {}  # (Array methods this area provides)
