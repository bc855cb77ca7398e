"""nablax.scipy.linalg against jax.scipy.linalg: values, dtypes, weak types, shapes, gradients."""
from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
import jax.scipy.linalg as jsl  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
import nablax.scipy.linalg as nsl  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(0)


def both(name, *args, rtol=2e-5, atol=2e-6, jit=True, **kwargs):
    """Call jax.scipy.linalg.<name> and nablax's on the same arguments and compare (eager and jit)."""
    j_out = getattr(jsl, name)(*args, **kwargs)
    n_out = getattr(nsl, name)(*args, **kwargs)
    assert_same(j_out, n_out, rtol=rtol, atol=atol, path=name)
    if jit:
        arrays = [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]

        def f(*arr):
            full = list(args)
            for i, a in zip(arrays, arr):
                full[i] = a
            return getattr(nsl, name)(*full, **kwargs)
        n_jit = nablax.jit(f)(*[args[i] for i in arrays])
        assert_same(j_out, n_jit, rtol=rtol, atol=atol, path=name + " (jit)")
    return j_out, n_out


def rand(*shape, dtype=np.float32):
    x = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


def grads_agree(jf, nf, *args, rtol=2e-4, atol=2e-5, argnums=0):
    """Gradient of a real scalar function of the arguments in both libraries."""
    jg = jax.grad(jf, argnums=argnums)(*args)
    ng = nablax.grad(nf, argnums=argnums)(*args)
    assert_same(jg, ng, rtol=rtol, atol=atol, path="grad")


# Special matrices.

@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.complex64])
def test_toeplitz_hankel(dtype):
    c, r = rand(4, dtype=dtype), rand(3, dtype=dtype)
    both("toeplitz", c)
    both("toeplitz", c, r)
    both("hankel", c)
    both("hankel", c, r)
    both("toeplitz", rand(2, 4, dtype=dtype), rand(3, dtype=dtype))
    both("hankel", rand(2, 1, 4, dtype=dtype), rand(3, 2, dtype=dtype))
    with pytest.raises(TypeError):
        nsl.toeplitz([1, 2, 3])
    both("toeplitz", np.zeros((0,), dtype))


def test_circulant_leslie_fiedler():
    both("circulant", rand(5))
    both("circulant", rand(2, 3, dtype=np.int32))
    both("leslie", rand(4), rand(3))
    both("leslie", rand(2, 4), rand(3))
    both("fiedler", rand(5))
    both("fiedler", rand(3, 4, dtype=np.int32))
    with pytest.raises(ValueError):
        nsl.leslie(rand(4), rand(4))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7])
def test_companions(n):
    a = rand(n + 1)
    both("companion", a) if n >= 1 else None
    both("fiedler_companion", a)
    both("fiedler_companion", rand(2, n + 1))
    both("companion", rand(3, n + 1, dtype=np.complex64))
    both("companion", np.arange(1, n + 2, dtype=np.int32))
    both("fiedler_companion", np.arange(1, n + 2, dtype=np.int32))


def test_fiedler_companion_order0():
    both("fiedler_companion", rand(1), jit=False)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("m,n", [(3, 5), (5, 3), (4, 4), (1, 2)])
def test_convolution_matrix(mode, m, n):
    both("convolution_matrix", rand(m), n, mode)
    both("convolution_matrix", rand(2, m, dtype=np.int32), n, mode)


def test_block_diag():
    both("block_diag", rand(2, 2), rand(1, 3), rand(3))
    both("block_diag", rand(2, 2, dtype=np.int32), rand(1, 3))
    both("block_diag", np.float32(2.0), rand(2, 2))
    both("block_diag", jit=False)
    with pytest.raises(ValueError):
        nsl.block_diag(rand(2, 2, 2))


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_constant_matrices(n, x64_param):
    both("hilbert", n, jit=False)
    both("invhilbert", n, jit=False, rtol=1e-4)
    for kind in (None, "lower", "upper", "symmetric"):
        both("pascal", n, kind, jit=False, rtol=1e-4)
        both("invpascal", n, kind, jit=False, rtol=1e-4, atol=1e-4)
    both("helmert", n, jit=False)
    both("helmert", n, True, jit=False)
    both("dft", n, jit=False, atol=1e-5)
    both("dft", n, "sqrtn", jit=False, atol=1e-5)
    both("dft", n, "n", dtype=np.complex64, jit=False, atol=1e-5)


