"""Issue 9 regressions: values and derivatives at kinks and signed zeros, Python ints that
wrap, no NumPy RuntimeWarnings, and bfloat16/float16 under every transformation.

Every expected value here is what JAX 0.10.2 (CPU) returns; the tests run without JAX.
"""
from __future__ import annotations

import os
import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest

import nablax as jax
import nablax.lax as lax
import nablax.numpy as jnp
import nablax.scipy.special as ss
import nablax.scipy.stats.norm as norm
from nablax import nn

BF16 = np.dtype(ml_dtypes.bfloat16)


def _same(actual, expected) -> None:
    """Equal values, NaN where expected, and the same sign bits (so -0. != 0.)."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    np.testing.assert_array_equal(a, e)
    np.testing.assert_array_equal(np.signbit(a), np.signbit(e))


# ----------------------------------------------------------------------- derivatives at kinks

def test_abs_derivative_is_one_at_zero():
    assert float(jax.grad(jnp.abs)(0.0)) == 1.0
    assert float(jax.grad(jnp.abs)(-0.0)) == 1.0
    assert float(jax.grad(jnp.abs)(-2.0)) == -1.0
    assert float(jax.jit(jax.grad(jnp.abs))(0.0)) == 1.0


def test_log_ndtr_derivative_at_its_branch_points():
    np.testing.assert_allclose(float(jax.grad(norm.logcdf)(0.0)), 0.7978846, rtol=1e-6)
    np.testing.assert_allclose(float(jax.grad(ss.log_ndtr)(0.0)), 0.7978846, rtol=1e-6)
    np.testing.assert_allclose(float(jax.grad(ss.log_ndtr)(-10.0)), 10.098101, rtol=1e-6)
    np.testing.assert_allclose(float(jax.grad(ss.log_ndtr)(-20.0)), 20.049711, rtol=1e-6)
    np.testing.assert_allclose(float(jax.grad(norm.logsf)(0.0)), -0.7978846, rtol=1e-6)
    vals = ss.log_ndtr(jnp.array([-30.0, -20.0, -10.0, 0.0, 10.0, np.inf, -np.inf], jnp.float32))
    np.testing.assert_allclose(np.asarray(vals), [-454.32123, -203.91716, -53.231285, -0.69314718,
                                                  -7.6198528e-24, -0.0, -np.inf], rtol=2e-6)


def test_pow_hypot_xlogy_at_zero_follow_jax():
    assert np.isnan(float(jax.grad(lambda x: x ** x)(0.0)))
    assert np.isnan(float(jax.grad(lambda x: jnp.power(x, 0.0))(0.0)))
    assert float(jax.grad(lambda x: jnp.power(x, 2))(0.0)) == 0.0  # (an integer exponent)
    assert float(jax.grad(lambda y: jnp.power(0.0, y))(2.0)) == 0.0
    assert float(jax.grad(lambda x: jnp.hypot(x, 0.0))(0.0)) == 0.5
    assert np.isnan(float(jax.grad(lambda x: ss.xlogy(x, x))(0.0)))
    gx, gy = jax.grad(ss.xlogy, (0, 1))(0.0, 0.0)
    assert float(gx) == -np.inf and np.isnan(float(gy))
    gx, gy = jax.grad(ss.xlog1py, (0, 1))(0.0, -1.0)
    assert float(gx) == -np.inf and np.isnan(float(gy))
    gx, gy = jax.grad(ss.xlogy, (0, 1))(0.0, 1.0)
    assert float(gx) == 0.0 and float(gy) == 0.0
    assert float(jax.grad(ss.entr)(0.0)) == np.inf
    assert float(jax.grad(ss.entr)(1.0)) == -1.0
    np.testing.assert_allclose(float(jax.grad(ss.logit)(0.5)), 4.0)


def test_logaddexp_family_derivatives():
    g = jax.grad(jnp.logaddexp, (0, 1))
    assert [float(v) for v in g(0.0, 0.0)] == [0.5, 0.5]
    assert [float(v) for v in g(np.inf, np.inf)] == [1.0, 1.0]
    assert all(np.isnan(float(v)) for v in g(-np.inf, -np.inf))
    assert [float(v) for v in jax.grad(jnp.logaddexp2, (0, 1))(1.0, 1.0)] == [0.5, 0.5]
    assert float(jax.grad(nn.softplus)(0.0)) == 0.5
    assert float(jax.grad(nn.log_sigmoid)(0.0)) == 0.5
    np.testing.assert_array_equal(np.asarray(jax.grad(ss.logsumexp)(jnp.array([-np.inf, 0.0]))), [0.0, 1.0])
    # vmap and jit of the custom rule
    xs = jnp.array([0.0, 1.0, np.inf])
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(jax.grad(jnp.logaddexp)))(xs, xs)), [0.5, 0.5, 1.0])


def test_hard_tanh_derivative_is_one_at_the_corners():
    for x, d in ((1.0, 1.0), (-1.0, 1.0), (1.5, 0.0), (-3.0, 0.0), (0.2, 1.0)):
        assert float(jax.grad(nn.hard_tanh)(x)) == d


# ----------------------------------------------------------------------------- signed zeros

def test_signed_zeros_like_jax():
    _same(jnp.array([-np.inf, -0.0]) ** 0.5, [np.inf, 0.0])
    _same(jnp.power(jnp.array([-np.inf, -0.0, 4.0]), 0.5), [np.inf, 0.0, 2.0])
    _same(jax.jit(lambda x: x ** 0.5)(jnp.array([-np.inf, -0.0])), [np.inf, 0.0])
    _same(jnp.sign(-0.0), -0.0)
    _same(jnp.sign(jnp.array([-0.0, 0.0, -2.0, np.nan])), [-0.0, 0.0, -1.0, np.nan])
    _same(jnp.maximum(0.0, -0.0), 0.0)
    _same(jnp.maximum(-0.0, 0.0), 0.0)
    _same(jnp.maximum(-0.0, -0.0), -0.0)
    _same(jnp.maximum(-0.0, -1.0), -0.0)
    _same(jnp.minimum(-0.0, 0.0), -0.0)
    _same(jnp.minimum(0.0, -0.0), -0.0)
    _same(jnp.minimum(0.0, 0.0), 0.0)
    _same(jnp.minimum(jnp.array([0.0, 3.0, np.nan]), jnp.array([-0.0, 1.0, 0.0])), [-0.0, 1.0, np.nan])
    _same(jax.jit(jnp.maximum)(jnp.array([0.0, -0.0]), jnp.array([-0.0, 0.0])), [0.0, 0.0])
    big = jnp.zeros(70000)  # the size at which jit writes ufunc results into dead buffers
    _same(jax.jit(lambda a: jnp.minimum(a * 1.0, -a))(big)[:2], [-0.0, -0.0])
    _same(ss.erfinv(-0.0), -0.0)
    _same(ss.xlogy(-0.0, -0.0), 0.0)
    assert np.isnan(float(ss.xlogy(0.0, np.nan)))


def test_softmax_of_infinity_is_nan_like_jax():
    _same(nn.softmax(jnp.array([np.inf, 0.0])), [np.nan, np.nan])
    _same(nn.softmax(jnp.array([-np.inf, 0.0])), [0.0, 1.0])
    _same(nn.log_softmax(jnp.array([-np.inf, 0.0])), [-np.inf, 0.0])


# --------------------------------------------------------------------------- integer wrapping

def test_python_ints_wrap_to_small_integer_dtypes():
    r = jnp.int8(5) * 1000
    assert r.dtype == np.int8 and int(r) == -120
    np.testing.assert_array_equal(np.asarray(jnp.array([5], jnp.int8) * 1000), [-120])
    assert int(jnp.int8(5) + 1000) == -19
    np.testing.assert_array_equal(np.asarray(jnp.array([5], jnp.uint8) + (-1)), [4])
    np.testing.assert_array_equal(np.asarray(jnp.array([5], jnp.uint8) * 300), [220])
    assert int(jnp.int16(3) - 70000) == -4461
    assert int(jax.jit(lambda x: x * 1000)(jnp.int8(5))) == -120
    with pytest.raises(OverflowError):  # beyond the default int: an error, as in JAX
        jnp.array([5]) + 2 ** 31


# ------------------------------------------------------------------------- RuntimeWarnings

_SCRIPT = """
import warnings
import numpy as np
import nablax as jax
import nablax.numpy as jnp
import nablax.scipy.special as ss
x = jnp.array([0.0, 1.0, -1.0])
jnp.log(x); jnp.sqrt(x); x / 0.0; jnp.arctanh(x * 1.0); ss.xlogy(x, x); ss.entr(x)
jax.jit(lambda v: jnp.log(v) * 2.0 + jnp.sqrt(v) / v)(x)
jax.grad(lambda v: jnp.sum(jnp.sqrt(v)))(jnp.array([0.0, 1.0]))
jax.vmap(jnp.log)(x)
inf = jnp.array([np.inf, -np.inf])
jnp.sum(inf); jnp.prod(inf * 0.0); jnp.cumsum(inf); jnp.cumprod(inf); jnp.mean(inf); jax.jit(jnp.sum)(inf)
jax.jit(jnp.cumsum)(inf); jnp.max(jnp.array([np.nan, 1.0])); ss.logsumexp(inf)
try:
    np.log(np.zeros(1))  # the user's own NumPy call still warns
