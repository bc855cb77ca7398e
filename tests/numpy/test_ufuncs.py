"""nablax.numpy elementwise functions against NumPy: values, dtypes, weak types, operators, errors, grads."""
from __future__ import annotations

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads

RNG = np.random.default_rng(0)
F32 = RNG.standard_normal(6).astype(np.float32)
POS32 = RNG.uniform(0.5, 2.0, 6).astype(np.float32)
UNIT32 = RNG.uniform(-0.8, 0.8, 6).astype(np.float32)
C64 = (RNG.standard_normal(4) + 1j * RNG.standard_normal(4)).astype(np.complex64)
I32 = np.array([7, -7, 5, -5, 0, 12], np.int32)
J32 = np.array([2, 2, -3, -3, 4, 5], np.int32)


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


def close(actual, expected, rtol=2e-6, atol=1e-6, dtype=None):
    a = np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    assert a.dtype == (np.dtype(dtype) if dtype is not None else e.dtype), (a.dtype, e.dtype)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


# ------------------------------------------------------------------------ unary


UNARY = [
    ("sqrt", POS32), ("cbrt", F32), ("exp", F32), ("exp2", F32), ("expm1", F32), ("log", POS32),
    ("log2", POS32), ("log10", POS32), ("log1p", POS32), ("sin", F32), ("cos", F32), ("tan", UNIT32),
    ("arcsin", UNIT32), ("arccos", UNIT32), ("arctan", F32), ("sinh", F32), ("cosh", F32), ("tanh", F32),
    ("arcsinh", F32), ("arccosh", POS32 + 1), ("arctanh", UNIT32), ("deg2rad", F32), ("rad2deg", F32),
    ("radians", F32), ("degrees", F32), ("reciprocal", POS32), ("square", F32), ("abs", F32),
    ("absolute", F32), ("fabs", F32), ("sign", F32), ("negative", F32), ("positive", F32), ("floor", F32 * 3),
    ("ceil", F32 * 3), ("trunc", F32 * 3), ("fix", F32 * 3), ("rint", F32 * 3), ("sinc", F32), ("signbit", F32),
    ("isnan", F32), ("isinf", F32), ("isfinite", F32), ("real", F32), ("imag", F32), ("conjugate", F32),
    ("angle", F32),
]


@pytest.mark.parametrize("name,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_float32(name, x):
    close(getattr(jnp, name)(jnp.asarray(x)), getattr(np, name)(x), rtol=5e-6)


@pytest.mark.parametrize("name", ["sqrt", "exp", "log1p", "sin", "arctan", "exp2", "sinc", "cbrt", "deg2rad"])
def test_integer_input_promotes_to_default_float(name):
    x = np.array([1, 2, 3], np.int32)
    close(getattr(jnp, name)(jnp.asarray(x)), getattr(np, name)(x).astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("name", ["sqrt", "exp", "sin", "log2", "rint"])
def test_x64_integer_input_gives_float64(name, x64):
    x = np.array([1, 2, 3], np.int64)
    close(getattr(jnp, name)(jnp.asarray(x)), getattr(np, name)(x), rtol=1e-12)


@pytest.mark.parametrize("name", ["sqrt", "exp", "log", "sin", "tan", "arcsinh", "tanh", "square", "abs", "sign",
                                  "real", "imag", "conjugate", "angle", "isfinite", "isinf", "isnan", "log10"])
def test_unary_complex(name):
    z = C64 if name != "log10" else C64 + 3
    close(getattr(jnp, name)(jnp.asarray(z)), getattr(np, name)(z), rtol=1e-5)


def test_unary_specials():
    v = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0], np.float32)
    for name in ("isnan", "isinf", "isfinite", "signbit", "isposinf", "isneginf", "sign", "abs"):
        np.testing.assert_array_equal(getattr(jnp, name)(jnp.asarray(v)), getattr(np, name)(v), err_msg=name)
    zc = np.array([complex(np.inf, 0), complex(0, np.nan), 1 + 1j], np.complex64)
    for name in ("isnan", "isinf", "isfinite"):
        np.testing.assert_array_equal(getattr(jnp, name)(jnp.asarray(zc)), getattr(np, name)(zc), err_msg=name)
    np.testing.assert_array_equal(jnp.isfinite(jnp.asarray(I32)), np.ones(6, bool))
    np.testing.assert_array_equal(jnp.signbit(jnp.asarray(I32)), np.signbit(I32))


