"""Differential tests: nablax.random's discrete and multivariate samplers against live JAX.

Each case runs with JAX and with nablax for several seeds (typed and legacy keys),
eagerly, under jit and under vmap over a batch of keys; dtypes, shapes and bits must be
identical. The rejection samplers' cases mix parameters so that both branches, the
dummy lanes JAX's while loops carry, and many rounds are exercised.
"""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

LIBS = {"jax": (jax, jjnp), "nablax": (nablax, njnp)}
SEEDS = (0, 42, 2**31 - 1)
F32 = np.float32

_LAM = np.array([0.0, 0.5, 3.0, 9.9, 10.0, 12.5, 30.0, 250.0, 1e4, 1e5, 1e6], F32)
_N = np.array([0.0, 1.0, 7.0, 20.0, 60.0, 500.0, 1e4, 1e6, -1.0, np.nan, np.inf, 30.0], F32)
_P = np.array([0.5, 0.9, 0.3, 0.6, 0.2, 0.45, 0.05, 0.7, 0.5, 0.5, 0.3, np.nan], F32)
_COV3 = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 1.5]], F32)
_COV5 = (lambda a: (a @ a.T / 5 + np.eye(5)).astype(F32))(np.random.default_rng(5).normal(size=(5, 5)))

CASES = {
    "poisson": lambda R, k: R.poisson(k, 3.0, (40,)),
    "poisson_large": lambda R, k: R.poisson(k, 80.0, (40,)),
    "poisson_mixed": lambda R, k: R.poisson(k, np.tile(_LAM, 4)),
    "poisson_shape": lambda R, k: R.poisson(k, _LAM[:4], (3, 4)),
    "poisson_int8": lambda R, k: R.poisson(k, 4.0, (9,), dtype=np.int8),
    "poisson_uint16": lambda R, k: R.poisson(k, 40.0, (9,), dtype=np.uint16),
    "binomial": lambda R, k: R.binomial(k, 10.0, 0.3, (40,)),
    "binomial_large": lambda R, k: R.binomial(k, 300.0, 0.4, (40,)),
    "binomial_mixed": lambda R, k: R.binomial(k, np.tile(_N, 3), np.tile(_P, 3)),
    "binomial_int_n": lambda R, k: R.binomial(k, np.array([3, 50, 2000]), np.array([0.3, 0.8, 0.5], F32)),
    "binomial_shape": lambda R, k: R.binomial(k, 40.0, np.array([0.1, 0.5, 0.95], F32), (2, 3)),
    "binomial_p_edges": lambda R, k: R.binomial(k, 25.0, np.array([0.0, 1.0, -0.1, 1.2], F32)),
    "geometric": lambda R, k: R.geometric(k, 0.3, (40,)),
    "geometric_arr": lambda R, k: R.geometric(k, np.array([0.01, 0.5, 0.99], F32)),
    "geometric_int16": lambda R, k: R.geometric(k, 0.2, (7,), np.int16),
    "multinomial": lambda R, k: R.multinomial(k, 100.0, np.array([0.2, 0.3, 0.5], F32)),
    "multinomial_batch": lambda R, k: R.multinomial(k, np.array([10.0, 1000.0], F32),
                                                    np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], F32)),
    "multinomial_zero_p": lambda R, k: R.multinomial(k, 20.0, np.array([0.0, 0.6, 0.0, 0.4], F32),
                                                     dtype=np.int32),
    "triangular": lambda R, k: R.triangular(k, 0.0, 0.3, 2.0, (40,)),
    "triangular_arr": lambda R, k: R.triangular(k, np.array([-1.0, 0.0], F32), 0.5,
                                                np.array([1.0, 3.0], F32), (3, 2)),
    "wald": lambda R, k: R.wald(k, 1.5, (40,)),
    "wald_arr": lambda R, k: R.wald(k, np.linspace(0.1, 20.0, 30, dtype=F32)),
    "double_sided_maxwell": lambda R, k: R.double_sided_maxwell(k, 1.0, 2.5, (2000,)),
    "double_sided_maxwell_arr": lambda R, k: R.double_sided_maxwell(k, np.linspace(-1, 1, 30, dtype=F32),
                                                                    np.float32(0.7), (70,)),
    "maxwell": lambda R, k: R.maxwell(k, (3000,)),
    "mvn": lambda R, k: R.multivariate_normal(k, np.array([1.0, 2.0], F32),
                                              np.array([[2.0, 0.5], [0.5, 1.0]], F32), (20,)),
    "mvn_eigh": lambda R, k: R.multivariate_normal(k, np.zeros(3, F32), _COV3, (9,), method="eigh"),
    "mvn_svd": lambda R, k: R.multivariate_normal(k, np.ones(3, F32), _COV3, (9,), method="svd"),
    "mvn_5": lambda R, k: R.multivariate_normal(k, np.arange(5, dtype=F32), _COV5, (300,)),
}
# Built on exp, which nablax computes with NumPy rather than XLA's polynomial, or on
# arithmetic XLA fuses differently for small arrays: close, not equal.
CLOSE = {
    "double_sided_maxwell_small": lambda R, k: R.double_sided_maxwell(k, 1.0, 2.5, (20,)),
    "maxwell_small": lambda R, k: R.maxwell(k, (30,)),
    "mvn_5_small": lambda R, k: R.multivariate_normal(k, np.arange(5, dtype=F32), _COV5, (6,)),
    "mvn_batch_mean": lambda R, k: R.multivariate_normal(k, np.zeros((4, 3), F32), _COV3),
    "lognormal": lambda R, k: R.lognormal(k, 0.5, (40,)),
    "lognormal_default": lambda R, k: R.lognormal(k, shape=(5,)),
    "mvn_1d": lambda R, k: R.multivariate_normal(k, np.array([0.3], F32), np.array([[2.7]], F32), (9,)),
}
X64_CASES = ("poisson_mixed", "binomial_mixed", "geometric", "triangular", "wald_arr", "mvn")


