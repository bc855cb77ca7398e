"""lax.linalg's factor/solve functions against real JAX: values, dtypes, shapes, weak types,
pivots and permutations (exactly), NaNs for non-positive-definite Cholesky, derivatives (VJPs
with the same cotangent, forward and reverse), error classes."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.lax.linalg as jl  # noqa: E402

import nablax  # noqa: E402
import nablax.lax.linalg as nl  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(11)


def _randn(*shape, dtype=np.float64):
    x = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


def _tol(dtype):
    return dict(rtol=2e-4, atol=2e-5) if np.dtype(dtype) in (np.float32, np.complex64) else dict(
        rtol=1e-10, atol=1e-12)


def _spd(batch, n, dtype):
    a = _randn(*batch, n, n, dtype=dtype)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def _vjp_both(jf, nf, args, dtype):
    """VJPs of both libraries' functions at `args` with one cotangent."""
    jout, jpull = jax.vjp(jf, *args)
    nout, npull = nablax.vjp(nf, *args)
    ct = _randn(*np.shape(jout), dtype=dtype)
    assert_same(jout, nout, **_tol(dtype))
    assert_same(jpull(ct.astype(jout.dtype)), npull(ct.astype(jout.dtype)), path="vjp", **_tol(dtype))


def _jvp_both(jf, nf, args, dtype):
    tangents = tuple(_randn(*np.shape(a), dtype=dtype) for a in args)
    assert_same(jax.jvp(jf, args, tangents), nablax.jvp(nf, args, tangents), path="jvp", **_tol(dtype))


# --------------------------------------------------------------------- triangular_solve

FLAGS = list(itertools.product([True, False], repeat=4))


def _tri_args(dtype, batch=(), n=4, k=3, left_side=True):
    a = (_randn(*batch, n, n, dtype=dtype) + 4 * np.eye(n)).astype(dtype)
    b = _randn(*batch, *((n, k) if left_side else (k, n)), dtype=dtype)
    return a, b


@pytest.mark.parametrize("left_side,lower,transpose_a,conjugate_a", FLAGS)
@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_triangular_solve_values(left_side, lower, transpose_a, conjugate_a, dtype):
    a, b = _tri_args(dtype, (2,), left_side=left_side)
    kw = dict(left_side=left_side, lower=lower, transpose_a=transpose_a, conjugate_a=conjugate_a)
    for unit in (False, True):
        assert_same(jl.triangular_solve(a, b, unit_diagonal=unit, **kw),
                    nl.triangular_solve(a, b, unit_diagonal=unit, **kw), **_tol(dtype))


@pytest.mark.parametrize("left_side,lower,transpose_a,conjugate_a", FLAGS)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_triangular_solve_derivatives(left_side, lower, transpose_a, conjugate_a, dtype, x64):
    a, b = _tri_args(dtype, left_side=left_side)
    kw = dict(left_side=left_side, lower=lower, transpose_a=transpose_a, conjugate_a=conjugate_a)
    _vjp_both(lambda a, b: jl.triangular_solve(a, b, **kw), lambda a, b: nl.triangular_solve(a, b, **kw),
              (a, b), dtype)
    _jvp_both(lambda a, b: jl.triangular_solve(a, b, **kw), lambda a, b: nl.triangular_solve(a, b, **kw),
              (a, b), dtype)


@pytest.mark.parametrize("left_side", [True, False])
def test_triangular_solve_vector_and_weak(left_side):
    a = (_randn(4, 4) + 4 * np.eye(4)).astype(np.float32)
    b = _randn(4).astype(np.float32)
    kw = dict(left_side=left_side, lower=True)
    assert_same(jl.triangular_solve(a, b, **kw), nl.triangular_solve(a, b, **kw))
    wa = jax.lax.broadcast(2.0, (3, 3)), nablax.lax.broadcast(2.0, (3, 3))
    wb = jax.lax.broadcast(1.0, (3, 2)), nablax.lax.broadcast(1.0, (3, 2))
    assert_same(jl.triangular_solve(wa[0], wb[0], left_side=True),
                nl.triangular_solve(wa[1], wb[1], left_side=True))
    assert_same(jl.triangular_solve(wa[0], np.ones((3, 2), np.float32), left_side=True),
                nl.triangular_solve(wa[1], np.ones((3, 2), np.float32), left_side=True))


