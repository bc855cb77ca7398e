"""Differential tests: nablax.random's gamma family against live JAX.

Keys, bits, uniforms, normals and the rejection decisions are JAX's, so the draws are
JAX's except in the last bits where XLA's CPU backend computes a function its own way
(its float32 1/sqrt is the CPU's approximate reciprocal square root plus a Newton step,
which even differs between CPU makes; its exp and pow are its own polynomials): values are
compared to a few float32 ulp (float64: to 1e-12), and most gamma draws must be
bit-identical. Dtypes, shapes and weak types must be equal; errors of the same class;
gradients (JAX's implicit reparameterisation) equal to float32 rounding.
"""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

LIBS = {"jax": (jax, jjnp), "nablax": (nablax, njnp)}
ALPHAS = np.random.default_rng(0).uniform(0.05, 8.0, 300).astype(np.float32)
LOG_ALPHAS = np.concatenate([ALPHAS[:150], ALPHAS[150:] / 1000])  # tiny ones: where log space matters

CASES = {
    "gamma": lambda R, np_, k: R.gamma(k, np_.asarray(ALPHAS)),
    "gamma_shape": lambda R, np_, k: R.gamma(k, 0.7, (3, 40)),
    "gamma_broadcast": lambda R, np_, k: R.gamma(k, np_.asarray(ALPHAS[:5]), (8, 5)),
    "gamma_special": lambda R, np_, k: R.gamma(k, np_.array([0.0, -1.0, np_.inf, np_.nan, 1e-30])),
    "loggamma": lambda R, np_, k: R.loggamma(k, np_.asarray(LOG_ALPHAS)),
    "beta": lambda R, np_, k: R.beta(k, np_.asarray(ALPHAS[:100]), np_.asarray(ALPHAS[100:200])),
    "beta_default_shape": lambda R, np_, k: R.beta(k, np_.ones((2, 1)), np_.full(3, 0.5)),
    "dirichlet": lambda R, np_, k: R.dirichlet(k, np_.asarray(ALPHAS[:6]).reshape(2, 3), (20, 2)),
    "chisquare": lambda R, np_, k: R.chisquare(k, np_.asarray(ALPHAS[:100])),
    "f": lambda R, np_, k: R.f(k, np_.asarray(ALPHAS[:100]), np_.asarray(ALPHAS[100:200])),
    "t": lambda R, np_, k: R.t(k, np_.asarray(ALPHAS[:100])),
    "t_int_df": lambda R, np_, k: R.t(k, 3, (50,)),
    "generalized_normal": lambda R, np_, k: R.generalized_normal(k, 1.5, (100,)),
    "ball": lambda R, np_, k: R.ball(k, 3, 1.5, (40,)),
}
TRANSFORMED = ("gamma", "beta", "dirichlet", "t")


def all_cases(R, np_, k):
    return {name: f(R, np_, k) for name, f in CASES.items()}


@pytest.fixture(scope="module")
def jax_draws():
    """Every case's JAX draws (typed key 0) from one compiled program (JAX compiles each
    sampler anyway)."""
    return jax.jit(lambda k: all_cases(jax.random, jjnp, k))(jax.random.key(0))


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_draws_as_jax(name, jax_draws):
    assert_same(jax_draws[name], CASES[name](nablax.random, njnp, nablax.random.key(0)), rtol=1e-5, atol=1e-6,
                path=name)


def test_legacy_keys():
    j = jax.random.gamma(jax.random.PRNGKey(42), 0.7, (3, 40))
    assert_same(j, nablax.random.gamma(nablax.random.PRNGKey(42), 0.7, (3, 40)), rtol=1e-5, atol=1e-6)


def test_most_gamma_draws_are_bit_identical(jax_draws):
    for name in ("gamma", "loggamma", "t"):
        j = np.asarray(jax_draws[name])
        n = np.asarray(CASES[name](nablax.random, njnp, nablax.random.key(0)))
        assert np.mean(j == n) > 0.5, (name, np.mean(j == n))
    ones = np.ones(50, np.float32)  # 1 / sqrt(2/3): no reciprocal square root differs at alpha = 1
    np.testing.assert_array_equal(np.asarray(nablax.random.gamma(nablax.random.key(3), ones)),
                                  np.asarray(jax.random.gamma(jax.random.key(3), ones)))


def test_same_under_jit_and_vmap():
    def some(R, np_, k):
        return {name: CASES[name](R, np_, k) for name in TRANSFORMED}

    j = jax.jit(jax.vmap(lambda k: some(jax.random, jjnp, k)))(jax.random.split(jax.random.key(6), 3))
    keys = nablax.random.split(nablax.random.key(6), 3)
    assert_same(j, nablax.vmap(lambda k: some(nablax.random, njnp, k))(keys), rtol=1e-5, atol=1e-6)
    assert_same(j, nablax.jit(nablax.vmap(lambda k: some(nablax.random, njnp, k)))(keys), rtol=1e-5, atol=1e-6)
    a = ALPHAS[:20]
    j = jax.vmap(lambda al: jax.random.gamma(jax.random.key(2), al, (3,)))(jjnp.asarray(a))
    n = nablax.vmap(lambda al: nablax.random.gamma(nablax.random.key(2), al, (3,)))(njnp.asarray(a))
    assert_same(j, n, rtol=1e-5, atol=1e-6)


def _float64_cases(R, np_, k):
    return {"gamma": R.gamma(k, np_.asarray(ALPHAS, np_.float64)),
            "loggamma": R.loggamma(k, np_.asarray(ALPHAS, np_.float64)),
            "beta": R.beta(k, 2.0, 0.3, (50,)),
            "t": R.t(k, 2.5, (50,))}


