"""NumPy indexing on nablax arrays: x[idx], .at[], take, take_along_axis, nonzero & co.

Values against NumPy for many index forms (hypothesis for basic indexing), gradients
through indexing and indexed updates, vmap with per-example indices, and the errors.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax._src.errors import ConcretizationTypeError
from nablax._src.numpy.indexing import at_update
from nablax.errors import NonConcreteBooleanIndexError
from nablax.test_util import check_grads

R = np.random.default_rng(0)
X = R.standard_normal((4, 5)).astype(np.float32)
X3 = R.standard_normal((3, 4, 5)).astype(np.float32)
I = np.arange(24, dtype=np.int32).reshape(2, 3, 4)


def J(a):
    """check_grads evaluates f on NumPy arrays for its finite differences: index nablax arrays."""
    return jnp.asarray(a)


def _same(out, expected):
    o, e = np.asarray(out), np.asarray(expected)
    assert o.shape == e.shape, (o.shape, e.shape)
    assert o.dtype == e.dtype, (o.dtype, e.dtype)
    np.testing.assert_array_equal(o, e)


# ------------------------------------------------------------------------ x[idx] vs NumPy

INDEX_CASES = [
    ("int", X, 1), ("neg-int", X, -1), ("int-int", X, (2, -3)), ("slice", X, slice(1, 3)),
    ("slice-step", X, (slice(None), slice(None, None, 2))), ("neg-step", X, slice(None, None, -1)),
    ("neg-step-bounds", X, (slice(3, 0, -2), slice(-1, None, -3))), ("empty-slice", X, slice(3, 1)),
    ("none", X, None), ("none-mid", X, (0, None, slice(1, 3))), ("ellipsis", X3, (Ellipsis, 1)),
    ("ellipsis-mid", X3, (1, Ellipsis, None, 2)), ("ellipsis-only", X3, Ellipsis),
    ("list-in-tuple", X, (slice(None), [0, 2, 2, -1])), ("array-2d", X, np.array([[0, 1], [3, 3]])),
    ("two-arrays", X, (np.array([0, 2]), np.array([4, 1]))),
    ("broadcast-arrays", X, (np.array([[0], [3]]), np.array([1, 2, 4]))),
    ("adjacent", X3, (slice(None), np.array([0, 3]), np.array([1, 2]))),
    ("non-adjacent", X3, (np.array([0, 2]), slice(None), np.array([1, -1]))),
    ("int-array-split", X3, (0, slice(None), np.array([1, 2]))),
    ("int-array-adjacent", X3, (slice(None), 1, np.array([1, 2]))),
    ("none-splits", X3, (np.array([0, 1]), None, np.array([1, 2]))),
    ("array-slice-step", X3, (slice(None, None, -1), np.array([[1], [0]]), slice(1, 5, 3))),
    ("mask", X, X > 0), ("mask-row", X, np.array([True, False, True, True])),
    ("mask-and-slice", X3, (np.array([True, False, True]), slice(1, 3))),
    ("mask-after-int", X3, (1, X3[0] > 0)), ("true", X, True), ("false", X, False),
    ("empty-list-in-tuple", X, (slice(None), [])), ("int-dtype", I, (1, np.array([2, 0]))),
]


def test_top_level_list_index_is_a_type_error():
    # As in JAX: x[[0, 2]] is ambiguous (NumPy once read it as a tuple); use an array.
    x = jnp.asarray(X)
    for bad in ([0, 2], []):
        with pytest.raises(TypeError, match="non-tuple sequence"):
            x[bad]
        with pytest.raises(TypeError, match="non-tuple sequence"):
            x.at[bad].set(0.0)
        with pytest.raises(TypeError, match="non-tuple sequence"):
            nablax.jit(lambda a, i=bad: a[i])(x)
    with pytest.raises(TypeError):
        jnp.take(x, [0, 1])
    with pytest.raises(TypeError):
        jnp.take_along_axis(x, [[0]], axis=1)


@pytest.mark.parametrize("name,x,idx", INDEX_CASES, ids=[c[0] for c in INDEX_CASES])
def test_getitem_matches_numpy(name, x, idx):
    _same(jnp.asarray(x)[idx], x[idx])


@pytest.mark.parametrize("name,x,idx", INDEX_CASES, ids=[c[0] for c in INDEX_CASES])
def test_getitem_traced_matches_numpy(name, x, idx):
    # Under a transformation the general gather path runs (not NumPy's own basic indexing).
    if isinstance(idx, bool) or (isinstance(idx, np.ndarray) and idx.dtype == bool) or name.startswith("mask"):
        return  # masks are concrete-only: tested below
    out = nablax.jit(lambda a: J(a)[idx])(jnp.asarray(x))
    _same(out, x[idx])


def test_getitem_jnp_index_arrays_and_tuple_of_lists():
    x = jnp.asarray(X)
    _same(x[jnp.asarray([3, 0])], X[[3, 0]])
    _same(x[jnp.asarray(2)], X[2])
    _same(x[([1, 2], [0, 0])], X[[1, 2], [0, 0]])
    _same(x[np.int64(1), np.int32(2)], X[1, 2])


def test_array_indices_clamp_like_jax():
    x = jnp.asarray(X)
    _same(x[np.array([10, -10])], X[[3, 0]])
    _same(x[jnp.asarray(7)], X[3])
    _same(nablax.jit(lambda a, i: a[i])(x, 7), X[3])  # a traced scalar index clamps too
    _same(nablax.jit(lambda a, i: a[i, -1])(x, -1), X[-1, -1])


def test_zero_d_boolean_index_eager_and_traced():
    x = jnp.asarray(X)
    _same(x[jnp.asarray(True)], X[np.array(True)])
    _same(nablax.jit(lambda a: a[np.array(True), 1])(x), X[np.array(True), 1])
    _same(nablax.jit(lambda a: a[..., False])(x), X[..., False])


def test_getitem_keeps_weak_type_and_dtype():
    w = lax.add(1.0, 2.0)  # a weakly typed scalar
    assert w.weak_type and w[None].weak_type and nablax.jit(lambda a: a[None, ...])(w).weak_type
    assert not jnp.asarray(X)[np.array([0])].weak_type
    assert jnp.asarray(I)[np.array([1]), 0].dtype == np.int32


_dims = st.lists(st.integers(0, 4), min_size=1, max_size=3)


@st.composite
def _basic_index(draw):
    shape = tuple(draw(_dims))
    entries = []
    axis = 0
    used_ellipsis = False
    while axis < len(shape) and draw(st.booleans()):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis"]))
        d = shape[axis]
        if kind == "int" and d > 0:
            entries.append(draw(st.integers(-d, d - 1)))
            axis += 1
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-d - 2, d + 2))
            step = draw(st.one_of(st.none(), st.sampled_from([1, 2, 3, -1, -2])))
            entries.append(slice(draw(bound), draw(bound), step))
            axis += 1
        elif kind == "none":
            entries.append(None)
        elif kind == "ellipsis" and not used_ellipsis:
            entries.append(Ellipsis)
            used_ellipsis = True
            axis = len(shape)
    return shape, tuple(entries)


@settings(max_examples=60, deadline=None)
@given(_basic_index())
def test_basic_indexing_property(case):
    shape, idx = case
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    _same(jnp.asarray(x)[idx], x[idx])
    _same(nablax.jit(lambda a: J(a)[idx])(jnp.asarray(x)), x[idx])


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_advanced_indexing_property(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    ishape = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    idx = []
    for d in shape:
        kind = data.draw(st.sampled_from(["array", "slice", "int", "none"]))
        if kind == "array":
            idx.append(np.asarray(data.draw(st.lists(st.integers(-d, d - 1), min_size=int(np.prod(ishape)),
                                                     max_size=int(np.prod(ishape))))).reshape(ishape))
        elif kind == "slice":
            idx.append(slice(None, None, data.draw(st.sampled_from([1, -1, 2]))))
        elif kind == "int":
            idx.append(data.draw(st.integers(-d, d - 1)))
        else:
            idx.append(None)
            idx.append(slice(None))
    idx = tuple(idx)
    _same(jnp.asarray(x)[idx], x[idx])
    # .at[].add matches np.add.at (duplicates accumulate)
    expected = x.copy()
    np.add.at(expected, idx, 1.0)
    _same(jnp.asarray(x).at[idx].add(1.0), expected)


# ------------------------------------------------------------------------------ errors

def test_static_int_out_of_range_is_clamped_as_in_jax():
    # JAX clamps (after wrapping negatives once) instead of raising: x[4] is x[3], x[0, -6] is x[0, 0]
    x = jnp.asarray(X)
    _same(x[4], X[3])
    _same(x[0, -6], X[0, 0])
    _same(nablax.jit(lambda a: J(a)[7])(x), X[3])
    with pytest.raises(IndexError, match="out of bounds"):  # nothing to clamp to
        jnp.zeros((0, 2))[0]


def test_index_errors():
    x = jnp.asarray(X)
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]


def test_setitem_points_to_at():
    x = jnp.asarray(X)
    with pytest.raises(TypeError, match=r"\.at\["):
        x[0] = 1.0
    with pytest.raises(TypeError, match=r"\.at\["):
        nablax.jit(lambda a: a.__setitem__(0, 1.0))(x)


def test_traced_boolean_mask_raises_clear_error():
    x = jnp.asarray(X)
    for transform in (nablax.jit, nablax.make_jaxpr):
        with pytest.raises(NonConcreteBooleanIndexError, match="jnp.where"):
            transform(lambda a: J(a)[a > 0])(x)
    with pytest.raises(NonConcreteBooleanIndexError):
        nablax.vmap(lambda a: J(a)[a > 0])(x)
    assert issubclass(NonConcreteBooleanIndexError, IndexError)  # as in JAX


def test_bad_index_types():
    x = jnp.asarray(X)
    with pytest.raises(TypeError, match="integer or boolean"):
        x[jnp.asarray([0.5])]
    with pytest.raises(TypeError):
        x[1.0]
    with pytest.raises(TypeError):
        x["a"]
    with pytest.raises(IndexError, match="boolean index did not match"):
        x[np.array([True, False])]
    for f in (lambda a: a[np.array([0, 1]), np.array([0, 1, 2])], lambda a: a.at[np.array([0, 1]), np.array([0, 1, 2])].add(1)):
        with pytest.raises(ValueError, match="incompatible shapes"):  # a ValueError, as in JAX
            f(x)
        with pytest.raises(ValueError, match="incompatible shapes"):
            nablax.jit(f)(x)


def test_traced_slice_bound_error_suggests_dynamic_slice():
    with pytest.raises(IndexError, match="dynamic_slice"):  # an IndexError, as in JAX
        nablax.jit(lambda a, i: a[i:i + 2])(jnp.asarray(X), 1)


# ------------------------------------------------------------------------------- .at[]

def _np_at(op, x, idx, v):
    x = x.copy()
    {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum}[op].at(x, idx, v)
    return x


@pytest.mark.parametrize("op", ["add", "multiply", "min", "max"])
@pytest.mark.parametrize("idx", [(1,), (slice(None), 2), (np.array([0, 2, 0]),), (np.array([1, 1]), np.array([0, 0]))],
                         ids=["int", "slice", "dup-array", "dup-pair"])
def test_at_accumulating_updates(op, idx):
    v = R.standard_normal(X[idx].shape).astype(np.float32)
    out = getattr(jnp.asarray(X).at[idx], op)(v)
    np.testing.assert_allclose(np.asarray(out), _np_at(op, X, idx, v), rtol=1e-6)


def test_at_set_get_subtract_divide_and_broadcasting():
    x = jnp.asarray(X)
    e = X.copy()
    e[1:3] = 7.0
    _same(x.at[1:3].set(7.0), e)
    e = X.copy()
    e[:, [0, 4]] = np.array([1.0, 2.0])
    _same(x.at[:, [0, 4]].set(np.array([1.0, 2.0], np.float32)), e)
    e = X.copy()
    e[0] = np.ones((1, 5))[0]
    _same(x.at[0].set(np.ones((1, 5), np.float32)), e)  # leading 1s are dropped, as in NumPy
    e = X.copy()
    e[2, 1] -= 3.0
    np.testing.assert_allclose(np.asarray(x.at[2, 1].subtract(3.0)), e)
    e = X.copy()
    e[[0, 0, 3]] /= 2.0  # NumPy applies the last only; JAX divides every time
    np.testing.assert_allclose(np.asarray(x.at[np.array([0, 3])].divide(2.0)), e, rtol=1e-6)
    e = X.copy()
    e[[1, 3]] **= 2.0
    np.testing.assert_allclose(np.asarray(x.at[np.array([1, 3])].power(2.0)), e, rtol=1e-6)
    _same(x.at[np.array([1, 3])].get(), X[[1, 3]])
    _same(x.at[2].get(), X[2])
    with pytest.raises(ValueError, match="shape mismatch"):
        x.at[0].set(np.ones(3, np.float32))


def test_at_casts_values_to_array_dtype():
    i = jnp.asarray(I)
    out = i.at[0, 0, 0].set(2.7)
    assert out.dtype == np.int32 and int(out[0, 0, 0]) == 2
    f = jnp.asarray(X)
    assert f.at[0].add(np.arange(5)).dtype == np.float32


def test_at_out_of_bounds_modes():
    x = jnp.asarray(np.arange(5.0, dtype=np.float32))
    _same(x.at[np.array([1, 9])].set(-1.0), np.array([0, -1, 2, 3, 4], np.float32))  # drop
    _same(x.at[9].add(1.0), np.arange(5.0, dtype=np.float32))  # static ints drop too
    _same(x.at[7].get(), np.float32(4.0))  # clamped
    _same(x.at[np.array([0, 0])].set(np.array([1.0, 2.0], np.float32), unique_indices=False, indices_are_sorted=True),
          np.array([2, 1, 2, 3, 4], np.float32))  # duplicates: the last wins (NumPy order)
    # mode= through the engine behind .at[] (see test_at_mode_keyword_via_at below)
    _same(at_update(x, np.array([9]), "set", -1.0, mode="clip"), np.array([0, 1, 2, 3, -1], np.float32))
    out = at_update(x, np.array([0, 7, -9]), "get", None, mode="fill", fill_value=-5.0)
    _same(out, np.array([0, -5, -5], np.float32))
    assert np.isnan(np.asarray(at_update(x, 7, "get", None, mode="fill"))).all()


def test_at_mode_keyword_via_at():
    x = jnp.asarray(np.arange(5.0, dtype=np.float32))
    _same(x.at[np.array([9])].set(-1.0, mode="clip"), np.array([0, 1, 2, 3, -1], np.float32))
    _same(x.at[np.array([0, 7])].get(mode="fill", fill_value=-5.0), np.array([0, -5], np.float32))


# ----------------------------------------------------------------------------- grads

def test_grads_through_indexing():
    x = jnp.asarray(X.astype(np.float64))
    with nablax.config.enable_x64(True):
        x = jnp.asarray(X.astype(np.float64))
        check_grads(lambda a: J(a)[1:3, ::-2], (x,), order=2)
        check_grads(lambda a: J(a)[np.array([0, 0, 3]), np.array([1, 1, 4])] ** 2, (x,), order=2)
        check_grads(lambda a: J(a)[None, ..., np.array([2, -1])], (x,), order=2)
        check_grads(lambda a: J(a)[J(a)[:, 0] > 0], (x,), order=1)  # concrete mask in eager grad
        check_grads(lambda a: jnp.take(a, np.array([3, 0, 30]), mode="clip"), (x,), order=2)
        check_grads(lambda a: jnp.take_along_axis(a, np.array([[0, 4], [1, 1], [2, 3], [0, 0]]), axis=1), (x,),
                    order=2)


def test_grads_through_at_updates():
    with nablax.config.enable_x64(True):
        x = jnp.asarray(X.astype(np.float64))
        v = jnp.asarray(R.standard_normal(3))
        i = np.array([0, 2, 0])
        check_grads(lambda a, b: J(a).at[i].add(b[:, None] * a[1]), (x, v), order=2)
        check_grads(lambda a, b: J(a).at[i, 1].set(b), (x, v), order=2)
        check_grads(lambda a, b: J(a).at[i, 1].multiply(b), (x, v), order=2)
        check_grads(lambda a, b: J(a).at[i, 1].max(b), (x, v), order=1)
        check_grads(lambda a, b: J(a).at[1:4, 2].divide(b + 3.0), (x, v), order=2)
        # set with duplicates: only the surviving update gets a gradient
        g = nablax.grad(lambda b: jnp.sum(jnp.zeros(4).at[np.array([1, 1, 2])].set(b)))(v)
        _same(g, np.array([0.0, 1.0, 1.0]))
        # multiply with duplicate indices and a zero update: exact, no division by zero
        b0 = jnp.asarray(np.array([2.0, 0.0, 3.0]))
        g = nablax.grad(lambda b: jnp.sum(jnp.ones(2).at[np.array([0, 0, 0])].multiply(b)))(b0)
        _same(g, np.array([0.0, 6.0, 0.0]))


# ------------------------------------------------------------------------------ vmap

def test_vmap_with_batched_indices():
    xs = R.standard_normal((3, 4, 5)).astype(np.float32)
    idx = np.array([[0, 3], [2, 2], [1, 0]])
    out = nablax.vmap(lambda a, i: a[i, 1:])(jnp.asarray(xs), jnp.asarray(idx))
    _same(out, np.stack([xs[k][idx[k], 1:] for k in range(3)]))
    out = nablax.vmap(lambda i: jnp.asarray(X)[:, i])(jnp.asarray(idx))  # unbatched operand
    _same(out, np.stack([X[:, idx[k]] for k in range(3)]))
    scalars = np.array([3, 0, 1])
    out = nablax.vmap(lambda a, i: a[i])(jnp.asarray(xs), jnp.asarray(scalars))  # traced scalar index
    _same(out, np.stack([xs[k][scalars[k]] for k in range(3)]))
    vals = R.standard_normal((3, 2, 5)).astype(np.float32)
    out = nablax.vmap(lambda a, i, v: a.at[i].add(v), in_axes=(None, 0, 0))(jnp.asarray(X), jnp.asarray(idx),
                                                                             jnp.asarray(vals))
    _same(out, np.stack([_np_at("add", X, idx[k], vals[k]) for k in range(3)]))


def test_vmap_dynamic_slice_with_batched_starts():
    starts = jnp.asarray(np.array([0, 3, 9]))
    out = nablax.vmap(lambda s: lax.dynamic_slice(jnp.asarray(X), (s, 1), (2, 3)))(starts)
    _same(out, np.stack([X[0:2, 1:4], X[2:4, 1:4], X[2:4, 1:4]]))
    upd = jnp.asarray(np.ones((3, 2, 2), np.float32))
    out = nablax.vmap(lambda s, u: lax.dynamic_update_slice(jnp.asarray(X), u, (1, s)))(starts, upd)
    for k, s in enumerate([0, 3, 3]):
        e = X.copy()
        e[1:3, s:s + 2] = 1.0
        _same(out[k], e)


def test_dynamic_slice_helpers():
    x = jnp.asarray(X)
    _same(lax.dynamic_slice_in_dim(x, 2, 2, axis=1), X[:, 2:4])
    _same(lax.dynamic_index_in_dim(x, 1, axis=0, keepdims=False), X[1])
    _same(lax.dynamic_index_in_dim(x, 1, axis=1), X[:, 1:2])
    e = X.copy()
    e[:, 3:5] = 0.0
    _same(lax.dynamic_update_slice_in_dim(x, jnp.zeros((4, 2)), 3, axis=1), e)
    e = X.copy()
    e[2] = 1.0
    _same(lax.dynamic_update_index_in_dim(x, jnp.ones(5), 2, axis=0), e)
    out = nablax.jit(lambda a, i: lax.dynamic_slice(a, (i, i), (2, 2)))(x, 1)
    _same(out, X[1:3, 1:3])


# ---------------------------------------------------------- take, nonzero, index helpers

def test_take_and_take_along_axis():
    x = jnp.asarray(X3)
    _same(jnp.take(x, np.array([[0, 2]]), axis=1), np.take(X3, [[0, 2]], axis=1))
    _same(jnp.take(x, np.array([5, -1])), np.take(X3, [5, -1]))
    _same(x.take(np.array([1]), axis=-1), X3.take([1], axis=-1))
    assert np.isnan(np.asarray(jnp.take(x, np.array([100]))))[0]
    _same(jnp.take(x, np.array([100]), mode="clip"), np.take(X3, [100], mode="clip"))
    _same(jnp.take(x, np.array([7, -7]), axis=2, mode="wrap"), np.take(X3, [7, -7], axis=2, mode="wrap"))
    _same(jnp.take(jnp.asarray(I), np.array([99]), fill_value=-1), np.array([-1], np.int32))
    ind = np.argsort(X3, axis=1)
    _same(jnp.take_along_axis(x, ind, axis=1), np.take_along_axis(X3, ind, axis=1))
    ind = np.array([[[0, 4]]])
    _same(jnp.take_along_axis(x, ind, axis=-1), np.take_along_axis(X3, ind, axis=-1))
    _same(jnp.take_along_axis(x, np.array([3, 0]), axis=None), np.take_along_axis(X3, np.array([3, 0]), axis=None))
    with pytest.raises(NotImplementedError):
        jnp.take(x, np.array([0]), mode="raise")


def test_nonzero_family():
    a = np.array([[0, 1, 0], [2, 0, 3]], np.int32)
    for o, e in zip(jnp.nonzero(jnp.asarray(a)), np.nonzero(a)):
        _same(o, e.astype(np.int32))
    _same(jnp.flatnonzero(jnp.asarray(a)), np.flatnonzero(a).astype(np.int32))
    _same(jnp.argwhere(jnp.asarray(a)), np.argwhere(a).astype(np.int32))
    _same(jnp.argwhere(jnp.asarray(3)), np.argwhere(np.array(3)).astype(np.int32))
    _same(jnp.asarray(a).nonzero(size=2)[1], np.array([1, 0], np.int32))
    _same(jnp.nonzero(jnp.asarray(a), size=5, fill_value=-1)[0], np.array([0, 1, 1, -1, -1], np.int32))
    with pytest.raises(ConcretizationTypeError, match="size="):
        nablax.jit(jnp.nonzero)(jnp.asarray(a))
    rows, cols = nablax.jit(lambda m: jnp.nonzero(m, size=4, fill_value=(9, 8)))(jnp.asarray(a))
    _same(rows, np.array([0, 1, 1, 9], np.int32))
    _same(cols, np.array([1, 0, 2, 8], np.int32))
    _same(nablax.jit(lambda m: jnp.argwhere(m, size=2))(jnp.asarray(a)), np.argwhere(a)[:2].astype(np.int32))
    out = nablax.vmap(lambda r: jnp.flatnonzero(r, size=2))(jnp.asarray(a))
    _same(out, np.array([[1, 0], [0, 2]], np.int32))


def test_index_helpers():
    for o, e in zip(jnp.tril_indices(3, k=-1), np.tril_indices(3, k=-1)):
        _same(o, e.astype(np.int32))
    for o, e in zip(jnp.triu_indices(3, 1, 4), np.triu_indices(3, 1, 4)):
        _same(o, e.astype(np.int32))
    for o, e in zip(jnp.diag_indices(3, 3), np.diag_indices(3, 3)):
        _same(o, e.astype(np.int32))
    m = jnp.asarray(X)
    _same(m[jnp.triu_indices_from(m[:, :4])], X[np.triu_indices_from(X[:, :4])])
    _same(m[jnp.ix_([0, 2], np.array([True, False, False, True, True]))],
          X[np.ix_([0, 2], [True, False, False, True, True])])


def test_at_updates_compute_in_the_promoted_dtype_like_jax():
    x = jnp.asarray(np.array([[3, -7, 0], [5, 2, -1]], np.int32))
    # x[idx] op y in the promoted dtype (float here), cast back to x's dtype: -7 * 2.5 = -17.5 -> -17
    assert x.at[:, 1].multiply(2.5).tolist() == [[3, -17, 0], [5, 5, -1]]
    assert x.at[:, 1].add(2.5).tolist() == [[3, -4, 0], [5, 4, -1]]
    assert x.at[0, 0].set(2.9).tolist()[0][0] == 2
    assert x.at[0, 0].max(3.5).tolist()[0][0] == 3
    # repeated indices: .power applies once per repetition (exponents multiply), as .divide does
    f = jnp.asarray(np.array([0.5, -1.5, 2.0], np.float32))
    np.testing.assert_allclose(np.asarray(f.at[np.array([1, 1])].power(2)), [0.5, 5.0625, 2.0])
    np.testing.assert_allclose(np.asarray(f.at[np.array([2, 2])].divide(2)), [0.5, -1.5, 0.5])
    w = lax.cumsum(jnp.broadcast_to(0.5, (3,)))  # weakly typed: updates keep it
    for op in ("set", "add", "multiply", "divide", "power", "min"):
        assert getattr(w.at[1], op)(2.0).weak_type, op
