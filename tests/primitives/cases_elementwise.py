"""Cases for the elementwise and special-function primitives (elementwise.py, special.py)."""
import numpy as np
import scipy.special as sps

from nablax import lax
from nablax._src.primitives import elementwise as ew
from nablax._src.primitives import special as sp

from .case import Case, positive, randn, rng


def crandn(*shape, seed: int = 0):
    g = rng(seed)
    return g.standard_normal(shape) + 1j * g.standard_normal(shape)


def uniform(lo, hi, *shape, seed: int = 0):
    return rng(seed).uniform(lo, hi, shape)


def cuniform(lo, hi, *shape, seed: int = 0):
    g = rng(seed)
    return g.uniform(lo, hi, shape) + 1j * g.uniform(lo, hi, shape)


def i32(*values):
    return np.array(values, np.int32)


# Values away from integers and from the ties of rounding (finite differences stay exact).
OFF_GRID = np.array([0.3, -1.7, 2.2, -0.4, 3.6])
TIES = np.array([0.5, -0.5, 1.5, 2.5, -2.5, 0.3, -1.7])
BITS_X = i32(5, -7, 2**30 + 3, -1, 0, 12345)
BITS_Y = i32(1, 3, 1, 31, 4, 40)


def _shift_ref(x, y, op):
    bits = x.dtype.itemsize * 8
    out = []
    for a, b in zip(x.tolist(), y.tolist()):
        out.append(op(a, b, bits))
    return np.array(out, np.int64).astype(x.dtype)


def _shl(a, b, bits):
    return ((a << b) & (2**bits - 1)) if 0 <= b < bits else 0


def _shr_logical(a, b, bits):
    return ((a & (2**bits - 1)) >> b) if 0 <= b < bits else 0


def _shr_arith(a, b, bits):
    return a >> min(max(b, 0), bits - 1) if b >= 0 else a >> (bits - 1)


def _wrap_signed(ref):
    """Reference results computed on Python ints, wrapped to the operand's (signed) dtype."""

    def f(x, y):
        out = ref(x, y)
        bits = x.dtype.itemsize * 8
        u = out.astype(np.int64) & (2**bits - 1)
        return np.where(u >= 2 ** (bits - 1), u - 2**bits, u).astype(x.dtype)

    return f


def _round_away(x, rounding_method):
    if rounding_method == 1:
        return np.rint(x)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _int_pow_ref(x, y):
    return np.array([a ** b if b >= 0 else (1 if a == 1 else (-1) ** (-b) if a == -1 else 0)
                     for a, b in zip(x.tolist(), y.tolist())], x.dtype)


