"""nablax.random: JAX's functional, key-based pseudo-random numbers on Threefry-2x32.

A key is a plain uint32[2] array. `PRNGKey(seed)` and `key(seed)` both return one: JAX's
typed key arrays (`key<fry>[]`) are not a separate type here, so `key_data` and
`wrap_key_data` are the identity (after checking the shape and dtype). Every draw is a
pure function of its key: the same key gives the same numbers, and `split` / `fold_in`
derive new keys whose streams are independent.

All bits come from one primitive, `threefry2x32` (random_bits.py), applied to counters:
  - draws:   block(key, (0, i)) for i = 0, 1, ...; each block gives two 32-bit words,
  - split:   block(key, (1, i)) is the i-th new key,
  - fold_in: block(key, (2, data)) is the new key.
The three counter domains never overlap, so a key used for splitting and a key used for
drawing never share blocks. Everything else is written with lax/jnp functions, so it
works under jit, vmap (a batch of keys gives one independent stream per lane) and
grad (draws have no derivative with respect to the key; reparameterized draws such as
`mu + sigma * normal(key)` are differentiable in mu and sigma).

The streams are NOT bit-identical to JAX's (the counter layout and the float
conversions differ); the distributions are the same. Floats come from the top mantissa
bits of the words (23 for float32, 52 for float64), so `uniform` lies on a grid of
2**-23 (float32) in [0, 1); transforms that need an open interval use the midpoints of
that grid, which bounds the tails (|normal| < 5.3 in float32, < 8.2 in float64).

Not implemented (each needs rejection sampling or a matrix factorization that nablax
does not have yet): gamma, beta, dirichlet, poisson, binomial, chisquare, t, loggamma,
multivariate_normal, orthogonal, ball, shuffle (deprecated in JAX).
"""
from __future__ import annotations

import math
import operator
from typing import Sequence

import numpy as np

from . import dtypes
from . import numpy as jnp
from .array import Array, to_concrete_array
from .config import x64_enabled
from .core import Tracer, lift_aval
from .primitives import elementwise as ew
from .primitives import misc, sorting, special
from .primitives import shape as lshape
from .primitives.random_bits import threefry2x32

_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)
_MASK32 = 0xFFFFFFFF
_DRAW, _SPLIT, _FOLD = 0, 1, 2   # counter domains (the first counter word)


# --------------------------------------------------------------------------- keys

def _describe(x) -> str:
    try:
        aval = lift_aval(x)
    except Exception:  # noqa: BLE001  (anything that is not an array value)
        return f"a {type(x).__name__}"
    return f"{aval.dtype.name}{list(aval.shape)}"


def _check_key(fname: str, key):
    """The key as an Array/Tracer, or a TypeError naming the expected uint32[2]."""
    if not isinstance(key, (Array, Tracer)):
        if isinstance(key, np.ndarray):
            key = to_concrete_array(key)
        else:
            raise TypeError(f"random.{fname}: expected a PRNG key, a uint32[2] array made by "
                            f"random.key / random.PRNGKey / random.split; got {_describe(key)}")
    aval = lift_aval(key)
    if aval.dtype != _U32 or aval.shape != (2,):
        hint = ""
        if aval.dtype == _U32 and aval.shape[-1:] == (2,) and len(aval.shape) > 1:
            hint = (f" ({_describe(key)} is a batch of {math.prod(aval.shape[:-1])} keys: "
                    f"use vmap to draw with each, or index one)")
        raise TypeError(f"random.{fname}: expected a PRNG key, a uint32[2] array made by "
                        f"random.key / random.PRNGKey / random.split; got {_describe(key)}{hint}")
    return key


def _key_words(key):
    return key[0], key[1]


def _u32(value: int) -> Array:
    return to_concrete_array(np.asarray(value & _MASK32, _U32))


