"""Differential tests: nablax.numpy.linalg against jax.numpy.linalg, all 31 names.

Each case is a function of a namespace `m` (`m.la` is the linalg module, `m.jax` the
top-level package) called once with nablax and once with JAX on the same random,
well-conditioned NumPy inputs; the results must agree in structure (JAX's result
namedtuples), dtype, shape, weak type and values. Decompositions, which are unique only
up to signs, are compared directly where both libraries call the same LAPACK driver and
through sign-invariant quantities in the gradients.
"""
# ruff: noqa: B023  (the cases are lambdas over loop variables, each called at once by _same)
from __future__ import annotations

import types

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")

N = types.SimpleNamespace(la=nablax.numpy.linalg, np=nablax.numpy, jax=nablax)
J = types.SimpleNamespace(la=jax.numpy.linalg, np=jax.numpy, jax=jax)


def _rand(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _well(shape, dtype, seed=0):
    """A random square matrix (stack) with a dominant diagonal: well conditioned."""
    n = shape[-1]
    return (_rand(shape, dtype, seed) + 2 * n * np.eye(n)).astype(dtype)


def _spd(shape, dtype, seed=0):
    a = _rand(shape, dtype, seed)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _herm(shape, dtype, seed=0):
    a = _rand(shape, dtype, seed)
    return ((a + np.conj(np.swapaxes(a, -1, -2))) / 2).astype(dtype)


def _tol(dtype):
    return (2e-4, 2e-5) if np.dtype(dtype) in (np.float32, np.complex64) else (1e-9, 1e-10)


def _same(case, *args, dtype=np.float32, scale=1.0):
    rtol, atol = _tol(dtype)
    assert_same(case(J, *args), case(N, *args), rtol=rtol * scale, atol=atol * scale)


# dtypes: float32 by default, float64 under x64, complex where the function supports it
DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
REAL = [np.float32, np.float64]


@pytest.fixture(params=DTYPES, ids=lambda d: np.dtype(d).name)
def dtype(request):
    if request.param in (np.float64, np.complex128):
        request.getfixturevalue("x64")
    return request.param


@pytest.fixture(params=REAL, ids=lambda d: np.dtype(d).name)
def real(request):
    if request.param == np.float64:
        request.getfixturevalue("x64")
    return request.param


# ------------------------------------------------------------------ values, every name

def test_solve_inv_det_slogdet(dtype):
    a, b, v = _well((2, 4, 4), dtype), _rand((2, 4, 3), dtype, 1), _rand((4,), dtype, 2)
    _same(lambda m, a, b: m.la.solve(a, b), a, b, dtype=dtype)
    _same(lambda m, a, v: m.la.solve(a, v), a, v, dtype=dtype)
    _same(lambda m, a, b: m.la.solve(a[0], b), a, b, dtype=dtype)  # a broadcasts against b
    _same(lambda m, a: m.la.inv(a), a, dtype=dtype)
    for n in (1, 2, 3, 5):
        s = _well((2, n, n), dtype)
        _same(lambda m, s: m.la.det(s), s, dtype=dtype, scale=10)
        _same(lambda m, s: m.la.slogdet(s), s, dtype=dtype)
    _same(lambda m: m.la.slogdet(np.zeros((3, 3), dtype)), dtype=dtype)


def test_integer_inputs_promote():
    i = np.array([[3, 1, 0], [1, 4, 1], [0, 1, 5]], np.int32)
    for case in (lambda m: m.la.det(i), lambda m: m.la.inv(i), lambda m: m.la.solve(i, i[0]),
                 lambda m: m.la.slogdet(i), lambda m: m.la.cholesky(i), lambda m: m.la.eigvalsh(i),
                 lambda m: m.la.svdvals(i), lambda m: m.la.pinv(i), lambda m: m.la.matrix_rank(i),
                 lambda m: m.la.norm(i, 2), lambda m: m.la.cond(i), lambda m: m.la.eigvals(i),
                 lambda m: m.la.matrix_power(i, 3), lambda m: m.la.cross(i[0], i[1]),
                 lambda m: m.la.qr(i), lambda m: m.la.lstsq(i, i[0]), lambda m: m.la.tensorinv(i, 1)):
        _same(case)


def test_decompositions(dtype):
    spd, h, a = _spd((2, 4, 4), dtype), _herm((2, 4, 4), dtype), _rand((2, 5, 3), dtype)
    _same(lambda m, x: m.la.cholesky(x), spd, dtype=dtype)
    _same(lambda m, x: m.la.cholesky(x, upper=True), spd, dtype=dtype)
    _same(lambda m, x: m.la.eigh(x), h, dtype=dtype, scale=10)  # same LAPACK driver: same signs and phases
    _same(lambda m, x: m.la.eigh(x, UPLO="U", symmetrize_input=False), h, dtype=dtype, scale=10)
    _same(lambda m, x: type(m.la.eigh(x)).__name__ + ",".join(m.la.eigh(x)._fields), h)
    _same(lambda m, x: m.la.eigvalsh(x), h, dtype=dtype)
    _same(lambda m, x: m.la.svd(x), a, dtype=dtype, scale=10)
    _same(lambda m, x: m.la.svd(x, full_matrices=False), a, dtype=dtype, scale=10)
    _same(lambda m, x: m.la.svd(x, compute_uv=False), a, dtype=dtype)
    _same(lambda m, x: m.la.svd(x, hermitian=True), h, dtype=dtype, scale=10)
    _same(lambda m, x: m.la.svdvals(x), a, dtype=dtype)
    for mode in ("reduced", "complete", "r"):
        _same(lambda m, x: m.la.qr(x, mode), a, dtype=dtype, scale=10)
    g = _well((3, 3), dtype)
    _same(lambda m, x: m.la.eigvals(x), g, dtype=dtype, scale=10)
    _same(lambda m, x: m.la.eig(x), g, dtype=dtype, scale=10)


def test_pinv_rank_cond_lstsq(dtype):
    a, sq = _rand((2, 5, 3), dtype), _well((2, 3, 3), dtype)
    _same(lambda m, x: m.la.pinv(x), a, dtype=dtype, scale=10)
    _same(lambda m, x: m.la.pinv(x, rtol=0.5), a, dtype=dtype, scale=10)
    _same(lambda m, x: m.la.pinv(x, hermitian=True), _herm((3, 3), dtype), dtype=dtype, scale=10)
    low = _rand((5, 2), dtype) @ _rand((2, 4), dtype, 1)
    _same(lambda m, x: m.la.matrix_rank(x), low, dtype=dtype)
    _same(lambda m, x: m.la.matrix_rank(x, rtol=0.1), a, dtype=dtype)
    _same(lambda m, x: m.la.matrix_rank(x, hermitian=True), _herm((4, 4), dtype), dtype=dtype)
    for p in (None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc"):
        _same(lambda m, x: m.la.cond(x, p), sq, dtype=dtype, scale=10)
    b = _rand((5, 2), dtype, 3)
    _same(lambda m, x, y: m.la.lstsq(x, y), a[0], b, dtype=dtype, scale=10)
    _same(lambda m, x, y: m.la.lstsq(x, y[:, 0]), a[0], b, dtype=dtype, scale=10)
    _same(lambda m, x, y: m.la.lstsq(x.T, y[:3], rcond=0.1), a[0], b, dtype=dtype, scale=10)


def test_norms(dtype):
    x = _rand((3, 4, 5), dtype)
    for ord in (None, "fro", 1, -1, 2, -2, np.inf, -np.inf, "nuc"):
        for axis in ((0, 1), (2, 0), (-1, -2)):
            _same(lambda m, x: m.la.norm(x, ord, axis), x, dtype=dtype)
            _same(lambda m, x: m.la.norm(x, ord, axis, keepdims=True), x, dtype=dtype)
        _same(lambda m, x: m.la.matrix_norm(x, ord="fro" if ord is None else ord), x, dtype=dtype)
        _same(lambda m, x: m.la.norm(x[0], ord), x, dtype=dtype)
    for ord in (None, 0, 1, 2, 3, -1, 0.5, np.inf, -np.inf):
        _same(lambda m, x: m.la.norm(x[0, 0], ord), x, dtype=dtype)
        _same(lambda m, x: m.la.vector_norm(x, ord=2 if ord is None else ord, axis=1), x, dtype=dtype)
    _same(lambda m, x: m.la.vector_norm(x), x, dtype=dtype)
    _same(lambda m, x: m.la.vector_norm(x, axis=(0, 2), keepdims=True), x, dtype=dtype)


def test_products(dtype):
    x, y = _rand((2, 4, 3), dtype), _rand((4, 3), dtype, 1)
    _same(lambda m, x, y: m.la.cross(x, y), x, y, dtype=dtype)
    _same(lambda m, x, y: m.la.cross(x, y[:, :, None], axis=1), np.swapaxes(x, 1, 2), y.T[None], dtype=dtype)
    _same(lambda m, x: m.la.diagonal(x), x, dtype=dtype)
    _same(lambda m, x: m.la.diagonal(x, offset=-1), x, dtype=dtype)
    _same(lambda m, x: m.la.matrix_transpose(x), x, dtype=dtype)
    _same(lambda m, x, y: m.la.matmul(x, y.T), x, y, dtype=dtype)
    _same(lambda m, x, y: m.la.tensordot(x, y, axes=2), x, y, dtype=dtype)
    _same(lambda m, x, y: m.la.tensordot(x, y, axes=([1], [0])), x, y, dtype=dtype)
    _same(lambda m, x, y: m.la.outer(x[0, 0], y[0]), x, y, dtype=dtype)
    _same(lambda m, x: m.la.trace(x), x, dtype=dtype)
    _same(lambda m, x: m.la.trace(x, offset=1), x, dtype=dtype)
    _same(lambda m, x, y: m.la.vecdot(x, y), x, y, dtype=dtype)
    _same(lambda m, x, y: m.la.vecdot(x, y, axis=-2), x, y, dtype=dtype)
    chain = [_rand(s, dtype, i) for i, s in enumerate([(6,), (6, 2), (2, 7), (7, 3), (3, 5)])]
    _same(lambda m, *c: m.la.multi_dot(c), *chain, dtype=dtype)
    _same(lambda m, *c: m.la.multi_dot(c[1:]), *chain, dtype=dtype)
    _same(lambda m, *c: m.la.multi_dot(c[1:4] + (c[0][:3],)), *chain, dtype=dtype)
    sq = _well((2, 3, 3), dtype) / 6
    for n in (0, 1, 2, 3, 4, 7, -1, -3):
        _same(lambda m, s: m.la.matrix_power(s, n), sq, dtype=dtype, scale=10)


def test_tensor_solve_inv(real):
    a = _well((6, 6), real).reshape(2, 3, 6)
    _same(lambda m, x: m.la.tensorinv(x, ind=2), a, dtype=real)
    _same(lambda m, x: m.la.tensorinv(x.reshape(6, 2, 3), ind=1), a, dtype=real)
    b = _rand((2, 3), real, 1)
    _same(lambda m, x, y: m.la.tensorsolve(x.reshape(2, 3, 2, 3), y), a, b, dtype=real)
    _same(lambda m, x, y: m.la.tensorsolve(x.reshape(2, 3, 2, 3).transpose(2, 0, 3, 1), y, axes=(0, 2)),
          a, b, dtype=real)


def test_weak_types():
    """Weak inputs: norms and cross are strong in JAX, products and det stay weak."""
    a = np.eye(3, dtype=np.float32) * 2
    _same(lambda m: m.la.det(m.np.asarray(a) * 2.0))
    _same(lambda m: m.la.solve(a, m.np.ones(3) * 2.0))

    def weak(m):
        return m.np.broadcast_to(m.np.asarray(3.0), (3, 3)) + m.np.eye(3)
    for ord in (None, 1, np.inf, 0, 3):
        _same(lambda m: m.la.norm(weak(m)[0], ord))
    for ord in (None, "fro", 1, np.inf, 2, "nuc"):
        _same(lambda m: m.la.norm(weak(m), ord))
    _same(lambda m: (m.la.vector_norm(weak(m)), m.la.matrix_norm(weak(m))))
    for f in ("det", "inv", "trace", "diagonal", "matrix_transpose", "eigvalsh", "svdvals", "pinv", "cholesky"):
        _same(lambda m: getattr(m.la, f)(weak(m)))
    _same(lambda m: (m.la.matrix_power(weak(m), 2), m.la.vecdot(weak(m), weak(m)), m.la.cross(weak(m), weak(m)),
                     m.la.outer(weak(m)[0], weak(m)[1]), m.la.matmul(weak(m), weak(m))))


def test_jit_and_vmap(real):
    a, b = _well((3, 4, 4), real), _rand((3, 4, 2), real, 1)
    _same(lambda m, a, b: m.jax.jit(m.la.solve)(a, b), a, b, dtype=real)
    _same(lambda m, a, b: m.jax.vmap(m.la.solve)(a, b), a, b, dtype=real)
    _same(lambda m, a: m.jax.jit(m.la.slogdet)(a), a, dtype=real)
    _same(lambda m, a: m.jax.vmap(m.la.det)(a), a, dtype=real, scale=10)
    _same(lambda m, a: m.jax.vmap(m.la.inv)(a), a, dtype=real)
    _same(lambda m, a: m.jax.jit(m.la.pinv)(a), a, dtype=real)
    _same(lambda m, a: m.jax.vmap(lambda x: m.la.norm(x, 2))(a), a, dtype=real)


# ------------------------------------------------------------------ gradients

def _grad(m, f, *args, argnums=0):
    return m.jax.grad(f, argnums=argnums)(*args)


def test_grad_solve_both_arguments(dtype):
    a, b = _well((2, 3, 3), dtype), _rand((2, 3, 2), dtype, 1)

    def loss(m):
        return lambda a, b: m.np.sum(m.np.abs(m.la.solve(a, b)) ** 2)
    _same(lambda m, a, b: _grad(m, loss(m), a, b, argnums=(0, 1)), a, b, dtype=dtype, scale=10)
    _same(lambda m, a, b: _grad(m, loss(m), a, b[0, :, 0], argnums=(0, 1)), a, b, dtype=dtype, scale=10)
    _same(lambda m, a, b: m.jax.jvp(m.la.solve, (a, b), (b[..., :1] * a, b)), a, b, dtype=dtype, scale=10)


def test_grad_inv_det_slogdet(dtype):
    for n in (1, 2, 3, 4):
        a = _well((2, n, n), dtype) / n

        def real_part(m, f):
            return lambda x: m.np.sum(m.np.real(f(x)))
        _same(lambda m, a: _grad(m, real_part(m, m.la.det), a), a, dtype=dtype, scale=10)
        _same(lambda m, a: _grad(m, lambda x: m.np.sum(m.la.slogdet(x).logabsdet), a), a, dtype=dtype, scale=10)
        _same(lambda m, a: m.jax.jvp(m.la.slogdet, (a,), (a * a,)), a, dtype=dtype, scale=10)
        _same(lambda m, a: _grad(m, real_part(m, m.la.inv), a), a, dtype=dtype, scale=10)


def test_grad_det_at_singular_matrices(real):
    rank3 = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], [0.0, 1.0, 0.0, 2.0], [1.0, 0.0, 5.0, 1.0]], real)
    rank2 = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], [3.0, 6.0, 9.0, 12.0], [1.0, 0.0, 5.0, 1.0]], real)
    zero_first = np.array([[0.0, 1.0, 2.0, 0.0], [0.0, 3.0, 1.0, 1.0], [0.0, 1.0, 1.0, 2.0], [0.0, 2.0, 0.0, 1.0]],
                          real)
    for a in (rank3, rank2, zero_first, np.zeros((5, 5), real)):
        _same(lambda m, a: m.jax.grad(m.la.det)(a), a, dtype=real, scale=10)
        _same(lambda m, a: m.jax.jvp(m.la.det, (a,), (np.ones_like(a),)), a, dtype=real, scale=10)
    _same(lambda m, a: m.jax.hessian(m.la.det)(a), _well((4, 4), real) / 4, dtype=real, scale=100)


