"""nablax.random: JAX's key-based pseudo-random numbers, bit for bit (threefry2x32).

`key(seed)` makes a typed key (shape `()`, dtype `key<fry>`); `PRNGKey(seed)` makes a
legacy uint32[2] key. Every function accepts both, returns new keys of the kind it was
given, and is a pure function of its key. Keys, splits, fold_in and the raw bits follow
JAX's threefry2x32 implementation exactly (prng.py), and every sampler here uses JAX's
construction on top of them (the mantissa trick for uniform floats, two draws for
randint, sort rounds for permutation, the Gumbel-max trick for categorical, ...), so
for the same key, shape and dtype the samples equal JAX's bit for bit: eager, under
jit and under vmap (a batch of keys gives each lane the samples of its own key).

Floating-point transforms are where bit-identity could break: XLA's CPU backend fuses
multiply-adds and computes log, log1p, erf and erf_inv with its own polynomials, not
NumPy's. nablax does the same arithmetic (`random_bits.xla_fma`, `random_bits.xla_math`),
so uniform, normal, truncated_normal, bernoulli, randint, permutation, choice,
categorical, gumbel, exponential, laplace, logistic, rademacher, rayleigh and maxwell
(for arrays of a few thousand draws or more; XLA fuses small ones in another order) equal
JAX's samples in float32, float64 (x64), float16 and every integer dtype (truncated_normal
in float64 excepted: XLA's float64 erf is not reproduced). Samplers built on tan, exp or
power (cauchy, pareto, weibull_min) follow JAX's formulas with NumPy's functions and may
differ from JAX's in the last bits. The discrete and multivariate samplers are in
random_discrete.py, the gamma family in random_gamma.py.

Draws have no derivative with respect to the key; reparameterized draws such as
`mu + sigma * normal(key)` are differentiable in mu and sigma.
"""
from __future__ import annotations

import math
import operator
from typing import Sequence

import numpy as np

from . import dtypes
from . import numpy as jnp
from .array import to_concrete_array
from .config import x64_enabled
from .core import lift_aval
from .numpy import linalg_decomp
from .numpy.promotion import checked_axis
from .primitives import elementwise as ew
from .primitives import misc, sorting, special
from .primitives.random_bits import threefry2x32, xla_fma, xla_math
from .prng import (
    KEY_DTYPE,
    PRNGKeyArray,
    as_array,
    canonical_shape,
    check_key,
    check_key_data,
    fold_in_data,
    seed_data,
    split_data,
    wrap_result,
)
from .prng import (
    random_bits as _random_bits,
)

_U32 = np.dtype(np.uint32)
_F32 = np.dtype(np.float32)


# --------------------------------------------------------------------------- keys

def _check_impl(impl) -> None:
    if impl not in (None, "threefry2x32", "threefry", KEY_DTYPE):
        raise ValueError(f"random: unknown PRNG implementation {impl!r}; nablax has only 'threefry2x32'")


def _seed(ctor: str, seed):
    if isinstance(seed, PRNGKeyArray):
        raise TypeError(f"{ctor} accepts a scalar seed, but was given a PRNG key.")
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
    if isinstance(seed, int):
        if not -(2**63) <= seed < 2**63:
            raise OverflowError(f"{ctor}: seed {seed} does not fit in a 64-bit signed integer")
        seed = np.array(seed, np.int64)
    arr = as_array(seed)
    if arr is None:
        raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
    aval = lift_aval(arr)
    if aval.shape:
        raise TypeError(f"{ctor} accepts a scalar seed, but was given an array of shape {aval.shape} "
                        "!= (). Use jax.vmap for batching")
    if aval.dtype.kind not in "iu":
        raise TypeError(f"PRNG key seed must be an integer; got {aval.dtype.name} seed {seed!r}")
    canon = dtypes.canonicalize_dtype(aval.dtype)
    if canon != aval.dtype:
        arr = misc.convert_element_type(arr, canon)
    return seed_data(arr)


