"""Top-level runtime names.

Devices, device_put/get, the make_array_* constructors, block_until_ready, typeof,
jacobian, caches, config context managers, environment info. nablax computes in NumPy on
the host; its devices are virtual (nablax/_src/sharding.py): placing an array on a device
or a sharding records the placement on it, and no transfer ever moves memory.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import platform
import sys
from typing import Any, Callable, Iterator

import numpy as np

import nablax.numpy as _jnp
from nablax._src import dtypes as _dtypes
from nablax._src import sharding as _sharding
from nablax._src.api import jacrev
from nablax._src.array import (
    Array,
    CpuDevice,
    Shard,
    Sharding,
    SingleDeviceSharding,
    as_sharding,
    check_placement,
    default_sharding,
    index_key,
    install_array_methods,
    place,
    to_concrete_array,
)
from nablax._src.config import (
    FlagState,
    config,
    dtype_promotion_flag,
    explain_cache_misses_flag,
    log_compiles_flag,
    no_tracing_flag,
    state,
    x64_state,
)
from nablax._src.core import Tracer, lift_aval
from nablax._src.jit import compile as _compile
from nablax._src.jit import jitted as _jitted
from nablax._src.sharding import NamedSharding, P, make_mesh, set_mesh
from nablax._src.tree import tree_flatten, tree_leaves, tree_map

__all__ = [
    "Device", "allow_f16_reductions", "array_garbage_collection_guard", "block_until_ready", "check_tracer_leaks",
    "checking_leaks", "clear_caches", "copy_to_host_async", "debug_key_reuse", "default_backend", "default_device",
    "default_matmul_precision", "default_prng_impl", "device_count", "device_get", "device_put", "devices",
    "effects_barrier", "enable_checks", "enable_custom_prng", "enable_x64", "explain_cache_misses", "float0",
    "host_count", "host_id", "host_ids", "jacobian", "jax2tf_associative_scan_reductions", "legacy_prng_key",
    "live_arrays", "local_device_count", "local_devices", "log_compiles", "make_array_from_callback",
    "make_array_from_process_local_data", "make_array_from_single_device_arrays", "make_mesh", "NamedSharding",
    "P", "Shard", "reshard", "set_mesh",
    "no_execution", "no_tracing", "numpy_dtype_promotion", "numpy_rank_promotion", "print_environment_info",
    "process_count", "process_index", "process_indices", "softmax_custom_jvp", "thread_guard",
    "threefry_partitionable", "transfer_guard", "transfer_guard_device_to_device", "transfer_guard_device_to_host",
    "transfer_guard_host_to_device", "typeof",
]

Device = CpuDevice
float0 = _dtypes.float0
jacobian = jacrev


# ----------------------------------------------------------------------- devices
def _backend(backend: Any, fname: str) -> None:
    """Only the 'cpu' backend exists; another name is a RuntimeError, as JAX's for an absent one."""
    if backend is None or backend == "cpu":
        return
    raise RuntimeError(f"{fname}: unknown backend {backend!r}; nablax runs on NumPy and its only backend is 'cpu'")


def devices(backend: str | None = None) -> list:
    """Every device of the job: `jax_num_cpu_devices` per process, process by process."""
    _backend(backend, "devices")
    return _sharding.all_devices()


def local_devices(process_index: int | None = None, backend: str | None = None, host_id: int | None = None) -> list:
    """The devices of this process (or of process `process_index`)."""
    _backend(backend, "local_devices")
    index = host_id if process_index is None else process_index
    rank, size = _sharding.process_info()
    if index is None:
        index = rank
    elif not 0 <= index < size:
        raise ValueError(f"Unknown process_index {index}")
    return _sharding.process_devices(index)


def device_count(backend: str | None = None) -> int:
    """The number of devices of the job."""
    _backend(backend, "device_count")
    return _sharding.local_count() * _sharding.process_info()[1]


def local_device_count(backend: str | None = None) -> int:
    """The number of devices of this process (`jax_num_cpu_devices`, default 1)."""
    _backend(backend, "local_device_count")
    return _sharding.local_count()