def test_grad_pinv(dtype):
    a = _rand((2, 5, 3), dtype)
    for x in (a, np.swapaxes(a, -1, -2)):
        _same(lambda m, x: _grad(m, lambda y: m.np.sum(m.np.real(m.la.pinv(y))), x), x, dtype=dtype, scale=10)
    h = _herm((3, 3), dtype)
    _same(lambda m, x: _grad(m, lambda y: m.np.sum(m.np.real(m.la.pinv(y, hermitian=True))), x), h,
          dtype=dtype, scale=10)


def test_grad_eigh_svd_sign_invariant(dtype):
    h, a = _herm((2, 4, 4), dtype), _rand((2, 5, 3), dtype)
    weights = np.arange(1.0, 17.0).reshape(4, 4)

    def eigh_loss(m):
        def f(x):
            w, v = m.la.eigh(x)
            return m.np.sum(w * m.np.arange(1.0, 5.0)) + m.np.sum(m.np.abs(v) ** 2 * weights)
        return f

    def svd_loss(m):
        def f(x):
            u, s, vh = m.la.svd(x, full_matrices=False)
            return m.np.sum(s) + m.np.sum(m.np.abs(u) ** 2 * weights[:1, :3]) + m.np.sum(m.np.abs(vh) ** 2)
        return f
    _same(lambda m, x: _grad(m, eigh_loss(m), x), h, dtype=dtype, scale=50)
    _same(lambda m, x: _grad(m, svd_loss(m), x), a, dtype=dtype, scale=50)
    _same(lambda m, x: _grad(m, lambda y: m.np.sum(m.la.eigvalsh(y) ** 2), x), h, dtype=dtype, scale=10)
    _same(lambda m, x: _grad(m, lambda y: m.np.sum(m.la.svdvals(y)), x), a, dtype=dtype, scale=10)
    _same(lambda m, x: _grad(m, lambda y: m.np.sum(m.la.cholesky(y).real), x), _spd((2, 3, 3), dtype),
          dtype=dtype, scale=10)