def PRNGKey(seed, *, impl=None):  # noqa: N802  (JAX's spelling)
    """A key (uint32[2]) from an integer seed: [high 32 bits, low 32 bits] of the seed.

    `seed` may be a Python int (-2**63 <= seed < 2**64) or an integer array scalar (also
    traced, e.g. under jit or vmap); negative seeds are taken in two's complement, so
    `PRNGKey(-1)` equals `jit(PRNGKey)(-1)`.
    """
    _check_impl(impl)
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError("random.PRNGKey: the seed must be an integer, got a bool")
    if isinstance(seed, (int, np.integer)):
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise OverflowError(f"random.PRNGKey: seed {seed} does not fit in 64 bits")
        return to_concrete_array(np.array([(seed >> 32) & _MASK32, seed & _MASK32], _U32))
    if not isinstance(seed, (Array, Tracer)):
        if isinstance(seed, np.ndarray):
            seed = to_concrete_array(seed)
        else:
            raise TypeError(f"random.PRNGKey: the seed must be an integer, got {_describe(seed)}")
    aval = lift_aval(seed)
    if aval.dtype.kind not in "iu" or aval.shape != ():
        raise TypeError(f"random.PRNGKey: the seed must be an integer scalar, got {_describe(seed)} "
                        "(use vmap to make a batch of keys)")
    lo = misc.convert_element_type(seed, _U32)
    if aval.dtype.itemsize == 8:
        hi = misc.convert_element_type(ew.shift_right_logical(seed, 32), _U32)
    elif aval.dtype.kind == "i":
        hi = ew.select(ew.lt(seed, 0), _u32(_MASK32), _u32(0))
    else:
        hi = _u32(0)
    return jnp.stack([hi, lo])


def key(seed, *, impl=None):
    """JAX's typed-key constructor. nablax has no separate key type: this is `PRNGKey(seed)`,
    a uint32[2] array, accepted by every function here."""
    return PRNGKey(seed, impl=impl)


def _check_impl(impl) -> None:
    if impl not in (None, "threefry2x32", "threefry"):
        raise ValueError(f"random: unknown PRNG implementation {impl!r}; nablax has only 'threefry2x32'")


def key_data(keys):
    """The raw uint32 data of a key: the key itself (keys are not a separate type here)."""
    aval = lift_aval(keys)
    if aval.dtype != _U32 or aval.shape[-1:] != (2,):
        raise TypeError(f"random.key_data: expected uint32[..., 2] key data, got {_describe(keys)}")
    return keys


def wrap_key_data(key_bits_array, *, impl=None):
    """A key from raw uint32[..., 2] data: the data itself (keys are not a separate type here)."""
    _check_impl(impl)
    return key_data(key_bits_array)


def key_impl(keys) -> str:
    _check_key("key_impl", keys)
    return "threefry2x32"


def clone(key):
    """Returns the key (keys are immutable arrays; JAX uses this with key reuse checking)."""
    return _check_key("clone", key)


def _shape(fname: str, shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        out = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"random.{fname}: shape must be a sequence of integers, got {shape!r}") from None
    if any(d < 0 for d in out):
        raise ValueError(f"random.{fname}: negative dimensions are not allowed, got shape {out}")
    return out


def split(key, num: int | Sequence[int] = 2):
    """`num` new independent keys (shape (num, 2)); `num` may also be a shape tuple."""
    key = _check_key("split", key)
    shape = _shape("split", num)
    n = math.prod(shape)
    k0, k1 = _key_words(key)
    y0, y1 = threefry2x32(k0, k1, _u32(_SPLIT), misc.iota(_U32, n))
    return lshape.reshape(jnp.stack([y0, y1], axis=-1), shape + (2,))


def fold_in(key, data):
    """A new key from `key` and an integer `data` (its low 32 bits); traced data is fine."""
    key = _check_key("fold_in", key)
    if isinstance(data, (bool, np.bool_)) or not isinstance(data, (int, np.integer, Array, Tracer, np.ndarray)):
        raise TypeError(f"random.fold_in: data must be an integer, got {_describe(data)}")
    if isinstance(data, (int, np.integer)):
        d = _u32(int(data))
    else:
        if isinstance(data, np.ndarray):
            data = to_concrete_array(data)
        aval = lift_aval(data)
        if aval.dtype.kind not in "iu" or aval.shape != ():
            raise TypeError(f"random.fold_in: data must be an integer scalar, got {_describe(data)}")
        d = misc.convert_element_type(data, _U32)
    k0, k1 = _key_words(key)
    y0, y1 = threefry2x32(k0, k1, _u32(_FOLD), d)
    return jnp.stack([y0, y1])


