"""jnp's remaining elementwise math: gcd, lcm, frexp, ldexp, modf, spacing, i0, nan_to_num,
bitwise_count, iscomplex/isreal(obj), and the window functions (hanning, hamming, blackman,
bartlett, kaiser).

All are written on existing lax/jnp operations. frexp finds the exponent from log2 and
corrects it by one where rounding misled it; mantissas are scaled by exact powers of two
(exp2 of integers, split in two factors so that no factor overflows), so subnormals
follow NumPy (XLA's CPU backend flushes them). gcd is a Euclid lax.while_loop, as in JAX.
"""
from __future__ import annotations

import operator

import numpy as np

from .. import dtypes
from ..control_flow import while_loop
from ..core import Tracer
from ..custom_derivatives import custom_jvp
from ..primitives import elementwise as ew
from ..primitives import misc, special
from . import creation as cr
from . import reductions as jred
from . import shape as jsh
from . import ufuncs as uf
from .promotion import as_array, check_arraylike, promote_args, promote_args_inexact

# ------------------------------------------------------------------------ gcd and lcm


def _integer_pair(fname: str, x1, x2):
    check_arraylike(fname, x1, x2)
    x1, x2 = promote_args(fname, x1, x2)
    if x1.dtype.kind not in "iu":
        raise ValueError(f"jnp.{fname}: arguments must be integers, got dtype {x1.dtype}")
    return uf.abs(x1), uf.abs(x2)


def _euclid(pair):
    a, b = pair
    nonzero = b != 0
    return jsh.where(nonzero, b, a), jsh.where(nonzero, uf.fmod(a, jsh.where(nonzero, b, 1)), 0)


def gcd(x1, x2):
    """jnp.gcd: the greatest common divisor of |x1| and |x2| (integers; gcd(0, 0) = 0)."""
    a, b = jsh.broadcast_arrays(*_integer_pair("gcd", x1, x2))
    return while_loop(lambda pair: jred.any(pair[1] != 0), _euclid, (a, b))[0]


def lcm(x1, x2):
    """jnp.lcm: the least common multiple of |x1| and |x2| (0 if either is 0)."""
    a, b = _integer_pair("lcm", x1, x2)
    d = gcd(a, b)
    return jsh.where(d == 0, 0, a * uf.floor_divide(b, jsh.where(d == 0, 1, d)))


# -------------------------------------------------------------- floating-point anatomy


def _pow2(k, dtype):
    """2**k for integer-valued k, exactly, as two factors 2**(k//2) * 2**(k - k//2) so that
    neither overflows even where 2**k itself would not be representable."""
    k = misc.convert_element_type(k, dtype)
    half = uf.floor(ew.mul(k, 0.5))
    return special.exp2(half), special.exp2(ew.sub(k, half))


def _real_inexact(fname: str, x, error: type[Exception]):
    check_arraylike(fname, x)
    (x,) = promote_args_inexact(fname, x)
    if x.dtype.kind == "c":
        raise error(f"jnp.{fname} does not support complex-valued inputs")
    return x


def _frexp(x):
    special_value = uf.logical_or(uf.logical_or(uf.isinf(x), uf.isnan(x)), x == 0)
    safe = misc.stop_gradient(uf.abs(jsh.where(special_value, 1, x)))
    e = ew.add(uf.floor(uf.log2(safe)), 1.0)  # |x| = m * 2**e with m in [0.5, 1), up to one step
    f1, f2 = _pow2(ew.neg(e), x.dtype)
    m = ew.mul(ew.mul(uf.abs(safe), f1), f2)
    up, down = m >= 1, m < 0.5
    e = jsh.where(up, e + 1, jsh.where(down, e - 1, e))
    f1, f2 = _pow2(ew.neg(e), x.dtype)
    mant = ew.mul(ew.mul(x, f1), f2)  # (x times an exact power of two: its derivative is that power)
    exp = misc.convert_element_type(jsh.where(special_value, 0, e), np.int32)
    return jsh.where(special_value, x, mant), exp


def frexp(x, /):
    """jnp.frexp: (mantissa, exponent) with x = m * 2**e, 0.5 <= |m| < 1 (m = x, e = 0 for
    0, inf and NaN); e is int32."""
    return _frexp(_real_inexact("frexp", x, TypeError))