def test_integer_abs_sign_square_keep_dtype():
    for name in ("abs", "sign", "square", "negative", "floor", "ceil", "trunc", "fix", "real", "conjugate"):
        out = getattr(jnp, name)(jnp.asarray(I32))
        assert out.dtype == np.int32, name
        np.testing.assert_array_equal(out, getattr(np, name)(I32).astype(np.int32), err_msg=name)
    u = np.array([0, 3, 250], np.uint8)
    assert jnp.abs(jnp.asarray(u)).dtype == np.uint8


# ----------------------------------------------------------------------- binary


BINARY = [
    ("add", F32, POS32), ("subtract", F32, POS32), ("multiply", F32, POS32), ("divide", F32, POS32),
    ("true_divide", F32, POS32), ("power", POS32, F32), ("float_power", POS32, F32), ("arctan2", F32, POS32 - 1),
    ("hypot", F32, POS32 - 1), ("logaddexp", F32, POS32), ("logaddexp2", F32, POS32), ("maximum", F32, POS32 - 1),
    ("minimum", F32, POS32 - 1), ("fmax", F32, POS32 - 1), ("fmin", F32, POS32 - 1), ("copysign", F32, POS32 - 1),
    ("nextafter", F32, POS32), ("heaviside", F32, POS32), ("fmod", F32 * 4, POS32 - 1),
    ("remainder", F32 * 4, POS32 - 1), ("mod", F32 * 4, POS32 - 1), ("floor_divide", F32 * 4, POS32 - 1),
]


@pytest.mark.parametrize("name,x,y", BINARY, ids=[b[0] for b in BINARY])
def test_binary_float32(name, x, y):
    # float_power: NumPy always computes in float64; JAX (and nablax) keep the promoted float32.
    dtype = np.float32 if name == "float_power" else None
    close(getattr(jnp, name)(jnp.asarray(x), jnp.asarray(y)), getattr(np, name)(x, y), rtol=1e-5, atol=1e-5,
          dtype=dtype)


@pytest.mark.parametrize("name", ["add", "power", "arctan2", "hypot", "logaddexp", "remainder", "floor_divide",
                                  "fmax", "copysign"])
def test_binary_broadcasting(name):
    x = RNG.uniform(0.5, 2.0, (3, 1)).astype(np.float32)
    y = RNG.uniform(-2.0, 2.0, (4,)).astype(np.float32)
    close(getattr(jnp, name)(jnp.asarray(x), jnp.asarray(y)), getattr(np, name)(x, y), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["remainder", "mod", "fmod", "floor_divide", "power", "maximum", "minimum",
                                  "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift",
                                  "fmax", "fmin"])
def test_binary_int32(name):
    y = np.abs(J32) if name in ("power", "left_shift", "right_shift") else J32
    out = getattr(jnp, name)(jnp.asarray(I32), jnp.asarray(y))
    close(out, getattr(np, name)(I32, y), dtype=np.int32)


