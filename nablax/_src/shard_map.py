"""shard_map: `f` applied to the blocks of its arguments on a device mesh (JAX's semantics).

Each mesh axis is a named vmap: an argument's dimension sharded over mesh axes ('x', 'y')
is split into (size_x, size_y, block) and those axes become the vmapped ones, so `f` sees
one block and collectives over 'x' reduce over the blocks along it (primitives/collectives.py).
Outputs are put back together the same way along the dimensions their out_specs name; an
output over a mesh axis its out_spec leaves out must not vary along it (it is replicated).

In a job of several processes, one mesh axis may span the processes (each process's
devices a contiguous range along it). Every process holds every global array whole: it
computes the blocks of its own devices along that axis (the vmap's trace carries the job's
ProcessGroup, so collectives over it cross processes) and gathers the outputs sharded over
it from all processes. Arguments and results pass whole_in/whole_out
(primitives/process_collectives.py), so that gradients taken outside shard_map are the
whole gradients on every process.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable, Hashable, Sequence

import numpy as np

from . import distributed, sharding
from .api import _fun_name, mapped
from .core import lift_aval
from .primitives import process_collectives, shape, templates
from .tree import broadcast_prefix, tree_flatten, tree_unflatten

__all__ = ["shard_map"]

_INFER = object()  # in_specs not given: inferred from the arguments' NamedShardings


def _is_spec(x: Any) -> bool:
    return isinstance(x, sharding.PartitionSpec)


def _spec_names(spec: Any, ndim: int, manual: Sequence[Hashable], what: str, where: str) -> list[tuple]:
    """The mesh axes each of a value's `ndim` dimensions is sharded over, by its spec."""
    if not _is_spec(spec):
        raise TypeError(f"{where}: {what} must be a jax.sharding.PartitionSpec (P), got {spec!r} of type "
                        f"{type(spec).__name__}")
    if len(spec) > ndim:
        raise ValueError(f"{where}: {what}, {spec!r}, has length {len(spec)}, but the value has rank {ndim}: "
                         "a spec may be no longer than the value's rank")
    dims, seen = [], set()
    for i in range(ndim):
        entry = spec[i] if i < len(spec) else None
        names = sharding.entry_axes(entry)
        for n in names:
            if n not in manual:
                raise ValueError(f"{where}: {what}, {spec!r}, names mesh axis {n!r}, but the mesh axes shard_map "
                                 f"maps are {tuple(manual)}")
            if n in seen:
                raise ValueError(f"{where}: {what}, {spec!r}, uses mesh axis {n!r} twice; each mesh axis can shard "
                                 "at most one dimension")
            seen.add(n)
        dims.append(names)
    return dims


def _blocks(names: tuple, sizes: dict) -> int:
    """How many blocks a dimension sharded over mesh axes `names` is split into."""
    return math.prod(sizes[n] for n in names)


def _check_divisible(aval, spec, dims: list[tuple], sizes: dict, what: str, where: str) -> None:
    for i, names in enumerate(dims):
        blocks = _blocks(names, sizes)
        if aval.shape[i] % blocks:
            raise ValueError(f"{where}: {what}, {spec!r}, splits dimension {i} (size {aval.shape[i]}) of an argument of "
                             f"shape {aval.str_short()} into {blocks} blocks over mesh axes {names} of sizes "
                             f"{tuple(sizes[n] for n in names)}; the size must be divisible by {blocks}")


def _process_axis(mesh, manual: Sequence[Hashable], where: str):
    """(mesh axis, lanes per process) of the one mapped axis the processes split, or None."""
    count = distributed.process_count()
    if count == 1:
        return None
    procs = np.vectorize(lambda d: d.process_index)(np.asarray(mesh.devices))
    names = tuple(mesh.axis_names)
    spans = [n for i, n in enumerate(names) if (np.diff(procs, axis=i) != 0).any()]
    if len(spans) != 1 or spans[0] not in manual:
        raise NotImplementedError(f"{where}: nablax maps a mesh over processes along one mapped mesh axis; in "
                                  f"{mesh!r} the processes vary along {spans}")
    axis = names.index(spans[0])
    along = np.moveaxis(procs, axis, 0).reshape(procs.shape[axis], -1)[:, 0]
    lanes = len(along) // count
    if not (along == np.repeat(np.arange(count), lanes)).all():
        raise NotImplementedError(f"{where}: along mesh axis {spans[0]!r} the devices of each process must be one "
                                  f"contiguous range in process order; the mesh has processes {along.tolist()}")
    return spans[0], lanes