def PRNGKey(seed, *, impl=None):  # noqa: N802  (JAX's spelling)
    """A legacy key: uint32[2] = [seed >> 32, seed & 0xFFFFFFFF] of an integer seed
    (a 32-bit int without x64, so e.g. PRNGKey(-1) is [0, 4294967295])."""
    _check_impl(impl)
    return _seed("PRNGKey", seed)


def key(seed, *, impl=None, dtype=None) -> PRNGKeyArray:
    """A typed key (shape (), dtype key<fry>) from an integer seed; its data is PRNGKey(seed)."""
    if impl is not None and dtype is not None:
        raise ValueError("Cannot specify both `impl` and `dtype` arguments to jax.random.key")
    _check_impl(impl if dtype is None else dtype)
    return PRNGKeyArray(_seed("key", seed))


def key_data(keys):
    """The uint32[..., 2] data underlying keys (typed or legacy)."""
    return check_key("key_data", keys, allow_batched=True)[0]


def wrap_key_data(key_bits_array, *, impl=None, dtype=None) -> PRNGKeyArray:
    """Typed keys (shape key_bits_array.shape[:-1]) over uint32[..., 2] data."""
    if impl is not None and dtype is not None:
        raise ValueError("Cannot specify both `impl` and `dtype` arguments to jax.random.wrap_key_data")
    _check_impl(impl if dtype is None else dtype)
    return PRNGKeyArray(check_key_data("wrap_key_data", key_bits_array))


def key_impl(keys) -> str:
    check_key("key_impl", keys, allow_batched=True)
    return "threefry2x32"


def clone(key):
    """The key itself (keys are immutable; JAX uses this with key reuse checking)."""
    return key


def split(key, num: int | Sequence[int] = 2):
    """`num` new keys (a shape tuple gives that shape of keys), of the kind `key` is."""
    data, typed = check_key("split", key)
    return wrap_result(split_data(data, canonical_shape("split", num)), typed)


def fold_in(key, data):
    """A new key from `key` and an integer `data` (taken as uint32)."""
    kdata, typed = check_key("fold_in", key)
    if _shape_of(data):
        raise TypeError(f"fold_in accepts a scalar, but was given an array of shape {_shape_of(data)} "
                        "!= (). Use jax.vmap for batching.")
    return wrap_result(fold_in_data(kdata, jnp.asarray(data, dtype=_U32)), typed)


def _key(fname: str, key):
    return check_key(fname, key)[0]


def random_bits(key, bit_width: int, shape):
    """Uniform unsigned integers of `bit_width` (8, 16, 32 or 64) bits and `shape`."""
    data = _key("random_bits", key)
    if bit_width == 64 and not x64_enabled():
        raise TypeError("random.random_bits: 64-bit random bits need 64-bit types; enable them with "
                        "nablax.config.update('jax_enable_x64', True)")
    return _random_bits(data, bit_width, canonical_shape("random_bits", shape))


def bits(key, shape=(), dtype=None):
    """Uniform random bits: unsigned integers of `shape` and `dtype` (uint32; uint64 under x64)."""
    data = _key("bits", key)
    if dtype is None:
        dtype = np.dtype(np.uint64) if x64_enabled() else _U32
    else:
        dtype = dtypes.check_user_dtype(dtype, "random.bits")
    if dtype.kind != "u":
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dtype.name}")
    return _random_bits(data, dtype.itemsize * 8, canonical_shape("bits", shape))


# ------------------------------------------------------------------ float helpers

def _float_dtype(fname: str, dtype, kinds: str = "f") -> np.dtype:
    dtype = dtypes.check_user_dtype(float if dtype is None else dtype, f"random.{fname}", stacklevel=4)
    if not (dtypes.is_float(dtype) or ("c" in kinds and dtypes.is_complex(dtype))):
        what = "a float or complex" if "c" in kinds else "a float"
        raise ValueError(f"dtype argument to `{fname}` must be {what} dtype, got {dtype.name}")
    return dtype