def test_triangular_solve_vmap_unbatched_a(x64):
    a, _ = _tri_args(np.float64)
    bs = _randn(5, 4, 3)
    for left_side, axis in [(True, 0), (True, 2), (False, 1)]:
        kw = dict(left_side=left_side, lower=False, transpose_a=True)
        b = np.moveaxis(bs, 0, axis) if left_side else np.moveaxis(np.swapaxes(bs, -1, -2), 0, axis)
        assert_same(jax.vmap(lambda b, kw=kw: jl.triangular_solve(a, b, **kw), in_axes=axis)(b),
                    nablax.vmap(lambda b, kw=kw: nl.triangular_solve(a, b, **kw), in_axes=axis)(b), **_tol(np.float64))


# ----------------------------------------------------------------------------- cholesky


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
@pytest.mark.parametrize("batch", [(), (3,), (2, 2)])
def test_cholesky_values(dtype, batch):
    x = _spd(batch, 4, dtype)
    assert_same(jl.cholesky(x), nl.cholesky(x), **_tol(dtype))
    assert_same(jl.cholesky(x, symmetrize_input=False), nl.cholesky(x, symmetrize_input=False), **_tol(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_cholesky_values_and_derivatives_x64(dtype, x64):
    x = _spd((2,), 4, dtype)
    assert_same(jl.cholesky(x), nl.cholesky(x), **_tol(dtype))
    _vjp_both(jl.cholesky, nl.cholesky, (x,), dtype)
    _jvp_both(jl.cholesky, nl.cholesky, (x,), dtype)

    def jf(a):
        return jl.cholesky(a @ a.T + 4 * jax.numpy.eye(4))

    def nf(a):
        return nl.cholesky(a @ a.T + 4 * nablax.numpy.eye(4))

    a = _randn(4, 4)
    assert_same(jax.hessian(lambda a: jf(a)[2, 1])(a), nablax.hessian(lambda a: nf(a)[2, 1])(a), **_tol(dtype))


def test_cholesky_not_positive_definite_gives_nans():
    x = np.stack([np.eye(3) * 2, -np.eye(3), [[1.0, 2, 0], [2, 1, 0], [0, 0, 1]]]).astype(np.float32)
    got, want = nl.cholesky(x), jl.cholesky(x)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    assert_same(want, got)  # (assert_allclose counts NaN as equal to NaN)


def test_cholesky_weak_type_and_integer_promotion():
    x = (jax.lax.broadcast(4.0, (1, 1)), nablax.lax.broadcast(4.0, (1, 1)))
    assert_same(jl.cholesky(x[0]), nl.cholesky(x[1]))
    for dtype in (np.int32, bool):
        assert_same(jl.cholesky(np.eye(3, dtype=dtype) * 2), nl.cholesky(np.eye(3, dtype=dtype) * 2))


# ----------------------------------------------------------------------------------- lu


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 4), (2, 3, 2, 5)])
def test_lu_values_pivots_permutation(dtype, shape):
    x = _randn(*shape, dtype=dtype)
    assert_same(jl.lu(x), nl.lu(x), **_tol(dtype))


def test_lu_singular_and_weak():
    x = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]], np.float32)
    assert_same(jl.lu(x), nl.lu(x))
    assert_same(jl.lu(jax.lax.broadcast(1.0, (2, 3))), nl.lu(nablax.lax.broadcast(1.0, (2, 3))))


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 3, 3)])
def test_lu_derivatives(dtype, shape, x64):
    x = _randn(*shape, dtype=dtype)
    assert_same(jl.lu(x), nl.lu(x), **_tol(dtype))
    _vjp_both(lambda x: jl.lu(x)[0], lambda x: nl.lu(x)[0], (x,), dtype)
    _jvp_both(lambda x: jl.lu(x)[0], lambda x: nl.lu(x)[0], (x,), dtype)


def test_lu_pivots_to_permutation():
    piv = np.array([[2, 1, 2], [0, 2, 2], [1, 2, 2]], np.int32)
    for size in (3, 4, 6):
        assert_same(jl.lu_pivots_to_permutation(piv, size), nl.lu_pivots_to_permutation(piv, size))


# --------------------------------------------------------------------- tridiagonal_solve


