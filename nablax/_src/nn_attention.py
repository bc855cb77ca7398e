"""jax.nn's attention and log-space helpers: dot_product_attention, logmeanexp, log1mexp,
sparse_sigmoid.

dot_product_attention is the 'xla' algorithm written on jnp (one einsum for the logits,
the masks folded into one boolean, a float32 softmax, one einsum for the output), so it is
differentiable and batchable like any jnp code. Grouped-query attention (N query heads on
K key/value heads) reshapes the query heads into K groups of N // K.
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from . import numpy as jnp
from .custom_derivatives import custom_jvp
from .nn import softmax
from .primitives.misc import stop_gradient
from .scipy_special import logsumexp


def _as_4d(name: str, t):
    t = jnp.asarray(t)
    if t.ndim > 4:
        raise ValueError(f"nn.dot_product_attention: {name} must have at most 4 dimensions, got shape {t.shape}")
    return jnp.reshape(t, (1,) * (4 - t.ndim) + t.shape)


def _check(t, shape, dtype, name: str) -> None:
    """JAX's argument checks: rank, dtype, and the sizes that are fixed (-1: any)."""
    if t is None:
        return
    if t.ndim != len(shape):
        raise ValueError(f"{name} ndim should be {len(shape)}, but got {t.ndim}")
    if dtype is not None and t.dtype != dtype:
        raise ValueError(f"{name} dtype should be {dtype}, but got {t.dtype}")
    if any(want not in (-1, got) for want, got in zip(shape, t.shape)):
        raise ValueError(f"{name} shape should be {list(shape)}: but got {t.shape}")


def _keep_mask(t_len: int, s_len: int, mask, is_causal: bool, q_len, kv_len, window):
    """The boolean (broadcasting to the (B, K, G, T, S) logits) of those that take part, or None."""
    keep = None

    def both(a, b):
        return b if a is None else jnp.logical_and(a, b)

    if mask is not None:
        keep = both(keep, mask)
    q_pos = jnp.arange(t_len)[:, None]
    k_pos = jnp.arange(s_len)[None, :]
    if is_causal:
        keep = both(keep, q_pos >= k_pos)
    if window is not None:
        left, right = window
        keep = both(keep, jnp.logical_and(q_pos <= k_pos + left, q_pos >= k_pos - right))
    if q_len is not None:  # (B, 1, 1, T, 1): per batch entry, over the K groups and G heads
        keep = both(keep, (jnp.arange(t_len)[None, :] < q_len[:, None])[:, None, None, :, None])
    if kv_len is not None:
        keep = both(keep, (jnp.arange(s_len)[None, :] < kv_len[:, None])[:, None, None, None, :])
    return keep


def _grouped(t, groups: int, heads: int):
    """A (B, N|1, T, S) bias or mask as (B, K, G|1, T, S) for K groups of G query heads."""
    if t is None:
        return None
    b, n, tt, s = t.shape
    if n == 1:
        return t[:, :, None]
    if n != heads:
        raise ValueError(f"nn.dot_product_attention: bias/mask has {n} heads; it must have 1 or {heads}")
    return jnp.reshape(t, (b, heads // groups, groups, tt, s))


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale: float | None = None,
                          is_causal: bool = False, query_seq_lengths=None, key_value_seq_lengths=None,
                          local_window_size: int | tuple[int, int] | None = None,
                          implementation: str | None = None, return_residual: bool = False):
    """softmax(q·kᵀ·scale + bias, masked) · v over (B, T, N, H) queries and (B, S, K, H) keys."""
    if implementation not in (None, "xla"):
        if implementation == "cudnn":
            raise NotImplementedError("nn.dot_product_attention: implementation='cudnn' needs cuDNN on a GPU; "
                                      "use implementation=None or 'xla' (the same numbers)")
        raise ValueError(f"nn.dot_product_attention: unsupported implementation {implementation!r}")
    out_shape = jnp.shape(query)
    q, k, v = _as_4d("query", query), _as_4d("key", key), _as_4d("value", value)
    bias = None if bias is None else _as_4d("bias", bias)
    mask = None if mask is None else _as_4d("mask", mask)
    q_len = None if query_seq_lengths is None else jnp.asarray(query_seq_lengths)
    kv_len = None if key_value_seq_lengths is None else jnp.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)
    b, s, kh, h = k.shape
    _check(v, [b, s, kh, h], k.dtype, "value")
    _check(q, [b, -1, -1, h], k.dtype, "query")
    _check(mask, [-1] * 4, np.dtype(bool), "mask")
    _check(bias, [-1] * 4, None, "bias")
    _check(q_len, [b], np.dtype("int32"), "query_seq_lengths")
    _check(kv_len, [b], np.dtype("int32"), "key_value_seq_lengths")
    t, n = q.shape[1], q.shape[2]
    if n % kh:
        raise ValueError(f"The number of query heads must be a multiple of key/value heads, but got {n} vs {kh}")
    groups = n // kh
    scale = 1.0 / np.sqrt(h) if scale is None else scale

    logit_dtype = dtypes.promote_types(q.dtype, np.float32)
    qg = jnp.reshape(q, (b, t, kh, groups, h))
    logits = jnp.einsum("btkgh,bskh->bkgts", qg, k, preferred_element_type=logit_dtype)
    logits = logits * jnp.array(scale, dtype=logits.dtype)
    if bias is not None:
        logits = (logits + _grouped(bias, groups, n)).astype(logits.dtype)
    keep = _keep_mask(t, s, _grouped(mask, groups, n), is_causal, q_len, kv_len, local_window_size)
    if keep is not None:
        big_negative = min(float(jnp.finfo(logits.dtype).max), float(np.finfo(np.float32).max)) * 0.7
        logits = jnp.where(keep, logits, -big_negative)
    logits32 = logits.astype(np.float32)
    probs = softmax(logits32, axis=-1).astype(k.dtype)
    out = jnp.einsum("bkgts,bskh->btkgh", probs, v)
    out = jnp.reshape(out, (b, t, n, h))
    if q_len is not None:
        out = out * (jnp.arange(t)[None, :] < q_len[:, None])[:, :, None, None].astype(out.dtype)
    out = jnp.reshape(out, out_shape)
    if not return_residual:
        return out
    lse = logsumexp(logits32, axis=-1).astype(k.dtype)  # (B, K, G, T)
    lse = jnp.reshape(jnp.transpose(lse, (0, 3, 1, 2)), (b, t, n))
    return out, stop_gradient(jnp.reshape(lse, out_shape[:-1]))


@custom_jvp
def log1mexp(x):
    """log(1 - exp(-x)) for x >= 0, stably: log(-expm1(-x)) below log 2, log1p(-exp(-x)) above."""
    x = jnp.asarray(x)
    return jnp.where(x < np.log(2.0), jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))


def logmeanexp(x, axis=None, where=None, keepdims: bool = False):
    """log(mean(exp(x))) over `axis` (only the entries where `where` is True), stably."""
    lse = logsumexp(x, axis=axis, where=where, keepdims=keepdims)
    ones = jnp.ones_like(jnp.asarray(x), dtype=lse.dtype)
    count = jnp.sum(ones, axis=axis, where=where, keepdims=keepdims)
    return lse - jnp.log(count)


def sparse_sigmoid(x):
    """0 below -1, (x + 1) / 2 on [-1, 1], 1 above: the derivative of sparse_plus."""
    return 0.5 * jnp.clip(jnp.asarray(x) + 1.0, 0.0, 2.0)


__all__ = ["dot_product_attention", "log1mexp", "logmeanexp", "sparse_sigmoid"]