# --------------------------------------------------------------------------- bits

def _words(key, n: int):
    """n independent uint32 words from `key` (a flat array)."""
    if n == 0:
        return jnp.zeros((0,), _U32)
    m = (n + 1) // 2
    k0, k1 = _key_words(key)
    y0, y1 = threefry2x32(k0, k1, _u32(_DRAW), misc.iota(_U32, m))
    out = lshape.concatenate([y0, y1], 0)
    return out if 2 * m == n else lshape.slice(out, (0,), (n,))


def random_bits(key, bit_width: int, shape):
    """Uniform random unsigned integers of `bit_width` (8, 16, 32 or 64) bits, of `shape`."""
    key = _check_key("random_bits", key)
    shape = _shape("random_bits", shape)
    return _bits(key, bit_width, shape)


def _bits(key, bit_width: int, shape: tuple):
    if bit_width not in (8, 16, 32, 64):
        raise ValueError(f"random.bits: bit width must be 8, 16, 32 or 64, got {bit_width}")
    n = math.prod(shape)
    if bit_width == 64:
        if not x64_enabled():
            raise TypeError("random.bits: 64-bit random bits need 64-bit types; enable them with "
                            "nablax.config.update('jax_enable_x64', True)")
        w = _words(key, 2 * n)
        hi = misc.convert_element_type(lshape.slice(w, (0,), (n,)), _U64)
        lo = misc.convert_element_type(lshape.slice(w, (n,), (2 * n,)), _U64)
        return lshape.reshape(ew.bitwise_or(ew.shift_left(hi, 32), lo), shape)
    w = _words(key, n)
    if shape != (n,):
        w = lshape.reshape(w, shape)
    if bit_width == 32:
        return w
    return misc.convert_element_type(w, np.dtype(f"uint{bit_width}"))


def bits(key, shape=(), dtype=None):
    """Uniform random bits: an unsigned integer array of `shape` and `dtype` (default uint32)."""
    key = _check_key("bits", key)
    dtype = _U32 if dtype is None else dtypes.check_user_dtype(dtype, "random.bits")
    if dtype.kind != "u":
        raise ValueError(f"random.bits: dtype must be an unsigned integer dtype, got {dtype.name}")
    return _bits(key, dtype.itemsize * 8, _shape("bits", shape))


# --------------------------------------------------------------------- float helpers

def _float_dtype(fname: str, dtype, complex_ok: bool = False) -> np.dtype:
    dtype = dtypes.check_user_dtype(dtype, f"random.{fname}", stacklevel=4)
    if not dtypes.is_float(dtype) and not (complex_ok and dtypes.is_complex(dtype)):
        what = "a float or complex" if complex_ok else "a float"
        raise ValueError(f"random.{fname}: dtype must be {what} dtype, got {dtype.name}")
    return dtype


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    """Transforms run in float32 (float64 for float64) and are cast to `dtype` at the end."""
    return np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)


def _grid(key, shape: tuple, dtype: np.dtype, nbits: int):
    """Integers k uniform in [0, 2**nbits) as `dtype` (exact), from the top bits of the words."""
    if dtype == np.float64:
        w = _bits(key, 64, shape)
        return misc.convert_element_type(ew.shift_right_logical(w, 64 - nbits), dtype)
    w = _bits(key, 32, shape)
    return misc.convert_element_type(ew.shift_right_logical(w, 32 - nbits), dtype)


def _unit(key, shape: tuple, dtype: np.dtype):
    """Uniform on [0, 1): k * 2**-nmant (exact in `dtype`)."""
    nbits = _nmant(dtype)
    cdt = _compute_dtype(dtype)
    u = ew.mul(_grid(key, shape, cdt, nbits), 2.0 ** -nbits)
    return misc.convert_element_type(u, dtype)


