"""Cases for the Threefry-2x32 primitive (random_bits.py), checked against Random123's
published known-answer vectors for threefry2x32_20."""
import numpy as np
import scipy.special as sps

from nablax import lax
from nablax._src.primitives import random_bits as rb

from .case import Case

U32 = np.uint32

# (key0, key1, counter0, counter1) -> (out0, out1), from Random123's kat_vectors.
KAT = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344, 0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
]
KAT_ARGS = tuple(np.array([row[0][i] for row in KAT], U32) for i in range(4))
KAT_OUT = [np.array([row[1][i] for row in KAT], U32) for i in range(2)]


def _kat_reference(k0, k1, x0, x1):
    return KAT_OUT


def threefry_scalar(k0: int, k1: int, x0: int, x1: int) -> tuple:
    """Threefry-2x32-20 on Python ints, one block at a time (an independent reference)."""
    m = 0xFFFFFFFF
    rot = (13, 15, 26, 6, 17, 29, 16, 24)
    ks = (k0, k1, k0 ^ k1 ^ 0x1BD11BDA)
    x0, x1 = (x0 + ks[0]) & m, (x1 + ks[1]) & m
    for i in range(20):
        x0 = (x0 + x1) & m
        r = rot[i % 8]
        x1 = ((x1 << r) | (x1 >> (32 - r))) & m
        x1 ^= x0
        if i % 4 == 3:
            s = i // 4 + 1
            x0 = (x0 + ks[s % 3]) & m
            x1 = (x1 + ks[(s + 1) % 3] + s) & m
    return x0, x1


def scalar_reference(k0, k1, x0, x1):
    """threefry_scalar over NumPy-broadcast operands."""
    b = np.broadcast_arrays(k0, k1, x0, x1)
    out = [threefry_scalar(*(int(v) for v in vals)) for vals in zip(*(a.ravel() for a in b))]
    shape = b[0].shape
    return [np.array([o[j] for o in out], U32).reshape(shape) for j in range(2)]


# One key (scalar words) applied to a grid of counters: NumPy-style broadcasting.
_GRID0 = np.array([[0x243F6A88, 0], [7, 0xFFFFFFFF]], U32)
_GRID1 = np.array([0x85A308D3, 1], U32)


CASES = [
    Case(rb.threefry2x32_p, KAT_ARGS, reference=_kat_reference, name="kat", order=0),
    Case(rb.threefry2x32_p, (np.array(0x13198A2E, U32), np.array(0x03707344, U32), _GRID0, _GRID1),
         reference=scalar_reference, name="broadcast", order=0),
]

# XLA-exact float math (float64 operands here: NumPy/SciPy values; float32 is tested
# bit for bit against JAX's answers in test_random.py).
_POS = np.array([0.3, 1.7, 4.0])
_UNIT = np.array([-0.6, 0.1, 0.45])

CASES += [
    Case(rb.xla_math_p, (_POS,), {"fn": "log"}, reference=lambda x, fn: np.log(x), name="log"),
    Case(rb.xla_math_p, (_UNIT,), {"fn": "log1p"}, reference=lambda x, fn: np.log1p(x), name="log1p"),
    Case(rb.xla_math_p, (_UNIT,), {"fn": "erf_inv"}, reference=lambda x, fn: sps.erfinv(x), name="erf_inv"),
    Case(rb.xla_math_p, (_UNIT,), {"fn": "erf"}, reference=lambda x, fn: sps.erf(x), name="erf"),
    Case(rb.xla_fma_p, (_UNIT, _POS, np.array(0.25)), reference=lambda a, b, c: a * b + c, name="fma"),
]

# Misuse: eager and jit raise the same class (test_rules.py), through the public lax functions.
_F2 = np.ones(2)
BAD_CASES = [
    Case(rb.threefry2x32_p, (_F2, _F2, _F2, _F2), bind=lax.threefry2x32, name="float"),
    Case(rb.threefry2x32_p, (np.ones(2, np.int32),) * 4, bind=lax.threefry2x32, name="int32"),
    Case(rb.xla_fma_p, (_F2, np.ones(2, np.float32), _F2), bind=lax.xla_fma, name="dtypes"),
    Case(rb.xla_fma_p, (np.ones(2, np.int32),) * 3, bind=lax.xla_fma, name="int"),
]
