"""jnp.vectorize, apply_along_axis, apply_over_axes, fromfunction and jnp.ufunc against real JAX:
values, dtypes, weak types, shapes and gradients."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

R = np.random.default_rng(4)
A = R.standard_normal((2, 3, 4)).astype(np.float32)
X = np.arange(1.0, 6.0, dtype=np.float32)
XI = np.arange(6, dtype=np.int32)

CASES = {
    "vectorize": lambda L: L.vectorize(lambda m, v: m @ v, signature="(n,m),(m)->(n)")(A, A[0, 0]),
    "vectorize_bcast": lambda L: L.vectorize(lambda m, v: (m * v).sum(), signature="(m),(m)->()")(A[:, :1], A[0]),
    "vectorize_scalar": lambda L: L.vectorize(lambda a, b: a * b + 1)(XI[:, None], 2.5),
    "vectorize_multi": lambda L: L.vectorize(lambda v: (v, v.sum()), signature="(k)->(k),()")(A),
    "apply_along_axis": lambda L: L.apply_along_axis(lambda v: v[1:] * v[0], 1, A),
    "apply_over_axes": lambda L: L.apply_over_axes(L.mean, A, (0, 2)),
    "fromfunction": lambda L: L.fromfunction(lambda i, j: i * 2 + j, (3, 2)),
    "fromfunction_int": lambda L: L.fromfunction(lambda i, j: i - j, (2, 2), dtype=L.int32),
    "ufunc_call": lambda L: L.frompyfunc(lambda a, b: a * b + 1, 2, 1)(X, 3),
    "ufunc_reduce": lambda L: L.frompyfunc(lambda a, b: a * b + 1, 2, 1).reduce(A, axis=1),
    "ufunc_reduce_where": lambda L: L.frompyfunc(lambda a, b: a + b, 2, 1, identity=0).reduce(X, where=X > 2, keepdims=True),
    "ufunc_accumulate": lambda L: L.frompyfunc(lambda a, b: a * b - 1, 2, 1).accumulate(A, axis=2),
    "ufunc_outer": lambda L: L.frompyfunc(lambda a, b: a - b, 2, 1).outer(X[:3], XI[:2]),
    "ufunc_at": lambda L: L.frompyfunc(lambda a, b: a * b, 2, 1).at(X, np.array([0, 0, 2]), 3.0, inplace=False),
    "ufunc_reduceat": lambda L: L.frompyfunc(lambda a, b: a + 2 * b, 2, 1).reduceat(X, np.array([0, 3, 1])),
    "ufunc_int": lambda L: L.frompyfunc(lambda a, b: a + b, 2, 1).reduce(XI),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_jax(name):
    assert_same(jax.jit(lambda: CASES[name](jjnp))(), CASES[name](njnp))  # (one compilation, not one per op)


GRADS = {
    "vectorize": lambda L, a: L.vectorize(lambda m, v: L.sin(m @ v), signature="(n,m),(m)->(n)")(a, a[0, 0]),
    "apply_along_axis": lambda L, a: L.apply_along_axis(lambda v: v * v.sum(), 2, a),
    "ufunc_reduce": lambda L, a: L.frompyfunc(lambda x, y: x * y + 1, 2, 1).reduce(a, axis=2),
    "ufunc_accumulate": lambda L, a: L.frompyfunc(lambda x, y: x * y, 2, 1).accumulate(a, axis=1),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_grads(name):
    loss = lambda L: lambda a: (GRADS[name](L, a) ** 2).sum()  # noqa: E731
    assert_same(jax.jit(jax.grad(loss(jjnp)))(A), nablax.grad(loss(njnp))(A), rtol=1e-4, atol=1e-5)
