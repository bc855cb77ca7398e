"""jnp array creation, scalar types and dtype utilities: values and dtypes against NumPy."""
import warnings

import numpy as np
import pytest

import nablax
import nablax.errors
import nablax.numpy as jnp
from nablax.test_util import check_grads


def _same(actual, expected, dtype=None, rtol=1e-6):
    a = np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    assert a.dtype == (e.dtype if dtype is None else np.dtype(dtype)), (a.dtype, dtype or e.dtype)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=1e-7)


# ------------------------------------------------------------------------------ array

def test_array_default_dtypes_and_weak_types():
    _same(jnp.array([1.0, 2.0, 3.0]), np.array([1, 2, 3], np.float32))
    _same(jnp.array([1, 2]), np.array([1, 2], np.int32))
    _same(jnp.array([True, False]), np.array([True, False]))
    _same(jnp.array([[1, 2.5], [3, 4]]), np.array([[1, 2.5], [3, 4]], np.float32))
    _same(jnp.array(np.arange(3.0)), np.arange(3.0, dtype=np.float32))
    _same(jnp.array([1j, 2]), np.array([1j, 2], np.complex64))
    assert jnp.array([]).dtype == np.float32 and jnp.array([]).shape == (0,)
    # As in JAX: Python scalars give weakly typed arrays, lists do not.
    assert jnp.array(1.0).weak_type and jnp.asarray(2).weak_type
    assert not jnp.array(True).weak_type and not jnp.array([1.0]).weak_type
    assert not jnp.array(1.0, dtype=jnp.float32).weak_type
    assert repr(jnp.array(3.0)) == "Array(3., dtype=float32, weak_type=True)"
    with nablax.config.enable_x64(True):
        _same(jnp.array([1.0, 2.0]), np.array([1.0, 2.0]))
        _same(jnp.array([1, 2]), np.array([1, 2], np.int64))


def test_array_promotes_array_leaves_like_jax():
    x = jnp.array([1.0, 2.0], dtype=jnp.float16)
    assert jnp.array([x, x]).dtype == np.float16
    assert jnp.array([x[0], 1.0]).dtype == np.float16
    with nablax.config.enable_x64(True):
        f32 = jnp.array([1.0, 2.0], dtype=np.float32)
        assert jnp.array([f32, [0.5, 0.25]]).dtype == np.float32  # Python floats are weak
        assert jnp.array([np.float64(1.0), 2.0]).dtype == np.float64


def test_array_dtype_copy_ndmin_and_errors():
    _same(jnp.array([1.7, -2.2], dtype=jnp.int32), np.array([1, -2], np.int32))
    _same(jnp.array([1, 2], dtype="float32", ndmin=3), np.array([[[1, 2]]], np.float32))
    src = np.arange(3.0)
    a = jnp.array(src)
    src[0] = 100.0
    assert float(a[0]) == 0.0
    b = jnp.asarray(a)
    assert b is a
    assert jnp.asarray(a, dtype=jnp.float32) is a
    assert jnp.copy(a) is a
    with pytest.raises(TypeError, match="not a valid dtype"):
        jnp.array([1, 2], dtype="flot32")
    with pytest.raises(TypeError, match="cannot make an array"):
        jnp.array("abc")
    with pytest.raises(ValueError):  # a ragged list: ValueError, as in JAX
        jnp.array([[1, 2], [3]])
    with pytest.raises(ValueError):
        jnp.array(None)
    with pytest.raises(OverflowError):
        jnp.array([2 ** 40])


def test_array_of_traced_elements_under_grad_vmap_jit():
    def f(x):
        return jnp.array([[x, 2.0 * x], [x * x, 1.0]])

    x = jnp.array(3.0)
    _same(f(x), np.array([[3, 6], [9, 1]], np.float32))
    g = nablax.jacfwd(f)(x)
    _same(g, np.array([[1, 2], [6, 0]], np.float32))
    out = nablax.vmap(f)(jnp.array([1.0, 2.0]))
    _same(out, np.array([[[1, 2], [1, 1]], [[2, 4], [4, 1]]], np.float32))
    with nablax.config.enable_x64(True):
        check_grads(lambda x: jnp.array([x, x * x]), (np.float64(1.5),), order=2)
        v = nablax.vmap(lambda v: jnp.array([v, v]))(jnp.ones((4, 2)))
        assert v.shape == (4, 2, 2)
    with pytest.raises(ValueError, match="equal shapes"):
        nablax.vmap(lambda v: jnp.array([v, 1.0]))(jnp.ones((4, 2)))


