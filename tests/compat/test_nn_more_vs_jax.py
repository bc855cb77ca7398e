"""jax.nn.dot_product_attention, log1mexp, logmeanexp, sparse_sigmoid, random.orthogonal and the
orthogonal initializers against JAX: values, dtypes, shapes and gradients."""
import numpy as np
import pytest

from tests.compat.same_as_jax import assert_same

jax = pytest.importorskip("jax")
import nablax  # noqa: E402

RS = np.random.RandomState(1)
QKV = [RS.randn(2, 4, 4, 3).astype(np.float32), RS.randn(2, 5, 2, 3).astype(np.float32),
       RS.randn(2, 5, 2, 3).astype(np.float32)]
MASK = RS.rand(2, 1, 4, 5) > 0.4
CONFIGS = [dict(), dict(bias=RS.randn(1, 4, 4, 5).astype(np.float32), scale=0.5),
           dict(mask=MASK, is_causal=True), dict(query_seq_lengths=np.array([2, 4], np.int32),
                                                 key_value_seq_lengths=np.array([5, 1], np.int32)),
           dict(local_window_size=1, return_residual=True)]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(c) or "plain")
def test_dot_product_attention(config):
    assert_same(jax.nn.dot_product_attention(*QKV, **config), nablax.nn.dot_product_attention(*QKV, **config))
    if not config.get("return_residual"):
        loss = lambda lib: lambda *a: (lib.nn.dot_product_attention(*a, **config) ** 2).sum()  # noqa: E731
        assert_same(jax.grad(loss(jax), argnums=(0, 1, 2))(*QKV), nablax.grad(loss(nablax), argnums=(0, 1, 2))(*QKV),
                    rtol=1e-4, atol=1e-5)


def test_log_space_helpers():
    x = np.array([1e-3, 0.3, 0.7, 2.0, 9.0], np.float32)
    assert_same(jax.nn.log1mexp(x), nablax.nn.log1mexp(x))
    assert_same(jax.grad(lambda x: jax.nn.log1mexp(x).sum())(x), nablax.grad(lambda x: nablax.nn.log1mexp(x).sum())(x))
    a = RS.randn(3, 4).astype(np.float32)
    for kw in (dict(), dict(axis=1, keepdims=True), dict(axis=0, where=a > 0)):
        assert_same(jax.nn.logmeanexp(a, **kw), nablax.nn.logmeanexp(a, **kw))
    assert_same(jax.nn.sparse_sigmoid(a), nablax.nn.sparse_sigmoid(a))
    assert_same(jax.nn.sparse_sigmoid(2), nablax.nn.sparse_sigmoid(2))


@pytest.mark.parametrize("n, shape, m", [(4, (), None), (5, (2,), 3), (3, (), 5)])
def test_random_orthogonal_bits(n, shape, m):
    assert_same(jax.random.orthogonal(jax.random.key(7), n, shape, m=m),
                nablax.random.orthogonal(nablax.random.key(7), n, shape, m=m), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape", [(3, 4), (5, 2), (2, 3, 4)])
def test_orthogonal_initializers(shape):
    assert_same(jax.nn.initializers.orthogonal(2.0)(jax.random.key(0), shape),
                nablax.nn.initializers.orthogonal(2.0)(nablax.random.key(0), shape), rtol=1e-6, atol=1e-6)
    assert_same(jax.nn.initializers.delta_orthogonal()(jax.random.key(0), (3, 2, 4)),
                nablax.nn.initializers.delta_orthogonal()(nablax.random.key(0), (3, 2, 4)), rtol=1e-6, atol=1e-6)
