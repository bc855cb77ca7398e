"""bfloat16 reductions and scans under every transformation give what they give eagerly.

jit must agree with eager to the bit (the same NumPy calls run, in the same order); vmap
with a Python loop over the examples; grad under jit with grad run eagerly. Each result
keeps the bfloat16 dtype (argmax/argmin: int32). Values against JAX:
tests/compat/test_bfloat16_vs_jax.py.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.scipy import special

BF16 = np.dtype(ml_dtypes.bfloat16)
X = np.array([[1.5, -2.25, 3.0], [0.1, 7.7, 100.3]]).astype(BF16)


def reductions(m, lax, special) -> dict:
    """name -> function of a 2-d bfloat16 array reducing or scanning its last axis, written
    against a library's numpy, lax and scipy.special (compat tests pass JAX's)."""
    return {
        "sum": lambda x: x.sum(axis=-1),
        "reduce_max": lambda x: lax.reduce_max(x, (x.ndim - 1,)),
        "min": lambda x: m.min(x, axis=-1),
        "argmax": lambda x: m.argmax(x, axis=-1),
        "argmin": lambda x: m.argmin(x, axis=-1),
        "cumsum": lambda x: m.cumsum(x, axis=-1),
        "cumprod": lambda x: m.cumprod(x, axis=-1),
        "cummax": lambda x: lax.cummax(x, axis=x.ndim - 1),
        "mean": lambda x: x.mean(axis=-1),
        "var": lambda x: x.var(axis=-1),
        "std": lambda x: m.std(x, axis=-1),
        "prod": lambda x: x.prod(axis=-1),
        "logsumexp": lambda x: special.logsumexp(x, axis=-1),
    }


REDUCTIONS = reductions(jnp, lax, special)
DIFFERENTIABLE = sorted(set(REDUCTIONS) - {"argmax", "argmin"})


def _same(a, b) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
    np.testing.assert_array_equal(a.astype(np.float32), b.astype(np.float32))


def _expected_dtype(name: str) -> np.dtype:
    return np.dtype(np.int32) if name.startswith("arg") else BF16


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_jit_equals_eager(name):
    f = REDUCTIONS[name]
    x = jnp.asarray(X)
    eager = f(x)
    assert eager.dtype == _expected_dtype(name)
    _same(nablax.jit(f)(x), eager)
    _same(nablax.jit(f)(x[0]), f(x[0]))  # a whole-array reduction of a 1-d operand


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("transform", ["vmap", "jit(vmap)", "vmap(jit)"])
def test_vmap_equals_loop(name, transform):
    f = REDUCTIONS[name]
    batched = {"vmap": nablax.vmap(f), "jit(vmap)": nablax.jit(nablax.vmap(f)),
               "vmap(jit)": nablax.vmap(nablax.jit(f))}[transform]
    xs = jnp.asarray(np.stack([X, X[::-1]]))
    loop = np.stack([np.asarray(f(jnp.asarray(x))) for x in np.asarray(xs)])
    _same(batched(xs), loop)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_grad_under_jit_equals_eager_grad(name):
    f = REDUCTIONS[name]

    def loss(x):
        return f(x).astype(jnp.float32).sum()

    x = jnp.asarray(X)
    eager = nablax.grad(loss)(x)
    assert eager.dtype == BF16 and np.isfinite(np.asarray(eager, np.float32)).all()
    _same(nablax.jit(nablax.grad(loss))(x), eager)
    _same(nablax.grad(nablax.jit(loss))(x), eager)
    per_row = nablax.vmap(nablax.grad(lambda r: loss(r[None])))(x)
    _same(per_row, eager)


def test_whole_array_reductions_under_jit_from_the_issue():
    # The report: bfloat16 reductions worked eagerly and raised under jit.
    ones = jnp.ones(3, jnp.bfloat16)
    out = nablax.jit(lambda x: x.sum())(ones)
    assert out.dtype == BF16 and float(out) == 3.0
    assert float(nablax.jit(lambda x: lax.reduce_max(x, (0,)))(ones * 2)) == 2.0
    assert int(nablax.jit(jnp.argmax)(jnp.asarray(X[1]))) == 2
    assert float(nablax.jit(jnp.mean)(ones)) == 1.0 and float(nablax.jit(jnp.var)(ones)) == 0.0
