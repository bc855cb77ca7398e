"""nablax.nn: activations against NumPy formulas, derivatives at the kinks, softmax stability,
one_hot, standardize, and the initializers' variances."""
import numpy as np
import pytest
import scipy.special as ss

import nablax as jax
import nablax.numpy as jnp
from nablax import nn, random
from nablax.nn import initializers as init
from nablax.test_util import check_grads

X = np.array([-6.0, -2.5, -1.0, -0.3, 0.2, 0.9, 1.0, 3.0, 7.0])
X_SMOOTH = np.array([-2.3, -0.7, 0.4, 1.9])  # away from every kink

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805

REFS = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "soft_sign": lambda x: x / (np.abs(x) + 1),
    "log_sigmoid": lambda x: -np.log1p(np.exp(-x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "celu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.01 * x),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
    "tanh": np.tanh,
}


@pytest.mark.parametrize("name", sorted(REFS))
def test_activation_values(name):
    f = getattr(nn, name)
    out = f(jnp.asarray(X, jnp.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), REFS[name](X), rtol=1e-5, atol=1e-6)
    with jax.config.enable_x64(True):
        np.testing.assert_allclose(np.asarray(f(X)), REFS[name](X), rtol=1e-12, atol=1e-14)
        check_grads(f, (X_SMOOTH,), order=2)
        np.testing.assert_allclose(np.asarray(jax.vmap(f)(X)), np.asarray(f(X)))
        np.testing.assert_allclose(np.asarray(jax.jit(f)(X)), np.asarray(f(X)))


def test_gelu():
    exact = 0.5 * X * (1 + ss.erf(X / np.sqrt(2)))
    tanh_form = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X**3)))
    with jax.config.enable_x64(True):
        np.testing.assert_allclose(np.asarray(nn.gelu(X, approximate=False)), exact, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(nn.gelu(X)), tanh_form, rtol=1e-12)
        check_grads(lambda x: nn.gelu(x, approximate=False), (X_SMOOTH,), order=2)
        check_grads(nn.gelu, (X_SMOOTH,), order=2)


def test_derivatives_at_kinks_follow_jax():
    g = jax.grad
    assert float(g(nn.relu)(0.0)) == 0.0
    assert float(g(nn.relu)(2.0)) == 1.0
    assert float(g(nn.relu6)(0.0)) == 0.0 and float(g(nn.relu6)(6.0)) == 0.0
    assert float(g(nn.relu6)(3.0)) == 1.0
    assert float(g(nn.hard_tanh)(1.0)) == 1.0 and float(g(nn.hard_tanh)(0.5)) == 1.0  # (JAX: 1 at +-1)
    assert float(g(nn.hard_tanh)(-1.0)) == 1.0 and float(g(nn.hard_tanh)(1.5)) == 0.0
    assert float(g(nn.leaky_relu)(0.0)) == 1.0
    assert float(g(nn.elu)(0.0)) == 1.0
    # Large inputs: no overflow in values or gradients.
    assert float(g(nn.softplus)(100.0)) == 1.0
    assert float(nn.softplus(1000.0)) == 1000.0
    assert float(nn.log_sigmoid(-1000.0)) == -1000.0
    assert float(g(nn.elu)(100.0)) == 1.0 and np.isfinite(float(g(nn.elu)(-100.0)))


def test_integer_inputs_follow_jax():
    # As in JAX: relu and hard_tanh keep integer dtypes; the piecewise activations meet
    # Python float constants, so an int32 array gives a weakly typed float32; sigmoid and
    # silu need floating-point input.
    out = nn.relu(jnp.array([-1, 2]))
    assert out.dtype == np.int32 and not out.weak_type
    np.testing.assert_array_equal(np.asarray(out), [0, 2])
    assert nn.hard_tanh(jnp.array([-3, 0, 5])).tolist() == [-1, 0, 1]
    for fn in (nn.relu6, nn.elu, nn.leaky_relu, nn.hard_sigmoid):
        r = fn(jnp.array([-1, 2]))
        assert r.dtype == np.float32 and r.weak_type, fn
    for fn in (nn.sigmoid, nn.silu):
        with pytest.raises(TypeError):
            fn(jnp.array([-1, 2]))
    assert np.isnan(np.asarray(nn.relu(jnp.array([np.nan, 1.0]))))[0]  # NaN propagates
    assert not nn.gelu(1.5).weak_type and not nn.logsumexp(jnp.asarray(1.5)).weak_type


def test_softmax_and_log_softmax():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    ref = e / e.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(np.asarray(nn.softmax(x)), ref, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(nn.log_softmax(x)), np.log(ref), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(nn.softmax(x, axis=0)).sum(axis=0), 1.0, rtol=1e-6)
    masked = nn.softmax(np.array([1.0, 2.0, 3.0]), where=np.array([True, False, True]))
    np.testing.assert_allclose(np.asarray(masked), [np.exp(-2) / (1 + np.exp(-2)), 0, 1 / (1 + np.exp(-2))], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(nn.softmax(np.array([-np.inf, 0.0]))), [0.0, 1.0])
    with jax.config.enable_x64(True):
        xs = np.array([[0.3, -1.2, 2.0], [0.1, 0.5, -0.4]])
        check_grads(nn.softmax, (xs,), order=2)
        check_grads(nn.log_softmax, (xs,), order=2)
        check_grads(lambda v: nn.softmax(v, axis=0), (xs,), order=1)
        out = jax.vmap(nn.softmax)(xs)
        np.testing.assert_allclose(np.asarray(out), np.asarray(nn.softmax(xs)))


