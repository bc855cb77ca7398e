"""The Array API object protocol on nablax arrays: __array_namespace__, DLPack (zero-copy),
device/sharding attributes, device= on the creation functions, and __array_namespace_info__."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp

CPU = nablax.devices()[0]


def test_array_namespace():
    x = jnp.arange(3.0)
    assert x.__array_namespace__() is jnp and x.__array_namespace__(api_version="2024.12") is jnp
    with pytest.raises(ValueError, match="available versions are: \\['2024.12'\\]"):
        x.__array_namespace__(api_version="2023.12")
    assert jnp.__array_api_version__ == "2024.12"
    seen = []
    nablax.jit(lambda v: seen.append(v.__array_namespace__()) or v)(x)  # tracers too
    assert seen == [jnp]


def test_dlpack_is_zero_copy_and_read_only():
    x = jnp.arange(6.0).reshape(2, 3)
    y = np.from_dlpack(x)
    np.testing.assert_array_equal(y, x)
    assert np.shares_memory(y, x._value) and not y.flags.writeable
    assert tuple(x.__dlpack_device__()) == (1, 0)  # (kDLCPU, device 0)
    copied = np.from_dlpack(x, copy=True)
    assert not np.shares_memory(copied, x._value)
    np.testing.assert_array_equal(np.from_dlpack(jnp.float32(2.5)), 2.5)  # a 0-d array
    assert type(x.__dlpack__()).__name__ == "PyCapsule"  # an old-protocol consumer gets a copy
    with pytest.raises(BufferError, match="DLPack >= 1.0"):
        x.__dlpack__(copy=False)


def test_device_and_sharding_attributes():
    x = jnp.ones((2, 2))
    assert x.devices() == {CPU} and x.device is CPU
    assert repr(x.sharding) == "SingleDeviceSharding(device=CpuDevice(id=0), memory_kind=device)"
    s = x.sharding
    assert s.device_set == {CPU} and s.num_devices == 1 and s.is_fully_replicated and s.memory_kind == "device"
    assert s.shard_shape((2, 2)) == (2, 2) and s.devices_indices_map((2, 2)) == {CPU: (slice(None), slice(None))}
    assert s == type(s)(CPU) and hash(s) == hash(type(s)(CPU))
    assert x.is_fully_addressable and x.is_fully_replicated
    (shard,) = x.addressable_shards
    assert shard.device is CPU and shard.index == (slice(None), slice(None)) and shard.replica_id == 0
    np.testing.assert_array_equal(shard.data, x)
    assert repr(shard).startswith("Shard(device=CpuDevice(id=0), index=(slice(None, None, None), slice(None, None, None))")
    assert x.to_device(CPU) is x and x.to_device(s) is x
    with pytest.raises(ValueError, match="to_device"):
        x.to_device("gpu")
    assert x.block_until_ready() is x and x.copy_to_host_async() is None


@pytest.mark.parametrize("make", [
    lambda d: jnp.zeros(3, device=d), lambda d: jnp.ones(3, device=d), lambda d: jnp.empty(3, device=d),
    lambda d: jnp.full(3, 2.0, device=d), lambda d: jnp.arange(3, device=d), lambda d: jnp.linspace(0, 1, 3, device=d),
    lambda d: jnp.eye(3, device=d), lambda d: jnp.asarray([1, 2], device=d), lambda d: jnp.array([1.0], device=d),
    lambda d: jnp.zeros_like(jnp.ones(2), device=d), lambda d: jnp.ones_like(jnp.ones(2), device=d),
    lambda d: jnp.empty_like(jnp.ones(2), device=d), lambda d: jnp.full_like(jnp.ones(2), 3, device=d)])
def test_creation_device_argument(make):
    want = make(None)
    for d in (CPU, jnp.ones(1).sharding):
        got = make(d)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype and got.device is CPU
    with pytest.raises(ValueError, match="device"):
        make("tpu")


def test_namespace_info():
    info = jnp.__array_namespace_info__()
    assert info.capabilities() == {"boolean indexing": False, "data-dependent shapes": False, "max dimensions": 64}
    assert info.default_device() is None and info.devices() == [None, CPU]
    assert set(info.dtypes()) == {"bool", "int8", "int16", "int32", "uint8", "uint16", "uint32", "float32", "complex64"}
    assert list(info.dtypes(kind="signed integer")) == ["int8", "int16", "int32"]
    assert set(info.dtypes(kind=("bool", "real floating"))) == {"bool", "float32"}
    assert info.default_dtypes() == {"real floating": np.float32, "complex floating": np.complex64,
                                     "integral": np.int32, "indexing": np.int32}
    with nablax.enable_x64():
        assert "float64" in info.dtypes(kind="real floating") and info.default_dtypes()["integral"] == np.int64
    with pytest.raises(KeyError):
        info.dtypes(kind="strings")
