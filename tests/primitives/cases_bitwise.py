"""Cases for clz, mulhi, reduce_xor, reduce_precision and bitcast_convert_type (bitwise.py)."""
import numpy as np

from nablax import lax
from nablax._src.primitives import bitwise as bw

from .case import Case, randn

I32 = np.array([0, 1, -1, 255, 2**30 + 7, -(2**31)], np.int32)
U8 = np.array([0, 1, 3, 128, 255], np.uint8)


def _clz_ref(x):
    width = 8 * x.dtype.itemsize
    return np.array([width - (int(v) & (2**width - 1)).bit_length() for v in x.ravel()], x.dtype).reshape(x.shape)


def _mulhi_ref(x, y):
    width = 8 * x.dtype.itemsize
    return np.array([(int(a) * int(b)) >> width for a, b in zip(x, y)], np.int64).astype(x.dtype)


def _bf16_rounding(x, exponent_bits, mantissa_bits):
    import ml_dtypes
    return x.astype(ml_dtypes.bfloat16).astype(x.dtype)


_ROUNDING = np.array([1.0, 1.0 + 2.0**-8, 1.0 + 3 * 2.0**-8, 3.14159265, -2.5e3, 1e30, 0.0, -0.0], np.float32)

CASES = [
    Case(bw.clz_p, (I32,), reference=_clz_ref),
    Case(bw.clz_p, (U8,), reference=_clz_ref, name="uint8"),
    Case(bw.mulhi_p, (I32, I32[::-1].copy()), reference=_mulhi_ref),
    Case(bw.mulhi_p, (U8, U8[::-1].copy()), reference=_mulhi_ref, name="uint8"),
    Case(bw.reduce_xor_p, (np.array([[1, 2, 4], [3, 7, 9]], np.int32),), {"axes": (1,)},
         reference=lambda x, axes: np.bitwise_xor.reduce(x, axis=axes)),
    Case(bw.reduce_xor_p, (np.array([[True, False], [True, True]]),), {"axes": (0, 1)},
         reference=lambda x, axes: np.logical_xor.reduce(x.ravel()), name="bool"),
    Case(bw.reduce_precision_p, (_ROUNDING,), {"exponent_bits": 8, "mantissa_bits": 7}, reference=_bf16_rounding,
         name="bfloat16", order=0),
    Case(bw.reduce_precision_p, (randn(2, 3),), {"exponent_bits": 11, "mantissa_bits": 20},
         reference=lambda x, **p: (x.view(np.uint64) + np.uint64(2**31 - 1) + ((x.view(np.uint64) >> np.uint64(32))
                                   & np.uint64(1)) & ~np.uint64(2**32 - 1)).view(np.float64),
         order=0),  # piecewise constant, but linear for differentiation (as JAX): tests/test_lax_more.py
    Case(bw.bitcast_convert_type_p, (np.array([1.0, -2.0], np.float32),), {"new_dtype": np.dtype(np.int32)},
         reference=lambda x, new_dtype: x.view(np.int32), order=0),
    Case(bw.bitcast_convert_type_p, (np.array([1.0, -2.0]),), {"new_dtype": np.dtype(np.uint16)},
         reference=lambda x, new_dtype: x.view(np.uint16).reshape(2, 4), name="narrower", order=0),
    Case(bw.bitcast_convert_type_p, (np.arange(6, dtype=np.uint16).reshape(3, 2),), {"new_dtype": np.dtype(np.float32)},
         reference=lambda x, new_dtype: x.view(np.float32).reshape(3), name="wider"),
]

_KEY = np.array([5, 6, 0xFFFFFFFF, 8], np.uint32)
# XLA's answers (JAX 0.10.2 on CPU) for this key; the counter (words 2, 3) advances per block.
_PHILOX_5 = [2036017338, 4188701451, 335666000, 3989548458, 465021464]
_THREEFRY_KEY = np.array([1, 2, 3, 4], np.uint32)
_THREEFRY_6 = [1576285164, 2249660814, 740599976, 2425682526, 2436392515, 1497962777]

CASES += [
    Case(bw.rng_bit_generator_p, (_KEY,), {"shape": (5,), "dtype": np.dtype(np.uint32), "algorithm": 0},
         reference=lambda k, **p: [np.array([5, 6, 1, 9], np.uint32), np.array(_PHILOX_5, np.uint32)]),
    Case(bw.rng_bit_generator_p, (_THREEFRY_KEY,), {"shape": (2, 3), "dtype": np.dtype(np.uint16), "algorithm": 1},
         reference=lambda k, **p: [np.array([1, 2, 6, 4], np.uint32),
                                   (np.array(_THREEFRY_6, np.uint32) & 0xFFFF).astype(np.uint16).reshape(2, 3)],
         name="threefry"),
]

BAD_CASES = [
    Case(bw.rng_bit_generator_p, (np.ones(2, np.uint32),), bind=lambda k: lax.rng_bit_generator(k, (3,)),
         name="key-shape"),
    Case(bw.rng_bit_generator_p, (_KEY,), bind=lambda k: lax.rng_bit_generator(k, (3,), np.int32), name="dtype"),
    Case(bw.clz_p, (np.ones(3),), bind=lax.clz, name="float"),
    Case(bw.mulhi_p, (np.ones(2, np.int32), np.ones(2, np.uint32)), bind=lax.mulhi, name="dtypes"),
    Case(bw.reduce_xor_p, (np.ones(3),), bind=lambda x: lax.reduce_xor(x, (0,)), name="float"),
    Case(bw.reduce_precision_p, (np.ones(3, np.int32),), bind=lambda x: lax.reduce_precision(x, 8, 7), name="int"),
    Case(bw.bitcast_convert_type_p, (np.ones((3, 3), np.uint16),), bind=lambda x: lax.bitcast_convert_type(x, np.float32),
         name="width"),
    Case(bw.bitcast_convert_type_p, (np.ones(2, bool),), bind=lambda x: lax.bitcast_convert_type(x, np.uint8),
         name="bool"),
]
