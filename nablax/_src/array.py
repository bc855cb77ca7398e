"""Array, the immutable user-facing value, and the ArrayMethods mixin it shares with Tracer.

Operators and methods (`+`, `@`, `.sum()`, `.reshape()`, ...) are implemented by the
numpy layer, which installs them here once when it is imported
(`install_array_methods`); this module never imports upward.
"""
from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from . import dtypes
from .avals import ShapedArray

_PYTHON_SCALARS = (bool, int, float, complex)


class ArrayMethods:
    """Behaviour shared by concrete arrays and tracers, so code runs the same under transforms."""

    __slots__ = ()
    _at_update: Callable | None = None  # installed by the numpy layer

    def _concrete(self, what: str):
        raise NotImplementedError

    # Conversions to Python values need a concrete value.
    def __bool__(self) -> bool:
        v = self._concrete("bool() (e.g. an `if` or `while` condition)")
        if np.ndim(v) != 0 and np.size(v) != 1:
            raise ValueError(
                f"The truth value of an array with shape {np.shape(v)} is ambiguous; "
                "use .any() or .all()."
            )
        return bool(v)

    def __float__(self) -> float:
        return float(self._scalar_value("float()"))

    def __int__(self) -> int:
        return int(self._scalar_value("int()"))

    def __complex__(self) -> complex:
        return complex(self._scalar_value("complex()"))

    def __index__(self) -> int:
        v = self._scalar_value("an index (__index__)")
        if np.asarray(v).dtype.kind not in "iub":
            raise TypeError(f"only integer scalar arrays can be used as an index, got dtype {self.dtype}")
        return int(v)

    def _scalar_value(self, what: str):
        v = self._concrete(what)
        if np.size(v) != 1:
            raise TypeError(f"{what} needs an array with one element, got shape {np.shape(v)}")
        return np.asarray(v).reshape(())[()]

    def item(self, *args):
        return np.asarray(self._concrete(".item()")).item(*args)

    def tolist(self):
        return np.asarray(self._concrete(".tolist()")).tolist()

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of unsized object (a 0-d array)")
        return shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __setitem__(self, idx, value):
        raise TypeError(
            f"'{type(self).__name__}' object does not support item assignment: nablax arrays "
            "are immutable. Instead of `x[idx] = y`, write `x = x.at[idx].set(y)` "
            "(also .add, .multiply, .min, .max)."
        )

    @property
    def at(self) -> "_IndexUpdateHelper":
        return _IndexUpdateHelper(self)


class _IndexUpdateHelper:
    """`x.at[idx]`: the functional spelling of indexed updates."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, idx) -> "_IndexUpdateRef":
        return _IndexUpdateRef(self.array, idx)

    def __repr__(self) -> str:
        return f"_IndexUpdateHelper({self.array!r})"


def _update_method(op: str) -> Callable:
    """The method `x.at[idx].<op>(values, **options)` (installed by the numpy layer as _at_update)."""

    def method(self, values, **kwargs):
        return ArrayMethods._at_update(self.array, self.index, op, values, **kwargs)

    method.__name__ = method.__qualname__ = op
    method.__doc__ = f"`x.at[idx].{op}(values)`: a new array, x with x[idx] updated by {op!r}."
    return method


class _IndexUpdateRef:
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def get(self, **kwargs):
        """`x.at[idx].get()` is `x[idx]` (out-of-bound options accepted as in JAX)."""
        return ArrayMethods._at_update(self.array, self.index, "get", None, **kwargs)

    set = _update_method("set")
    add = _update_method("add")
    subtract = _update_method("subtract")
    multiply = mul = _update_method("multiply")
    divide = _update_method("divide")
    power = _update_method("power")
    min = _update_method("min")
    max = _update_method("max")


def _of_value(attr: str, kind: str) -> property:
    """A read-only property giving the NumPy value's `attr`."""
    return property(operator.attrgetter(f"_value.{attr}"), doc=f"{kind}: the array's {attr}, as NumPy's.")


