"""nablax.ops: as jax.ops — segment reductions (sum, max, min, prod of data rows grouped by segment id).

Written on `x.at[ids].add/max/min/multiply` (scatters), so they are differentiable, batchable and
jittable; under `jit`, `num_segments` must be given (it fixes the output shape).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nablax import numpy as jnp
from nablax._src import dtypes
from nablax._src.numpy.promotion import check_arraylike

__all__ = ["segment_max", "segment_min", "segment_prod", "segment_sum"]


def _identity(op: str, dtype: np.dtype) -> Any:
    """The value of an empty segment: 0, 1, or the lowest/highest value of the dtype (±inf for floats)."""
    if op == "add":
        return 0
    if op == "multiply":
        return 1
    if dtypes.is_bool(dtype):
        return op == "min"
    if dtypes.is_integer(dtype):
        info = np.iinfo(dtype)
        return info.min if op == "max" else info.max
    return -np.inf if op == "max" else np.inf


def _num_segments(fname: str, segment_ids, num_segments) -> int:
    if num_segments is not None:
        n = int(num_segments)  # a traced value raises ConcretizationTypeError here, as in JAX
        if n < 0:
            raise ValueError(f"{fname}: num_segments must be non-negative, got {n}")
        return n
    # Under jit the ids are traced: int() raises ConcretizationTypeError, as in JAX.
    return int(jnp.max(segment_ids)) + 1 if segment_ids.size else 0


def _segment(fname: str, op: str, data, segment_ids, num_segments, indices_are_sorted: bool,
             unique_indices: bool, bucket_size: int | None, mode) -> Any:
    check_arraylike(fname, data, segment_ids)
    data, segment_ids = jnp.asarray(data), jnp.asarray(segment_ids)
    if op in ("add", "multiply") and dtypes.is_bool(data.dtype):
        raise TypeError(f"{fname}: data of dtype bool cannot be summed or multiplied; cast it to an integer dtype")
    n = _num_segments(fname, segment_ids, num_segments)
    mode = "fill" if mode is None else mode
    if mode in ("fill", "drop"):  # a negative id is out of bounds (dropped), not counted from the end
        segment_ids = jnp.where(segment_ids < 0, n, segment_ids)
    elif mode == "clip":
        segment_ids = jnp.clip(segment_ids, 0, max(n - 1, 0))
    kwargs = dict(indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    fill = _identity(op, data.dtype)
    if bucket_size is None or data.ndim == 0:
        out = jnp.full((n,) + data.shape[1:], fill, data.dtype)
        return getattr(out.at[segment_ids], op)(data, **kwargs)
    # Buckets of `bucket_size` consecutive rows are reduced separately, then combined.
    if int(bucket_size) <= 0:
        raise ValueError(f"{fname}: bucket_size must be positive, got {bucket_size}")
    rows = data.shape[0]
    num_buckets = -(-rows // int(bucket_size))
    bucket_ids = jnp.arange(rows) // int(bucket_size)
    out = jnp.full((num_buckets, n) + data.shape[1:], fill, data.dtype)
    kwargs["unique_indices"] = False
    partial = getattr(out.at[bucket_ids, segment_ids], op)(data, **kwargs)
    reduce = {"add": jnp.sum, "multiply": jnp.prod, "max": jnp.max, "min": jnp.min}[op]
    return reduce(partial, axis=0).astype(data.dtype)


def segment_sum(data, segment_ids, num_segments: int | None = None, indices_are_sorted: bool = False,
                unique_indices: bool = False, bucket_size: int | None = None, mode=None) -> Any:
    """out[k] = sum of data[i] over i with segment_ids[i] == k; ids out of [0, num_segments) are dropped."""
    return _segment("segment_sum", "add", data, segment_ids, num_segments, indices_are_sorted, unique_indices,
                    bucket_size, mode)


def segment_prod(data, segment_ids, num_segments: int | None = None, indices_are_sorted: bool = False,
                 unique_indices: bool = False, bucket_size: int | None = None, mode=None) -> Any:
    """out[k] = product of data[i] over i with segment_ids[i] == k (1 for an empty segment)."""
    return _segment("segment_prod", "multiply", data, segment_ids, num_segments, indices_are_sorted,
                    unique_indices, bucket_size, mode)


def segment_max(data, segment_ids, num_segments: int | None = None, indices_are_sorted: bool = False,
                unique_indices: bool = False, bucket_size: int | None = None, mode=None) -> Any:
    """out[k] = max of data[i] over i with segment_ids[i] == k (-inf, or the dtype's minimum, if empty)."""
    return _segment("segment_max", "max", data, segment_ids, num_segments, indices_are_sorted, unique_indices,
                    bucket_size, mode)


def segment_min(data, segment_ids, num_segments: int | None = None, indices_are_sorted: bool = False,
                unique_indices: bool = False, bucket_size: int | None = None, mode=None) -> Any:
    """out[k] = min of data[i] over i with segment_ids[i] == k (inf, or the dtype's maximum, if empty)."""
    return _segment("segment_min", "min", data, segment_ids, num_segments, indices_are_sorted, unique_indices,
                    bucket_size, mode)