@pytest.fixture(params=[False, True], ids=["x32", "x64"])
def x64_param(request):
    if request.param:
        jax.config.update("jax_enable_x64", True)
        nablax.config.update("jax_enable_x64", True)
    yield request.param
    jax.config.update("jax_enable_x64", False)
    nablax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("n", [1, 2, 4, 16])
def test_hadamard(n):
    both("hadamard", n, jit=False)
    both("hadamard", n, dtype=np.float32, jit=False)
    with pytest.raises(ValueError):
        nsl.hadamard(3)


def test_special_bad_args():
    for name, args in [("helmert", (0,)), ("pascal", (3, "odd")), ("dft", (3, "x")),
                       ("convolution_matrix", (rand(3), 0)), ("convolution_matrix", (rand(3), 2, "x")),
                       ("hankel", (np.float32(1),)), ("companion", (rand(1),))]:
        with pytest.raises(ValueError):
            getattr(jsl, name)(*args)
        with pytest.raises(ValueError):
            getattr(nsl, name)(*args)


def test_special_grads():
    c, r = rand(4), rand(3)
    w = rand(4, 3)
    grads_agree(lambda c, r: (jsl.toeplitz(c, r) * w).sum(), lambda c, r: (nsl.toeplitz(c, r) * w).sum(),
                c, r, argnums=(0, 1))
    a = rand(5) + 3
    grads_agree(lambda a: jjnp.sum(jsl.fiedler_companion(a) ** 2), lambda a: njnp.sum(nsl.fiedler_companion(a) ** 2), a)
    grads_agree(lambda a: jjnp.sum(jsl.companion(a) ** 2), lambda a: njnp.sum(nsl.companion(a) ** 2), a)
    w = rand(7, 3)
    grads_agree(lambda a: jjnp.sum(jsl.convolution_matrix(a, 3) * w),
                lambda a: njnp.sum(nsl.convolution_matrix(a, 3) * w), a)


# Factorizations, solves and matrix functions.

def needs(*names):
    """Skip until the primitive wrappers `names` exist (they land from other branches)."""
    from nablax._src.primitives import eig, eig_tridiagonal, factorizations, spectral
    have = {n for m in (eig, eig_tridiagonal, factorizations, spectral) for n in dir(m)}
    import nablax.numpy.linalg as nl
    have |= {"jnp." + n for n in dir(nl)}
    missing = [n for n in names if n not in have]
    return pytest.mark.skipif(bool(missing), reason=f"needs {missing}")


def spd(*shape, dtype=np.float32):
    a = rand(*shape, dtype=dtype)
    n = shape[-1]
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def well(*shape, dtype=np.float32):
    """A well-conditioned square matrix: random plus a dominant diagonal."""
    return (rand(*shape, dtype=dtype) + 2 * shape[-1] ** 0.5 * np.eye(shape[-1])).astype(dtype)


DTYPES = [np.float32, np.complex64]


@needs("cholesky", "triangular_solve")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lower", [False, True])
def test_cholesky_cho_solve(dtype, lower):
    a = spd(4, 4, dtype=dtype)
    both("cholesky", a, lower)
    both("cho_factor", a, lower, jit=False)
    c = jsl.cho_factor(a, lower)[0]
    for b in (rand(4, dtype=dtype), rand(4, 2, dtype=dtype)):
        both("cho_solve", (np.asarray(c), lower), b, rtol=1e-4, atol=1e-5, jit=False)
    ab = spd(3, 4, 4, dtype=dtype)
    both("cholesky", ab, lower)
    cb = np.asarray(jsl.cholesky(ab, lower))
    both("cho_solve", (cb, lower), rand(3, 4, 2, dtype=dtype), rtol=1e-4, atol=1e-5, jit=False)
    both("cho_solve", (cb, lower), rand(4, 2, dtype=dtype), rtol=1e-4, atol=1e-5, jit=False)


