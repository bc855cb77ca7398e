"""lax.linalg.eigh / svd / qr against JAX: values (signs and phases included: both call
LAPACK syevd, gesdd, geqrf/orgqr, geqp3), dtypes, shapes, weak types, error classes, and
gradients of sign-invariant losses."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402


def _matrix(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _hermitian(shape, dtype, seed=0):
    x = _matrix(shape, dtype, seed)
    return (x + np.conj(np.swapaxes(x, -1, -2))) / 2


def _tol(dtype):
    single = np.dtype(dtype) in (np.dtype(np.float32), np.dtype(np.complex64))
    return dict(rtol=2e-4, atol=2e-5) if single else dict(rtol=1e-9, atol=1e-11)


@pytest.fixture(params=["x32", "x64"])
def mode(request):
    if request.param == "x64":
        request.getfixturevalue("x64")
        return np.float64, np.complex128
    return np.float32, np.complex64


@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5)])
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("lower", [True, False])
def test_eigh(mode, shape, complex_, lower):
    dtype = mode[complex_]
    x = _hermitian(shape, dtype)
    assert_same(jax.lax.linalg.eigh(x, lower=lower), nablax.lax.linalg.eigh(x, lower=lower), **_tol(dtype))
    y = _matrix(shape, dtype)  # only one triangle is read
    kw = dict(lower=lower, symmetrize_input=False)
    assert_same(jax.lax.linalg.eigh(y, **kw), nablax.lax.linalg.eigh(y, **kw), **_tol(dtype))


def test_eigh_integer_input_is_promoted_as_jax():
    x = np.array([[2, 1], [1, 3]], np.int32)
    assert_same(jax.lax.linalg.eigh(x), nablax.lax.linalg.eigh(x))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 5, 3)])
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("kw", [{}, {"full_matrices": False}, {"compute_uv": False}])
def test_svd(mode, shape, complex_, kw):
    dtype = mode[complex_]
    x = _matrix(shape, dtype)
    assert_same(jax.lax.linalg.svd(x, **kw), nablax.lax.linalg.svd(x, **kw), **_tol(dtype))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 5, 3)])
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("kw", [{}, {"full_matrices": False}, {"pivoting": True},
                                {"pivoting": True, "full_matrices": False}])
def test_qr(mode, shape, complex_, kw):
    dtype = mode[complex_]
    x = _matrix(shape, dtype)
    assert_same(jax.lax.linalg.qr(x, **kw), nablax.lax.linalg.qr(x, **kw), **_tol(dtype))


def _eigh_loss(lib):
    def loss(x):
        v, w = lib.lax.linalg.eigh(x)
        v0 = v[..., :, :1]
        p = v0 @ lib.numpy.conj(lib.numpy.swapaxes(v0, -1, -2))
        return lib.numpy.sum(w ** 3) + lib.numpy.sum(lib.numpy.abs(p * x) ** 2)
    return loss


def _svd_loss(lib, **kw):
    def loss(x):
        u, s, vh = lib.lax.linalg.svd(x, full_matrices=False, **kw)
        u0 = u[..., :, :1]
        p = u0 @ lib.numpy.conj(lib.numpy.swapaxes(u0, -1, -2))
        return lib.numpy.sum(lib.numpy.sin(s)) + lib.numpy.sum(lib.numpy.abs(p) ** 2 * lib.numpy.arange(p.shape[-1]))
    return loss


def _svdvals_loss(lib):
    return lambda x: lib.numpy.sum(lib.lax.linalg.svd(x, compute_uv=False) ** 2 * lib.numpy.arange(1, 4))


def _qr_loss(lib, **kw):
    def loss(x):
        q, r, *_ = lib.lax.linalg.qr(x, **kw)
        k = min(x.shape[-2:])
        qk = q[..., :, :k]
        p = qk @ lib.numpy.conj(lib.numpy.swapaxes(qk, -1, -2))
        d = lib.numpy.abs(lib.numpy.diagonal(r, axis1=-2, axis2=-1))
        return lib.numpy.sum(lib.numpy.abs(p) ** 2 * lib.numpy.arange(p.shape[-1])) + lib.numpy.sum(d ** 3)
    return loss


class _Lib:
    def __init__(self, lax, numpy):
        self.lax, self.numpy = lax, numpy


JAX, NABLAX = _Lib(jax.lax, jjnp), _Lib(nablax.lax, njnp)

GRAD_CASES = [
    ("eigh", _eigh_loss, lambda dt: _hermitian((4, 4), dt, 3) + np.diag(np.arange(4.)).astype(dt)),
    ("svd-tall", _svd_loss, lambda dt: _matrix((5, 3), dt, 4)),
    ("svd-wide", _svd_loss, lambda dt: _matrix((3, 5), dt, 5)),
    ("svdvals", _svdvals_loss, lambda dt: _matrix((5, 3), dt, 6)),
    ("qr-tall", lambda lib: _qr_loss(lib, full_matrices=False), lambda dt: _matrix((5, 3), dt, 7)),
    ("qr-wide", _qr_loss, lambda dt: _matrix((3, 5), dt, 8)),
    ("qr-pivoting", lambda lib: _qr_loss(lib, pivoting=True), lambda dt: _matrix((4, 4), dt, 9)),
]


@pytest.mark.parametrize("name,make_loss,make_x", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
@pytest.mark.parametrize("complex_", [False, True])
def test_grad_of_sign_invariant_loss(x64, name, make_loss, make_x, complex_):
    dtype = np.complex128 if complex_ else np.float64
    x = make_x(dtype)
    assert_same(jax.grad(make_loss(JAX))(x), nablax.grad(make_loss(NABLAX))(x), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name,make_loss,make_x", GRAD_CASES[:2], ids=[c[0] for c in GRAD_CASES[:2]])
def test_batched_grad_float32(name, make_loss, make_x):
    x = np.stack([make_x(np.float32), make_x(np.float32) * 2])
    jl, nl = make_loss(JAX), make_loss(NABLAX)
    assert_same(jax.vmap(jax.grad(jl))(x), nablax.vmap(nablax.grad(nl))(x), rtol=1e-3, atol=1e-4)


def test_second_order_eigenvalues(x64):
    x = _hermitian((3, 3), np.float64, 1) + np.diag([0., 1., 2.])
    f_j = lambda a: jjnp.sum(jax.lax.linalg.eigh(a)[1] ** 3)  # noqa: E731
    f_n = lambda a: njnp.sum(nablax.lax.linalg.eigh(a)[1] ** 3)  # noqa: E731
    assert_same(jax.hessian(f_j)(x), nablax.hessian(f_n)(x), rtol=1e-7, atol=1e-9)


BAD = [
    ("eigh", np.ones((3, 4), np.float32), {}),
    ("eigh", np.ones((4,), np.float32), {}),
    ("svd", np.ones((4,), np.float32), {}),
    ("svd", np.eye(3, dtype=np.int32), {}),
    ("qr", np.ones((4,), np.float32), {}),
    ("qr", np.eye(3, dtype=np.int32), {}),
]


@pytest.mark.parametrize("name,x,kw", BAD, ids=[f"{b[0]}-{b[1].shape}-{b[1].dtype}" for b in BAD])
def test_bad_input_same_error_class(name, x, kw):
    with pytest.raises(Exception) as j:
        getattr(jax.lax.linalg, name)(x, **kw)
    with pytest.raises(Exception) as n:
        getattr(nablax.lax.linalg, name)(x, **kw)
    assert n.type is j.type, (n.value, j.value)


@pytest.mark.parametrize("shape", [(5, 3), (4, 4)])
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("max_iterations", [None, 2])
def test_qdwh(mode, shape, complex_, max_iterations):
    dtype = mode[complex_]
    x = _matrix(shape, dtype, seed=3)
    kw = {"max_iterations": max_iterations}
    assert_same(jax.lax.linalg.qdwh(x, **kw), nablax.lax.linalg.qdwh(x, **kw), **_tol(dtype))
    assert_same(jax.lax.linalg.qdwh(x, **kw), nablax.jit(lambda a: nablax.lax.linalg.qdwh(a, **kw))(x),
                **_tol(dtype))


def test_qdwh_wide_input_same_error_class():
    x = np.ones((3, 5), np.float32)
    with pytest.raises(Exception) as j:
        jax.lax.linalg.qdwh(x)
    with pytest.raises(Exception) as n:
        nablax.lax.linalg.qdwh(x)
    assert n.type is j.type


@pytest.mark.parametrize("kw", [{}, {"full_matrices": False}, {"pivoting": True}])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
@pytest.mark.parametrize("complex_", [False, True])
def test_qr_jvp(x64, kw, shape, complex_):
    dtype = np.complex128 if complex_ else np.float64
    if kw.get("pivoting") and len(shape) > 2:
        pytest.skip("JAX's pivoted-QR JVP indexes with a batched permutation")
    if kw.get("pivoting") and shape[-2] < shape[-1]:
        pytest.skip("JAX's wide pivoted-QR JVP uses the unpermuted X2 in dR2 = dQᴴX2 + QᴴdX2 (off by "
                    "O(1) from finite differences); nablax's agrees with finite differences "
                    "(cases_spectral.py qr-invariants-pivoting, test_lax_linalg_spectral.py)")
    x, t = _matrix(shape, dtype, 1), _matrix(shape, dtype, 2)
    j = jax.jvp(lambda a: jax.lax.linalg.qr(a, **kw)[:2], (x,), (t,))
    n = nablax.jvp(lambda a: nablax.lax.linalg.qr(a, **kw)[:2], (x,), (t,))
    assert_same(j, n, rtol=1e-8, atol=1e-10)
