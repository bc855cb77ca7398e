"""jnp's assembly and editing functions and index tricks against real JAX: values, dtypes,
weak types, shapes, eager and under jit, and gradients where JAX has them."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4)).astype(np.float32)
XI = np.arange(12, dtype=np.int32).reshape(3, 4)
V = np.array([1.5, -2.0, 0.25], np.float32)

# name -> function of (jnp module, x): run eagerly in both libraries
EAGER = {
    "choose_clip": lambda L, x: L.choose(np.array([[0, 1, 2, 5]] * 3), [x, 2 * x, x + 1], mode="clip"),
    "choose_wrap": lambda L, x: L.choose(np.array([0, -1, 4, 2]), [x[0], x[1], x[2]], mode="wrap"),
    "piecewise": lambda L, x: L.piecewise(x, [x < 0, x > 0.5], [lambda v: v * v, lambda v: -v, 3]),
    "piecewise_int": lambda L, x: L.piecewise(XI, [XI < 3], [lambda v: v * 2.5, 1.7]),
    "compress": lambda L, x: L.compress(np.array([True, False, True]), x, axis=0),
    "compress_size": lambda L, x: L.compress(np.array([1, 0, 1, 1]), x, axis=1, size=2, fill_value=9),
    "extract": lambda L, x: L.extract(x > 0, x, size=8, fill_value=-1),
    "put": lambda L, x: L.put(x, np.array([0, 5, 30]), np.array([7.0, 8.0]), inplace=False),
    "put_clip": lambda L, x: L.put(XI, np.array([-1, 13]), 5, mode="clip", inplace=False),
    "put_along_axis_none": lambda L, x: L.put_along_axis(x, np.array([2, 11]), 0.0, axis=None, inplace=False),
    "place": lambda L, x: L.place(x, x > 0, np.array([10.0, 20.0]), inplace=False),
    "fill_diagonal": lambda L, x: L.fill_diagonal(x, np.array([1.0, 2.0]), inplace=False),
    "insert_scalar": lambda L, x: L.insert(x, 1, np.array([5.0, 6, 7, 8]), axis=0),
    "insert_many": lambda L, x: L.insert(x, np.array([3, 0, 3]), 2.0, axis=1),
    "insert_flat": lambda L, x: L.insert(XI, slice(0, 4, 2), np.array([-1, -2])),
    "delete_int": lambda L, x: L.delete(x, -1, axis=1),
    "delete_slice": lambda L, x: L.delete(XI, slice(1, None, 3)),
    "delete_array": lambda L, x: L.delete(x, np.array([0, 2, 0]), axis=1),
    "delete_unique": lambda L, x: L.delete(x, np.array([2, 0]), axis=1, assume_unique_indices=True),
    "mask_indices": lambda L, x: L.mask_indices(4, L.triu, 1),
    "mgrid": lambda L, x: L.mgrid[0:3, 1:2:4j],
    "ogrid": lambda L, x: L.ogrid[0:2, 0:6:2],
    "r_": lambda L, x: L.r_[x[0], 0, 1:3, np.array([7.0])],
    "r_directive": lambda L, x: L.r_["0,2,0", V, V],
    "r_row": lambda L, x: L.r_["r", 1:4],
    "c_": lambda L, x: L.c_[V, V * 2],
    "indices": lambda L, x: L.indices((2, 3)),
    "indices_sparse": lambda L, x: L.indices((2, 3), dtype=L.int16, sparse=True),
    "ravel_multi_index_F": lambda L, x: L.ravel_multi_index((np.array([0, 5]), np.array([3, 1])), (3, 4), mode="wrap",
                                                            order="F"),
    "unravel_index": lambda L, x: L.unravel_index(np.array([0, 7, 11, 20, -1, -30]), (3, 4)),
    "resize": lambda L, x: L.resize(x, (5, 3)),
    "rollaxis": lambda L, x: L.rollaxis(L.zeros((2, 3, 4, 5)), 3, 1),
    "block": lambda L, x: L.block([[x, x[:, :1]], [L.ones((1, 4)), L.zeros((1, 1))]]),
    "packbits": lambda L, x: L.packbits(XI > 4, axis=1, bitorder="little"),
    "unpackbits_count": lambda L, x: L.unpackbits(np.array([7, 200], np.uint8), count=-3, bitorder="little"),
    "vecmat": lambda L, x: L.vecmat(V, x),
    "vecdot_complex": lambda L, x: L.vecdot(x + 1j * x, x),
    "array_equal": lambda L, x: (L.array_equal(x, x), L.array_equal(x, x[0]), L.array_equal(np.nan, np.nan, equal_nan=True)),
    "array_equiv": lambda L, x: (L.array_equiv(x[:1], x[:1] * np.ones((3, 1)))),
}

# functions of traced arrays: eager and jit must agree with JAX's jit
TRACED = {
    "choose": lambda L, x, i: L.choose(i, [x, -x], mode="wrap"),
    "piecewise": lambda L, x, i: L.piecewise(x, [x < 0], [L.sin, L.cos]),
    "compress": lambda L, x, i: L.compress(x[0] > 0, x, axis=1, size=2),
    "put": lambda L, x, i: L.put(x, i, x[0], mode="clip", inplace=False),
    "insert": lambda L, x, i: L.insert(x, i[:2], 0.5, axis=1),
    "delete": lambda L, x, i: L.delete(x, i[:2], axis=1, assume_unique_indices=True),
    "r_": lambda L, x, i: L.r_[x[0], 0:2, x[1]],
    "unravel_index": lambda L, x, i: L.unravel_index(i * 3, (2, 3)),
}
IDX = np.array([3, 1, 0, 2], np.int32)


def _jax_answer(f, x):
    """JAX's result, computed under one jax.jit where the function allows (one compilation
    instead of one per operation keeps this suite fast); eagerly where it needs concrete values."""
    try:
        return jax.jit(lambda a: f(jjnp, a))(x)
    except (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError):
        return f(jjnp, x)


@pytest.mark.parametrize("name", sorted(EAGER))
def test_eager(name):
    assert_same(_jax_answer(EAGER[name], X), EAGER[name](njnp, X))


@pytest.mark.parametrize("name", sorted(TRACED))
def test_jit(name):
    f = TRACED[name]
    want = jax.jit(lambda x, i: f(jjnp, x, i))(X, IDX)
    assert_same(want, nablax.jit(lambda x, i: f(njnp, x, i))(X, IDX))
    assert_same(want, f(njnp, X, IDX))


GRADS = {
    "choose": lambda L, x: L.choose(np.array([[0, 1, 1, 0]] * 3), [x, x * x], mode="clip"),
    "piecewise": lambda L, x: L.piecewise(x, [x < 0], [lambda v: v ** 3, lambda v: L.sin(v)]),
    "put": lambda L, x: L.put(x, np.array([1, 5]), x[2, :2] * 3, inplace=False),
    "insert": lambda L, x: L.insert(x, np.array([1, 1]), x[:, :1] * 2, axis=1),
    "block": lambda L, x: L.block([[x, x * 2], [x ** 2, x]]),
    "vecdot": lambda L, x: L.vecdot(x, x * 3),
    "fill_diagonal": lambda L, x: L.fill_diagonal(x, x[2, 3] ** 2, inplace=False),
    "place": lambda L, x: L.place(x, np.asarray(X > 0), x[0] * 2, inplace=False),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_grad(name):
    loss = lambda L: lambda x: (GRADS[name](L, x) ** 2).sum()  # noqa: E731
    assert_same(jax.jit(jax.grad(loss(jjnp)))(X), nablax.grad(loss(njnp))(X), rtol=1e-4, atol=1e-5)


def test_errors_match():
    for f, err in [(lambda L: L.choose(np.array([0, 3]), [X[0, :2], X[1, :2]]), ValueError),
                   (lambda L: L.put(X, np.array([0]), 1.0), ValueError),
                   (lambda L: L.put(X, np.array([0]), 1.0, mode="raise", inplace=False), NotImplementedError),
                   (lambda L: L.compress(np.array([[True]]), X), ValueError),
                   (lambda L: L.block([[X], X]), ValueError),
                   (lambda L: L.packbits(X), TypeError),
                   (lambda L: L.unstack(np.float32(1.0)), ValueError)]:
        with pytest.raises(err):
            f(jjnp)
        with pytest.raises(err):
            f(njnp)
    for L, j in ((jjnp, jax.jit), (njnp, nablax.jit)):
        with pytest.raises(Exception) as info:
            j(lambda i, L=L: L.choose(i, [X[0], X[1]]))(IDX)
        assert "Concretization" in type(info.value).__name__


def test_x64(x64):
    for name in ("ravel_multi_index_F", "indices", "mgrid"):
        assert_same(_jax_answer(EAGER[name], X.astype(np.float64)), EAGER[name](njnp, X.astype(np.float64)))