def test_asarray_with_dtype_under_jit():
    f = nablax.jit(lambda x: jnp.asarray(x, dtype=jnp.int32))
    _same(f(jnp.array([1.5, -2.5])), np.array([1, -2], np.int32))


# ----------------------------------------------------------------------- filled arrays

def test_zeros_ones_full_empty():
    _same(jnp.zeros((2, 3)), np.zeros((2, 3), np.float32))
    _same(jnp.ones(3, dtype=jnp.int8), np.ones(3, np.int8))
    _same(jnp.empty((0, 2)), np.zeros((0, 2), np.float32))
    _same(jnp.full((2, 2), 7), np.full((2, 2), 7, np.int32))
    _same(jnp.full(3, [1.0, 2.0, 3.0]), np.array([1, 2, 3], np.float32))
    _same(jnp.full((2,), 1.5, dtype="float16"), np.full(2, 1.5, np.float16))
    assert jnp.full(2, 1.0).weak_type and not jnp.full(2, 1.0, dtype=float).weak_type
    assert not jnp.zeros(2).weak_type
    with nablax.config.enable_x64(True):
        _same(jnp.zeros(2), np.zeros(2))
        _same(jnp.full(2, 3), np.full(2, 3, np.int64))
    with pytest.raises(TypeError, match="negative dimensions"):  # TypeError, as in JAX
        jnp.zeros((2, -1))
    with pytest.raises(TypeError, match="negative dimensions"):
        jnp.full(-3, 1.0)
    with pytest.raises(TypeError, match="not a valid dtype"):
        jnp.ones(3, dtype="floaty")
    with pytest.raises(TypeError, match="shape must be"):
        jnp.zeros("abc")


def test_like_functions_and_overrides():
    x = jnp.array([[1, 2, 3]], dtype=jnp.int16)
    _same(jnp.zeros_like(x), np.zeros((1, 3), np.int16))
    _same(jnp.ones_like(x, dtype=jnp.float32), np.ones((1, 3), np.float32))
    _same(jnp.full_like(x, 4, shape=(2,)), np.full(2, 4, np.int16))
    _same(jnp.empty_like(x, shape=5), np.zeros(5, np.int16))
    _same(jnp.zeros_like(np.arange(3.0)), np.zeros(3, np.float32))
    assert jnp.zeros_like(2.0).weak_type and not jnp.zeros_like(2.0, dtype=jnp.float32).weak_type


def test_like_functions_of_tracers():
    def f(x):
        return jnp.zeros_like(x) + jnp.ones_like(x) * x + jnp.full_like(x, 2.0)

    x = jnp.array([1.0, 2.0])
    _same(nablax.vmap(f)(jnp.ones((3, 2))), np.full((3, 2), 3.0, np.float32))
    _same(nablax.grad(lambda x: jnp.sum(f(x)))(x), np.ones(2, np.float32))
    # A traced fill value stays traced (differentiable and batchable).
    _same(nablax.vmap(lambda v: jnp.full_like(jnp.zeros(3), v))(jnp.array([1.0, 2.0])),
          np.array([[1, 1, 1], [2, 2, 2]], np.float32))
    _same(nablax.vmap(lambda v: jnp.full((2,), v))(jnp.array([1.0, 2.0])), np.array([[1, 1], [2, 2]], np.float32))
    _same(nablax.jit(lambda x: jnp.zeros_like(x, shape=(2, 2)))(x), np.zeros((2, 2), np.float32))


# --------------------------------------------------------------------------- ranges

