"""nablax.random: Threefry known answers, key semantics, distributions' moments, transformations."""
import numpy as np
import pytest
import scipy.stats as st

import nablax as jax
import nablax.numpy as jnp
from nablax import random
from nablax._src.primitives.random_bits import threefry2x32
from nablax.test_util import check_grads

from .primitives.cases_random import KAT, scalar_reference

N = 100_000


def np_(x):
    return np.asarray(x)


def assert_mean_var(x, mean, var, sigmas=5.0):
    """Sample mean and variance within `sigmas` standard errors of the true values."""
    x = np.asarray(x, np.float64).ravel()
    n = x.size
    assert abs(x.mean() - mean) < sigmas * np.sqrt(var / n), (x.mean(), mean)
    m4 = np.mean((x - x.mean()) ** 4)
    assert abs(x.var() - var) < sigmas * np.sqrt(max(m4 - var**2, 1e-12) / n), (x.var(), var)


# ------------------------------------------------------------------ the cipher

@pytest.mark.parametrize("args,expected", KAT)
def test_threefry_known_answers(args, expected):
    k0, k1, x0, x1 = (jnp.asarray(np.uint32(a)) for a in args)
    y0, y1 = threefry2x32(k0, k1, x0, x1)
    assert (int(y0), int(y1)) == expected
    assert y0.dtype == np.uint32 and y1.dtype == np.uint32


def test_threefry_matches_scalar_reference_on_random_blocks():
    g = np.random.default_rng(0)
    ops = [g.integers(0, 2**32, size=(7,), dtype=np.uint32) for _ in range(4)]
    y = threefry2x32(*[jnp.asarray(o) for o in ops])
    ref = scalar_reference(*ops)
    for a, b in zip(y, ref):
        np.testing.assert_array_equal(np_(a), b)


def test_threefry_2x32_counter_layout():
    (k0, k1, x0, x1), expected = KAT[2]
    out = random.threefry_2x32((np.uint32(k0), np.uint32(k1)), jnp.array([x0, x1], jnp.uint32))
    assert tuple(np_(out).tolist()) == expected
    odd = random.threefry_2x32((np.uint32(k0), np.uint32(k1)), jnp.array([x0, 5, 9], jnp.uint32))
    assert odd.shape == (3,) and odd.dtype == np.uint32


def test_threefry_rejects_non_uint32():
    with pytest.raises(TypeError, match="uint32"):
        threefry2x32(jnp.int32(1), jnp.uint32(2), jnp.uint32(3), jnp.uint32(4))


# ------------------------------------------------------------------------ keys

def test_prng_key_layout_and_key_alias():
    k = random.PRNGKey(42)
    assert k.shape == (2,) and k.dtype == np.uint32
    np.testing.assert_array_equal(np_(k), [0, 42])
    np.testing.assert_array_equal(np_(random.key(42)), [0, 42])
    np.testing.assert_array_equal(np_(random.PRNGKey(2**32 + 5)), [1, 5])
    np.testing.assert_array_equal(np_(random.PRNGKey(-1)), [2**32 - 1, 2**32 - 1])
    np.testing.assert_array_equal(np_(random.key_data(random.key(3))), [0, 3])


def test_prng_key_traced_seed_matches_eager():
    for seed in (0, 7, -1, -12345, 2**31 - 1):
        np.testing.assert_array_equal(np_(jax.jit(random.PRNGKey)(seed)), np_(random.PRNGKey(seed)))
    keys = jax.vmap(random.PRNGKey)(jnp.arange(3))
    np.testing.assert_array_equal(np_(keys), [[0, 0], [0, 1], [0, 2]])
    with jax.config.enable_x64(True):
        np.testing.assert_array_equal(np_(jax.jit(random.PRNGKey)(jnp.int64(2**40 + 3))), [2**8, 3])


@pytest.mark.parametrize("bad", [jnp.zeros(2), jnp.zeros(3, jnp.uint32), np.zeros(2, np.int32), [0, 0], 0])
def test_bad_keys_raise_type_error_naming_uint32_2(bad):
    with pytest.raises(TypeError, match=r"uint32\[2\]"):
        random.uniform(bad)