def ldexp(x1, x2, /):
    """jnp.ldexp: x1 * 2**x2 for integer x2, without intermediate overflow or underflow."""
    check_arraylike("ldexp", x1, x2)
    a, k = as_array(x1), as_array(x2)
    if a.dtype.kind == "c" or dtypes.is_inexact(k.dtype):
        raise ValueError(f"jnp.ldexp: not supported for input types {(a.dtype, k.dtype)}")
    (a,) = promote_args_inexact("ldexp", a)
    m, e = _frexp(a)
    limit = 4 * (np.finfo(a.dtype).maxexp + np.finfo(a.dtype).nmant)  # (beyond it the result is 0 or inf)
    k = misc.convert_element_type(uf.clip(k, -limit, limit), np.int32)
    f1, f2 = _pow2(ew.add(e, k), a.dtype)
    out = ew.mul(ew.mul(m, f1), f2)
    out = jsh.where(uf.logical_or(uf.isinf(a), a == 0), a, out)
    return misc.convert_element_type(out, out.dtype)  # (strongly typed, as JAX's)


def modf(x, /, out=None):
    """jnp.modf: (fractional part, integral part), both with x's sign."""
    if out is not None:
        raise NotImplementedError("jnp.modf: the 'out' argument is not supported; use the returned values")
    check_arraylike("modf", x)
    (x,) = promote_args_inexact("modf", x)
    whole = jsh.where(x >= 0, uf.floor(x), uf.ceil(x))
    return x - whole, whole


def spacing(x, /):
    """jnp.spacing: the distance from x to the next representable number away from zero
    (for float16 toward +inf, as NumPy); not differentiable (nextafter has no derivative)."""
    x = _real_inexact("spacing", x, ValueError)
    inf = np.array(np.inf, x.dtype)
    if x.dtype == np.float16:
        return uf.nextafter(x, inf) - x
    r = uf.nextafter(x, uf.copysign(inf, x)) - x
    return jsh.where(r == 0, uf.copysign(np.array(np.finfo(x.dtype).smallest_subnormal, x.dtype), x), r)


def _i0_value(x):
    ax = uf.abs(x)
    return ew.mul(ew.exp(ax), special.bessel_i0e(ax))


_i0 = custom_jvp(_i0_value)


@_i0.defjvp
def _i0_jvp(primals, tangents):
    """I0' = I1 = sign(x) exp(|x|) i1e(|x|): 0 at 0 (the plain rule would read |x|' = 1 there)."""
    (x,), (t,) = primals, tangents
    ax = uf.abs(x)
    return _i0(x), ew.mul(t, ew.mul(ew.sign(x), ew.mul(ew.exp(ax), special.bessel_i1e(ax))))


def i0(x):
    """jnp.i0: the modified Bessel function of the first kind, order 0 (real input),
    exp(|x|) * i0e(|x|); its derivative is I1 (0 at 0, as JAX's)."""
    check_arraylike("i0", x)
    (x,) = promote_args_inexact("i0", x)
    if x.dtype.kind == "c":
        raise ValueError(f"jnp.i0: unsupported input type {x.dtype}")
    return _i0(x)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """jnp.nan_to_num: NaN -> `nan`, +inf -> `posinf` (default the largest finite value),
    -inf -> `neginf` (default the most negative); complex parts separately."""
    del copy  # (arrays are immutable: there is never a copy to avoid)
    check_arraylike("nan_to_num", x)
    x = as_array(x)
    if not dtypes.is_inexact(x.dtype):
        return x
    if x.dtype.kind == "c":
        def part(p):
            return nan_to_num(p, nan=nan, posinf=posinf, neginf=neginf)
        return ew.complex(part(ew.real(x)), part(ew.imag(x)))
    info = np.finfo(x.dtype)
    out = jsh.where(uf.isnan(x), cr.asarray(nan, dtype=x.dtype), x)
    out = jsh.where(uf.isposinf(out), cr.asarray(info.max if posinf is None else posinf, dtype=x.dtype), out)
    return jsh.where(uf.isneginf(out), cr.asarray(info.min if neginf is None else neginf, dtype=x.dtype), out)


