"""`nablax.sharding`: devices laid out as meshes, and how arrays are split over them (JAX's `jax.sharding`).

nablax's devices are virtual CPU devices (`jax_num_cpu_devices` per process); a sharding is
recorded on an Array by `nablax.device_put`, its data stays one NumPy array.
"""
from nablax._src.array import Sharding, SingleDeviceSharding
from nablax._src.sharding import (
    AbstractDevice,
    AbstractMesh,
    AxisType,
    Mesh,
    NamedSharding,
    PartitionSpec,
    get_abstract_mesh,
    get_mesh,
    make_single_device_sharding,
    set_mesh,
)

__all__ = [
    "AbstractDevice", "AbstractMesh", "AxisType", "Mesh", "NamedSharding", "PartitionSpec", "Sharding",
    "SingleDeviceSharding", "get_abstract_mesh", "get_mesh", "make_single_device_sharding", "set_mesh",
]