@pytest.mark.usefixtures("x64")
def test_float64_draws():
    j = jax.jit(lambda k: _float64_cases(jax.random, jjnp, k))(jax.random.key(7))
    n = _float64_cases(nablax.random, njnp, nablax.random.key(7))
    assert n["gamma"].dtype == np.float64
    assert_same(j, n, rtol=1e-12, atol=1e-14)


def test_half_precision():
    """Half precision follows the same loop with per-operation rounding; most draws are JAX's."""
    for dtype in ("float16", "bfloat16"):
        j = np.asarray(jax.random.gamma(jax.random.key(8), jjnp.asarray(ALPHAS), dtype=dtype))
        n = nablax.random.gamma(nablax.random.key(8), njnp.asarray(ALPHAS), dtype=dtype)
        assert np.asarray(n).dtype == j.dtype and n.shape == j.shape and not n.weak_type
        assert np.mean(np.asarray(n) == j) > 0.8
    assert nablax.random.beta(nablax.random.key(0), 2.0, 3.0, (4,), njnp.float16).dtype == \
        jax.random.beta(jax.random.key(0), 2.0, 3.0, (4,), jjnp.float16).dtype


GRADS = {
    "gamma": lambda R, np_, k, a: R.gamma(k, a, (5,)).sum(),
    "loggamma": lambda R, np_, k, a: R.loggamma(k, a, (5,)).sum(),
    "beta_a": lambda R, np_, k, a: R.beta(k, a, 1.5, (5,)).sum(),
    "beta_b": lambda R, np_, k, a: R.beta(k, 0.8, a, (5,)).sum(),
    "dirichlet": lambda R, np_, k, a: (R.dirichlet(k, np_.stack([a, 2 * a, 1.0 + a])) * np_.arange(3.0)).sum(),
    "chisquare": lambda R, np_, k, a: R.chisquare(k, a, (5,)).sum(),
    "t": lambda R, np_, k, a: R.t(k, a, (5,)).sum(),
    "f": lambda R, np_, k, a: R.f(k, a, 4.0, (5,)).sum(),
}


def test_gradients_match_jax():
    def grads(lib, R, np_):
        out = {name: lib.grad(lambda a, f=f: f(R, np_, R.key(9), a))(2.5) for name, f in GRADS.items()}
        out["gamma_small"] = lib.grad(lambda a: GRADS["gamma"](R, np_, R.key(9), a))(0.4)
        return out

    j = jax.jit(lambda: grads(jax, jax.random, jjnp))()
    assert_same(j, grads(nablax, nablax.random, njnp), rtol=1e-4, atol=1e-6)


ERRORS = {
    "not_a_key": lambda R, np_: R.gamma(np_.ones(2), 1.0),
    "batched_key": lambda R, np_: R.gamma(R.split(R.key(0)), 1.0),
    "int_dtype": lambda R, np_: R.gamma(R.key(0), 1.0, dtype=np_.int32),
    "loggamma_int_dtype": lambda R, np_: R.loggamma(R.key(0), 1.0, dtype=np_.int32),
    "shape_mismatch": lambda R, np_: R.gamma(R.key(0), np_.ones(3), (2,)),
    "beta_shapes": lambda R, np_: R.beta(R.key(0), np_.ones(3), np_.ones(2)),
    "beta_complex": lambda R, np_: R.beta(R.key(0), np_.array([1 + 2j]), 1.0),
    "beta_int_dtype": lambda R, np_: R.beta(R.key(0), 1.0, 2.0, dtype=np_.int32),
    "t_complex": lambda R, np_: R.t(R.key(0), np_.array([1 + 2j])),
    "chisquare_complex": lambda R, np_: R.chisquare(R.key(0), np_.array([1 + 2j])),
    "f_complex": lambda R, np_: R.f(R.key(0), np_.array([1 + 2j]), 1.0),
    "f_shapes": lambda R, np_: R.f(R.key(0), np_.ones(3), np_.ones((2, 1))),
    "dirichlet_scalar": lambda R, np_: R.dirichlet(R.key(0), 1.0),
    "dirichlet_shape": lambda R, np_: R.dirichlet(R.key(0), np_.ones((2, 3)), (4,)),
    "dirichlet_int_dtype": lambda R, np_: R.dirichlet(R.key(0), np_.ones(3), dtype=np_.int32),
    "ball_float_d": lambda R, np_: R.ball(R.key(0), 2.5),
    "ball_negative_d": lambda R, np_: R.ball(R.key(0), -1),
    "generalized_normal_int": lambda R, np_: R.generalized_normal(R.key(0), 2.0, (3,), dtype=np_.int32),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_same_errors_as_jax(name):
    with pytest.raises(Exception) as j:
        ERRORS[name](jax.random, jjnp)
    with pytest.raises(Exception) as n:
        ERRORS[name](nablax.random, njnp)
    assert type(n.value).__name__ == type(j.value).__name__, (j.value, n.value)


def test_traced_ball_dimension_and_lists():
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(lambda d: jax.random.ball(jax.random.key(0), d))(3)
    with pytest.raises(nablax.errors.ConcretizationTypeError):
        nablax.jit(lambda d: nablax.random.ball(nablax.random.key(0), d))(3)
    with pytest.raises(TypeError):
        jax.random.gamma(jax.random.key(0), [1.0, 2.0])
    with pytest.raises(TypeError):
        nablax.random.gamma(nablax.random.key(0), [1.0, 2.0])


def test_random_gamma_p_is_exported():
    assert nablax.random.random_gamma_p.name == jax.random.random_gamma_p.name == "random_gamma"
