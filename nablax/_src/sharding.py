"""Devices of the job, meshes and named shardings (JAX's `jax.sharding`).

nablax computes in NumPy on the host; its devices are virtual: `jax_num_cpu_devices` (or
the environment variable NABLAX_NUM_CPU_DEVICES) gives each process k of them, and in a job
of n processes device j of process r has the global id r * k + j. A placement (a device or
a sharding) is metadata on an Array: its data stays one NumPy array, which every process
holds whole. pmap and shard_map read the devices and meshes defined here.
"""
from __future__ import annotations

import contextlib
import contextvars
import enum
import math
import os
from collections import OrderedDict
from typing import Any, Iterator, Sequence

import numpy as np

from . import distributed as _distributed
from .array import (
    CpuDevice,
    Sharding,
    SingleDeviceSharding,
    check_memory_kind,
    first_local_device,
    get_device,
    this_process,
)
from .config import config

__all__ = [
    "AbstractDevice", "AbstractMesh", "AxisType", "DuplicateSpecError", "IndivisibleError", "ManualAxisType", "Mesh",
    "NamedSharding", "P", "PartitionSpec", "get_abstract_mesh", "get_mesh", "make_mesh",
    "make_single_device_sharding", "set_mesh", "use_abstract_mesh",
]


# ----------------------------------------------------------------------- devices
def _num_cpu_devices(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or (value < 1 and value != -1):
        raise ValueError(f"jax_num_cpu_devices must be a positive int (or -1: the default, one device), "
                         f"got {value!r}")
    return int(value)


def _env_count() -> int:
    text = os.environ.get("NABLAX_NUM_CPU_DEVICES") or os.environ.get("JAX_NUM_CPU_DEVICES") or "-1"
    try:
        return _num_cpu_devices(int(text))
    except ValueError:
        raise ValueError(f"NABLAX_NUM_CPU_DEVICES must be a positive int, got {text!r}") from None


# Unlike JAX, the count may change at any time: devices are virtual and nothing is cached on them.
num_cpu_devices_flag = config.define("jax_num_cpu_devices", _env_count(), _num_cpu_devices)


def process_group() -> Any:
    """The job's process group (distributed.world()), or None in a one-process job."""
    return _distributed.world()


def process_info() -> tuple[int, int]:
    """(index of this process, number of processes) of the job: (0, 1) without a launcher."""
    group = process_group()
    return (0, 1) if group is None else (group.rank, group.size)


def _this_process_index() -> int:
    return process_info()[0]


def local_count() -> int:
    """k: the number of devices of each process."""
    k = num_cpu_devices_flag.value
    return 1 if k == -1 else k


def process_devices(rank: int) -> list:
    """The devices of process `rank`: global ids rank * k + j."""
    k = local_count()
    return [get_device(rank * k + j, rank, j) for j in range(k)]


def _first_local_device() -> CpuDevice:
    return process_devices(process_info()[0])[0]


this_process[0] = _this_process_index
first_local_device[0] = _first_local_device


def all_devices() -> list:
    """Every device of the job, process by process."""
    return [d for rank in range(process_info()[1]) for d in process_devices(rank)]


# ------------------------------------------------------------------ axis types
class AxisType(enum.Enum):
    """How a mesh axis is sharded: by the compiler (Auto), in the types (Explicit), by hand (Manual)."""

    Auto = enum.auto()
    Explicit = enum.auto()
    Manual = enum.auto()

    def __repr__(self) -> str:
        return self.name


class ManualAxisType:
    """Which manual mesh axes a value varies over, or is unreduced / reduced over (JAX's
    `ManualAxisType`, part of its types under shard_map; here a plain value)."""

    __slots__ = ("varying", "unreduced", "reduced")

    def __init__(self, *, varying: Any = frozenset(), unreduced: Any = frozenset(), reduced: Any = frozenset()):
        varying, unreduced, reduced = frozenset(varying), frozenset(unreduced), frozenset(reduced)
        for name, other in (("unreduced", unreduced), ("reduced", reduced)):
            if varying & other:
                raise ValueError(f"varying and {name} cannot have common mesh axes. Got varying={varying} and "
                                 f"{name}={other}")
        self.varying, self.unreduced, self.reduced = varying, unreduced, reduced

    @property
    def empty(self) -> bool:
        return not (self.varying or self.unreduced or self.reduced)

    def update(self, **kwargs: Any) -> "ManualAxisType":
        fields = {"varying": self.varying, "unreduced": self.unreduced, "reduced": self.reduced, **kwargs}
        return ManualAxisType(**fields)

    def _key(self) -> tuple:
        return (self.varying, self.unreduced, self.reduced)

    def __eq__(self, other) -> bool:
        return isinstance(other, ManualAxisType) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        return (_manual_axis_type, self._key())

    def __repr__(self) -> str:
        return f"ManualAxisType(varying={self.varying}, unreduced={self.unreduced}, reduced={self.reduced})"


def _manual_axis_type(varying: frozenset, unreduced: frozenset, reduced: frozenset) -> ManualAxisType:
    return ManualAxisType(varying=varying, unreduced=unreduced, reduced=reduced)


def _axis_names(names: Any, fname: str) -> tuple:
    names = (names,) if isinstance(names, str) else tuple(names)
    if len(set(names)) != len(names):
        raise ValueError(f"{fname}: the axis names must be distinct, got {names}")
    return names


def _axis_types(names: tuple, axis_types: Any, default: AxisType, fname: str) -> tuple:
    types = (default,) * len(names) if axis_types is None else axis_types
    if not isinstance(types, tuple):
        types = (types,)
    if not all(isinstance(t, AxisType) for t in types):
        raise TypeError(f"axis_types passed to {fname} must be of type `jax.sharding.AxisType`. "
                        f"Got {types} of type {tuple(type(t) for t in types)}")
    if len(types) != len(names):
        raise ValueError("Number of axis names should match the number of axis_types. "
                         f"Got axis_names={names} and axis_types={types}")
    return types


# ------------------------------------------------------------------------ meshes
class _MeshBase:
    """What meshes with and without devices share: axis names, sizes and types, printing."""

    __slots__ = ("axis_names", "axis_sizes", "axis_types")

    @property
    def shape(self) -> OrderedDict:
        """Axis name -> size, in mesh order."""
        return OrderedDict(zip(self.axis_names, self.axis_sizes))

    @property
    def shape_tuple(self) -> tuple:
        return tuple(zip(self.axis_names, self.axis_sizes))

    @property
    def size(self) -> int:
        return math.prod(self.axis_sizes)

    @property
    def empty(self) -> bool:
        return not self.axis_names

    def _axes_text(self) -> str:
        return "".join(f"'{n}': {s}, " for n, s in self.shape_tuple) + f"axis_types={self.axis_types}"


class Mesh(_MeshBase):
    """An n-dimensional array of devices with a name per axis (JAX's `jax.sharding.Mesh`).

    `with mesh:` makes it the mesh of the block (see `context_mesh`)."""

    __slots__ = ("devices",)

    def __init__(self, devices: Any, axis_names: Any, axis_types: Any = None):
        devs = np.array(devices, dtype=object)  # (devices are not sequences: NumPy keeps them whole)
        names = _axis_names(axis_names, "Mesh")
        if devs.ndim != len(names):
            raise ValueError("Mesh requires the ndim of its first argument (`devices`) to equal the length of its "
                             f"second argument (`axis_names`), but got devices.ndim == {devs.ndim} and "
                             f"len(axis_names) == {len(names)}.")
        if names:  # (the empty mesh, get_mesh()'s answer when none is set, holds no device)
            bad = [d for d in devs.flat if not isinstance(d, CpuDevice)]
            if bad:
                raise TypeError(f"Mesh: every entry of `devices` must be a device (from nablax.devices()), "
                                f"got {bad[0]!r}")
            if len(set(devs.flat)) != devs.size:
                raise ValueError(f"Mesh: a device appears more than once in {devs.tolist()}")
        devs.flags.writeable = False
        self.devices = devs
        self.axis_names = names
        self.axis_sizes = devs.shape
        self.axis_types = _axis_types(names, axis_types, AxisType.Auto, "Mesh")

    @property
    def device_ids(self) -> np.ndarray:
        """The ids of the devices, laid out as the mesh."""
        ids = [d.id for d in self.devices.flat] if self.axis_names else [0]
        return np.array(ids, np.int64).reshape(self.devices.shape)

    @property
    def local_devices(self) -> list:
        """The mesh's devices that belong to this process, in mesh order."""
        me = _this_process_index()
        return [d for d in self.devices.flat if d.process_index == me]

    @property
    def is_multi_process(self) -> bool:
        return len({d.process_index for d in self.devices.flat}) > 1

    @property
    def local_mesh(self) -> "Mesh":
        """The block of the mesh made of this process's devices (axis types Auto, as JAX's)."""
        me = _this_process_index()
        coords = np.argwhere(np.vectorize(lambda d: d.process_index == me, otypes=[bool])(self.devices))
        if not len(coords):
            raise ValueError(f"{self!r} has no device of this process (process {me})")
        block = tuple(slice(lo, hi + 1) for lo, hi in zip(coords.min(0), coords.max(0)))
        devices = self.devices[block]
        if any(d.process_index != me for d in devices.flat):
            raise ValueError(f"the devices of process {me} do not form a block of {self!r}")
        return Mesh(devices, self.axis_names)

    @property
    def abstract_mesh(self) -> "AbstractMesh":
        return AbstractMesh(self.axis_sizes, self.axis_names, self.axis_types, _device=AbstractDevice())

    def __enter__(self) -> "Mesh":
        _ENTERED_MESHES.set((*_ENTERED_MESHES.get(), self))  # (a stack per context: threads may share a mesh)
        return self

    def __exit__(self, *exc) -> None:
        _ENTERED_MESHES.set(_ENTERED_MESHES.get()[:-1])

    def _key(self) -> tuple:
        ids = tuple(d.id for d in self.devices.flat) if self.axis_names else ()
        return (ids, self.axis_sizes, self.axis_names, self.axis_types)

    def __eq__(self, other) -> bool:
        return self is other or (isinstance(other, Mesh) and self._key() == other._key())

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        return (Mesh, (np.asarray(self.devices), self.axis_names, self.axis_types))

    def __str__(self) -> str:
        return f"Mesh({self._axes_text()})" if self.axis_names else "Mesh()"

    def __repr__(self) -> str:
        if not self.axis_names:
            return "Mesh(axis_sizes=(), axis_names=())"
        return f"Mesh(axis_sizes={self.axis_sizes}, axis_names={self.axis_names!r}, axis_types={self.axis_types})"


class AbstractDevice:
    """The kind of device a mesh is made of (JAX's `AbstractDevice`), without the devices."""

    __slots__ = ()
    device_kind = "cpu"
    num_cores = None
    platform = "cpu"

    def __eq__(self, other) -> bool:
        return isinstance(other, AbstractDevice)

    def __hash__(self) -> int:
        return hash(AbstractDevice)

    def _text(self) -> str:
        return f"device_kind={self.device_kind}, num_cores={self.num_cores}, platform={self.platform}"

    def __repr__(self) -> str:
        return f"AbstractDevice({self._text()})"


class AbstractMesh(_MeshBase):
    """Axis names, sizes and types of a mesh, without its devices (JAX's `AbstractMesh`)."""

    __slots__ = ("_device",)

    def __init__(self, axis_sizes: tuple, axis_names: tuple, axis_types: Any = None, *,
                 _device: AbstractDevice | None = None):
        self.axis_sizes = tuple(int(s) for s in axis_sizes)
        self.axis_names = _axis_names(axis_names, "AbstractMesh")
        if len(self.axis_sizes) != len(self.axis_names):
            raise ValueError(f"AbstractMesh: {len(self.axis_sizes)} axis sizes {self.axis_sizes} for "
                             f"{len(self.axis_names)} axis names {self.axis_names}")
        self.axis_types = _axis_types(self.axis_names, axis_types, AxisType.Auto, "AbstractMesh")
        self._device = _device

    def __eq__(self, other) -> bool:
        return isinstance(other, AbstractMesh) and self.shape_tuple == other.shape_tuple and \
            self.axis_types == other.axis_types

    def __hash__(self) -> int:
        return hash((self.shape_tuple, self.axis_types))

    def __repr__(self) -> str:
        if not self.axis_names:
            return "AbstractMesh((), axis_types=())"
        device = "" if self._device is None else f", {self._device._text()}"
        return f"AbstractMesh({self._axes_text()}{device})"

    __str__ = __repr__


_EMPTY_MESH = Mesh(np.empty((), dtype=object), ())
_ENTERED_MESHES: contextvars.ContextVar = contextvars.ContextVar("nablax_entered_meshes", default=())
_SET_MESH: contextvars.ContextVar = contextvars.ContextVar("nablax_set_mesh", default=None)
_ABSTRACT_MESH: contextvars.ContextVar = contextvars.ContextVar("nablax_abstract_mesh", default=None)


class set_mesh:  # noqa: N801  (JAX's name; a function that is also a context manager)
    """`set_mesh(mesh)` makes `mesh` the current mesh; as `with set_mesh(mesh):` only for the block."""

    def __init__(self, mesh: Mesh):
        if not isinstance(mesh, Mesh):
            raise TypeError(f"set_mesh expects a nablax.sharding.Mesh, got {mesh!r} of type {type(mesh).__name__}")
        self._token = _SET_MESH.set(mesh)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        _SET_MESH.reset(self._token)


def get_mesh() -> Mesh:
    """The mesh set by `set_mesh` (an empty Mesh when none is)."""
    mesh = _SET_MESH.get()
    return _EMPTY_MESH if mesh is None else mesh


def get_abstract_mesh() -> AbstractMesh:
    """The mesh of `use_abstract_mesh`, else the abstract form of `set_mesh`'s (empty when neither)."""
    mesh = _ABSTRACT_MESH.get()
    if mesh is not None:
        return mesh
    return get_mesh().abstract_mesh if _SET_MESH.get() is not None else AbstractMesh((), ())


@contextlib.contextmanager
def _abstract_mesh_block(mesh: AbstractMesh) -> Iterator[None]:
    token = _ABSTRACT_MESH.set(mesh)
    try:
        yield
    finally:
        _ABSTRACT_MESH.reset(token)


def use_abstract_mesh(mesh: AbstractMesh) -> contextlib.AbstractContextManager:
    """`with use_abstract_mesh(m):` makes `m` what get_abstract_mesh() answers in the block."""
    if not isinstance(mesh, AbstractMesh):
        raise ValueError(f"Expected mesh of type `jax.sharding.AbstractMesh`. Got type: {type(mesh)}")
    return _abstract_mesh_block(mesh)


def as_named(where_to: Any, fname: str) -> "NamedSharding":
    """A reshard target as a NamedSharding: a PartitionSpec is taken on `set_mesh`'s mesh (JAX's rules)."""
    if isinstance(where_to, NamedSharding):
        return where_to
    if where_to is None:
        raise ValueError(f"Reshard should only be used with out_shardings which are non-None and have a non-empty "
                         f"mesh. Got sharding {where_to}.")
    if isinstance(where_to, PartitionSpec):
        mesh = _SET_MESH.get()
        if mesh is None:
            raise ValueError("Using PartitionSpec when you are not under a mesh context is not allowed. Please pass "
                             "a NamedSharding instance or enter into a mesh context via `jax.set_mesh`. "
                             f"Got {where_to}")
        return NamedSharding(mesh, where_to)
    raise TypeError(f"`out_sharding` argument of {fname} only supports instances of `NamedSharding` or "
                    f"`PartitionSpec`. Got {where_to} of type: {type(where_to)}")


def context_mesh() -> Mesh | None:
    """The mesh a computation without an explicit one uses: `set_mesh`'s, else `with mesh:`'s, else None."""
    mesh = _SET_MESH.get()
    if mesh is None:
        entered = _ENTERED_MESHES.get()
        return entered[-1] if entered else None
    return mesh


def make_mesh(axis_shapes: Sequence[int], axis_names: Any, axis_types: Any = None, *,
              devices: Sequence[CpuDevice] | None = None) -> Mesh:
    """A mesh of the given shape over the first prod(axis_shapes) devices (all of the job's by
    default, in id order), axis types Explicit unless given (as JAX's make_mesh)."""
    devices = all_devices() if devices is None else list(devices)
    try:
        shape = tuple(int(s) for s in axis_shapes)
    except (TypeError, ValueError):
        raise ValueError(f"`axis_shapes` passed to `make_mesh` should be a sequence of ints. Got {axis_shapes}") \
            from None
    if any(s < 1 for s in shape):
        raise ValueError(f"make_mesh: every axis size must be positive, got axis_shapes={shape}")
    size = math.prod(shape)
    if size > len(devices):
        raise ValueError(f"Number of devices {len(devices)} must be >= the product of mesh_shape {shape}")
    names = _axis_names(axis_names, "make_mesh")
    if axis_types is None:
        axis_types = (AxisType.Explicit,) * len(names)
    grid = np.empty(shape, dtype=object)
    grid.reshape(-1)[:] = devices[:size]
    return Mesh(grid, names, axis_types=axis_types)


# ------------------------------------------------------------ partition specs
class _Unconstrained:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNCONSTRAINED"

    def __reduce__(self):
        return "UNCONSTRAINED"


UNCONSTRAINED = _Unconstrained()


def _partition(entry: Any) -> Any:
    """One entry of a spec: None, UNCONSTRAINED, an axis name, or a tuple of names (a 1-tuple is its name)."""
    if isinstance(entry, (tuple, list)):
        entry = tuple(entry)
        return entry[0] if len(entry) == 1 else entry
    return entry


class PartitionSpec:
    """How each dimension of an array is split over mesh axes: per dimension None (whole), a
    mesh axis name, or a tuple of names (split over their product, the first the major one).

    A sequence (len, iteration, indexing, +) but not a tuple, so pytree functions see it as one
    leaf (as JAX's); `tuple(spec)` or `spec.partitions` gives its entries."""

    __slots__ = ("_partitions",)
    UNCONSTRAINED = UNCONSTRAINED

    def __init__(self, *partitions: Any):
        self._partitions = tuple(_partition(p) for p in partitions)

    @property
    def partitions(self) -> tuple:
        return self._partitions

    def __len__(self) -> int:
        return len(self._partitions)

    def __iter__(self):
        return iter(self._partitions)

    def __getitem__(self, i):
        return self._partitions[i]

    def index(self, value: Any) -> int:
        return self._partitions.index(_partition(value))

    def count(self, value: Any) -> int:
        return self._partitions.count(_partition(value))

    def __add__(self, other):
        if isinstance(other, (PartitionSpec, tuple)):
            return PartitionSpec(*self._partitions, *other)
        return NotImplemented

    def __radd__(self, other):
        if isinstance(other, tuple):
            return PartitionSpec(*other, *self._partitions)
        return NotImplemented

    def __eq__(self, other) -> bool:
        return isinstance(other, PartitionSpec) and other._partitions == self._partitions

    def __hash__(self) -> int:
        return hash((PartitionSpec, self._partitions))

    def __reduce__(self):
        return (PartitionSpec, self._partitions)

    def __repr__(self) -> str:
        return f"P({repr(self._partitions)[1:-1]})"


P = PartitionSpec


def entry_axes(entry: Any) -> tuple:
    """The mesh axes of one spec entry (None and UNCONSTRAINED: none)."""
    if entry is None or entry is UNCONSTRAINED:
        return ()
    return entry if isinstance(entry, tuple) else (entry,)


# --------------------------------------------------------------- named sharding
class DuplicateSpecError(ValueError):
    """A spec that names one mesh axis for two dimensions (JAX's class of that name)."""


class IndivisibleError(ValueError):
    """An array dimension that the mesh axes it is split over do not divide (JAX's class)."""


class NamedSharding(Sharding):
    """An array split over a mesh as a PartitionSpec says (JAX's `jax.sharding.NamedSharding`)."""

    __slots__ = ("mesh", "spec", "_memory_kind")

    def __init__(self, mesh: Mesh, spec: PartitionSpec, *, memory_kind: str | None = None):
        if not isinstance(mesh, Mesh):
            raise TypeError(f"NamedSharding: `mesh` must be a nablax.sharding.Mesh, got {type(mesh).__name__}")
        if not isinstance(spec, PartitionSpec):
            raise TypeError(f"NamedSharding: `spec` must be a PartitionSpec (P(...)), got {spec!r} of type "
                            f"{type(spec).__name__}; write P{tuple(spec)!r}" if isinstance(spec, (tuple, list))
                            else f"NamedSharding: `spec` must be a PartitionSpec (P(...)), got {spec!r}")
        self.mesh, self.spec = mesh, spec
        self._memory_kind = check_memory_kind(memory_kind)
        self._check()

    def _check(self) -> None:
        used: set = set()
        for entry in self.spec:
            for axis in entry_axes(entry):
                if axis not in self.mesh.axis_names:
                    raise ValueError(f"Resource axis: {axis} of {self.spec} is not found in mesh: "
                                     f"{self.mesh.axis_names}.")
                if axis in used:
                    raise DuplicateSpecError(
                        "A single NamedSharding spec specification can map every mesh axis to at most one "
                        f"positional dimension, but {self.spec} has duplicate entries for `{axis}`")
                used.add(axis)
        if any(e is UNCONSTRAINED for e in self.spec) and AxisType.Auto not in self.mesh.axis_types:
            raise ValueError(f"{self.spec} cannot contain `P.UNCONSTRAINED` when no mesh axis_types are `Auto`. "
                             f"Got mesh axis_types: {self.mesh.axis_types}")

    def _factors(self, ndim: int) -> list:
        """How many pieces each of the first `ndim` dimensions is split into."""
        shape = self.mesh.shape
        factors = [math.prod(shape[a] for a in entry_axes(e)) for e in self.spec._partitions[:ndim]]
        return factors + [1] * (ndim - len(factors))

    def shard_shape(self, global_shape: tuple) -> tuple:
        """The shape of each device's piece of an array of `global_shape`."""
        global_shape = tuple(global_shape)
        if len(self.spec) > len(global_shape):
            raise ValueError(f"{self} has {len(self.spec)} entries in its spec, more than the rank "
                             f"{len(global_shape)} of an array of shape {global_shape}")
        factors = self._factors(len(global_shape))
        for dim, (size, factor) in enumerate(zip(global_shape, factors)):
            if size % factor:
                raise IndivisibleError(
                    f"Sharding {self} implies that array axis {dim} is partitioned {factor} times, but the "
                    f"dimension size is {size} (full shape: {global_shape}, per-dimension tiling factors: "
                    f"{factors} should evenly divide the shape)")
        return tuple(size // factor for size, factor in zip(global_shape, factors))

    def devices_indices_map(self, global_shape: tuple) -> dict:
        """Device -> the index (a tuple of slices) of its piece, for every device of the mesh."""
        piece = self.shard_shape(global_shape)
        names = self.mesh.axis_names
        entries = [entry_axes(e) for e in self.spec._partitions[:len(piece)]]
        out = {}
        for coords in np.ndindex(self.mesh.devices.shape):
            where = dict(zip(names, coords))
            index = []
            for dim, size in enumerate(piece):
                axes = entries[dim] if dim < len(entries) else ()
                if not axes:
                    index.append(slice(None))
                    continue
                block = 0
                for a in axes:  # the first named axis is the major one
                    block = block * self.mesh.shape[a] + where[a]
                index.append(slice(block * size, (block + 1) * size))
            out[self.mesh.devices[coords]] = tuple(index)
        return out

    @property
    def device_set(self) -> set:
        return set(self.mesh.devices.flat)

    @property
    def _device_assignment(self) -> tuple:
        return tuple(self.mesh.devices.flat)

    @property
    def num_devices(self) -> int:
        return self.mesh.size

    @property
    def is_fully_replicated(self) -> bool:
        return math.prod(self._factors(len(self.spec))) == 1

    def with_memory_kind(self, kind: str) -> "NamedSharding":
        return NamedSharding(self.mesh, self.spec, memory_kind=kind)

    def __eq__(self, other) -> bool:
        return (isinstance(other, NamedSharding) and self.mesh == other.mesh and self.spec == other.spec
                and self.memory_kind == other.memory_kind)

    def __hash__(self) -> int:
        return hash((self.mesh, self.spec, self.memory_kind))

    def __reduce__(self):
        return (_named_sharding, (self.mesh, self.spec, self._memory_kind))

    def __repr__(self) -> str:
        return f"NamedSharding(mesh={self.mesh}, spec={self.spec}, memory_kind={self.memory_kind})"


def _named_sharding(mesh: Mesh, spec: PartitionSpec, memory_kind: str | None) -> NamedSharding:
    return NamedSharding(mesh, spec, memory_kind=memory_kind)


def make_single_device_sharding(device: CpuDevice) -> Sharding:
    """The sharding that puts a whole array on `device`."""
    return SingleDeviceSharding(device)