def test_modular_signs_floats_and_ints():
    xs = np.array([5.5, -5.5, 5.5, -5.5, 3.0, -0.0, 6.0], np.float32)
    ys = np.array([2.0, 2.0, -2.0, -2.0, 3.0, 2.0, -3.0], np.float32)
    for name in ("remainder", "fmod", "floor_divide"):
        close(getattr(jnp, name)(jnp.asarray(xs), jnp.asarray(ys)), getattr(np, name)(xs, ys))
    q, r = jnp.divmod(jnp.asarray(xs), jnp.asarray(ys))
    eq, er = np.divmod(xs, ys)
    close(q, eq)
    close(r, er)
    q, r = divmod(jnp.asarray(I32), jnp.asarray(J32))
    close(q, I32 // J32)
    close(r, I32 % J32)
    np.testing.assert_array_equal(jnp.remainder(jnp.asarray(I32), 0), np.zeros(6, np.int32))
    u = np.array([7, 9, 250], np.uint8)
    close(jnp.floor_divide(jnp.asarray(u), np.uint8(4)), u // 4)
    close(jnp.remainder(jnp.asarray(u), np.uint8(4)), u % 4)


def test_power_forms():
    x = jnp.asarray(F32)
    close(jnp.power(x, 3), F32 ** 3, rtol=1e-6)
    close(jnp.power(x, -2), F32 ** -2.0, rtol=1e-5)
    close(jnp.power(jnp.asarray(I32), 3), I32 ** 3)
    close(jnp.power(jnp.asarray(POS32), jnp.asarray(F32)), POS32 ** F32, rtol=1e-5)
    close(jnp.power(jnp.asarray(np.array([2, -3, 1, -1], np.int32)), jnp.asarray(np.array([3, 3, -2, -3], np.int32))),
          np.array([8, -27, 1, -1], np.int32))
    close(jnp.power(jnp.asarray(C64), 2), C64 ** 2, rtol=1e-5)
    with pytest.raises(TypeError, match="negative powers"):  # a TypeError, as in JAX
        jnp.power(jnp.asarray(I32), -1)
    assert jnp.pow is jnp.power


def test_rounding():
    v = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1.2345, -2.675, 123.456], np.float32)
    for d in (0, 1, 2, -1):
        close(jnp.round(jnp.asarray(v), d), np.round(v, d), rtol=1e-6)
    close(jnp.around(jnp.asarray(v)), np.around(v))
    close(jnp.rint(jnp.asarray(v)), np.rint(v))
    close(jnp.round(jnp.asarray(I32), -1), np.round(I32, -1))
    close(jnp.round(jnp.asarray(C64), 1), np.round(C64, 1), rtol=1e-6)
    close(jnp.asarray(v).round(1), np.round(v, 1), rtol=1e-6)
    close(lax.round(jnp.asarray(v)), np.sign(v) * np.floor(np.abs(v) + 0.5))
    close(lax.round(jnp.asarray(v), lax.RoundingMethod.TO_NEAREST_EVEN), np.rint(v))


def test_clip():
    x = jnp.asarray(F32)
    close(jnp.clip(x, -0.5, 0.5), np.clip(F32, -0.5, 0.5))
    close(jnp.clip(x, a_min=-0.5, a_max=0.5), np.clip(F32, -0.5, 0.5))
    close(jnp.clip(x, max=0.1), np.minimum(F32, 0.1))
    close(jnp.clip(x, min=0.1), np.maximum(F32, np.float32(0.1)))
    close(x.clip(-0.2, 0.2), np.clip(F32, -0.2, 0.2))
    close(jnp.clip(jnp.asarray(I32), 0, 6), np.clip(I32, 0, 6))
    close(jnp.clip(jnp.asarray(I32), 0.5, 6), np.clip(I32, 0.5, 6).astype(np.float32))
    close(lax.clamp(np.float32(-0.5), x, np.float32(0.5)), np.clip(F32, -0.5, 0.5))
    with pytest.raises(ValueError, match="complex"):
        jnp.clip(jnp.asarray(C64), 0, 1)


def test_nan_aware_max_min():
    a = np.array([np.nan, 1.0, np.nan, 3.0], np.float32)
    b = np.array([0.5, np.nan, np.nan, 2.0], np.float32)
    close(jnp.fmax(jnp.asarray(a), jnp.asarray(b)), np.fmax(a, b))
    close(jnp.fmin(jnp.asarray(a), jnp.asarray(b)), np.fmin(a, b))
    close(jnp.maximum(jnp.asarray(a), jnp.asarray(b)), np.maximum(a, b))


def test_logical_and_bitwise():
    p = np.array([True, False, True, False])
    q = np.array([True, True, False, False])
    n = np.array([0, 2, -1, 0], np.int32)
    for name in ("logical_and", "logical_or", "logical_xor"):
        close(getattr(jnp, name)(jnp.asarray(p), jnp.asarray(q)), getattr(np, name)(p, q))
        close(getattr(jnp, name)(jnp.asarray(n), 1.5), getattr(np, name)(n, 1.5))
    close(jnp.logical_not(jnp.asarray(n)), np.logical_not(n))
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        close(getattr(jnp, name)(jnp.asarray(p), jnp.asarray(q)), getattr(np, name)(p, q))
    close(jnp.invert(jnp.asarray(I32)), np.invert(I32))
    close(jnp.bitwise_not(jnp.asarray(p)), np.invert(p))
    u = np.array([1, 128, 255], np.uint8)
    close(jnp.right_shift(jnp.asarray(u), np.uint8(1)), u >> 1)
    close(jnp.right_shift(jnp.asarray(np.array([-16, 16], np.int32)), 2), np.array([-4, 4], np.int32))
    close(jnp.left_shift(jnp.asarray(I32), 3), I32 << 3)
    with pytest.raises(TypeError, match="bitwise_and"):
        jnp.bitwise_and(jnp.asarray(F32), 1)