def test_batched_key_error_suggests_vmap():
    keys = random.split(random.PRNGKey(0), 3)
    with pytest.raises(TypeError, match="vmap"):
        random.normal(keys, (2,))


def test_bad_seed():
    with pytest.raises(TypeError):
        random.PRNGKey(1.5)
    with pytest.raises(OverflowError):
        random.PRNGKey(2**64)


def test_determinism_and_distinct_streams():
    k = random.PRNGKey(0)
    np.testing.assert_array_equal(np_(random.normal(k, (5,))), np_(random.normal(random.PRNGKey(0), (5,))))
    assert not np.array_equal(np_(random.normal(k, (5,))), np_(random.normal(random.PRNGKey(1), (5,))))
    # A prefix of a longer draw is not required, but each call must be a pure function of (key, shape).
    np.testing.assert_array_equal(np_(random.bits(k, (4,))), np_(random.bits(k, (4,))))


def test_split_and_fold_in():
    k = random.PRNGKey(0)
    ks = random.split(k)
    assert ks.shape == (2, 2) and ks.dtype == np.uint32
    assert random.split(k, 5).shape == (5, 2)
    assert random.split(k, (2, 3)).shape == (2, 3, 2)
    np.testing.assert_array_equal(np_(random.split(k, 4))[:2], np_(ks))  # key i depends only on i
    all_keys = np.concatenate([np_(ks), np_(k)[None], np_(random.fold_in(k, 0))[None],
                               np_(random.fold_in(k, 1))[None]])
    assert len({tuple(r) for r in all_keys}) == len(all_keys)
    np.testing.assert_array_equal(np_(jax.jit(random.fold_in)(k, 7)), np_(random.fold_in(k, 7)))
    folded = jax.vmap(lambda d: random.fold_in(k, d))(jnp.arange(3))
    np.testing.assert_array_equal(np_(folded[2]), np_(random.fold_in(k, 2)))


