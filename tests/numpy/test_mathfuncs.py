"""nablax.numpy gcd/lcm, frexp/ldexp/modf/spacing, i0, nan_to_num, bitwise_count, complex
tests and window functions against NumPy/SciPy and known answers: values, dtypes, weak
types, errors, check_grads (fwd and rev, order 2), eager vs jit."""
import numpy as np
import pytest
import scipy.special as sps

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


RNG = np.random.default_rng(2)


def test_gcd_lcm():
    a = np.array([12, -18, 0, 7, 100, 0], np.int32)
    b = np.array([18, 12, 5, 0, -75, 0], np.int32)
    assert jnp.gcd(a, b).tolist() == np.gcd(a, b).tolist()
    assert jnp.lcm(a, b).tolist() == np.lcm(a, b).tolist()
    assert jnp.gcd(a[:, None], b).tolist() == np.gcd(a[:, None], b).tolist()
    g = jnp.gcd(12, 18)
    assert int(g) == 6 and g.dtype == np.int32 and g.weak_type
    assert jnp.gcd(np.array([6], np.uint8), np.array([4], np.uint8)).dtype == np.uint8
    assert nablax.jit(jnp.lcm)(a, 6).tolist() == np.lcm(a, 6).tolist()
    assert nablax.vmap(jnp.gcd)(a, b).tolist() == np.gcd(a, b).tolist()
    for bad in (lambda: jnp.gcd(1.0, 2), lambda: jnp.lcm(True, False)):
        with pytest.raises(ValueError):
            bad()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_frexp_ldexp_spacing_match_numpy(dtype):
    info = np.finfo(dtype)
    x = np.concatenate([RNG.standard_normal(200) * 10.0 ** RNG.integers(-info.precision * 3, info.precision * 3, 200),
                        [0.0, -0.0, info.max, info.tiny, info.smallest_subnormal, 0.5, 1.0, -2.0, np.inf, -np.inf,
                         np.nan]]).astype(dtype)
    k = RNG.integers(-3 * info.maxexp, 3 * info.maxexp, x.size).astype(np.int32)
    with nablax.config.enable_x64(dtype == np.float64), np.errstate(all="ignore"):
        m, e = jnp.frexp(x)
        nm, ne = np.frexp(x)
        assert m.dtype == dtype and e.dtype == np.int32
        np.testing.assert_array_equal(np.asarray(m), nm)
        np.testing.assert_array_equal(np.asarray(e), ne)
        np.testing.assert_array_equal(np.asarray(jnp.ldexp(x, k)), np.ldexp(x, k))
        np.testing.assert_array_equal(np.asarray(nablax.jit(jnp.ldexp)(x, k)), np.ldexp(x, k))
        if dtype != np.float16:  # (float16 steps toward +inf, as JAX; NumPy away from zero)
            y = x[~((x == 0) & np.signbit(x))]  # (-0.0: JAX's -smallest_subnormal, NumPy's +)
            np.testing.assert_array_equal(np.asarray(jnp.spacing(y)), np.spacing(y))


def test_float_anatomy_details(x64):
    assert jnp.ldexp(1.0, 2).tolist() == 4.0 and not jnp.ldexp(1.0, 2).weak_type
    f, w = jnp.modf(np.array([2.5, -2.5, 0.0, np.inf]))
    assert f.tolist()[:3] == [0.5, -0.5, 0.0] and w.tolist() == [2.0, -2.0, 0.0, np.inf]
    assert np.isnan(f[3])  # (inf - inf, as JAX; NumPy gives 0)
    assert jnp.frexp(np.arange(3, dtype=np.int32))[0].dtype == np.float32  # (int32 -> float32, as JAX)
    assert jnp.spacing(np.float16(1.0)).tolist() == float(np.finfo(np.float16).eps)
    for call, exc in ((lambda: jnp.frexp(1j), TypeError), (lambda: jnp.ldexp(1.0, 2.0), ValueError),
                      (lambda: jnp.ldexp(1j, 2), ValueError), (lambda: jnp.spacing(1j), ValueError),
                      (lambda: jnp.modf(1.0, out=np.zeros(1)), NotImplementedError)):
        with pytest.raises(exc):
            call()
    x = np.array([0.3, -2.5, 7.25])
    check_grads(lambda v: jnp.ldexp(v, np.array([3, -1, 0])), (x,), order=2, modes=("fwd", "rev"))
    check_grads(lambda v: jnp.frexp(v)[0], (x,), order=2, modes=("fwd", "rev"))
    check_grads(lambda v: jnp.modf(v)[0] * jnp.modf(v)[1], (x,), order=2, modes=("fwd", "rev"))
    with pytest.raises(NotImplementedError):
        nablax.grad(jnp.spacing)(1.0)


