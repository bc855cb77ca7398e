"""The issue-13 lax primitives against real JAX: incomplete gamma/beta and zeta, top_k and
friends, cumlogsumexp, optimization_barrier, the bit-level operations and the named-axis
collectives; values, dtypes, weak types and derivatives."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.lax  # noqa: E402

import nablax  # noqa: E402
import nablax.lax  # noqa: E402
from tests.compat.same_as_jax import assert_same  # noqa: E402

A = np.array([0.5, 1.0, 2.5, 10.0, 3.0, 0.2, 40.0], np.float32)
X = np.array([0.3, 2.0, 1.0, 12.0, 30.0, 4.0, 38.0], np.float32)


def _both(fn):
    """fn(lax) run on JAX's lax and on nablax's."""
    return fn(jax.lax), fn(nablax.lax)


def test_gamma_family_values():
    # nablax's own numerics (igamma, igammac, betainc, zeta are SciPy's: the rule suite compares those)
    for name in ["igamma_grad_a", "random_gamma_grad"]:
        want, got = _both(lambda lax, name=name: getattr(lax, name)(A, X))
        assert_same(want, got, rtol=2e-4, atol=1e-6, path=name)
    want, got = _both(lambda lax: lax.igamma(2.0, 3.0))
    assert_same(want, got)
    for bad in [lambda lax: lax.igamma(A, 2), lambda lax: lax.igamma(A, np.ones((2, 7), np.float32)),
                lambda lax: lax.zeta(np.arange(3), np.arange(3))]:
        with pytest.raises(TypeError):
            bad(jax.lax)
        with pytest.raises(TypeError):
            bad(nablax.lax)


def test_gamma_derivatives():
    want = jax.vmap(jax.grad(jax.lax.igamma, (0, 1)))(A, X)
    got = nablax.vmap(nablax.grad(nablax.lax.igamma, (0, 1)))(A, X)
    assert_same(want, got, rtol=2e-4, atol=1e-6)
    x = np.linspace(0.1, 0.9, 7).astype(np.float32)
    want = jax.vmap(jax.grad(jax.lax.betainc, 2))(A, A[::-1], x)
    got = nablax.vmap(nablax.grad(nablax.lax.betainc, 2))(A, A[::-1], x)
    assert_same(want, got, rtol=2e-4, atol=1e-6)
    for mod in (jax, nablax):
        with pytest.raises(NotImplementedError):
            mod.grad(mod.lax.zeta)(2.0, 1.0)
        with pytest.raises(NotImplementedError):
            mod.grad(mod.lax.igamma_grad_a)(2.0, 1.0)
        with pytest.raises(ValueError):
            mod.grad(mod.lax.betainc)(2.0, 1.0, 0.5)


TOPK = np.array([[1.0, 3.0, 3.0, np.nan, 2.0, -np.inf, -0.0, 0.0], [5.0, 4.0, 4.0, 4.0, -1.0, 7.0, 0.0, 2.0]],
                np.float32)


def test_top_k():
    for k, axis in [(5, -1), (1, 0)]:
        want, got = _both(lambda lax, k=k, axis=axis: lax.top_k(TOPK, k, axis=axis))
        assert_same(want, got)
    want, got = _both(lambda lax: lax.top_k(np.array([[3, 1, 3, 2], [0, 5, 5, 5]], np.int8), 3))
    assert_same(want, got)


def test_top_k_derivatives_and_vmap():
    x = np.random.default_rng(0).standard_normal((3, 6)).astype(np.float32)
    w = np.arange(6, dtype=np.float32).reshape(3, 2)

    def loss(mod):
        return lambda x: (mod.lax.top_k(x, 2)[0] * w).sum() + (mod.lax.approx_min_k(x, 2)[0] * w).sum()

    assert_same(jax.grad(loss(jax))(x), nablax.grad(loss(nablax))(x))
    want = jax.vmap(lambda r: jax.lax.approx_max_k(r, 3, recall_target=0.9), in_axes=1)(x)
    got = nablax.vmap(lambda r: nablax.lax.approx_max_k(r, 3, recall_target=0.9), in_axes=1)(x)
    assert_same(want, got)
    with pytest.raises(ValueError):
        nablax.lax.top_k(x, 7)
    with pytest.raises(ValueError):
        nablax.lax.approx_max_k(x.astype(np.int32), 2)


def test_cumlogsumexp():
    x = np.array([[0.1, -2.0, 80.0, 3.0], [1e-3, -np.inf, 0.5, 100.0], [2.0, 2.0, -50.0, 1.0]], np.float32)
    for axis, reverse in [(0, False), (1, True)]:
        want, got = _both(lambda lax, axis=axis, reverse=reverse: lax.cumlogsumexp(x, axis=axis, reverse=reverse))
        assert_same(want, got)
    # (derivatives: against finite differences and hard-coded values in tests/test_lax_more.py)


def test_optimization_barrier():
    tree = {"a": np.arange(3.0, dtype=np.float32), "b": (2.0, np.int32(4))}
    want, got = _both(lambda lax: lax.optimization_barrier(tree))
    assert_same(want, got)

    def f(mod):
        return lambda x: mod.lax.optimization_barrier((x, 2 * x))[1].sum()

    x = np.arange(3.0, dtype=np.float32)
    assert_same(jax.grad(f(jax))(x), nablax.grad(f(nablax))(x))
    assert_same(jax.vmap(lambda x: jax.lax.optimization_barrier((x, 2.0)))(x),
                nablax.vmap(lambda x: nablax.lax.optimization_barrier((x, 2.0)))(x))
    assert "optimization_barrier" in str(nablax.make_jaxpr(f(nablax))(x))


def test_bit_operations():
    i32 = np.array([0, 1, -1, 255, 2**30 + 7, -(2**31)], np.int32)
    u8 = np.array([0, 1, 3, 128, 255], np.uint8)
    for fn in [lambda lax: lax.clz(i32), lambda lax: lax.clz(u8), lambda lax: lax.clz(3),
               lambda lax: lax.mulhi(i32, i32[::-1]), lambda lax: lax.mulhi(u8, u8[::-1]),
               lambda lax: lax.mulhi(np.int32(3), 5),
               lambda lax: lax.reduce_xor(i32.reshape(2, 3), (1,)),
               lambda lax: lax.reduce_xor(np.array([[True, False], [True, True]]), (0,)),
               lambda lax: lax.bitcast_convert_type(np.float32(1.0), np.int32),
               lambda lax: lax.bitcast_convert_type(np.ones(3, np.float32), np.uint8),
               lambda lax: lax.bitcast_convert_type(np.arange(6, dtype=np.uint16).reshape(3, 2), np.float32),
               lambda lax: lax.bitcast_convert_type(1.0, np.int32)]:
        want, got = _both(fn)
        assert_same(want, got)


def test_mulhi_64bit(x64):
    rng = np.random.default_rng(2)
    a = rng.integers(-2**63, 2**63 - 1, 200, dtype=np.int64)
    b = rng.integers(-2**63, 2**63 - 1, 200, dtype=np.int64)
    for x, y in [(a, b), (a.view(np.uint64), b.view(np.uint64))]:
        want, got = _both(lambda lax, x=x, y=y: lax.mulhi(x, y))
        assert_same(want, got)


@pytest.mark.parametrize("exponent_bits,mantissa_bits", [(8, 7), (5, 10), (4, 3), (3, 0)])
def test_reduce_precision(exponent_bits, mantissa_bits):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(400) * np.exp(rng.uniform(-30, 30, 400))).astype(np.float32)
    x = np.concatenate([x, np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0 + 2**-8, 1.0 + 3 * 2**-8,
                                     5.36e-5, 65519.0, 65520.0], np.float32)])
    want, got = _both(lambda lax: lax.reduce_precision(x, exponent_bits, mantissa_bits))
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    want, got = _both(lambda lax: lax.reduce_precision(x[:20].astype(np.float16), min(exponent_bits, 5), 2))
    assert_same(want, got)


def _named(mod, fn, x):
    return mod.vmap(fn(mod.lax), axis_name="i")(x)


COLLECTIVES = {
    "psum_scatter": (lambda lax: lambda r: lax.psum_scatter(r, "i"), (4, 4)),
    "psum_scatter_tiled": (lambda lax: lambda r: lax.psum_scatter(r, "i", scatter_dimension=1, tiled=True), (4, 3, 8)),
    "ppermute": (lambda lax: lambda r: lax.ppermute(r, "i", [(0, 1), (1, 2), (2, 3), (3, 0)]), (4, 6)),
    "all_to_all": (lambda lax: lambda r: lax.all_to_all(r, "i", 2, 0), (4, 3, 2, 4)),
    "all_to_all_tiled": (lambda lax: lambda r: lax.all_to_all(r, "i", 0, 2, tiled=True), (4, 8, 3, 2)),
}
BUILT_ON_THEM = {  # (values only: their derivatives are those above)
    "pshuffle": (lambda lax: lambda r: lax.pshuffle(r, "i", [3, 0, 1, 2]), (4, 6)),
    "pswapaxes": (lambda lax: lambda r: lax.pswapaxes(r, "i", 1), (4, 3, 4)),
    "axis_size": (lambda lax: lambda r: r * lax.axis_size("i"), (4, 6)),
}


@pytest.mark.parametrize("name", list(COLLECTIVES) + list(BUILT_ON_THEM))
def test_collectives(name):
    fn, shape = COLLECTIVES.get(name) or BUILT_ON_THEM[name]
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    want = jax.numpy.asarray(_named(jax, fn, x))  # (JAX's vmap of ppermute hands back a NumPy array)
    assert_same(want, _named(nablax, fn, x))
    if name in BUILT_ON_THEM:
        return
    w = np.random.default_rng(4).standard_normal(want.shape).astype(np.float32)
    assert_same(jax.grad(lambda x: (_named(jax, fn, x) * w).sum())(x),
                nablax.grad(lambda x: (_named(nablax, fn, x) * w).sum())(x), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("dn,lshape,rshape,strides,padding,rhs_dilation", [
    (None, (2, 3, 7, 6), (4, 18, 5, 5), (1, 1), "VALID", None),
    (("NHWC", "HWIO", "NHWC"), (2, 7, 6, 3), (4, 6, 18, 4), (2, 1), "SAME", (1, 2)),
])
def test_conv_general_dilated_local(dn, lshape, rshape, strides, padding, rhs_dilation):
    rng = np.random.default_rng(6)
    lhs = rng.standard_normal(lshape).astype(np.float32)
    rhs = rng.standard_normal(rshape).astype(np.float32)
    want, got = _both(lambda lax: lax.conv_general_dilated_local(lhs, rhs, strides, padding, (3, 2),
                                                                 rhs_dilation=rhs_dilation, dimension_numbers=dn))
    assert_same(want, got, rtol=1e-4, atol=1e-4)


def test_rng_bit_generator(x64):
    key = np.array([5, 6, 0xFFFFFFFF, 8], np.uint32)  # the counter carries into its high word
    for shape, dtype, alg in [((10,), np.uint32, 0), ((2, 3), np.uint64, 2), ((5,), np.uint8, 1), ((3,), np.uint16, 0)]:
        want, got = _both(lambda lax, s=shape, d=dtype, a=alg: lax.rng_bit_generator(key, s, d, lax.RandomAlgorithm(a)))
        assert_same(want, got)