def _open_unit(key, shape: tuple, cdt: np.dtype):
    """Uniform on the open (0, 1): grid midpoints (k + 1/2) * 2**-nmant, in float32/float64."""
    nbits = _nmant(cdt)
    return ew.mul(ew.add(_grid(key, shape, cdt, nbits), 0.5), 2.0 ** -nbits)


def _open_symmetric(key, shape: tuple, cdt: np.dtype):
    """Uniform on the open (-1, 1), symmetric about 0: (2k + 1 - 2**nmant) * 2**-nmant."""
    nbits = _nmant(cdt)
    k = _grid(key, shape, cdt, nbits)
    return ew.mul(ew.add(ew.mul(k, 2.0), 1.0 - 2.0 ** nbits), 2.0 ** -nbits)


def _nmant(dtype: np.dtype) -> int:
    return int(dtypes.finfo(dtype).nmant)


def _param(x, dtype: np.dtype):
    """A distribution parameter as an array of `dtype` (differentiable if it was a tracer)."""
    return jnp.asarray(x, dtype=dtype)


def _check_shape(fname: str, shape: tuple, *param_shapes: tuple) -> None:
    try:
        joint = np.broadcast_shapes(shape, *param_shapes)
    except ValueError:
        joint = None
    if joint != shape:
        shown = ", ".join(str(tuple(s)) for s in param_shapes)
        raise ValueError(f"random.{fname}: parameter shapes {shown} must broadcast to the requested "
                         f"shape {shape}")


def _param_shape(fname: str, shape, *params) -> tuple:
    if shape is None:
        return np.broadcast_shapes(*[p.shape for p in params])
    shape = _shape(fname, shape)
    _check_shape(fname, shape, *[p.shape for p in params])
    return shape


# ----------------------------------------------------------------- distributions

def uniform(key, shape=(), dtype=float, minval=0.0, maxval=1.0):
    """Uniform floats in [minval, maxval) (float32 by default, float64 under x64)."""
    key = _check_key("uniform", key)
    dtype = _float_dtype("uniform", dtype)
    shape = _shape("uniform", shape)
    u = _unit(key, shape, dtype)
    if _is_python(minval, 0.0) and _is_python(maxval, 1.0):
        return u
    lo, hi = _param(minval, dtype), _param(maxval, dtype)
    _check_shape("uniform", shape, lo.shape, hi.shape)
    out = lo + (hi - lo) * u
    # Rounding may reach maxval; keep the interval half-open (bounds carry no gradient).
    top = special.nextafter(misc.stop_gradient(hi), misc.stop_gradient(lo))
    return jnp.minimum(jnp.maximum(out, lo), top)


def _is_python(x, value) -> bool:
    return type(x) in (int, float) and x == value


def normal(key, shape=(), dtype=float):
    """Standard normal samples (complex dtypes: real and imaginary parts each of variance 1/2)."""
    key = _check_key("normal", key)
    dtype = _float_dtype("normal", dtype, complex_ok=True)
    shape = _shape("normal", shape)
    if dtype.kind == "c":
        real = dtypes.complex_to_real(dtype)
        keys = split(key)
        re = _normal(keys[0], shape, real)
        im = _normal(keys[1], shape, real)
        return ew.complex(ew.mul(re, math.sqrt(0.5)), ew.mul(im, math.sqrt(0.5)))
    return _normal(key, shape, dtype)


def _normal(key, shape: tuple, dtype: np.dtype):
    cdt = _compute_dtype(dtype)
    v = _open_symmetric(key, shape, cdt)
    return misc.convert_element_type(ew.mul(special.erf_inv(v), math.sqrt(2.0)), dtype)