def bitwise_count(x, /):
    """jnp.bitwise_count: the number of 1 bits in |x|, as uint8 (integers and bools)."""
    check_arraylike("bitwise_count", x)
    x = as_array(x)
    if x.dtype == np.bool_:
        x = misc.convert_element_type(x, np.uint8)
    if x.dtype.kind not in "iu":
        raise TypeError(f"jnp.bitwise_count: accepts integer or bool dtypes, got {x.dtype}")
    return misc.convert_element_type(ew.population_count(uf.abs(x)), np.uint8)


# --------------------------------------------------------------- complex or real tests


def iscomplex(x):
    """jnp.iscomplex: True where the imaginary part is nonzero."""
    check_arraylike("iscomplex", x)
    return uf.imag(x) != 0


def isreal(x):
    """jnp.isreal: True where the imaginary part is zero."""
    check_arraylike("isreal", x)
    return uf.imag(x) == 0


def iscomplexobj(x) -> bool:
    """jnp.iscomplexobj: whether x has a complex dtype (whatever its values)."""
    if x is None:
        return False
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        dtype = np.asarray(x).dtype
    return np.dtype(dtype).kind == "c"


def isrealobj(x) -> bool:
    """jnp.isrealobj: not jnp.iscomplexobj(x)."""
    return not iscomplexobj(x)


# --------------------------------------------------------------------- window functions


def _window_length(fname: str, M) -> int:
    if isinstance(M, Tracer):
        M = M._concrete(f"jnp.{fname}: the M argument (the window length must be known when tracing)")
    try:
        M = operator.index(M) if not isinstance(M, float) else int(M)
    except TypeError:
        raise TypeError(f"jnp.{fname}: M must be an integer, got {M!r}") from None
    if M < 0:
        raise TypeError(f"jnp.{fname}: the window length M must be nonnegative, got {M}")
    return M


def _window(fname: str, M, shape_fn):
    """`shape_fn(n, M)` on n = 0..M-1 in the default float dtype (ones for M <= 1)."""
    M = _window_length(fname, M)
    dtype = dtypes.default_float_dtype()
    if M <= 1:
        return cr.ones((M,), dtype)
    return shape_fn(cr.arange(M, dtype=dtype), M)


def _cosine_sum(*coeffs):
    """The window sum_k (-1)**k coeffs[k] * cos(2 pi k n / (M - 1))."""
    def fn(n, M):
        out = coeffs[0]
        for k, c in enumerate(coeffs[1:], 1):
            out = out + (-1) ** k * c * uf.cos(2 * k * np.pi * n / (M - 1))
        return out
    return fn


def hanning(M):
    """jnp.hanning: the Hann window, 0.5 - 0.5 cos(2 pi n / (M - 1))."""
    return _window("hanning", M, _cosine_sum(0.5, 0.5))


def hamming(M):
    """jnp.hamming: the Hamming window, 0.54 - 0.46 cos(2 pi n / (M - 1))."""
    return _window("hamming", M, _cosine_sum(0.54, 0.46))


def blackman(M):
    """jnp.blackman: the Blackman window, 0.42 - 0.5 cos(2 pi n/(M-1)) + 0.08 cos(4 pi n/(M-1))."""
    return _window("blackman", M, _cosine_sum(0.42, 0.5, 0.08))


def bartlett(M):
    """jnp.bartlett: the triangular window, 1 - |2n + 1 - M| / (M - 1)."""
    return _window("bartlett", M, lambda n, M: 1 - uf.abs(2 * n + 1 - M) / (M - 1))


def kaiser(M, beta):
    """jnp.kaiser: the Kaiser window, i0(beta sqrt(1 - ((n - a)/a)**2)) / i0(beta), a = (M-1)/2."""
    check_arraylike("kaiser", beta)

    def fn(n, M):
        alpha = 0.5 * (M - 1)
        return i0(beta * uf.sqrt(1 - ((n - alpha) / alpha) ** 2)) / i0(beta)
    return _window("kaiser", M, fn)


__all__ = [
    "gcd", "lcm", "frexp", "ldexp", "modf", "spacing", "i0", "nan_to_num", "bitwise_count",
    "iscomplex", "isreal", "iscomplexobj", "isrealobj", "hanning", "hamming", "blackman", "bartlett", "kaiser",
]

METHODS: dict = {}