@pytest.mark.parametrize("args,kwargs", [
    ((5,), {}), ((2, 7), {}), ((0, 10, 3), {}), ((5.0,), {}), ((0, 1, 0.1), {}), ((10, 0, -2), {}),
    ((3,), {"dtype": "float32"}), ((0.5, 4), {"dtype": jnp.int32}),
])
def test_arange_matches_numpy(args, kwargs):
    expected = np.arange(*args, dtype=kwargs.get("dtype") if "dtype" in kwargs else None)
    if "dtype" not in kwargs:
        expected = expected.astype(np.float32 if expected.dtype.kind == "f" else np.int32)
    else:
        expected = np.arange(*args, dtype=np.dtype(kwargs["dtype"]))
    _same(jnp.arange(*args, **kwargs), expected)


def test_arange_x64_and_errors():
    with nablax.config.enable_x64(True):
        _same(jnp.arange(4), np.arange(4))
        _same(jnp.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25))
    assert jnp.arange(jnp.array(4, dtype=jnp.int16)).dtype == np.int16
    with pytest.raises(nablax.errors.ConcretizationTypeError):
        nablax.jit(lambda n: jnp.arange(n))(3)


@pytest.mark.parametrize("kwargs", [
    {}, {"num": 7}, {"num": 5, "endpoint": False}, {"num": 1}, {"num": 0}, {"num": 6, "dtype": "int32"},
])
def test_linspace_matches_numpy(kwargs):
    _same(jnp.linspace(-1.5, 4, **kwargs), np.linspace(-1.5, 4, **kwargs).astype(kwargs.get("dtype", np.float32)))


def test_linspace_arrays_axis_retstep():
    start, stop = np.array([0.0, 1.0]), np.array([[2.0, 5.0], [4.0, -1.0]])
    _same(jnp.linspace(start, stop, 4, axis=1), np.linspace(start, stop, 4, axis=1).astype(np.float32))
    _same(jnp.linspace(start, stop, 4, axis=-1), np.linspace(start, stop, 4, axis=-1).astype(np.float32))
    out, step = jnp.linspace(0.0, 1.0, 5, retstep=True)
    _same(out, np.linspace(0, 1, 5).astype(np.float32))
    assert float(step) == 0.25
    with nablax.config.enable_x64(True):
        _same(jnp.linspace(0, 1, 11), np.linspace(0, 1, 11))


def test_traced_linspace_is_differentiable_and_batchable():
    with nablax.config.enable_x64(True):
        f = lambda a, b: jnp.linspace(a, b, 5)  # noqa: E731
        _same(f(nablax.numpy.array(1.0), 3.0), np.linspace(1.0, 3.0, 5))
        out = nablax.vmap(f)(jnp.array([0.0, 1.0]), jnp.array([4.0, 2.0]))
        _same(out, np.stack([np.linspace(0, 4, 5), np.linspace(1, 2, 5)]))
        _same(nablax.vmap(lambda a: jnp.linspace(a, 1.0, 3, endpoint=False, dtype=jnp.int32))(jnp.array([-2.5, 0.5])),
              np.stack([np.linspace(-2.5, 1.0, 3, endpoint=False, dtype=np.int32),
                        np.linspace(0.5, 1.0, 3, endpoint=False, dtype=np.int32)]))
        check_grads(lambda a, b: jnp.linspace(a, b, 4), (np.float64(0.5), np.float64(2.0)), order=2)
        check_grads(lambda a: jnp.logspace(a, 2.0, 4), (np.float64(0.5),), order=1)
        check_grads(lambda a: jnp.geomspace(a, 8.0, 4), (np.float64(1.5),), order=1)
        lin, step = nablax.vmap(lambda a: jnp.linspace(a, 1.0, 3, retstep=True))(jnp.array([0.0, -1.0]))
        _same(step, np.array([0.5, 1.0]))