def truncated_normal(key, lower, upper, shape=None, dtype=float):
    """Standard normal samples conditioned on lower < x < upper (by inverting the CDF)."""
    key = _check_key("truncated_normal", key)
    dtype = _float_dtype("truncated_normal", dtype)
    lo, hi = _param(lower, dtype), _param(upper, dtype)
    shape = _param_shape("truncated_normal", shape, lo, hi)
    cdt = _compute_dtype(dtype)
    lo_c, hi_c = misc.convert_element_type(lo, cdt), misc.convert_element_type(hi, cdt)
    a = special.erf(ew.mul(lo_c, 1 / math.sqrt(2.0)))
    b = special.erf(ew.mul(hi_c, 1 / math.sqrt(2.0)))
    u = _open_unit(key, shape, cdt)
    x = ew.mul(special.erf_inv(a + (b - a) * u), math.sqrt(2.0))
    x = misc.convert_element_type(x, dtype)
    inf = to_concrete_array(np.array(np.inf, dtype))
    low = special.nextafter(misc.stop_gradient(lo), inf)
    high = special.nextafter(misc.stop_gradient(hi), ew.neg(inf))
    return jnp.clip(x, low, high)


def bernoulli(key, p=0.5, shape=None):
    """Booleans that are True with probability p (shape defaults to p's shape)."""
    key = _check_key("bernoulli", key)
    p_arr = jnp.asarray(p)
    dtype = p_arr.dtype if dtypes.is_float(p_arr.dtype) else dtypes.canonicalize_dtype(float)
    p_arr = misc.convert_element_type(p_arr, dtype)
    shape = _param_shape("bernoulli", shape, p_arr)
    return jnp.less(_unit(key, shape, dtype), p_arr)


def rademacher(key, shape=(), dtype=int):
    """-1 or +1 with equal probability."""
    key = _check_key("rademacher", key)
    dtype = dtypes.check_user_dtype(dtype, "random.rademacher")
    shape = _shape("rademacher", shape)
    top = ew.shift_right_logical(_bits(key, 32, shape), 31)
    return misc.convert_element_type(ew.sub(ew.mul(misc.convert_element_type(top, np.int32), 2), 1), dtype)


def exponential(key, shape=(), dtype=float):
    """Exponential(1) samples: -log(u) for u uniform on (0, 1)."""
    key = _check_key("exponential", key)
    dtype = _float_dtype("exponential", dtype)
    return _exponential(key, _shape("exponential", shape), dtype)


def _exponential(key, shape: tuple, dtype: np.dtype):
    u = _open_unit(key, shape, _compute_dtype(dtype))
    return misc.convert_element_type(ew.neg(ew.log(u)), dtype)


def gumbel(key, shape=(), dtype=float):
    """Standard Gumbel samples: -log(-log(u))."""
    key = _check_key("gumbel", key)
    dtype = _float_dtype("gumbel", dtype)
    return _gumbel(key, _shape("gumbel", shape), dtype)


def _gumbel(key, shape: tuple, dtype: np.dtype):
    u = _open_unit(key, shape, _compute_dtype(dtype))
    return misc.convert_element_type(ew.neg(ew.log(ew.neg(ew.log(u)))), dtype)


def laplace(key, shape=(), dtype=float):
    """Standard Laplace samples (density exp(-|x|) / 2)."""
    key = _check_key("laplace", key)
    dtype = _float_dtype("laplace", dtype)
    v = _open_symmetric(key, _shape("laplace", shape), _compute_dtype(dtype))
    x = ew.neg(ew.mul(ew.sign(v), special.log1p(ew.neg(ew.abs(v)))))
    return misc.convert_element_type(x, dtype)


def logistic(key, shape=(), dtype=float):
    """Standard logistic samples: log(u) - log(1 - u)."""
    key = _check_key("logistic", key)
    dtype = _float_dtype("logistic", dtype)
    u = _open_unit(key, _shape("logistic", shape), _compute_dtype(dtype))
    return misc.convert_element_type(ew.sub(ew.log(u), special.log1p(ew.neg(u))), dtype)


def cauchy(key, shape=(), dtype=float):
    """Standard Cauchy samples: tan(pi * (u - 1/2))."""
    key = _check_key("cauchy", key)
    dtype = _float_dtype("cauchy", dtype)
    u = _open_unit(key, _shape("cauchy", shape), _compute_dtype(dtype))
    return misc.convert_element_type(special.tan(ew.mul(ew.sub(u, 0.5), math.pi)), dtype)


