"""scipy.sparse.linalg (cg, bicgstab, gmres) against JAX: values, dtypes, weak types,
shapes, the info output, gradients, pytrees, preconditioners, x0, jit, vmap and errors."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
import jax.scipy.sparse.linalg as jsl  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
import nablax.scipy.sparse.linalg as nsl  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(0)
N = 8
_Q = RNG.standard_normal((N, N))
SPD = _Q @ _Q.T + N * np.eye(N)
GEN = RNG.standard_normal((N, N)) + 4.0 * np.eye(N)
HPD = SPD + 1j * (lambda a: a - a.T)(RNG.standard_normal((N, N)))
GEN_C = GEN + 0.5j * RNG.standard_normal((N, N))
B = RNG.standard_normal(N)
B_C = B + 1j * RNG.standard_normal(N)

SOLVERS = {
    "cg": ("cg", {}),
    "bicgstab": ("bicgstab", {}),
    "gmres": ("gmres", {}),
    "gmres-incremental": ("gmres", {"solve_method": "incremental"}),
    "gmres-restart3": ("gmres", {"restart": 3}),
}


def _pair(key):
    name, kw = SOLVERS[key]
    return (lambda *a, **k: getattr(jsl, name)(*a, **kw, **k)), (lambda *a, **k: getattr(nsl, name)(*a, **kw, **k))


def _matrix(key, complex_=False):
    if key == "cg":
        return HPD if complex_ else SPD
    return GEN_C if complex_ else GEN


@pytest.mark.parametrize("key", list(SOLVERS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_values_and_types(key, dtype, x64):
    jf, nf = _pair(key)
    c = np.dtype(dtype).kind == "c"
    a = _matrix(key, c).astype(dtype)
    b = (B_C if c else B).astype(dtype)
    rtol = 1e-4 if np.dtype(dtype).itemsize <= 8 else 1e-10
    assert_same(jf(a, b, tol=1e-10), nf(a, b, tol=1e-10), rtol=rtol, atol=rtol)
    # a matrix-free operator and a preconditioner (Jacobi), and an initial guess
    d = np.diag(a)
    kw = dict(tol=1e-10, M=lambda x: x / d.astype(dtype), x0=b)
    assert_same(jf(lambda x: a @ x, b, **kw), nf(lambda x: a @ x, b, **kw), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_float32_default_mode_and_jit(key):
    jf, nf = _pair(key)
    a, b = GEN.astype(np.float32) if key != "cg" else SPD.astype(np.float32), B.astype(np.float32)
    assert_same(jf(a, b), nf(a, b), rtol=1e-4, atol=1e-5)
    assert_same(jax.jit(jf)(a, b), nablax.jit(nf)(a, b), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_pytree_rhs(key, x64):
    jf, nf = _pair(key)
    a = _matrix(key)
    b = {"u": B[:5], "v": B[5:].reshape(3, 1)}

    def op(lib):
        def mv(x):
            flat = lib.concatenate([x["u"], x["v"].reshape(-1)])
            y = lib.asarray(a) @ flat
            return {"u": y[:5], "v": y[5:].reshape(3, 1)}
        return mv

    assert_same(jf(op(jjnp), b, tol=1e-10), nf(op(njnp), b, tol=1e-10), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_gradients(key, x64):
    jf, nf = _pair(key)
    a = _matrix(key)

    def loss(lib, f):
        def fn(a, b):
            if key == "cg":
                a = (a + a.T) / 2
            x = f(lambda v: a @ v, b, tol=1e-12)[0]
            return lib.sum(lib.sin(x))
        return fn

    jg = jax.grad(loss(jjnp, jf), argnums=(0, 1))(a, B)
    ng = nablax.grad(loss(njnp, nf), argnums=(0, 1))(a, B)
    assert_same(jg, ng, rtol=1e-8, atol=1e-10)
    ng_jit = nablax.jit(nablax.grad(loss(njnp, nf), argnums=(0, 1)))(a, B)
    assert_same(jg, ng_jit, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_vmap(key, x64):
    jf, nf = _pair(key)
    a = _matrix(key)
    As = np.stack([a, a + np.eye(N), a + 2 * np.eye(N)])
    Bs = RNG.standard_normal((3, N))
    for axes in [(0, 0), (None, 0), (0, None)]:
        args = (As if axes[0] == 0 else a, Bs if axes[1] == 0 else B)
        assert_same(jax.vmap(lambda A, b: jf(A, b, tol=1e-10), axes)(*args),
                    nablax.vmap(lambda A, b: nf(A, b, tol=1e-10), axes)(*args), rtol=1e-9, atol=1e-10)


def _raises_alike(jcall, ncall):
    with pytest.raises(Exception) as je:
        jcall()
    with pytest.raises(type(je.value)):
        ncall()


@pytest.mark.parametrize("key", list(SOLVERS))
def test_errors(key):
    jf, nf = _pair(key)
    b = B.astype(np.float32)
    _raises_alike(lambda: jf(np.ones((3, 4), np.float32), b), lambda: nf(np.ones((3, 4), np.float32), b))
    _raises_alike(lambda: jf(GEN.astype(np.float32), b, x0=b[:3]), lambda: nf(GEN.astype(np.float32), b, x0=b[:3]))
    _raises_alike(lambda: jf(GEN.astype(np.float32), b, x0=(b,)), lambda: nf(GEN.astype(np.float32), b, x0=(b,)))
    _raises_alike(lambda: jf("A", b), lambda: nf("A", b))
    _raises_alike(lambda: jf(lambda x: x[:3], b), lambda: nf(lambda x: x[:3], b))


def test_gmres_bad_solve_method():
    _raises_alike(lambda: jsl.gmres(GEN, B, solve_method="qr"), lambda: nsl.gmres(GEN, B, solve_method="qr"))


def test_gmres_info_nan(x64):
    a = GEN.copy()
    a[0, 0] = np.nan
    assert_same(jsl.gmres(a, B, maxiter=2)[1], nsl.gmres(a, B, maxiter=2)[1])
