"""nablax.numpy assembly/editing functions and index tricks against NumPy and known (JAX 0.10.2)
answers: values, dtypes, jit agreement, gradients, errors."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax._src.errors import ConcretizationTypeError
from nablax.test_util import check_grads

R = np.random.default_rng(1)
M = R.standard_normal((3, 4)).astype(np.float32)
MD = M.astype(np.float64)
I = np.arange(12, dtype=np.int32).reshape(3, 4)


def _eq(out, expected):
    if isinstance(expected, (list, tuple)):
        assert len(out) == len(expected)
        for o, e in zip(out, expected):
            _eq(o, e)
        return
    o, e = np.asarray(out), np.asarray(expected)
    assert o.shape == e.shape, (o.shape, e.shape)
    assert o.dtype == e.dtype, (o.dtype, e.dtype)
    np.testing.assert_allclose(o, e, rtol=1e-6, atol=1e-6)


# (nablax call, NumPy call): same values and dtypes (NumPy's int64 results cast to int32)
def _i32(x):
    return np.asarray(x).astype(np.int32) if np.asarray(x).dtype == np.int64 else np.asarray(x)


NUMPY_CASES = {
    "choose": (lambda L: L.choose(np.array([2, 0, 1, 5]), [M[0], M[1], M[2]], mode="clip"), None),
    "compress": (lambda L: L.compress(np.array([True, False, True]), M, axis=0), None),
    "extract": (lambda L: L.extract(M > 0, M), None),
    "insert": (lambda L: L.insert(M, np.array([1, 1, 4]), np.float32(2.5), axis=1), None),
    "insert_flat": (lambda L: L.insert(I, 3, np.array([-1, -2], np.int32)), _i32),
    "delete": (lambda L: L.delete(M, np.array([0, 2, 2]), axis=1), None),
    "delete_slice": (lambda L: L.delete(I, slice(None, None, 2)), _i32),
    "resize": (lambda L: L.resize(M, (5, 2)), None),
    "rollaxis": (lambda L: L.rollaxis(np.zeros((2, 3, 4, 5), np.float32), 1, 4), None),
    "rollaxis_neg": (lambda L: L.rollaxis(np.zeros((2, 3, 4), np.float32), -1, -2), None),
    "block": (lambda L: L.block([[M, M[:, :2]], [np.ones((1, 6), np.float32)]]), None),
    "packbits": (lambda L: L.packbits(I > 3, axis=0, bitorder="little"), None),
    "unpackbits": (lambda L: L.unpackbits(np.array([[5, 255]], np.uint8), axis=1, count=10), None),
    "mask_indices": (lambda L: L.mask_indices(3, np.tril if L is np else L.tril, -1), _i32),
    "mgrid": (lambda L: L.mgrid[0:2:3j, -1:2], None),
    "ogrid": (lambda L: L.ogrid[0:3, 0:1:0.25], None),
    "r_": (lambda L: L.r_[M[0], 0, 1:3, np.float32(5.0)], None),
    "r_dir": (lambda L: L.r_["0,3,0", M[0], M[1]], None),
    "c_": (lambda L: L.c_[M[0], M[1], M[2]], None),
    "indices": (lambda L: L.indices((2, 3)), _i32),
    "ravel_multi_index": (lambda L: L.ravel_multi_index((np.array([0, 2, 1]), np.array([3, 0, 1])), (3, 4), order="F"),
                          _i32),
    "unravel_index": (lambda L: L.unravel_index(np.array([0, 5, 11]), (3, 4)), lambda t: tuple(map(_i32, t))),
}


@pytest.mark.parametrize("name", sorted(NUMPY_CASES))
def test_against_numpy(name):
    f, conv = NUMPY_CASES[name]
    expected = f(np)
    if conv is not None:
        expected = conv(expected)
    if name == "ogrid":
        expected = [e.astype(np.float32) for e in expected]
    if name in ("mgrid", "r_dir", "r_"):
        expected = np.asarray(expected).astype(np.float32)
    _eq(f(jnp), expected)


def test_known_answers():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    _eq(jnp.piecewise(np.array([-2.0, 0.0, 3.0], np.float32), [np.array([True, False, False]), np.array([False, False, True])],
                      [lambda v: -v, lambda v: v * v, 10.0]), np.array([2.0, 10.0, 9.0], np.float32))
    _eq(jnp.piecewise(np.array([1, 5], np.int32), [np.array([True, False])], [lambda v: v * 2.5]), np.array([2, 0], np.int32))
    f32 = lambda v: np.array(v, np.float32)  # noqa: E731
    _eq(jnp.put(x, np.array([0, 30, -1]), np.array([7.0, 8.0]), inplace=False), f32([[7.0, 1, 2], [3, 4, 7.0]]))
    _eq(jnp.put(x, np.array([-1, 7]), 9.0, mode="clip", inplace=False), f32([[9.0, 1, 2], [3, 4, 9.0]]))
    _eq(jnp.put_along_axis(x, np.array([[2], [0]]), -1.0, axis=1, inplace=False), f32([[0.0, 1, -1], [-1, 4, 5]]))
    _eq(jnp.place(x, x > 2, np.array([10.0, 20.0]), inplace=False), f32([[0.0, 1, 2], [10, 20, 10]]))
    _eq(jnp.fill_diagonal(np.zeros((5, 2), np.float32), np.array([1.0, 2.0]), wrap=True, inplace=False),
        np.array([[1.0, 0], [0, 2], [0, 0], [1, 0], [0, 2]], np.float32))
    _eq(jnp.compress(np.array([0, 1, 1]), x, axis=1, size=3, fill_value=-1),
        np.array([[1.0, 2, -1], [4, 5, -1]], np.float32))
    _eq(jnp.extract(x > 1, x, size=2), np.array([2.0, 3.0], np.float32))
    _eq(jnp.unstack(x, axis=1), [x[:, 0], x[:, 1], x[:, 2]])
    _eq(jnp.matvec(x, np.ones(3, np.float32)), np.array([3.0, 12.0], np.float32))
    _eq(jnp.vecmat(np.array([1j, 1], np.complex64), x.astype(np.complex64)), np.array([3 - 0j, 4 - 1j, 5 - 2j], np.complex64))
    _eq(jnp.vecdot(np.array([1 + 1j, 2]), np.array([1j, 1])), np.array(3 + 1j, np.complex64))
    assert bool(jnp.array_equal(x, x)) and not bool(jnp.array_equal(x, x[:1])) and not bool(jnp.array_equal([1, 2], "ab"))
    assert bool(jnp.array_equal(np.nan, np.nan, equal_nan=True)) and not bool(jnp.array_equal(np.nan, np.nan))
    assert bool(jnp.array_equiv(x[:1], np.broadcast_to(x[:1], (4, 3)))) and not bool(jnp.array_equiv(x, x[:1, :2]))
    _eq(jnp.unravel_index(np.array([-1, 20, -20]), (2, 3)), (np.array([1, 1, 0], np.int32), np.array([2, 2, 0], np.int32)))
    assert jnp.s_[1:2, ::3] == np.s_[1:2, ::3] and jnp.index_exp[2] == (2,)
    assert jnp.r_["r", 1:3].shape == (1, 2) and jnp.r_["c", 1:3].shape == (2, 1)
    # (JAX rotates the axes of a 2-D item as it does a 1-D one; NumPy gives (1, 8, 1) here)
    assert jnp.r_["1,3,0", M[:1], M[:1]].shape == (4, 2, 1)
    _eq(jnp.r_["0,2", [1, 2], [3, 4]], np.r_["0,2", [1, 2], [3, 4]].astype(np.int32))


TRACED = {
    "choose": lambda x, i: jnp.choose(i, [x, x * 2], mode="wrap"),
    "piecewise": lambda x, i: jnp.piecewise(x, [x < 0], [jnp.sin, lambda v: v ** 2]),
    "insert": lambda x, i: jnp.insert(x, i[:2], -1.0, axis=1),
    "delete": lambda x, i: jnp.delete(x, i[:2], axis=1, assume_unique_indices=True),
    "put": lambda x, i: jnp.put(x, i, x[0], mode="wrap", inplace=False),
    "place": lambda x, i: jnp.place(x, x > 0, x[1], inplace=False),
    "compress": lambda x, i: jnp.compress(x[0] > 0, x, axis=1, size=3),
    "ravel_multi_index": lambda x, i: jnp.ravel_multi_index((i, i[::-1]), (4, 4), mode="clip"),
    "r_": lambda x, i: jnp.r_[x[0], 0:2, x[2]],
    "block": lambda x, i: jnp.block([[x, x], [x, x]]),
}


@pytest.mark.parametrize("name", sorted(TRACED))
def test_jit_matches_eager(name):
    idx = np.array([3, 0, 1, 2], np.int32)
    _eq(nablax.jit(TRACED[name])(M, idx), TRACED[name](M, idx))


GRADS = {
    "choose": lambda x: jnp.choose(np.array([[0, 1, 1, 0]] * 3), [x, jnp.sin(x)]),
    "piecewise": lambda x: jnp.piecewise(x, [x < 0], [lambda v: v ** 3, jnp.cos]),
    "insert": lambda x: jnp.insert(x, np.array([2, 0]), x[:, 1:3] ** 2, axis=1),
    "delete": lambda x: jnp.delete(x, np.array([1]), axis=0),
    "put": lambda x: jnp.put(x, np.array([1, 5]), x[2, :2] * 3, inplace=False),
    "block": lambda x: jnp.block([[x, x * x]]),
    "vecdot": lambda x: jnp.vecdot(x, x ** 2),
    "fill_diagonal": lambda x: jnp.fill_diagonal(x, x[2, 3] ** 2, inplace=False),
    "resize": lambda x: jnp.resize(x, (7, 2)),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_grads(name):
    nablax.config.update("jax_enable_x64", True)
    try:
        check_grads(GRADS[name], (MD,), order=2, modes=("fwd", "rev"))
    finally:
        nablax.config.update("jax_enable_x64", False)


def test_vmap():
    xs = np.stack([M, -M])
    out = nablax.vmap(lambda x: jnp.insert(x, 1, 0.0, axis=0))(xs)
    _eq(out, np.stack([np.insert(M, 1, 0.0, axis=0), np.insert(-M, 1, 0.0, axis=0)]))
    out = nablax.vmap(lambda x: jnp.choose(np.array([0, 1, 0, 1]), [x[0], x[1]]))(xs)
    _eq(out, np.stack([np.choose([0, 1, 0, 1], [M[0], M[1]]), np.choose([0, 1, 0, 1], [-M[0], -M[1]])]))


def test_errors():
    with pytest.raises(ValueError, match="invalid entry"):
        jnp.choose(np.array([0, 2]), [M[0, :2], M[1, :2]])
    with pytest.raises(ConcretizationTypeError):
        nablax.jit(lambda i: jnp.choose(i, [M[0], M[1]]))(np.array([0, 1, 0, 1]))
    with pytest.raises(ConcretizationTypeError):
        nablax.jit(lambda i: jnp.delete(M, i, axis=1))(np.array([0, 1]))
    with pytest.raises(ConcretizationTypeError):
        nablax.jit(lambda i: jnp.ravel_multi_index((i,), (4,)))(np.array([0, 1]))
    for f in (jnp.put, jnp.place):
        with pytest.raises(ValueError, match="inplace=False"):
            f(M, np.array([0]), np.array([1.0]))
    with pytest.raises(NotImplementedError):
        jnp.put(M, np.array([0]), 1.0, mode="raise", inplace=False)
    with pytest.raises(NotImplementedError, match="inplace=False"):
        jnp.fill_diagonal(M, 1.0)
    with pytest.raises(ValueError, match="empty"):
        jnp.place(M, M > 0, np.zeros(0, np.float32), inplace=False)
    with pytest.raises(ValueError, match="depths are mismatched"):
        jnp.block([[M], M])
    with pytest.raises(TypeError, match="tuple"):
        jnp.block((M, M))
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.compress(np.array([False, False, False, True]), M, axis=0)
    with pytest.raises(TypeError):
        jnp.packbits(M)
    with pytest.raises(TypeError):
        jnp.unpackbits(I)
    with pytest.raises(ValueError, match="directive"):
        jnp.r_["x,y", M]
    with pytest.raises(ValueError, match="beginning"):
        jnp.r_[M[0], "0"]


def test_methods():
    _eq(jnp.asarray(np.array([1, 0], np.int32)).choose([M[0, :2], M[1, :2]]), np.array([M[1, 0], M[0, 1]]))
    _eq(jnp.asarray(M).compress(np.array([True, False, True]), axis=0), M[[0, 2]])