class Array(ArrayMethods):
    """An immutable n-dimensional array backed by a NumPy array that is never exposed mutably."""

    __slots__ = ("_value", "_weak", "_placement")
    __array_priority__ = 100
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        raise TypeError("nablax.Array cannot be constructed directly; use nablax.numpy.array(...)")

    # Read straight off the NumPy value by C-level getters (the hottest attributes in the library).
    shape = _of_value("shape", "tuple")
    dtype = _of_value("dtype", "np.dtype")
    ndim = _of_value("ndim", "int")
    size = _of_value("size", "int")
    nbytes = _of_value("nbytes", "int")
    itemsize = _of_value("itemsize", "int")
    weak_type = property(operator.attrgetter("_weak"), doc="bool: whether the dtype is weak (from a Python scalar).")

    @property
    def aval(self) -> ShapedArray:
        v = self._value
        key = (v.shape, v.dtype, self._weak)
        aval = _AVALS.get(key)  # (interned_aval's lookup, inlined: read for every operand under a transformation)
        return interned_aval(*key) if aval is None else aval

    def _concrete(self, what: str):
        return self._value

    def __array__(self, dtype=None, copy=None):
        v = self._value
        if type(v) is not np.ndarray:
            v = np.asarray(v)
        elif not copy:
            v = v.view()
            v.flags.writeable = False
        if dtype is not None and np.dtype(dtype) != v.dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    def block_until_ready(self) -> "Array":
        return self

    def copy(self) -> "Array":
        return self

    def __copy__(self) -> "Array":
        return self

    def __deepcopy__(self, memo) -> "Array":
        return self

    def __reduce__(self):
        try:
            return (_rebuild, (np.asarray(self._value), self._weak, self._placement))
        except AttributeError:
            return (_rebuild, (np.asarray(self._value), self._weak))

    def __iter__(self):
        v = self._value
        if v.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        weak = self._weak
        return (wrap(row, weak) for row in v)

    def __repr__(self) -> str:
        # The printed form matches JAX's: empty arrays show their shape, and when the last
        # line of values leaves no room for the dtype, it follows after a wider gap.
        v = np.asarray(self._value)
        dtype_part = f"dtype={v.dtype.name}" + (", weak_type=True" if self._weak else "")
        width = np.get_printoptions()["linewidth"]
        if v.size:
            body = np.array2string(v, max_line_width=width, separator=", ", prefix="Array(", suffix=",")
        else:
            body = f"[], shape={v.shape}"
        last_line = len(body) - body.rfind("\n") + 1
        gap = "      " if last_line + len(dtype_part) + 2 > width else " "
        return f"Array({body},{gap}{dtype_part})"

    def __str__(self) -> str:
        return str(np.asarray(self._value))

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0:
            return format(self._value.item(), spec)
        return format(str(self), spec)

    # ------------------------------------------- devices, sharding and the Array API
    # `_placement` is set only by device_put & co (`place` below); an Array made by a
    # computation leaves it unset, so making one costs nothing extra, and it is on device 0.
    @property
    def sharding(self) -> "Sharding":
        try:
            return self._placement
        except AttributeError:
            return default_sharding()

    @property
    def committed(self) -> bool:
        """Whether the array was placed explicitly (device_put with a device or a sharding)."""
        try:
            self._placement  # noqa: B018
        except AttributeError:
            return False
        return True

    def devices(self) -> set:
        """The set of devices holding (a shard of) the array."""
        return self.sharding.device_set

    @property
    def device(self) -> "CpuDevice | Sharding":
        """The device of a single-device array; the sharding of one on several (as JAX's)."""
        sharding = self.sharding
        return sharding.device if type(sharding) is SingleDeviceSharding else sharding

    @property
    def is_fully_addressable(self) -> bool:
        return self.sharding.is_fully_addressable

    @property
    def is_fully_replicated(self) -> bool:
        return self.sharding.is_fully_replicated

    @property
    def addressable_shards(self) -> list:
        """One Shard per device of this process: its index into the array and its data."""
        return _shards(self, self.sharding.addressable_devices_indices_map(self._value.shape))

    @property
    def global_shards(self) -> list:
        """One Shard per device of the sharding (every process holds the whole array)."""
        return _shards(self, self.sharding.devices_indices_map(self._value.shape))

    def addressable_data(self, index: int) -> "Array":
        return self.addressable_shards[index].data

    def to_device(self, device, *, stream=None) -> "Array":
        """The array placed on `device` (a device or a sharding)."""
        check_placement(device, "Array.to_device")
        sharding = None if device is None else as_sharding(device)
        return self if sharding is None or sharding == self.sharding else place(self, sharding)

    def copy_to_host_async(self) -> None:
        """Nothing to do: the data is in host memory already."""

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export the NumPy buffer through DLPack: read-only and without copying for a DLPack 1.x
        consumer; a consumer of the older protocol (which cannot mark memory read-only) gets a
        copy, so that it cannot write into this immutable array."""
        v = self._value
        if max_version is None or tuple(max_version) < (1, 0):
            if copy is False:
                raise BufferError("Array.__dlpack__: a zero-copy export needs a DLPack >= 1.0 consumer "
                                  "(the older protocol cannot mark the memory read-only); pass copy=None or True")
            return np.array(v).__dlpack__(stream=stream)
        v = v.view() if type(v) is np.ndarray else np.asarray(v)
        v.flags.writeable = False
        return v.__dlpack__(stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self) -> tuple:
        return np.empty(0).__dlpack_device__()


class CpuDevice:
    """One virtual CPU device (all compute on host memory, in NumPy), printed as JAX prints it.

    A process has `jax_num_cpu_devices` of them (nablax/_src/sharding.py lists them); global
    id `process_index * k + j`. One object per (id, process): get them with `get_device(...)`
    (or nablax.devices())."""

    __slots__ = ("id", "process_index", "local_hardware_id")
    platform = "cpu"
    device_kind = "cpu"
    client = None  # JAX's XLA client object; nablax has none

    def __new__(cls, id: int = 0) -> "CpuDevice":  # noqa: A002  (JAX's attribute name)
        """`CpuDevice()` is device 0 (one process); `CpuDevice(i)` device i of this process's numbering."""
        return get_device(int(id), 0, int(id))

    @property
    def host_id(self) -> int:
        return self.process_index

    @property
    def task_id(self) -> int:
        return self.process_index

    def __repr__(self) -> str:
        return f"CpuDevice(id={self.id})"

    def __str__(self) -> str:
        return f"cpu:{self.id}"

    def __reduce__(self):
        return (get_device, (self.id, self.process_index, self.local_hardware_id))

    def __copy__(self) -> "CpuDevice":
        return self

    def __deepcopy__(self, memo) -> "CpuDevice":
        return self

    def memory_stats(self) -> None:
        return None