def _check_shape(fname: str, shape: tuple, *param_shapes) -> None:
    if not param_shapes:
        return
    try:
        joint = np.broadcast_shapes(shape, *param_shapes)
    except ValueError:
        joint = None
    if joint != shape:
        raise ValueError(f"{fname} parameter shapes must be broadcast-compatible with shape argument, "
                         f"and the result of broadcasting the shapes must equal the shape argument, "
                         f"but got result {joint} for shape argument {shape}.")


def _shape_of(x) -> tuple:
    return tuple(np.shape(x)) if not hasattr(x, "shape") else tuple(x.shape)


def _const(value, dtype: np.dtype):
    return to_concrete_array(np.array(value, dtype))


def _log(x):
    """log exactly as XLA computes it (float16 through float32, as XLA does)."""
    return xla_math(x, "log")


def _log1p(x):
    return xla_math(x, "log1p")


def _erf_inv(x):
    return xla_math(x, "erf_inv")


def _uniform(key_data_, shape: tuple, dtype: np.dtype, minval, maxval):
    """JAX's uniform: the top mantissa bits under exponent 0, minus 1, scaled into [minval, maxval)."""
    finfo = dtypes.finfo(dtype)
    nbits, nmant = finfo.bits, int(finfo.nmant)
    rng_bits = 8 if nmant < 8 else nbits
    b = _random_bits(key_data_, rng_bits, shape)
    if rng_bits != nbits:
        b = misc.convert_element_type(b, np.dtype(f"uint{nbits}"))
    mant = ew.shift_right_logical(b, np.array(rng_bits - nmant, b.dtype))
    # bitcast(mant | bits(1.0)) - 1 is exactly mant * 2**-nmant.
    floats = ew.mul(misc.convert_element_type(mant, dtype), _const(2.0 ** -nmant, dtype))
    if isinstance(minval, (float, int, np.floating)) and isinstance(maxval, (float, int, np.floating)):
        if (minval, maxval) == (0.0, 1.0):
            return floats  # max(0, fma(floats, 1, 0)) is floats itself
        lo, hi = np.array(minval, dtype), np.array(maxval, dtype)  # constants: NumPy does the dtype's math
        lo_c = to_concrete_array(lo)
        with np.errstate(over="ignore"):  # a span past the dtype's range is inf, as in JAX
            span = hi - lo
        scaled = xla_fma(floats, to_concrete_array(span), lo_c)
        # floats >= 0 and a span >= 0 give scaled >= lo (rounding is monotone): JAX's max with
        # lo changes nothing then, and costs a pass over the samples.
        return scaled if span >= 0 else ew.max(lo_c, scaled)
    lo = misc.convert_element_type(jnp.asarray(minval), dtype)
    hi = misc.convert_element_type(jnp.asarray(maxval), dtype)
    return jnp.maximum(lo, jnp.reshape(_fma(floats, hi - lo, lo), shape))


def _fma(a, b, c):
    """a * b + c rounded once, as XLA's CPU backend fuses it (a: an array of the dtype)."""
    return xla_fma(a, misc.convert_element_type(b, a.dtype), misc.convert_element_type(c, a.dtype))


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
    """Uniform floats in [minval, maxval) (float32 by default, float64 under x64)."""
    data = _key("uniform", key)
    shape = canonical_shape("uniform", shape)
    dtype = _float_dtype("uniform", dtype)
    try:
        _check_shape("uniform", shape, _shape_of(minval), _shape_of(maxval))
    except ValueError as e:  # JAX fails in its multiply here: a TypeError
        raise TypeError(str(e)) from None
    return _uniform(data, shape, dtype, minval, maxval)


def _normal_real(data, shape: tuple, dtype: np.dtype):
    lo = np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype))
    u = _uniform(data, shape, dtype, lo, 1.0)
    return ew.mul(_const(np.sqrt(2), dtype), _erf_inv(u))


