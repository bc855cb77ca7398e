"""nablax.nn.initializers: parameter initializers, as jax.nn.initializers.

Each initializer is a function `init(key, shape, dtype=float32) -> Array` (`zeros` and
`ones` are initializers themselves; the others are made by factories such as
`normal(stddev)` or `glorot_uniform()`). Fans follow JAX: for a weight of shape
(..., fan_in, fan_out) the receptive field is the product of the other axes.
"""
from __future__ import annotations

import math
import operator
from typing import Callable, Protocol, Sequence

import numpy as np

from nablax._src import dtypes, random
from nablax._src import numpy as jnp


def _dtype(dtype, where: str) -> np.dtype:
    return dtypes.check_user_dtype(float if dtype is None else dtype, f"nn.initializers.{where}", stacklevel=4)


def _shape(shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(operator.index(d) for d in shape)


def zeros(key, shape, dtype=None):
    """All zeros (the key is unused)."""
    return jnp.zeros(_shape(shape), _dtype(dtype, "zeros"))


def ones(key, shape, dtype=None):
    """All ones (the key is unused)."""
    return jnp.ones(_shape(shape), _dtype(dtype, "ones"))


def constant(value, dtype=None) -> Callable:
    """An initializer filling with `value`."""

    def init(key, shape, dtype=dtype):
        return jnp.full(_shape(shape), value, _dtype(dtype, "constant"))

    return init


def normal(stddev=1e-2, dtype=None) -> Callable:
    """Normal(0, stddev^2) samples."""

    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype, "normal")
        return random.normal(key, _shape(shape), dtype) * jnp.asarray(stddev, dtype)

    return init


def uniform(scale=1e-2, dtype=None) -> Callable:
    """Uniform samples on [0, scale)."""

    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype, "uniform")
        return random.uniform(key, _shape(shape), dtype) * jnp.asarray(scale, dtype)

    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0) -> Callable:
    """stddev * (standard normal truncated to (lower, upper))."""

    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype, "truncated_normal")
        return random.truncated_normal(key, lower, upper, _shape(shape), dtype) * jnp.asarray(stddev, dtype)

    return init


def _axes(axes, ndim: int) -> tuple:
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    return tuple(a % ndim for a in axes)


def compute_fans(shape: Sequence[int], in_axis=-2, out_axis=-1, batch_axis=()) -> tuple:
    """(fan_in, fan_out) of a weight shape: in/out sizes times the receptive field."""
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"nn.initializers: fans need a weight of rank >= 2 (in and out axes), got shape {shape}")
    nd = len(shape)
    ins, outs, batch = _axes(in_axis, nd), _axes(out_axis, nd), _axes(batch_axis, nd)
    in_size = math.prod(shape[a] for a in ins)
    out_size = math.prod(shape[a] for a in outs)
    receptive = math.prod(d for i, d in enumerate(shape) if i not in ins + outs + batch)
    return in_size * receptive, out_size * receptive


# Standard deviation of the standard normal truncated to (-2, 2).
_TRUNC_STD = 0.87962566103423978


def variance_scaling(scale, mode: str, distribution: str, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None) -> Callable:
    """Samples of variance scale / n, n = fan_in, fan_out or their average (`mode`), from a
    "truncated_normal", "normal" or "uniform" `distribution`."""
    if mode not in ("fan_in", "fan_out", "fan_avg"):
        raise ValueError(f"nn.initializers.variance_scaling: invalid mode {mode!r}; "
                         "use 'fan_in', 'fan_out' or 'fan_avg'")
    if distribution not in ("truncated_normal", "normal", "uniform"):
        raise ValueError(f"nn.initializers.variance_scaling: invalid distribution {distribution!r}; "
                         "use 'truncated_normal', 'normal' or 'uniform'")

    def init(key, shape, dtype=dtype):
        shape = _shape(shape)
        dtype = _dtype(dtype, "variance_scaling")
        fan_in, fan_out = compute_fans(shape, in_axis, out_axis, batch_axis)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
        variance = scale / max(n, 1)
        if distribution == "truncated_normal":
            z = random.truncated_normal(key, -2.0, 2.0, shape, dtype)
            return z * jnp.asarray(math.sqrt(variance) / _TRUNC_STD, dtype)
        if distribution == "normal":
            return random.normal(key, shape, dtype) * jnp.asarray(math.sqrt(variance), dtype)
        lim = math.sqrt(3.0 * variance)
        return random.uniform(key, shape, dtype, -lim, lim)

    return init


def _preset(family: str, scale: float, mode: str, kind: str) -> Callable:
    """The factory `{family}_{kind}(in_axis, out_axis, batch_axis, dtype)`: variance_scaling with
    `scale` and `mode`, sampling uniform or (kind "normal", as in JAX) truncated normal values."""
    distribution = "truncated_normal" if kind == "normal" else kind

    def factory(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Callable:
        return variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)

    factory.__name__ = factory.__qualname__ = f"{family}_{kind}"
    factory.__doc__ = f"variance_scaling({scale}, {mode!r}, {distribution!r}, in_axis, out_axis, batch_axis, dtype)."
    return factory


# (family, scale, mode): Glorot & Bengio (2010), LeCun et al. (1998), He et al. (2015).
glorot_uniform, glorot_normal, lecun_uniform, lecun_normal, he_uniform, he_normal = (
    _preset(family, scale, mode, kind)
    for family, scale, mode in (("glorot", 1.0, "fan_avg"), ("lecun", 1.0, "fan_in"), ("he", 2.0, "fan_in"))
    for kind in ("uniform", "normal"))

xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal

def orthogonal(scale=1.0, column_axis: int = -1, dtype=None) -> Callable:
    """Weights whose `column_axis` columns are orthonormal (times `scale`): random.orthogonal of
    the (rows, columns) matrix, reshaped to `shape`."""

    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype, "orthogonal")
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        if 0 in shape:
            return jnp.zeros(shape, dtype)
        n_cols = shape[column_axis]
        q = random.orthogonal(key, math.prod(shape) // n_cols, (), dtype, n_cols)
        q = jnp.reshape(q, tuple(np.delete(shape, column_axis)) + (n_cols,))
        return jnp.asarray(scale, dtype) * jnp.moveaxis(q, -1, column_axis)

    return init


def delta_orthogonal(scale=1.0, column_axis: int = -1, dtype=None) -> Callable:
    """Convolution kernels (3-5 D) that are zero except an orthogonal matrix at the spatial centre
    (Xiao et al. 2018): the in/out channel map is an isometry."""

    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype, "delta_orthogonal")
        shape = _shape(shape)
        if len(shape) not in (3, 4, 5):
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        block = orthogonal(scale, column_axis, dtype)(key, shape[-2:])
        return jnp.zeros(shape, dtype).at[centre].set(block)

    return init


class Initializer(Protocol):
    """What every initializer is: called as init(key, shape, dtype) and returns an array."""

    def __call__(self, key, shape, dtype=None):
        raise NotImplementedError("Initializer is a protocol: use one of the nn.initializers factories")


__all__ = [
    "zeros", "ones", "constant", "normal", "uniform", "truncated_normal", "variance_scaling", "compute_fans",
    "glorot_uniform", "glorot_normal", "xavier_uniform", "xavier_normal", "lecun_uniform", "lecun_normal",
    "he_uniform", "he_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "delta_orthogonal", "Initializer",
]