def test_grad_qr_eigvals(dtype):
    a, g = _rand((2, 5, 3), dtype), _well((3, 3), dtype)
    w = np.arange(1.0, 16.0).reshape(5, 3)

    def qr_loss(m):
        def f(x):
            q, r = m.la.qr(x)
            return m.np.sum(m.np.real(q) * w) + m.np.sum(m.np.real(r) * w[:3])
        return f
    _same(lambda m, x: _grad(m, qr_loss(m), x), a, dtype=dtype, scale=50)
    _same(lambda m, x: _grad(m, lambda y: m.np.sum(m.np.abs(m.la.eigvals(y)) ** 2), x), g, dtype=dtype,
          scale=50)


def test_grad_matrix_norms(dtype):
    x = _rand((2, 4, 3), dtype)
    for ord in (2, -2, "nuc", "fro", 1, np.inf):
        _same(lambda m, x: _grad(m, lambda y: m.np.sum(m.la.norm(y, ord, axis=(1, 2))), x), x, dtype=dtype,
              scale=10)
    _same(lambda m, x: _grad(m, lambda y: m.la.cond(y), x[0, :3]), x, dtype=dtype, scale=10)


def test_grad_lstsq_multi_dot_matrix_power(real):
    a, b = _rand((5, 3), real), _rand((5,), real, 1)
    _same(lambda m, a, b: _grad(m, lambda x, y: m.np.sum(m.la.lstsq(x, y)[0]), a, b, argnums=(0, 1)), a, b,
          dtype=real, scale=10)
    chain = [_rand(s, real, i) for i, s in enumerate([(4, 2), (2, 6), (6, 3)])]
    _same(lambda m, *c: _grad(m, lambda *z: m.np.sum(m.la.multi_dot(z)), *c, argnums=(0, 1, 2)), *chain, dtype=real)
    sq = _well((3, 3), real) / 6
    _same(lambda m, s: _grad(m, lambda z: m.np.sum(m.la.matrix_power(z, -2)), s), sq, dtype=real, scale=10)