_DEVICES: dict[tuple, CpuDevice] = {}


def get_device(id: int, process_index: int, local_hardware_id: int) -> CpuDevice:  # noqa: A002
    """The one CpuDevice with this global id, owning process and index within that process."""
    key = (id, process_index, local_hardware_id)
    d = _DEVICES.get(key)
    if d is None:
        d = object.__new__(CpuDevice)
        d.id, d.process_index, d.local_hardware_id = key
        d = _DEVICES.setdefault(key, d)
    return d


CPU_DEVICE = get_device(0, 0, 0)


def _this_process() -> int:
    return 0


def _first_local_device() -> "CpuDevice":
    return CPU_DEVICE


# The index of this process in its job, and its first device (where arrays made by computation
# are); nablax/_src/sharding.py installs the real ones (the transport lives above this layer).
this_process: list[Callable[[], int]] = [_this_process]
first_local_device: list[Callable[[], "CpuDevice"]] = [_first_local_device]

MEMORY_KINDS = ("device", "pinned_host", "unpinned_host")


def check_memory_kind(memory_kind: str | None) -> str | None:
    if memory_kind is None or memory_kind in MEMORY_KINDS:
        return memory_kind
    raise ValueError("Could not find memory addressable by device cpu. Device cpu can address the following "
                     f"memory kinds: {', '.join(MEMORY_KINDS)}. Got memory kind: {memory_kind}")


class Sharding:
    """How an array is laid out over devices (JAX's `jax.sharding.Sharding`): the subclasses
    give `device_set`, `devices_indices_map` and `shard_shape`; the rest follows from those."""

    __slots__ = ()
    _memory_kind: str | None = None

    @property
    def device_set(self) -> set:
        raise NotImplementedError

    def devices_indices_map(self, global_shape: tuple) -> dict:
        raise NotImplementedError

    def shard_shape(self, global_shape: tuple) -> tuple:
        raise NotImplementedError

    @property
    def memory_kind(self) -> str:
        return "device" if self._memory_kind is None else self._memory_kind

    @property
    def num_devices(self) -> int:
        return len(self.device_set)

    @property
    def addressable_devices(self) -> set:
        """The devices of the sharding that belong to this process."""
        me = this_process[0]()
        return {d for d in self.device_set if d.process_index == me}

    @property
    def is_fully_addressable(self) -> bool:
        me = this_process[0]()
        return all(d.process_index == me for d in self.device_set)

    def addressable_devices_indices_map(self, global_shape: tuple) -> dict:
        me = this_process[0]()
        return {d: i for d, i in self.devices_indices_map(global_shape).items() if d.process_index == me}


