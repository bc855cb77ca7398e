"""Differential tests: nablax.random against live JAX, bit for bit.

Each case is `f(R, jnp, key)` run with JAX and with nablax for several seeds, typed and
legacy keys, eagerly, under jit and under vmap over a batch of keys. Outputs must have
the same dtype and shape and identical bits (NaNs included).
"""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

LIBS = {"jax": (jax, jjnp), "nablax": (nablax, njnp)}
SEEDS = (0, 42, 2**31 - 1)  # typed, legacy, typed keys

# Cases exact in float32 / integer dtypes (and, where marked, float64 under x64).
CASES = {
    "bits": lambda R, np_, k: R.bits(k, (7,)),
    "bits_u8_2d": lambda R, np_, k: R.bits(k, (3, 5), np_.uint8),
    "bits_u16": lambda R, np_, k: R.bits(k, (9,), np_.uint16),
    "split": lambda R, np_, k: R.key_data(R.split(k, 3)),
    "split_shape": lambda R, np_, k: R.key_data(R.split(k, (2, 3))),
    "fold_in": lambda R, np_, k: R.key_data(R.fold_in(k, 123)),
    "uniform": lambda R, np_, k: R.uniform(k, (11,)),
    "uniform_scalar": lambda R, np_, k: R.uniform(k),
    "uniform_bounds": lambda R, np_, k: R.uniform(k, (2, 6), minval=-3.0, maxval=2.5),
    "uniform_array_bounds": lambda R, np_, k: R.uniform(k, (4, 2), minval=np_.array([0.0, 10.0]),
                                                        maxval=np_.array([1.0, 11.0])),
    "uniform_f16": lambda R, np_, k: R.uniform(k, (8,), np_.float16),
    "normal": lambda R, np_, k: R.normal(k, (13,)),
    "normal_2d": lambda R, np_, k: R.normal(k, (3, 4)),
    "normal_f16": lambda R, np_, k: R.normal(k, (8,), np_.float16),
    "normal_c64": lambda R, np_, k: R.normal(k, (5,), np_.complex64),
    "truncated_normal": lambda R, np_, k: R.truncated_normal(k, -1.0, 2.0, (9,)),
    "truncated_normal_arr": lambda R, np_, k: R.truncated_normal(k, np_.zeros(3), np_.ones(3)),
    "bernoulli": lambda R, np_, k: R.bernoulli(k, 0.3, (16,)),
    "bernoulli_arr": lambda R, np_, k: R.bernoulli(k, np_.array([0.1, 0.5, 0.9])),
    "randint": lambda R, np_, k: R.randint(k, (10,), 3, 17),
    "randint_neg": lambda R, np_, k: R.randint(k, (6,), -100, -2),
    "randint_full": lambda R, np_, k: R.randint(k, (6,), -(2**31), 2**31 - 1),
    "randint_u8": lambda R, np_, k: R.randint(k, (12,), 0, 256, np_.uint8),
    "randint_i16": lambda R, np_, k: R.randint(k, (7,), -5, 1000, np_.int16),
    "randint_arr": lambda R, np_, k: R.randint(k, (3, 2), np_.array([0, 100]), np_.array([2, 1000])),
    "randint_empty_range": lambda R, np_, k: R.randint(k, (4,), 5, 5),
    "permutation_int": lambda R, np_, k: R.permutation(k, 10),
    "permutation_arr": lambda R, np_, k: R.permutation(k, np_.arange(12).reshape(4, 3)),
    "permutation_axis1": lambda R, np_, k: R.permutation(k, np_.arange(12).reshape(3, 4), axis=1),
    "permutation_indep": lambda R, np_, k: R.permutation(k, np_.arange(12).reshape(3, 4), 1, True),
    "permutation_big": lambda R, np_, k: R.permutation(k, 3000),
    "choice": lambda R, np_, k: R.choice(k, 5, (8,)),
    "choice_arr": lambda R, np_, k: R.choice(k, np_.arange(12).reshape(3, 4), (2,), axis=1),
    "choice_noreplace": lambda R, np_, k: R.choice(k, 10, (4,), replace=False),
    "choice_p": lambda R, np_, k: R.choice(k, 4, (9,), p=np_.array([0.1, 0.0, 0.6, 0.3])),
    "choice_p_noreplace": lambda R, np_, k: R.choice(k, 4, (2,), replace=False,
                                                     p=np_.array([0.1, 0.2, 0.4, 0.3])),
    "categorical": lambda R, np_, k: R.categorical(k, np_.log(np_.array([0.2, 0.5, 0.3])), shape=(10,)),
    "categorical_batch": lambda R, np_, k: R.categorical(k, np_.array([[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]])),
    "categorical_axis0": lambda R, np_, k: R.categorical(k, np_.array([[0.0, 1.0], [2.0, 0.0], [0.5, 0.5]]),
                                                         axis=0),
    "gumbel": lambda R, np_, k: R.gumbel(k, (10,)),
    "gumbel_f16": lambda R, np_, k: R.gumbel(k, (10,), np_.float16),
    "exponential_f16": lambda R, np_, k: R.exponential(k, (10,), np_.float16),
    "gumbel_high": lambda R, np_, k: R.gumbel(k, (6,), mode="high"),
    "exponential": lambda R, np_, k: R.exponential(k, (10,)),
    "laplace": lambda R, np_, k: R.laplace(k, (10,)),
    "logistic": lambda R, np_, k: R.logistic(k, (10,)),
    "rademacher": lambda R, np_, k: R.rademacher(k, (10,)),
    "rayleigh": lambda R, np_, k: R.rayleigh(k, 2.0, (7,)),
}
JAX_INCONSISTENT = {("gumbel_f16", "vmap")}