def default_backend() -> str:
    return "cpu"


def process_index(backend: str | None = None) -> int:
    """The index of this process in the job (0 without an MPI launcher)."""
    _backend(backend, "process_index")
    return _sharding.process_info()[0]


def process_count(backend: str | None = None) -> int:
    """The number of processes of the job (1 without an MPI launcher)."""
    _backend(backend, "process_count")
    return _sharding.process_info()[1]


def process_indices(backend: str | None = None) -> list:
    _backend(backend, "process_indices")
    return list(range(_sharding.process_info()[1]))


host_id, host_count, host_ids = process_index, process_count, process_indices


def _device_setting(value: Any) -> Any:
    if value is None or isinstance(value, CpuDevice) or value == "cpu":
        return value
    raise ValueError("default_device must be passed either a Device object (e.g. `nablax.devices('cpu')[0]`) "
                     f"or the platform name 'cpu', got: {value!r}")


default_device = FlagState(config.define("jax_default_device", None, _device_setting),
                           "`with default_device(d):` names the device new arrays belong to (nablax keeps "
                           "every array in host memory; the setting is accepted and read back).")


# --------------------------------------------------------------- moving values
def _is_placement(x: Any) -> bool:
    return x is None or isinstance(x, (CpuDevice, Sharding))


def _placed(x: Any, where_to: Any) -> Any:
    """One leaf of device_put: a Tracer as it is; a value as an Array, placed if `where_to` says so."""
    if isinstance(x, Tracer):
        return x
    if isinstance(x, (CpuDevice, Sharding)):
        raise TypeError(f"device_put: {x!r} is a placement, not a value; pass it as `device=`")
    a = to_concrete_array(x)
    if where_to is None:
        return a
    sharding = as_sharding(where_to)
    if not sharding.is_fully_addressable and type(sharding) is SingleDeviceSharding:
        raise ValueError(f"device_put: {where_to!r} belongs to process {where_to.process_index}, not to this one "
                         f"(process {_sharding.process_info()[0]}); put values on nablax.local_devices()")
    if a is x and sharding == a.sharding:  # an Array already there comes back as it is (as to_device)
        return a
    return place(a, sharding)


def device_put(x: Any, device: Any = None, *, src: Any = None, donate: bool = False, may_alias: bool | None = None):
    """`x` (a pytree) as nablax Arrays placed on `device`: None (uncommitted, on device 0), a
    device, a sharding, or a pytree prefix of x of those.

    Placement is metadata: the data stays one NumPy array in host memory (which every process
    of a job holds whole), and an array computed from a placed one is back on device 0.
    NumPy values are copied in (so later writes to them do not show), Python scalars keep
    their weak type; an Array is never copied, whatever `donate`/`may_alias` say."""
    for s in tree_leaves(src, is_leaf=_is_placement):
        check_placement(s, "device_put (src=)")
    if _is_placement(device):
        return tree_map(lambda v: _placed(v, device), x)
    places, treedef = tree_flatten(device, is_leaf=_is_placement)
    for p in places:
        check_placement(p, "device_put")
    try:
        parts = treedef.flatten_up_to(x)
    except (TypeError, ValueError) as e:
        raise ValueError(f"device_put: the tree of devices/shardings {treedef} is not a prefix of the tree "
                         f"of values: {e}") from None
    return treedef.unflatten(tree_map(lambda v, p=p: _placed(v, p), part) for part, p in zip(parts, places))


def _is_reshard_target(x: Any) -> bool:
    return x is None or isinstance(x, (P, Sharding, CpuDevice))


def reshard(xs: Any, out_shardings: Any) -> Any:
    """`xs` (a pytree) placed on `out_shardings` (NamedShardings, or PartitionSpecs on the mesh of
    `set_mesh`; a pytree prefix of xs). As device_put, the data is not moved."""
    targets = tree_map(lambda s: _sharding.as_named(s, "reshard"), out_shardings, is_leaf=_is_reshard_target)
    return device_put(xs, targets)


