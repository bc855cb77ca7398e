"""Collectives over a named vmap axis: psum, pmean, pmax, pmin, all_gather, axis_index.

Inside `vmap(..., axis_name="i")`, `psum(x, "i")` sums x over the examples of that vmap.
The BatchTrace whose `axis_name` matches applies the rule (`axis_batch`); traces
with another name pass the operation on to their parent, so nested vmaps with
different names compose. Outside any matching vmap the axis name is unbound: an error.
"""
from __future__ import annotations

from typing import Callable, Hashable

import numpy as np

from .. import dtypes
from ..array import wrap
from ..avals import ShapedArray, Zero
from ..core import current_trace
from ..tree import tree_map
from . import elementwise, misc, reductions, shape, templates
from ._define import aval_of, define_primitive


def _unbound(*args, axis_name, **params):
    raise NameError(
        f"unbound axis name: {axis_name!r}. Collectives such as psum need an enclosing "
        f"vmap(..., axis_name={axis_name!r})."
    )


def _name_matches(trace, axis_name) -> bool:
    names = axis_name if isinstance(axis_name, tuple) else (axis_name,)
    return trace.axis_name in names


def _other_names(trace, axis_name):
    """The names of a tuple axis_name other than this vmap's (None when none are left)."""
    rest = tuple(n for n in axis_name if n != trace.axis_name) if isinstance(axis_name, tuple) else ()
    return rest or None


def _collective(name: str, reduce: Callable, unbatched: Callable, jvp, transpose=None):
    """A reduction over a named axis. Its vmap rule applies `reduce(val, bdim)` on the
    matching vmap axis, then over the other names of a tuple axis_name (outer vmaps); a
    vmap of another name passes the op to its parent."""

    def axis_batch(trace, vals, dims, *, axis_name, **params):
        (x,), (d,) = vals, dims
        if not _name_matches(trace, axis_name):
            return prim.bind(x, axis_name=axis_name, **params), d
        if d is None:
            out, out_dim = unbatched(x, trace.axis_size, **params), None
        else:
            out, out_dim = reduce(x, d, trace.axis_size, **params)
        rest = _other_names(trace, axis_name)
        if rest is not None:
            out = prim.bind(out, axis_name=rest, **params)
        return out, out_dim

    prim = define_primitive(
        name,
        impl=_unbound,
        eager=_unbound,
        abstract_eval=lambda x, *, axis_name, **p: x,
        jvp=jvp,
        linear=transpose is not None,
        transpose=transpose,
        batch=_unbound,
        axis_batch=axis_batch,
        fold=False,  # only a vmap gives it a value: jit must not evaluate it while compiling
    )
    return prim


# ---------------------------------------------------------------------- psum / pmean

def _psum_reduce(x, d, size):
    return reductions.reduce_sum(x, (d,)), None


def _psum_unbatched(x, size):
    return elementwise.mul(x, wrap(np.asarray(size, aval_of(x).dtype), True))  # x's dtype and weak type


psum_p = _collective(
    "psum", _psum_reduce, _psum_unbatched, jvp="linear",
    transpose=lambda ct, x, *, axis_name: [None if type(ct) is Zero else psum(ct, axis_name)],
)


def _pmean_reduce(x, d, size):
    return elementwise.div(reductions.reduce_sum(x, (d,)), size), None


pmean_p = _collective(
    "pmean", _pmean_reduce, lambda x, size: x, jvp="linear",
    transpose=lambda ct, x, *, axis_name: [None if type(ct) is Zero else pmean(ct, axis_name)],
)


def _extremum_jvp(reduce: Callable):
    """Tangent of pmax/pmin: the mean of the tangents of the lanes that attain the extremum."""

    def jvp(primals, tangents, *, axis_name):
        (x,), (t,) = primals, tangents
        out = reduce(x, axis_name)
        if type(t) is Zero:
            return out, t
        hit = misc.convert_element_type(elementwise.eq(x, out), aval_of(t).dtype)
        return out, elementwise.div(psum(elementwise.mul(t, hit), axis_name), psum(hit, axis_name))

    return jvp


def _pmax_reduce(x, d, size):
    return reductions.reduce_max(x, (d,)), None


def _pmin_reduce(x, d, size):
    return reductions.reduce_min(x, (d,)), None


pmax_p = _collective("pmax", _pmax_reduce, lambda x, size: x, jvp=_extremum_jvp(lambda x, n: pmax(x, n)))
pmin_p = _collective("pmin", _pmin_reduce, lambda x, size: x, jvp=_extremum_jvp(lambda x, n: pmin(x, n)))


# ------------------------------------------------------------------------- all_gather

def _all_gather_abstract(x: ShapedArray, *, axis_name, axis, axis_size) -> ShapedArray:
    s = list(x.shape)
    s.insert(axis, axis_size)
    return ShapedArray(tuple(s), x.dtype, x.weak_type)