CASES = [
    # ---------------------------------------------------------------- arithmetic
    Case(ew.add_p, (randn(3), randn(3, seed=1)), reference=np.add),
    Case(ew.add_p, (randn(2, 3), randn(3, seed=1)), reference=np.add, name="broadcast"),
    Case(ew.add_p, (crandn(3), crandn(3, seed=1)), reference=np.add, name="complex"),
    Case(ew.add_p, (i32(1, -2, 3), i32(4, 5, -6)), reference=np.add, name="int"),
    Case(ew.sub_p, (randn(3), randn(3, seed=1)), reference=np.subtract),
    Case(ew.mul_p, (randn(2, 3), randn(2, 3, seed=1)), reference=np.multiply),
    Case(ew.mul_p, (randn(2, 3), randn(1, seed=1)), reference=np.multiply, name="broadcast"),
    Case(ew.mul_p, (crandn(2, 3), crandn(3, seed=1)), reference=np.multiply, name="complex"),
    Case(ew.div_p, (randn(3), randn(3, seed=1) + 3.0), reference=np.divide),
    Case(ew.div_p, (crandn(3), crandn(3, seed=1) + 3.0), reference=np.divide, name="complex"),
    Case(ew.div_p, (i32(7, -7, 7, -7, 0), i32(2, 2, -2, -2, 3)), reference=lambda x, y: np.trunc(x / y).astype(x.dtype),
         name="int"),
    Case(ew.neg_p, (randn(3),), reference=np.negative),
    Case(ew.rem_p, (np.array([2.3, -1.7, 5.1, -4.4]), np.array([0.9, 1.3, -2.2, 1.5])), reference=np.fmod),
    Case(ew.rem_p, (i32(7, -7, 9, -3), i32(3, 3, -4, 2)), reference=np.fmod, name="int"),
    Case(ew.pow_p, (positive(4), randn(4, seed=1)), reference=np.power),
    Case(ew.pow_p, (positive(2, 3), randn(3, seed=1)), reference=np.power, name="broadcast"),
    Case(ew.pow_p, (cuniform(0.5, 1.5, 4), crandn(4, seed=1) * 0.5), reference=np.power, name="complex"),
    Case(ew.pow_p, (i32(2, -3, 5, 1, -1, -1, 2), i32(3, 3, 0, -2, -3, -2, -1)), reference=_int_pow_ref, name="int"),
    Case(ew.integer_pow_p, (randn(4),), {"y": 3}, reference=lambda x, y: x ** y),
    Case(ew.integer_pow_p, (positive(4),), {"y": -2}, reference=lambda x, y: x ** float(y), name="negative"),
    Case(ew.square_p, (randn(4),), reference=np.square),
    Case(ew.square_p, (crandn(4),), reference=np.square, name="complex"),
    Case(ew.square_p, (i32(3, -4, 0),), reference=np.square, name="int"),
    Case(ew.abs_p, (randn(5),), reference=np.abs),
    Case(ew.abs_p, (crandn(5),), reference=np.abs, name="complex"),
    Case(ew.abs_p, (i32(3, -4, 0),), reference=np.abs, name="int"),
    Case(ew.sign_p, (randn(5),), reference=np.sign),
    Case(ew.sign_p, (np.array([0.0, -0.0, 2.0, -3.0, np.nan]),), reference=np.sign, name="special", order=0),
    Case(ew.sign_p, (np.append(crandn(3), 0j),), reference=lambda z: z / np.where(z == 0, 1, np.abs(z)),
         name="complex", order=0),
    Case(ew.sign_p, (i32(3, -4, 0),), reference=np.sign, name="int"),
    Case(ew.max_p, (randn(4), randn(4, seed=1)), reference=np.maximum),
    Case(ew.min_p, (randn(4), randn(4, seed=1)), reference=np.minimum),
    Case(ew.clamp_p, (np.float64(-0.5), randn(6), np.float64(0.7)), reference=np.clip),
    Case(ew.clamp_p, (randn(6) - 0.5, randn(6, seed=1), randn(6, seed=2) + 0.5), reference=np.clip, name="arrays"),
    Case(ew.clamp_p, (i32(0), i32(-3, 1, 5, 2), i32(3)), reference=np.clip, name="int"),
    # ----------------------------------------------------------------- rounding
    Case(sp.floor_p, (OFF_GRID,), reference=np.floor),
    Case(sp.ceil_p, (OFF_GRID,), reference=np.ceil),
    Case(sp.round_p, (OFF_GRID,), {"rounding_method": 0}, reference=_round_away),
    Case(sp.round_p, (TIES,), {"rounding_method": 0}, reference=_round_away, name="ties_away", order=0),
    Case(sp.round_p, (TIES,), {"rounding_method": 1}, reference=_round_away, name="ties_even", order=0),
    Case(sp.nextafter_p, (randn(4), randn(4, seed=1)), reference=np.nextafter, order=0),
    Case(sp.is_finite_p, (np.array([1.0, np.inf, -np.inf, np.nan, -2.0]),), reference=np.isfinite, order=0),
    # ----------------------------------------------------------- comparisons, select
    Case(ew.gt_p, (randn(4), randn(4, seed=1)), reference=np.greater, order=0),
    Case(ew.lt_p, (randn(4), randn(4, seed=1)), reference=np.less, order=0),
    Case(ew.ge_p, (randn(4), randn(4, seed=1)), reference=np.greater_equal, order=0),
    Case(ew.le_p, (randn(4), randn(4, seed=1)), reference=np.less_equal, order=0),
    Case(ew.eq_p, (randn(4), randn(4, seed=1)), reference=np.equal, order=0),
    Case(ew.ne_p, (randn(4), randn(4, seed=1)), reference=np.not_equal, order=0),
    Case(ew.eq_p, (crandn(4), crandn(4, seed=1)), reference=np.equal, order=0, name="complex"),
    Case(ew.select_n_p, (randn(4) > 0, randn(4, seed=1), randn(4, seed=2)),
         reference=lambda p, a, b: np.where(p, b, a)),
    # ----------------------------------------------------------- bitwise, logical
    Case(ew.and_p, (randn(5) > 0, randn(5, seed=1) > 0), reference=np.logical_and, order=0, name="bool"),
    Case(ew.and_p, (BITS_X, BITS_Y), reference=np.bitwise_and, order=0),
    Case(ew.or_p, (randn(5) > 0, randn(5, seed=1) > 0), reference=np.logical_or, order=0, name="bool"),
    Case(ew.or_p, (BITS_X, BITS_Y), reference=np.bitwise_or, order=0),
    Case(ew.xor_p, (randn(5) > 0, randn(5, seed=1) > 0), reference=np.logical_xor, order=0, name="bool"),
    Case(ew.xor_p, (BITS_X.astype(np.uint8), BITS_Y.astype(np.uint8)), reference=np.bitwise_xor, order=0),
    Case(ew.not_p, (randn(5) > 0,), reference=np.logical_not, order=0, name="bool"),
    Case(ew.not_p, (BITS_X,), reference=np.invert, order=0),
    Case(ew.shift_left_p, (BITS_X, BITS_Y), reference=_wrap_signed(lambda x, y: _shift_ref(x, y, _shl)), order=0),
    Case(ew.shift_left_p, (BITS_X, -BITS_Y), reference=lambda x, y: np.zeros_like(x), order=0, name="negative"),
    Case(ew.shift_right_logical_p, (BITS_X, BITS_Y), reference=_wrap_signed(lambda x, y: _shift_ref(x, y, _shr_logical)),
         order=0),
    Case(ew.shift_right_logical_p, (BITS_X.view(np.uint32), BITS_Y.view(np.uint32)),
         reference=lambda x, y: _shift_ref(x, y, _shr_logical), order=0, name="uint"),
    Case(ew.shift_right_arithmetic_p, (BITS_X, BITS_Y), reference=lambda x, y: _shift_ref(x, y, _shr_arith), order=0),
    Case(ew.population_count_p, (BITS_X,),
         reference=lambda x: np.array([bin(v & 0xFFFFFFFF).count("1") for v in x.tolist()], x.dtype), order=0),
    Case(ew.population_count_p, (BITS_X.astype(np.uint8),),
         reference=lambda x: np.array([bin(v).count("1") for v in x.tolist()], x.dtype), order=0, name="uint8"),
    # ------------------------------------------------------------------- complex
    Case(ew.real_p, (crandn(2, 3),), reference=np.real),
    Case(ew.imag_p, (crandn(2, 3),), reference=np.imag),
    Case(ew.conj_p, (crandn(2, 3),), reference=np.conj),
    Case(ew.complex_p, (randn(2, 3), randn(3, seed=1)), reference=lambda x, y: x + 1j * y),
    # ------------------------------------------------------------ transcendental
    Case(ew.sin_p, (randn(4),), reference=np.sin),
    Case(ew.sin_p, (crandn(4),), reference=np.sin, name="complex"),
    Case(ew.cos_p, (randn(4),), reference=np.cos),
    Case(ew.exp_p, (randn(4),), reference=np.exp),
    Case(ew.exp_p, (crandn(4),), reference=np.exp, name="complex"),
    Case(ew.log_p, (np.abs(randn(4)) + 0.5,), reference=np.log),
    Case(ew.log_p, (cuniform(0.5, 2.0, 4),), reference=np.log, name="complex"),
    Case(ew.tanh_p, (randn(4),), reference=np.tanh),
    Case(sp.exp2_p, (randn(4),), reference=np.exp2),
    Case(sp.exp2_p, (crandn(4),), reference=np.exp2, name="complex"),
    Case(sp.log1p_p, (uniform(-0.5, 2.0, 4),), reference=np.log1p),
    Case(sp.log1p_p, (cuniform(0.0, 1.0, 4),), reference=np.log1p, name="complex"),
    Case(sp.expm1_p, (randn(4),), reference=np.expm1),
    Case(sp.expm1_p, (crandn(4),), reference=np.expm1, name="complex"),
    Case(sp.sqrt_p, (positive(4),), reference=np.sqrt),
    Case(sp.sqrt_p, (cuniform(0.5, 2.0, 4),), reference=np.sqrt, name="complex"),
    Case(sp.rsqrt_p, (positive(4),), reference=lambda x: 1 / np.sqrt(x)),
    Case(sp.rsqrt_p, (cuniform(0.5, 2.0, 4),), reference=lambda x: 1 / np.sqrt(x), name="complex"),
    Case(sp.cbrt_p, (np.array([0.7, -1.3, 2.9, -0.4]),), reference=np.cbrt),
    Case(sp.tan_p, (uniform(-1.0, 1.0, 4),), reference=np.tan),
    Case(sp.tan_p, (cuniform(-0.7, 0.7, 4),), reference=np.tan, name="complex"),
    Case(sp.asin_p, (uniform(-0.7, 0.7, 4),), reference=np.arcsin),
    Case(sp.asin_p, (cuniform(-0.7, 0.7, 4),), reference=np.arcsin, name="complex"),
    Case(sp.acos_p, (uniform(-0.7, 0.7, 4),), reference=np.arccos),
    Case(sp.acos_p, (cuniform(-0.7, 0.7, 4),), reference=np.arccos, name="complex"),
    Case(sp.atan_p, (randn(4),), reference=np.arctan),
    Case(sp.atan_p, (cuniform(-0.7, 0.7, 4),), reference=np.arctan, name="complex"),
    Case(sp.atan2_p, (randn(5), randn(5, seed=1)), reference=np.arctan2),
    Case(sp.sinh_p, (randn(4),), reference=np.sinh),
    Case(sp.sinh_p, (crandn(4),), reference=np.sinh, name="complex"),
    Case(sp.cosh_p, (randn(4),), reference=np.cosh),
    Case(sp.cosh_p, (crandn(4),), reference=np.cosh, name="complex"),
    Case(sp.asinh_p, (randn(4),), reference=np.arcsinh),
    Case(sp.asinh_p, (cuniform(-0.7, 0.7, 4),), reference=np.arcsinh, name="complex"),
    Case(sp.acosh_p, (positive(4) + 1.0,), reference=np.arccosh),
    Case(sp.acosh_p, (cuniform(1.5, 2.5, 4),), reference=np.arccosh, name="complex"),
    Case(sp.atanh_p, (uniform(-0.7, 0.7, 4),), reference=np.arctanh),
    Case(sp.atanh_p, (cuniform(-0.5, 0.5, 4),), reference=np.arctanh, name="complex"),
    Case(sp.logistic_p, (randn(4) * 2,), reference=sps.expit),
    Case(sp.logistic_p, (crandn(4),), reference=lambda z: 1 / (1 + np.exp(-z)), name="complex"),
    # ------------------------------------------------------------------- special
    Case(sp.erf_p, (randn(4),), reference=sps.erf),
    Case(sp.erfc_p, (randn(4),), reference=sps.erfc),
    Case(sp.erf_inv_p, (uniform(-0.7, 0.7, 4),), reference=sps.erfinv),
    Case(sp.bessel_i0e_p, (np.array([-3.0, -0.4, 0.3, 2.5, 30.0]),), reference=sps.i0e),
    Case(sp.bessel_i1e_p, (np.array([-3.0, -0.4, 0.3, 2.5, 30.0]),), reference=sps.i1e),
    Case(sp.lgamma_p, (np.array([0.6, 1.7, 3.2, -0.4, -2.6]),), reference=sps.gammaln),
    Case(sp.digamma_p, (np.array([0.6, 1.7, 3.2, -0.4, -2.6]),), reference=sps.psi),
    Case(sp.polygamma_p, (positive(4),), {"m": 1}, reference=lambda x, m: sps.polygamma(m, x)),
    Case(sp.polygamma_p, (positive(4),), {"m": 3}, reference=lambda x, m: sps.polygamma(m, x), name="m3"),
]