@needs("cholesky", "triangular_solve")
def test_cho_solve_grad_symmetric_input(x64):
    """Gradients through a matrix built symmetric (x x^T + n I): independent of the triangle read."""
    x, b = rand(4, 4, dtype=np.float64), rand(4, 2, dtype=np.float64)
    for lower in (False, True):
        grads_agree(lambda x, b, lower=lower: jjnp.sum(jsl.cho_solve(jsl.cho_factor(x @ x.T + 4 * jjnp.eye(4), lower), b) ** 2),
                    lambda x, b, lower=lower: njnp.sum(nsl.cho_solve(nsl.cho_factor(x @ x.T + 4 * njnp.eye(4), lower), b) ** 2),
                    x, b, argnums=(0, 1), rtol=1e-8, atol=1e-10)


@pytest.mark.xfail(reason="documented difference (README, Linear algebra): cholesky(symmetrize_input=False) "
                          "differentiates the lower triangle it reads; JAX's uses the whole tangent", strict=True)
@needs("cholesky", "triangular_solve")
def test_cho_solve_grad(x64):
    a, b = spd(4, 4, dtype=np.float64), rand(4, 2, dtype=np.float64)
    for lower in (False, True):
        grads_agree(lambda a, b, lower=lower: jjnp.sum(jsl.cho_solve(jsl.cho_factor(a, lower), b) ** 2),
                    lambda a, b, lower=lower: njnp.sum(nsl.cho_solve(nsl.cho_factor(a, lower), b) ** 2),
                    a, b, argnums=(0, 1), rtol=1e-8, atol=1e-10)


@needs("triangular_solve")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular(dtype, trans, lower):
    a = np.triu(well(4, 4, dtype=dtype)) if not lower else np.tril(well(4, 4, dtype=dtype))
    both("solve_triangular", a, rand(4, dtype=dtype), trans, lower, rtol=1e-4, atol=1e-5)
    both("solve_triangular", a, rand(4, 3, dtype=dtype), trans, lower, True, rtol=1e-4, atol=1e-5)
    both("solve_triangular", np.stack([a, a]), rand(2, 4, 3, dtype=dtype), trans, lower, rtol=1e-4, atol=1e-5)


@needs("triangular_solve")
def test_solve_triangular_grad(x64):
    a, b = np.triu(well(4, 4, dtype=np.float64)), rand(4, 3, dtype=np.float64)
    for trans in (0, 1):
        grads_agree(lambda a, b, trans=trans: jjnp.sum(jsl.solve_triangular(a, b, trans) ** 2),
                    lambda a, b, trans=trans: njnp.sum(nsl.solve_triangular(a, b, trans) ** 2),
                    a, b, argnums=(0, 1), rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError):
        nsl.solve_triangular(a, b, trans=3)


@needs("lu", "lu_pivots_to_permutation", "triangular_solve")
@pytest.mark.parametrize("dtype", DTYPES)
def test_lu(dtype):
    a = rand(4, 4, dtype=dtype)
    both("lu_factor", a)
    both("lu", a)
    both("lu", a, True)
    both("lu", rand(3, 5, dtype=dtype))
    both("lu", rand(5, 3, dtype=dtype), True)
    p, low, up = nsl.lu(rand(2, 4, 4, dtype=dtype))  # JAX: 2-D only; nablax batches
    assert p.shape == low.shape == up.shape == (2, 4, 4)
    a = well(4, 4, dtype=dtype)
    fac = tuple(np.asarray(x) for x in jsl.lu_factor(a))
    for trans in (0, 1, 2):
        both("lu_solve", fac, rand(4, dtype=dtype), trans, rtol=1e-4, atol=1e-5, jit=False)
        both("lu_solve", fac, rand(4, 2, dtype=dtype), trans, rtol=1e-4, atol=1e-5, jit=False)
    ab = well(3, 4, 4, dtype=dtype)
    facb = tuple(np.asarray(x) for x in jsl.lu_factor(ab))
    both("lu_solve", facb, rand(3, 4, 2, dtype=dtype), rtol=1e-4, atol=1e-5, jit=False)


@needs("lu", "lu_pivots_to_permutation", "triangular_solve")
def test_lu_solve_grad(x64):
    a, b = well(4, 4, dtype=np.float64), rand(4, 2, dtype=np.float64)
    for trans in (0, 1):
        grads_agree(lambda a, b, trans=trans: jjnp.sum(jsl.lu_solve(jsl.lu_factor(a), b, trans) ** 2),
                    lambda a, b, trans=trans: njnp.sum(nsl.lu_solve(nsl.lu_factor(a), b, trans) ** 2),
                    a, b, argnums=(0, 1), rtol=1e-8, atol=1e-10)