def test_isclose_allclose():
    a = np.array([1.0, 1.0 + 1e-6, np.inf, -np.inf, np.nan, 1e-9, 100.0], np.float32)
    b = np.array([1.0, 1.0, np.inf, np.inf, np.nan, 0.0, 101.0], np.float32)
    close(jnp.isclose(jnp.asarray(a), jnp.asarray(b)), np.isclose(a, b))
    close(jnp.isclose(jnp.asarray(a), jnp.asarray(b), equal_nan=True), np.isclose(a, b, equal_nan=True))
    close(jnp.isclose(jnp.asarray(a), jnp.asarray(b), rtol=0.05), np.isclose(a, b, rtol=0.05))
    close(jnp.isclose(jnp.asarray(C64), jnp.asarray(C64 + 1e-7)), np.ones(4, bool))
    out = jnp.allclose(jnp.asarray(F32), jnp.asarray(F32 + 1e-9))
    assert isinstance(out, nablax.Array) and out.dtype == np.bool_ and out.shape == () and bool(out)
    assert not bool(jnp.allclose(jnp.asarray(a), jnp.asarray(b)))
    assert bool(jnp.allclose(1.0, 1.0))


def test_complex_parts_and_properties():
    z = jnp.asarray(C64)
    close(z.real, C64.real)
    close(z.imag, C64.imag)
    close(z.conj(), C64.conj())
    close(z.conjugate(), C64.conj())
    close(jnp.conj(z), np.conj(C64))
    close(jnp.angle(z, deg=True), np.angle(C64, deg=True), rtol=1e-5)
    x = jnp.asarray(F32)
    close(x.real, F32)
    close(x.imag, np.zeros(6, np.float32))
    close(lax.complex(x, x), F32 + 1j * F32)
    close(lax.conj(x), F32.astype(np.complex64))
    assert lax.abs(z).dtype == np.float32


# ---------------------------------------------------------------- dtypes, weak types