def normal(key, shape=(), dtype=None):
    """Standard normal samples: sqrt(2) * erf_inv(u), u uniform on (-1, 1). Complex dtypes:
    real and imaginary parts from the two keys of split(key), each of variance 1/2."""
    data = _key("normal", key)
    shape = canonical_shape("normal", shape)
    dtype = _float_dtype("normal", dtype, "fc")
    if dtype.kind == "c":
        real = dtypes.complex_to_real(dtype)
        k = split_data(data, (2,))
        re = _normal_real(k[0], shape, real)
        im = _normal_real(k[1], shape, real)
        return ew.div(ew.complex(re, im), _const(np.sqrt(2), dtype))
    return _normal_real(data, shape, dtype)


def orthogonal(key, n: int, shape=(), dtype=None, m: int | None = None):
    """Haar-random n x m matrices with orthonormal columns (rows if n < m): the Q of a QR of
    standard normal samples, its columns' signs fixed by R's diagonal (complex dtypes: unitary)."""
    _key("orthogonal", key)
    shape = canonical_shape("orthogonal", shape)
    dtype = _float_dtype("orthogonal", dtype, "fc")
    n, m = _concrete_index("orthogonal", n, "n"), _concrete_index("orthogonal", n if m is None else m, "m")
    z = normal(key, (*shape, max(n, m), min(n, m)), dtype)
    q, r = linalg_decomp.qr(z)
    q = q * jnp.expand_dims(jnp.sign(jnp.diagonal(r, axis1=-2, axis2=-1)), -2)
    return jnp.swapaxes(q, -1, -2) if n < m else q


def _concrete_index(fname: str, value, what: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"random.{fname}: `{what}` must be a concrete integer (it sets the output shape), "
                        f"got {value!r}") from None


