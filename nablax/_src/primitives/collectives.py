"""Collectives over a named vmap axis: psum, pmean, pmax, pmin, all_gather, axis_index,
psum_scatter, ppermute (pshuffle), all_to_all (pswapaxes), pbroadcast, axis_size.

Inside `vmap(..., axis_name="i")`, `psum(x, "i")` sums x over the examples of that vmap.
The BatchTrace whose `axis_name` matches applies the rule (`axis_batch`); traces
with another name pass the operation on to their parent, so nested vmaps with
different names compose. Outside any matching vmap the axis name is unbound: an error.

Under a pmap or shard_map whose axis spans processes, the BatchTrace also carries the
ProcessGroup: each process holds `trace.axis_size` lanes of an axis of `_total_size(trace)`.
A sum reduces its own lanes, then sums across processes; every other collective gathers the
lanes of all processes (`_all_lanes`), applies the one-process rule to them, and keeps its
own lanes' results (`_own_lanes`). The two steps across processes are the primitives of
process_collectives.py.
"""
from __future__ import annotations

from typing import Callable, Hashable

import numpy as np

from .. import dtypes
from ..array import wrap
from ..avals import ShapedArray, Zero
from ..core import current_trace
from ..tree import tree_map
from . import elementwise, misc, process_collectives, reductions, shape, templates
from ._define import aval_of, define_primitive


def _unbound(*args, axis_name, **params):
    raise NameError(
        f"unbound axis name: {axis_name!r}. Collectives such as psum need an enclosing "
        f"vmap or pmap with axis_name={axis_name!r}, or a shard_map over a mesh with an axis {axis_name!r}."
    )


def _name_matches(trace, axis_name) -> bool:
    names = axis_name if isinstance(axis_name, tuple) else (axis_name,)
    return trace.axis_name in names


def _other_names(trace, axis_name):
    """The names of a tuple axis_name other than this vmap's (None when none are left)."""
    rest = tuple(n for n in axis_name if n != trace.axis_name) if isinstance(axis_name, tuple) else ()
    return rest or None


def _total_size(trace) -> int:
    """The size of the trace's axis over every process it spans."""
    return trace.axis_size if trace.group is None else trace.axis_size * trace.group.size


def _what(opname: str, trace) -> str:
    return f"{opname} over axis {trace.axis_name!r}"


def _all_lanes(trace, lanes, opname: str):
    """`lanes` (this process's lanes on axis 0) with every process's lanes, in rank order."""
    if trace.group is None:
        return lanes
    return process_collectives.process_concatenate(lanes, trace.group, _what(opname, trace))


def _own_lanes(trace, every):
    """This process's lanes (axis 0) of a result computed for all lanes of the axis."""
    if trace.group is None:
        return every
    n, r = trace.axis_size, trace.group.rank
    return shape.slice_in_dim(every, r * n, (r + 1) * n)


def _process_sum(trace, x, opname: str):
    """x summed over the processes the trace's axis spans (x itself in one process)."""
    if trace.group is None:
        return x
    return process_collectives.process_sum(x, trace.group, _what(opname, trace))


def _collective(name: str, reduce: Callable, unbatched: Callable, jvp, transpose=None, across=None):
    """A reduction over a named axis. Its vmap rule applies `reduce(val, bdim)` on the
    matching vmap axis (`across(trace, val, bdim)` when the axis spans processes), then over
    the other names of a tuple axis_name (outer vmaps); a vmap of another name passes the op
    to its parent."""

    def axis_batch(trace, vals, dims, *, axis_name, **params):
        (x,), (d,) = vals, dims
        if not _name_matches(trace, axis_name):
            return prim.bind(x, axis_name=axis_name, **params), d
        if trace.group is not None:
            out, out_dim = across(trace, x, d), None
        elif d is None:
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


def _psum_across(trace, x, d):
    if d is None:
        local = _psum_unbatched(x, trace.axis_size)
    elif trace.axis_size == 1:  # one lane per process (one device each): no pass over the data
        local = shape.squeeze(x, (d,))
    else:
        local = _psum_reduce(x, d, trace.axis_size)[0]
    return _process_sum(trace, local, "psum")


