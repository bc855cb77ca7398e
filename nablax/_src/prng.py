"""PRNG keys and raw random bits: JAX's threefry2x32 implementation, bit for bit.

Two kinds of keys are accepted everywhere:
  - legacy keys: uint32[..., 2] arrays (what `random.PRNGKey` returns), and
  - typed keys: `PRNGKeyArray`, shape `()` per key and dtype `key<fry>` (what
    `random.key` returns). A typed key wraps its uint32[..., 2] data and is a pytree
    whose only leaf is that data, so jit, vmap, grad, scan and while loops carry it
    like any array (a batch of typed keys is batched along the data's leading axes).

The bits are JAX's (with `jax_threefry_partitionable`, the default since JAX 0.5):
  - seed s (an integer scalar):  key = [s >> 32 (logical, 0 for 32-bit seeds), s & 0xFFFFFFFF]
  - split into `shape`:          key i = threefry(key, (hi(i), lo(i))), i the flat index
  - fold_in(key, d):             threefry(key, (0, d))
  - bits of `shape`:             (y0, y1) = threefry(key, (hi(i), lo(i))); 32 bits: y0 ^ y1,
                                 64 bits: y0 << 32 | y1, 8 / 16 bits: (y0 ^ y1) truncated.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from . import numpy as jnp
from .array import Array, to_concrete_array
from .core import Tracer, lift_aval
from .primitives import elementwise as ew
from .primitives import misc
from .primitives import shape as lshape
from .primitives.random_bits import threefry2x32
from .tree import register_pytree_node

_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)


class KeyDtype:
    """The dtype of typed threefry keys; prints as JAX's `key<fry>`."""

    name = "key<fry>"
    kind = "V"
    _is_prng_key = True

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, KeyDtype) or other == self.name

    def __hash__(self) -> int:
        return hash(self.name)


KEY_DTYPE = KeyDtype()