_JAX_FNS: dict = {}


def _jax_ref(name: str, f, mode: str, seeds):
    """JAX's samples for typed keys of `seeds`, each case and mode compiled once (JAX's eager
    samplers run jitted internals, so its jit results are its eager ones)."""
    if (name, mode) not in _JAX_FNS:
        g = (lambda k: f(jax.random, k)) if mode != "vmap" else jax.vmap(lambda k: f(jax.random, k))
        _JAX_FNS[name, mode] = jax.jit(g)
    keys = [jax.random.key(s) for s in seeds]
    return [_JAX_FNS[name, mode](k if mode != "vmap" else jax.random.split(k, 3)) for k in keys]


def _nablax(f, seed: int, mode: str, typed: bool):
    R = nablax.random
    k = R.key(seed) if typed else R.PRNGKey(seed)
    if mode == "eager":
        return f(R, k)
    if mode == "jit":
        return nablax.jit(lambda kk: f(R, kk))(k)
    return nablax.vmap(lambda kk: f(R, kk))(R.split(k, 3))


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
    if a.dtype.kind == "f":
        a, b = a.view(f"u{a.dtype.itemsize}"), b.view(f"u{a.dtype.itemsize}")
    np.testing.assert_array_equal(a, b)


# vmap over keys for the cases where batching changes most (rejection loops' per-lane rounds)
VMAP_CASES = ("poisson_mixed", "binomial_mixed", "geometric_arr", "mvn")


@pytest.mark.parametrize("name,mode", [(n, "eager") for n in sorted(CASES)] + [(n, "vmap") for n in VMAP_CASES])
def test_matches_jax(name, mode):
    refs = _jax_ref(name, CASES[name], mode, SEEDS)
    for i, (seed, ref) in enumerate(zip(SEEDS, refs)):
        _same_bits(_nablax(CASES[name], seed, mode, i % 2 == 0), ref)


@pytest.mark.parametrize("name", ["poisson_mixed", "binomial_mixed", "multinomial_batch", "wald_arr", "mvn"])
def test_jit_matches_jax(name):
    ref = _jax_ref(name, CASES[name], "jit", SEEDS[:1])[0]
    _same_bits(_nablax(CASES[name], SEEDS[0], "jit", False), ref)


@pytest.mark.parametrize("name", X64_CASES)
def test_matches_jax_x64(name, x64):
    f = CASES[name]
    _same_bits(_nablax(f, 0, "eager", True), f(jax.random, jax.random.key(0)))


@pytest.mark.parametrize("name", sorted(CLOSE))
def test_close_to_jax(name):
    refs = _jax_ref(name, CLOSE[name], "eager", SEEDS[:2])
    for i, (seed, ref) in enumerate(zip(SEEDS, refs)):
        a, b = np.asarray(_nablax(CLOSE[name], seed, "eager", i % 2 == 0)), np.asarray(ref)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_many_rejection_rounds_match():
    """Large arrays: the rejection loops' round counts (set by the slowest lane) agree."""
    g = np.random.default_rng(1)
    lam = g.uniform(10, 3e5, 2000).astype(F32)
    n = np.floor(g.uniform(20, 1e6, 2000)).astype(F32)
    p = g.uniform(0.01, 0.99, 2000).astype(F32)
    for seed in (0,):
        kj, kn = jax.random.key(seed), nablax.random.key(seed)
        _same_bits(nablax.random.poisson(kn, lam), jax.random.poisson(kj, lam))
        _same_bits(nablax.random.binomial(kn, n, p), jax.random.binomial(kj, n, p))


@pytest.mark.parametrize("name,args", [
    ("poisson", (3.0,)), ("binomial", (10.0, 0.5)), ("geometric", (0.5,)), ("wald", (1.0,)),
    ("triangular", (0.0, 0.5, 1.0)), ("lognormal", ()), ("double_sided_maxwell", (0.0, 1.0)),
])
def test_default_dtypes(name, args):
    a = getattr(nablax.random, name)(nablax.random.key(0), *args, shape=(2,))
    b = getattr(jax.random, name)(jax.random.key(0), *args, shape=(2,))
    assert a.dtype == b.dtype and a.shape == b.shape


