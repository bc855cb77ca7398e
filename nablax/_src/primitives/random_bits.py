"""The counter-based random-bit primitive: the Threefry-2x32 block cipher (20 rounds).

Threefry (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
SC'11; the Random123 library) encrypts a 64-bit counter (x0, x1) under a 64-bit key
(k0, k1). Each round adds, rotates and xors the two 32-bit words; every four rounds a
word of the extended key schedule (k0, k1, k0 ^ k1 ^ 0x1BD11BDA) is injected together
with the injection number. Distinct counters under one key give independent-looking
words, which is all nablax.random needs: it builds keys, splits and draws from it.

`threefry2x32_p` is elementwise (NumPy broadcasting of its four uint32 operands) with
two uint32 outputs; it has no derivative (its outputs are integers). Its 20 rounds cost
110 NumPy calls whatever the size, so up to 128 lanes they run on Python integers that
hold every lane at once (a few microseconds: the keys of a vmapped split, a handful of
draws), above on uint32 arrays updated in place.

`xla_math_p` evaluates log, log1p and erf_inv with the same arithmetic as XLA's CPU
backend (float32: the Cephes polynomials for log and log1p, a rational erf; float64:
the C library's log; Giles' polynomials for erf_inv; every multiply-add fused; float16 through
float32), so the samplers built on it (normal, gumbel, exponential, ...) reproduce
JAX's samples bit for bit. NumPy's own float32 log differs from XLA's in the last
bit for about a fifth of all inputs. `xla_fma_p` is a multiply-add rounded once.
The float32 kernels run over blocks of 16K elements, so that their float64 temporaries are
recycled in cache instead of page-faulted in afresh for each of some 60 steps.

These NumPy kernels are the reference. Where Numba is installed, random_native compiles the
same arithmetic once a kernel is hot, and the impls here switch to it (bit-identical; inputs
with NaNs stay here, see 'NaN bits').
"""
from __future__ import annotations

import math

import numpy as np
import scipy.special as sps

from ..array import wrap
from ..avals import ShapedArray
from ..core import eager_args
from . import random_native, shape, templates
from ._define import broadcast_shapes, define_primitive, nary_elementwise_aval, never_weak
from .elementwise import add, div, exp, mul, neg
from .elementwise_builders import unary_elementwise
from .random_native import (
    _ERF_DEN,
    _ERF_NUM,
    _ERFINV_LARGE,
    _ERFINV_SMALL,
    _LOG1P_DEN,
    _LOG1P_NUM,
    _LOG_P,
    _PARITY,
    _ROTATIONS,
    _SQRT_HALF_BITS,
    _TINY32,
)

_U32 = np.dtype(np.uint32)
_MASK32 = 0xFFFFFFFF
# Shift amounts as 0-d arrays: a NumPy scalar operand costs a ufunc call 0.2 us more (2000 lanes).
_SHIFTS = tuple((np.array(r, _U32), np.array(32 - r, _U32)) for r in _ROTATIONS)
# Up to this many lanes the rounds run on Python integers holding all lanes at once (below);
# a NumPy call costs about 0.5 us whatever its size, and the rounds take 110 of them.
_SWAR_LANES = 128
_THREEFRY_BLOCK = 65536  # lanes per block of the NumPy rounds (three 256 KiB words in cache)


def _key_schedule(k0, k1, ones):
    """The 5 key injections, one after every 4 rounds s = 1..5: (ks[s % 3], ks[(s+1) % 3] + s)
    added to (x0, x1), with ks = (k0, k1, k0 ^ k1 ^ parity). Works in the arithmetic of k0 and
    k1 (uint32 words, or packed Python integers with `ones` the integer 1 in each lane)."""
    ks = (k0, k1, k0 ^ k1 ^ (_PARITY * ones))
    return [(ks[s % 3], ks[(s + 1) % 3] + s * ones) for s in range(1, 6)]


def _rounds_inplace(x0, x1, schedule, tmp):
    """The 20 rounds on uint32 arrays x0, x1 (their initial key words added), in place: five
    NumPy calls a round (add, the rotation as two shifts and an or, xor)."""
    for block, (a, b) in enumerate(schedule):
        for left, right in _SHIFTS[4 * (block % 2): 4 * (block % 2) + 4]:
            x0 += x1
            np.left_shift(x1, left, out=tmp)  # x1 = rotate_left(x1, r) ^ x0
            x1 >>= right
            x1 |= tmp
            x1 ^= x0
        x0 += a
        x1 += b