def test_logsumexp_reexport():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(float(nn.logsumexp(x)), ss.logsumexp(x), rtol=1e-6)


def test_one_hot():
    out = nn.one_hot(jnp.array([0, 2, 5, -1]), 3)
    assert out.dtype == np.float32 and out.shape == (4, 3)
    np.testing.assert_array_equal(np.asarray(out), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    out0 = nn.one_hot(jnp.array([[0, 1]]), 2, axis=0, dtype=jnp.int32)
    assert out0.shape == (2, 1, 2) and out0.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(out0)[:, 0, :], np.eye(2))
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda x: nn.one_hot(x, 4))(jnp.array([3]))), [[0, 0, 0, 1]])
    with pytest.raises(TypeError, match="num_classes"):
        nn.one_hot(jnp.array([1]), 2.5)


def test_glu_and_standardize():
    x = np.array([[1.0, -2.0, 0.5, 3.0]])
    np.testing.assert_allclose(np.asarray(nn.glu(x)), x[:, :2] / (1 + np.exp(-x[:, 2:])), rtol=1e-6)
    with pytest.raises(ValueError, match="odd"):
        nn.glu(np.ones(3))
    y = np.random.default_rng(0).normal(3.0, 2.0, (4, 50))
    s = np.asarray(nn.standardize(y))
    np.testing.assert_allclose(s, (y - y.mean(-1, keepdims=True)) / np.sqrt(y.var(-1, keepdims=True) + 1e-5),
                               rtol=1e-5, atol=1e-5)
    with jax.config.enable_x64(True):
        check_grads(nn.standardize, (y[:, :5],), order=1)


# ---------------------------------------------------------------- initializers

def test_simple_initializers():
    k = random.PRNGKey(0)
    np.testing.assert_array_equal(np.asarray(init.zeros(k, (2, 3))), np.zeros((2, 3)))
    np.testing.assert_array_equal(np.asarray(init.ones(k, (2,), jnp.int32)), [1, 1])
    np.testing.assert_array_equal(np.asarray(init.constant(7.0)(k, (2,))), [7.0, 7.0])
    w = np.asarray(init.normal(0.5)(k, (200, 500)))
    assert w.dtype == np.float32 and abs(w.std() - 0.5) < 0.01
    u = np.asarray(init.uniform(2.0)(k, (N_INIT := 100_000,)))
    assert u.min() >= 0 and u.max() < 2.0 and abs(u.mean() - 1.0) < 5 * np.sqrt(1 / 3 / N_INIT)
    t = np.asarray(init.truncated_normal(1.0)(k, (1000,)))
    assert t.min() > -2 and t.max() < 2


@pytest.mark.parametrize("name,scale,mode", [
    ("glorot_uniform", 1.0, "fan_avg"), ("glorot_normal", 1.0, "fan_avg"), ("xavier_uniform", 1.0, "fan_avg"),
    ("lecun_uniform", 1.0, "fan_in"), ("lecun_normal", 1.0, "fan_in"),
    ("he_uniform", 2.0, "fan_in"), ("he_normal", 2.0, "fan_in"), ("kaiming_normal", 2.0, "fan_in"),
])
def test_variance_scaling_initializers(name, scale, mode):
    shape = (3, 3, 40, 60)  # a conv kernel: receptive field 9, fan_in 360, fan_out 540
    w = np.asarray(getattr(init, name)()(random.PRNGKey(1), shape))
    assert w.shape == shape and w.dtype == np.float32
    n = {"fan_in": 360, "fan_avg": 450}[mode]
    assert abs(w.var() / (scale / n) - 1) < 0.05
    if "uniform" in name:
        assert np.abs(w).max() <= np.sqrt(3 * scale / n)


def test_variance_scaling_options_and_errors():
    k = random.PRNGKey(2)
    w = np.asarray(init.variance_scaling(1.0, "fan_out", "normal")(k, (100, 400)))
    assert abs(w.var() * 400 - 1) < 0.05
    assert init.compute_fans((5, 7)) == (5, 7)
    assert init.compute_fans((2, 3, 5, 7), in_axis=0, out_axis=1) == (70, 105)
    with pytest.raises(ValueError, match="mode"):
        init.variance_scaling(1.0, "fan_sideways", "normal")
    with pytest.raises(ValueError, match="rank"):
        init.glorot_uniform()(k, (5,))
    with jax.config.enable_x64(True):
        assert init.he_normal()(k, (4, 4), jnp.float64).dtype == np.float64