def pareto(key, b, shape=None, dtype=float):
    """Pareto samples with shape parameter b (support [1, inf)): exp(Exponential / b)."""
    key = _check_key("pareto", key)
    dtype = _float_dtype("pareto", dtype)
    b = _param(b, dtype)
    shape = _param_shape("pareto", shape, b)
    return jnp.exp(_exponential(key, shape, dtype) / b)


def weibull_min(key, scale, concentration, shape=(), dtype=float):
    """Weibull samples: scale * Exponential ** (1 / concentration)."""
    key = _check_key("weibull_min", key)
    dtype = _float_dtype("weibull_min", dtype)
    scale, conc = _param(scale, dtype), _param(concentration, dtype)
    shape = _shape("weibull_min", shape)
    _check_shape("weibull_min", shape, scale.shape, conc.shape)
    return scale * jnp.power(_exponential(key, shape, dtype), 1 / conc)


def rayleigh(key, scale, shape=None, dtype=float):
    """Rayleigh samples: scale * sqrt(2 * Exponential)."""
    key = _check_key("rayleigh", key)
    dtype = _float_dtype("rayleigh", dtype)
    scale = _param(scale, dtype)
    shape = _param_shape("rayleigh", shape, scale)
    return scale * jnp.sqrt(2 * _exponential(key, shape, dtype))


def maxwell(key, shape=(), dtype=float):
    """Maxwell samples: the length of a standard normal 3-vector."""
    key = _check_key("maxwell", key)
    dtype = _float_dtype("maxwell", dtype)
    shape = _shape("maxwell", shape)
    z = _normal(key, shape + (3,), dtype)
    return jnp.sqrt(jnp.sum(z * z, axis=-1))


# ------------------------------------------------------------------------ integers

def _mulhi(a, b, bits: int):
    """The high `bits` bits of the 2*bits-bit product of two unsigned `bits`-bit arrays."""
    h = bits // 2
    mask = (1 << h) - 1
    a1, a0 = ew.shift_right_logical(a, h), ew.bitwise_and(a, mask)
    b1, b0 = ew.shift_right_logical(b, h), ew.bitwise_and(b, mask)
    t = ew.mul(a0, b0)
    mid1 = ew.add(ew.mul(a1, b0), ew.shift_right_logical(t, h))
    mid2 = ew.add(ew.mul(a0, b1), ew.bitwise_and(mid1, mask))
    return ew.add(ew.add(ew.mul(a1, b1), ew.shift_right_logical(mid1, h)), ew.shift_right_logical(mid2, h))


def _bounded(key, shape: tuple, span, wdt: np.dtype):
    """Integers uniform in [0, span) (span of dtype wdt, 0 < span): floor(X * span / 2**(2w))
    for a 2w-bit random X, so each value's probability is off by at most span / 2**(2w)."""
    bits_ = wdt.itemsize * 8
    w = _bits(key, bits_, (2,) + shape)
    hi, lo = w[0], w[1]
    top = _mulhi(hi, span, bits_)
    mid = ew.add(ew.mul(hi, span), _mulhi(lo, span, bits_))
    carry = misc.convert_element_type(ew.lt(mid, ew.mul(hi, span)), wdt)
    return ew.add(top, carry), hi