# ------------------------------------------------------------------ bad input: the same error class

BAD = [
    lambda m: m.la.inv(np.ones((2, 3), np.float32)),
    lambda m: m.la.inv(np.ones(3, np.float32)),
    lambda m: m.la.det(np.ones((2, 3), np.float32)),
    lambda m: m.la.slogdet(np.ones((3, 2), np.float32)),
    lambda m: m.la.cholesky(np.ones((2, 3), np.float32)),
    lambda m: m.la.eigh(np.ones((2, 3), np.float32)),
    lambda m: m.la.eig(np.ones((2, 3), np.float32)),
    lambda m: m.la.svd(np.ones(3, np.float32)),
    lambda m: m.la.qr(np.ones(3, np.float32)),
    lambda m: m.la.qr(np.ones((3, 3), np.float32), mode="bad"),
    lambda m: m.la.solve(np.eye(3, dtype=np.float32), np.ones(4, np.float32)),
    lambda m: m.la.solve(np.eye(3, dtype=np.float32), np.ones((2, 3), np.float32)),
    lambda m: m.la.solve(np.ones((2, 3, 3), np.float32), np.ones((4, 3), np.float32)),
    lambda m: m.la.solve(np.ones(3, np.float32), np.ones(3, np.float32)),
    lambda m: m.la.matrix_power(np.ones((2, 3), np.float32), 2),
    lambda m: m.la.matrix_power(np.ones(3, np.float32), 2),
    lambda m: m.la.matrix_power(np.eye(3, dtype=np.float32), 1.5),
    lambda m: m.la.matrix_transpose(np.ones(3, np.float32)),
    lambda m: m.la.cross(np.ones(3, np.float32), np.ones(2, np.float32)),
    lambda m: m.la.outer(np.ones((2, 2), np.float32), np.ones(2, np.float32)),
    lambda m: m.la.multi_dot([np.ones(3, np.float32)]),
    lambda m: m.la.multi_dot([np.ones((2, 3), np.float32), np.ones((2, 3), np.float32)]),
    lambda m: m.la.norm(np.ones((2, 2), np.float32), "bad"),
    lambda m: m.la.norm(np.ones((2, 2, 2), np.float32), 2),
    lambda m: m.la.eigh(np.eye(2, dtype=np.float32), UPLO="X"),
    lambda m: m.la.cond(np.ones(3, np.float32)),
    lambda m: m.la.cond(np.ones((2, 3), np.float32), 1),
    lambda m: m.la.pinv(np.ones((2, 2), np.float32), rtol=0.1, rcond=0.1),
    lambda m: m.la.matrix_rank(np.ones((2, 2), np.float32), rtol=0.1, tol=0.1),
    lambda m: m.la.tensorinv(np.ones((2, 3), np.float32)),
    lambda m: m.la.tensorinv(np.ones((2, 2), np.float32), 0),
    lambda m: m.la.tensorsolve(np.ones((2, 3, 6), np.float32), np.ones(6, np.float32)),
    lambda m: m.la.lstsq(np.ones((3, 2), np.float32), np.ones(4, np.float32)),
    lambda m: m.la.lstsq(np.ones((2, 3, 2), np.float32), np.ones(3, np.float32)),
    lambda m: m.la.slogdet(np.eye(3, dtype=np.float32), method="bad"),
]