def _axes_wrapper(f: Callable | None, where: str, value: Any, on_inputs: bool) -> Callable:
    """explicit_axes / auto_axes: nablax has no sharding in its types, so only the resharding
    of the inputs (`in_sharding`) or the outputs (`out_sharding`) remains to do."""
    if f is None:
        return functools.partial(_axes_wrapper, where=where, value=value, on_inputs=on_inputs)

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        if value is None:
            if on_inputs:
                raise TypeError(f"Missing required keyword argument: '{where}'")
            return f(*args, **kwargs)
        if on_inputs:
            return f(*reshard(args, value), **kwargs)
        return reshard(f(*args, **kwargs), value)
    return wrapped


def explicit_axes(f: Callable | None = None, /, *, axes: Any = None, in_sharding: Any = None) -> Callable:
    """`f` with its arguments resharded to `in_sharding` (the mesh axes' types do not exist in nablax)."""
    return _axes_wrapper(f, "in_sharding", in_sharding, True)


def auto_axes(f: Callable | None = None, /, *, axes: Any = None, out_sharding: Any = None) -> Callable:
    """`f` with its results resharded to `out_sharding` when given."""
    return _axes_wrapper(f, "out_sharding", out_sharding, False)


def device_get(x: Any) -> Any:
    """`x` (a pytree) with every Array as a (read-only) NumPy array; other leaves as they are."""
    return tree_map(lambda v: np.asarray(v) if isinstance(v, (Array, Tracer)) else v, x)


def block_until_ready(x: Any) -> Any:
    """`x`, after every Array in it has been computed: at once, since nablax computes eagerly."""
    for leaf in tree_leaves(x):
        if hasattr(leaf, "block_until_ready"):
            leaf.block_until_ready()
    return x


def copy_to_host_async(x: Any) -> Any:
    """`x`; its Arrays are in host memory already, so there is nothing to start."""
    return x


def effects_barrier() -> None:
    """Wait for pending side effects (callbacks, prints): none are ever pending, nablax runs them in order."""


def typeof(x: Any) -> Any:
    """The abstract value of `x`: its ShapedArray (printed as JAX's, e.g. `float32[3]`)."""
    return lift_aval(x)


def live_arrays(platform: str | None = None) -> list:
    """The nablax Arrays alive now (found through the garbage collector; a debugging aid)."""
    _backend(platform, "live_arrays")
    return [o for o in gc.get_objects() if type(o) is Array]


def _placement_of(sharding: Any, fname: str) -> Sharding:
    if sharding is None:
        return default_sharding()
    if not isinstance(sharding, (CpuDevice, Sharding)):
        raise TypeError(f"{fname}: `sharding` must be a sharding (nablax.sharding.NamedSharding, "
                        f"SingleDeviceSharding) or a device, got {sharding!r} of type {type(sharding).__name__}")
    return as_sharding(sharding)


def _assembled(shape: tuple, sharding: Sharding, pieces: dict, dtype: Any, fname: str) -> Array:
    """The Array of `shape` placed on `sharding`, from one piece per distinct index (key: index_key)."""
    indices = sharding.devices_indices_map(shape)
    piece_shape = sharding.shard_shape(shape)
    values = {k: np.asarray(v) for k, v in pieces.items()}
    dtype = _dtypes.canonicalize_dtype(np.result_type(*values.values()) if dtype is None else dtype)
    out = np.empty(shape, dtype)
    for index in indices.values():
        v = values[index_key(index)]
        if v.shape != piece_shape:
            raise ValueError(f"{fname}: expected shard shape {piece_shape} (of {sharding} for an array of shape "
                             f"{shape}) doesn't match the shape {v.shape} of the piece at index {index}")
        out[index] = v
    return place(to_concrete_array(out), sharding)


