"""jnp's set routines against real JAX: values, padding (size/fill_value), indices, inverse,
counts, dtypes and weak types, eagerly, under jit and vmap, and the gradients through sized calls."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

X = np.array([3., 1., 3., 2., 1., 5.], np.float32)
Y = np.array([3., 7., 1.], np.float32)
M = np.array([[1, 2], [1, 2], [0, 3]], np.int32)
XNAN = np.array([np.nan, 1, np.nan, 2], np.float32)
SIZES = [{}, {"size": 2}, {"size": 8, "fill_value": -1}]  # (JAX's first calls compile: keep this short)
ALL = {"return_index": True, "return_inverse": True, "return_counts": True}


@pytest.mark.parametrize("kw", SIZES)
def test_unique(kw):
    for x, extra in [(X, {}), (M, {"axis": 0})]:
        assert_same(jjnp.unique(x, **ALL, **extra, **kw), njnp.unique(x, **ALL, **extra, **kw), path=f"{extra}")
    for name in ["unique_all", "unique_counts", "unique_inverse", "unique_values"]:
        assert_same(getattr(jjnp, name)(XNAN, **kw), getattr(njnp, name)(XNAN, **kw), path=name)


def test_unique_corners(x64):
    e = np.zeros((0,), np.float32)
    for kw in [{}, {"size": 3, "fill_value": 2}]:
        assert_same(jjnp.unique(e, **ALL, **kw), njnp.unique(e, **ALL, **kw))
    assert_same(jjnp.unique(np.zeros((3, 0)), axis=0, **ALL), njnp.unique(np.zeros((3, 0)), axis=0, **ALL))
    c = np.array([1 + 1j, 1 - 1j, 1 + 1j, np.nan, complex(1, np.nan)])
    assert_same(jjnp.unique(c, return_counts=True), njnp.unique(c, return_counts=True))
    i64 = np.array([2, 7, 2], np.int64)
    assert_same(jjnp.unique(i64, size=4, **ALL), njnp.unique(i64, size=4, **ALL))


@pytest.mark.parametrize("kw", SIZES[::2])
def test_two_array_ops(kw):
    for ri in (False, True):
        for au in (False, True):
            assert_same(jjnp.intersect1d(X, Y, assume_unique=au, return_indices=ri, **kw),
                        njnp.intersect1d(X, Y, assume_unique=au, return_indices=ri, **kw), path=f"intersect {ri} {au}")
    for au in (False, True):
        assert_same(jjnp.setdiff1d(X, Y, assume_unique=au, **kw), njnp.setdiff1d(X, Y, assume_unique=au, **kw))
        assert_same(jjnp.setxor1d(X, Y, assume_unique=au, **kw), njnp.setxor1d(X, Y, assume_unique=au, **kw))
    assert_same(jjnp.union1d(X, M, **kw), njnp.union1d(X, M, **kw))


def test_isin():
    for method in ["auto", "compare_all", "binary_search", "sort"]:
        for invert in (False, True):
            assert_same(jjnp.isin(M, Y, invert=invert, method=method), njnp.isin(M, Y, invert=invert, method=method))
    assert_same(jjnp.isin(X, 3.0), njnp.isin(X, 3.0))
    assert_same(jjnp.isin(X, np.zeros(0)), njnp.isin(X, np.zeros(0)))


_SIZED = {
    "unique": lambda np_, x: np_.unique(x, size=4, return_counts=True, return_inverse=True, return_index=True),
    "intersect1d": lambda np_, x: np_.intersect1d(x, Y, size=4, return_indices=True),
}


@pytest.mark.parametrize("name", sorted(_SIZED))
def test_sized_under_jit_vmap_grad(name):
    f = _SIZED[name]
    assert_same(jax.jit(lambda x: f(jjnp, x))(X), nablax.jit(lambda x: f(njnp, x))(X), path="jit")
    xs = np.stack([X, X[::-1] * 2])
    assert_same(jax.vmap(lambda x: f(jjnp, x))(xs), nablax.vmap(lambda x: f(njnp, x))(xs), path="vmap")
    w = np.arange(1.0, 8.0, dtype=np.float32)

    def loss(np_):
        return lambda x: (jax.tree_util.tree_leaves(f(np_, x))[0] * w[:4]).sum()
    assert_same(jax.grad(loss(jjnp))(X), nablax.grad(loss(njnp))(X), path="grad")


def test_unsized_grad_is_zero_and_jit_needs_size():
    assert_same(jax.grad(lambda x: jjnp.unique(x).sum())(X), nablax.grad(lambda x: njnp.unique(x).sum())(X))
    for name in ["unique", "setdiff1d"]:
        args = (X,) if name == "unique" else (X, Y)
        with pytest.raises(jax.errors.ConcretizationTypeError):
            jax.jit(getattr(jjnp, name))(*args)
        with pytest.raises(nablax.errors.ConcretizationTypeError, match="size="):
            nablax.jit(getattr(njnp, name))(*args)
