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

    __slots__ = ("_value", "_weak")
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
    def devices(self) -> set:
        """The set of devices holding the array: always the one CPU device."""
        return {CPU_DEVICE}

    @property
    def device(self) -> "CpuDevice":
        return CPU_DEVICE

    @property
    def sharding(self) -> "SingleDeviceSharding":
        return SINGLE_SHARDING

    is_fully_addressable = True
    is_fully_replicated = True

    @property
    def addressable_shards(self) -> list:
        return [Shard(CPU_DEVICE, (slice(None),) * self._value.ndim, 0, self)]

    global_shards = addressable_shards

    def to_device(self, device, *, stream=None) -> "Array":
        """The array on `device` (the CPU device or a sharding of it): itself."""
        check_placement(device, "Array.to_device")
        return self

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
    """The one device nablax computes on (host memory, NumPy), printed as JAX prints it."""

    __slots__ = ()
    id = 0
    platform = "cpu"
    device_kind = "cpu"
    process_index = 0
    host_id = 0
    task_id = 0
    local_hardware_id = 0
    client = None  # JAX's XLA client object; nablax has none

    def __new__(cls) -> "CpuDevice":
        return CPU_DEVICE  # one device: every "construction" is the same object

    def __repr__(self) -> str:
        return "CpuDevice(id=0)"

    def __str__(self) -> str:
        return "cpu:0"

    def __reduce__(self):
        return (_cpu_device, ())

    def memory_stats(self) -> None:
        return None


CPU_DEVICE = object.__new__(CpuDevice)


def _cpu_device() -> CpuDevice:
    return CPU_DEVICE


class SingleDeviceSharding:
    """The placement of every nablax array: the whole array on the CPU device."""

    __slots__ = ("device", "memory_kind")

    def __init__(self, device: CpuDevice, *, memory_kind: str | None = None):
        if not isinstance(device, CpuDevice):
            raise TypeError(f"SingleDeviceSharding: expected a device (nablax.devices()[0]), got {device!r}")
        self.device = device
        self.memory_kind = "device" if memory_kind is None else memory_kind

    device_set = property(lambda self: {self.device})
    addressable_devices = device_set
    num_devices = 1
    is_fully_addressable = True
    is_fully_replicated = True

    def shard_shape(self, global_shape: tuple) -> tuple:
        return tuple(global_shape)

    def devices_indices_map(self, global_shape: tuple) -> dict:
        return {self.device: (slice(None),) * len(global_shape)}

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleDeviceSharding) and other.memory_kind == self.memory_kind

    def __hash__(self) -> int:
        return hash((SingleDeviceSharding, self.memory_kind))

    def __repr__(self) -> str:
        return f"SingleDeviceSharding(device={self.device!r}, memory_kind={self.memory_kind})"


SINGLE_SHARDING = SingleDeviceSharding(CPU_DEVICE)


class Shard:
    """One addressable piece of an array (the whole array, on nablax's one device)."""

    __slots__ = ("device", "index", "replica_id", "data")

    def __init__(self, device: CpuDevice, index: tuple, replica_id: int, data: Array):
        self.device, self.index, self.replica_id, self.data = device, index, replica_id, data

    def __repr__(self) -> str:
        return f"Shard(device={self.device!r}, index={self.index}, replica_id={self.replica_id}, data={self.data})"


def check_placement(where_to: Any, fname: str) -> None:
    """`where_to` must name nablax's device: None, the CPU device, or a sharding of it."""
    if where_to is None or isinstance(where_to, (CpuDevice, SingleDeviceSharding)):
        return
    raise ValueError(f"{fname} only accepts None, a sharding or a device (nablax.devices()[0], "
                     f"printed CpuDevice(id=0)); got {where_to!r} of type {type(where_to).__name__}")


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


def _rebuild(value, weak):
    return wrap(value, weak)


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