@needs("jnp.solve", "jnp.inv", "jnp.det", "cholesky", "triangular_solve")
@pytest.mark.parametrize("dtype", DTYPES)
def test_solve_inv_det(dtype):
    a = well(4, 4, dtype=dtype)
    both("inv", a, rtol=1e-4, atol=1e-5)
    both("det", a, rtol=1e-4)
    both("det", well(2, 3, 3, dtype=dtype), rtol=1e-4)
    for assume_a in ("gen", "sym", "her"):
        both("solve", a, rand(4, dtype=dtype), assume_a=assume_a, rtol=1e-4, atol=1e-5)
    p = spd(4, 4, dtype=dtype)
    for lower in (False, True):
        both("solve", p, rand(4, 2, dtype=dtype), lower, assume_a="pos", rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError):
        nsl.solve(a, rand(4), assume_a="tri")


@needs("jnp.solve", "jnp.det")
def test_solve_det_grad(x64):
    a, b = well(4, 4, dtype=np.float64), rand(4, 2, dtype=np.float64)
    grads_agree(lambda a, b: jjnp.sum(jsl.solve(a, b) ** 2), lambda a, b: njnp.sum(nsl.solve(a, b) ** 2),
                a, b, argnums=(0, 1), rtol=1e-8, atol=1e-10)
    grads_agree(jsl.det, nsl.det, a, rtol=1e-8, atol=1e-10)


@needs("jnp.solve")
@pytest.mark.parametrize("scale", [0.01, 0.3, 1.0, 3.0, 40.0])
def test_expm(scale, x64_param):
    for dtype in ([np.float32, np.complex64] + ([np.float64] if x64_param else [])):
        a = (scale * rand(4, 4, dtype=dtype) / 4).astype(dtype)
        # float32 entries carry absolute errors of about eps * |expm(a)|, so near-zero entries beside large
        # ones differ from JAX's by more than a fixed atol; the tolerance grows with the scale. The relative
        # error grows with the norm too (each of the ~log2(norm) squarings doubles it): 1.5e-4 was seen for
        # 2 * a at scale 40 (entries near 1e18) in one CI run.
        tol = dict(rtol=1e-4 * max(1.0, scale / 10), atol=1e-5 * max(1.0, scale)) \
            if np.dtype(dtype) in (np.float32, np.complex64) else {}
        both("expm", a, **tol)
        both("expm", np.stack([a, 2 * a]), **tol)


@needs("triangular_solve")
@pytest.mark.parametrize("scale", [0.01, 0.3, 1.0, 3.0, 40.0])
def test_expm_upper_triangular(scale, x64_param):
    for dtype in ([np.float32, np.complex64] + ([np.float64] if x64_param else [])):
        a = np.triu(scale * rand(4, 4, dtype=dtype) / 4).astype(dtype)
        tol = dict(rtol=1e-4, atol=1e-5 * max(1.0, scale)) if np.dtype(dtype) in (np.float32, np.complex64) else {}
        both("expm", a, upper_triangular=True, **tol)
        both("expm", np.stack([a, 2 * a]), upper_triangular=True, **tol)
    a = np.triu(rand(4, 4, dtype=np.float32))
    w = rand(4, 4)
    grads_agree(lambda a: jjnp.sum(jsl.expm(a, upper_triangular=True) * w),
                lambda a: njnp.sum(nsl.expm(a, upper_triangular=True) * w), a)


@needs("jnp.solve")
def test_expm_grad_and_frechet(x64):
    a, e = 0.8 * rand(3, 3, dtype=np.float64), rand(3, 3, dtype=np.float64)
    w = rand(3, 3, dtype=np.float64)
    grads_agree(lambda a: jjnp.sum(jsl.expm(a) * w), lambda a: njnp.sum(nsl.expm(a) * w), a,
                rtol=1e-8, atol=1e-10)
    both("expm_frechet", a, e, rtol=1e-8, atol=1e-10)
    both("expm_frechet", a, e, compute_expm=False, rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError):
        nsl.expm_frechet(a, e[:2, :2])