class SingleDeviceSharding(Sharding):
    """The whole array on one device (the placement of every array made by a computation)."""

    __slots__ = ("_device", "_memory_kind")

    def __init__(self, device: CpuDevice, *, memory_kind: str | None = None):
        if not isinstance(device, CpuDevice):
            raise TypeError(f"SingleDeviceSharding: expected a device (e.g. nablax.devices()[0]), got {device!r}")
        self._device = device
        self._memory_kind = check_memory_kind(memory_kind)

    device = property(lambda self: self._device, doc="The one device holding the array.")
    device_set = property(lambda self: {self._device})
    num_devices = 1
    is_fully_replicated = True

    def shard_shape(self, global_shape: tuple) -> tuple:
        return tuple(global_shape)

    def devices_indices_map(self, global_shape: tuple) -> dict:
        return {self._device: (slice(None),) * len(global_shape)}

    def with_memory_kind(self, kind: str) -> "SingleDeviceSharding":
        return SingleDeviceSharding(self._device, memory_kind=kind)

    def __eq__(self, other) -> bool:
        return (isinstance(other, SingleDeviceSharding) and other._device is self._device
                and other.memory_kind == self.memory_kind)

    def __hash__(self) -> int:
        return hash((SingleDeviceSharding, self._device, self.memory_kind))

    def __reduce__(self):
        return (_single_device_sharding, (self._device, self._memory_kind))

    def __repr__(self) -> str:
        return f"SingleDeviceSharding(device={self._device!r}, memory_kind={self.memory_kind})"


def _single_device_sharding(device: CpuDevice, memory_kind: str | None) -> SingleDeviceSharding:
    return SingleDeviceSharding(device, memory_kind=memory_kind)


SINGLE_SHARDING = SingleDeviceSharding(CPU_DEVICE)
_ON_DEVICE: dict[CpuDevice, SingleDeviceSharding] = {CPU_DEVICE: SINGLE_SHARDING}


def as_sharding(where_to: "CpuDevice | Sharding") -> Sharding:
    """A device as the sharding that puts the whole array on it (one shared object per device)."""
    if isinstance(where_to, Sharding):
        return where_to
    s = _ON_DEVICE.get(where_to)
    if s is None:
        s = _ON_DEVICE.setdefault(where_to, SingleDeviceSharding(where_to))
    return s


def default_sharding() -> Sharding:
    """The placement of an array nobody placed: the first device of this process."""
    return as_sharding(first_local_device[0]())


class Shard:
    """One piece of an array: the device holding it, its index into the array, which copy of
    that piece it is (`replica_id`) and the data (an Array view of the piece)."""

    __slots__ = ("device", "index", "replica_id", "data")

    def __init__(self, device: CpuDevice, index: tuple, replica_id: int, data: Array):
        self.device, self.index, self.replica_id, self.data = device, index, replica_id, data

    def __repr__(self) -> str:
        return f"Shard(device={self.device!r}, index={self.index}, replica_id={self.replica_id}, data={self.data})"


def index_key(index: tuple) -> tuple:
    return tuple((s.start, s.stop, s.step) for s in index)


def _shards(x: Array, indices: dict) -> list:
    """The Shards of x for a device -> index map; a piece held by several devices is
    replica 0, 1, ... in the map's order, as JAX numbers them."""
    seen: dict[tuple, int] = {}
    shards = []
    for d, index in indices.items():
        key = index_key(index)
        replica = seen[key] = seen.get(key, -1) + 1
        shards.append(Shard(d, index, replica, wrap(x._value[index], x._weak)))
    return shards


def check_placement(where_to: Any, fname: str) -> None:
    """`where_to` must be a placement: None, a device, or a sharding."""
    if where_to is None or isinstance(where_to, (CpuDevice, Sharding)):
        return
    raise ValueError(f"{fname} only accepts None, a sharding (nablax.sharding.NamedSharding, "
                     f"SingleDeviceSharding) or a device (an entry of nablax.devices(), printed "
                     f"CpuDevice(id=0)); got {where_to!r} of type {type(where_to).__name__}")


_new_array = object.__new__
_AVALS: dict = {}


