"""jnp set routines: known answers (JAX 0.10.2's, padding included), NumPy agreement, eager vs
jit vs vmap, gradients through sized calls, and the errors for data-dependent sizes."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads

X = np.array([3., 1., 3., 2., 1., 5.], np.float32)
Y = np.array([3., 7., 1.], np.float32)
M = np.array([[1, 2], [1, 2], [0, 3]], np.int32)
ALL = {"return_index": True, "return_inverse": True, "return_counts": True}


def _eq(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got, want)
    np.testing.assert_array_equal(got, want)


def test_unique_matches_numpy_without_size():
    for x, kw in [(X, {}), (M, {"axis": 0}), (M, {"axis": 1}), (M, {})]:
        for g, w in zip(jnp.unique(x, **ALL, **kw), np.unique(x, **ALL, **kw)):
            np.testing.assert_array_equal(np.asarray(g), w)


def test_unique_padding_as_jax():
    v, i, inv, c = jnp.unique(X, size=6, **ALL)
    _eq(v, np.array([1, 2, 3, 5, 1, 1], np.float32))  # padded with the smallest value
    _eq(i, np.array([1, 3, 0, 5, 1, 1], np.int32))    # and its index
    _eq(inv, np.array([2, 0, 2, 1, 0, 3], np.int32))
    _eq(c, np.array([2, 1, 2, 1, 0, 0], np.int32))
    v, i, inv, c = jnp.unique(X, size=2, fill_value=-1, **ALL)  # truncated
    _eq(v, np.array([1, 2], np.float32))
    _eq(c, np.array([2, 1], np.int32))
    _eq(jnp.unique(X, size=5, fill_value=-1), np.array([1, 2, 3, 5, -1], np.float32))
    r = jnp.unique(M, axis=0, size=3, **ALL)
    _eq(r[0], np.array([[0, 3], [1, 2], [0, 3]], np.int32))
    _eq(r[3], np.array([1, 2, 0], np.int32))


def test_unique_nans_and_empty():
    x = np.array([np.nan, 1, np.nan], np.float32)
    v, c = jnp.unique(x, return_counts=True)
    _eq(c, np.array([1, 2], np.int32))
    v, c = jnp.unique(x, return_counts=True, equal_nan=False)
    _eq(c, np.array([1, 1, 1], np.int32))
    r = jnp.unique_counts(x)  # the Array API variants keep NaNs apart
    assert type(r).__name__ == "_UniqueCountsResult" and r.counts.shape == (3,)
    e = np.zeros((0,), np.float32)
    _eq(jnp.unique(e, size=3, fill_value=2), np.full(3, 2, np.float32))
    with pytest.raises(ValueError, match="fill_value"):
        jnp.unique(e, size=3)


def test_array_api_variants():
    r = jnp.unique_all(M)
    assert r._fields == ("values", "indices", "inverse_indices", "counts")
    _eq(r.values, np.array([0, 1, 2, 3], np.int32))
    _eq(r.inverse_indices, np.array([[1, 2], [1, 2], [0, 3]], np.int32))
    _eq(jnp.unique_inverse(M).inverse_indices, r.inverse_indices)
    _eq(jnp.unique_values(M, size=5), np.array([0, 1, 2, 3, 0], np.int32))


def test_two_array_ops_known_answers():
    x = np.array([3., 1., 3., 2.], np.float32)
    v, i1, i2 = jnp.intersect1d(x, Y, size=4, return_indices=True)
    _eq(v, np.array([1, 3, 1, 1], np.float32))
    _eq(i1, np.array([1, 0, 4, 4], np.int32))
    _eq(i2, np.array([2, 0, 3, 3], np.int32))
    _eq(jnp.setxor1d(x, Y, size=4), np.array([2, 7, 2, 2], np.float32))
    _eq(jnp.setdiff1d(x, Y, size=4), np.array([2, 0, 0, 0], np.float32))
    _eq(jnp.union1d(x, Y, size=6), np.array([1, 2, 3, 7, 1, 1], np.float32))
    for name in ["intersect1d", "union1d", "setdiff1d", "setxor1d"]:
        np.testing.assert_array_equal(np.asarray(getattr(jnp, name)(X, Y)), getattr(np, name)(X, Y))
    got = jnp.intersect1d(X, Y, return_indices=True)
    for g, w in zip(got, np.intersect1d(X, Y, return_indices=True)):
        np.testing.assert_array_equal(np.asarray(g), w)


def test_isin():
    want = np.isin(M, Y)
    for method in ["auto", "compare_all", "binary_search", "sort"]:
        np.testing.assert_array_equal(np.asarray(jnp.isin(M, Y, method=method)), want)
        np.testing.assert_array_equal(np.asarray(jnp.isin(M, Y, invert=True, method=method)), ~want)
    with pytest.raises(ValueError, match="method"):
        jnp.isin(M, Y, method="hash")


def test_jit_and_vmap_agree_with_eager():
    f = lambda x: jnp.unique(x, size=4, **ALL)  # noqa: E731
    for g, w in zip(nablax.jit(f)(X), f(X)):
        _eq(g, w)
    xs = np.stack([X, X * 2])
    batched = nablax.vmap(lambda x: jnp.intersect1d(x, Y, size=3))(xs)
    for b, x in zip(np.asarray(batched), xs):
        _eq(b, jnp.intersect1d(x, Y, size=3))


def test_jit_needs_size():
    with pytest.raises(nablax.errors.ConcretizationTypeError, match="size="):
        nablax.jit(jnp.unique)(X)
    with pytest.raises(nablax.errors.ConcretizationTypeError, match="size="):
        nablax.jit(jnp.setxor1d)(X, Y)


def test_gradients():
    w = np.arange(1.0, 7.0, dtype=np.float32)
    g = nablax.grad(lambda x: (jnp.unique(x, size=6) * w).sum())(X)
    # Each unique value's gradient goes to its first occurrence; the padding copies the smallest.
    _eq(g, np.array([3, 1 + 5 + 6, 0, 2, 0, 4], np.float32))
    _eq(nablax.grad(lambda x: jnp.unique(x).sum())(X), np.zeros(6, np.float32))  # unsized: a constant
    distinct = np.array([2.5, 0.5, 4.25, 6.5], np.float32)  # no ties, so the sort order is locally fixed
    check_grads(lambda x: jnp.union1d(x, Y, size=8, fill_value=0.0) ** 2, (distinct,), order=2, modes=("fwd", "rev"))
    check_grads(lambda x: jnp.unique(x, size=6) ** 2, (distinct,), order=2, modes=("fwd", "rev"))
