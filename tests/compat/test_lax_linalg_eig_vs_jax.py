"""lax.linalg's general-matrix functions (eig, schur, hessenberg, tridiagonal,
householder_product, ormqr) and scipy.linalg.eigh_tridiagonal's computation against real JAX:
values (LAPACK's phases and signs, which JAX's CPU backend shares), dtypes, shapes, weak types,
derivatives, and the error classes of bad input."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.lax.linalg as jL  # noqa: E402
import jax.numpy as jjnp  # noqa: E402
import jax.scipy.linalg as jsl  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from nablax._src.primitives.eig_tridiagonal import eigh_tridiagonal  # noqa: E402
from nablax.lax import linalg as nL  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(0)


def _mat(shape, dtype):
    x = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


def _tol(dtype):
    return (2e-4, 2e-5) if np.dtype(dtype) in (np.float32, np.complex64) else (1e-10, 1e-12)


DTYPES32 = [np.float32, np.complex64]
DTYPES64 = [np.float64, np.complex128]
SHAPES = [(4, 4), (2, 3, 3)]
EIG_FLAGS = [(True, True), (False, True), (True, False), (False, False)]


def _check_eig(dtype, shape, left, right):
    x = _mat(shape, dtype)
    kw = dict(compute_left_eigenvectors=left, compute_right_eigenvectors=right)
    rtol, atol = _tol(dtype)
    assert_same(jL.eig(x, **kw), nL.eig(x, **kw), rtol=rtol, atol=atol)
    assert_same(jax.jit(lambda a: jL.eig(a, **kw))(x), nablax.jit(lambda a: nL.eig(a, **kw))(x),
                rtol=rtol, atol=atol)


@pytest.mark.parametrize("left,right", EIG_FLAGS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES32)
def test_eig_values_float32(dtype, shape, left, right):
    _check_eig(dtype, shape, left, right)


@pytest.mark.parametrize("left,right", EIG_FLAGS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES64)
def test_eig_values_float64(dtype, shape, left, right, x64):
    _check_eig(dtype, shape, left, right)


def test_eig_vmap_of_eigenvalue_grad(x64):
    xs = _mat((3, 4, 4), np.float64)
    assert_same(jax.vmap(jax.grad(_eigvals_loss(jjnp, jL)))(xs), nablax.vmap(nablax.grad(_eigvals_loss(njnp, nL)))(xs),
                rtol=1e-8, atol=1e-10)


def test_eig_weak_input_and_vmap():
    x = jjnp.broadcast_to(2.0, (3, 3)) + jjnp.broadcast_to(1.0, (3, 3))
    y = njnp.broadcast_to(2.0, (3, 3)) + njnp.broadcast_to(1.0, (3, 3))
    assert_same(jL.eig(x), nL.eig(y))
    xs = _mat((3, 4, 4), np.float32)
    assert_same(jax.vmap(jL.eig)(xs), nablax.vmap(nL.eig)(xs), rtol=2e-4, atol=2e-5)


def _eigvals_loss(lib, L):
    def loss(a):
        (w,) = L.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)
        return lib.sum(lib.real(w) ** 2 + 0.3 * lib.imag(w) ** 2)
    return loss


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_eig_eigenvalue_gradients(dtype, x64):
    x = _mat((2, 4, 4), dtype)
    jl, nl = _eigvals_loss(jjnp, jL), _eigvals_loss(njnp, nL)
    assert_same(jax.grad(lambda a: jl(a).real)(x), nablax.grad(lambda a: nl(a).real)(x), rtol=1e-8, atol=1e-10)
    t = _mat((2, 4, 4), dtype)
    kw = dict(compute_left_eigenvectors=False, compute_right_eigenvectors=False)
    assert_same(jax.jvp(lambda a: jL.eig(a, **kw), (x,), (t,)), nablax.jvp(lambda a: nL.eig(a, **kw), (x,), (t,)),
                rtol=1e-8, atol=1e-10)


def test_eig_eigenvalue_gradient_float32():
    x = _mat((4, 4), np.float32)
    jl, nl = _eigvals_loss(jjnp, jL), _eigvals_loss(njnp, nL)
    assert_same(jax.grad(jl)(x), nablax.grad(nl)(x), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("left,right", [(False, True), (True, False), (True, True)])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_eig_eigenvector_jvp_with_opt_in(dtype, left, right, x64):
    x, t = _mat((2, 4, 4), dtype), _mat((2, 4, 4), dtype)
    kw = dict(compute_left_eigenvectors=left, compute_right_eigenvectors=right, enable_eigvec_derivs=True)
    assert_same(jax.jvp(lambda a: jL.eig(a, **kw), (x,), (t,)), nablax.jvp(lambda a: nL.eig(a, **kw), (x,), (t,)),
                rtol=1e-7, atol=1e-9)


def test_eig_eigenvector_derivative_needs_opt_in(x64):
    x = _mat((3, 3), np.float64)
    for lib, L in ((jax, jL), (nablax, nL)):
        with pytest.raises(NotImplementedError):
            lib.jvp(lambda a, L=L: L.eig(a)[2], (x,), (x,))


# ---------------------------------------------------------------------------------- schur

@pytest.mark.parametrize("vectors", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES32)
def test_schur(dtype, shape, vectors):
    x = _mat(shape, dtype)
    rtol, atol = _tol(dtype)
    assert_same(jL.schur(x, compute_schur_vectors=vectors), nL.schur(x, compute_schur_vectors=vectors),
                rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", DTYPES64)
def test_schur_float64(dtype, x64):
    x = _mat((2, 5, 5), dtype)
    assert_same(jL.schur(x), nablax.jit(nL.schur)(x), rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------- condensed forms, reflectors

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES32)
def test_hessenberg(dtype, shape):
    x = _mat(shape, dtype)
    rtol, atol = _tol(dtype)
    assert_same(jL.hessenberg(x), nL.hessenberg(x), rtol=rtol, atol=atol)
    assert_same(jax.vmap(jL.hessenberg)(x[None]), nablax.vmap(nL.hessenberg)(x[None]), rtol=rtol, atol=atol)


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("dtype", DTYPES32 + DTYPES64)
def test_tridiagonal(dtype, lower, x64):
    x = _mat((2, 4, 4), dtype)
    x = x + np.conj(np.swapaxes(x, -1, -2))
    rtol, atol = _tol(dtype)
    assert_same(jL.tridiagonal(x, lower=lower), nL.tridiagonal(x, lower=lower), rtol=rtol, atol=atol)


def _raw_qr(x):
    h, taus = jjnp.linalg.qr(x, mode="raw")
    return np.asarray(h.mT), np.asarray(taus)


@pytest.mark.parametrize("dtype", DTYPES32 + DTYPES64)
def test_householder_product(dtype, x64):
    a, taus = _raw_qr(_mat((2, 5, 3), dtype))
    rtol, atol = _tol(dtype)
    assert_same(jL.householder_product(a, taus), nL.householder_product(a, taus), rtol=rtol, atol=atol)
    assert_same(jL.householder_product(a, taus[..., :2]), nablax.jit(nL.householder_product)(a, taus[..., :2]),
                rtol=rtol, atol=atol)


@pytest.mark.parametrize("left,transpose", [(True, False), (True, True), (False, False), (False, True)])
@pytest.mark.parametrize("dtype", DTYPES32 + DTYPES64)
def test_ormqr(dtype, left, transpose, x64):
    a, taus = _raw_qr(_mat((2, 5, 3), dtype))
    c = _mat((2, 5, 2) if left else (2, 2, 5), dtype)
    rtol, atol = _tol(dtype)
    kw = dict(left=left, transpose=transpose)
    assert_same(jL.ormqr(a, taus, c, **kw), nL.ormqr(a, taus, c, **kw), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", ["schur", "hessenberg", "tridiagonal"])
def test_condensed_forms_not_differentiable(name):
    x = _mat((3, 3), np.float32)
    for lib, L in ((jax, jL), (nablax, nL)):
        with pytest.raises(NotImplementedError):
            lib.jvp(lambda a, L=L: getattr(L, name)(a)[0], (x,), (x,))


# ------------------------------------------------------------------------- eigh_tridiagonal

D, E = RNG.standard_normal(6), RNG.standard_normal(5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("select,select_range", [("a", None), ("i", (1, 3))])
def test_eigh_tridiagonal_eigenvalues(dtype, select, select_range, x64):
    d, e = D.astype(dtype), E.astype(dtype)
    kw = dict(eigvals_only=True, select=select, select_range=select_range)
    rtol, atol = (1e-4, 1e-5) if dtype == np.float32 else (1e-9, 1e-11)
    assert_same(jsl.eigh_tridiagonal(d, e, **kw), eigh_tridiagonal(d, e, **kw), rtol=rtol, atol=atol)

def test_eigh_tridiagonal_derivative_is_the_true_one(x64):
    """A deliberate difference: JAX 0.10's bisection (a while_loop) carries a tangent that is not the
    derivative of its eigenvalues (and has no reverse mode); ours, v_iᵀ Ṫ v_i, matches the central
    differences of JAX's own eigenvalues."""
    td, te = RNG.standard_normal(6), RNG.standard_normal(5)
    h = 1e-6
    fd = (np.asarray(jsl.eigh_tridiagonal(D + h * td, E + h * te, eigvals_only=True)) -
          np.asarray(jsl.eigh_tridiagonal(D - h * td, E - h * te, eigvals_only=True))) / (2 * h)
    _, nt = nablax.jvp(lambda d, e: eigh_tridiagonal(d, e, eigvals_only=True), (D, E), (td, te))
    np.testing.assert_allclose(np.asarray(nt), fd, rtol=1e-6, atol=1e-8)
    g = nablax.grad(lambda d: njnp.sum(eigh_tridiagonal(d, E, eigvals_only=True) ** 2))(D)
    np.testing.assert_allclose(np.asarray(g), 2 * D, rtol=1e-10)  # sum w^2 = trace(T^2)