def _int_bound(fname: str, x, dtype: np.dtype, info) -> tuple:
    """(x clipped into dtype's range, as dtype; whether x was above dtype's maximum)."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"random.{fname}: integer bounds expected, got a bool")
    if isinstance(x, (int, np.integer)):
        x = int(x)
        return jnp.asarray(min(max(x, info.min), info.max), dtype), x > info.max
    x = jnp.asarray(x)
    if x.dtype.kind not in "iu":
        raise TypeError(f"random.{fname}: minval and maxval must be integers, got {x.dtype.name}")
    xinfo = np.iinfo(x.dtype)
    above = jnp.greater(x, info.max) if xinfo.max > info.max else False
    if xinfo.min < info.min or xinfo.max > info.max:
        x = jnp.clip(x, max(info.min, xinfo.min), min(info.max, xinfo.max))
    return misc.convert_element_type(x, dtype), above


def randint(key, shape, minval, maxval, dtype=int):
    """Uniform integers in [minval, maxval) (bounds broadcast to `shape`; clipped into the
    range of `dtype`, with maxval above its maximum meaning "up to and including it")."""
    key = _check_key("randint", key)
    dtype = dtypes.check_user_dtype(dtype, "random.randint")
    if dtype.kind not in "iu":
        raise TypeError(f"random.randint: dtype must be an integer dtype, got {dtype.name}")
    shape = _shape("randint", shape)
    info = np.iinfo(dtype)
    lo, _ = _int_bound("randint", minval, dtype, info)
    hi, past_end = _int_bound("randint", maxval, dtype, info)
    _check_shape("randint", shape, lo.shape, hi.shape)
    wdt = _U64 if dtype.itemsize == 8 else _U32
    lo_u, hi_u = misc.convert_element_type(lo, wdt), misc.convert_element_type(hi, wdt)
    span = ew.sub(hi_u, lo_u)
    if past_end is not False:
        span = ew.add(span, misc.convert_element_type(past_end, wdt))
    valid = jnp.logical_or(jnp.greater(hi, lo), past_end)
    offset, raw = _bounded(key, shape, jnp.broadcast_to(span, shape), wdt)
    full = jnp.logical_and(ew.eq(span, 0), valid)
    offset = jnp.where(full, raw, jnp.where(valid, offset, 0))
    return misc.convert_element_type(ew.add(jnp.broadcast_to(lo_u, shape), offset), dtype)


def _perm_indices(key, n: int):
    """A uniformly random permutation of 0..n-1: sort by 64-bit random keys."""
    w = _bits(key, 32, (2, n))
    idx = misc.iota(dtypes.canonicalize_dtype(int), n)
    return sorting.sort((w[0], w[1], idx), dimension=0, num_keys=2)[2]


def _concrete_int(fname: str, x, what: str):
    """x as a Python int if it is an integer scalar (not an array), else None."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"random.{fname}: {what} must be an integer or an array, got a bool")
    if isinstance(x, (int, np.integer)):
        return int(x)
    return None


def permutation(key, x, axis: int = 0, independent: bool = False):
    """A random permutation of range(x) (integer x), or of the array x along `axis`
    (`independent=True`: each 1-d slice along `axis` permuted independently)."""
    key = _check_key("permutation", key)
    n = _concrete_int("permutation", x, "x")
    if n is not None:
        if n < 0:
            raise ValueError(f"random.permutation: x must be non-negative, got {n}")
        return _perm_indices(key, n)
    x = jnp.asarray(x)
    if x.ndim == 0:
        raise ValueError("random.permutation: x must be an integer or an array of rank >= 1")
    ax = _axis("permutation", axis, x.ndim)
    if not independent:
        return jnp.take(x, _perm_indices(key, x.shape[ax]), axis=ax)
    w = _bits(key, 32, (2,) + x.shape)
    return sorting.sort((w[0], w[1], x), dimension=ax, num_keys=2)[2]


def _axis(fname: str, axis, ndim: int) -> int:
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"random.{fname}: axis {axis} is out of bounds for an array of rank {ndim}")
    return axis % ndim