def test_split_keys_are_uncorrelated():
    k1, k2 = random.split(random.PRNGKey(3))
    a, b = np_(random.uniform(k1, (N,))), np_(random.uniform(k2, (N,)))
    c = np_(random.uniform(random.PRNGKey(3), (N,)))  # the parent stream
    for x, y in ((a, b), (a, c), (b, c)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 5 / np.sqrt(N)
    # Neighbouring samples of one stream are uncorrelated as well.
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 5 / np.sqrt(N)


def test_bits_dtypes_and_balance():
    k = random.PRNGKey(0)
    for dt in (np.uint8, np.uint16, np.uint32):
        b = random.bits(k, (3, 4), dt)
        assert b.shape == (3, 4) and b.dtype == dt
    w = np_(random.bits(k, (N,)))
    ones = ((w[:, None] >> np.arange(32, dtype=np.uint32)) & 1).mean(0)
    assert np.all(np.abs(ones - 0.5) < 5 * 0.5 / np.sqrt(N))
    with pytest.raises(TypeError, match="x64"):
        random.random_bits(k, 64, (2,))
    with jax.config.enable_x64(True):
        b = random.bits(k, (N,), np.uint64)
        assert b.dtype == np.uint64
        assert abs(np.mean(np_(b) >> np.uint64(63)) - 0.5) < 5 * 0.5 / np.sqrt(N)


# --------------------------------------------------------------- distributions

def test_uniform():
    k = random.PRNGKey(1)
    u = random.uniform(k, (N,))
    assert u.dtype == np.float32 and u.shape == (N,)
    assert np_(u).min() >= 0 and np_(u).max() < 1
    assert_mean_var(u, 0.5, 1 / 12)
    v = np_(random.uniform(k, (N,), minval=-2.0, maxval=3.0))
    assert v.min() >= -2 and v.max() < 3
    assert_mean_var(v, 0.5, 25 / 12)
    # Array bounds broadcast against the shape.
    w = np_(random.uniform(k, (1000, 2), minval=jnp.array([0.0, 10.0]), maxval=jnp.array([1.0, 11.0])))
    assert w[:, 0].max() < 1 and w[:, 1].min() >= 10
    # Narrow ranges near large values still stay below maxval.
    z = np_(random.uniform(k, (N,), minval=1.0, maxval=1.0000001))
    assert z.min() >= 1.0 and z.max() < np.float32(1.0000001)
    assert random.uniform(k, (2,), jnp.float16).dtype == np.float16
    assert np_(random.uniform(k, (N,), jnp.float16)).max() < 1
    with pytest.raises(ValueError, match="float"):
        random.uniform(k, (2,), jnp.int32)
    with pytest.raises(ValueError, match="broadcast"):
        random.uniform(k, (2,), minval=jnp.zeros(3))


def test_float64_under_x64():
    with jax.config.enable_x64(True):
        k = random.PRNGKey(0)
        u = random.uniform(k, (N,), jnp.float64)
        assert u.dtype == np.float64
        assert len(np.unique(np_(u) * 2**23 % 1)) > 1000  # more than float32's 23 bits
        assert_mean_var(u, 0.5, 1 / 12)
        assert random.normal(k, (3,), jnp.float64).dtype == np.float64
        assert random.normal(k, (3,)).dtype == np.float64  # the default float is 64-bit


def test_normal_moments_and_shape():
    x = np_(random.normal(random.PRNGKey(2), (N,)))
    assert x.dtype == np.float32
    assert_mean_var(x, 0.0, 1.0)
    assert abs(st.skew(x)) < 5 * np.sqrt(6 / N)
    assert abs(st.kurtosis(x)) < 5 * np.sqrt(24 / N)
    assert np.isfinite(x).all()
    assert random.normal(random.PRNGKey(0), (2, 3)).shape == (2, 3)
    assert random.normal(random.PRNGKey(0)).shape == ()
    z = np_(random.normal(random.PRNGKey(2), (N,), jnp.complex64))
    assert z.dtype == np.complex64
    assert_mean_var(z.real, 0.0, 0.5)
    assert_mean_var(z.imag, 0.0, 0.5)


def test_truncated_normal():
    x = np_(random.truncated_normal(random.PRNGKey(0), -1.0, 2.0, (N,)))
    assert x.min() > -1 and x.max() < 2
    d = st.truncnorm(-1.0, 2.0)
    assert_mean_var(x, d.mean(), d.var())
    y = random.truncated_normal(random.PRNGKey(0), jnp.zeros(3), jnp.ones(3))
    assert y.shape == (3,)


def test_bernoulli_and_rademacher():
    b = np_(random.bernoulli(random.PRNGKey(0), 0.3, (N,)))
    assert b.dtype == np.bool_
    assert abs(b.mean() - 0.3) < 5 * np.sqrt(0.21 / N)
    assert random.bernoulli(random.PRNGKey(0), jnp.array([0.0, 1.0])).tolist() == [False, True]
    r = np_(random.rademacher(random.PRNGKey(0), (N,)))
    assert set(np.unique(r)) == {-1, 1} and abs(r.mean()) < 5 / np.sqrt(N)


def test_randint():
    k = random.PRNGKey(0)
    r = np_(random.randint(k, (N,), 3, 10))
    assert r.dtype == np.int32 and r.min() == 3 and r.max() == 9
    counts = np.bincount(r - 3, minlength=7)
    assert st.chisquare(counts).pvalue > 1e-4
    # Spans that do not divide 2**32 evenly stay uniform (no modulo bias).
    big = np_(random.randint(k, (N,), 0, 3 * 2**29))
    assert abs(big.mean() / (3 * 2**29) - 0.5) < 5 * np.sqrt(1 / 12 / N)
    assert (big >= 2**30).mean() == pytest.approx(1 / 3, abs=5 * np.sqrt(2 / 9 / N))
    # Negative bounds, array bounds, the full range of the dtype and empty ranges.
    neg = np_(random.randint(k, (1000,), -5, -2))
    assert set(np.unique(neg)) == {-5, -4, -3}
    two = np_(random.randint(k, (1000, 2), jnp.array([0, 100]), jnp.array([2, 102])))
    assert set(np.unique(two[:, 0])) == {0, 1} and set(np.unique(two[:, 1])) == {100, 101}
    full = np_(random.randint(k, (N,), -(2**31), 2**31))
    assert full.min() < -(2**30) and full.max() > 2**30 and (full < 0).mean() == pytest.approx(0.5, abs=0.02)
    u8 = np_(random.randint(k, (N,), 0, 256, jnp.uint8))
    assert u8.dtype == np.uint8 and u8.max() == 255 and u8.min() == 0
    np.testing.assert_array_equal(np_(random.randint(k, (4,), 5, 5)), 5)
    with jax.config.enable_x64(True):
        r64 = np_(random.randint(k, (N,), 0, 3 * 2**40, jnp.int64))
        assert r64.dtype == np.int64 and r64.max() < 3 * 2**40
        assert abs(r64.mean() / (3 * 2**40) - 0.5) < 5 * np.sqrt(1 / 12 / N)
    with pytest.raises(TypeError, match="integer"):
        random.randint(k, (2,), 0, 5, jnp.float32)


def test_choice():
    k = random.PRNGKey(0)
    c = np_(random.choice(k, 5, (N,)))
    assert st.chisquare(np.bincount(c, minlength=5)).pvalue > 1e-4
    p = np.array([0.1, 0.0, 0.6, 0.3])
    cp = np_(random.choice(k, 4, (N,), p=jnp.asarray(p)))
    freq = np.bincount(cp, minlength=4) / N
    assert freq[1] == 0
    np.testing.assert_allclose(freq, p, atol=5 * np.sqrt(0.25 / N))
    no_rep = np_(random.choice(k, 10, (10,), replace=False))
    assert sorted(no_rep.tolist()) == list(range(10))
    no_rep_p = np_(random.choice(k, 4, (2,), replace=False, p=jnp.asarray(p)))
    assert len(set(no_rep_p.tolist())) == 2 and 1 not in no_rep_p
    a = jnp.arange(12).reshape(3, 4)
    rows = np_(random.choice(k, a, (2,), replace=False))
    assert rows.shape == (2, 4) and all(r.tolist() in np_(a).tolist() for r in rows)
    cols = random.choice(k, a, (5,), axis=1)
    assert cols.shape == (3, 5)
    with pytest.raises(ValueError, match="without replacement"):
        random.choice(k, 3, (4,), replace=False)


def test_permutation():
    k = random.PRNGKey(0)
    p = np_(random.permutation(k, 20))
    assert sorted(p.tolist()) == list(range(20)) and p.tolist() != list(range(20))
    x = jnp.arange(12).reshape(4, 3)
    rows = np_(random.permutation(k, x))
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, np_(x).tolist()))
    cols = np_(random.permutation(k, x, axis=1, independent=True))
    assert all(sorted(r) == sorted(o) for r, o in zip(cols.tolist(), np_(x).tolist()))
    # Every position is equally likely to receive every element.
    first = np_(jax.vmap(lambda kk: random.permutation(kk, 4))(random.split(k, 4000)))[:, 0]
    assert st.chisquare(np.bincount(first, minlength=4)).pvalue > 1e-4