def _rounds_numpy(n: int, k0, k1, x0, x1):
    """The 20 rounds on n lanes; each word is a flat uint32 array or a scalar for all lanes.
    Many lanes go in blocks that stay in cache with their scratch word (13.3 -> 9.5 ms for
    the 10**6 lanes of random.normal under jit)."""
    with np.errstate(over="ignore"):  # wrap-around of scalar key words is intended
        schedule = [tuple(map(np.asarray, pair)) for pair in _key_schedule(k0, k1, np.uint32(1))]
    y0, y1 = np.add(x0, k0, out=np.empty(n, _U32)), np.add(x1, k1, out=np.empty(n, _U32))
    if n <= _THREEFRY_BLOCK:
        _rounds_inplace(y0, y1, schedule, np.empty(n, _U32))
        return y0, y1
    tmp = np.empty(_THREEFRY_BLOCK, _U32)
    for start in range(0, n, _THREEFRY_BLOCK):
        lanes = slice(start, start + _THREEFRY_BLOCK)
        words = [tuple(v if v.ndim == 0 else v[lanes] for v in pair) for pair in schedule]
        w0 = y0[lanes]
        _rounds_inplace(w0, y1[lanes], words, tmp[:w0.size])
    return y0, y1


def _pack(words) -> int:
    """Flat uint32 lanes as one Python integer, lane i in bits [64 i, 64 i + 32)."""
    return int.from_bytes(words.astype("<u8").tobytes(), "little")


def _unpack(packed: int, n: int):
    return np.frombuffer(packed.to_bytes(8 * n, "little"), "<u8").astype(_U32)


def _rounds_swar(n: int, k0, k1, x0, x1):
    """The 20 rounds on all lanes at once, packed into Python integers of 64-bit lanes (SIMD
    within a register): about 140 integer operations instead of 110 NumPy calls, ten times
    faster for a few lanes. Each lane's upper 32 bits absorb carries: x1 is masked after every
    step that can carry, x0's carries (< 2**38 in total) are masked once at the end."""
    ones = int.from_bytes(b"\1\0\0\0\0\0\0\0" * n, "little")
    mask = ones * _MASK32

    def pack(v):
        return int(v) * ones if v.ndim == 0 else _pack(v)

    k0, k1 = pack(k0), pack(k1)
    a, b = pack(x0) + k0, (pack(x1) + k1) & mask
    for block, (ka, kb) in enumerate(_key_schedule(k0, k1, ones)):
        for r in _ROTATIONS[4 * (block % 2): 4 * (block % 2) + 4]:
            a += b
            t = b << r  # lane: bits [r, r + 32); its low half ^ its high half is rotate_left(b, r)
            b = (t ^ (t >> 32) ^ a) & mask
        a += ka
        b = (b + kb) & mask
    return _unpack(a & mask, n), _unpack(b, n)


def _threefry_native(native, n: int, k0, k1, x0, x1):
    """The compiled rounds (random_native): one loop for a key and first counter word shared
    by all lanes, one for per-lane words (the shared ones broadcast, a cheap pass each)."""
    shared, per_lane = native
    y0, y1 = np.empty(n, _U32), np.empty(n, _U32)
    if k0.ndim == k1.ndim == x0.ndim == 0:
        shared(k0[()], k1[()], x0[()], _lane_array(x1, n), y0, y1)
    else:
        per_lane(*[_lane_array(v, n) for v in (k0, k1, x0, x1)], y0, y1)
    return y0, y1


def _lane_array(v, n: int):
    return np.full(n, v, _U32) if v.ndim == 0 else np.ascontiguousarray(v)