class PRNGKeyArray:
    """An array of typed PRNG keys (dtype `key<fry>`) over uint32 data of shape `shape + (2,)`."""

    __slots__ = ("_data",)
    __array_priority__ = 200

    def __init__(self, data):
        self._data = data  # unchecked: tree utilities rebuild keys around arbitrary leaves

    @property
    def shape(self) -> tuple:
        return tuple(self._data.shape[:-1])

    @property
    def dtype(self) -> KeyDtype:
        return KEY_DTYPE

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object (a single PRNG key)")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a single PRNG key (shape ())")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, idx) -> PRNGKeyArray:
        idx = idx if isinstance(idx, tuple) else (idx,)
        if any(isinstance(i, PRNGKeyArray) for i in idx):
            raise TypeError("PRNG key arrays cannot be used as indices")
        used = sum(getattr(i, "ndim", 1) if getattr(i, "dtype", None) == np.bool_ else 1
                   for i in idx if i is not None and i is not Ellipsis)  # a bool mask spans its ndim
        if used > self.ndim:
            raise IndexError(f"Too many indices for a PRNG key array of shape {self.shape}: "
                             f"{len(idx)} given")
        return PRNGKeyArray(self._data[idx + (slice(None),)])

    def __array__(self, dtype=None, copy=None):
        raise TypeError("A PRNG key array cannot be converted to a NumPy array; use "
                        "random.key_data(keys) for its uint32 data.")

    def reshape(self, *shape) -> PRNGKeyArray:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if -1 in shape:
            known = math.prod(d for d in shape if d != -1)
            shape = tuple(self.size // max(known, 1) if d == -1 else d for d in shape)
        return PRNGKeyArray(lshape.reshape(self._data, tuple(shape) + (2,)))

    def ravel(self) -> PRNGKeyArray:
        return self.reshape(self.size)

    flatten = ravel

    @property
    def T(self) -> PRNGKeyArray:  # noqa: N802  (NumPy's spelling)
        perm = tuple(reversed(range(self.ndim))) + (self.ndim,)
        return PRNGKeyArray(lshape.transpose(self._data, perm))

    def __eq__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return jnp.all(jnp.equal(self._data, other._data), axis=-1)

    def __ne__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return jnp.logical_not(self == other)

    __hash__ = None  # like arrays: unhashable

    def block_until_ready(self) -> PRNGKeyArray:
        return self

    def __repr__(self) -> str:
        if isinstance(self._data, Array):
            return f"Array({self.shape}, dtype={KEY_DTYPE}) overlaying:\n{np.asarray(self._data)}"
        return f"Traced<key<fry>{list(self.shape)}>(data={self._data!r})"

    __str__ = __repr__


register_pytree_node(PRNGKeyArray, lambda k: ((k._data,), None), lambda _, c: PRNGKeyArray(c[0]))


# --------------------------------------------------------------------- checking keys

def _describe(x) -> str:
    try:
        aval = lift_aval(x)
    except Exception:  # noqa: BLE001  (anything that is not an array value)
        return f"a {type(x).__name__}"
    return f"{aval.dtype.name}{list(aval.shape)}"


def as_array(x):
    """An Array/Tracer from an Array, Tracer or NumPy value (None for anything else)."""
    if isinstance(x, (Array, Tracer)):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        return to_concrete_array(np.asarray(x))
    return None


def check_key_data(fname: str, data):
    """uint32[..., 2] key data as an Array/Tracer, or JAX's TypeError."""
    arr = as_array(data)
    if arr is None:
        if isinstance(data, (list, tuple, PRNGKeyArray)):
            raise TypeError(f"random.{fname}: unexpected PRNG key type {type(data).__name__}; "
                            "make keys with random.key or random.PRNGKey")
        raise TypeError(f"random.{fname}: invalid PRNG key data: expected a uint32 array of "
                        f"shape (..., 2), got {_describe(data)}")
    aval = lift_aval(arr)
    if aval.dtype != _U32:
        raise TypeError(f"random.{fname}: invalid PRNG key data: expected dtype uint32 (a key from "
                        f"random.key / random.PRNGKey), got {_describe(arr)}")
    if aval.shape[-1:] != (2,):
        raise TypeError(f"random.{fname}: invalid PRNG key data: expected a shape ending with (2,) "
                        f"(uint32[2] per threefry key), got {_describe(arr)}")
    return arr


def check_key(fname: str, key, allow_batched: bool = False) -> tuple:
    """(the key's uint32[..., 2] data, whether it was a typed key).

    A batch of keys is a ValueError unless `allow_batched` (JAX's message: use vmap).
    """
    if isinstance(key, PRNGKeyArray):
        data, typed = key._data, True
    else:
        data, typed = check_key_data(fname, key), False
    if not allow_batched and len(data.shape) > 1:
        shown = tuple(data.shape[:-1]) if typed else tuple(data.shape)
        raise ValueError(f"{fname} accepts a single key, but was given a key array of shape "
                         f"{shown} != (). Use jax.vmap for batching.")
    return data, typed


def wrap_result(data, typed: bool):
    """New key data returned as the kind of key the caller passed in."""
    return PRNGKeyArray(data) if typed else data


# ----------------------------------------------------------------------- the bits

def _counters(shape: tuple):
    """(hi, lo) uint32 words of each element's flat index in a row-major array of `shape`."""
    n = math.prod(shape)
    if n >= 2**64:
        raise NotImplementedError("random bits array of size exceeding 2 ** 64")
    if not shape:
        zero = to_concrete_array(np.zeros((), _U32))
        return zero, zero
    if n <= 2**32:
        lo = misc.iota(_U32, n)
        lo = lo if len(shape) == 1 else lshape.reshape(lo, shape)
        return to_concrete_array(np.zeros((), _U32)), lo
    idx = np.arange(n, dtype=np.uint64).reshape(shape)  # pragma: no cover  (over 2**32 elements)
    return (to_concrete_array((idx >> np.uint64(32)).astype(_U32)),
            to_concrete_array((idx & np.uint64(0xFFFFFFFF)).astype(_U32)))


def _threefry(data, hi, lo):
    return threefry2x32(data[0], data[1], hi, lo)


def seed_data(seed):
    """The uint32[2] data of the key made from an integer scalar seed (Array/Tracer)."""
    dtype = lift_aval(seed).dtype
    lo = misc.convert_element_type(seed, _U32)
    if dtype.itemsize == 8:
        hi = misc.convert_element_type(ew.shift_right_logical(seed, np.array(32, dtype)), _U32)
    else:
        hi = to_concrete_array(np.zeros((), _U32))
    return jnp.stack([hi, lo])


def split_data(data, shape: tuple):
    y0, y1 = _threefry(data, *_counters(shape))
    return jnp.stack([y0, y1], axis=len(shape))


def fold_in_data(data, value):
    """`value` is a uint32 scalar Array/Tracer."""
    zero = to_concrete_array(np.zeros((), _U32))
    y0, y1 = _threefry(data, zero, value)
    return jnp.stack([y0, y1])


def random_bits(data, bit_width: int, shape: tuple):
    """Unsigned integers of `bit_width` bits and `shape` from one key's data (JAX's bits)."""
    if bit_width not in (8, 16, 32, 64):
        raise TypeError(f"random.bits: requires 8-, 16-, 32- or 64-bit field width, got {bit_width}")
    y0, y1 = _threefry(data, *_counters(shape))
    if bit_width == 64:
        hi = misc.convert_element_type(y0, _U64)
        lo = misc.convert_element_type(y1, _U64)
        return ew.bitwise_or(ew.shift_left(hi, np.array(32, _U64)), lo)
    w = ew.bitwise_xor(y0, y1)
    return w if bit_width == 32 else misc.convert_element_type(w, np.dtype(f"uint{bit_width}"))


def canonical_shape(fname: str, shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if not isinstance(shape, Sequence) and not isinstance(shape, np.ndarray):
        raise TypeError(f"random.{fname}: shape must be a sequence of integers, got {shape!r}")
    try:
        out = tuple(int(d) if isinstance(d, (int, np.integer)) else d.__index__() for d in shape)
    except (TypeError, AttributeError):
        raise TypeError(f"random.{fname}: shape must be a sequence of integers, got {shape!r}") from None
    if any(d < 0 for d in out):
        raise ValueError(f"random.{fname}: negative dimensions are not allowed, got shape {out}")
    return out


__all__ = ["PRNGKeyArray", "KeyDtype", "KEY_DTYPE"]