def make_array_from_callback(shape: tuple, sharding: Any, data_callback: Callable, dtype: Any = None) -> Array:
    """The Array of `shape` on `sharding` whose piece at each index is `data_callback(index)`
    (a tuple of slices). Called once per distinct piece, for the pieces of every device: a
    nablax process holds the whole array."""
    sharding = _placement_of(sharding, "make_array_from_callback")
    shape = tuple(int(d) for d in shape)
    pieces = {}
    for index in sharding.devices_indices_map(shape).values():
        key = index_key(index)
        if key not in pieces:
            pieces[key] = data_callback(index)
    return _assembled(shape, sharding, pieces, dtype, "make_array_from_callback")


def make_array_from_single_device_arrays(shape: tuple, sharding: Any, arrays: Any, *, dtype: Any = None) -> Array:
    """The Array of `shape` on `sharding` made of one array per addressable device: matched
    to the devices by their placement when they are placed one per device, else in the
    order of `sharding.addressable_devices_indices_map(shape)`."""
    sharding = _placement_of(sharding, "make_array_from_single_device_arrays")
    shape = tuple(int(d) for d in shape)
    arrays = list(arrays)
    for a in arrays:
        if not isinstance(a, Array):
            raise TypeError(f"Unsupported type for elements in `arrays`: {type(a)} (pass nablax arrays)")
    local = sharding.addressable_devices_indices_map(shape)
    if len(arrays) != len(local):
        raise ValueError(f"Expected {len(local)} per-device arrays (this is how many devices are addressable by "
                         f"the sharding), but got {len(arrays)}")
    if len(arrays) == 1 and dtype is None and arrays[0].shape == shape:  # the whole array: keep it
        return arrays[0] if arrays[0].sharding == sharding else place(arrays[0], sharding)
    placed_on = [a.device for a in arrays]
    if set(placed_on) == set(local):
        pieces = {index_key(local[d]): np.asarray(a) for d, a in zip(placed_on, arrays)}
    else:
        pieces = {index_key(index): np.asarray(a) for index, a in zip(local.values(), arrays)}
    if not sharding.is_fully_addressable:  # every process holds the whole array: gather the others' pieces
        for theirs in _sharding.process_group().allgather_object(pieces):
            pieces.update(theirs)
    return _assembled(shape, sharding, pieces, dtype, "make_array_from_single_device_arrays")


def make_array_from_process_local_data(sharding: Any, local_data: Any, global_shape: tuple | None = None) -> Array:
    """The Array of `global_shape` on `sharding` from each process's data: the block that this
    process's devices hold (in a one-process job, the whole value). Without `global_shape` the
    data is taken as the whole array (right when every process holds all of it)."""
    sharding = _placement_of(sharding, "make_array_from_process_local_data")
    data = to_concrete_array(local_data)
    shape = data.shape if global_shape is None else tuple(int(d) for d in global_shape)
    if sharding.is_fully_addressable:
        if shape != data.shape:
            raise ValueError(f"make_array_from_process_local_data: global_shape {shape} differs from the shape "
                             f"{data.shape} of the data, which this process's devices hold whole")
        return _placed(data, sharding)
    box = _local_block(sharding, shape)
    box_shape = tuple(s.stop - s.start for s in box)
    if data.shape != box_shape:
        raise ValueError(f"make_array_from_process_local_data: this process's devices hold the block {box} of the "
                         f"array of shape {shape} on {sharding}, of shape {box_shape}, but the local data has shape "
                         f"{data.shape} (pass global_shape=)")
    out = np.empty(shape, data.dtype)
    for their_box, their_data in _sharding.process_group().allgather_object((box, np.asarray(data))):
        out[their_box] = their_data
    return place(to_concrete_array(out), sharding)


def _local_block(sharding: Sharding, shape: tuple) -> tuple:
    """The smallest block (slices with explicit bounds) holding every piece of this process's devices."""
    indices = list(sharding.addressable_devices_indices_map(shape).values())
    bounds = [[s.indices(n)[:2] for s in (index[dim] for index in indices)] for dim, n in enumerate(shape)]
    return tuple(slice(min(b[0] for b in dim), max(b[1] for b in dim)) for dim in bounds)