psum_p = _collective(
    "psum", _psum_reduce, _psum_unbatched, jvp="linear",
    transpose=lambda ct, x, *, axis_name: [None if type(ct) is Zero else psum(ct, axis_name)],
    across=_psum_across,
)


def _pmean_reduce(x, d, size):
    return elementwise.div(reductions.reduce_sum(x, (d,)), size), None


pmean_p = _collective(
    "pmean", _pmean_reduce, lambda x, size: x, jvp="linear",
    transpose=lambda ct, x, *, axis_name: [None if type(ct) is Zero else pmean(ct, axis_name)],
    across=lambda trace, x, d: elementwise.div(_psum_across(trace, x, d), _total_size(trace)),
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


def _extremum_across(opname: str, reduce: Callable):
    """pmax/pmin over processes: the extremum of every lane of every process (a gather, so the
    tangent rule of the reduction sees all lanes and averages exactly over ties)."""

    def across(trace, x, d):
        lanes = _all_lanes(trace, templates.bdim_to_front(x, d, trace.axis_size), opname)
        return reduce(lanes, (0,))

    return across


pmax_p = _collective("pmax", _pmax_reduce, lambda x, size: x, jvp=_extremum_jvp(lambda x, n: pmax(x, n)),
                     across=_extremum_across("pmax", reductions.reduce_max))
pmin_p = _collective("pmin", _pmin_reduce, lambda x, size: x, jvp=_extremum_jvp(lambda x, n: pmin(x, n)),
                     across=_extremum_across("pmin", reductions.reduce_min))


# ------------------------------------------------------------------------- all_gather

def _all_gather_abstract(x: ShapedArray, *, axis_name, axis, axis_size) -> ShapedArray:
    s = list(x.shape)
    s.insert(axis, axis_size)
    return ShapedArray(tuple(s), x.dtype, x.weak_type)


def _all_gather_rule(trace, vals, dims, *, axis_name, axis, axis_size):
    (x,), (d,) = vals, dims
    if not _name_matches(trace, axis_name):
        return all_gather_p.bind(x, axis_name=axis_name, axis=axis, axis_size=axis_size), d
    if trace.group is not None:
        lanes = _all_lanes(trace, templates.bdim_to_front(x, d, trace.axis_size), "all_gather")
        return templates.moveaxis(lanes, 0, axis), None
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
    lanes = misc.iota(dtypes.default_int_dtype(), trace.axis_size)
    if trace.group is None:
        return lanes, 0
    return elementwise.add(lanes, trace.group.rank * trace.axis_size), 0


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


def _bound_trace(axis_name):
    """The innermost vmap/pmap/shard_map trace of this axis name enclosing the computation, or None."""
    trace = current_trace()
    while trace is not None:
        if getattr(trace, "axis_name", None) is not None and _name_matches(trace, axis_name):
            return trace
        trace = trace.parent
    return None


def axis_is_bound(axis_name) -> bool:
    """Whether a vmap, pmap or shard_map axis of this name encloses the current computation."""
    return _bound_trace(axis_name) is not None


def _current_axis_size(axis_name) -> int:
    trace = _bound_trace(axis_name)
    if trace is None:
        _unbound(axis_name=axis_name)
    return _total_size(trace)


def _tree_apply(prim, x, axis_name):
    return tree_map(lambda v: prim.bind(v, axis_name=axis_name), x)


# ------------------------------------------------- psum_scatter, ppermute, all_to_all

def _single_name(opname: str, axis_name):
    if isinstance(axis_name, (tuple, list)):
        raise NotImplementedError(f"lax.{opname} over several axis names {tuple(axis_name)!r}: nablax supports one "
                                  "vmap axis name here")
    return axis_name


def _axis_rule(prim, apply: Callable, shifted: tuple = ()):
    """The named-axis vmap rule of a collective whose per-example params `shifted` name axes.

    On the matching vmap, `apply(stacked, size, **params)` gets the operand with the examples
    stacked on axis 0 and returns the stacked result. A vmap of another name passes the
    op to its parent with its own batch axis in front, each per-example axis param moved by one."""

    def rule(trace, vals, dims, *, axis_name, **params):
        (x,), (d,) = vals, dims
        if not _name_matches(trace, axis_name):
            if d is None:
                return prim.bind(x, axis_name=axis_name, **params), None
            moved = {k: (v + 1 if k in shifted else v) for k, v in params.items()}
            return prim.bind(templates.moveaxis(x, d, 0), axis_name=axis_name, **moved), 0
        lanes = _all_lanes(trace, templates.bdim_to_front(x, d, trace.axis_size), prim.name)
        return _own_lanes(trace, apply(lanes, _total_size(trace), **params)), 0

    return rule


def _collective_prim(name: str, abstract_eval: Callable, transpose: Callable, apply: Callable,
                     shifted: tuple = ()):
    prim = define_primitive(
        name, impl=_unbound, eager=_unbound, abstract_eval=abstract_eval, jvp="linear", linear=True,
        transpose=transpose, batch=_unbound, axis_batch=None, fold=False)
    prim.axis_batch = _axis_rule(prim, apply, shifted)
    return prim


def _reduce_scatter_abstract(x: ShapedArray, *, axis_name, scatter_dimension, axis_size, tiled) -> ShapedArray:
    if not 0 <= scatter_dimension < x.ndim:
        raise ValueError(f"lax.psum_scatter: scatter_dimension {scatter_dimension} is out of bounds for an operand of "
                         f"shape {x.shape}")
    n = x.shape[scatter_dimension]
    s = list(x.shape)
    if tiled:
        if n % axis_size:
            raise ValueError(f"lax.psum_scatter(tiled=True): the size {n} of scatter_dimension {scatter_dimension} must "
                             f"be divisible by the axis size {axis_size}")
        s[scatter_dimension] = n // axis_size
    else:
        if n != axis_size:
            raise ValueError(f"lax.psum_scatter: the size {n} of scatter_dimension {scatter_dimension} must equal the "
                             f"axis size {axis_size} (or pass tiled=True)")
        del s[scatter_dimension]
    return ShapedArray(tuple(s), x.dtype, x.weak_type)


def _reduce_scatter_apply(x, size, *, scatter_dimension, axis_size, tiled):
    """Stacked x (examples on axis 0): example i gets block i of the sum along scatter_dimension."""
    total = reductions.reduce_sum(x, (0,))
    s = templates.shape_of(total)
    if tiled:  # split the dimension into (example, block) and bring the example axis to the front
        total = shape.reshape(total, s[:scatter_dimension] + (size, s[scatter_dimension] // size)
                              + s[scatter_dimension + 1:])
    return templates.moveaxis(total, scatter_dimension, 0)


def _reduce_scatter_transpose(ct, x, *, axis_name, scatter_dimension, axis_size, tiled):
    if type(ct) is Zero:
        return [None]
    return [all_gather(ct, axis_name, axis=scatter_dimension, axis_size=axis_size, tiled=tiled)]


reduce_scatter_p = _collective_prim("reduce_scatter", _reduce_scatter_abstract, _reduce_scatter_transpose,
                                    _reduce_scatter_apply, shifted=("scatter_dimension",))


def _ppermute_abstract(x: ShapedArray, *, axis_name, perm) -> ShapedArray:
    return x


def _ppermute_apply(x, size, *, perm):
    """Stacked x: example dst receives example src's value for each (src, dst); the others zeros."""
    sources = dict((dst, src) for src, dst in perm)
    for src, dst in perm:
        if not (0 <= src < size and 0 <= dst < size):
            raise ValueError(f"lax.ppermute: the pair ({src}, {dst}) of perm is out of range for axis size {size}")
    aval = aval_of(x)
    row = aval.shape[1:]
    zero = shape.broadcast_in_dim(wrap(np.zeros((), aval.dtype), aval.weak_type), (1,) + row, ())
    rows = [shape.slice_in_dim(x, sources[i], sources[i] + 1) if i in sources else zero for i in range(size)]
    return shape.concatenate(rows, 0)


ppermute_p = _collective_prim(
    "ppermute", _ppermute_abstract,
    lambda ct, x, *, axis_name, perm: [None if type(ct) is Zero else
                                       ppermute(ct, axis_name, [(dst, src) for src, dst in perm])],
    _ppermute_apply)


def _all_to_all_abstract(x: ShapedArray, *, axis_name, split_axis, concat_axis, axis_size, tiled) -> ShapedArray:
    if not (0 <= split_axis < x.ndim and 0 <= concat_axis < x.ndim):
        raise ValueError(f"lax.all_to_all: split_axis {split_axis} or concat_axis {concat_axis} is out of bounds "
                         f"for an operand of shape {x.shape}")
    s = list(x.shape)
    n = s[split_axis]
    if tiled:
        if n % axis_size:
            raise ValueError(f"lax.all_to_all(tiled=True): the size {n} of split_axis {split_axis} must be divisible "
                             f"by the axis size {axis_size}")
        s[split_axis] = n // axis_size
        s[concat_axis] *= axis_size
    else:
        if n != axis_size:
            raise ValueError(f"lax.all_to_all: the size {n} of split_axis {split_axis} must equal the axis size "
                             f"{axis_size} (or pass tiled=True)")
        del s[split_axis]
        s.insert(concat_axis, axis_size)
    return ShapedArray(tuple(s), x.dtype, x.weak_type)


def _all_to_all_apply(x, size, *, split_axis, concat_axis, axis_size, tiled):
    """Stacked x (sender on axis 0): receiver j gets chunk j of every sender's split_axis,
    arranged by sender along concat_axis (a new axis, or, tiled, blocks of the existing one)."""
    s = templates.shape_of(x)[1:]
    if tiled:
        q = s[split_axis] // size
        x = shape.reshape(x, (size,) + s[:split_axis] + (size, q) + s[split_axis + 1:])
        chunks = s[:split_axis] + (q,) + s[split_axis + 1:]
    else:
        chunks = s[:split_axis] + s[split_axis + 1:]
    x = templates.moveaxis(x, 1 + split_axis, 0)           # (receiver, sender, chunk dims...)
    x = templates.moveaxis(x, 1, 1 + concat_axis)          # sender axis at concat_axis of the chunk
    if not tiled:
        return x
    merged = chunks[:concat_axis] + (size * chunks[concat_axis],) + chunks[concat_axis + 1:]
    return shape.reshape(x, (size,) + merged)


def _all_to_all_transpose(ct, x, *, axis_name, split_axis, concat_axis, axis_size, tiled):
    if type(ct) is Zero:
        return [None]
    return [all_to_all_p.bind(ct, axis_name=axis_name, split_axis=concat_axis, concat_axis=split_axis,
                              axis_size=axis_size, tiled=tiled)]


all_to_all_p = _collective_prim("all_to_all", _all_to_all_abstract, _all_to_all_transpose, _all_to_all_apply,
                                shifted=("split_axis", "concat_axis"))


def _pbroadcast_apply(x, size, *, source):
    row = shape.slice_in_dim(x, source, source + 1)
    return shape.broadcast_in_dim(row, (size,) + templates.shape_of(x)[1:], tuple(range(templates.ndim_of(x))))


def _pbroadcast_transpose(ct, x, *, axis_name, source):
    """Every example's cotangent, summed, goes back to the source (zeros elsewhere)."""
    if type(ct) is Zero:
        return [None]
    return [ppermute_p.bind(psum_p.bind(ct, axis_name=axis_name), axis_name=axis_name, perm=((source, source),))]


pbroadcast_p = _collective_prim("pbroadcast", lambda x, *, axis_name, source: x, _pbroadcast_transpose,
                                _pbroadcast_apply)


def psum_scatter(x, axis_name: Hashable, *, scatter_dimension: int = 0, axis_index_groups=None, tiled: bool = False):
    """lax.psum_scatter: the sum over the named axis, example i keeping block i of
    `scatter_dimension` (the whole index i, removing the axis; with `tiled`, a block of it)."""
    _no_groups("psum_scatter", axis_index_groups)
    name = _single_name("psum_scatter", axis_name)

    def one(v):
        nd = aval_of(v).ndim
        dim = int(scatter_dimension) + (nd if -nd <= int(scatter_dimension) < 0 else 0)
        return _checked_bind(reduce_scatter_p, v, axis_name=name, scatter_dimension=dim,
                             axis_size=_current_axis_size(name), tiled=bool(tiled))

    return tree_map(one, x)


def ppermute(x, axis_name: Hashable, perm):
    """lax.ppermute: for each (source, destination) pair in `perm`, the destination example gets
    the source's value; examples that are no destination get zeros."""
    name = _single_name("ppermute", axis_name)
    pairs = tuple((int(s), int(d)) for s, d in perm)
    if len({s for s, _ in pairs}) != len(pairs) or len({d for _, d in pairs}) != len(pairs):
        raise ValueError(f"lax.ppermute: perm {list(pairs)} repeats a source or a destination")
    return tree_map(lambda v: ppermute_p.bind(v, axis_name=name, perm=pairs), x)


def pshuffle(x, axis_name: Hashable, perm):
    """lax.pshuffle: example i gets example perm[i]'s value (`perm` a permutation of the axis)."""
    perm = [int(p) for p in perm]
    if sorted(perm) != list(range(len(perm))):
        raise ValueError(f"lax.pshuffle: perm must be a permutation of range({len(perm)}), got {perm}")
    return ppermute(x, axis_name, [(src, dst) for dst, src in enumerate(perm)])


def all_to_all(x, axis_name: Hashable, split_axis: int, concat_axis: int, *, axis_index_groups=None,
               tiled: bool = False):
    """lax.all_to_all: each example splits `split_axis` into one chunk per example and receives
    chunk i of every example, stacked (or, tiled, concatenated) along `concat_axis`."""
    _no_groups("all_to_all", axis_index_groups)
    name = _single_name("all_to_all", axis_name)

    def one(v):
        nd = aval_of(v).ndim
        split = int(split_axis) + (nd if int(split_axis) < 0 else 0)
        concat = int(concat_axis) + (nd if int(concat_axis) < 0 else 0)
        return _checked_bind(all_to_all_p, v, axis_name=name, split_axis=split, concat_axis=concat,
                             axis_size=_current_axis_size(name), tiled=bool(tiled))

    return tree_map(one, x)


def pswapaxes(x, axis_name: Hashable, axis: int, *, axis_index_groups=None):
    """lax.pswapaxes: swap the named axis with the positional `axis` (of that axis's size)."""
    return all_to_all(x, axis_name, axis, axis, axis_index_groups=axis_index_groups)


def pbroadcast(x, axis_name: Hashable, source: int):
    """lax.pbroadcast: every example receives example `source`'s value."""
    name = _single_name("pbroadcast", axis_name)
    source = int(source)
    size = _current_axis_size(name)
    if not 0 <= source < size:
        raise ValueError(f"lax.pbroadcast: source {source} is out of range for axis size {size}")
    return tree_map(lambda v: pbroadcast_p.bind(v, axis_name=name, source=source), x)


def axis_size(axis_name: Hashable) -> int:
    """lax.axis_size: the size of the named vmap axis (the product over a tuple of names)."""
    names = axis_name if isinstance(axis_name, tuple) else (axis_name,)
    return int(np.prod([_current_axis_size(n) for n in names]))


def _checked_bind(prim, v, **params):
    """Bind after the shape checks (the named-axis vmap rule does not run abstract_eval)."""
    prim.abstract_eval(aval_of(v), **params)
    return prim.bind(v, **params)


def _no_groups(opname: str, groups) -> None:
    if groups is not None:
        raise NotImplementedError(f"lax.{opname}: axis_index_groups is not supported by nablax's vmap collectives")


__all__ = ["psum", "pmean", "pmax", "pmin", "all_gather", "axis_index", "psum_scatter", "ppermute", "pshuffle",
           "all_to_all", "pswapaxes", "pbroadcast", "axis_size", "ppermute_p", "all_to_all_p"]