def _threefry_impl(xp, k0, k1, x0, x1):
    k0, k1, x0, x1 = (np.asarray(v, _U32) for v in (k0, k1, x0, x1))
    shape = np.broadcast(k0, k1, x0, x1).shape  # in C: 2 us less than np.broadcast_shapes
    if 0 in shape:
        return [np.zeros(shape, _U32), np.zeros(shape, _U32)]
    n = max(1, math.prod(shape))

    def lanes(v):  # a word shared by all lanes (one key, a zero counter) stays a scalar
        if v.size == 1:
            return v.reshape(())
        if v.shape == shape:
            return v.reshape(n)
        full = np.empty(shape, _U32)
        np.copyto(full, v)  # broadcast in C (np.broadcast_to costs more than the copy here)
        return full.reshape(n)

    words = [lanes(v) for v in (k0, k1, x0, x1)]
    native = random_native.kernel("threefry", n)
    if native is not None:
        y0, y1 = _threefry_native(native, n, *words)
    else:
        y0, y1 = (_rounds_swar if n <= _SWAR_LANES else _rounds_numpy)(n, *words)
    return [y0.reshape(shape), y1.reshape(shape)]


def _threefry_abstract(k0, k1, x0, x1):
    avals = (k0, k1, x0, x1)
    for name, a in zip(("k0", "k1", "x0", "x1"), avals):
        if a.dtype != _U32:
            raise TypeError(f"lax.threefry2x32: operand {name} must be uint32, got {a.dtype.name}"
                            f"{list(a.shape)}")
    shape = broadcast_shapes("lax.threefry2x32", *[a.shape for a in avals])
    out = ShapedArray(shape, _U32, False)
    return [out, out]


def _threefry_batch(args, dims):
    ndims = [templates.ndim_of(a) - (d is not None) for a, d in zip(args, dims)]
    out_core = max(ndims)
    new = []
    for a, d, n in zip(args, dims, ndims):
        if d is not None:
            a = templates.moveaxis(a, d, 0)
            if n < out_core:
                s = templates.shape_of(a)
                a = shape.reshape(a, (s[0],) + (1,) * (out_core - n) + tuple(s[1:]))
        new.append(a)
    return threefry2x32_p.bind(*new), [0, 0]


def _threefry_eager(*args):
    arrays, vals = eager_args(args)
    if any(v.dtype != _U32 for v in vals):
        _threefry_abstract(*[a.aval for a in arrays])
    return [wrap(o, False) for o in _threefry_impl(np, *vals)]


threefry2x32_p = define_primitive(
    "threefry2x32",
    impl=_threefry_impl,
    abstract_eval=_threefry_abstract,
    batch=_threefry_batch,
    eager=_threefry_eager,
    differentiable=False,
    multiple_results=True,
    weak_rule=never_weak,
)


def threefry2x32(k0, k1, x0, x1):
    """lax-level Threefry-2x32 (20 rounds): encrypt counters (x0, x1) under key (k0, k1).

    All operands are uint32 and broadcast NumPy-style; returns the two output words.
    """
    y0, y1 = threefry2x32_p.bind(k0, k1, x0, x1)
    return y0, y1


# ------------------------------------------------- XLA's float32 log, log1p, erf_inv

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


def _coeffs(*polys: tuple) -> tuple:
    """Coefficients for `_horner`, highest power first, one per step: 0-d arrays for one
    polynomial (a NumPy scalar operand costs each call more), (k, 1) arrays for k polynomials
    of one degree, evaluated together in one (k, n) array (the NumPy calls of one for all k)."""
    c = np.array(polys, _F32).astype(_F64).T  # float32 values, exact in float64 arithmetic
    return tuple(map(np.asarray, c[:, 0])) if len(polys) == 1 else tuple(c[:, :, None])


def _horner(c: tuple, x64):
    """Horner's rule in float32 with fused multiply-adds: each step p * x + c rounded once
    (the product of two float32 values is exact in float64). x64: the float32 argument as
    float64."""
    t = np.multiply(x64, c[0])
    t += c[1]
    p = t.astype(_F32)
    for ci in c[2:]:
        np.multiply(p, x64, out=t)
        np.add(t, ci, out=p, casting="same_kind")  # added in float64, rounded once into p
    return p


def _fma32(a, b, c, out):
    """out = float32 a * b + c with one rounding (a, b float32: the product is exact in float64)."""
    t = np.multiply(a, b, dtype=_F64)
    t += c
    np.copyto(out, t, casting="same_kind")
    return out