def test_logspace_geomspace():
    _same(jnp.logspace(0, 3, 4), np.logspace(0, 3, 4).astype(np.float32))
    _same(jnp.logspace(0, 3, 4, base=2.0, endpoint=False), np.logspace(0, 3, 4, base=2.0, endpoint=False)
          .astype(np.float32))
    _same(jnp.geomspace(1, 1000, 4), np.geomspace(1, 1000, 4).astype(np.float32))
    _same(jnp.geomspace(-1, -16, 5), np.geomspace(-1, -16, 5).astype(np.float32))
    with nablax.config.enable_x64(True):
        _same(jnp.logspace(1, 2, 3, dtype=jnp.int32), np.logspace(1, 2, 3, dtype=np.int32))
        _same(nablax.vmap(lambda a: jnp.geomspace(a, -16.0, 5))(jnp.array([-1.0, -2.0])),
              np.stack([np.geomspace(-1, -16, 5), np.geomspace(-2, -16, 5)]))


# ------------------------------------------------------------------ matrices, grids

def test_eye_identity_tri():
    _same(jnp.eye(3), np.eye(3, dtype=np.float32))
    _same(jnp.eye(2, 4, k=1, dtype=jnp.int32), np.eye(2, 4, k=1, dtype=np.int32))
    _same(jnp.eye(3, k=-2), np.eye(3, k=-2, dtype=np.float32))
    _same(jnp.identity(2, dtype=bool), np.identity(2, dtype=bool))
    _same(jnp.tri(3, 4, k=1), np.tri(3, 4, k=1, dtype=np.float32))
    _same(jnp.tri(3, dtype=jnp.int8), np.tri(3, dtype=np.int8))
    with pytest.raises(ValueError, match="negative dimensions"):
        jnp.eye(-1)
    with pytest.raises(TypeError, match="not a valid dtype"):
        jnp.eye(2, dtype="nope")


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
def test_meshgrid_matches_numpy(indexing, sparse):
    xs = [np.arange(2.0), np.arange(3.0) + 10, np.arange(4.0) - 5]
    for n in (1, 2, 3):
        out = jnp.meshgrid(*[jnp.asarray(x) for x in xs[:n]], indexing=indexing, sparse=sparse)
        exp = np.meshgrid(*xs[:n], indexing=indexing, sparse=sparse)
        assert len(out) == len(exp)
        for o, e in zip(out, exp):
            _same(o, e.astype(np.float32))
    with pytest.raises(ValueError, match="indexing"):
        jnp.meshgrid(jnp.ones(2), indexing="ji")


def test_meshgrid_under_vmap():
    out = nablax.vmap(lambda a: jnp.meshgrid(a, jnp.arange(3.0))[0])(jnp.ones((2, 4)))
    assert out.shape == (2, 3, 4)


# ------------------------------------------------------------ constants, scalar types

def test_constants():
    assert jnp.pi == np.pi and jnp.e == np.e and jnp.inf == np.inf and np.isnan(jnp.nan)
    assert abs(jnp.euler_gamma - np.euler_gamma) < 1e-15
    assert jnp.newaxis is None


def test_scalar_types():
    x = jnp.float32(1.5)
    assert isinstance(x, nablax.Array) and x.dtype == np.float32 and x.shape == () and not x.weak_type
    assert repr(jnp.int32(3)) == "Array(3, dtype=int32)"
    _same(jnp.int8([1.9, -2.9]), np.array([1, -2], np.int8))
    _same(jnp.bool_(0), np.array(False))
    assert np.dtype(jnp.float32) == np.float32
    assert jnp.dtype(jnp.int16) == np.int16 and jnp.dtype("float32") == np.float32
    assert jnp.float32.dtype == np.dtype("float32")
    assert jnp.float32 == np.float32 and jnp.float32 != np.float64
    assert isinstance(np.float32(1), jnp.float32)
    assert jnp.zeros(2, dtype=jnp.complex64).dtype == np.complex64
    assert jnp.array([1], dtype=jnp.uint8).dtype == np.uint8
    assert jnp.arange(3).astype(jnp.float16).dtype == np.float16
    with nablax.config.enable_x64(True):
        assert jnp.float64(1).dtype == np.float64
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert jnp.float64(1).dtype == np.float32  # x64 off: narrowed, with a warning as in JAX
    assert any("64-bit" in str(m.message) for m in w)
    # Under vmap the scalar types convert traced values.
    out = nablax.vmap(jnp.int32)(jnp.array([1.5, 2.5]))
    _same(out, np.array([1, 2], np.int32))


