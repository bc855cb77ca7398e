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