_LOG_C = _coeffs(_LOG_P[0:3], _LOG_P[3:6], _LOG_P[6:9])


def _log_f32(x):
    """Cephes' logf as XLA evaluates it: v = m * 2**e with m in [sqrt(1/2), sqrt(2)), a
    degree-9 polynomial in m - 1, e * log(2) added in two parts."""
    with np.errstate(all="ignore"):
        bits = np.maximum(x, _TINY32).view(np.int32)
        mbits = bits & 0x007FFFFF
        mbits |= 0x3F000000                   # m in [0.5, 1)
        small = mbits - _SQRT_HALF_BITS
        small >>= 31                          # -1 where m < sqrt(1/2) (then m := 2m), else 0
        e = bits >> 23
        e += small
        e -= 126
        e = e.astype(_F32)
        m = mbits.view(_F32)
        small &= mbits                        # the bits of m where small, of +0.0 elsewhere
        r = m - np.float32(1)
        r += small.view(_F32)                 # 2m - 1 or m - 1
        r2 = r * r
        r3 = (r2 * r).astype(_F64)
        y, y1, y2 = _horner(_LOG_C, r.astype(_F64))
        _fma32(y, r3, y1, out=y)
        _fma32(y, r3, y2, out=y)
        _fma32(y, r3, e * np.float32(-2.12194440e-4), out=y)
        _fma32(r2, np.float32(-0.5), r, out=r2)
        r2 += y
        out = _fma32(e, np.float32(0.693359375), r2, out=r2)
        if not (x.min() >= _TINY32 and x.max() < np.inf):  # one test for the rare special inputs
            out[x < _TINY32] = -np.inf  # zero and subnormals (read as 0)
            out[x == np.inf] = np.inf
            out[(x < 0) | np.isnan(x)] = np.nan
        return out


_LOG1P_C = _coeffs(_LOG1P_NUM, _LOG1P_DEN)


def _log1p_near0(x):
    """log1p for |x| < sqrt(2) - 1: x - x**2 / 2 + x**3 P(x) / Q(x)."""
    num, den = _horner(_LOG1P_C, x.astype(_F64))
    num /= den
    x2 = x * x
    c = x * x2
    c *= num
    _fma32(np.float32(-0.5), x2, c, out=c)
    c += x
    return c


def _log1p_f32(x):
    """Both branches on every lane, then a select: gathering and scattering each branch's
    lanes by a boolean index (some 30 arithmetic passes' worth each) costs as much as the
    arithmetic it would save (measured on 10**6 erf_inv inputs)."""
    with np.errstate(all="ignore"):
        near0 = np.abs(x) < np.float32(0.41421356237309504880)
        if near0.all():
            return _log1p_near0(x)
        out = _log_f32(x + np.float32(1))
        if near0.any():
            np.copyto(out, _log1p_near0(x), where=near0)
        return out


_ERFINV_SMALL_C, _ERFINV_LARGE_C = _coeffs(_ERFINV_SMALL), _coeffs(_ERFINV_LARGE)


def _erf_inv_f32(x):
    with np.errstate(all="ignore"):
        w = x * x
        np.negative(w, out=w)
        w = _log1p_f32(w)
        np.negative(w, out=w)
        far = w >= np.float32(5)  # |x| > 0.9966: rare
        w_near = w - np.float32(2.5)
        p = _horner(_ERFINV_SMALL_C, w_near.astype(_F64))
        if far.any():
            p[far] = _horner(_ERFINV_LARGE_C, (np.sqrt(w[far]) - np.float32(3)).astype(_F64))
        p *= x
        if not np.abs(x).max() < 1:
            edge = np.abs(x) == 1
            p[edge] = x[edge] * np.float32(np.inf)
        return p




_ERF_NUM_C, _ERF_DEN_C = _coeffs(_ERF_NUM), _coeffs(_ERF_DEN)


def _erf_f32(x):
    """XLA's float32 erf: x P(x^2) / Q(x^2) on x clamped to [-3.8325, 3.8325]."""
    with np.errstate(all="ignore"):
        x = np.clip(x, np.float32(-3.832506856900711), np.float32(3.832506856900711))
        x2 = (x * x).astype(_F64)
        return ((x * _horner(_ERF_NUM_C, x2)) / _horner(_ERF_DEN_C, x2)).astype(_F32)