def test_dtype_utilities():
    assert jnp.promote_types(jnp.int8, jnp.uint8) == np.int16
    assert jnp.promote_types("float16", jnp.int32) == np.float16
    assert jnp.result_type(jnp.ones(2, jnp.int8), 1.0) == np.float32
    assert jnp.result_type(jnp.float16, 1) == np.float16
    assert jnp.can_cast(jnp.int8, jnp.int32) and not jnp.can_cast(jnp.float32, jnp.int32)
    assert jnp.issubdtype(jnp.float32, jnp.floating) and jnp.issubdtype(np.int8, jnp.integer)
    assert jnp.issubdtype(jnp.ones(2).dtype, jnp.inexact) and not jnp.issubdtype(jnp.int32, jnp.floating)
    assert jnp.issubdtype(jnp.uint16, jnp.unsignedinteger) and jnp.issubdtype(jnp.complex64, jnp.complexfloating)
    assert jnp.issubdtype(jnp.int16, jnp.signedinteger) and jnp.issubdtype(jnp.float32, jnp.float32)
    assert jnp.issubdtype(jnp.bool_, np.bool_) and jnp.issubdtype(jnp.int8, jnp.number)
    assert jnp.finfo(jnp.float32).eps == np.finfo(np.float32).eps
    assert jnp.iinfo(jnp.int16).max == 32767 and jnp.iinfo("uint8").min == 0
    assert isinstance(jnp.ones(2), jnp.ndarray) and not isinstance(np.ones(2), jnp.ndarray)
    seen = []
    nablax.vmap(lambda v: seen.append(isinstance(v, jnp.ndarray)) or v)(jnp.ones(3))
    assert seen == [True]
    assert jnp.isscalar(1.0) and jnp.isscalar(np.int32(1)) and jnp.isscalar(jnp.array(2.0))
    assert not jnp.isscalar(jnp.ones(2)) and not jnp.isscalar("a") and not jnp.isscalar([1])


def test_errors_and_integer_outputs_like_jax():
    with pytest.raises(TypeError):
        jnp.arange(3, dtype=bool)
    with pytest.raises(OverflowError):
        jnp.array([1.0, 300.0], dtype=jnp.uint8)  # Python numbers out of range, as NumPy and JAX
    with pytest.raises(OverflowError):
        jnp.array(-1, dtype=jnp.uint8)
    assert jnp.array([1.7, -2.7], dtype=jnp.int32).tolist() == [1, -2]
    # geomspace/logspace samples are rounded through float32 before an integer cast, as JAX
    # computes them: 7.999999999999998 is 8, not 7.
    assert jnp.geomspace(1, 256, 9, dtype=jnp.int32).tolist() == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert jnp.geomspace(3, 300, 5, dtype=jnp.int32).tolist() == [3, 9, 30, 94, 300]
    assert jnp.logspace(0, 2, 5, dtype=jnp.int32).tolist() == [1, 3, 10, 31, 100]


def test_repr_like_jax():
    assert repr(jnp.zeros((0, 3))) == "Array([], shape=(0, 3), dtype=float32)"
    assert repr(jnp.zeros(0, jnp.int32)) == "Array([], shape=(0,), dtype=int32)"
    assert repr(jnp.asarray(3) > 2) == "Array(True, dtype=bool, weak_type=True)"
    # a last line too long for the dtype: a wider gap instead of a line break
    assert repr(jnp.ones((3, 30))).endswith("1., 1.]],      dtype=float32)")
    assert repr(jnp.ones((2, 3))) == "Array([[1., 1., 1.],\n       [1., 1., 1.]], dtype=float32)"
    assert repr(jnp.arange(3.0) * 1.5).endswith("dtype=float32)")
