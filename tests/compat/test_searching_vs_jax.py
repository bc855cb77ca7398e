"""jnp searching and counting against real JAX: searchsorted (every method), digitize, bincount,
histograms, partition/argpartition layouts, sort_complex, trim_zeros, jit and gradients."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

A = np.array([1., 2., 2., 3., 5., np.nan], np.float32)
V = np.array([[0., 2., 2.5], [5., 7., np.nan]], np.float32)
X = np.array([5., 2., 8., 1., 9., 3., 3., -1.], np.float32)
M = np.array([[5, 2, 8, 1], [9, 3, 3, 0], [1, 1, 1, 1]], np.int32)


@pytest.mark.parametrize("method", ["scan", "scan_unrolled", "sort", "compare_all"])
def test_searchsorted(method):
    for side in ["left", "right"]:
        assert_same(jjnp.searchsorted(A, V, side=side, method=method), njnp.searchsorted(A, V, side=side, method=method))
    c = np.array([1 + 1j, 1 + 2j, 2 + 0j], np.complex64)
    assert_same(jjnp.searchsorted(c, np.array([1 + 1.5j, 3j]), method=method),
                njnp.searchsorted(c, np.array([1 + 1.5j, 3j]), method=method))


def test_digitize_bincount(x64):
    for bins in [np.array([2., 5.]), np.array([5., 2.])]:
        for right in (False, True):
            assert_same(jjnp.digitize(X, bins, right=right), njnp.digitize(X, bins, right=right))
    ix = np.array([1, 3, 3, 0, 7])
    for kw in [{}, {"weights": np.arange(5.0)}, {"minlength": 10}, {"length": 2}]:
        assert_same(jjnp.bincount(ix, **kw), njnp.bincount(ix, **kw))
    assert_same(jjnp.bincount(np.array([True, False, True])), njnp.bincount(np.array([True, False, True])))


def test_histograms():
    for kw in [{}, {"bins": np.array([0, 2, 5, 10.]), "density": True, "weights": np.arange(8.0)}, {"bins": 4, "range": (0, 6)}]:
        assert_same(jjnp.histogram(X, **kw), njnp.histogram(X, **kw), rtol=1e-5, atol=1e-6)
    s = np.stack([X, X[::-1] * 0.5], 1)
    for kw in [{"bins": [2, 3]}, {"bins": [np.array([0., 4, 9]), 3], "density": True, "weights": np.arange(8.0)}]:
        assert_same(jjnp.histogramdd(s, **kw), njnp.histogramdd(s, **kw), rtol=1e-5, atol=1e-6)
        assert_same(jjnp.histogram2d(s[:, 0], s[:, 1], **kw), njnp.histogram2d(s[:, 0], s[:, 1], **kw), rtol=1e-5, atol=1e-6)
    assert_same(jax.grad(lambda w: (jjnp.histogram(X, bins=3, weights=w)[0] * jjnp.arange(3.)).sum())(np.ones(8, np.float32)),
                nablax.grad(lambda w: (njnp.histogram(X, bins=3, weights=w)[0] * njnp.arange(3.)).sum())(np.ones(8, np.float32)))
    assert_same(jax.jit(lambda x: jjnp.histogram(x, bins=3))(X), nablax.jit(lambda x: njnp.histogram(x, bins=3))(X), rtol=1e-5)


def test_partition():
    for k in [0, 2, -1]:
        assert_same(jjnp.partition(X, k), njnp.partition(X, k))
        assert_same(jjnp.argpartition(X, k), njnp.argpartition(X, k))
        assert_same(jjnp.partition(M, k, axis=0), njnp.partition(M, k, axis=0))
        assert_same(jjnp.argpartition(M, k), njnp.argpartition(M, k))
    assert_same(jjnp.partition(np.array([3, 0, 2, 0], np.uint8), 1), njnp.partition(np.array([3, 0, 2, 0], np.uint8), 1))
    w = np.arange(8.0, dtype=np.float32)
    assert_same(jax.grad(lambda x: (jjnp.partition(x, 2) * w).sum())(X),
                nablax.grad(lambda x: (njnp.partition(x, 2) * w).sum())(X))


def test_sort_complex_trim_zeros():
    assert_same(jjnp.sort_complex(np.array([3, 1, 2])), njnp.sort_complex(np.array([3, 1, 2])))
    f = np.array([0, 0, 1, 0, 2, 0])
    for trim in ["fb", "f", "b"]:
        assert_same(jjnp.trim_zeros(f, trim), njnp.trim_zeros(f, trim))
    z = np.zeros((4, 5))
    z[1, 2] = z[2, 3] = 1
    assert_same(jjnp.trim_zeros(z, axis=1), njnp.trim_zeros(z, axis=1))