def interned_aval(shape: tuple, dtype: np.dtype, weak: bool) -> ShapedArray:
    """One shared ShapedArray per (shape, dtype, weak): avals are immutable, so share them."""
    key = (shape, dtype, weak)
    aval = _AVALS.get(key)
    if aval is None:
        if len(_AVALS) > 10_000:
            _AVALS.clear()
        aval = _AVALS[key] = ShapedArray(shape, dtype, weak)
    return aval


def wrap(value, weak: bool = False) -> Array:
    """Box a NumPy array (or NumPy scalar) of canonical dtype as an Array, without copying."""
    a = _new_array(Array)
    a._value = value
    a._weak = weak
    return a


def _rebuild(value, weak, placement=None):
    a = wrap(value, weak)
    if placement is not None:
        a._placement = placement
    return a


def place(x: Array, sharding: Sharding) -> Array:
    """A new Array over x's value, placed on `sharding`: placement is metadata, the data stays
    one NumPy array whatever the sharding. Raises if the sharding does not fit x's shape."""
    sharding.shard_shape(x._value.shape)
    a = wrap(x._value, x._weak)
    a._placement = sharding
    return a


_SCALAR_AVALS: dict = {}


def python_scalar_aval(x) -> ShapedArray:
    """Aval of a Python scalar: fixed by its type and the x64 flag, so computed once per pair
    (it runs for every scalar operand of an eager or differentiated operation)."""
    key = (type(x), dtypes.x64_flag.value)
    aval = _SCALAR_AVALS.get(key)
    if aval is None:
        if type(x) is bool:
            aval = ShapedArray((), np.dtype(bool), False)
        else:
            aval = ShapedArray((), dtypes.dtype_of(x), True)
        if type(x) in _PYTHON_SCALARS:  # (subclasses are rare and not cached)
            _SCALAR_AVALS[key] = aval
    return aval


def get_aval(x) -> ShapedArray:
    """Aval of a concrete value: Array, Python scalar, or NumPy array (canonical dtype)."""
    if type(x) is Array:
        return x.aval
    if isinstance(x, (np.ndarray, np.generic)):  # before Python scalars: np.float64 is a float subclass
        return ShapedArray(np.shape(x), dtypes.canonicalize_dtype(x.dtype), False)
    if isinstance(x, _PYTHON_SCALARS):
        return python_scalar_aval(x)
    aval = getattr(x, "aval", None)
    if isinstance(aval, ShapedArray):
        return aval
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid nablax array type")


def to_concrete_array(x: Any) -> Array:
    """Convert a Python scalar or NumPy array to an Array (canonical dtype; scalars weak)."""
    if isinstance(x, Array):
        return x
    if isinstance(x, (np.ndarray, np.generic)):  # before Python scalars: np.float64 is a float subclass
        if not dtypes.is_array_dtype(x.dtype):
            raise TypeError(f"NumPy array of dtype {x.dtype} is not a valid nablax array type")
        dt = dtypes.canonicalize_dtype(x.dtype)
        # The caller may write into its array later: copy it (once, here), so no Array, jit
        # result or cached constant shares its memory. NumPy scalars and read-only arrays
        # over read-only memory are used as they are; a read-only view of writeable memory
        # (np.broadcast_to(a), or np.asarray of an Array) is copied.
        if _exposed_to_writes(x):
            return wrap(np.array(x, dt), False)
        return wrap(np.asarray(x, dt), False)
    if isinstance(x, _PYTHON_SCALARS):
        aval = python_scalar_aval(x)
        return wrap(np.asarray(x, aval.dtype), aval.weak_type)
    # A tracer reaching the eager path has escaped its transformation: reading
    # `_value` raises the explanatory error.
    if hasattr(type(x), "_trace"):
        x._value  # noqa: B018
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid nablax array type")


def _exposed_to_writes(x: np.ndarray | np.generic) -> bool:
    """Whether someone can write into the memory of ``x`` after it was handed to us."""
    if x.flags.writeable:
        return True
    if not isinstance(x, np.ndarray):  # NumPy scalars are immutable
        return False
    base = x.base
    while isinstance(base, np.ndarray):
        if base.flags.writeable:
            return True
        base = base.base
    return False


def install_array_methods(methods: dict[str, Any]) -> None:
    """Install operators and methods (called once by the numpy layer at import)."""
    for name, fn in methods.items():
        setattr(ArrayMethods, name, fn)