@needs("schur", "eig")
@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_schur_rsf2csf_funm_sqrtm(dtype):
    a = rand(5, 5, dtype=dtype)
    t, z = jsl.schur(a)
    nt, nz = nsl.schur(a)
    np.testing.assert_allclose(np.asarray(nz) @ np.asarray(nt) @ np.conj(np.asarray(nz)).T, a, atol=1e-4)
    assert nt.dtype == t.dtype and nz.dtype == z.dtype
    both("schur", a, "complex", rtol=1e-3, atol=1e-4)
    if dtype == np.float32:
        t, z = (np.asarray(x) for x in jsl.schur(a))
        both("rsf2csf", t, z, rtol=1e-3, atol=1e-4)
        both("rsf2csf", np.stack([t, t]), np.stack([z, z]), rtol=1e-3, atol=1e-4)
    for jf, nf in ((jjnp.exp, njnp.exp), (jjnp.sin, njnp.sin), (lambda x: x * x, lambda x: x * x)):
        assert_same(jsl.funm(a, jf), nsl.funm(a, nf), rtol=1e-3, atol=1e-4, path="funm")
        assert_same(jsl.funm(a, jf, disp=False), nsl.funm(a, nf, disp=False), rtol=1e-3, atol=1e-4)
    s = spd(4, 4, dtype=dtype)
    both("sqrtm", s, rtol=1e-3, atol=1e-4)


@needs("hessenberg", "householder_product")
@pytest.mark.parametrize("dtype", DTYPES)
def test_hessenberg(dtype):
    a = rand(5, 5, dtype=dtype)
    both("hessenberg", a, rtol=1e-4, atol=1e-5)
    both("hessenberg", a, calc_q=True, rtol=1e-4, atol=1e-5)
    both("hessenberg", rand(2, 4, 4, dtype=dtype), calc_q=True, rtol=1e-4, atol=1e-5)


@needs("eigh_tridiagonal")
def test_eigh_tridiagonal():
    d, e = rand(5), rand(4)
    both("eigh_tridiagonal", d, e, eigvals_only=True, rtol=1e-4, atol=1e-5)
    both("eigh_tridiagonal", d, e, eigvals_only=True, select="i", select_range=(1, 3), rtol=1e-4, atol=1e-5)
    with pytest.raises(NotImplementedError):
        nsl.eigh_tridiagonal(d, e, eigvals_only=True, select="v", select_range=(0.0, 1.0))


@needs("qr", "eigh", "svd")
@pytest.mark.parametrize("dtype", DTYPES)
def test_qr_eigh_svd(dtype):
    a = rand(5, 3, dtype=dtype)
    for mode in ("full", "economic", "r"):
        both("qr", a, mode=mode, rtol=1e-4, atol=1e-5)
    both("qr", rand(2, 3, 4, dtype=dtype), mode="economic", rtol=1e-4, atol=1e-5)
    both("svd", a, compute_uv=False, rtol=1e-4, atol=1e-5)
    s = spd(4, 4, dtype=dtype)
    both("eigh", s, eigvals_only=True, rtol=1e-4, atol=1e-4)
    w, v = nsl.eigh(s)
    np.testing.assert_allclose((np.asarray(v) * np.asarray(w)[None]) @ np.conj(np.asarray(v)).T, s, rtol=1e-4, atol=1e-4)
    u, sv, vh = nsl.svd(a, full_matrices=False)
    np.testing.assert_allclose((np.asarray(u) * np.asarray(sv)) @ np.asarray(vh), a, rtol=1e-4, atol=1e-4)
    with pytest.raises(NotImplementedError):
        nsl.eigh(s, s)


@needs("qr")
@pytest.mark.parametrize("mode", ["left", "right"])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_qr_multiply(mode, shape):
    a = rand(*shape)
    m, n = shape
    k = min(m, n)
    c = rand(k, 2) if mode == "left" else rand(2, m)
    both("qr_multiply", a, c, mode, rtol=1e-4, atol=1e-5)
    both("qr_multiply", a, c[:, 0] if mode == "left" else c[0], mode, rtol=1e-4, atol=1e-5)


