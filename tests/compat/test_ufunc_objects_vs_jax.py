"""jnp's ufunc objects (add, multiply, maximum, logical_and, logaddexp, ...) against real JAX:
reduce/accumulate/at/outer/reduceat values, dtypes and weak types, errors, and gradients."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

I8 = np.arange(1, 7, dtype=np.int8).reshape(2, 3)
F = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.5]], np.float32)
B = np.array([[True, False, True], [True, True, False]])
NAMES = ["add", "multiply", "subtract", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor",
         "logical_and", "logical_or", "logical_xor", "logaddexp", "logaddexp2"]


def _inputs(name):
    if name.startswith("bitwise"):
        return [I8, B]
    if name.startswith("logical"):
        return [B, F]
    if name.startswith("logaddexp"):
        return [F]
    return [I8, F] if name == "subtract" else [I8, F, B]  # (JAX's subtract rejects bools)


def test_the_same_names_are_ufuncs():
    ours = sorted(n for n in njnp.__all__ if isinstance(getattr(njnp, n), njnp.ufunc))
    assert ours == sorted(n for n in dir(jjnp) if isinstance(getattr(jjnp, n), jjnp.ufunc))
    for name in ours:
        j, n = getattr(jjnp, name), getattr(njnp, name)
        assert (repr(n), n.nin, n.nout, n.nargs) == (repr(j), j.nin, j.nout, j.nargs)
        assert n.identity == j.identity or (np.isnan(n.identity) and np.isnan(j.identity))


@pytest.mark.parametrize("name", NAMES)
def test_reduce_and_accumulate(name):
    for x in _inputs(name):
        j, n = getattr(jjnp, name), getattr(njnp, name)
        for kw in [{}, {"axis": 1}, {"axis": None}, {"axis": 1, "keepdims": True}, {"axis": (0, 1)}]:
            if name == "subtract" and (kw.get("axis") is None or isinstance(kw.get("axis"), tuple)):
                continue  # (JAX's generic loop takes one axis)
            assert_same(j.reduce(x, **kw), n.reduce(x, **kw), path=f"{name}.reduce{kw} {x.dtype}")
        if name not in ("logical_xor",):
            assert_same(j.accumulate(x, axis=1), n.accumulate(x, axis=1), path=f"{name}.accumulate {x.dtype}")
        assert_same(jax.jit(lambda a, j=j: j.reduce(a, axis=0))(x), nablax.jit(lambda a, n=n: n.reduce(a, axis=0))(x))


def test_where_initial_and_errors():
    mask = F > 0
    for name, initial in [("add", 0.5), ("minimum", 10.0), ("maximum", -10.0), ("logaddexp", 1.0)]:
        j, n = getattr(jjnp, name), getattr(njnp, name)
        assert_same(j.reduce(F, axis=1, where=mask, initial=initial), n.reduce(F, axis=1, where=mask, initial=initial))
        assert_same(j.reduce(F, axis=1, initial=initial), n.reduce(F, axis=1, initial=initial), path=name)
    assert_same(jjnp.bitwise_xor.reduce(I8, axis=1, initial=np.int8(1)),
                njnp.bitwise_xor.reduce(I8, axis=1, initial=np.int8(1)))
    for call in [lambda m: m.maximum.reduce(F, where=mask), lambda m: m.maximum.reduce(np.zeros((0, 3), np.float32)),
                 lambda m: m.negative.reduce(F), lambda m: m.negative.outer(F, F),
                 lambda m: m.add.reduce(F, where=F), lambda m: m.add.at(F, 0, 1.0)]:
        with pytest.raises(Exception) as expected:
            call(jjnp)
        with pytest.raises(type(expected.value)):
            call(njnp)


def test_at_outer_reduceat():
    idx = (np.array([0, 0, 1]), np.array([1, 1, 2]))
    for name in ["add", "multiply", "subtract", "maximum", "logaddexp"]:
        j, n = getattr(jjnp, name), getattr(njnp, name)
        assert_same(j.at(F, idx, 2.0, inplace=False), n.at(F, idx, 2.0, inplace=False), path=f"{name}.at")
        assert_same(j.outer(np.arange(3.0), F[0]), n.outer(np.arange(3.0), F[0]), path=f"{name}.outer")
    assert_same(jjnp.add.reduceat(np.arange(8), np.array([0, 4, 1, 5])),
                njnp.add.reduceat(np.arange(8), np.array([0, 4, 1, 5])))
    assert_same(jjnp.add(1.0, 2), njnp.add(1.0, 2))
    assert_same(jjnp.negative(F), njnp.negative(F))


def test_gradients():
    x = F.astype(np.float32)
    for name in ["add", "multiply", "maximum", "logaddexp", "logaddexp2"]:
        j, n = getattr(jjnp, name), getattr(njnp, name)
        assert_same(jax.grad(lambda a, j=j: j.reduce(a, axis=None))(x), nablax.grad(lambda a, n=n: n.reduce(a, axis=None))(x),
                    path=f"grad {name}.reduce")
        assert_same(jax.grad(lambda a, j=j: j.accumulate(a, axis=1).sum())(x),
                    nablax.grad(lambda a, n=n: n.accumulate(a, axis=1).sum())(x), path=f"grad {name}.accumulate")