def test_weak_type_semantics():
    x = jnp.asarray(F32)
    i = jnp.asarray(I32)
    assert (x ** 2).dtype == np.float32 and not (x ** 2).weak_type
    assert (x ** 2.0).dtype == np.float32
    assert (2 ** x).dtype == np.float32
    assert (i / 2).dtype == np.float32
    assert (i ** 2).dtype == np.int32
    assert (i % 3).dtype == np.int32 and (i // 2).dtype == np.int32
    assert (i % 2.5).dtype == np.float32
    s = jnp.sqrt(4)
    assert s.dtype == np.float32 and s.weak_type and float(s) == 2.0
    p = jnp.power(2, 3)
    assert p.dtype == np.int32 and p.weak_type and int(p) == 8
    assert jnp.arctan2(1, 2.0).weak_type
    assert jnp.hypot(x, 1).dtype == np.float32
    # As in JAX: a comparison of weakly typed values is a weakly typed bool, but some
    # predicates (isinf, signbit, isfinite of an int) are always strongly typed.
    assert jnp.isnan(1.0).dtype == np.bool_ and jnp.isnan(1.0).weak_type
    assert jnp.less(1, 2.0).weak_type and not jnp.less(x, 2.0).weak_type
    assert not jnp.isinf(1.0).weak_type and not jnp.signbit(1.0).weak_type
    assert jnp.isfinite(1.0).weak_type and not jnp.isfinite(1).weak_type
    assert jnp.add(np.float16(1), 1.0).dtype == np.float16
    assert jnp.abs(jnp.asarray(C64)).dtype == np.float32
    assert jnp.sqrt(jnp.asarray(np.array([1, 4], np.uint8))).dtype == np.float32
    w = jnp.sqrt(4.0)  # a weakly typed float32 Array
    assert not jnp.copysign(w, x).weak_type and not jnp.heaviside(x, w).weak_type
    assert jnp.copysign(w, w).weak_type and jnp.remainder(w, 3).weak_type


def test_x64_dtypes(x64):
    x = jnp.asarray(np.array([1.0, 4.0]))
    assert jnp.sqrt(x).dtype == np.float64
    assert jnp.sqrt(4).dtype == np.float64
    assert (jnp.asarray(np.array([1, 2])) / 2).dtype == np.float64
    assert jnp.abs(jnp.asarray(np.array([1 + 1j]))).dtype == np.float64
    assert jnp.logaddexp(jnp.asarray(np.float32(1)), 2.0).dtype == np.float32
    close(jnp.arctanh(x / 5), np.arctanh(np.array([1.0, 4.0]) / 5), rtol=1e-12)


# ----------------------------------------------------------------------- operators


def test_operators_match_numpy():
    x, y = jnp.asarray(F32 * 3), jnp.asarray(POS32 - 1)
    a, b = F32 * 3, POS32 - 1
    close(x ** 2, a ** 2, rtol=1e-6)
    close(abs(y) ** x, np.abs(b) ** a, rtol=1e-5)
    close(x % y, a % b, rtol=1e-5, atol=1e-5)
    close(x // y, a // b)
    close(3.0 % y, 3.0 % b, rtol=1e-5)
    close(7 // y, 7 // b)
    close(2 ** x, 2 ** a, rtol=1e-5)
    close(abs(x), np.abs(a))
    close(+x, a)
    close(-x, -a)
    i, j = jnp.asarray(I32), jnp.asarray(J32)
    close(i & j, I32 & J32)
    close(i | j, I32 | J32)
    close(i ^ j, I32 ^ J32)
    close(5 & i, 5 & I32)
    close(~i, ~I32)
    close(i << 2, I32 << 2)
    close(i >> 1, I32 >> 1)
    close(1 << jnp.asarray(np.array([1, 2, 3], np.int32)), np.array([2, 4, 8], np.int32))
    close(64 >> jnp.asarray(np.array([1, 2, 3], np.int32)), np.array([32, 16, 8], np.int32))
    q, r = divmod(x, y)
    close(q, a // b)
    close(r, a % b, rtol=1e-5, atol=1e-5)
    q, r = divmod(7.0, y)
    close(q, 7.0 // b)
    p = jnp.asarray(np.array([True, False]))
    close(~p, np.array([False, True]))
    close(p & True, np.array([True, False]))


# -------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name,nargs", [("add", 2), ("sqrt", 1), ("power", 2), ("remainder", 2), ("abs", 1),
                                        ("isnan", 1), ("clip", 1), ("logical_and", 2), ("arctan2", 2)])
def test_string_input_is_a_type_error_naming_the_function(name, nargs):
    args = ["a"] + [1.0] * (nargs - 1)
    with pytest.raises(TypeError, match=rf"{name}.*str"):
        getattr(jnp, name)(*args)


def test_incompatible_shapes_name_both_shapes():
    for fn in (jnp.add, jnp.power, jnp.arctan2, jnp.remainder, jnp.logaddexp):
        with pytest.raises(TypeError, match=r"\(3,\).*\(4,\)"):  # a TypeError, as in JAX
            fn(jnp.asarray(np.ones(3, np.float32)), jnp.asarray(np.ones(4, np.float32)))


def test_lax_rejects_wrong_dtypes():
    with pytest.raises(TypeError, match="lax.sqrt"):
        lax.sqrt(jnp.asarray(I32))
    with pytest.raises(TypeError, match="lax.pow"):
        lax.pow(jnp.asarray(F32), jnp.asarray(POS32.astype(np.float16)))
    with pytest.raises(TypeError, match="lax.shift_left"):
        lax.shift_left(jnp.asarray(F32), jnp.asarray(F32))
    with pytest.raises(TypeError, match="complex"):
        jnp.floor_divide(jnp.asarray(C64), 1)
    with pytest.raises(NotImplementedError, match="nextafter"):
        nablax.grad(lambda x: jnp.nextafter(x, 2.0))(1.0)


# --------------------------------------------------------------------------- grads


def _grads(f, *args, order=2, **kw):
    with nablax.config.enable_x64(True):
        check_grads(f, [jnp.asarray(np.asarray(a, np.float64)) for a in args], order=order, **kw)


def test_grads_of_composites():
    x = np.array([0.3, -1.2, 2.1])
    y = np.array([1.1, 0.7, -0.4])
    _grads(jnp.logaddexp, x, y)
    _grads(jnp.logaddexp2, x, y)
    _grads(jnp.hypot, x, y)
    _grads(jnp.arctan2, x, y)
    _grads(lambda a, b: jnp.power(jnp.abs(a) + 0.5, b), x, y)
    _grads(lambda a: a ** 3 + 2.0 ** a, x)
    _grads(jnp.remainder, x * 3, y)
    _grads(jnp.copysign, x, y, order=1)
    _grads(lambda a: jnp.clip(a, -0.5, 1.0) * a, x)
    _grads(lambda a: jnp.sinc(a) * jnp.log2(jnp.abs(a)), x)
    _grads(lambda a: jnp.heaviside(a, 0.5) * jnp.cbrt(a), x)
    _grads(lambda a: jnp.reciprocal(a) + jnp.deg2rad(a) + jnp.expm1(a), x)


def test_grads_at_special_points():
    with nablax.config.enable_x64(True):
        g = nablax.grad(jnp.sinc)
        assert float(g(0.0)) == 0.0
        np.testing.assert_allclose(float(nablax.grad(g)(0.0)), -np.pi ** 2 / 3, rtol=1e-12)
        assert float(nablax.grad(jnp.abs)(0.0)) == 1.0  # as JAX: d|x|/dx = 1 at 0
        assert float(nablax.grad(lambda x: jnp.maximum(x, 1.0))(1.0)) == 0.5
        assert float(nablax.grad(lambda x: jnp.round(x) + jnp.floor(x) + jnp.sign(x))(0.3)) == 0.0
        assert np.isnan(float(nablax.grad(lambda x: x ** 0.0)(0.0)))  # 0.0 * 0.0 ** -1.0, as JAX
        assert float(nablax.grad(lambda y: jnp.power(0.0, y))(2.0)) == 0.0
        np.testing.assert_allclose(float(nablax.grad(jnp.logaddexp)(1.0, 1.0)), 0.5)


def test_complex_grads():
    z = jnp.asarray(np.array([1.0 + 2.0j, -0.5 + 0.3j]))
    with nablax.config.enable_x64(True):
        z = jnp.asarray(np.array([1.0 + 2.0j, -0.5 + 0.3j]))
        check_grads(lambda z: jnp.abs(z) ** 2 + jnp.real(z * z), [z], order=2)
        check_grads(lambda z: jnp.sqrt(z) * jnp.conj(z) + jnp.exp(z) * 1j, [z], order=2)
        check_grads(lambda z: jnp.angle(z) + jnp.imag(jnp.sin(z)), [z], order=1)
        x = jnp.asarray(np.array([0.3, -1.1]))
        check_grads(lambda a, b: lax.complex(a, b) ** 2, [x, x * 2], order=2)


def test_methods_and_properties_under_transformations():
    z = jnp.asarray(np.array([1 + 2j, 3 - 1j], np.complex64))
    out = nablax.vmap(lambda z: z.real * z.imag + abs(z))(z)
    close(out, np.array([2 + np.sqrt(5), -3 + np.sqrt(10)], np.float32), rtol=1e-6)

    def f(x):
        return x.real ** 2 + x.imag + x.conj().real + x.round() + x.clip(-1, 1) + abs(x)

    g = nablax.vmap(nablax.grad(f))(jnp.asarray(np.array([0.3, 2.0], np.float32)))
    close(g, np.array([3.6, 6.0], np.float32), rtol=1e-6)


def test_vmap_and_special_functions():
    x = jnp.asarray(RNG.uniform(0.5, 2.0, (3, 4)).astype(np.float32))
    y = jnp.asarray(RNG.uniform(-2.0, 2.0, (4,)).astype(np.float32))
    out = nablax.vmap(jnp.logaddexp, in_axes=(0, None))(x, y)
    close(out, np.logaddexp(np.asarray(x), np.asarray(y)), rtol=1e-6)
    out = nablax.vmap(lambda a: jnp.clip(a, 0.7, 1.5) + jnp.remainder(a, 0.3))(x)
    a = np.asarray(x)
    close(out, np.clip(a, 0.7, 1.5) + np.remainder(a, np.float32(0.3)), rtol=1e-5, atol=1e-6)
    import scipy.special as sps

    close(lax.erf(x), sps.erf(np.asarray(x)), rtol=1e-6)
    close(lax.lgamma(x), sps.gammaln(np.asarray(x)), rtol=1e-5)
    close(lax.digamma(x), sps.psi(np.asarray(x)), rtol=1e-5)
    close(lax.polygamma(2, x), sps.polygamma(2, np.asarray(x)).astype(np.float32), rtol=1e-5)
    close(lax.erf_inv(lax.erf(x)), np.asarray(x), rtol=1e-4)
    close(lax.logistic(x), sps.expit(np.asarray(x)), rtol=1e-6)
    close(lax.population_count(jnp.asarray(np.array([-1, 7], np.int32))), np.array([32, 3], np.int32))


# ------------------------------------------------- JAX semantics found by tests/compat (no JAX needed)


def test_bool_arithmetic_like_jax():
    b = jnp.asarray(np.array([True, False, True, False]))
    c = jnp.asarray(np.array([True, True, False, False]))
    for out, expected in [(jnp.add(b, c), [True, True, True, False]), (b + True, [True] * 4),
                          (jnp.multiply(b, c), [True, False, False, False])]:
        assert out.dtype == np.bool_ and out.tolist() == expected
    with pytest.raises(TypeError):
        jnp.subtract(b, c)
    # integer-only arithmetic on bools computes in the default int
    fd = jnp.floor_divide(b, c)
    assert fd.dtype == np.int32 and fd.tolist() == [1, 0, -2, -1]  # 1 // 0 = -2, 0 // 0 = -1 (XLA)
    assert jnp.mod(b, c).dtype == np.int32 and jnp.fmod(b, c).tolist() == [0, 0, 1, 0]  # fmod(1, 0) = 1
    assert jnp.left_shift(b, c).tolist() == [2, 0, 1, 0] and jnp.right_shift(b, c).dtype == np.int32
    assert jnp.square(b).dtype == np.int32 and not jnp.square(True).weak_type


def test_integer_division_by_zero_like_jax():
    x = jnp.asarray(np.array([7, -7, 0], np.int32))
    assert jnp.floor_divide(x, 0).tolist() == [-2, -2, -1]
    assert (x // jnp.zeros(3, jnp.int32)).tolist() == [-2, -2, -1]
    assert jnp.mod(x, 0).tolist() == [0, 0, 0] and jnp.fmod(x, 0).tolist() == [0, 0, 0]
    q, r = jnp.divmod(x, 0)
    assert q.tolist() == [-2, -2, -1] and r.tolist() == [0, 0, 0]
    assert lax.div(x, jnp.zeros(3, jnp.int32)).tolist() == [-1, -1, -1]  # all bits set
    assert lax.rem(x, jnp.zeros(3, jnp.int32)).tolist() == [7, -7, 0]
    u = jnp.asarray(np.array([7, 0], np.uint8))
    assert lax.div(u, jnp.zeros(2, jnp.uint8)).tolist() == [255, 255]
    assert lax.div(jnp.asarray(np.array([-2 ** 31], np.int32)), jnp.asarray(np.array([-1], np.int32))).tolist() == [-2 ** 31]
    f = jnp.asarray(np.array([1.0, -1.0, 0.0, 5.0], np.float32))
    out = np.asarray(jnp.floor_divide(f, jnp.asarray(np.array([0.0, 0.0, 0.0, -0.0], np.float32))))
    np.testing.assert_array_equal(out, [np.inf, -np.inf, np.nan, -np.inf])


def test_integer_power_like_jax():
    # the exponent's low six bits, as JAX's binary exponentiation; 0 ** y is 0 for y != 0
    base = jnp.asarray(np.array([7, 3, 2, 0, 0, -1, 1], np.int32))
    exp_ = jnp.asarray(np.array([-2, -3, -2, 64, 0, 65, -5], np.int32))
    expected = [pow(7, 62, 2 ** 32), pow(3, 61, 2 ** 32) - 2 ** 32, 0, 0, 1, -1, 1]
    assert jnp.power(base, exp_).tolist() == expected
    with pytest.raises(TypeError, match="negative"):
        jnp.power(7, -2)
    # a strongly typed integer exponent array gives a strong result, as in JAX
    e = jnp.asarray(np.array([1, 2], np.int32))
    assert not (2.5 ** e).weak_type and not jnp.power(2, e).weak_type
    assert jnp.power(e, 2.5).weak_type
    assert lax.pow(jnp.asarray(np.array([1.5, 2.0], np.float32)), e).tolist() == [1.5, 4.0]
    with pytest.raises(TypeError, match="lax.pow"):
        lax.pow(e, e)


def test_weak_types_of_predicates_and_quirky_functions_like_jax():
    w = lax.cumsum(jnp.broadcast_to(0.5, (3,)))  # a weakly typed float32 array
    assert w.weak_type and jnp.less(w, 1.0).weak_type
    assert not jnp.log2(8.0).weak_type and not jnp.log10(w).weak_type
    assert jnp.rint(2.5).weak_type and not jnp.rint(3).weak_type
    assert not jnp.isposinf(w).weak_type and not jnp.isneginf(2.0).weak_type
    # 0-d results keep the weak type, arrays do not (angle: the reverse)
    for fn in (jnp.hypot, jnp.logaddexp2, jnp.heaviside, jnp.logical_and):
        assert fn(2.0, 3.0).weak_type and not fn(w, w).weak_type, fn
    assert jnp.sinc(0.5).weak_type and not jnp.sinc(w).weak_type
    assert not jnp.angle(2.0).weak_type and jnp.angle(w).weak_type
    assert jnp.logical_not(2.0).weak_type and not jnp.logical_not(w).weak_type


def test_heaviside_nan_and_round_bool():
    out = jnp.heaviside(jnp.asarray(np.array([np.nan, 0.0, -0.0, 2.0, -2.0], np.float32)), 0.5)
    np.testing.assert_array_equal(np.asarray(out), [np.nan, 0.5, 0.5, 1.0, 0.0])
    with pytest.raises(ValueError):
        jnp.round(jnp.asarray(np.array([True])))


def test_python_int_operands_must_fit_int32():
    x = jnp.ones(2)
    for fn in (lambda: x * 2 ** 40, lambda: jnp.add(x, 2 ** 40), lambda: jnp.where(True, x, 2 ** 40)):
        with pytest.raises(OverflowError):
            fn()
    assert float((x * 2 ** 30)[0]) == 2.0 ** 30
    with nablax.config.enable_x64(True):
        assert float((jnp.ones(2) * 2 ** 40)[0]) == 2.0 ** 40


def test_bfloat16_arithmetic():
    bf = jnp.array([1.5, -2.0, 0.25], dtype=jnp.bfloat16)
    assert (bf + bf).dtype == jnp.bfloat16 and (bf * 2).tolist() == [3.0, -4.0, 0.5]
    assert (bf + 1).dtype == jnp.bfloat16 and (bf + jnp.ones(3, jnp.uint8)).dtype == jnp.bfloat16
    assert (bf + jnp.ones(3, jnp.float16)).dtype == np.float32
    assert jnp.logical_and(bf, bf).tolist() == [True, True, True] and (bf > 0).tolist() == [True, False, True]


@pytest.mark.parametrize("module", ["nablax.numpy", "nablax.lax", "nablax.nn.initializers"])
def test_public_functions_carry_their_own_names(module):
    """Several namespaces build their functions from tables and unpack them into module names;
    a name bound to the wrong function (a table out of order) shows as a mismatched __name__."""
    import importlib
    import types

    mod = importlib.import_module(module)
    checked, wrong = 0, []
    for name in dir(mod):
        fn = getattr(mod, name)
        if name.startswith("_") or not isinstance(fn, types.FunctionType):
            continue
        checked += 1
        if fn.__name__ != name and getattr(mod, fn.__name__, None) is not fn:  # (aliases are fine)
            wrong.append(f"{name} is {fn.__name__}")
    assert checked > 10 and not wrong, wrong