_XLA_MATH = {"log": _log_f32, "log1p": _log1p_f32, "erf_inv": _erf_inv_f32, "erf": _erf_f32}


# float64: XLA calls the C library's log (glibc's is correctly rounded, unlike NumPy's
# vectorized one) and builds log1p and erf_inv on it with fused multiply-adds.
_ERFINV64 = (
    (3.125, (-3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18,
             1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17,
             6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
             2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
             1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08,
             4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05,
             0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
             0.24015818242558961693, 1.6536545626831027356)),
    (3.25, (2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
            1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
            2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
            6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
            0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
            -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334,
            3.0838856104922207635)),
    (5.0, (-2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
           -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08,
           2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07,
           -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
           7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026,
           1.0103004648645343977, 4.8499064014085844221)),
)
_libm_log = np.frompyfunc(math.log, 1, 1)


def _log_f64(x):
    out = np.full(x.shape, np.nan)
    normal = x >= np.finfo(_F64).tiny
    out[normal] = _libm_log(x[normal]).astype(_F64)
    out[(x >= 0) & ~normal] = -np.inf  # zero and subnormals (XLA flushes them to zero)
    return out


def _poly64(coeffs, x):
    y = np.zeros_like(x)
    for c in coeffs:
        y = _two_sum_fma(y, x, np.float64(c))
    return y


def _log1p_f64(x):
    with np.errstate(all="ignore"):
        large = _log_f64(x + 1.0)
        x2 = x * x
        small = _poly64(_LOG1P_NUM, x) / _poly64(_LOG1P_DEN, x)
        small = x + _two_sum_fma(np.full_like(x, -0.5), x2, (x * x2) * small)
        return np.where(np.abs(x) < 0.41421356237309504880, small, large)


def _erf_inv_f64(x):
    with np.errstate(all="ignore"):
        w = -_log1p_f64(-(x * x))
        out = np.empty_like(x)
        branches = (w < 6.25, (w >= 6.25) & (w < 16), w >= 16)
        for (shift, coeffs), mask in zip(_ERFINV64, branches):
            if mask.any():
                wb = w[mask] - shift if shift == 3.125 else np.sqrt(w[mask]) - shift
                out[mask] = _poly64(coeffs, wb) * x[mask]
        return np.where(np.abs(x) == 1, x * np.inf, np.where(np.isnan(w), np.nan, out))


_XLA_MATH64 = {"log": _log_f64, "log1p": _log1p_f64, "erf_inv": _erf_inv_f64,
               "erf": sps.erf}  # not XLA's float64 erf (an open difference in the last bits)


# Elements per block of the float32 kernels: their float64 temporaries (128 KiB) stay in the
# L2 cache and are recycled by malloc; on whole arrays of 10**6, mapping fresh pages for each
# of the kernels' ~60 temporaries costs more than the arithmetic.
_BLOCK = 16384


def _blocked(kernel, x):
    """An elementwise float32 kernel applied to a flat array one block at a time."""
    if x.size <= _BLOCK:
        return kernel(x) if x.size else x.copy()
    out = np.empty_like(x)
    for start in range(0, x.size, _BLOCK):
        out[start:start + _BLOCK] = kernel(x[start:start + _BLOCK])
    return out


# NaN bits: inputs with NaNs take the NumPy path, and so does an fma with a NaN scalar.
# Which NaN an operation on two NaNs returns is the CPU's rule (AMD prefers a signalling NaN,
# Intel the first operand) applied to an operand order that LLVM is free to change, and that
# NumPy's own loops change with the array's length: only the same ufunc calls on the same
# blocks give the NumPy path's NaN bits.
def _xla_math_impl(x, *, fn):
    x = np.asarray(x)
    if x.dtype == _F64:
        return _XLA_MATH64[fn](np.atleast_1d(x)).reshape(x.shape)
    flat = np.asarray(x, _F32).reshape(-1)  # the kernels only read their input
    native = random_native.kernel(fn, flat.size)
    if native is not None and not (flat.size and np.isnan(flat.min())):
        out = np.empty_like(flat)
        native(np.ascontiguousarray(flat), out)
    else:  # and inputs with NaNs (see 'NaN bits')
        out = _blocked(_XLA_MATH[fn], flat)
    return out.reshape(x.shape).astype(x.dtype, copy=False)