except RuntimeWarning:
    print("user warning raised")
"""


def test_no_runtime_warnings_from_nablax_but_users_still_warn():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", _SCRIPT], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "user warning raised"
    assert "RuntimeWarning" not in proc.stderr


# ------------------------------------------------------------------------ bfloat16 / float16

X = np.array([1.5, -2.25, 3.0, 0.1, 7.7, 100.3])
Y = np.array([0.5, 2.0, -1.0, 0.3, 1.1, 0.7])


def _bf(v):
    return jnp.asarray(np.asarray(v).astype(BF16))


@pytest.mark.parametrize("transform", ["eager", "jit"])
def test_bfloat16_reductions_and_scans(transform):
    t = (lambda f: f) if transform == "eager" else jax.jit
    x = _bf(X)
    cases = {
        "sum": (jnp.sum, 110.5), "prod": (jnp.prod, -784.0), "max": (jnp.max, 100.5), "min": (jnp.min, -2.25),
        "reduce_max": (lambda v: lax.reduce_max(v, (0,)), 100.5), "mean": (jnp.mean, 18.375),
        "var": (jnp.var, 1360.0), "logsumexp": (ss.logsumexp, 100.5),
        "cumsum": (jnp.cumsum, [1.5, -0.75, 2.25, 2.34375, 10.0, 110.5]),
        "cumprod": (jnp.cumprod, [1.5, -3.375, -10.125, -1.015625, -7.8125, -784.0]),
        "cummax": (lax.cummax, [1.5, 1.5, 3.0, 3.0, 7.6875, 100.5]),
        "sort": (jnp.sort, [-2.25, 0.10009765625, 1.5, 3.0, 7.6875, 100.5]),
        "dot": (lambda v: jnp.dot(v, _bf(Y)), 72.0),
        "sum of 1000": (lambda v: jnp.sum(jnp.ones(1000, jnp.bfloat16) * v[3]), 100.0),
        "prod of 100": (lambda v: jnp.prod(jnp.ones(100, jnp.bfloat16) * 1.01), 2.171875),
    }
    for name, (f, expected) in cases.items():
        out = t(f)(x)
        assert out.dtype == BF16, name
        np.testing.assert_array_equal(np.asarray(out, np.float32), expected, err_msg=name)
    assert int(t(jnp.argmax)(x)) == 5


@pytest.mark.parametrize("transform", ["eager", "jit"])
def test_bfloat16_elementwise_comparisons_casts(transform):
    t = (lambda f: f) if transform == "eager" else jax.jit
    x, y = _bf(X), _bf(Y)
    out = t(lambda a, b: (a + b, a * b * 3, a / b, a < b, a == 1.5, jnp.where(a > 1, a, b),
                          a.astype(jnp.float32), a.astype(jnp.int32), jnp.maximum(a, b), jnp.sign(a)))(x, y)
    add, mul, div, lt, eq, where, f32, i32, mx, sign = out
    assert add.dtype == mul.dtype == div.dtype == where.dtype == mx.dtype == sign.dtype == BF16
    assert lt.dtype == eq.dtype == np.bool_ and f32.dtype == np.float32 and i32.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(add, np.float32), [2.0, -0.25, 2.0, 0.400390625, 8.8125, 101.0])
    np.testing.assert_array_equal(np.asarray(mul, np.float32), [2.25, -13.5, -9.0, 0.09033203125, 25.25, 212.0])
    np.testing.assert_array_equal(np.asarray(div, np.float32), [3.0, -1.125, -3.0, 0.33203125, 6.96875, 144.0])
    np.testing.assert_array_equal(np.asarray(lt), [False, True, False, True, False, False])
    np.testing.assert_array_equal(np.asarray(eq), [True, False, False, False, False, False])
    np.testing.assert_array_equal(np.asarray(where, np.float32), [1.5, 2.0, 3.0, 0.30078125, 7.6875, 100.5])
    np.testing.assert_array_equal(np.asarray(i32), [1, -2, 3, 0, 7, 100])
    np.testing.assert_array_equal(np.asarray(sign, np.float32), [1, -1, 1, 1, 1, 1])


@pytest.mark.parametrize("transform", ["eager", "jit"])
def test_bfloat16_grad_and_vmap(transform):
    t = (lambda f: f) if transform == "eager" else jax.jit
    x = _bf(X)
    g = t(jax.grad(lambda v: jnp.sum(jnp.sin(v) * v)))(x)
    assert g.dtype == BF16
    np.testing.assert_array_equal(np.asarray(g, np.float32), [1.1015625, 0.63671875, -2.828125, 0.19921875, 2.25, 100.5])
    g2 = t(jax.grad(lambda v: jnp.sum(v ** 2)))(x)
    np.testing.assert_array_equal(np.asarray(g2, np.float32), [3.0, -4.5, 6.0, 0.2001953125, 15.375, 201.0])
    v = t(jax.vmap(lambda r: r * 2 + jnp.sum(x)))(x)
    np.testing.assert_array_equal(np.asarray(v, np.float32), [113.5, 106.0, 116.5, 110.5, 126.0, 312.0])
    c = t(jax.vmap(jnp.cumsum))(x.reshape(2, 3))
    np.testing.assert_array_equal(np.asarray(c, np.float32), [[1.5, -0.75, 2.25], [0.10009765625, 7.78125, 108.5]])
    gm = t(jax.grad(lambda v: jnp.max(v) + jnp.mean(v)))(x)  # reduce_max's JVP in bfloat16
    assert gm.dtype == BF16 and float(gm[5]) == pytest.approx(1 + 1 / 6, rel=1e-2)
    gd = t(jax.grad(lambda a: jnp.dot(a, a)))(x)
    np.testing.assert_array_equal(np.asarray(gd, np.float32), np.asarray(x, np.float32) * 2)
    gc = t(jax.grad(lambda a: jnp.sum(a.astype(jnp.float32) ** 2)))(x)
    assert gc.dtype == BF16


def test_float16_reductions_in_float32_like_jax():
    x = jnp.full(10000, 0.1, jnp.float16)
    assert float(jnp.sum(x)) == 1000.0 and float(jax.jit(jnp.sum)(x)) == 1000.0
    assert float(jnp.mean(x)) == pytest.approx(0.0999755859375)
    np.testing.assert_allclose(float(jnp.prod(jnp.full(300, 1.01, jnp.float16))), 18.45, rtol=1e-3)
    assert float(jnp.var(jnp.arange(100).astype(jnp.float16))) == 833.0
    assert float(jnp.var(jnp.arange(100).astype(jnp.bfloat16))) == 832.0
    g = jax.grad(lambda v: jnp.sum(v * v))(jnp.array([1.0, 2.0], jnp.float16))
    assert g.dtype == np.float16 and np.asarray(g).tolist() == [2.0, 4.0]


def test_sweep_findings_like_jax():
    # (found by tests/compat/test_kinks_vs_jax.py)
    assert float(jnp.hypot(np.inf, np.nan)) == np.inf and float(jnp.hypot(np.nan, -np.inf)) == np.inf
    np.testing.assert_allclose(float(jax.grad(jnp.arccosh)(-2.0)), 0.57735026, rtol=1e-6)
    assert float(jax.grad(jnp.arccosh)(-1.0)) == np.inf and float(jax.grad(jnp.arccosh)(-np.inf)) == 0.0
    assert float(jax.grad(jnp.remainder, 1)(-np.inf, -2.0)) == -np.inf
    assert float(jax.grad(jnp.fmod, 1)(-np.inf, -2.0)) == -np.inf
    assert [float(v) for v in jax.grad(jnp.fmax, (0, 1))(2.0, 2.0)] == [0.0, 1.0]  # ties go to x2
    assert [float(v) for v in jax.grad(jnp.fmin, (0, 1))(-1.0, -1.0)] == [0.0, 1.0]
    _same(jnp.fmax(jnp.array([0.0, -0.0, np.nan, 1.0]), jnp.array([-0.0, 0.0, 2.0, np.nan])), [-0.0, 0.0, 2.0, 1.0])
    for f in (nn.relu, nn.relu6, nn.hard_sigmoid):
        assert float(jax.grad(f)(np.nan)) == 0.0
        assert np.isnan(float(f(np.nan)))
    assert float(jax.grad(nn.relu6)(3.0)) == 1.0 and float(jax.grad(nn.relu6)(6.0)) == 0.0


def test_bfloat16_predicates_and_sign_functions():
    x = _bf([-np.inf, -2.0, -0.0, 0.0, 1.0, np.inf, np.nan])
    np.testing.assert_array_equal(np.asarray(jnp.signbit(x)), [True, True, True, False, False, False, False])
    np.testing.assert_array_equal(np.asarray(jnp.isinf(x)), [True, False, False, False, False, True, False])
    np.testing.assert_array_equal(np.asarray(jnp.isfinite(x)), [False, True, True, True, True, False, False])
    np.testing.assert_array_equal(np.asarray(jnp.isposinf(x)), [False] * 5 + [True, False])
    np.testing.assert_array_equal(np.asarray(jnp.isneginf(x)), [True] + [False] * 6)
    c = jnp.copysign(_bf([1.0, 2.0, -3.0]), _bf([-0.0, -1.0, 0.0]))
    assert c.dtype == BF16
    _same(np.asarray(c, np.float32), [-1.0, -2.0, 3.0])
    assert jnp.fabs(_bf([-2.5])).dtype == BF16 and float(jnp.fabs(_bf([-2.5]))[0]) == 2.5
    q = jnp.floor_divide(_bf([7.0, -7.0]), _bf([2.0, 2.0]))
    assert q.dtype == BF16 and np.asarray(q, np.float32).tolist() == [3.0, -4.0]
    assert float(jnp.nansum(_bf([1.0, np.nan, 2.0]))) == 3.0


def test_bfloat16_gradients_through_stop_gradient_indexing_and_control_flow():
    """bfloat16's NumPy kind is "V": every differentiability check must still see a float
    (stop_gradient used to pass bf16 through, so relu'(nan) was 1; JAX gives 0)."""
    bf16 = jnp.bfloat16
    assert float(jax.grad(jax.nn.relu)(jnp.array(np.nan, bf16))) == 0.0
    assert float(jax.grad(lambda x: lax.stop_gradient(x) * x)(jnp.array(3.0, bf16))) == 3.0
    y = jnp.array([1.0, 2.0, 3.0], bf16)
    g = jax.grad(lambda y: lax.cond(True, lambda y: (y * y).sum(), lambda y: y.sum(), y))(y)
    assert g.dtype == bf16 and np.asarray(g, np.float32).tolist() == [2.0, 4.0, 6.0]
    g = jax.grad(lambda y: y[jnp.array([0, 2])].sum())(y)
    assert np.asarray(g, np.float32).tolist() == [1.0, 0.0, 1.0]
    g = jax.grad(lambda y: lax.scan(lambda c, v: (c * v, c), jnp.array(1.0, bf16), y)[0])(y)
    assert np.asarray(g, np.float32).tolist() == [6.0, 3.0, 2.0]