def test_categorical():
    k = random.PRNGKey(0)
    logits = jnp.log(jnp.array([0.2, 0.5, 0.3]))
    s = np_(random.categorical(k, logits, shape=(N,)))
    np.testing.assert_allclose(np.bincount(s, minlength=3) / N, [0.2, 0.5, 0.3], atol=5 * np.sqrt(0.25 / N))
    batch = jnp.array([[0.0, -np.inf], [-np.inf, 0.0]])  # -inf logits are never drawn
    np.testing.assert_array_equal(np_(random.categorical(k, batch)), [0, 1])
    np.testing.assert_array_equal(np_(random.categorical(k, batch.T, axis=0)), [0, 1])
    assert random.categorical(k, batch, shape=(5, 2)).shape == (5, 2)


@pytest.mark.parametrize("name,dist", [
    ("exponential", st.expon()), ("gumbel", st.gumbel_r()), ("laplace", st.laplace()),
    ("logistic", st.logistic()), ("maxwell", st.maxwell()),
])
def test_standard_distributions_moments(name, dist):
    x = np_(getattr(random, name)(random.PRNGKey(5), (N,)))
    assert x.dtype == np.float32 and np.isfinite(x).all()
    assert_mean_var(x, dist.mean(), dist.var())
    assert st.kstest(x, dist.cdf).pvalue > 1e-4