def _polar_case(method):
    both("polar", well(4, 4), method=method, rtol=1e-3, atol=1e-4)
    both("polar", rand(5, 3), method=method, rtol=1e-3, atol=1e-4)
    both("polar", rand(3, 5), "left", method=method, rtol=1e-3, atol=1e-4)
    both("polar", rand(2, 4, 3), method=method, rtol=1e-3, atol=1e-4)


@needs("svd")
def test_polar_svd():
    _polar_case("svd")
    both("polar", rand(5, 3), "left", method="svd", rtol=1e-3, atol=1e-4)


@needs("svd")
def test_polar_qdwh():
    _polar_case("qdwh")
    with pytest.raises(NotImplementedError):
        nsl.polar(rand(3, 5))


def _sylvester_case(method):
    a, b, c = well(3, 3, dtype=np.float64), well(2, 2, dtype=np.float64), rand(3, 2, dtype=np.float64)
    both("solve_sylvester", a, b, c, method=method, rtol=1e-8, atol=1e-10)
    both("solve_sylvester", np.stack([a, a]), b, np.stack([c, 2 * c]), method=method, rtol=1e-8, atol=1e-10)
    cc = rand(3, 2, dtype=np.complex128)
    both("solve_sylvester", a.astype(np.complex128), b, cc, method=method, rtol=1e-8, atol=1e-10)
    singular = np.diag([1.0, 2.0, 3.0])
    both("solve_sylvester", singular, -np.diag([1.0, 5.0]), c, method=method, jit=False)


@needs("schur", "eig", "triangular_solve")
def test_solve_sylvester_schur(x64):
    _sylvester_case("schur")
    with pytest.raises(ValueError):
        nsl.solve_sylvester(np.eye(3), np.eye(2), np.ones((2, 3)))


@needs("eig", "jnp.eig", "jnp.solve", "jnp.inv")
def test_solve_sylvester_eigen(x64):
    _sylvester_case("eigen")


BAD = [
    ("cholesky", (np.ones((2, 3), np.float32),)),
    ("solve_triangular", (np.eye(3, dtype=np.float32), np.ones(2, np.float32))),
    ("cho_solve", ((np.eye(3, dtype=np.float32), False), np.ones(2, np.float32))),
    ("lu_solve", ((np.eye(3, dtype=np.float32), np.arange(3, dtype=np.int32)), np.ones(2, np.float32))),
    ("solve", (np.eye(3, dtype=np.float32), np.ones(2, np.float32))),
    ("expm", (np.ones((2, 3), np.float32),)),
    ("inv", (np.ones((2, 3), np.float32),)),
    ("det", (np.ones((2, 3), np.float32),)),
    ("qr", (np.ones(3, np.float32),)),
    ("svd", (np.ones(3, np.float32),)),
    ("eigh", (np.ones((2, 3), np.float32),)),
    ("schur", (np.ones((2, 3), np.float32),)),
    ("hessenberg", (np.ones((2, 3), np.float32),)),
    ("sqrtm", (np.ones((2, 3), np.float32),)),
    ("polar", (np.ones(3, np.float32),)),
    ("rsf2csf", (np.ones((2, 3), np.float32), np.eye(3, dtype=np.float32))),
]


@pytest.mark.parametrize("name,args", BAD, ids=[b[0] for b in BAD])
def test_bad_input_same_error_class(name, args):
    """Bad shapes: JAX's error class, eagerly and under jit."""
    with pytest.raises(Exception) as j_err:
        getattr(jsl, name)(*args)
    with pytest.raises(j_err.type):
        getattr(nsl, name)(*args)
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    rest = [a for a in args if not isinstance(a, np.ndarray)]
    if not rest:
        with pytest.raises(j_err.type):
            nablax.jit(getattr(nsl, name))(*arrays)


def test_integer_inputs_promote():
    a = np.array([[2, 1], [1, 2]], np.int32)
    for name, args in [("cholesky", (a,)), ("expm", (a,)), ("lu_factor", (a,)), ("inv", (a,)), ("det", (a,)),
                       ("solve", (a, np.ones(2, np.int32))), ("solve_triangular", (a, np.ones(2, np.int32)))]:
        both(name, *args, rtol=1e-5, atol=1e-6)