# Misuse: eager and jit raise the same class (test_rules.py). Through the public lax
# functions, which check JAX's dtype and shape rules before binding.
_F3, _F4, _I3, _B3 = np.ones(3), np.ones(4), i32(1, 2, 3), np.ones(3, bool)
BAD_CASES = [
    Case(ew.add_p, (_F3, _I3), bind=lax.add, name="dtypes"),
    Case(ew.add_p, (_F3, _F4), bind=lax.add, name="shapes"),
    Case(ew.mul_p, (_F3, np.ones((2, 3))), bind=lax.mul, name="rank"),
    Case(ew.sin_p, (_I3,), bind=lax.sin, name="int"),
    Case(sp.bessel_i1e_p, (_I3,), bind=lax.bessel_i1e, name="int"),
    Case(ew.neg_p, (_B3,), bind=lax.neg, name="bool"),
    Case(ew.and_p, (_F3, _F3), bind=lax.bitwise_and, name="float"),
    Case(ew.shift_left_p, (_F3, _F3), bind=lax.shift_left, name="float"),
    Case(ew.select_n_p, (_F3, _F3, _F3), bind=lax.select_n, name="float-selector"),
    Case(ew.select_n_p, (_B3, _F3, _F4), bind=lax.select_n, name="case-shapes"),
    Case(ew.select_n_p, (_B3, _F3, _I3), bind=lax.select_n, name="case-dtypes"),
    Case(ew.integer_pow_p, (_I3,), {"y": -1}, bind=lax.integer_pow, name="negative-int"),
    Case(ew.integer_pow_p, (_B3,), {"y": 2}, bind=lax.integer_pow, name="bool"),
    Case(ew.clamp_p, (np.zeros(2), _F3, np.float64(1.0)), bind=lax.clamp, name="bound-shape"),
    Case(ew.clamp_p, (np.float32(0.0), _F3, np.float64(1.0)), bind=lax.clamp, name="dtypes"),
    Case(ew.complex_p, (_I3, _I3), bind=lax.complex, name="int"),
    Case(ew.real_p, (_F3,), bind=lax.real, name="float"),
    Case(ew.rem_p, (_B3, _B3), bind=lax.rem, name="bool"),
    Case(sp.nextafter_p, (_F3, _I3), bind=lax.nextafter, name="dtypes"),
]