def _tridiag(dtype, batch=(), m=5, k=2):
    dl, d, du = (_randn(*batch, m, dtype=dtype) for _ in range(3))
    d = (d + 5).astype(dtype)
    dl[..., 0] = 0
    du[..., -1] = 0
    return dl, d, du, _randn(*batch, m, k, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
@pytest.mark.parametrize("batch", [(), (3,)])
def test_tridiagonal_solve_values(dtype, batch):
    args = _tridiag(dtype, batch)
    assert_same(jl.tridiagonal_solve(*args), nl.tridiagonal_solve(*args), **_tol(dtype))


def test_tridiagonal_solve_singular_gives_nans():
    z = np.zeros((2, 4), np.float32)
    d = np.stack([np.zeros(4), np.full(4, 3.0)]).astype(np.float32)
    o = np.stack([np.zeros(4), np.ones(4)]).astype(np.float32)
    b = np.ones((2, 4, 2), np.float32)
    assert_same(jl.tridiagonal_solve(z, d, o, b), nl.tridiagonal_solve(z, d, o, b))


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_tridiagonal_solve_derivatives(dtype, x64):
    args = _tridiag(dtype, (2,))
    _vjp_both(jl.tridiagonal_solve, nl.tridiagonal_solve, args, dtype)
    _jvp_both(jl.tridiagonal_solve, nl.tridiagonal_solve, args, dtype)


# ------------------------------------------------------------ cholesky_update, symmetric_product


def test_cholesky_update():
    r = np.linalg.cholesky(_spd((), 4, np.float64)).T.astype(np.float32)
    w = _randn(4).astype(np.float32)
    assert_same(jl.cholesky_update(r, w), nl.cholesky_update(r, w), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("symmetrize_output", [False, True])
def test_symmetric_product(symmetrize_output):
    a, c = _randn(2, 3, 4).astype(np.float32), _randn(2, 3, 3).astype(np.float32)
    kw = dict(alpha=2.0, beta=0.5, symmetrize_output=symmetrize_output)
    assert_same(jl.symmetric_product(a, c, **kw), nl.symmetric_product(a, c, **kw))


# ------------------------------------------------------------------------------- errors


def _error_class(f, *args):
    try:
        f(*args)
    except Exception as e:  # noqa: BLE001 - the class is compared
        return type(e)
    return None


BAD = [
    ("cholesky", (np.ones((3, 4), np.float32),), {}),
    ("cholesky", (np.ones((3, 4), np.float32),), {"symmetrize_input": False}),
    ("cholesky", (np.eye(3, dtype=np.int32),), {"symmetrize_input": False}),
    ("triangular_solve", (np.eye(3, dtype=np.float32), np.ones((4, 2), np.float32)), {"left_side": True}),
    ("triangular_solve", (np.ones((3, 4), np.float32), np.ones((4, 2), np.float32)), {"left_side": True}),
    ("triangular_solve", (np.ones((2, 3, 3), np.float32), np.ones((4, 3, 3), np.float32)), {"left_side": True}),
    ("triangular_solve", (np.eye(3, dtype=np.int32), np.ones((3, 2), np.int32)), {"left_side": True}),
    ("lu", (np.eye(3, dtype=np.int32),), {}),
    ("lu", (np.ones(3, np.float32),), {}),
    ("lu_pivots_to_permutation", (np.array([0, 1, 2], np.int32),), {"permutation_size": 2}),
    ("tridiagonal_solve", (np.ones(4, np.float32), np.ones(4, np.float32), np.ones(3, np.float32),
                           np.ones((4, 2), np.float32)), {}),
    ("cholesky_update", (np.eye(3, dtype=np.float32), np.ones(2, np.float32)), {}),
    ("symmetric_product", (np.ones((3, 2), np.complex64), np.ones((3, 3), np.complex64)), {}),
    ("symmetric_product", (np.ones((3, 2), np.float32), np.ones((2, 2), np.float32)), {}),
]


@pytest.mark.parametrize("name,args,kw", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_error_classes_match_jax(name, args, kw):
    want = _error_class(lambda *a: getattr(jl, name)(*a, **kw), *args)
    assert want is not None
    assert _error_class(lambda *a: getattr(nl, name)(*a, **kw), *args) is want
    assert _error_class(nablax.jit(lambda *a: getattr(nl, name)(*a, **kw)), *args) is want


@pytest.mark.parametrize("name,args", [
    ("cholesky_update", (np.eye(3, dtype=np.float32), np.ones(3, np.float32))),
    ("symmetric_product", (np.ones((3, 2), np.float32), np.eye(3, dtype=np.float32))),
])
def test_not_differentiable_like_jax(name, args):
    with pytest.raises(NotImplementedError):
        jax.jvp(getattr(jl, name), args, args)
    with pytest.raises(NotImplementedError, match=name):
        nablax.jvp(getattr(nl, name), args, args)
