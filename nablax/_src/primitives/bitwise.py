"""Bit-level primitives: clz, mulhi, reduce_xor, reduce_precision, bitcast_convert_type, rng_bit_generator.

reduce_precision rounds to nearest even on the operand's bits, as XLA does: the mantissa
is rounded to `mantissa_bits`, then exponents beyond the reduced range become signed
infinities and those at or below its smallest normal exponent signed zeros (no subnormals);
NaNs are kept as they are. It is linear for differentiation, as in JAX.
rng_bit_generator is XLA's counter-based generator, bit for bit as XLA on CPU: the u32[4]
key is (k0, k1, counter lo, counter hi); block i encrypts counter + i with Philox-4x32-10
(RNG_DEFAULT, RNG_PHILOX; counter words (lo, hi, k0, k1)) or Threefry-2x32 (RNG_THREE_FRY),
and the returned key has the counter advanced by the number of blocks. population_count and
reduce_and/reduce_or live with their families (elementwise.py, reductions.py).
"""
from __future__ import annotations

import enum

import numpy as np

from .. import dtypes
from ..array import to_concrete_array
from ..avals import ShapedArray, Zero
from . import templates
from ._define import aval_of, define_primitive, never_weak, require_dtype_kinds
from .elementwise_builders import binary_elementwise, binary_wrapper, unary_elementwise
from .random_bits import threefry2x32_p  # the Threefry-2x32 kernel jax.random uses
from .reductions import axis_reduction

# ----------------------------------------------------------------------------------- clz


def _clz_impl(x):
    u = np.asarray(x).view(f"u{np.result_type(x).itemsize}")
    width = 8 * u.dtype.itemsize
    count = np.full(u.shape, width, np.int64)
    s = width // 2
    while s:
        t = u >> u.dtype.type(s)
        nz = t != 0
        count = np.where(nz, count - s, count)
        u = np.where(nz, t, u)
        s //= 2
    return (count - u).astype(np.result_type(x))


clz_p = unary_elementwise("clz", _clz_impl, kinds="iu", tangent=None)


def clz(x):
    """lax.clz: the number of leading zero bits of each integer."""
    return clz_p.bind(x)


# --------------------------------------------------------------------------------- mulhi

_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)


