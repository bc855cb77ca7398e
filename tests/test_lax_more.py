"""The issue-13 lax primitives: known answers (some JAX's, hard-coded), SciPy/NumPy references,
derivatives (check_grads), vmap and jit agreement."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sps

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads

A = np.array([0.5, 1.0, 2.5, 10.0, 3.0, 0.2, 40.0])
X = np.array([0.3, 2.0, 1.0, 12.0, 30.0, 4.0, 38.0])
# JAX 0.10.2's float64 answers on A, X (XLA's series / continued fraction).
JAX_IGAMMA_GRAD_A = np.array([-7.7057035137535201e-01, -2.2082542621185935e-01, -1.8009960695404140e-01,
                              -9.7177972037179275e-02, -1.1310081317420558e-10, -7.7253356745489356e-03,
                              -6.1575654662100507e-02])
JAX_RANDOM_GAMMA_GRAD = np.array([1.0098019459488552, 1.6316914623496994, 0.650793859686282, 1.112329443018088,
                                  2.685886589190874, 5.8699687327085455, 0.9786426956404422])


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


def test_incomplete_gamma_values(x64):
    np.testing.assert_allclose(lax.igamma(A, X), sps.gammainc(A, X), rtol=1e-14)
    np.testing.assert_allclose(lax.igammac(A, X), sps.gammaincc(A, X), rtol=1e-13)
    np.testing.assert_allclose(lax.igamma_grad_a(A, X), JAX_IGAMMA_GRAD_A, rtol=1e-10)
    np.testing.assert_allclose(lax.random_gamma_grad(A, X), JAX_RANDOM_GAMMA_GRAD, rtol=1e-10)
    # Far tails and large a, against 30-digit values (mpmath).
    np.testing.assert_allclose(lax.igamma_grad_a(np.array([1e-3, 900.0]), np.array([1e-3, 1000.0])),
                               [-6.29320382490042469956732, -7.12923132995727030062866e-05], rtol=1e-10)
    # Edges as JAX: 0 at x = 0, NaN off the domain.
    np.testing.assert_array_equal(lax.igamma_grad_a(np.array([2.0, -1.0, 2.0]), np.array([0.0, 1.0, -1.0])),
                                  [0.0, np.nan, np.nan])


def test_random_gamma_grad_is_the_implicit_derivative(x64):
    """d/da of the u-quantile of Gamma(a, 1) is random_gamma_grad at that quantile."""
    a, u, h = np.array([0.3, 1.5, 7.0]), np.array([0.2, 0.5, 0.9]), 1e-6
    x = sps.gammaincinv(a, u)
    fd = (sps.gammaincinv(a + h, u) - sps.gammaincinv(a - h, u)) / (2 * h)
    np.testing.assert_allclose(lax.random_gamma_grad(a, x), fd, rtol=1e-6)


def test_incomplete_gamma_derivatives(x64):
    check_grads(lambda x: lax.igamma(2.5, x), (1.7,), order=2)
    check_grads(lambda x: lax.igammac(0.7, x), (3.1,), order=2)
    check_grads(lambda a: lax.igamma(a, 1.3), (2.2,), order=1)
    check_grads(lambda x: lax.betainc(2.0, 3.5, x), (0.35,), order=2)
    with pytest.raises(ValueError, match="Betainc gradient"):
        nablax.grad(lax.betainc)(2.0, 1.0, 0.5)
    with pytest.raises(NotImplementedError, match="zeta"):
        nablax.grad(lax.zeta)(2.0, 1.0)


def test_betainc_zeta_and_float32():
    x = np.linspace(0.05, 0.95, 5).astype(np.float32)
    out = lax.betainc(np.float32(2.0), 3.0, x)
    assert out.dtype == np.float32 and not out.weak_type
    np.testing.assert_allclose(out, sps.betainc(2.0, 3.0, x), rtol=1e-6)
    np.testing.assert_allclose(lax.zeta(np.float32(2.0), np.float32(1.0)), np.pi**2 / 6, rtol=1e-6)
    assert lax.igamma(2.0, 3.0).weak_type
    with pytest.raises(TypeError, match="Python int"):
        lax.igamma(x, 2)
    np.testing.assert_allclose(nablax.jit(lax.igamma_grad_a)(x + 1, x), lax.igamma_grad_a(x + 1, x), rtol=1e-6)


def test_top_k_order_ties_and_nan():
    vals, idx = lax.top_k(jnp.array([1.0, 3.0, 3.0, np.nan, 2.0, -np.inf, -0.0, 0.0]), 5)
    np.testing.assert_array_equal(vals, [np.nan, 3.0, 3.0, 2.0, 1.0])
    np.testing.assert_array_equal(idx, [3, 1, 2, 4, 0])
    assert idx.dtype == np.int32
    vals, idx = lax.top_k(jnp.array([0.0, -0.0, 0.0]), 3)  # +0 above -0 (total order)
    np.testing.assert_array_equal(idx, [0, 2, 1])
    vals, idx = lax.top_k(jnp.arange(6.0).reshape(2, 3), 1, axis=0)
    np.testing.assert_array_equal(idx, [[1, 1, 1]])
    with pytest.raises(ValueError):
        lax.top_k(jnp.ones(3), 4)


def test_top_k_derivatives_vmap_jit(x64):
    x = np.random.default_rng(0).standard_normal((3, 5))
    check_grads(lambda x: lax.top_k(x, 2)[0], (x,), order=2)
    check_grads(lambda x: lax.approx_min_k(x, 2, reduction_dimension=0)[0], (x,), order=1)
    got = nablax.vmap(lambda r: lax.top_k(r, 2), in_axes=1)(x)
    want = [np.stack(w, 0) for w in zip(*[lax.top_k(x[:, j], 2) for j in range(5)])]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    for g, w in zip(nablax.jit(lambda x: lax.approx_max_k(x, 3))(x), lax.top_k(x, 3)):
        np.testing.assert_array_equal(g, w)
    with pytest.raises(NotImplementedError, match="aggregate_to_topk"):
        lax.approx_max_k(x, 2, aggregate_to_topk=False)


def test_cumlogsumexp(x64):
    x = np.array([[0.1, -2.0, 800.0, 3.0], [1e-3, -np.inf, 0.5, 100.0]])
    out = lax.cumlogsumexp(x, axis=1)
    np.testing.assert_allclose(out, np.logaddexp.accumulate(x, axis=1), rtol=1e-15)
    assert np.isfinite(np.asarray(out)).all()  # no overflow at 800
    np.testing.assert_allclose(lax.cumlogsumexp(x, axis=0, reverse=True), np.logaddexp.accumulate(x[::-1], 0)[::-1])
    # JAX 0.10.2's gradient (weights w), with tiny entries where exp(x_j - y_i) underflows.
    w = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 2.0, 1.0]])
    y = np.array([[0.1, -2.0, 80.0, 3.0], [1e-3, -3.0, 0.5, 100.0]])
    g = nablax.grad(lambda x: (lax.cumlogsumexp(x, axis=1, reverse=True) * w).sum())(y)
    np.testing.assert_allclose(g, [[1.9946692652952156e-35, 7.3278022132215721e-36, 6.0, 4.0],
                                   [-3.7237979126549895e-44, -9.2605838475897589e-46, 9.2000525854291382e-44, 2.5]],
                               rtol=1e-9)
    check_grads(lambda x: lax.cumlogsumexp(x, axis=0, reverse=True), (np.array([0.3, -1.0, 2.0, 0.5]),), order=2)


def test_optimization_barrier():
    tree = {"a": jnp.arange(3.0), "b": (2.0, jnp.int32(4))}
    out = lax.optimization_barrier(tree)
    assert out["b"][0].weak_type and out["b"][1].dtype == np.int32
    np.testing.assert_array_equal(out["a"], [0.0, 1.0, 2.0])

    def f(x):
        a, b = lax.optimization_barrier((x, 2 * x))
        return (a * b).sum()

    x = jnp.arange(3.0)
    np.testing.assert_allclose(nablax.grad(f)(x), 4 * np.arange(3.0))
    assert "optimization_barrier" in str(nablax.make_jaxpr(f)(x))
    np.testing.assert_allclose(nablax.jit(nablax.vmap(f))(jnp.ones((2, 3))), [6.0, 6.0])


def test_clz_mulhi_reduce_xor():
    np.testing.assert_array_equal(lax.clz(jnp.array([0, 1, -1, 255], jnp.int32)), [32, 31, 0, 24])
    np.testing.assert_array_equal(lax.clz(jnp.array([0, 1, 255], jnp.uint8)), [8, 7, 0])
    np.testing.assert_array_equal(lax.mulhi(jnp.array([2**31 - 1, -5], jnp.int32), jnp.array([2**31 - 1, 7], jnp.int32)),
                                  [2**30 - 1, -1])
    np.testing.assert_array_equal(lax.mulhi(jnp.array([2**32 - 1], jnp.uint32), jnp.array([2**32 - 1], jnp.uint32)),
                                  [2**32 - 2])
    np.testing.assert_array_equal(lax.reduce_xor(jnp.array([[1, 2], [3, 7]]), (0,)), [2, 5])
    assert not bool(lax.reduce_xor(jnp.array([True, True, False]), (0,)))


def test_mulhi_64bit(x64):
    rng = np.random.default_rng(1)
    a = rng.integers(-2**63, 2**63 - 1, 300, dtype=np.int64)
    b = rng.integers(-2**63, 2**63 - 1, 300, dtype=np.int64)
    for x, y in [(a, b), (a.view(np.uint64), b.view(np.uint64))]:
        want = [(int(p) * int(q)) >> 64 for p, q in zip(x, y)]
        assert np.asarray(lax.mulhi(x, y)).astype(object).tolist() == want


def test_reduce_precision_matches_narrow_casts():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(5000) * np.exp(rng.uniform(-12, 12, 5000))).astype(np.float32)
    for e, m, dt in [(8, 7, ml_dtypes.bfloat16), (5, 10, np.float16), (5, 2, ml_dtypes.float8_e5m2)]:
        info = ml_dtypes.finfo(dt)
        normal = (np.abs(x) >= float(info.tiny)) & (np.abs(x) < float(info.max))  # XLA flushes subnormals
        with np.errstate(over="ignore"):
            want = x.astype(dt).astype(np.float32)
        np.testing.assert_array_equal(np.asarray(lax.reduce_precision(x, e, m))[normal], want[normal])
    out = lax.reduce_precision(jnp.array([1e10, -1e-10, np.nan, 1.0 + 2**-11, 1.0 + 3 * 2**-11], jnp.float32), 5, 10)
    np.testing.assert_array_equal(out, [np.inf, -0.0, np.nan, 1.0, 1.0 + 2**-9])  # ties to even
    assert nablax.grad(lambda x: lax.reduce_precision(x, 8, 7))(1.1) == 1.0  # linear, as JAX
    with pytest.raises(ValueError):
        lax.reduce_precision(1.0, 0, 3)


def test_bitcast_convert_type():
    assert int(lax.bitcast_convert_type(jnp.float32(1.0), jnp.int32)) == 0x3F800000
    out = lax.bitcast_convert_type(jnp.ones(3, jnp.float32), jnp.uint8)
    assert out.shape == (3, 4) and out.dtype == np.uint8
    back = lax.bitcast_convert_type(out, jnp.float32)
    np.testing.assert_array_equal(back, np.ones(3, np.float32))
    np.testing.assert_array_equal(nablax.vmap(lambda r: lax.bitcast_convert_type(r, jnp.float32), in_axes=1)(
        np.moveaxis(np.asarray(out), 0, 1)), np.ones(3, np.float32))
    with pytest.raises(ValueError):
        lax.bitcast_convert_type(jnp.ones((3, 3), jnp.uint16), jnp.float32)
    with pytest.raises(TypeError):
        lax.bitcast_convert_type(jnp.ones(2, bool), jnp.uint8)


def _named(fn, x):
    return nablax.vmap(fn, axis_name="i")(x)


def test_collectives_values():
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(_named(lambda r: lax.psum_scatter(r, "i"), x), x.sum(0))
    np.testing.assert_array_equal(_named(lambda r: lax.psum_scatter(r, "i", tiled=True), np.arange(32.0).reshape(4, 8)),
                                  np.arange(32.0).reshape(4, 8).sum(0).reshape(4, 2))
    np.testing.assert_array_equal(_named(lambda r: lax.ppermute(r, "i", [(0, 2), (2, 1)]), x),
                                  np.stack([np.zeros(4), x[2], x[0], np.zeros(4)]))
    np.testing.assert_array_equal(_named(lambda r: lax.pshuffle(r, "i", [3, 0, 1, 2]), x), x[[3, 0, 1, 2]])
    np.testing.assert_array_equal(_named(lambda r: lax.all_to_all(r, "i", 0, 0), x), x.T)
    np.testing.assert_array_equal(_named(lambda r: lax.pswapaxes(r, "i", 0), x), x.T)
    np.testing.assert_array_equal(_named(lambda r: lax.pbroadcast(r, "i", 2), x), np.broadcast_to(x[2], x.shape))
    assert _named(lambda r: r * lax.axis_size("i"), x)[0, 1] == 4.0
    with pytest.raises(ValueError):
        _named(lambda r: lax.psum_scatter(r, "i"), np.ones((4, 3)))
    with pytest.raises(NameError):
        lax.ppermute(jnp.ones(3), "i", [(0, 1)])


def test_collectives_derivatives(x64):
    x = np.random.default_rng(3).standard_normal((4, 4))
    w = np.arange(4.0)[:, None]
    # grad of psum_scatter is all_gather; ppermute's transpose is the inverse permutation.
    g = nablax.grad(lambda x: (_named(lambda r: lax.psum_scatter(r, "i"), x) * w[:, 0]).sum())(x)
    np.testing.assert_allclose(g, np.broadcast_to(np.arange(4.0), (4, 4)))
    g = nablax.grad(lambda x: (_named(lambda r: lax.ppermute(r, "i", [(0, 1), (1, 2)]), x) * w).sum())(x)
    np.testing.assert_allclose(g, np.array([1.0, 2.0, 0.0, 0.0])[:, None] * np.ones((4, 4)))
    g = nablax.grad(lambda x: (_named(lambda r: lax.pbroadcast(r, "i", 1), x) * w).sum())(x)
    np.testing.assert_allclose(g, np.array([0.0, 6.0, 0.0, 0.0])[:, None] * np.ones((4, 4)))
    check_grads(lambda x: _named(lambda r: lax.all_to_all(r, "i", 0, 0, tiled=True) * r, x), (x,), order=2)


def test_conv_general_dilated_local(x64):
    """Each output position has its own kernel: a loop over positions of windows times kernels."""
    rng = np.random.default_rng(5)
    lhs = rng.standard_normal((2, 3, 5, 4))               # NCHW
    rhs = rng.standard_normal((4, 3 * 2 * 2, 4, 3))       # O, C*window, out H, out W
    out = lax.conv_general_dilated_local(lhs, rhs, (1, 1), "VALID", (2, 2))
    want = np.zeros((2, 4, 4, 3))
    for i in range(4):
        for j in range(3):
            window = lhs[:, :, i:i + 2, j:j + 2].reshape(2, -1)  # channel-major, then window
            want[:, :, i, j] = window @ rhs[:, :, i, j].T
    np.testing.assert_allclose(out, want, rtol=1e-12)
    check_grads(lambda a, b: lax.conv_general_dilated_local(a, b, (1, 1), "VALID", (2, 2)), (lhs, rhs), order=1)


def test_rng_bit_generator():
    key = np.array([1, 2, 3, 4], np.uint32)
    new, bits = lax.rng_bit_generator(key, (3,))  # XLA's CPU bits (JAX 0.10.2), Philox-4x32-10
    np.testing.assert_array_equal(bits, [512747620, 1298009047, 1267190206])
    np.testing.assert_array_equal(new, [1, 2, 4, 4])  # one block used: the counter advances by 1
    _, bits3 = lax.rng_bit_generator(key, (3,), algorithm=lax.RandomAlgorithm.RNG_THREE_FRY)
    np.testing.assert_array_equal(bits3, [1576285164, 2249660814, 740599976])
    keys = np.stack([key, key + 4])
    batched = nablax.vmap(lambda k: lax.rng_bit_generator(k, (3,)))(keys)
    np.testing.assert_array_equal(batched[1][1], lax.rng_bit_generator(key + 4, (3,))[1])
    np.testing.assert_array_equal(nablax.jit(lambda k: lax.rng_bit_generator(k, (3,)))(key)[1], bits)
    with pytest.raises(TypeError):
        lax.rng_bit_generator(key, (3,), np.int32)