def _xla_math_tangent(t, x, y, *, fn):
    if fn == "log":
        return div(t, x)
    if fn == "log1p":
        return div(t, add(x, 1.0))
    if fn == "erf":
        return mul(t, mul(exp(neg(mul(x, x))), 2 / math.sqrt(math.pi)))
    return mul(t, mul(exp(mul(y, y)), math.sqrt(math.pi) / 2))


xla_math_p = unary_elementwise("xla_math", _xla_math_impl, kinds="f", has_params=True,
                               tangent=_xla_math_tangent)


def xla_math(x, fn: str):
    """`fn(x)` (fn: "log", "log1p", "erf_inv" or "erf") computed exactly as XLA's CPU
    backend does (erf: float32 only)."""
    return xla_math_p.bind(x, fn=fn)


def _two_sum_fma(a, b, c):
    """float64 a * b + c: Dekker's exact product p + e, then Knuth's two-sum of p + c
    (correctly rounded except in rare double-rounding ties)."""
    p = a * b
    split = np.float64(2.0**27 + 1)
    a_hi = a * split
    a_hi = a_hi - (a_hi - a)
    b_hi = b * split
    b_hi = b_hi - (b_hi - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s = p + c
    v = s - p
    t = (p - (s - v)) + (c - v)
    return s + (t + e)


def _fma_low(a, b, c, dt: np.dtype):
    """a * b + c rounded once into float32 or float16 (through float32, as XLA's CPU backend):
    the product of two float32 values is exact in float64."""
    out = np.multiply(a, b, dtype=_F64)
    in_place = isinstance(out, np.ndarray) and np.shape(c) in ((), out.shape)
    out = np.add(out, c, out=out if in_place else None, dtype=_F64)
    return (out.astype(_F32) if dt.itemsize < 4 else out).astype(dt, copy=False)


def _fma_impl(xp, a, b, c):
    dt = np.result_type(a, b, c)
    if np.ndim(b) == np.ndim(c) == 0 and all(np.asarray(v).dtype == _F32 for v in (a, b, c)) \
            and not (np.isnan(b) or np.isnan(c)):  # see 'NaN bits'
        native = random_native.kernel("fma_scalars", np.size(a))
        if native is not None:  # a uniform's scale and shift, compiled
            out = np.empty(np.shape(a), dt)
            native(np.ascontiguousarray(a).reshape(-1), _F32.type(b), _F32.type(c), out.reshape(-1))
            return out
    with np.errstate(all="ignore"):
        if dt.itemsize >= 8:
            return np.asarray(_two_sum_fma(*(np.asarray(v, _F64) for v in (a, b, c))), dt)
        if np.size(a) > _BLOCK and np.ndim(b) == 0 and np.ndim(c) == 0 and np.result_type(a) == dt:
            # a uniform's scale and shift: blocks keep the float64 temporaries in cache
            a = np.asarray(a)
            return _blocked(lambda x: _fma_low(x, b, c, dt), a.reshape(-1)).reshape(a.shape)
        return _fma_low(a, b, c, dt)


def _fma_abstract(a: ShapedArray, b: ShapedArray, c: ShapedArray) -> ShapedArray:
    return nary_elementwise_aval("xla_fma", (a, b, c), "f", "a floating dtype")


def _fma_jvp(primals, tangents):
    a, b, c = primals
    out = xla_fma_p.bind(a, b, c)
    return out, templates.tangent_sum(out, zip(tangents, (lambda t: mul(t, b), lambda t: mul(a, t), lambda t: t)))


xla_fma_p = define_primitive("xla_fma", impl=_fma_impl, abstract_eval=_fma_abstract, jvp=_fma_jvp, batch=None)
xla_fma_p.batch = templates.elementwise_batch(xla_fma_p)


def xla_fma(a, b, c):
    """a * b + c with a single rounding (XLA's CPU backend fuses multiply-adds; float16
    arithmetic runs in float32 there)."""
    return xla_fma_p.bind(a, b, c)


__all__ = ["threefry2x32", "xla_math", "xla_fma"]