def test_eigh_tridiagonal_eigenvectors(x64):
    jw, jv = jsl.eigh_tridiagonal(D, E)
    nw, nv = eigh_tridiagonal(D, E)
    assert_same(jw, nw, rtol=1e-9, atol=1e-11)
    # Signs differ (JAX uses inverse iteration from random vectors): compare projectors.
    np.testing.assert_allclose(np.abs(np.sum(np.asarray(jv) * np.asarray(nv), axis=0)), 1.0, rtol=1e-8)
    assert nv.dtype == jv.dtype and nv.shape == jv.shape


def test_eigh_tridiagonal_select_v_not_implemented():
    for fn in (jsl.eigh_tridiagonal, eigh_tridiagonal):
        with pytest.raises(NotImplementedError):
            fn(D, E, eigvals_only=True, select="v", select_range=(0.0, 1.0))


# ------------------------------------------------------------------------------ bad input

BAD = [
    ("eig", (np.ones((3, 4), np.float32),), {}),
    ("eig", (np.ones((3, 3), np.int32),), {}),
    ("schur", (np.ones((3, 4), np.float32),), {}),
    ("schur", (np.ones((3, 3), np.int32),), {}),
    ("hessenberg", (np.ones((3, 4), np.float32),), {}),
    ("hessenberg", (np.ones((3, 3), np.int32),), {}),
    ("tridiagonal", (np.ones((3, 4), np.float32),), {}),
    ("tridiagonal", (np.ones((3, 3), np.int32),), {}),
    ("householder_product", (np.ones((3, 4), np.float32), np.ones(3, np.float32)), {}),
    ("householder_product", (np.ones((4, 3), np.float32), np.ones(4, np.float32)), {}),
    ("householder_product", (np.ones((4, 3), np.int32), np.ones(3, np.int32)), {}),
    ("ormqr", (np.ones((4, 4), np.float32), np.ones(4, np.float32), np.ones((3, 2), np.float32)), {}),
    ("ormqr", (np.ones((4, 4), np.float32), np.ones(4, np.float32), np.ones((3, 2), np.float32)),
     {"left": False}),
]


@pytest.mark.parametrize("name,args,kw", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_same_class(name, args, kw):
    with pytest.raises(Exception) as want:
        getattr(jL, name)(*args, **kw)
    with pytest.raises(want.type):
        getattr(nL, name)(*args, **kw)
    with pytest.raises(want.type):
        nablax.jit(lambda *a: getattr(nL, name)(*a, **kw))(*args)