def _to_blocks(x, dims: list[tuple], order: Sequence[Hashable], sizes: dict, shard: tuple | None):
    """x with each sharded dimension split into (its mesh axes..., block) and those mesh axes
    moved to the front in mesh order; along the axis the processes split (`shard` =
    (axis, lanes, rank)) only this process's lanes. Returns (blocks, the front axes' names)."""
    split, pos = [], {}
    for size, names in zip(lift_aval(x).shape, dims):
        for n in names:
            pos[n] = len(split)
            split.append(sizes[n])
        split.append(size // _blocks(names, sizes))
    front = [n for n in order if n in pos]
    if not front:
        return x, front
    y = shape.reshape(x, tuple(split))
    rest = sorted(set(range(len(split))) - set(pos.values()))
    perm = [pos[n] for n in front] + rest
    if perm != sorted(perm):
        y = shape.transpose(y, tuple(perm))
    if shard is not None and shard[0] in pos:
        axis, lanes, rank = shard
        y = shape.slice_in_dim(y, rank * lanes, (rank + 1) * lanes, axis=front.index(axis))
    return y, front


def _from_blocks(y, dims: list[tuple], front: list[Hashable], sizes: dict, shard: tuple | None, group, where: str):
    """The inverse of _to_blocks for an output: its front mesh axes (`front`, in mesh order)
    merged back into the dimensions its out_spec shards over them, the lanes of every
    process gathered first along the axis the processes split."""
    if shard is not None and shard[0] in front:
        k = front.index(shard[0])
        every = process_collectives.process_concatenate(templates.moveaxis(y, k, 0), group,
                                                        f"{where}: gathering output blocks")
        y = templates.moveaxis(every, 0, k)
    if not front:
        return y
    block = templates.shape_of(y)[len(front):]
    perm = []
    for i, names in enumerate(dims):
        perm += [front.index(n) for n in names] + [len(front) + i]
    if perm != sorted(perm):
        y = shape.transpose(y, tuple(perm))
    merged = tuple(b * _blocks(names, sizes) for b, names in zip(block, dims))
    return shape.reshape(y, merged)


def _in_specs_of(in_specs: Any, args: tuple, leaves: list, where: str) -> list:
    if in_specs is _INFER:
        specs = [getattr(getattr(x, "sharding", None), "spec", None) for x in leaves]
        if any(s is None for s in specs):
            raise TypeError(f"{where}: in_specs was not given and an argument carries no NamedSharding to infer "
                            "it from; pass in_specs (a pytree prefix of the arguments with P(...) leaves)")
        return specs
    if in_specs is None:
        raise TypeError(f"{where}: in_specs must be a pytree of jax.sharding.PartitionSpec instances, got None")
    try:
        return broadcast_prefix(in_specs, args, is_leaf=_is_spec)
    except ValueError as e:
        raise ValueError(f"{where}: in_specs is not a pytree prefix of the arguments.\n{e}") from None


def _current_mesh(where: str):
    mesh = sharding.context_mesh()
    if mesh is None or not mesh.axis_names:
        raise ValueError(f"{where}: no mesh: pass mesh=, or call it inside `with jax.set_mesh(mesh):` "
                         "(or `with mesh:`)")
    return mesh


def shard_map(f: Callable | None = None, /, *, out_specs: Any, in_specs: Any = _INFER, mesh: Any = None,
              axis_names: Any = frozenset(), check_vma: bool = True) -> Callable:
    """`f` applied to the blocks of its arguments on `mesh`, the blocks put back together by
    `out_specs` (JAX's shard_map). `axis_names`: the mesh axes to map (default all; specs may
    name only those). With `check_vma`, an output over a mesh axis its out_spec leaves out must
    not vary along it (an error otherwise); without, the first block's value is taken."""
    if f is None:
        return lambda g: shard_map(g, out_specs=out_specs, in_specs=in_specs, mesh=mesh, axis_names=axis_names,
                                   check_vma=check_vma)
    if not callable(f):
        raise TypeError(f"shard_map: expected a function as the first argument, got {f!r}")
    where = f"shard_map({_fun_name(f)})"

    @functools.wraps(f)
    def sharded(*args, **kwargs):
        if kwargs:
            raise TypeError(f"{where}: keyword arguments are not supported (got {sorted(kwargs)}); pass them "
                            "positionally, with an entry for each in in_specs")
        m = mesh if mesh is not None else _current_mesh(where)
        sizes = dict(m.shape)
        order = [n for n in m.axis_names if not axis_names or n in axis_names]
        leaves, in_tree = tree_flatten(args)
        specs = _in_specs_of(in_specs, args, leaves, where)
        spanning = _process_axis(m, order, where)
        group = distributed.world() if spanning is not None else None
        shard = None if spanning is None else (spanning[0], spanning[1], group.rank)
        blocks, fronts = [], []
        for i, (x, spec) in enumerate(zip(leaves, specs)):
            what = f"the in_spec of argument leaf {i}"
            dims = _spec_names(spec, lift_aval(x).ndim, order, what, where)
            _check_divisible(lift_aval(x), spec, dims, sizes, what, where)
            if group is not None:
                x = process_collectives.whole_in(x, group, f"{where}: argument leaf {i}")
            b, front = _to_blocks(x, dims, order, sizes, shard)
            blocks.append(b)
            fronts.append(front)

        def run(*xs):
            return f(*tree_unflatten(in_tree, xs))

        for n in reversed(order):
            level_in = tuple(0 if n in front else None for front in fronts)
            level_out = _level_out_axes(out_specs, n, check_vma)
            local = sizes[n] if shard is None or shard[0] != n else shard[1]
            run = mapped(run, level_in, level_out, n, local, group=group if shard and shard[0] == n else None,
                         where=where, varying_out=(
                             f"an output varies along mesh axis {n!r}, but its out_spec leaves {n!r} out, which "
                             f"says it is replicated over {n!r}; name {n!r} in its out_spec, or make it replicated "
                             "(lax.psum, lax.pmean, lax.all_gather), or pass check_vma=False"))
        outs = run(*blocks)
        out_leaves, out_tree = tree_flatten(outs)
        out_specs_flat = _out_specs_of(out_specs, outs, where)
        results = []
        for j, (y, spec) in enumerate(zip(out_leaves, out_specs_flat)):
            y = _assemble(y, spec, order, sizes, shard, group, check_vma, j, where)
            if group is not None:
                y = process_collectives.whole_out(y, group, f"{where}: output leaf {j}")
            results.append(y)
        return tree_unflatten(out_tree, results)

    return sharded


def _level_out_axes(out_specs: Any, name: Hashable, check_vma: bool) -> Any:
    """The out_axes of the vmap over mesh axis `name`: 0 where an output's spec names it."""
    def one(spec):
        if not _is_spec(spec):
            raise TypeError(f"shard_map: out_specs must be a pytree of jax.sharding.PartitionSpec instances, got "
                            f"{spec!r} of type {type(spec).__name__}")
        return 0 if name in _named(spec) or not check_vma else None

    specs, tree = tree_flatten(out_specs, is_leaf=_is_spec)
    return tree_unflatten(tree, [one(s) for s in specs])


def _out_specs_of(out_specs: Any, outs: Any, where: str) -> list:
    try:
        return broadcast_prefix(out_specs, outs, is_leaf=_is_spec)
    except ValueError as e:
        raise ValueError(f"{where}: out_specs is not a pytree prefix of the outputs.\n{e}") from None


def _named(spec: Any) -> set:
    """The mesh axes a PartitionSpec names."""
    return {n for e in spec for n in sharding.entry_axes(e)}


def _assemble(y, spec, order: list, sizes: dict, shard, group, check_vma: bool, j: int, where: str):
    """One output put together from its blocks. In front of `y` are the mesh axes its spec
    names (in mesh order); without check_vma every mapped axis is, and the unnamed ones are
    dropped by taking their first block."""
    named = _named(spec)
    if not check_vma:
        k = 0
        for n in order:
            if n in named:
                k += 1
            else:
                s = templates.shape_of(y)
                y = shape.reshape(shape.slice_in_dim(y, 0, 1, axis=k), s[:k] + s[k + 1:])
    front = [n for n in order if n in named]
    dims = _spec_names(spec, lift_aval(y).ndim - len(front), order, f"the out_spec of output leaf {j}",
                       where)
    return _from_blocks(y, dims, front, sizes, shard, group, where)