@pytest.mark.parametrize("case", BAD, ids=range(len(BAD)))
def test_bad_input_same_error_class(case):
    with pytest.raises((TypeError, ValueError)) as jax_err:
        case(J)
    with pytest.raises(jax_err.type):
        case(N)


@pytest.mark.parametrize("case", [BAD[0], BAD[2], BAD[4], BAD[10], BAD[11]], ids=["inv", "det", "cholesky",
                                                                               "solve-vec", "solve-mat"])
def test_bad_input_jit_rejects_alike(case):
    with pytest.raises((TypeError, ValueError)) as eager:
        case(N)
    with pytest.raises(eager.type):
        nablax.jit(lambda: case(N))()


def test_error_messages_name_function_and_shapes():
    la = nablax.numpy.linalg
    with pytest.raises(ValueError, match=r"inv.*\(2, 3\)"):
        la.inv(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"det.*\(2, 3\)"):
        la.det(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"cholesky.*\(2, 3\)"):
        la.cholesky(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"solve.*\(3, 3\).*\(4,\)"):
        la.solve(np.eye(3), np.ones(4))
    with pytest.raises(ValueError, match=r"solve.*\(3, 3\).*\(2, 3\)"):
        la.solve(np.eye(3), np.ones((2, 3)))


def test_outer_products_keep_the_sign_of_zero_as_jax():
    """No contracting axes: each entry is one product, so -0.0 * 0.0 is -0.0 in JAX and here."""
    jjnp, njnp = jax.numpy, nablax.numpy
    a, b = np.array([-0.0, 2.0, -1.0], np.float32), np.array([0.0, -3.0], np.float32)
    for name in ("outer", "multiply.outer"):
        fj, fn = (jjnp.outer, njnp.outer) if name == "outer" else (jjnp.multiply.outer, njnp.multiply.outer)
        j, n = np.asarray(fj(a, b)), np.asarray(fn(a, b))
        np.testing.assert_array_equal(n, j)
        np.testing.assert_array_equal(np.signbit(n), np.signbit(j), err_msg=name)