def test_default_dtypes_x64(x64):
    for name, args in [("poisson", (3.0,)), ("geometric", (0.5,)), ("wald", (1.0,))]:
        a = getattr(nablax.random, name)(nablax.random.key(0), *args)
        b = getattr(jax.random, name)(jax.random.key(0), *args)
        assert a.dtype == b.dtype, name
    a = nablax.random.multivariate_normal(nablax.random.key(0), np.zeros(2), np.eye(2))
    assert a.dtype == jax.random.multivariate_normal(jax.random.key(0), np.zeros(2), np.eye(2)).dtype


def test_key_dtype():
    assert str(nablax.random.key_dtype()) == str(jax.random.key_dtype())
    assert nablax.random.key_dtype("threefry2x32") == nablax.random.key(0).dtype
    for bad in ("nope", 3):
        with pytest.raises(Exception) as ej:
            jax.random.key_dtype(bad)
        with pytest.raises(ej.type):
            nablax.random.key_dtype(bad)


BAD = {
    "mvn_method": lambda R, k: R.multivariate_normal(k, np.zeros(2), np.eye(2), method="qr"),
    "mvn_mean_0d": lambda R, k: R.multivariate_normal(k, 0.0, np.eye(2)),
    "mvn_cov_1d": lambda R, k: R.multivariate_normal(k, np.zeros(2), np.ones(2)),
    "mvn_cov_shape": lambda R, k: R.multivariate_normal(k, np.zeros(2), np.eye(3)),
    "mvn_shape": lambda R, k: R.multivariate_normal(k, np.zeros((3, 2)), np.eye(2), (4,)),
    "mvn_int_dtype": lambda R, k: R.multivariate_normal(k, np.zeros(2), np.eye(2), dtype=np.int32),
    "poisson_float_dtype": lambda R, k: R.poisson(k, 2.0, dtype=np.float32),
    "geometric_float_dtype": lambda R, k: R.geometric(k, 0.5, dtype=np.float32),
    "geometric_shape": lambda R, k: R.geometric(k, np.ones(3) * 0.5, (2,)),
    "binomial_int_dtype": lambda R, k: R.binomial(k, 5.0, 0.5, dtype=np.int32),
    "binomial_shape": lambda R, k: R.binomial(k, 5.0, np.ones(3) * 0.5, (2,)),
    "binomial_list": lambda R, k: R.binomial(k, [5.0], 0.5),
    "wald_int_dtype": lambda R, k: R.wald(k, 1.0, dtype=np.int32),
    "wald_unsafe_cast": lambda R, k: R.wald(k, np.float64(1.0) * np.ones(2), dtype=np.float16),
    "triangular_int_dtype": lambda R, k: R.triangular(k, 0.0, 0.5, 1.0, dtype=np.int32),
    "lognormal_int_dtype": lambda R, k: R.lognormal(k, dtype=np.int32),
    "dsm_int_dtype": lambda R, k: R.double_sided_maxwell(k, 0.0, 1.0, dtype=np.int32),
    "batched_key": lambda R, k: R.poisson(R.split(k, 2), 1.0),
    "not_a_key": lambda R, k: R.binomial("key", 5.0, 0.5),
    "float_key": lambda R, k: R.geometric(np.zeros(2, np.float32), 0.5),
    "float_shape": lambda R, k: R.normal(k, (2.5,)),
    "int_dtype_normal": lambda R, k: R.normal(k, (2,), np.int32),
    "int_dtype_uniform": lambda R, k: R.uniform(k, (2,), np.int32),
    "float_dtype_randint": lambda R, k: R.randint(k, (2,), 0, 3, np.float32),
    "int_dtype_gumbel": lambda R, k: R.gumbel(k, (2,), np.int32),
    "int_dtype_exponential": lambda R, k: R.exponential(k, (2,), np.int32),
    "float_dtype_bits": lambda R, k: R.bits(k, (2,), np.float32),
    "bernoulli_int_p": lambda R, k: R.bernoulli(k, 1),
    "split_float_num": lambda R, k: R.split(k, 2.5),
    "shape_none_normal": lambda R, k: R.normal(k, None),
    "uniform_shape_str": lambda R, k: R.uniform(k, "ab"),
    "categorical_int_axis": lambda R, k: R.categorical(k, np.zeros(3), axis=2),
    "choice_neg_a": lambda R, k: R.choice(k, -3, (2,)),
    "permutation_float": lambda R, k: R.permutation(k, 2.5),
    "orthogonal_float_n": lambda R, k: R.orthogonal(k, 2.5),
    "truncated_normal_int_dtype": lambda R, k: R.truncated_normal(k, 0.0, 1.0, dtype=np.int32),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_errors_match_jax(name):
    with pytest.raises(Exception) as ej:
        BAD[name](jax.random, jax.random.key(0))
    with pytest.raises(Exception) as en:
        BAD[name](nablax.random, nablax.random.key(0))
    assert en.type.__name__ == ej.type.__name__ or issubclass(en.type, ej.type), (en.type, ej.type, str(en.value))
