"""jax.nn's attention and log-space helpers against NumPy references, and their derivatives;
initializers.orthogonal / delta_orthogonal and random.orthogonal's orthogonality."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import nn, random
from nablax.nn import initializers as init
from nablax.test_util import check_grads

RS = np.random.RandomState(0)
B, T, S, N, K, H = 2, 4, 5, 4, 2, 3
Q = RS.randn(B, T, N, H)
KEY = RS.randn(B, S, K, H)
VAL = RS.randn(B, S, K, H)


def attention_reference(q, k, v, keep=None, bias=None, scale=None):
    """Per-head loops in NumPy: query head n reads key/value head n // (N // K)."""
    out = np.zeros_like(q)
    g = q.shape[2] // k.shape[2]
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    for b in range(q.shape[0]):
        for n in range(q.shape[2]):
            logits = q[b, :, n] @ k[b, :, n // g].T * scale
            if bias is not None:
                logits = logits + bias[0, n]
            if keep is not None:
                logits = np.where(keep[b, 0], logits, -0.7 * np.finfo(np.float32).max)
            p = np.exp(logits - logits.max(-1, keepdims=True))
            out[b, :, n] = (p / p.sum(-1, keepdims=True)) @ v[b, :, n // g]
    return out


# The softmax runs in float32 whatever the input dtype (as JAX's): float32 tolerances.
RTOL = 2e-5


def test_attention_matches_loops_with_grouped_heads_and_bias():
    bias = RS.randn(1, N, T, S)
    got = nn.dot_product_attention(Q, KEY, VAL, bias=bias, scale=0.4)
    np.testing.assert_allclose(got, attention_reference(Q, KEY, VAL, bias=bias, scale=0.4), rtol=RTOL, atol=1e-6)


def test_attention_masks_combine():
    mask = RS.rand(B, 1, T, S) > 0.3
    kv_len = np.array([5, 3], np.int32)
    causal = np.tril(np.ones((T, S), bool))
    keep = mask & causal & (np.arange(S)[None, None, None, :] < kv_len[:, None, None, None])
    got = nn.dot_product_attention(Q, KEY, VAL, mask=mask, is_causal=True, key_value_seq_lengths=kv_len)
    np.testing.assert_allclose(got, attention_reference(Q, KEY, VAL, keep=keep), rtol=RTOL, atol=1e-6)
    # a fully masked row attends uniformly (the large negative is finite), as in JAX
    row = nn.dot_product_attention(Q[:, :1], KEY, VAL, mask=np.zeros((B, 1, 1, S), bool))
    np.testing.assert_allclose(row[:, 0], np.repeat(VAL.mean(1), N // K, axis=1), rtol=RTOL, atol=1e-6)


def test_attention_query_lengths_zero_the_padding_and_residual_shape():
    q_len = np.array([2, 4], np.int32)
    out, lse = nn.dot_product_attention(Q, KEY, VAL, query_seq_lengths=q_len, return_residual=True)
    assert np.all(np.asarray(out)[0, 2:] == 0) and np.any(np.asarray(out)[1, 3] != 0)
    assert lse.shape == (B, T, N)
    unbatched = nn.dot_product_attention(Q[0], KEY[0], VAL[0])
    np.testing.assert_allclose(unbatched, attention_reference(Q[:1], KEY[:1], VAL[:1])[0], rtol=RTOL, atol=1e-6)


def test_attention_gradients_and_jit():
    f = lambda q, k, v: nn.dot_product_attention(q, k, v, is_causal=True, local_window_size=(1, 0))  # noqa: E731
    q, k, v = (a.astype(np.float32) for a in (Q, KEY, VAL))
    check_grads(f, (q, k, v), order=2, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)
    np.testing.assert_allclose(jax.jit(f)(q, k, v), f(q, k, v), rtol=1e-6)


@pytest.mark.parametrize("bad, error", [
    (dict(mask=np.ones((B, 1, T, S))), "mask dtype should be bool"),
    (dict(query_seq_lengths=np.ones(3, np.int32)), "query_seq_lengths shape"),
    (dict(implementation="tpu"), "unsupported implementation"),
])
def test_attention_rejects_bad_arguments(bad, error):
    with pytest.raises(ValueError, match=error):
        nn.dot_product_attention(Q, KEY, VAL, **bad)
    with pytest.raises(ValueError, match="multiple of key/value heads"):
        nn.dot_product_attention(Q[:, :, :3], KEY, VAL)


def test_log_space_helpers():
    x = np.array([1e-8, 0.3, np.log(2.0), 2.0, 30.0])
    # log(1 - e^-x) = log(x) - x/2 + ... near 0, and -e^-x - e^-2x / 2 for large x
    want = [np.log(1e-8) - 0.5e-8, np.log(-np.expm1(-0.3)), np.log(0.5), np.log1p(-np.exp(-2.0)),
            -np.exp(-30.0) - np.exp(-60.0) / 2]
    with jax.config.enable_x64():
        np.testing.assert_allclose(nn.log1mexp(x), want, rtol=1e-12)
        check_grads(nn.log1mexp, (x[1:],), order=2)
    a = RS.randn(3, 4)
    where = a > -0.5
    want = np.log(np.sum(np.exp(a) * where, axis=1) / where.sum(1))
    np.testing.assert_allclose(nn.logmeanexp(a, axis=1, where=where), want, rtol=1e-6)
    np.testing.assert_allclose(nn.sparse_sigmoid(np.array([-3.0, -1.0, 0.2, 1.0, 4.0])), [0, 0, 0.6, 1, 1])


def test_orthogonal_samplers_and_initializers():
    q = random.orthogonal(random.key(3), 5, (2,), m=3)
    assert q.shape == (2, 5, 3) and q.dtype == np.float32
    np.testing.assert_allclose(jnp.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-6)
    w = init.orthogonal(scale=2.0, column_axis=0)(random.key(1), (3, 2, 4))
    flat = np.moveaxis(np.asarray(w), 0, -1).reshape(-1, 3)
    np.testing.assert_allclose(flat.T @ flat, 4 * np.eye(3), atol=1e-5)
    k = init.delta_orthogonal()(random.key(2), (3, 3, 2, 4))
    assert np.count_nonzero(np.asarray(k)[[0, 0, 2], [0, 2, 1]]) == 0
    np.testing.assert_allclose(np.asarray(k)[1, 1] @ np.asarray(k)[1, 1].T, np.eye(2), atol=1e-6)
    with pytest.raises(ValueError, match="3D, 4D or 5D"):
        init.delta_orthogonal()(random.key(2), (2, 4))
    assert isinstance(init.Initializer, type)
