"""jnp's polynomial routines against real JAX: values, dtypes, weak types, shapes, gradients,
and roots' strip_zeros behaviour under jit."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

P = np.array([1.0, -3.0, 2.0, 5.0], np.float32)
Q = np.array([2.0, 1.0], np.float32)
PI = np.array([1, 2, 3], np.int32)


def _both(fn, rtol=2e-5, atol=2e-6):
    assert_same(fn(jjnp), fn(njnp), rtol=rtol, atol=atol)


def test_arithmetic_and_calculus():
    _both(lambda m: m.polyadd(P, Q))
    _both(lambda m: m.polyadd(PI, P))
    _both(lambda m: m.polysub(Q, P))
    _both(lambda m: m.polymul(P, Q))
    _both(lambda m: m.polymul(PI, PI))
    _both(lambda m: m.polymul(np.array([0.0, 0.0, 1.0, 2.0]), Q, trim_leading_zeros=True))
    _both(lambda m: m.polydiv(P, Q))
    _both(lambda m: m.polydiv(P, np.array([1.0, 0.0, -1.0]), trim_leading_zeros=True))
    _both(lambda m: m.polyder(P, 2))
    _both(lambda m: m.polyder(PI))
    _both(lambda m: m.polyint(P, 2, k=np.array([1.0, 2.0])))
    _both(lambda m: m.polyint(PI, 3, k=2))
    _both(lambda m: m.polyint(P, 0))


def test_poly_polyval_vander():
    _both(lambda m: m.poly(np.array([1.0, 2.0, 3.0], np.float32)))
    _both(lambda m: m.poly(np.array([1, 2], np.int32)))
    _both(lambda m: m.poly(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)), rtol=1e-5, atol=1e-5)
    _both(lambda m: m.poly(np.zeros(0, np.float32)))
    _both(lambda m: m.polyval(P, np.array([[0.5, 2.0], [-1.0, 3.0]], np.float32)))
    _both(lambda m: m.polyval(PI, 3))
    _both(lambda m: m.polyval(np.stack([P, P * 2], 1), np.float32(1.5)))
    _both(lambda m: m.vander(np.array([1, 2, 3], np.int32)))
    _both(lambda m: m.vander(np.array([1.0, 2.0, 3.0], np.float32), 2, increasing=True))
    def grad(m):
        return (lambda p, x: (m.polyval(p, x) ** 2).sum() + m.poly(p).sum())
    assert_same(jax.grad(grad(jjnp), (0, 1))(P, Q), nablax.grad(grad(njnp), (0, 1))(P, Q), rtol=1e-5, path="grad")


def test_polyfit(x64):
    x = np.linspace(0.0, 1.0, 12)
    y = np.stack([np.sin(3 * x), np.cos(x)], 1)
    w = np.linspace(1.0, 2.0, 12)
    _both(lambda m: m.polyfit(x, y[:, 0], 3), rtol=1e-9, atol=1e-10)
    _both(lambda m: m.polyfit(x, y, 2, w=w), rtol=1e-9, atol=1e-10)
    _both(lambda m: m.polyfit(x, y[:, 0], 3, full=True), rtol=1e-9, atol=1e-10)
    _both(lambda m: m.polyfit(x, y[:, 0], 2, cov=True), rtol=1e-9, atol=1e-10)
    _both(lambda m: m.polyfit(x, y, 2, cov="unscaled"), rtol=1e-9, atol=1e-10)
    def loss(m):
        return (lambda y: (m.polyfit(x, y, 3) ** 2).sum())
    assert_same(jax.grad(loss(jjnp))(y[:, 0]), nablax.grad(loss(njnp))(y[:, 0]), rtol=1e-8, atol=1e-9, path="grad")


def _sorted(r):
    r = np.asarray(r)
    return r[np.lexsort((r.imag, r.real))]


def test_roots():
    for p in (P, np.array([0.0, 0.0, 1.0, -3.0, 2.0], np.float32), np.array([1.0, 0.0, 1.0], np.float32)):
        for strip in (True, False):
            j, n = jjnp.roots(p, strip_zeros=strip), njnp.roots(p, strip_zeros=strip)
            assert n.dtype == j.dtype and n.shape == j.shape
            np.testing.assert_allclose(_sorted(n), _sorted(j), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_sorted(nablax.jit(lambda p: njnp.roots(p, strip_zeros=False))(P)),
                               _sorted(jax.jit(lambda p: jjnp.roots(p, strip_zeros=False))(P)), rtol=1e-5, atol=1e-5)
    _both(lambda m: m.roots(np.array([3.0], np.float32)))
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(jjnp.roots)(P)
    with pytest.raises(nablax.errors.ConcretizationTypeError):
        nablax.jit(njnp.roots)(P)