def _param_shape(fname: str, shape, *params) -> tuple:
    if shape is None:
        return np.broadcast_shapes(*[_shape_of(p) for p in params])
    shape = canonical_shape(fname, shape)
    _check_shape(fname, shape, *[_shape_of(p) for p in params])
    return shape


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Standard normal samples conditioned on lower < x < upper (by inverting the CDF)."""
    data = _key("truncated_normal", key)
    dtype = _float_dtype("truncated_normal", dtype)
    shape = _param_shape("truncated_normal", shape, lower, upper)
    sqrt2 = _const(np.sqrt(2), dtype)
    lo = misc.convert_element_type(jnp.asarray(lower), dtype)
    hi = misc.convert_element_type(jnp.asarray(upper), dtype)
    a = xla_math(ew.div(lo, sqrt2), "erf")
    b = xla_math(ew.div(hi, sqrt2), "erf")
    out = ew.mul(sqrt2, _erf_inv(_uniform(data, shape, dtype, a, b)))
    inf = _const(np.inf, dtype)
    return jnp.clip(out, special.nextafter(misc.stop_gradient(lo), inf),
                    special.nextafter(misc.stop_gradient(hi), ew.neg(inf)))


def bernoulli(key, p=0.5, shape=None, mode: str = "low"):
    """Booleans that are True with probability p: uniform(key, shape, p.dtype) < p."""
    data = _key("bernoulli", key)
    p_arr = jnp.asarray(p)
    if not dtypes.is_float(p_arr.dtype):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {p_arr.dtype.name}.")
    dtype = p_arr.dtype
    shape = tuple(p_arr.shape) if shape is None else _param_shape("bernoulli", shape, p_arr)
    if mode == "high":
        u = _uniform(data, (2,) + shape, dtype, 0.0, 1.0)
        u2 = ew.mul(u[1], _const(2.0 ** -int(dtypes.finfo(dtype).nmant), dtype))
        return jnp.less(u2, p_arr - u[0])
    if mode != "low":
        raise ValueError(f"random.bernoulli: mode must be 'low' or 'high', got {mode!r}")
    return jnp.less(_uniform(data, shape, dtype, 0.0, 1.0), p_arr)


def rademacher(key, shape=(), dtype=int):
    """-1 or +1 with equal probability: 2 * bernoulli(key, 0.5, shape) - 1."""
    _key("rademacher", key)
    dtype = dtypes.check_user_dtype(dtype, "random.rademacher")
    b = misc.convert_element_type(bernoulli(key, 0.5, canonical_shape("rademacher", shape)), dtype)
    return misc.convert_element_type(2 * b - 1, dtype)


def exponential(key, shape=(), dtype=None):
    """Exponential(1) samples: -log1p(-u), u uniform on [0, 1)."""
    data = _key("exponential", key)
    dtype = _float_dtype("exponential", dtype)
    return _exponential(data, canonical_shape("exponential", shape), dtype)


def _exponential(data, shape: tuple, dtype: np.dtype):
    return ew.neg(_log1p(ew.neg(_uniform(data, shape, dtype, 0.0, 1.0))))


def gumbel(key, shape=(), dtype=None, mode: str | None = None):
    """Standard Gumbel samples: -log(-log(u)), u uniform on [tiny, 1) (mode "high": a
    two-draw uniform with more resolution near 0)."""
    data = _key("gumbel", key)
    dtype = _float_dtype("gumbel", dtype)
    return _gumbel(data, canonical_shape("gumbel", shape), dtype, mode or "low")


def _gumbel(data, shape: tuple, dtype: np.dtype, mode: str):
    info = dtypes.finfo(dtype)
    if mode == "low":
        u = _uniform(data, shape, dtype, float(info.tiny), 1.0)
        return ew.neg(_log(ew.neg(_log(u))))
    if mode != "high":
        raise ValueError(f"random.gumbel: mode must be 'low' or 'high', got {mode!r}")
    u = _uniform(data, (2,) + shape, dtype, 0.0, 1.0)
    high, low = u[0], u[1]
    finer = high + _const(2.0 ** -int(info.nmant), dtype) * low + _const(info.tiny, dtype)
    x = jnp.where(high >= 0.5, high, finer)
    return ew.neg(_log(ew.neg(_log1p(ew.neg(x)))))


def laplace(key, shape=(), dtype=None):
    """Standard Laplace samples: sign(u) * log1p(-|u|), u uniform on (-1, 1)."""
    data = _key("laplace", key)
    dtype = _float_dtype("laplace", dtype)
    u = _uniform(data, canonical_shape("laplace", shape), dtype,
                 -1.0 + float(dtypes.finfo(dtype).epsneg), 1.0)
    return ew.mul(ew.sign(u), _log1p(ew.neg(ew.abs(u))))


def logistic(key, shape=(), dtype=None):
    """Standard logistic samples: log(u) - log1p(-u), u uniform on [tiny, 1)."""
    data = _key("logistic", key)
    dtype = _float_dtype("logistic", dtype)
    x = _uniform(data, canonical_shape("logistic", shape), dtype, float(dtypes.finfo(dtype).tiny), 1.0)
    return ew.sub(_log(x), _log1p(ew.neg(x)))


def cauchy(key, shape=(), dtype=None):
    """Standard Cauchy samples: tan(pi * (u - 1/2)), u uniform on [eps, 1)."""
    data = _key("cauchy", key)
    dtype = _float_dtype("cauchy", dtype)
    u = _uniform(data, canonical_shape("cauchy", shape), dtype, float(dtypes.finfo(dtype).eps), 1.0)
    return special.tan(ew.mul(_const(np.pi, dtype), ew.sub(u, _const(0.5, dtype))))


def pareto(key, b, shape=None, dtype=None):
    """Pareto samples with shape parameter b (support [1, inf)): exp(Exponential / b)."""
    data = _key("pareto", key)
    dtype = _float_dtype("pareto", dtype)
    shape = _param_shape("pareto", shape, b)
    b = misc.convert_element_type(jnp.asarray(b), dtype)
    return jnp.exp(_exponential(data, shape, dtype) / b)


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull samples: scale * Exponential ** (1 / concentration)."""
    data = _key("weibull_min", key)
    dtype = _float_dtype("weibull_min", dtype)
    shape = canonical_shape("weibull_min", shape)
    _check_shape("weibull_min", shape, _shape_of(scale), _shape_of(concentration))
    scale = jnp.asarray(scale, dtype=dtype)
    conc = jnp.asarray(concentration, dtype=dtype)
    return jnp.power(_exponential(data, shape, dtype), 1.0 / conc) * scale