def test_i0(x64):
    x = np.array([-30.0, -4.0, -0.5, 0.0, 0.25, 3.0, 50.0])
    np.testing.assert_allclose(np.asarray(jnp.i0(x)), np.i0(x), rtol=1e-13)
    assert jnp.i0(1.0).weak_type and jnp.i0(np.arange(3)).dtype == np.float64
    with pytest.raises(ValueError):
        jnp.i0(1j)
    assert float(nablax.grad(jnp.i0)(0.0)) == 0.0
    np.testing.assert_allclose(np.asarray(nablax.vmap(nablax.grad(jnp.i0))(x)), sps.i1(x), rtol=1e-12)
    check_grads(jnp.i0, (np.array([-2.0, 0.3, 1.7]),), order=2, modes=("fwd", "rev"))


def test_nan_to_num_bitwise_count_complex_tests():
    x = np.array([np.nan, np.inf, -np.inf, 1.5], np.float32)
    assert jnp.nan_to_num(x).tolist() == np.nan_to_num(x).tolist()
    assert jnp.nan_to_num(x, nan=5, posinf=2.0, neginf=-1).tolist() == [5.0, 2.0, -1.0, 1.5]
    c = np.array([np.nan + 1j * np.inf, 2 - 1j * np.inf], np.complex64)
    assert jnp.nan_to_num(c).tolist() == np.nan_to_num(c).tolist()
    assert jnp.nan_to_num(np.array([1, 2])).tolist() == [1, 2]
    assert nablax.jit(jnp.nan_to_num)(x).tolist() == np.nan_to_num(x).tolist()
    check_grads(lambda v: jnp.nan_to_num(v * 2.0), (np.array([0.5, -1.0]),), order=2, modes=("fwd", "rev"))
    ints = np.array([-1, 3, 7, -128, 0], np.int8)
    assert jnp.bitwise_count(ints).tolist() == np.bitwise_count(ints).tolist()
    assert jnp.bitwise_count(ints).dtype == np.uint8 and int(jnp.bitwise_count(True)) == 1
    assert jnp.bitwise_count(np.array([2**20 + 3], np.int32)).tolist() == [3]
    with pytest.raises(TypeError):
        jnp.bitwise_count(1.0)
    z = np.array([1 + 1j, 2, 3j, 0], np.complex64)
    assert jnp.iscomplex(z).tolist() == np.iscomplex(z).tolist() and jnp.isreal(z).tolist() == np.isreal(z).tolist()
    assert jnp.iscomplex(1.0).tolist() is False and jnp.isreal(np.arange(2)).tolist() == [True, True]
    assert jnp.iscomplexobj(z) and jnp.iscomplexobj(2j) and not jnp.iscomplexobj(1.0) and not jnp.iscomplexobj(None)
    assert jnp.isrealobj([1.0]) and not jnp.isrealobj(jnp.ones(2, np.complex64))


@pytest.mark.parametrize("name", ["hanning", "hamming", "blackman", "bartlett"])
def test_windows(name):
    for M in (0, 1, 2, 7, 10):
        w = getattr(jnp, name)(M)
        assert w.dtype == np.float32 and not w.weak_type
        np.testing.assert_allclose(np.asarray(w), getattr(np, name)(M), atol=2e-7)
    with nablax.config.enable_x64(True):
        assert getattr(jnp, name)(5).dtype == np.float64
    with pytest.raises(TypeError):
        getattr(jnp, name)(-1)
    with pytest.raises(nablax.errors.ConcretizationTypeError):
        nablax.jit(getattr(jnp, name))(5)


def test_kaiser(x64):
    for M, beta in ((0, 1.0), (1, 2.0), (6, 3.5), (9, 8.0), (5, 2)):
        np.testing.assert_allclose(np.asarray(jnp.kaiser(M, beta)), np.kaiser(M, beta), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(nablax.jit(lambda b: jnp.kaiser(6, b))(3.5)), np.kaiser(6, 3.5), rtol=1e-12)
    check_grads(lambda b: jnp.kaiser(6, b), (3.0,), order=2, modes=("fwd", "rev"))
