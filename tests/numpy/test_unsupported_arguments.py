"""Arguments nablax accepts but cannot honour raise an error naming them (JAX's class where
JAX raises too); the ones whose every value is honoured give the plain result."""
import numpy as np
import pytest

import nablax.numpy as jnp
from nablax import lax

X = jnp.arange(6.0)
DOT_NUMBERS = (((0,), (0,)), ((), ()))

UNSUPPORTED = {
    "array_order": (lambda: jnp.array([1, 2], order="F"), NotImplementedError, "order='F'"),
    "asarray_order": (lambda: jnp.asarray([1, 2], order="C"), NotImplementedError, "order='C'"),
    "copy_order": (lambda: jnp.copy(X, order="F"), NotImplementedError, "order='F'"),
    "astype_device": (lambda: jnp.astype(X, jnp.int32, device="gpu"), NotImplementedError, "device='gpu'"),
    "astype_method_device": (lambda: X.astype(jnp.int32, device="gpu"), NotImplementedError, "device='gpu'"),
    "meshgrid_copy": (lambda: jnp.meshgrid(X, X, copy=False), ValueError, "copy=True"),
    "sort_kind": (lambda: jnp.sort(X, kind="heapsort"), TypeError, "'kind'"),
    "argsort_kind": (lambda: jnp.argsort(X, kind="stable"), TypeError, "'kind'"),
    "sort_method_kind": (lambda: X.sort(kind="quicksort"), TypeError, "'kind'"),
    "median_overwrite_input": (lambda: jnp.median(X, overwrite_input=True), ValueError, "overwrite_input"),
    "dot_precision": (lambda: jnp.dot(X, X, precision="bogus"), ValueError, "jnp.dot: precision"),
    "vdot_precision": (lambda: jnp.vdot(X, X, precision=3), ValueError, "jnp.vdot: precision"),
    "inner_precision": (lambda: jnp.inner(X, X, precision=("high",)), ValueError, "jnp.inner: precision"),
    "matmul_precision": (lambda: jnp.matmul(X, X, precision="HIGHEST"), ValueError, "jnp.matmul: precision"),
    "tensordot_precision": (lambda: jnp.tensordot(X, X, 1, precision="bogus"), ValueError, "jnp.tensordot: precision"),
    "einsum_precision": (lambda: jnp.einsum("i,i", X, X, precision="bogus"), ValueError, "jnp.einsum: precision"),
    "vecdot_precision": (lambda: jnp.linalg.vecdot(X, X, precision="bogus"), ValueError, "vecdot: precision"),
    "dot_general_precision": (lambda: lax.dot_general(X, X, DOT_NUMBERS, precision="bogus"), ValueError,
                              "lax.dot_general: precision"),
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_argument_raises_naming_it(name):
    fn, exc, words = UNSUPPORTED[name]
    with pytest.raises(exc) as info:
        fn()
    assert words in str(info.value)


@pytest.mark.parametrize("precision", [None, "default", "highest", "fastest", ("high", "default"), "F32_F32_F32"])
def test_every_precision_jax_accepts_computes_at_full_precision(precision):
    expected = float(np.dot(np.arange(6.0), np.arange(6.0)))
    for out in (jnp.dot(X, X, precision=precision), jnp.matmul(X, X, precision=precision),
                jnp.einsum("i,i", X, X, precision=precision), lax.dot_general(X, X, DOT_NUMBERS, precision=precision)):
        assert float(out) == expected


def test_arguments_without_visible_effect_on_immutable_arrays_are_accepted():
    np.testing.assert_array_equal(np.asarray(jnp.array(X, copy=False, order="K")), np.arange(6.0))
    np.testing.assert_array_equal(np.asarray(jnp.reshape(X, (2, 3), copy=False)), np.arange(6.0).reshape(2, 3))
    assert jnp.astype(X, jnp.int32, copy=True).dtype == np.int32
    assert float(jnp.median(X, overwrite_input=False)) == 2.5
    np.testing.assert_array_equal(np.asarray(jnp.take(X, jnp.array([4, 1]), unique_indices=True,
                                                      indices_are_sorted=False)), [4.0, 1.0])