def test_parameterized_distributions():
    k = random.PRNGKey(6)
    c = np_(random.cauchy(k, (N,)))
    assert st.kstest(c, st.cauchy.cdf).pvalue > 1e-4
    p = np_(random.pareto(k, 3.0, (N,)))
    assert p.min() >= 1 and st.kstest(p, st.pareto(3.0).cdf).pvalue > 1e-4
    w = np_(random.weibull_min(k, 2.0, 1.5, (N,)))
    assert st.kstest(w, st.weibull_min(1.5, scale=2.0).cdf).pvalue > 1e-4
    r = np_(random.rayleigh(k, 2.0, (N,)))
    assert st.kstest(r, st.rayleigh(scale=2.0).cdf).pvalue > 1e-4


# ------------------------------------------------------------- transformations

def test_jit_matches_eager():
    k = random.PRNGKey(0)
    for f in (lambda k: random.uniform(k, (5,)), lambda k: random.normal(k, (2, 3)),
              lambda k: random.randint(k, (4,), 0, 100), lambda k: random.split(k, 3),
              lambda k: random.permutation(k, 6), lambda k: random.categorical(k, jnp.zeros(4), shape=(3,))):
        np.testing.assert_array_equal(np_(jax.jit(f)(k)), np_(f(k)))


def test_vmap_over_keys_gives_per_lane_streams():
    keys = random.split(random.PRNGKey(0), 4)
    for f in (lambda k: random.uniform(k, (3,)), lambda k: random.normal(k, (2,)),
              lambda k: random.randint(k, (3,), 0, 9), lambda k: random.split(k)):
        out = np_(jax.vmap(f)(keys))
        np.testing.assert_array_equal(out, np.stack([np_(f(kk)) for kk in keys]))
    out = np_(jax.vmap(lambda k: random.normal(k, (3,)))(keys))
    assert len({tuple(r) for r in out.tolist()}) == 4
    # Batched over a non-leading axis of the keys as well.
    out_t = np_(jax.vmap(lambda k: random.uniform(k, (2,)), in_axes=1)(keys.T))
    np.testing.assert_array_equal(out_t, np_(jax.vmap(lambda k: random.uniform(k, (2,)))(keys)))


def test_grad_of_reparameterized_draws():
    k = random.PRNGKey(0)
    z = np_(random.normal(k, (10,)))

    def f(mu, sigma):
        return jnp.sum(mu + sigma * random.normal(k, (10,)))

    g_mu, g_sigma = jax.grad(f, argnums=(0, 1))(1.0, 2.0)
    assert float(g_mu) == 10.0
    np.testing.assert_allclose(float(g_sigma), z.sum(), rtol=1e-5)
    u = np_(random.uniform(k, (4,)))
    g = jax.grad(lambda lo, hi: jnp.sum(random.uniform(k, (4,), minval=lo, maxval=hi)), argnums=(0, 1))(1.0, 3.0)
    np.testing.assert_allclose([float(g[0]), float(g[1])], [np.sum(1 - u), np.sum(u)], rtol=1e-5)
    with jax.config.enable_x64(True):
        check_grads(lambda m, s: m + s * random.normal(k, (3,)), (0.5, 1.5), order=2)
        check_grads(lambda s: random.gumbel(k, (3,)) * s, (2.0,), order=1)