def rayleigh(key, scale, shape=None, dtype=None):
    """Rayleigh samples: scale * sqrt(-2 log u), u uniform on [0, 1)."""
    data = _key("rayleigh", key)
    dtype = _float_dtype("rayleigh", dtype)
    shape = _param_shape("rayleigh", shape, scale)
    u = _uniform(data, shape, dtype, 0.0, 1.0)
    scale = jnp.broadcast_to(misc.convert_element_type(jnp.asarray(scale), dtype), shape)
    return ew.mul(scale, special.sqrt(ew.mul(_log(u), _const(-2, dtype))))


def maxwell(key, shape=(), dtype=None):
    """Maxwell samples: the length of a standard normal 3-vector (summed in XLA's order, so
    the bits are JAX's)."""
    data = _key("maxwell", key)
    dtype = _float_dtype("maxwell", dtype)
    z = _normal_real(data, canonical_shape("maxwell", shape) + (3,), dtype)
    sq = z * z
    return special.sqrt((sq[..., 0] + sq[..., 2]) + sq[..., 1])  # XLA's order for a length-3 sum


# ------------------------------------------------------------------------ integers

def _clip_to(x, dtype: np.dtype):
    """Integer x converted to dtype, clipped to its range (JAX's _convert_and_clip_integer)."""
    xi, di = np.iinfo(x.dtype), np.iinfo(dtype)
    lo, hi = max(di.min, xi.min), min(di.max, xi.max)
    if lo > xi.min or hi < xi.max:
        x = jnp.clip(x, _const(lo, x.dtype), _const(hi, x.dtype))
    return misc.convert_element_type(x, dtype)


def _urem(a, span):
    """a % span for unsigned arrays, with XLA's a % 0 == a."""
    zero = ew.eq(span, _const(0, span.dtype))
    safe = jnp.where(zero, _const(1, span.dtype), span)
    return jnp.where(zero, a, ew.rem(a, safe))


def _int_operand(fname: str, x):
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"random.{fname}: integer bounds expected, got a bool")
    if isinstance(x, int):
        return jnp.asarray(x)
    arr = jnp.asarray(x)
    if arr.dtype.kind not in "iu":
        arr = misc.convert_element_type(arr, dtypes.canonicalize_dtype(int))
    return arr


def randint(key, shape, minval, maxval, dtype=None):
    """Uniform integers in [minval, maxval), JAX's scheme: two words of random bits
    combined modulo the span (bounds clipped into `dtype`; maxval above its maximum
    means "up to and including it")."""
    data = _key("randint", key)
    dtype = dtypes.check_user_dtype(int if dtype is None else dtype, "random.randint")
    if dtype.kind not in "iu":
        raise TypeError(f"randint only accepts integer dtypes, got {dtype.name}")
    shape = canonical_shape("randint", shape)
    info = np.iinfo(dtype)
    lo, hi = _int_operand("randint", minval), _int_operand("randint", maxval)
    sample_dtype = dtype
    if info.bits < 32:
        sample_dtype = np.dtype(np.int32)
        lo = jnp.clip(misc.convert_element_type(lo, sample_dtype), int(info.min), int(info.max))
        hi = jnp.clip(misc.convert_element_type(hi, sample_dtype), int(info.min), int(info.max) + 1)
    out = _randint(data, lo, hi, shape, sample_dtype)
    return out if sample_dtype == dtype else misc.convert_element_type(out, dtype)