# Cases built on functions whose XLA implementation nablax does not reproduce bit for bit
# (tan, exp, power; float64 erf in truncated_normal): close, not equal.
CLOSE = {
    "cauchy": lambda R, np_, k: R.cauchy(k, (8,)),
    "pareto": lambda R, np_, k: R.pareto(k, 3.0, (8,)),
    "weibull_min": lambda R, np_, k: R.weibull_min(k, 2.0, 1.5, (8,)),
    "maxwell": lambda R, np_, k: R.maxwell(k, (8,)),
}
X64_CLOSE = ("truncated_normal", "cauchy", "pareto", "weibull_min", "maxwell")
X64_CASES = ("bits", "split", "fold_in", "uniform", "uniform_bounds", "uniform_f16", "bernoulli", "randint",
             "randint_full", "randint_u8", "permutation_int", "permutation_arr", "choice", "choice_noreplace",
             "rademacher", "normal", "normal_2d", "normal_c64", "gumbel", "gumbel_high", "exponential",
             "laplace", "logistic", "rayleigh", "categorical", "choice_p", "choice_p_noreplace")


def _run(lib: str, name: str, seed: int, mode: str, typed: bool):
    J, jnp = LIBS[lib]
    R = J.random
    f = CASES[name] if name in CASES else CLOSE[name]
    k = R.key(seed) if typed else R.PRNGKey(seed)
    if mode == "eager":
        return f(R, jnp, k)
    if mode == "jit":
        return J.jit(lambda kk: f(R, jnp, kk))(k)
    return J.vmap(lambda kk: f(R, jnp, kk))(R.split(k, 3))


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
    if a.dtype.kind in "fc":
        a = a.view(np.dtype(f"u{a.dtype.itemsize // (2 if a.dtype.kind == 'c' else 1)}"))
        b = b.view(a.dtype)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("mode", ["eager", "jit", "vmap"])
def test_matches_jax(name, mode):
    if (name, mode) in JAX_INCONSISTENT:
        pytest.skip("JAX's own vmapped float16 Gumbel samples differ from its eager ones (XLA fusion)")
    for i, seed in enumerate(SEEDS):
        typed = i % 2 == 0
        _same_bits(_run("nablax", name, seed, mode, typed), _run("jax", name, seed, mode, typed))


@pytest.mark.parametrize("name", X64_CASES)
def test_matches_jax_x64(name, x64):
    for seed in SEEDS:
        _same_bits(_run("nablax", name, seed, "eager", True), _run("jax", name, seed, "eager", True))
        _same_bits(_run("nablax", name, seed, "jit", False), _run("jax", name, seed, "jit", False))


@pytest.mark.parametrize("name", sorted(CLOSE))
@pytest.mark.parametrize("mode", ["eager", "vmap"])
def test_close_to_jax(name, mode):
    for i, seed in enumerate(SEEDS):
        a = np.asarray(_run("nablax", name, seed, mode, i % 2 == 0))
        b = np.asarray(_run("jax", name, seed, mode, i % 2 == 0))
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=5e-6, atol=1e-6)


@pytest.mark.parametrize("name", X64_CLOSE)
def test_close_to_jax_x64(name, x64):
    for seed in SEEDS:
        a = np.asarray(_run("nablax", name, seed, "eager", True))
        b = np.asarray(_run("jax", name, seed, "eager", True))
        assert a.dtype == b.dtype == np.float64 and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("seed", [0, 1, -1, 2**31, -(2**31) - 1, 2**32 + 5, 2**40 + 3, -(2**40)])
def test_seeds(seed):
    np.testing.assert_array_equal(nablax.random.PRNGKey(seed), jax.random.PRNGKey(seed))
    np.testing.assert_array_equal(nablax.random.key_data(nablax.random.key(seed)),
                                  jax.random.key_data(jax.random.key(seed)))


@pytest.mark.parametrize("seed", [-1, 2**32 + 5, -(2**40), 2**63 - 1])
def test_seeds_x64(seed, x64):
    np.testing.assert_array_equal(nablax.random.PRNGKey(seed), jax.random.PRNGKey(seed))


def test_reprs_match():
    for make in (lambda R: R.key(0), lambda R: R.split(R.key(0), 3), lambda R: R.split(R.key(1), (2, 2)),
                 lambda R: R.normal(R.key(0), (3,)), lambda R: R.PRNGKey(7)):
        assert repr(make(nablax.random)) == repr(make(jax.random))
    assert str(nablax.random.key(0).dtype) == str(jax.random.key(0).dtype)


def test_choice_with_unnormalised_and_negative_p_picks_what_jax_picks():
    """choice(replace=True) inverts the cumulative p by binary search, as JAX: for a p with
    negative entries (a non-monotonic cdf) that differs from counting cdf < r."""
    for p in [np.array([0.5, -0.5, 1.0]), np.array([0.2, -0.3, 0.4, 0.7, -0.1]), np.array([1.0, 2.0, 3.0])]:
        want = jax.random.choice(jax.random.key(3), len(p), (64,), p=p)
        got = nablax.random.choice(nablax.random.key(3), len(p), (64,), p=p)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
        assert got.dtype == want.dtype