def _all_gather_rule(trace, vals, dims, *, axis_name, axis, axis_size):
    (x,), (d,) = vals, dims
    if not _name_matches(trace, axis_name):
        return all_gather_p.bind(x, axis_name=axis_name, axis=axis, axis_size=axis_size), d
    size = trace.axis_size
    if d is None:
        xs = templates.shape_of(x)
        out_shape = xs[:axis] + (size,) + xs[axis:]
        return shape.broadcast_in_dim(x, out_shape, tuple(i for i in range(len(out_shape)) if i != axis)), None
    # Every example sees the whole stack: the batch axis becomes the gathered axis.
    return templates.moveaxis(x, d, axis), None


def _all_gather_transpose(ct, x, *, axis_name, axis, axis_size):
    if type(ct) is Zero:
        return [None]
    summed = psum(ct, axis_name)
    idx = axis_index(axis_name)
    return [reductions.reduce_sum(elementwise.mul(summed, _one_hot(idx, axis_size, axis, aval_of(ct))), (axis,))]


def _one_hot(idx, size: int, axis: int, aval: ShapedArray):
    """A mask of aval's shape that is 1 where the gathered axis equals idx."""
    pos = misc.broadcasted_iota(aval_of(idx).dtype, aval.shape, axis)
    return misc.convert_element_type(elementwise.eq(pos, idx), aval.dtype)


all_gather_p = define_primitive(
    "all_gather",
    impl=_unbound,
    eager=_unbound,
    abstract_eval=_all_gather_abstract,
    jvp="linear",
    linear=True,
    transpose=_all_gather_transpose,
    batch=_unbound,
    axis_batch=_all_gather_rule,
    fold=False,
)


# ------------------------------------------------------------------------- axis_index

def _axis_index_rule(trace, vals, dims, *, axis_name):
    if not _name_matches(trace, axis_name):
        return axis_index_p.bind(axis_name=axis_name), None
    return misc.iota(dtypes.default_int_dtype(), trace.axis_size), 0


axis_index_p = define_primitive(
    "axis_index",
    impl=_unbound,
    eager=_unbound,
    abstract_eval=lambda *, axis_name: ShapedArray((), dtypes.default_int_dtype(), False),
    differentiable=False,
    batch=_unbound,
    axis_batch=_axis_index_rule,
    fold=False,
)


# ------------------------------------------------------------------------- wrappers

def psum(x, axis_name: Hashable):
    """lax.psum: the sum over the examples of the vmap named `axis_name` (pytrees allowed).
    Booleans are summed as default-size integers (as JAX)."""
    def one(v):
        if aval_of(v).dtype.kind == "b":
            v = misc.convert_element_type(v, dtypes.default_int_dtype())
        return psum_p.bind(v, axis_name=axis_name)

    return tree_map(one, x)


def pmean(x, axis_name: Hashable):
    """lax.pmean: the mean over the named vmap axis; integers and booleans give the default
    float dtype (as JAX; a weakly typed integer gives a weakly typed float)."""
    def one(v):
        a = aval_of(v)
        if a.dtype.kind in "biu":
            v = misc.convert_element_type(v, dtypes.default_float_dtype(), a.weak_type and a.dtype.kind != "b")
        return pmean_p.bind(v, axis_name=axis_name)

    return tree_map(one, x)


def pmax(x, axis_name: Hashable):
    """lax.pmax: the maximum over the named vmap axis."""
    return _tree_apply(pmax_p, x, axis_name)


def pmin(x, axis_name: Hashable):
    """lax.pmin: the minimum over the named vmap axis."""
    return _tree_apply(pmin_p, x, axis_name)


def all_gather(x, axis_name: Hashable, *, axis: int = 0, axis_size: int | None = None, tiled: bool = False):
    """lax.all_gather: every example receives the stack of all examples' values (with
    `tiled`, concatenated along `axis` instead of stacked on a new one)."""
    def one(v):
        size = axis_size if axis_size is not None else _current_axis_size(axis_name)
        out = all_gather_p.bind(v, axis_name=axis_name, axis=int(axis), axis_size=size)
        if not tiled:
            return out
        s = templates.shape_of(v)
        if not s:
            raise ValueError("lax.all_gather: tiled=True needs an operand with at least one axis, got a scalar")
        ax = int(axis)
        return shape.reshape(out, s[:ax] + (size * s[ax],) + s[ax + 1:])

    return tree_map(one, x)


def axis_index(axis_name: Hashable):
    """lax.axis_index: this example's position along the named vmap axis."""
    return axis_index_p.bind(axis_name=axis_name)


def _current_axis_size(axis_name) -> int:
    trace = current_trace()
    while trace is not None:
        if getattr(trace, "axis_name", None) is not None and _name_matches(trace, axis_name):
            return trace.axis_size
        trace = trace.parent
    _unbound(axis_name=axis_name)


def _tree_apply(prim, x, axis_name):
    return tree_map(lambda v: prim.bind(v, axis_name=axis_name), x)


__all__ = ["psum", "pmean", "pmax", "pmin", "all_gather", "axis_index"]
