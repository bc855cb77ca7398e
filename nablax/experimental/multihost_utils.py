"""nablax.experimental.multihost_utils: as jax.experimental.multihost_utils, over the MPI process group.

In nablax every process of a job holds every global Array whole, so moving between
"host-local" and "global" data is an all-gather (host_local_array_to_global_array) or a
slice (global_array_to_host_local_array) along the dimensions that a PartitionSpec
shards over the mesh axes that span processes. With one process every function here is
an identity (process_allgather stacks its one input).

The mesh is used through `mesh.devices` (an ndarray of devices with `.process_index`),
`mesh.axis_names` and `mesh.shape` (axis name -> size); a PartitionSpec through its
entries (None, an axis name, or a tuple of names).
"""
import math
import typing

import numpy as np

import nablax.numpy as jnp
from nablax import tree_util
from nablax._src.distributed import world
from nablax._src.sharding import entry_axes as _entry_axes
from nablax.sharding import PartitionSpec as P

# (no `from __future__ import annotations`, no `from typing import Any`, no bare tree_util names: every
# public name of this module is JAX's, as tools/api_coverage.py counts them)

__all__ = ["sync_global_devices", "broadcast_one_to_all", "process_allgather", "assert_equal",
           "host_local_array_to_global_array", "global_array_to_host_local_array"]


def sync_global_devices(name: str) -> None:
    """A barrier across all processes; every process must pass the same `name` (AssertionError otherwise, as JAX)."""
    group = world()
    if group is None:
        return
    names = group.allgather_object(name, what=f"sync_global_devices({name!r})")
    if any(other != name for other in names):
        ranks = ", ".join(f"rank {rank} passed {other!r}" for rank, other in enumerate(names))
        raise AssertionError(f"sync_global_devices name mismatch: {ranks}")


def broadcast_one_to_all(in_tree: typing.Any, is_source: bool | None = None) -> typing.Any:
    """Every leaf of the source process's `in_tree` (process 0 unless `is_source` says otherwise), on all processes."""
    group = world()
    if group is None:
        return tree_util.tree_map(np.asarray, in_tree)
    if is_source is None:
        is_source = group.rank == 0
    sources = [rank for rank, flag in enumerate(group.allgather_object(bool(is_source),
                                                                        what="broadcast_one_to_all")) if flag]
    if len(sources) != 1:
        raise ValueError(f"broadcast_one_to_all: exactly one process must pass is_source=True; "
                         f"{'ranks ' + ', '.join(map(str, sources)) if sources else 'none'} did")
    leaves, tree = tree_util.tree_flatten(in_tree)
    return tree_util.tree_unflatten(tree, [group.broadcast(np.asarray(leaf), sources[0], what="broadcast_one_to_all")
                                 for leaf in leaves])


def process_allgather(in_tree: typing.Any, tiled: bool = False) -> typing.Any:
    """Each leaf from every process, stacked on a new leading axis (concatenated along axis 0 if `tiled`)."""
    group = world()

    def gather(leaf):
        x = np.asarray(leaf)
        stack = x.ndim == 0 or not tiled
        if group is None:
            return x[None] if stack else x
        out = group.allgather(x, what="process_allgather")
        return out if stack else out.reshape(-1, *x.shape[1:])

    return tree_util.tree_map(gather, in_tree)


def assert_equal(in_tree: typing.Any, fail_message: str = "") -> None:
    """Raise AssertionError unless every process passed the same values (on every process alike)."""
    gathered = process_allgather(in_tree, tiled=True)
    count = 1 if world() is None else world().size

    def same(mine, everyone):
        mine = np.asarray(mine)
        return bool(np.all(np.concatenate([mine.reshape(-1, *mine.shape[1:])] * count) == everyone))

    if not all(tree_util.tree_flatten(tree_util.tree_map(same, in_tree, gathered))[0]):
        raise AssertionError(f"{fail_message}. Expected: {gathered}; got: {in_tree}.")


def host_local_array_to_global_array(local_inputs: typing.Any, global_mesh: typing.Any, pspecs: typing.Any) -> typing.Any:
    """Assemble global Arrays from each process's local part (the inverse of global_array_to_host_local_array)."""
    return _map_with_specs(local_inputs, pspecs, lambda x, spec: _MeshLayout(global_mesh, spec, x.ndim).to_global(x))


def global_array_to_host_local_array(global_inputs: typing.Any, global_mesh: typing.Any, pspecs: typing.Any) -> typing.Any:
    """The part of each global Array that this process's devices hold, as a process-local Array."""
    return _map_with_specs(global_inputs, pspecs, lambda x, spec: _MeshLayout(global_mesh, spec, x.ndim).to_local(x))


def _is_spec(p: typing.Any) -> bool:
    """A PartitionSpec or None, as opposed to a container of specs."""
    return p is None or isinstance(p, P)


def _map_with_specs(inputs: typing.Any, pspecs: typing.Any, convert) -> typing.Any:
    """Apply convert(array, spec) to each leaf of `inputs`, `pspecs` being one spec or a tree prefix of specs."""
    leaves, tree = tree_util.tree_flatten(inputs)
    if _is_spec(pspecs):
        specs = [pspecs] * len(leaves)
    else:
        specs = []
        spec_leaves, spec_tree = tree_util.tree_flatten(pspecs, is_leaf=_is_spec)
        for spec, subtree in zip(spec_leaves, spec_tree.flatten_up_to(inputs)):
            specs += [spec] * len(tree_util.tree_flatten(subtree)[0])
    return tree_util.tree_unflatten(tree, [jnp.asarray(convert(np.asarray(x), spec)) for x, spec in zip(leaves, specs)])


