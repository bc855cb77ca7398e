"""Top-level runtime names.

Devices, device_put/get, block_until_ready, typeof, jacobian, caches, config context
managers, environment info. nablax computes on one device, the host CPU, in NumPy:
placement functions accept that device (or a sharding of it) and every transfer is a
no-op on memory, since all arrays already live in host memory.
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
from nablax._src.api import jacrev
from nablax._src.array import (
    CPU_DEVICE,
    Array,
    CpuDevice,
    Shard,
    SingleDeviceSharding,
    check_placement,
    install_array_methods,
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
from nablax._src.tree import tree_leaves, tree_map

__all__ = [
    "Device", "allow_f16_reductions", "array_garbage_collection_guard", "block_until_ready", "check_tracer_leaks",
    "checking_leaks", "clear_caches", "copy_to_host_async", "debug_key_reuse", "default_backend", "default_device",
    "default_matmul_precision", "default_prng_impl", "device_count", "device_get", "device_put", "devices",
    "effects_barrier", "enable_checks", "enable_custom_prng", "enable_x64", "explain_cache_misses", "float0",
    "host_count", "host_id", "host_ids", "jacobian", "jax2tf_associative_scan_reductions", "legacy_prng_key",
    "live_arrays", "local_device_count", "local_devices", "log_compiles", "make_array_from_callback",
    "make_array_from_single_device_arrays", "Shard",
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
    """The devices of `backend` (only 'cpu'): [CpuDevice(id=0)]."""
    _backend(backend, "devices")
    return [CPU_DEVICE]


def local_devices(process_index: int | None = None, backend: str | None = None, host_id: int | None = None) -> list:
    """The devices of this process: [CpuDevice(id=0)]."""
    _backend(backend, "local_devices")
    index = host_id if process_index is None else process_index
    if index not in (None, 0):
        raise ValueError(f"local_devices: process_index must be 0 (nablax runs in one process), got {index}")
    return [CPU_DEVICE]


def device_count(backend: str | None = None) -> int:
    _backend(backend, "device_count")
    return 1


def local_device_count(backend: str | None = None) -> int:
    _backend(backend, "local_device_count")
    return 1


def default_backend() -> str:
    return "cpu"


def process_index(backend: str | None = None) -> int:
    _backend(backend, "process_index")
    return 0


def process_count(backend: str | None = None) -> int:
    _backend(backend, "process_count")
    return 1


def process_indices(backend: str | None = None) -> list:
    _backend(backend, "process_indices")
    return [0]


host_id, host_count, host_ids = process_index, process_count, process_indices


def _device_setting(value: Any) -> Any:
    if value is None or isinstance(value, CpuDevice) or value == "cpu":
        return value
    raise ValueError("default_device must be passed either a Device object (e.g. `nablax.devices('cpu')[0]`) "
                     f"or the platform name 'cpu', got: {value!r}")


default_device = FlagState(config.define("jax_default_device", None, _device_setting),
                           "`with default_device(d):` places new arrays on `d` (nablax has one device, the CPU).")


# --------------------------------------------------------------- moving values
def _placed(x: Any) -> Any:
    if isinstance(x, Tracer):
        return x
    if isinstance(x, (CpuDevice, SingleDeviceSharding)):
        raise TypeError(f"device_put: {x!r} is a placement, not a value; pass it as `device=`")
    return to_concrete_array(x)


def device_put(x: Any, device: Any = None, *, src: Any = None, donate: bool = False, may_alias: bool | None = None):
    """`x` (a pytree) as nablax Arrays on `device` (None, the CPU device or a sharding of it).

    NumPy values are copied in (so later writes to them do not show), Python scalars keep
    their weak type. Arrays are immutable, so an Array comes back as it is whatever
    `donate`/`may_alias` say."""
    check_placement(device, "device_put")
    check_placement(src, "device_put (src=)")
    return tree_map(_placed, x)


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


def make_array_from_callback(shape: tuple, sharding: Any, data_callback: Callable, dtype: Any = None) -> Array:
    """The Array of `shape` whose one shard (the whole array) is `data_callback(index)`."""
    check_placement(sharding, "make_array_from_callback")
    shape = tuple(int(d) for d in shape)
    data = _jnp.asarray(data_callback((slice(None),) * len(shape)), dtype=dtype)
    if data.shape != shape:
        raise ValueError(f"make_array_from_callback: data_callback returned shape {data.shape}, "
                         f"but the array (one shard on one device) has shape {shape}")
    return data


def make_array_from_single_device_arrays(shape: tuple, sharding: Any, arrays: Any, *, dtype: Any = None) -> Array:
    """The Array of `shape` made of one array per device: here the one array, which must have that shape."""
    check_placement(sharding, "make_array_from_single_device_arrays")
    arrays = list(arrays)
    if len(arrays) != 1:
        raise ValueError(f"Expected 1 per-device arrays (this is how many devices are addressable by the sharding), "
                         f"but got {len(arrays)}")
    (data,) = arrays
    if not isinstance(data, (Array, Tracer)):
        raise TypeError(f"Unsupported type for elements in `arrays`: {type(data)} (pass nablax arrays)")
    if tuple(data.shape) != tuple(shape):
        raise ValueError(f"Expected shard shape {tuple(shape)} doesn't match the single device array shape {data.shape}")
    return data if dtype is None else _jnp.asarray(data, dtype=dtype)


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
        "device info: cpu-1, 1 local devices",
        "process_count: 1",
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
