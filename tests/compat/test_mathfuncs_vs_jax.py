"""jnp's gcd/lcm, frexp/ldexp/modf/spacing, i0, nan_to_num, bitwise_count, the complex tests and
the window functions against real JAX: values, dtypes, weak types, shapes and derivatives.
(Subnormals are left out: XLA's CPU backend flushes them, nablax follows NumPy.)"""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

F = np.array([-3.5, -1.0, -0.0, 0.0, 0.3, 1.0, 2.0, 7.25, 1e30, -1e-30, np.inf, -np.inf, np.nan], np.float32)
I = np.array([12, -18, 0, 7, 100, -1], np.int32)


def _both(fn, rtol=2e-6, atol=1e-7):
    assert_same(fn(jjnp), fn(njnp), rtol=rtol, atol=atol)


def test_gcd_lcm():
    for name in ("gcd", "lcm"):
        _both(lambda m, name=name: getattr(m, name)(I, I[::-1]))
        _both(lambda m, name=name: getattr(m, name)(I[:, None], np.int8(4)))
        _both(lambda m, name=name: getattr(m, name)(12, 18))
        _both(lambda m, name=name: getattr(m, name)(np.array([6, 9], np.uint8), np.array([4, 6], np.uint8)))
        with pytest.raises(ValueError):
            getattr(njnp, name)(1.0, 2)
    assert_same(jax.jit(jjnp.gcd)(I, 6), nablax.jit(njnp.gcd)(I, 6), path="jit")
    assert_same(jax.vmap(jjnp.lcm)(I, I[::-1]), nablax.vmap(njnp.lcm)(I, I[::-1]), path="vmap")


def test_float_anatomy():
    _both(lambda m: m.frexp(F))
    _both(lambda m: m.frexp(2.0))
    _both(lambda m: m.frexp(np.arange(5, dtype=np.int32)))
    _both(lambda m: m.ldexp(F, np.array([3, -2, 1, 0, 5, 100, -100, 1, 2, 2, 1, 1, 1], np.int32)))
    _both(lambda m: m.ldexp(1.0, 2))
    _both(lambda m: m.ldexp(np.float32(3), np.array([200, -20, 1], np.int32)))
    _both(lambda m: m.modf(F))
    _both(lambda m: m.modf(np.array([1, -2], np.int32)))
    _both(lambda m: m.spacing(F[:10]))
    _both(lambda m: m.spacing(np.array([1.0, -2.0, 1000.0], np.float16)))
    for bad in (lambda m: m.frexp(1j), lambda m: m.ldexp(1.0, 2.0), lambda m: m.spacing(1j)):
        with pytest.raises(Exception) as je:
            bad(jjnp)
        with pytest.raises(je.type):
            bad(njnp)
    x = np.array([0.3, -2.5, 7.0], np.float32)
    for f in (lambda m: lambda x: m.ldexp(x, 3).sum(), lambda m: lambda x: m.frexp(x)[0].sum(),
              lambda m: lambda x: (m.modf(x)[0] * m.modf(x)[1]).sum()):
        assert_same(jax.grad(f(jjnp))(x), nablax.grad(f(njnp))(x), path="grad")
    with pytest.raises(NotImplementedError):
        nablax.grad(njnp.spacing)(1.0)


def test_i0_nan_to_num_bits_complex_tests():
    x = np.array([-4.0, -0.5, 0.0, 0.25, 3.0], np.float32)
    _both(lambda m: m.i0(x))
    _both(lambda m: m.i0(1.0))
    _both(lambda m: m.i0(np.arange(3, dtype=np.int32)))
    for order in (1, 2):
        jf, nf = jjnp.i0, njnp.i0
        for _ in range(order):
            jf, nf = jax.grad(jf), nablax.grad(nf)
        for v in (0.0, -1.5, 2.0):
            assert_same(jf(v), nf(v), rtol=1e-5, path=f"grad{order}")
    c = np.array([np.nan + 1j, np.inf - 1j * np.inf, 2 + 3j], np.complex64)
    _both(lambda m: m.nan_to_num(F))
    _both(lambda m: m.nan_to_num(F, nan=5, posinf=2.0, neginf=-1))
    _both(lambda m: m.nan_to_num(c))
    _both(lambda m: m.nan_to_num(I))
    _both(lambda m: m.nan_to_num(1.0))
    assert_same(jax.grad(lambda x: jjnp.nan_to_num(x * 2).sum())(F), nablax.grad(lambda x: njnp.nan_to_num(x * 2).sum())(F),
                path="grad")
    _both(lambda m: m.bitwise_count(np.array([-1, 3, 7, -128], np.int8)))
    _both(lambda m: m.bitwise_count(np.array([255, 7], np.uint16)))
    _both(lambda m: m.bitwise_count(True))
    _both(lambda m: m.bitwise_count(5))
    for v in (1.0, np.array([1 + 1j, 2, 3j], np.complex64), np.array([1, 2], np.int32), 2j):
        _both(lambda m, v=v: m.iscomplex(v))
        _both(lambda m, v=v: m.isreal(v))
        assert njnp.iscomplexobj(v) == jjnp.iscomplexobj(v) and njnp.isrealobj(v) == jjnp.isrealobj(v)
    assert njnp.iscomplexobj(None) == jjnp.iscomplexobj(None)
    assert njnp.iscomplexobj(njnp.ones(2, np.complex64)) and njnp.isrealobj([1.0, 2.0])


@pytest.mark.parametrize("name", ["hanning", "hamming", "blackman", "bartlett"])
def test_windows(name):
    for M in (0, 1, 2, 7):
        _both(lambda m, M=M: getattr(m, name)(M))


def test_kaiser_and_x64(x64):
    for M, beta in ((1, 2.0), (6, 3.5), (5, 2)):
        _both(lambda m, M=M, beta=beta: m.kaiser(M, beta), rtol=1e-6)
    _both(lambda m: m.hanning(6))
    _both(lambda m: m.frexp(np.array([3.0, -1e-300, 1e300])))
    assert_same(jax.grad(lambda b: jjnp.kaiser(6, b).sum())(3.0), nablax.grad(lambda b: njnp.kaiser(6, b).sum())(3.0),
                rtol=1e-10, path="grad")