class _MeshLayout:
    """Where each device's block of an array with `spec` lies, globally and within its process's part."""

    def __init__(self, mesh: typing.Any, spec: typing.Any, ndim: int):
        self.names = tuple(mesh.axis_names)
        self.sizes = dict(mesh.shape)
        devices = np.asarray(mesh.devices)
        self.processes = np.vectorize(lambda d: d.process_index, otypes=[int])(devices)
        entries = [] if spec is None else list(spec)
        if len(entries) > ndim:
            raise ValueError(f"PartitionSpec {spec} has {len(entries)} entries, more than the array's rank {ndim}")
        self.dim_axes = [_entry_axes(e) for e in entries]
        self.dim_axes += [()] * (ndim - len(entries))
        used = [a for axes in self.dim_axes for a in axes]
        unknown = [a for a in used if a not in self.names]
        if unknown or len(set(used)) < len(used):
            raise ValueError(f"PartitionSpec {spec}: " + (f"unknown mesh axis {unknown[0]!r} (the mesh has axes "
                             f"{self.names})" if unknown else "a mesh axis is used more than once"))
        self.origin, self.local_sizes = self._process_blocks()

    def _process_blocks(self) -> tuple[dict, dict]:
        """Each process's first mesh coordinate, and the extent of its block (the same for all processes)."""
        origin, extents = {}, set()
        for q in np.unique(self.processes):
            coords = np.argwhere(self.processes == q)
            low, high = coords.min(axis=0), coords.max(axis=0)
            extent = tuple(int(v) for v in high - low + 1)
            if math.prod(extent) != len(coords):
                raise ValueError(f"the devices of process {q} do not form a contiguous block of the mesh "
                                 f"(axes {self.names}); build the mesh so that each process's devices are adjacent")
            origin[int(q)] = tuple(int(v) for v in low)
            extents.add(extent)
        if len(extents) != 1:
            raise ValueError(f"the processes hold blocks of different shapes of the mesh (axes {self.names}): {extents}")
        return origin, dict(zip(self.names, extents.pop()))

    def _blocks(self, per_axis: dict) -> list[int]:
        return [math.prod(per_axis[a] for a in axes) for axes in self.dim_axes]

    def _index(self, coord: tuple, axes: tuple, per_axis: dict, offset: tuple = ()) -> int:
        """The block index along one array dimension: `coord` over `axes`, major to minor."""
        index = 0
        for a in axes:
            k = self.names.index(a)
            index = index * per_axis[a] + coord[k] - (offset[k] if offset else 0)
        return index

    def _each_block(self, global_shape: tuple, ranks: list, copy) -> None:
        """copy(rank, global slices, local slices) for every device of the processes in `ranks`, in that order."""
        steps = [size // n for size, n in zip(global_shape, self._blocks(self.sizes))]
        for q in ranks:
            for coord in map(tuple, np.argwhere(self.processes == q)):
                where_global = tuple(slice(i * step, (i + 1) * step) for i, step in zip(
                    (self._index(coord, axes, self.sizes) for axes in self.dim_axes), steps))
                where_local = tuple(slice(i * step, (i + 1) * step) for i, step in zip(
                    (self._index(coord, axes, self.local_sizes, self.origin[q]) for axes in self.dim_axes), steps))
                copy(q, where_global, where_local)

    def to_global(self, local: np.ndarray) -> np.ndarray:
        factors = [g // lo for g, lo in zip(self._blocks(self.sizes), self._blocks(self.local_sizes))]
        for size, n, axes in zip(local.shape, self._blocks(self.local_sizes), self.dim_axes):
            if size % n:
                raise ValueError(f"host_local_array_to_global_array: a dimension of size {size} cannot be split "
                                 f"evenly over the {n} local devices of mesh axes {axes}")
        group = world()
        parts = local[None] if group is None else group.allgather(local, what="host_local_array_to_global_array")
        out = np.empty([s * f for s, f in zip(local.shape, factors)], local.dtype)
        written = set()

        def place(q, where, part):  # a block held by several processes comes from the lowest rank
            key = tuple((w.start, w.stop) for w in where)
            if key not in written:
                written.add(key)
                out[where] = parts[q][part]

        self._each_block(out.shape, sorted(self.origin), place)
        return out

    def to_local(self, global_array: np.ndarray) -> np.ndarray:
        blocks = self._blocks(self.sizes)
        for size, n, axes in zip(global_array.shape, blocks, self.dim_axes):
            if size % n:
                raise ValueError(f"global_array_to_host_local_array: a dimension of size {size} cannot be split "
                                 f"evenly over the {n} devices of mesh axes {axes}")
        factors = [g // lo for g, lo in zip(blocks, self._blocks(self.local_sizes))]
        out = np.empty([s // f for s, f in zip(global_array.shape, factors)], global_array.dtype)
        me = 0 if world() is None else world().rank
        self._each_block(global_array.shape, [me], lambda q, where, part: out.__setitem__(part, global_array[where]))
        return out