def _mulhi_u64(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The high 64 bits of the 128-bit product of uint64s, from 32-bit halves (no overflow)."""
    a_lo, a_hi, b_lo, b_hi = a & _LOW32, a >> _S32, b & _LOW32, b >> _S32
    hi_lo, lo_hi = a_hi * b_lo, a_lo * b_hi
    cross = ((a_lo * b_lo) >> _S32) + (hi_lo & _LOW32) + lo_hi
    return a_hi * b_hi + (hi_lo >> _S32) + (cross >> _S32)


def _mulhi_impl(x, y):
    dt = np.result_type(x, y)
    bits = 8 * dt.itemsize
    x, y = np.broadcast_arrays(np.asarray(x), np.asarray(y))
    if bits < 64:
        wide = np.int64 if dt.kind == "i" else np.uint64
        return ((x.astype(wide) * y.astype(wide)) >> bits).astype(dt)
    with np.errstate(over="ignore"):
        u = _mulhi_u64(x.view(np.uint64), y.view(np.uint64))
        if dt.kind == "i":  # signed high half: subtract the other factor for each negative one
            u = u - np.where(x < 0, y.view(np.uint64), 0).astype(np.uint64) \
                  - np.where(y < 0, x.view(np.uint64), 0).astype(np.uint64)
    return u.view(dt)


mulhi_p = binary_elementwise("mulhi", _mulhi_impl, kinds="iu", differentiable=False, python_literal_ok=True)
mulhi = binary_wrapper(mulhi_p)
mulhi.__doc__ = "lax.mulhi(x, y): the high half of the double-width product x * y (signed or unsigned)."


# ---------------------------------------------------------------------------- reduce_xor

def _xor_impl(xp, x, *, axes):
    return (np.logical_xor if np.result_type(x) == np.bool_ else np.bitwise_xor).reduce(x, axis=axes)


reduce_xor_p, reduce_xor = axis_reduction(
    "reduce_xor", "biu", "lax.reduce_xor: logical XOR over `axes` for bool operands (bitwise for integers).",
    impl=_xor_impl, differentiable=False)


# ---------------------------------------------------------------------- reduce_precision

def _float_layout(dt: np.dtype) -> tuple:
    """(exponent bits, mantissa bits) of a float dtype."""
    if dtypes.bfloat16 is not None and dt == dtypes.bfloat16:
        return 8, 7
    info = np.finfo(dt)
    return int(info.nexp), int(info.nmant)


def _reduce_precision_impl(x, *, exponent_bits, mantissa_bits):
    x = np.asarray(x)
    dt = x.dtype
    exp_in, man_in = _float_layout(dt)
    udt = np.dtype(f"u{dt.itemsize}")
    one = udt.type(1)
    bits = x.view(udt)
    if mantissa_bits < man_in:
        drop = udt.type(man_in - mantissa_bits)
        last_kept = one << drop
        bias = (last_kept >> one) - one + ((bits & last_kept) >> drop)  # ties to even
        bits = (bits + bias) & ~(last_kept - one)
    if exponent_bits < exp_in:
        man = udt.type(man_in)
        exp_mask = ((one << udt.type(exp_in)) - one) << man
        sign = bits & (one << udt.type(8 * dt.itemsize - 1))
        in_bias = (1 << (exp_in - 1)) - 1
        out_bias = (1 << (exponent_bits - 1)) - 1
        exponent = bits & exp_mask
        overflow = exponent > (udt.type(in_bias + out_bias) << man)
        underflow = exponent <= (udt.type(in_bias - out_bias) << man)
        bits = np.where(overflow, sign | exp_mask, np.where(underflow, sign, bits))
    out = np.asarray(bits, udt).view(dt)
    nan = np.isnan(x)
    if nan.any():
        out = np.where(nan, x, out)
    return out.astype(dt, copy=False)


reduce_precision_p = unary_elementwise(
    "reduce_precision", _reduce_precision_impl, kinds="f", has_params=True, linear=True,
    tangent=lambda t, x, y, **params: t if type(t) is Zero else reduce_precision_p.bind(t, **params),
    transpose=lambda ct, x, **params: [None if type(ct) is Zero else reduce_precision_p.bind(ct, **params)],
)


def reduce_precision(operand, exponent_bits: int, mantissa_bits: int):
    """lax.reduce_precision: round to the nearest value of a float format with `exponent_bits`
    and `mantissa_bits` (ties to even, as XLA), kept in the operand's dtype."""
    exponent_bits, mantissa_bits = int(exponent_bits), int(mantissa_bits)
    if exponent_bits < 1:
        raise ValueError(f"lax.reduce_precision: exponent_bits must be positive; got {exponent_bits}")
    if mantissa_bits < 0:
        raise ValueError(f"lax.reduce_precision: mantissa_bits must be non-negative; got {mantissa_bits}")
    return reduce_precision_p.bind(to_concrete_array(operand) if type(operand) in (int, float) else operand,
                                   exponent_bits=exponent_bits, mantissa_bits=mantissa_bits)


# ------------------------------------------------------------------ bitcast_convert_type

def _bitcast_abstract(x: ShapedArray, *, new_dtype) -> ShapedArray:
    old, new = x.dtype, np.dtype(new_dtype)
    if old != new and (old.kind in "bc" or new.kind in "bc"):
        raise TypeError(f"lax.bitcast_convert_type does not support bool or complex values unless the operand "
                        f"and destination types match; got {old.name} to {new.name}. Consider arr.view()")
    if new.itemsize == old.itemsize:
        return ShapedArray(x.shape, new, False)
    if new.itemsize < old.itemsize:
        return ShapedArray(x.shape + (old.itemsize // new.itemsize,), new, False)
    ratio = new.itemsize // old.itemsize
    if not x.shape or x.shape[-1] != ratio:
        raise ValueError(f"lax.bitcast_convert_type: converting shape {x.shape} from {old.name} to {new.name} "
                         f"needs a last axis of size {ratio} ({ratio} x {8 * old.itemsize} bits = "
                         f"{8 * new.itemsize} bits)")
    return ShapedArray(x.shape[:-1], new, False)


def _bitcast_impl(xp, x, *, new_dtype):
    x = np.asarray(x)
    x = x if x.flags.c_contiguous else x.copy()  # (np.ascontiguousarray would make a scalar 1-d)
    out_shape = _bitcast_abstract(ShapedArray(x.shape, x.dtype, False), new_dtype=new_dtype).shape
    return x.reshape(x.shape or (1,)).view(new_dtype).reshape(out_shape)


def _bitcast_batch(args, dims, *, new_dtype):
    (x,), (d,) = args, dims
    return bitcast_convert_type_p.bind(templates.moveaxis(x, d, 0), new_dtype=new_dtype), 0


bitcast_convert_type_p = define_primitive(
    "bitcast_convert_type",
    impl=_bitcast_impl,
    abstract_eval=_bitcast_abstract,
    differentiable=False,
    batch=_bitcast_batch,
    weak_rule=never_weak,
)


def bitcast_convert_type(operand, new_dtype):
    """lax.bitcast_convert_type: reinterpret the bits as `new_dtype`; a narrower type adds a
    trailing axis of the width ratio, a wider one consumes such an axis."""
    new = dtypes.canonicalize_dtype(new_dtype)
    aval = aval_of(operand)
    require_dtype_kinds("bitcast_convert_type", ShapedArray((), new, False), "biufc", "a numeric or bool dtype")
    _bitcast_abstract(aval, new_dtype=new)  # (the eager path skips it)
    return bitcast_convert_type_p.bind(operand, new_dtype=new)


# ----------------------------------------------------------------- rng_bit_generator

class RandomAlgorithm(enum.IntEnum):
    """rng_bit_generator's algorithm; RNG_DEFAULT is Philox, as XLA's CPU default."""

    RNG_DEFAULT = 0
    RNG_THREE_FRY = 1
    RNG_PHILOX = 2

    def __str__(self) -> str:
        return self.name


_U32, _U64 = np.dtype(np.uint32), np.dtype(np.uint64)
_BITS_DTYPES = tuple(np.dtype(f"u{n}") for n in (1, 2, 4, 8))
_PHILOX_M = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))
_PHILOX_W = (np.uint32(0x9E3779B9), np.uint32(0xBB67AE85))


def _philox(counters: np.ndarray, k0: np.ndarray, k1: np.ndarray) -> list:
    """Philox-4x32-10 of the 64-bit counters under key (k0, k1): four uint32 words each."""
    c = [(counters & _LOW32).astype(_U32), (counters >> _S32).astype(_U32),
         np.broadcast_to(k0, counters.shape).astype(_U32), np.broadcast_to(k1, counters.shape).astype(_U32)]
    k0, k1 = k0.astype(_U32), k1.astype(_U32)
    with np.errstate(over="ignore"):
        for _ in range(10):
            p0, p1 = _PHILOX_M[0] * c[0].astype(_U64), _PHILOX_M[1] * c[2].astype(_U64)
            c = [(p1 >> _S32).astype(_U32) ^ c[1] ^ k0, p1.astype(_U32), (p0 >> _S32).astype(_U32) ^ c[3] ^ k1,
                 p0.astype(_U32)]
            k0, k1 = k0 + _PHILOX_W[0], k1 + _PHILOX_W[1]
    return c


def _rng_words(key: np.ndarray) -> np.ndarray:
    """The key as uint32 words (..., 4) (a u64[2] key split little-endian)."""
    key = np.ascontiguousarray(key)
    return key.view(_U32).reshape(key.shape[:-1] + (4,)) if key.dtype == _U64 else key


def _rng_bit_generator_impl(xp, key, *, shape, dtype, algorithm):
    words = _rng_words(np.asarray(key))
    batch = words.shape[:-1]
    per_word = 2 if np.dtype(dtype) == _U64 else 1
    n_words = int(np.prod(shape, dtype=np.int64)) * per_word
    width = 2 if algorithm == RandomAlgorithm.RNG_THREE_FRY else 4
    blocks = -(-n_words // width)
    k0, k1 = words[..., 0:1], words[..., 1:2]
    base = words[..., 2:3].astype(_U64) | (words[..., 3:4].astype(_U64) << _S32)
    with np.errstate(over="ignore"):
        counters = base + np.arange(blocks, dtype=_U64)
        if algorithm == RandomAlgorithm.RNG_THREE_FRY:
            out = threefry2x32_p.impl(np, k0, k1, (counters & _LOW32).astype(_U32), (counters >> _S32).astype(_U32))
        else:
            out = _philox(counters, k0, k1)
        new_counter = base[..., 0] + np.uint64(blocks)
    bits = np.stack(out, axis=-1).reshape(batch + (blocks * width,))[..., :n_words]
    if per_word == 2:
        bits = bits[..., 0::2].astype(_U64) | (bits[..., 1::2].astype(_U64) << _S32)
    bits = bits.astype(dtype).reshape(batch + tuple(shape))
    new = words.copy()
    new[..., 2], new[..., 3] = (new_counter & _LOW32).astype(_U32), (new_counter >> _S32).astype(_U32)
    return [new.view(np.asarray(key).dtype).reshape(np.shape(key)), bits]


def _rng_bit_generator_abstract(key: ShapedArray, *, shape, dtype, algorithm) -> list:
    if not ((key.dtype == _U32 and key.shape[-1:] == (4,)) or (key.dtype == _U64 and key.shape[-1:] == (2,))):
        raise TypeError(f"lax.rng_bit_generator: the key must be uint32[4] (or uint64[2]), got "
                        f"{key.dtype.name}{list(key.shape)}")
    if np.dtype(dtype) not in _BITS_DTYPES:
        raise TypeError(f"lax.rng_bit_generator: unsupported dtype {np.dtype(dtype).name}; it needs uint8, uint16, "
                        "uint32 or uint64")
    return [key, ShapedArray(key.shape[:-1] + tuple(shape), np.dtype(dtype), False)]


def _rng_bit_generator_batch(args, dims, **params):
    (key,), (d,) = args, dims
    return rng_bit_generator_p.bind(templates.moveaxis(key, d, 0), **params), [0, 0]


rng_bit_generator_p = define_primitive(
    "rng_bit_generator",
    impl=_rng_bit_generator_impl,
    abstract_eval=_rng_bit_generator_abstract,
    differentiable=False,
    batch=_rng_bit_generator_batch,
    multiple_results=True,
    weak_rule=lambda arrays, params: [arrays[0]._weak, False],
)


def rng_bit_generator(key, shape, dtype=np.uint32, algorithm=RandomAlgorithm.RNG_DEFAULT, *, out_sharding=None):
    """lax.rng_bit_generator: (new key, random bits of `shape` and unsigned `dtype`) from a
    uint32[4] key, with XLA's CPU algorithms and bit order (batchable: one stream per key)."""
    if out_sharding is not None:
        raise NotImplementedError("lax.rng_bit_generator: out_sharding (nablax has one device and no shardings)")
    shape = tuple(int(d) for d in ((shape,) if isinstance(shape, (int, np.integer)) else shape))
    dtype = dtypes.canonicalize_dtype(dtype)
    aval = aval_of(key)
    if aval.ndim != 1:  # (batch dims are the vmap rule's)
        raise TypeError(f"lax.rng_bit_generator: the key must be uint32[4] (or uint64[2]), got "
                        f"{aval.dtype.name}{list(aval.shape)}")
    params = {"shape": shape, "dtype": dtype, "algorithm": int(RandomAlgorithm(algorithm))}
    _rng_bit_generator_abstract(aval, **params)
    return tuple(rng_bit_generator_p.bind(key, **params))


__all__ = [
    "RandomAlgorithm", "rng_bit_generator", "rng_bit_generator_p",
    "clz", "clz_p", "mulhi", "mulhi_p", "reduce_xor", "reduce_xor_p", "reduce_precision", "reduce_precision_p",
    "bitcast_convert_type", "bitcast_convert_type_p",
]
