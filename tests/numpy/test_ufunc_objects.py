"""jnp.add, jnp.multiply, jnp.maximum, ... are jnp.ufunc objects: their reduce/accumulate/at
methods agree with NumPy's ufunc methods and with the generic loops, and differentiate."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads

F = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.5]], np.float32)
I = np.array([[1, 6, 3], [12, 5, 7]], np.int32)
B = np.array([[True, False, True], [True, True, False]])
CASES = [("add", [I, F, B]), ("multiply", [I, F]), ("maximum", [I, F]), ("minimum", [I, F]),
         ("bitwise_and", [I, B]), ("bitwise_or", [I, B]), ("bitwise_xor", [I, B]),
         ("logical_and", [B]), ("logical_or", [B]), ("logical_xor", [B]), ("logaddexp", [F]), ("logaddexp2", [F])]


@pytest.mark.parametrize("name,inputs", CASES)
def test_reduce_matches_numpy(name, inputs):
    ours, theirs = getattr(jnp, name), getattr(np, name)
    assert isinstance(ours, jnp.ufunc) and ours.nin == 2 and ours.nout == 1
    for x in inputs:
        for axis in [0, 1, None]:
            # (bools add up as jnp.sum counts them, as in JAX; NumPy's add.reduce gives a bool)
            want = np.sum(x, axis=axis) if name == "add" and x.dtype == bool else theirs.reduce(x, axis=axis)
            got = ours.reduce(x, axis=axis)
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, err_msg=f"{name} {x.dtype} {axis}")
            if x.dtype != bool or name != "add":
                generic = ours._reduce_loop(x, axis=axis)  # the ufunc class's own fold, as a cross-check
                np.testing.assert_allclose(np.asarray(got), np.asarray(generic), rtol=1e-6)


def test_reduce_dtypes_keepdims_where():
    assert jnp.add.reduce(np.int8([1, 2, 3])).dtype == np.int32  # (as jnp.sum: small ints promote)
    assert jnp.bitwise_and.reduce(np.int8([3, 7])).dtype == np.int8
    assert jnp.logical_and.reduce(F, axis=1).tolist() == [True, False]
    assert jnp.maximum.reduce(F, axis=1, keepdims=True).shape == (2, 1)
    got = jnp.minimum.reduce(F, axis=1, where=F > 0, initial=10.0)
    np.testing.assert_array_equal(np.asarray(got), np.minimum.reduce(F, axis=1, where=F > 0, initial=10.0))
    got = jnp.logaddexp.reduce(F, axis=1, initial=1.0)
    np.testing.assert_allclose(np.asarray(got), np.logaddexp(np.logaddexp.reduce(F, axis=1), 1.0), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jnp.logaddexp.reduce(F, axis=1, where=F > 0)),
                               np.log(np.sum(np.exp(F) * (F > 0), axis=1)), rtol=1e-6)
    assert float(jnp.logaddexp.reduce(np.full(3, -np.inf, np.float32))) == -np.inf
    with pytest.raises(ValueError, match="identity"):
        jnp.maximum.reduce(F, where=F > 0)
    with pytest.raises(ValueError, match="binary"):
        jnp.negative.reduce(F)


def test_accumulate_at_outer():
    np.testing.assert_array_equal(np.asarray(jnp.add.accumulate(I, axis=1)), np.add.accumulate(I, axis=1))
    np.testing.assert_allclose(np.asarray(jnp.multiply.accumulate(F)), np.multiply.accumulate(F))
    np.testing.assert_allclose(np.asarray(jnp.maximum.accumulate(F, axis=1)), np.maximum.accumulate(F, axis=1))
    idx = (np.array([0, 0, 1]), np.array([1, 1, 2]))
    for name in ["add", "multiply", "subtract", "maximum"]:
        want = F.copy()
        getattr(np, name).at(want, idx, 2.0)
        got = getattr(jnp, name).at(F, idx, 2.0, inplace=False)
        np.testing.assert_allclose(np.asarray(got), want, err_msg=name)
    np.testing.assert_allclose(np.asarray(jnp.logaddexp.outer(F[0], F[1])), np.logaddexp.outer(F[0], F[1]), rtol=1e-6)


def test_transforms_and_gradients():
    x = F.astype(np.float64)
    f = nablax.jit(lambda a: jnp.logaddexp.reduce(a, axis=None))
    np.testing.assert_allclose(np.asarray(nablax.grad(f)(F)), np.exp(F) / np.exp(F).sum(), rtol=1e-5)
    check_grads(lambda a: jnp.multiply.reduce(a, axis=1), (x,), order=2, modes=["fwd", "rev"])
    check_grads(lambda a: jnp.add.accumulate(a, axis=0), (x,), order=1, modes=["fwd", "rev"])
    rows = nablax.vmap(lambda r: jnp.maximum.reduce(r))(F)
    np.testing.assert_array_equal(np.asarray(rows), F.max(axis=1))
    assert float(nablax.jit(jnp.add)(1.0, 2)) == 3.0 and nablax.jit(jnp.add)(1.0, 2).weak_type
    assert float(nablax.grad(jnp.multiply)(3.0, 4.0)) == 4.0
    assert "add a b" in str(nablax.make_jaxpr(jnp.add)(1.0, 2.0))
