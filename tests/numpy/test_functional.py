"""jnp.vectorize, apply_along_axis, apply_over_axes, fromfunction and jnp.ufunc against NumPy and
known answers: values, shapes, jit agreement, gradients and errors."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads

R = np.random.default_rng(2)
A = R.standard_normal((2, 3, 4)).astype(np.float32)
X = np.arange(1.0, 6.0, dtype=np.float32)


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_vectorize_signatures():
    mv = jnp.vectorize(lambda m, v: m @ v, signature="(n,m),(m)->(n)")
    _close(mv(A, A[0, 0]), np.einsum("abm,m->ab", A, A[0, 0]))
    assert mv(np.ones((2, 3)), np.ones((5, 3))).shape == (5, 2)
    two = jnp.vectorize(lambda v: (v * 2, v.sum()), signature="(k)->(k),()")
    out = two(A)
    assert isinstance(out, tuple) and out[0].shape == A.shape and out[1].shape == (2, 3)
    _close(jnp.vectorize(lambda x, y: x * y)(A[:, :1, :], A[0]), A[:, :1, :] * A[0])
    _close(jnp.vectorize(lambda x, p: x ** p, excluded={1})(X, 3), X ** 3)
    _close(jnp.vectorize(lambda x, scale=1.0: x * scale)(X, scale=2.0), X * 2)
    _close(jnp.vectorize(lambda x, y: x + (0 if y is None else y))(X, None), X)
    seen = []
    jnp.vectorize(lambda s: seen.append(np.shape(s)) or s)(A)
    assert seen == [()]  # (vmapped: the function sees one scalar)
    assert jnp.vectorize(lambda v: v.sum(), signature="(n)->()")(np.ones((1, 1, 3))).shape == (1, 1)


def test_vectorize_errors():
    ctx = "signature='(n),(n)->()'"
    f = jnp.vectorize(lambda a, b: a @ b, signature="(n),(n)->()")
    with pytest.raises(ValueError, match="inconsistent size for core dimension 'n'"):
        f(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="does not have enough dimensions"):
        jnp.vectorize(lambda m: m, signature="(n,k)->(n,k)")(np.ones(3))
    with pytest.raises(ValueError, match=r"output shape \(3,\) does not match core dimensions"):
        jnp.vectorize(lambda a: a, signature="(n)->()")(np.ones((2, 3)))
    with pytest.raises(TypeError, match="wrong number of output"):
        jnp.vectorize(lambda a: a, signature="(n)->(n),()")(np.ones(3))
    with pytest.raises(ValueError, match="not a valid gufunc signature"):
        jnp.vectorize(lambda a: a, signature="(n->()")(np.ones(3))
    with pytest.raises(ValueError, match="negative"):
        jnp.vectorize(lambda a: a, excluded={-1})
    with pytest.raises(TypeError, match="exclude"):
        jnp.vectorize(lambda a: a, excluded={1.5})
    assert ctx  # (the messages name the signature)


def test_vectorize_transforms():
    f = jnp.vectorize(lambda a, b: jnp.dot(a, b) * jnp.sin(a[0]), signature="(n),(n)->()")
    _close(nablax.jit(f)(A, A[0, 0]), f(A, A[0, 0]))
    nablax.config.update("jax_enable_x64", True)
    try:
        check_grads(f, (A.astype(np.float64), A[0, 0].astype(np.float64)), order=2, modes=("fwd", "rev"))
    finally:
        nablax.config.update("jax_enable_x64", False)


def test_apply_along_and_over_axes():
    for axis in (0, 1, 2, -1):
        _close(jnp.apply_along_axis(lambda v: v.sum() * v[0], axis, A), np.apply_along_axis(lambda v: v.sum() * v[0], axis, A))
        _close(jnp.apply_along_axis(lambda v: v[::-1] * 2, axis, A), np.apply_along_axis(lambda v: v[::-1] * 2, axis, A))
    _close(jnp.apply_along_axis(lambda v, k: v * k, 1, A, 3.0), A * 3)
    _close(jnp.apply_over_axes(jnp.sum, A, [0, 2]), np.apply_over_axes(np.sum, A, [0, 2]))
    _close(jnp.apply_over_axes(lambda a, ax: jnp.max(a, ax, keepdims=True), A, 1), A.max(1, keepdims=True))
    with pytest.raises(ValueError, match="correct shape"):
        jnp.apply_over_axes(lambda a, ax: a.sum(), A, [0])
    g = nablax.grad(lambda a: jnp.apply_along_axis(lambda v: (v ** 2).sum(), 1, a).sum())(A)
    _close(g, 2 * A)


def test_fromfunction():
    out = jnp.fromfunction(lambda i, j: i * 10 + j, (2, 3))
    _close(out, np.fromfunction(lambda i, j: i * 10 + j, (2, 3)))
    assert out.dtype == np.float32
    out = jnp.fromfunction(lambda i, j, k=1: (i == j) * k, (3, 3), dtype=jnp.int32, k=5)
    assert out.dtype == np.int32 and out.tolist() == (np.eye(3) * 5).astype(int).tolist()


def test_ufunc_methods_match_numpy():
    f = lambda a, b: a * b + 1  # noqa: E731
    u, n = jnp.frompyfunc(f, 2, 1), np.frompyfunc(f, 2, 1)
    assert repr(u) == "<jnp.ufunc '<lambda>'>" and (u.nin, u.nout, u.nargs, u.identity) == (2, 1, 2, None)
    _close(u(X, 2.0), f(X, 2.0))
    _close(u.reduce(X), np.float32(n.reduce(X)))
    M = X[:4].reshape(2, 2)
    _close(u.reduce(M, axis=1), n.reduce(M, axis=1).astype(np.float32))
    _close(u.reduce(M, axis=None), f(f(f(M[0, 0], M[0, 1]), M[1, 0]), M[1, 1]))
    assert u.reduce(M, axis=0, keepdims=True).shape == (1, 2)
    _close(u.accumulate(X), n.accumulate(X).astype(np.float32))
    _close(u.accumulate(M, axis=1), n.accumulate(M, axis=1).astype(np.float32))
    _close(u.outer(X[:2], M), n.outer(X[:2], M).astype(np.float32))
    ref = X.astype(object).copy()
    n.at(ref, [0, 0, 3], 2.0)
    _close(u.at(X, np.array([0, 0, 3]), 2.0, inplace=False), ref.astype(np.float32))
    _close(u.reduceat(X, np.array([0, 3, 1, 4])), n.reduceat(X, [0, 3, 1, 4]).astype(np.float32))
    _close(nablax.jit(u.reduce)(X), u.reduce(X))


def test_ufunc_identity_where_and_custom():
    add = jnp.ufunc(lambda a, b: a + b, 2, 1, name="my_add", identity=0)
    assert add.__name__ == "my_add"
    _close(add.reduce(X, where=X > 2), X[X > 2].sum())
    _close(add.reduce(np.zeros((0,), np.float32)), 0.0)
    _close(add.reduce(X, initial=10.0), X.sum() + 10)
    fast = jnp.ufunc(lambda a, b: a + b, 2, 1, reduce=lambda a, **kw: jnp.sum(a, axis=kw["axis"]))
    _close(fast.reduce(X), X.sum())
    mul = jnp.frompyfunc(lambda a, b: a * b, 2, 1)
    with pytest.raises(ValueError, match="identity"):
        mul.reduce(X, where=X > 2)
    with pytest.raises(ValueError, match="no identity"):
        mul.reduce(np.zeros((0,), np.float32))
    with pytest.raises(NotImplementedError, match="inplace"):
        mul.at(X, np.array([0]), 2.0)
    with pytest.raises(ValueError, match="binary"):
        jnp.frompyfunc(jnp.sin, 1, 1).reduce(X)
    with pytest.raises(TypeError, match="positional"):
        mul(X)
    with pytest.raises(NotImplementedError):
        mul(X, X, out=X)
    nablax.config.update("jax_enable_x64", True)
    try:
        xd = X.astype(np.float64)
        check_grads(lambda x: mul.reduce(x), (xd,), order=2, modes=("fwd", "rev"))
        check_grads(lambda x: mul.accumulate(x), (xd,), order=1, modes=("fwd", "rev"))
        check_grads(lambda x: mul.at(x, np.array([1, 1]), x[0], inplace=False), (xd,), order=1, modes=("fwd", "rev"))
    finally:
        nablax.config.update("jax_enable_x64", False)
