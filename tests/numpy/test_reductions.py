"""nablax.numpy reductions, scans and sorting against NumPy: values, dtypes, grads, errors."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4, 5))
AXES = [None, 0, 1, -1, (0, 2), (-1, 0), ()]


def _same(actual, expected, rtol=1e-7, atol=1e-12):
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    assert a.dtype == e.dtype, (a.dtype, e.dtype)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


# ------------------------------------------------------------- values vs NumPy (float64)

@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "std", "max", "min", "any", "all", "ptp",
                                  "nansum", "nanmean", "nanmax", "nanmin", "nanvar", "median"])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(x64, name, axis, keepdims):
    x = X if name not in ("any", "all") else X > 0.5
    if name == "median" and axis == ():
        pytest.skip("np.median does not take an empty axis tuple")
    _same(getattr(jnp, name)(jnp.asarray(x), axis=axis, keepdims=keepdims),
          getattr(np, name)(x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_argmax_argmin_match_numpy(x64, name, axis, keepdims):
    _same(getattr(jnp, name)(jnp.asarray(X), axis=axis, keepdims=keepdims),
          getattr(np, name)(X, axis=axis, keepdims=keepdims))


def test_argmax_nan_and_ties_like_numpy():
    x = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 5.0, 5.0, 1.0]], np.float32)
    for name in ("argmax", "argmin"):
        np.testing.assert_array_equal(getattr(jnp, name)(jnp.asarray(x), axis=1), getattr(np, name)(x, axis=1))
    np.testing.assert_array_equal(jnp.argmax(jnp.asarray(x)), 1)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "nancumsum", "nancumprod"])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_cumulative_match_numpy(x64, name, axis):
    x = X.copy()
    x[0, 1, 2] = np.nan if name.startswith("nan") else x[0, 1, 2]
    _same(getattr(jnp, name)(jnp.asarray(x), axis=axis), getattr(np, name)(x, axis=axis))


def test_cumulative_sum_prod_array_api(x64):
    x = X[0]
    _same(jnp.cumulative_sum(jnp.asarray(x), axis=1, include_initial=True),
          np.concatenate([np.zeros((4, 1)), np.cumsum(x, axis=1)], axis=1))
    _same(jnp.cumulative_prod(jnp.asarray(x[0])), np.cumprod(x[0]))
    with pytest.raises(ValueError, match="axis"):
        jnp.cumulative_sum(jnp.asarray(x))


@pytest.mark.parametrize("ddof", [0, 1, 2])
@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
def test_ddof(x64, name, ddof):
    _same(getattr(jnp, name)(jnp.asarray(X), axis=1, ddof=ddof), getattr(np, name)(X, axis=1, ddof=ddof))
    _same(jnp.var(jnp.asarray(X), correction=ddof), np.var(X, ddof=ddof))


@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "std", "any", "all"])
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
def test_where(x64, name, axis):
    x = X if name not in ("any", "all") else X > 0
    where = RNG.standard_normal((4, 5)) > -0.5  # broadcasts against (3, 4, 5)
    _same(getattr(jnp, name)(jnp.asarray(x), axis=axis, where=jnp.asarray(where)),
          getattr(np, name)(x, axis=axis, where=where))


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_where_and_initial(x64, name):
    where = X > 0
    _same(getattr(jnp, name)(jnp.asarray(X), axis=1, where=jnp.asarray(where), initial=0.5),
          getattr(np, name)(X, axis=1, where=where, initial=0.5))
    _same(getattr(jnp, name)(jnp.asarray(X), initial=0.0), getattr(np, name)(X, initial=0.0))
    with pytest.raises(ValueError, match="initial"):
        getattr(jnp, name)(jnp.asarray(X), where=jnp.asarray(where))


def test_sum_prod_initial(x64):
    _same(jnp.sum(jnp.asarray(X), axis=0, initial=2.0), np.sum(X, axis=0, initial=2.0))
    _same(jnp.prod(jnp.asarray(X), axis=(1, 2), initial=3.0), np.prod(X, axis=(1, 2), initial=3.0))


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:Degrees of freedom")
def test_nan_reductions(x64):
    x = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan], [4.0, -1.0, np.nan]])
    for name in ("nansum", "nanprod", "nanmean", "nanvar", "nanstd"):
        with np.errstate(invalid="ignore", divide="ignore"):
            _same(getattr(jnp, name)(jnp.asarray(x), axis=1), getattr(np, name)(x, axis=1))
    for name in ("nanmax", "nanmin"):
        with pytest.warns(RuntimeWarning):
            expected = getattr(np, name)(x, axis=1)
        _same(getattr(jnp, name)(jnp.asarray(x), axis=1), expected)
    assert np.isnan(jnp.max(jnp.asarray(x[0]))) and np.isnan(jnp.median(jnp.asarray(x[0])))


def test_average(x64):
    w = RNG.uniform(0.5, 2.0, 4)
    avg, wsum = jnp.average(jnp.asarray(X), axis=1, weights=jnp.asarray(w), returned=True)
    e_avg, e_wsum = np.average(X, axis=1, weights=w, returned=True)
    _same(avg, e_avg)
    _same(wsum, e_wsum)
    w_full = RNG.uniform(0.5, 2.0, X.shape)
    _same(jnp.average(jnp.asarray(X), weights=jnp.asarray(w_full)), np.average(X, weights=w_full))
    _same(jnp.average(jnp.asarray(X), axis=(0, 2)), np.average(X, axis=(0, 2)))
    with pytest.raises(TypeError, match="axis must be specified"):
        jnp.average(jnp.asarray(X), weights=jnp.asarray(w))
    with pytest.raises(ValueError, match="not compatible"):
        jnp.average(jnp.asarray(X), axis=0, weights=jnp.asarray(w))


def test_count_nonzero():
    x = np.array([[0, 1, 2], [0, 0, 3]])
    _same(jnp.count_nonzero(jnp.asarray(x)), np.int32(3))
    _same(jnp.count_nonzero(jnp.asarray(x), axis=0), np.array([0, 1, 2], np.int32))


def test_median_even_odd_and_axes(x64):
    for shape in [(5,), (4,), (3, 4), (2, 3, 4)]:
        x = RNG.standard_normal(shape)
        _same(jnp.median(jnp.asarray(x)), np.median(x))
        _same(jnp.median(jnp.asarray(x), axis=-1, keepdims=True), np.median(x, axis=-1, keepdims=True))
    _same(jnp.median(jnp.asarray(X), axis=(0, 2)), np.median(X, axis=(0, 2)))


# -------------------------------------------------------------------------- dtypes

def test_dtypes_x64_off():
    b = jnp.asarray(np.array([True, False, True]))
    assert jnp.sum(b).dtype == np.int32 and int(jnp.sum(b)) == 2
    assert jnp.sum(jnp.asarray(np.arange(4, dtype=np.int8))).dtype == np.int32
    assert jnp.sum(jnp.asarray(np.arange(4, dtype=np.uint8))).dtype == np.uint32
    assert jnp.sum(jnp.asarray(np.arange(4, dtype=np.int8)), promote_integers=False).dtype == np.int8
    assert jnp.sum(jnp.asarray(np.arange(4, dtype=np.int32)), dtype=np.float32).dtype == np.float32
    assert jnp.prod(jnp.asarray(np.arange(4, dtype=np.int16))).dtype == np.int32
    assert jnp.sum(jnp.asarray(np.ones(3, np.float16))).dtype == np.float16
    assert jnp.cumsum(b).dtype == np.int32
    ints = jnp.asarray(np.arange(6, dtype=np.int32))
    assert jnp.sum(ints).dtype == np.int32 and jnp.cumsum(ints).dtype == np.int32
    assert jnp.mean(ints).dtype == np.float32 and float(jnp.mean(ints)) == 2.5
    assert jnp.var(ints).dtype == np.float32 and jnp.std(ints).dtype == np.float32
    assert jnp.mean(jnp.asarray(np.ones(3, np.float16))).dtype == np.float16
    assert jnp.max(jnp.asarray(np.arange(3, dtype=np.int8))).dtype == np.int8
    assert jnp.argmax(ints).dtype == np.int32 and jnp.argsort(ints).dtype == np.int32
    assert jnp.any(ints).dtype == np.bool_ and jnp.all(ints, axis=0).dtype == np.bool_
    assert jnp.median(ints).dtype == np.float32
    c = jnp.asarray(np.array([1 + 2j, 3 - 1j], np.complex64))
    assert jnp.var(c).dtype == np.float32
    np.testing.assert_allclose(jnp.var(c), np.var(np.array([1 + 2j, 3 - 1j])), rtol=1e-6)
    assert jnp.sum(c).dtype == np.complex64


def test_dtypes_x64_on(x64):
    ints = jnp.asarray(np.arange(6, dtype=np.int32))
    assert jnp.sum(ints).dtype == np.int64
    # As in JAX: int32 (and narrower) means are float32 even with x64; int64 gives float64.
    assert jnp.mean(ints).dtype == np.float32 and jnp.var(ints).dtype == np.float32
    assert jnp.mean(jnp.asarray(np.arange(6))).dtype == np.float64
    assert jnp.argmax(ints).dtype == np.int64 and jnp.argsort(ints).dtype == np.int64
    assert jnp.max(ints).dtype == np.int32


def test_weak_types():
    # As in JAX, jnp reductions (and cumulative ones) of weakly typed values are strongly
    # typed; lax-level reductions and sorting keep the weak type.
    assert jnp.sum(2.0).dtype == np.float32
    for fn in (jnp.sum, jnp.max, jnp.mean, jnp.cumsum, jnp.prod, jnp.var, jnp.median):
        assert not fn(2.0).weak_type, fn
    w = jnp.broadcast_to(2.0, (3,))
    assert w.weak_type and not jnp.sum(w, axis=0).weak_type
    assert jnp.sort(w).weak_type and lax.reduce_sum(w, (0,)).weak_type
    x = jnp.asarray(np.ones(3, np.float32))
    assert not jnp.sum(x).weak_type and not jnp.argmax(x).weak_type
    assert jnp.sum(jnp.ones(3) + 1.0).dtype == np.float32


# -------------------------------------------------------------------------- sorting

@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_sort_argsort_match_numpy(x64, axis):
    x = X.copy()
    x[1, 2, 3] = x[0, 0, 0] = np.nan
    _same(jnp.sort(jnp.asarray(x), axis=axis), np.sort(x, axis=axis))
    _same(jnp.argsort(jnp.asarray(x), axis=axis), np.argsort(x, axis=axis, kind="stable"))


def test_sort_stable_ties_and_descending(x64):
    x = np.array([3, 1, 2, 1, 3, 0, 2])
    _same(jnp.argsort(jnp.asarray(x)), np.argsort(x, kind="stable"))
    _same(jnp.sort(jnp.asarray(x), descending=True), np.sort(x)[::-1])
    # descending keeps equal elements in their original order
    _same(jnp.argsort(jnp.asarray(x), descending=True), np.array([0, 4, 2, 6, 1, 3, 5]))
    f = np.array([2.0, np.nan, 1.0])
    _same(jnp.sort(jnp.asarray(f), descending=True), np.array([np.nan, 2.0, 1.0]))


def test_lexsort(x64):
    a = np.array([1, 5, 1, 4, 3, 4, 4])
    b = np.array([9, 4, 0, 4, 0, 2, 1])
    _same(jnp.lexsort((jnp.asarray(a), jnp.asarray(b))), np.lexsort((a, b)))
    _same(jnp.lexsort(jnp.asarray(np.stack([a, b]))), np.lexsort(np.stack([a, b])))


def test_methods():
    x = jnp.asarray(np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], np.float32))
    np.testing.assert_array_equal(x.sort(), np.sort(np.asarray(x)))
    np.testing.assert_array_equal(x.argsort(axis=0), np.argsort(np.asarray(x), axis=0))
    assert float(x.sum()) == 15.0 and float(x.prod()) == 0.0 and float(x.mean()) == 2.5
    np.testing.assert_array_equal(x.max(axis=1), [3.0, 5.0])
    np.testing.assert_array_equal(x.min(axis=0, keepdims=True), [[0.0, 1.0, 2.0]])
    assert int(x.argmax()) == 4 and int(x.argmin()) == 3
    assert bool(x.any()) and not bool(x.all())
    np.testing.assert_array_equal(x.cumsum(axis=1), np.cumsum(np.asarray(x), axis=1))
    np.testing.assert_array_equal(x.cumprod(), np.cumprod(np.asarray(x)))
    np.testing.assert_allclose(x.var(ddof=1), np.var(np.asarray(x), ddof=1), rtol=1e-6)
    np.testing.assert_allclose(x.std(axis=0), np.std(np.asarray(x), axis=0), rtol=1e-6)
    np.testing.assert_array_equal(x.ptp(axis=1), [2.0, 5.0])


# ---------------------------------------------------------------------------- grads

def test_grad_of_max_splits_ties():
    np.testing.assert_array_equal(nablax.grad(jnp.max)(jnp.array([1.0, 3.0, 3.0])), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(nablax.grad(jnp.min)(jnp.array([2.0, 1.0, 1.0, 1.0, 4.0])),
                                  np.array([0, 1, 1, 1, 0], np.float32) / np.float32(3))
    np.testing.assert_array_equal(nablax.grad(lambda x: jnp.sum(jnp.max(x, axis=0)))(
        jnp.array([[1.0, 5.0], [1.0, 2.0]])), [[0.5, 1.0], [0.5, 0.0]])


def test_grad_of_prod_with_zeros():
    x = jnp.array([2.0, 0.0, 3.0, 4.0])
    np.testing.assert_array_equal(nablax.grad(jnp.prod)(x), [0.0, 24.0, 0.0, 0.0])
    np.testing.assert_array_equal(nablax.grad(jnp.prod)(jnp.array([0.0, 0.0, 3.0])), [0.0, 0.0, 0.0])
    last = jnp.array([0.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(nablax.grad(lambda x: jnp.sum(jnp.cumprod(x) * last))(x), [0.0, 24.0, 0.0, 0.0])


def test_grad_of_sort_is_the_permutation():
    x = jnp.array([3.0, 1.0, 2.0])
    w = jnp.array([1.0, 10.0, 100.0])
    # d/dx sum(w * sort(x)): sorted order is x[1], x[2], x[0]
    np.testing.assert_array_equal(nablax.grad(lambda x: jnp.sum(w * jnp.sort(x)))(x), [100.0, 1.0, 10.0])


@pytest.mark.parametrize("fn", [
    lambda x: jnp.sum(x, axis=1),
    lambda x: jnp.prod(x, axis=(0, 2)),
    lambda x: jnp.mean(x, axis=-1, keepdims=True),
    lambda x: jnp.var(x, axis=0, ddof=1),
    lambda x: jnp.std(x, axis=(1, 2)),
    lambda x: jnp.max(x, axis=1),
    lambda x: jnp.min(x),
    lambda x: jnp.ptp(x, axis=2),
    lambda x: jnp.sum(x, where=x > 0),
    lambda x: jnp.mean(x, axis=1, where=x > -0.5),
    lambda x: jnp.cumsum(x, axis=1),
    lambda x: jnp.cumprod(x, axis=2),
    lambda x: jnp.sort(x, axis=1),
    lambda x: jnp.median(x, axis=2),
    lambda x: jnp.average(x, axis=1, weights=jnp.array([1.0, 2.0, 3.0, 4.0])),
    lambda x: jnp.nanmean(x, axis=0),
], ids=["sum", "prod", "mean", "var", "std", "max", "min", "ptp", "sum-where", "mean-where", "cumsum",
        "cumprod", "sort", "median", "average", "nanmean"])
def test_check_grads(x64, fn):
    check_grads(fn, (jnp.asarray(X),), order=2)


def test_vmap_of_reductions():
    xs = X.astype(np.float32)
    x = jnp.asarray(xs)
    for fn in (jnp.sum, jnp.max, jnp.argmax, jnp.sort, jnp.argsort, jnp.median, jnp.var, jnp.cumsum):
        out = nablax.vmap(fn)(x)
        np.testing.assert_allclose(out, np.stack([np.asarray(fn(jnp.asarray(xs[i]))) for i in range(3)]), rtol=1e-6)
    per_example = nablax.vmap(nablax.grad(lambda v: jnp.max(v)), in_axes=1)(x)
    assert per_example.shape == (4, 3, 5)


# --------------------------------------------------------------------------- errors

def test_errors():
    x = jnp.asarray(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.sum(x, axis=2)
    with pytest.raises(np.exceptions.AxisError):
        jnp.mean(x, axis=-3)
    with pytest.raises(ValueError, match="duplicate"):
        jnp.max(x, axis=(0, -2))
    with pytest.raises(TypeError, match="axis"):
        jnp.sum(x, axis=1.5)
    with pytest.raises(TypeError, match="axis"):
        jnp.argmax(x, axis=(0, 1))
    with pytest.raises(ValueError, match="empty"):
        jnp.argmax(jnp.zeros((0,)))
    with pytest.raises(ValueError, match="zero-size"):
        jnp.max(jnp.zeros((2, 0)), axis=1)
    assert jnp.max(jnp.zeros((2, 0)), axis=0).shape == (0,)
    with pytest.raises(NotImplementedError, match="out"):
        jnp.sum(x, out=x)
    with pytest.raises(TypeError, match="jnp.sum"):
        jnp.sum([1, 2])
    with pytest.raises(ValueError, match="where"):
        jnp.sum(x, where=jnp.asarray(np.ones(4, bool)))
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.sort(jnp.float32(1.0) + jnp.zeros(()))


def test_var_with_no_degrees_of_freedom_is_nan():
    x = jnp.asarray(np.array([[1.0, 2.0], [3.0, 5.0]], np.float32))
    assert np.isnan(np.asarray(jnp.var(x, axis=0, ddof=2))).all()  # NumPy: inf (division by zero)
    assert np.isnan(np.asarray(jnp.std(x, ddof=4)))
    assert np.isnan(np.asarray(jnp.var(x, axis=1, ddof=2, where=np.array([[True, True], [True, False]])))).all()
    np.testing.assert_allclose(np.asarray(jnp.var(x, axis=0, ddof=1)), [2.0, 4.5])


def test_cumulative_dtypes_like_jax():
    i8 = jnp.asarray(np.array([100, 100, -3], np.int8))
    assert jnp.cumsum(i8).dtype == np.int8 and jnp.cumprod(i8).dtype == np.int8  # kept (wrapping), as in JAX
    assert jnp.cumsum(i8).tolist() == [100, -56, -59]
    assert jnp.nancumsum(jnp.asarray(np.array([1, 2], np.uint8))).dtype == np.uint8
    assert jnp.cumsum(jnp.asarray(np.array([True, True]))).dtype == np.int32  # bool: the default int
    assert jnp.cumulative_sum(i8).dtype == np.int32  # the Array API function promotes, as jnp.sum
    assert jnp.cumulative_prod(i8).dtype == np.int8
    assert jnp.sum(i8).dtype == np.int32


def test_median_of_empty_raises_like_jax():
    with pytest.raises(TypeError):
        jnp.median(jnp.zeros((0, 3)))
    assert jnp.median(jnp.zeros((0, 3)), axis=1).shape == (0,)
