"""Differential test: lax and jnp misuse raises the same builtin class as JAX, eagerly and under
jit, and out-of-range indexing gives JAX's values and gradients. The tables live in
tests/test_issue9_lax.py (with JAX 0.10.2's classes hard-coded, so that file runs without JAX);
here each row is run with real JAX too, which keeps the hard-coded answers honest."""
from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax import lax as jlax  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from nablax import lax as nlax  # noqa: E402
from tests.test_issue9_lax import JNP_MISUSE, LAX_MISUSE  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")
_BUILTIN = (TypeError, ValueError, IndexError, OverflowError, NotImplementedError)


def _builtin_classes(exc) -> set:
    return {c for c in _BUILTIN if isinstance(exc, c)}


def _run(transform, lax, jnp, fn, args, traced: bool):
    arrays = [jnp.asarray(a) for a in args]

    def f(*a):
        return fn(lax, jnp, *a)

    try:
        (transform(f) if traced else f)(*arrays)
    except Exception as e:  # noqa: BLE001  (the class is what is compared)
        return e
    return None


@pytest.mark.parametrize("traced", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("name,fn,args,expected", LAX_MISUSE + JNP_MISUSE, ids=[c[0] for c in LAX_MISUSE + JNP_MISUSE])
def test_misuse_raises_the_class_jax_raises(name, fn, args, expected, traced):
    j = _run(jax.jit, jlax, jjnp, fn, args, traced)
    n = _run(nablax.jit, nlax, njnp, fn, args, traced)
    want = expected[traced] if isinstance(expected, tuple) else expected
    assert (j is None) == (want is None) and (want is None or isinstance(j, want)), (
        f"the table says {want}, JAX gives {type(j).__name__}: {j}")
    if j is None:
        assert n is None, f"JAX accepts this; nablax raised {type(n).__name__}: {n}"
    else:
        # nablax's AxisError is both a ValueError and an IndexError: it matches either
        assert n is not None and _builtin_classes(j) <= _builtin_classes(n), (
            f"JAX raises {type(j).__name__} ({j}); nablax {type(n).__name__}: {n}")


def _both(f):
    return f(jax, jjnp, jlax), f(nablax, njnp, nlax)


@pytest.mark.parametrize("mode", [None, "clip", "fill", "promise_in_bounds"])
def test_gradient_of_out_of_range_gather_matches_jax(mode):
    def f(jx, jnp, lax):
        x = jnp.array([1.0, 2.0, 3.0])
        idx = jnp.array([-1, 3, -4, 5])

        def loss(x):
            v = x.at[idx].get(mode=mode)
            return jnp.sum(jnp.where(jnp.isnan(v), 0.0, v) * jnp.array([1.0, 2.0, 3.0, 4.0]))

        return [np.asarray(loss(x)), np.asarray(jx.grad(loss)(x)), np.asarray(jx.jit(jx.grad(loss))(x))]

    j, n = _both(f)
    for a, b in zip(j, n):
        np.testing.assert_allclose(b, a, rtol=1e-6)


@pytest.mark.parametrize("mode", [None, "clip", "drop", "promise_in_bounds"])
@pytest.mark.parametrize("op", ["set", "add", "max"])
def test_gradient_of_out_of_range_scatter_matches_jax(mode, op):
    if (op, mode) == ("max", "clip"):
        pytest.skip("JAX's scatter_max JVP counts the winners with a dropping scatter_add even in mode 'clip' "
                    "(so a clamped update both wins and does not); nablax counts them in the scatter's own mode")
    def f(jx, jnp, lax):
        x, u = jnp.array([1.0, 2.0, 3.0]), jnp.array([10.0, 20.0, 30.0, 40.0])
        idx = jnp.array([-1, 3, -4, 5])

        def loss(x, u):
            return jnp.sum(getattr(x.at[idx], op)(u, mode=mode) * jnp.array([1.0, 5.0, 7.0]))

        return [np.asarray(loss(x, u))] + [np.asarray(g) for g in jx.grad(loss, argnums=(0, 1))(x, u)]

    j, n = _both(f)
    for a, b in zip(j, n):
        np.testing.assert_allclose(b, a, rtol=1e-6)


@pytest.mark.parametrize("start", [-12, -2, 0, 8, 9, 20])
def test_dynamic_slice_family_matches_jax(start):
    def f(jx, jnp, lax):
        a = jnp.arange(10)
        x = jnp.arange(12.0).reshape(3, 4)
        return [
            lax.dynamic_slice(a, (start,), (2,)),
            jx.jit(lambda i: lax.dynamic_slice(a, (i,), (2,)))(start),
            lax.dynamic_update_slice(a, jnp.array([-1, -1]), (start,)),
            lax.dynamic_index_in_dim(x, start, axis=1, keepdims=False),
            lax.dynamic_update_index_in_dim(x, jnp.zeros(3), start, 1),
            jx.grad(lambda x: jnp.sum(lax.dynamic_slice_in_dim(x, start, 2, 1) ** 2))(x),
            a[start], x[1, start], jx.grad(lambda x: x[start, 1])(x),
        ]

    j, n = _both(f)
    for a, b in zip(j, n):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a))
