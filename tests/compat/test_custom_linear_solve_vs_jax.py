"""lax.custom_linear_solve against JAX: values, types, forward and reverse derivatives in b
and in the operator's closed-over values, second order, vmap, jit, has_aux and errors."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(1)
A = np.diag([4.0, 5.0, 6.0, 7.0]) + 0.3 * RNG.standard_normal((4, 4))
B = RNG.standard_normal(4)


def _program(lib, symmetric=False, has_aux=False):
    """x = A⁻¹ b, solved by 60 Jacobi sweeps in a fori_loop (on JAX's or nablax's lax)."""
    lax = lib.lax

    def jacobi(d):
        def solve(mv, b):
            x = lax.fori_loop(0, 60, lambda _, x: x + (b - mv(x)) / d, lib.numpy.zeros_like(b))
            return (x, {"resid": lib.numpy.sum(lib.numpy.abs(b - mv(x)))}) if has_aux else x
        return solve

    def f(a, b):
        if symmetric:
            a = a + a.T
        d = lib.numpy.diagonal(a)
        ts = None if symmetric else jacobi(d)
        return lax.custom_linear_solve(lambda x: a @ x, b, jacobi(d), transpose_solve=ts, symmetric=symmetric,
                                       has_aux=has_aux)
    return f


def _both(**kw):
    return _program(jax, **kw), _program(nablax, **kw)


@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values(symmetric, dtype, x64):
    jf, nf = _both(symmetric=symmetric)
    a, b = A.astype(dtype), B.astype(dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_same(jf(a, b), nf(a, b), rtol=tol, atol=tol)
    assert_same(jax.jit(jf)(a, b), nablax.jit(nf)(a, b), rtol=tol, atol=tol)


def test_weak_scalar_rhs():
    j = jax.lax.custom_linear_solve(lambda x: 2.0 * x, 3.0, lambda mv, b: b / 2.0)
    n = nablax.lax.custom_linear_solve(lambda x: 2.0 * x, 3.0, lambda mv, b: b / 2.0)
    assert_same(j, n)


@pytest.mark.parametrize("symmetric", [False, True])
def test_derivatives(symmetric, x64):
    jf, nf = _both(symmetric=symmetric)

    def loss(lib, f):
        return lambda a, b: lib.numpy.sum(lib.numpy.tanh(f(a, b)))

    assert_same(jax.grad(loss(jax, jf), (0, 1))(A, B), nablax.grad(loss(nablax, nf), (0, 1))(A, B), rtol=1e-10)
    t = (RNG.standard_normal((4, 4)), RNG.standard_normal(4))
    assert_same(jax.jvp(jf, (A, B), t), nablax.jvp(nf, (A, B), t), rtol=1e-10)
    # second order: the Hessian in b and a mixed second derivative in the operator
    assert_same(jax.hessian(loss(jax, jf), 1)(A, B), nablax.hessian(loss(nablax, nf), 1)(A, B), rtol=1e-9)
    assert_same(jax.jacfwd(jax.grad(loss(jax, jf), 0), 1)(A, B),
                nablax.jacfwd(nablax.grad(loss(nablax, nf), 0), 1)(A, B), rtol=1e-9, atol=1e-12)


def test_vmap(x64):
    jf, nf = _both()
    As = np.stack([A, A + np.eye(4), A.T])
    Bs = RNG.standard_normal((3, 4))
    for axes in [(0, 0), (None, 0), (0, None)]:
        args = (As if axes[0] == 0 else A, Bs if axes[1] == 0 else B)
        assert_same(jax.vmap(jf, axes)(*args), nablax.vmap(nf, axes)(*args), rtol=1e-10)


def test_has_aux(x64):
    jf, nf = _both(has_aux=True)
    assert_same(jf(A, B), nf(A, B), rtol=1e-12, atol=1e-12)
    assert_same(jax.grad(lambda b: jjnp.sum(jf(A, b)[0]))(B), nablax.grad(lambda b: njnp.sum(nf(A, b)[0]))(B),
                rtol=1e-10)


BAD = {
    "matvec-shape": lambda lib: lib.lax.custom_linear_solve(lambda x: x[:2], lib.numpy.ones(3), lambda mv, b: b),
    "matvec-tree": lambda lib: lib.lax.custom_linear_solve(lambda x: (x[0],), [lib.numpy.ones(3)], lambda mv, b: b),
    "solve-shape": lambda lib: lib.lax.custom_linear_solve(lambda x: x, lib.numpy.ones(3), lambda mv, b: b[:2]),
    "solve-tree": lambda lib: lib.lax.custom_linear_solve(lambda x: x, lib.numpy.ones(3), lambda mv, b: [b]),
    "aux-missing": lambda lib: lib.lax.custom_linear_solve(lambda x: x, lib.numpy.ones(3), lambda mv, b: (b, b, b),
                                                           has_aux=True),
    "transpose-solve-shape": lambda lib: lib.lax.custom_linear_solve(
        lambda x: x, lib.numpy.ones(3), lambda mv, b: b, transpose_solve=lambda vm, b: b[1:]),
}


@pytest.mark.parametrize("name", list(BAD))
@pytest.mark.parametrize("jit", [False, True])
def test_errors(name, jit):
    def call(lib):
        fn = BAD[name]
        return (lib.jit(lambda: fn(lib)) if jit else lambda: fn(lib))()
    with pytest.raises(Exception) as je:
        call(jax)
    with pytest.raises(type(je.value)):
        call(nablax)


def test_reverse_mode_needs_transpose_solve():
    def f(lib):
        return lambda b: lib.numpy.sum(lib.lax.custom_linear_solve(lambda x: 2.0 * x, b, lambda mv, r: r / 2.0))
    with pytest.raises(Exception) as je:
        jax.grad(f(jax))(np.ones(3, np.float32))
    with pytest.raises(type(je.value)):
        nablax.grad(f(nablax))(np.ones(3, np.float32))