def _randint(data, lo, hi, shape: tuple, dtype: np.dtype):
    _check_shape("randint", shape, tuple(lo.shape), tuple(hi.shape))
    dmax = _clip_to(_const(np.iinfo(dtype).max, dtype), hi.dtype)
    out_of_range = ew.gt(hi, dmax)
    lo, hi = _clip_to(lo, dtype), _clip_to(hi, dtype)
    nbits = np.iinfo(dtype).bits
    udt = np.dtype(f"uint{nbits}")
    keys = split_data(data, (2,))
    higher = _random_bits(keys[0], nbits, shape)
    lower = _random_bits(keys[1], nbits, shape)
    span = misc.convert_element_type(ew.sub(hi, lo), udt)
    span = jnp.where(ew.le(hi, lo), _const(1, udt), span)
    span = jnp.where(jnp.logical_and(out_of_range, ew.gt(hi, lo)), ew.add(span, _const(1, udt)), span)
    mult = _urem(_const(2 ** (nbits // 2), udt), span)
    mult = _urem(ew.mul(mult, mult), span)
    offset = ew.add(ew.mul(_urem(higher, span), mult), _urem(lower, span))
    offset = _urem(offset, span)
    return ew.add(lo, misc.convert_element_type(offset, dtype))


def _shuffle(data, x, axis: int):
    """JAX's shuffle: stable sorts by fresh 32-bit keys, enough rounds to make ties unlikely."""
    size = math.prod(x.shape)
    rounds = int(np.ceil(3 * np.log(max(1, size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        keys = split_data(data, (2,))
        data, sub = keys[0], keys[1]
        sort_keys = _random_bits(sub, 32, tuple(x.shape))
        x = sorting.sort_key_val(sort_keys, x, axis)[1]
    return x


def _is_scalar_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def permutation(key, x, axis: int = 0, independent: bool = False):
    """A random permutation of range(x) (integer x), or of the array x along `axis`
    (`independent=True`: each 1-d slice along `axis` permuted independently)."""
    data = _key("permutation", key)
    if _is_scalar_int(x) or (np.ndim(x) == 0 and not hasattr(x, "shape")):
        if not _is_scalar_int(x):
            raise TypeError("x must be an integer or at least 1-dimensional")
        checked_axis("random.permutation", axis, 1)
        return _shuffle(data, jnp.arange(int(x)), 0)
    x = jnp.asarray(x)
    if x.ndim == 0:
        if x.dtype.kind not in "iu":
            raise TypeError("x must be an integer or at least 1-dimensional")
        return _shuffle(data, jnp.arange(int(x)), 0)
    ax = checked_axis("random.permutation", axis, x.ndim)
    if independent or x.ndim == 1:
        return _shuffle(data, x, ax)
    return jnp.take(x, _shuffle(data, jnp.arange(x.shape[ax]), 0), axis=ax)


def _top_k_indices(g, k: int):
    """Indices of the k largest entries of 1-d g, largest first, ties by lower index."""
    idx = misc.iota(np.dtype(np.int32), g.shape[0])
    return sorting.sort((ew.neg(g), idx), dimension=0, num_keys=1)[1][:k]


def choice(key, a, shape: Sequence[int] = (), replace: bool = True, p=None, axis: int = 0, mode=None):
    """Random samples from range(a) (integer a) or from the entries of a along `axis`,
    with or without replacement, uniformly or with probabilities p (JAX's constructions:
    randint, permutation, inverse CDF, Gumbel top-k)."""
    data = _key("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
    shape = canonical_shape("choice", shape)
    arr = jnp.asarray(a)
    if arr.ndim == 0:
        n = int(a)
    else:
        axis = checked_axis("random.choice", axis, arr.ndim)
        n = arr.shape[axis]
    k = math.prod(shape)
    if k == 0:
        return jnp.zeros(shape, dtype=arr.dtype)
    if n <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and k > n:
        raise ValueError(f"Cannot take a larger sample (size {k}) than population (size {n}) "
                         "when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(key, shape, 0, n)
            result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis=axis)
        else:
            perm = permutation(key, n if arr.ndim == 0 else arr, axis)
            result = perm[(slice(None),) * axis + (slice(k),)]
    else:
        p_arr = jnp.asarray(p)
        if not dtypes.is_inexact(p_arr.dtype):
            p_arr = misc.convert_element_type(p_arr, dtypes.canonicalize_dtype(float))
        if tuple(p_arr.shape) != (n,):
            raise ValueError("p must be None or a 1D vector with the same size as a.shape[axis]. "
                             f"p has shape {tuple(p_arr.shape)} and a.shape[axis] is {n}.")
        if replace:
            cdf = jnp.cumsum(p_arr)
            r = cdf[-1] * (1 - _uniform(data, shape, cdf.dtype, 0.0, 1.0))
            # (a binary search, as JAX's: for a p with negative entries a count of cdf < r would differ)
            ind = jnp.searchsorted(cdf, r).astype(dtypes.canonicalize_dtype(int))
        else:
            g = _gumbel(data, (n,), p_arr.dtype, mode or "low") + _log(p_arr)
            ind = misc.convert_element_type(_top_k_indices(g, k), dtypes.canonicalize_dtype(int))
        result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis=axis)
    out_shape = shape if arr.ndim == 0 else tuple(arr.shape[:axis]) + shape + tuple(arr.shape[axis + 1:])
    return jnp.reshape(result, out_shape)


def categorical(key, logits, axis: int = -1, shape=None, replace: bool = True, mode=None):
    """Samples of the category index along `axis` with probabilities softmax(logits)
    (the Gumbel-max trick). `shape` defaults to logits' shape without `axis`."""
    data = _key("categorical", key)
    logits = jnp.asarray(logits)
    if logits.ndim == 0:
        raise ValueError("random.categorical: logits must have rank >= 1")
    ax = checked_axis("random.categorical", axis, logits.ndim, IndexError)
    batch_shape = tuple(d for i, d in enumerate(logits.shape) if i != ax)
    shape = batch_shape if shape is None else canonical_shape("categorical", shape)
    _check_shape("categorical", shape, batch_shape)
    dtype = logits.dtype if dtypes.is_float(logits.dtype) else dtypes.canonicalize_dtype(float)
    prefix = shape[:len(shape) - len(batch_shape)]
    if replace:
        neg_ax = ax - logits.ndim
        noise_shape = list(shape[len(prefix):])
        noise_shape.insert(neg_ax % logits.ndim, logits.shape[ax])
        noise = _gumbel(data, prefix + tuple(noise_shape), dtype, mode or "low")
        expanded = jnp.reshape(logits, (1,) * len(prefix) + tuple(logits.shape))
        return jnp.argmax(noise + expanded, axis=neg_ax)
    perturbed = logits + _gumbel(data, tuple(logits.shape), dtype, mode or "low")
    k = math.prod(prefix)
    if k > logits.shape[ax]:
        raise ValueError(f"Number of samples without replacement ({k}) cannot exceed number of "
                         f"categories ({logits.shape[ax]}).")
    moved = jnp.reshape(jnp.moveaxis(perturbed, ax, -1), (-1, logits.shape[ax]))
    top = jnp.stack([_top_k_indices(row, k) for row in moved]) if moved.shape[0] else None
    top = jnp.reshape(top, batch_shape + (k,))
    return jnp.reshape(jnp.moveaxis(top, -1, 0), shape).astype(dtypes.canonicalize_dtype(int))


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
    "logistic", "cauchy", "pareto", "weibull_min", "rayleigh", "maxwell", "orthogonal", "threefry_2x32",
]
