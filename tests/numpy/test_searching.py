"""jnp searching and counting: known answers (JAX 0.10.2's layouts), NumPy agreement, the four
searchsorted methods agreeing, jit/vmap, gradients of histogram weights and partition values."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads

A = np.array([1., 2., 2., 3., 5., np.nan], np.float32)
V = np.array([[0., 2., 2.5], [5., 7., np.nan]], np.float32)
X = np.array([5., 2., 8., 1., 9., 3., 3., -1.], np.float32)


def _eq(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got, want)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_methods_agree_with_numpy(side):
    want = np.searchsorted(A, V, side=side).astype(np.int32)
    for method in ["scan", "scan_unrolled", "sort", "compare_all"]:
        _eq(jnp.searchsorted(A, V, side=side, method=method), want)
        _eq(nablax.jit(lambda a, v, m=method: jnp.searchsorted(a, v, side=side, method=m))(A, V), want)
    _eq(jnp.searchsorted(np.array([3, 1, 2]), 2, side=side, sorter=np.array([1, 2, 0])),
        np.asarray(np.searchsorted([1, 2, 3], 2, side=side), np.int32))
    batched = nablax.vmap(lambda v: jnp.searchsorted(A, v, side=side))(V)
    _eq(batched, want)


def test_searchsorted_errors():
    with pytest.raises(ValueError, match="side"):
        jnp.searchsorted(A, V, side="middle")
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.searchsorted(np.ones((2, 2)), V)
    with pytest.raises(ValueError, match="method"):
        jnp.searchsorted(A, V, method="bisect")


def test_digitize():
    for bins in [np.array([2., 5.]), np.array([5., 2.]), np.array([1., 3., 3., 8.])]:
        for right in (False, True):
            _eq(jnp.digitize(X, bins, right=right), np.digitize(X, bins, right=right).astype(np.int32))
    _eq(jnp.digitize(X, np.zeros(0)), np.zeros(8, np.int32))


def test_bincount():
    ix = np.array([1, 3, 3, 0, 7])
    _eq(jnp.bincount(ix), np.bincount(ix).astype(np.int32))
    np.testing.assert_allclose(np.asarray(jnp.bincount(ix, weights=np.arange(5.0), minlength=10)),
                               np.bincount(ix, weights=np.arange(5.0), minlength=10))
    _eq(jnp.bincount(np.array([-1, 2]), length=2), np.array([1, 0], np.int32))  # negatives count as 0, overflow drops
    _eq(nablax.jit(lambda i: jnp.bincount(i, length=9))(ix), np.bincount(ix, minlength=9).astype(np.int32))
    with pytest.raises(nablax.errors.ConcretizationTypeError, match="length="):
        nablax.jit(jnp.bincount)(ix)
    with pytest.raises(TypeError, match="integer"):
        jnp.bincount(np.ones(3))


def test_histograms_match_numpy():
    for kw in [{}, {"bins": 3}, {"bins": np.array([0, 2, 5, 10.])}, {"bins": 4, "range": (0, 6)},
               {"bins": 3, "weights": np.arange(8.0)}, {"bins": 3, "density": True}]:
        h, e = jnp.histogram(X, **kw)
        wh, we = np.histogram(X, **kw)
        np.testing.assert_allclose(np.asarray(h), wh, rtol=1e-5)
        np.testing.assert_allclose(np.asarray(e), we, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.histogram_bin_edges(np.ones(3), 2)), [0.5, 1.0, 1.5])
    s = np.stack([X, X[::-1] * 0.5], 1)
    for kw in [{"bins": 3}, {"bins": [2, 3], "density": True}, {"bins": 3, "range": [(0, 5), None], "weights": np.arange(8.0)}]:
        h, edges = jnp.histogramdd(s, **kw)
        wh, wedges = np.histogramdd(s, **kw)
        np.testing.assert_allclose(np.asarray(h), wh, rtol=1e-5)
        for g, w in zip(edges, wedges):
            np.testing.assert_allclose(np.asarray(g), w, rtol=1e-5)
        h2, ex, ey = jnp.histogram2d(s[:, 0], s[:, 1], **kw)
        np.testing.assert_allclose(np.asarray(h2), np.histogram2d(s[:, 0], s[:, 1], **kw)[0], rtol=1e-5)


def test_histogram_gradients():
    check_grads(lambda w: jnp.histogram(X, bins=3, weights=w)[0], (np.ones(8, np.float32),), order=2, modes=("fwd", "rev"))
    g = nablax.grad(lambda x: jnp.histogram(x, bins=3)[1].sum())(X)  # the edges follow the data's min and max
    _eq(g, np.array([0, 0, 0, 0, 2, 0, 0, 2], np.float32))


def test_partition_layout_as_jax():
    # JAX's layout: the kth+1 smallest ascending, then the rest descending.
    _eq(jnp.partition(X, 2), np.array([-1, 1, 2, 9, 8, 5, 3, 3], np.float32))
    _eq(jnp.argpartition(X, 2), np.array([7, 3, 1, 0, 2, 4, 5, 6], np.int32))
    m = np.array([[5, 2, 8, 1], [9, 3, 3, 0]], np.int32)
    _eq(jnp.partition(m, 1), np.array([[1, 2, 8, 5], [0, 3, 9, 3]], np.int32))
    _eq(jnp.argpartition(m, 1, axis=0), np.array([[0, 0, 1, 1], [1, 1, 0, 0]], np.int32))
    for k in range(-8, 8):  # the partition property
        p = np.asarray(jnp.partition(X, k))
        srt = np.sort(X)
        assert p[k] == srt[k] and (p[:k % 8] <= p[k]).all() and (p[k % 8:] >= p[k]).all()
        np.testing.assert_array_equal(X[np.asarray(jnp.argpartition(X, k))][k], srt[k])
    with pytest.raises(NotImplementedError):
        jnp.partition(np.array([1j]), 0)


def test_partition_gradient_and_vmap():
    distinct = np.array([5., 2., 8., 1., 9., 3.5, 3., -1.], np.float32)
    check_grads(lambda x: jnp.partition(x, 3) ** 2, (distinct,), order=2, modes=("fwd", "rev"))
    m = np.array([[5, 2, 8, 1], [9, 3, 3, 0]], np.int32)
    _eq(nablax.vmap(lambda r: jnp.argpartition(r, 1))(m), jnp.argpartition(m, 1))


def test_sort_complex_and_trim_zeros():
    _eq(jnp.sort_complex(np.array([3, 1, 2])), np.array([1, 2, 3], np.complex64))
    _eq(jnp.sort_complex(np.array([1 + 2j, 1 + 1j, 0j], np.complex64)), np.array([0j, 1 + 1j, 1 + 2j], np.complex64))
    f = np.array([0, 0, 1, 0, 2, 0], np.int32)
    _eq(jnp.trim_zeros(f), np.array([1, 0, 2], np.int32))
    _eq(jnp.trim_zeros(f, "f"), np.array([1, 0, 2, 0], np.int32))
    _eq(jnp.trim_zeros(f, "b"), np.array([0, 0, 1, 0, 2], np.int32))
    z = np.zeros((4, 5), np.float32)
    z[1, 2] = z[2, 3] = 1
    _eq(jnp.trim_zeros(z), z[1:3, 2:4])
    _eq(jnp.trim_zeros(z, axis=1), z[:, 2:4])
    with pytest.raises(nablax.errors.ConcretizationTypeError):
        nablax.jit(jnp.trim_zeros)(f)