def choice(key, a, shape=(), replace: bool = True, p=None, axis: int = 0):
    """Random samples from range(a) (integer a) or from the entries of a along `axis`,
    with or without replacement, uniformly or with probabilities p."""
    key = _check_key("choice", key)
    shape = _shape("choice", shape)
    n = _concrete_int("choice", a, "a")
    arr = None
    if n is None:
        arr = jnp.asarray(a)
        if arr.ndim == 0:
            raise ValueError("random.choice: a must be an integer or an array of rank >= 1")
        axis = _axis("choice", axis, arr.ndim)
        n = arr.shape[axis]
    elif n < 0:
        raise ValueError(f"random.choice: a must be non-negative, got {n}")
    k = math.prod(shape)
    if k and n == 0:
        raise ValueError("random.choice: a must be non-empty to take samples")
    if not replace and k > n:
        raise ValueError(f"random.choice: cannot take {k} samples from a population of {n} "
                         "without replacement")
    if p is not None:
        p = jnp.asarray(p)
        if not dtypes.is_float(p.dtype):
            p = misc.convert_element_type(p, dtypes.canonicalize_dtype(float))
        if p.shape != (n,):
            raise ValueError(f"random.choice: p must have shape ({n},) to match a, got {p.shape}")
    if replace and p is None:
        idx = randint(key, shape, 0, n)
    elif replace:
        cdf = jnp.cumsum(p)
        u = _unit(key, shape, p.dtype) * cdf[-1]
        idx = jnp.sum(jnp.less_equal(cdf, u[..., None]), axis=-1, dtype=dtypes.canonicalize_dtype(int))
        idx = jnp.minimum(idx, n - 1)
    elif p is None:
        idx = jnp.reshape(_perm_indices(key, n)[:k], shape)
    else:
        # Sequential sampling without replacement = the top k of log p + Gumbel noise.
        logp = jnp.where(p > 0, jnp.log(jnp.where(p > 0, p, 1)), -np.inf)
        g = _gumbel(key, (n,), p.dtype) + logp
        order = sorting.sort((ew.neg(g), misc.iota(dtypes.canonicalize_dtype(int), n)), dimension=0)[1]
        idx = jnp.reshape(order[:k], shape)
    return idx if arr is None else jnp.take(arr, idx, axis=axis)


def categorical(key, logits, axis: int = -1, shape=None):
    """Samples of the category index along `axis` with probabilities softmax(logits)
    (the Gumbel-max trick). `shape` defaults to logits' shape without `axis`."""
    key = _check_key("categorical", key)
    logits = jnp.asarray(logits)
    if not dtypes.is_float(logits.dtype):
        logits = misc.convert_element_type(logits, dtypes.canonicalize_dtype(float))
    if logits.ndim == 0:
        raise ValueError("random.categorical: logits must have rank >= 1")
    ax = _axis("categorical", axis, logits.ndim)
    batch_shape = tuple(d for i, d in enumerate(logits.shape) if i != ax)
    shape = batch_shape if shape is None else _shape("categorical", shape)
    _check_shape("categorical", shape, batch_shape)
    moved = jnp.moveaxis(logits, ax, -1)
    noise = _gumbel(key, shape + (logits.shape[ax],), logits.dtype)
    return jnp.argmax(moved + noise, axis=-1)


def threefry_2x32(keypair, count):
    """Threefry-2x32 of a uint32 array `count` under `keypair` (a pair of uint32 words):
    the first half of the (zero-padded to even length) flattened counts is paired with
    the second half as counter words; the outputs are laid out the same way."""
    k0, k1 = keypair
    count = jnp.asarray(count)
    if count.dtype != _U32:
        raise TypeError(f"random.threefry_2x32: count must be uint32, got {count.dtype.name}")
    flat = jnp.ravel(count)
    n = flat.shape[0]
    if n % 2:
        flat = jnp.concatenate([flat, jnp.zeros((1,), _U32)])
    half = flat.shape[0] // 2
    y0, y1 = threefry2x32(jnp.asarray(k0, _U32), jnp.asarray(k1, _U32), flat[:half], flat[half:])
    return jnp.reshape(jnp.concatenate([y0, y1])[:n], count.shape)


__all__ = [
    "PRNGKey", "key", "key_data", "wrap_key_data", "key_impl", "clone", "split", "fold_in",
    "random_bits", "bits", "uniform", "normal", "truncated_normal", "bernoulli", "rademacher",
    "randint", "choice", "permutation", "categorical", "gumbel", "exponential", "laplace",
    "logistic", "cauchy", "pareto", "weibull_min", "rayleigh", "maxwell", "threefry_2x32",
]