def clear_caches() -> None:
    """Drop every jit compilation cache (jitted functions retrace on their next call)."""
    with _jitted._CACHES_LOCK:
        caches = [c for per_fun in _jitted._CACHES.values() for c in per_fun.values()]
    for cache in caches:
        cache.clear()
    _compile._CACHE.clear()


def _promotion_changed() -> None:
    """Promotion rules are not part of the fast jit lookup: drop compiled code made under the old rule."""
    _dtypes._promotion_changed()
    clear_caches()


dtype_promotion_flag.on_change = _promotion_changed


# ---------------------------------------------------------------- config states
enable_x64 = x64_state
log_compiles = FlagState(log_compiles_flag, "`with log_compiles():` logs (WARNING, logger 'nablax.jit') "
                         "each jit trace and compilation, naming the function and its argument types.")
explain_cache_misses = FlagState(explain_cache_misses_flag, "`with explain_cache_misses():` logs why a jitted "
                                 "function retraced: the argument types that differ from the closest cached call.")
no_tracing = FlagState(no_tracing_flag, "`with no_tracing():` makes a jit retrace raise RuntimeError.")
numpy_rank_promotion = state("jax_numpy_rank_promotion")
numpy_dtype_promotion = state("jax_numpy_dtype_promotion")
default_matmul_precision = state("jax_default_matmul_precision")
check_tracer_leaks = state("jax_check_tracer_leaks")
checking_leaks = functools.partial(check_tracer_leaks, True)
debug_key_reuse = state("jax_debug_key_reuse")
enable_checks = state("jax_enable_checks")
enable_custom_prng = state("jax_enable_custom_prng")
default_prng_impl = state("jax_default_prng_impl")
threefry_partitionable = state("jax_threefry_partitionable")
legacy_prng_key = state("jax_legacy_prng_key")
softmax_custom_jvp = state("jax_softmax_custom_jvp")
allow_f16_reductions = state("jax_allow_f16_reductions")
transfer_guard_host_to_device = state("jax_transfer_guard_host_to_device")
transfer_guard_device_to_device = state("jax_transfer_guard_device_to_device")
transfer_guard_device_to_host = state("jax_transfer_guard_device_to_host")
no_execution = state("jax_no_execution")
array_garbage_collection_guard = state("jax_array_garbage_collection_guard")
jax2tf_associative_scan_reductions = state("jax2tf_associative_scan_reductions")
thread_guard = state("jax_thread_guard")


@contextlib.contextmanager
def transfer_guard(new_val: str) -> Iterator[None]:
    """`with transfer_guard("disallow"):` sets all three transfer guards (nablax never transfers)."""
    with contextlib.ExitStack() as stack:
        for guard in (transfer_guard_host_to_device, transfer_guard_device_to_device, transfer_guard_device_to_host):
            stack.enter_context(guard(new_val))
        yield


# ------------------------------------------------------------------ environment
def print_environment_info(return_string: bool = False) -> str | None:
    """The versions of nablax, NumPy and Python, the device and the platform."""
    version = sys.modules["nablax"].__version__  # the package is imported by the time anyone calls this
    info = "\n".join([
        f"nablax: {version}",
        f"numpy:  {np.__version__}",
        f"python: {sys.version}",
        f"device info: cpu-{device_count()}, {local_device_count()} local devices",
        f"process_count: {process_count()}",
        f"platform: {platform.uname()}",
    ]) + "\n"
    if return_string:
        return info
    print(info, end="")
    return None


# ------------------------------------------------------ the Array API namespace
def _array_namespace(self, *, api_version: str | None = None):
    """The Array API namespace of nablax arrays: nablax.numpy (standard version 2024.12)."""
    if api_version is not None and api_version != "2024.12":
        raise ValueError(f"api_version={api_version!r} is not available; available versions are: ['2024.12']")
    return _jnp


install_array_methods({"__array_namespace__": _array_namespace})
