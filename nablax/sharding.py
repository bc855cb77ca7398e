"""`nablax.sharding`: devices laid out as meshes, and how arrays are split over them (JAX's `jax.sharding`).

nablax's devices are virtual CPU devices (`jax_num_cpu_devices` per process); a sharding is
recorded on an Array by `nablax.device_put`, its data stays one NumPy array.
"""
from nablax._src.array import Sharding, SingleDeviceSharding
from nablax._src.runtime_api import auto_axes, explicit_axes, reshard
from nablax._src.sharding import (
    AbstractDevice,
    AbstractMesh,
    AxisType,
    ManualAxisType,
    Mesh,
    NamedSharding,
    PartitionSpec,
    get_abstract_mesh,
    get_mesh,
    make_single_device_sharding,
    set_mesh,
    use_abstract_mesh,
)

__all__ = [
    "AbstractDevice", "AbstractMesh", "AxisType", "ManualAxisType", "Mesh", "NamedSharding", "PartitionSpec", "Sharding",
    "SingleDeviceSharding", "auto_axes", "explicit_axes", "get_abstract_mesh", "get_mesh",
    "make_single_device_sharding", "reshard", "set_mesh", "use_abstract_mesh",
]
