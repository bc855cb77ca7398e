"""Window reductions without JAX: known answers, NumPy references, gradients by finite
differences, and the max-pool tie rule (first maximum in window order takes the cotangent)."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads

X = np.random.default_rng(0).standard_normal((2, 6, 8, 3))


def _np_pool(x, k, reducer):
    n, h, w, c = x.shape
    return reducer(x.reshape(n, h // k, k, w // k, k, c), axis=(2, 4))


@pytest.mark.parametrize("op,reducer,init", [(lax.max, np.max, -np.inf), (lax.min, np.min, np.inf),
                                             (lax.add, np.sum, 0.0)])
def test_non_overlapping_pools_match_numpy(op, reducer, init):
    out = lax.reduce_window(X, init, op, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    np.testing.assert_allclose(out, _np_pool(X, 2, reducer), rtol=1e-6)


def test_average_pool_same_counts_only_real_elements():
    x = jnp.ones((1, 3, 3, 1))
    total = lax.reduce_window(x, 0.0, lax.add, (1, 3, 3, 1), (1, 1, 1, 1), "SAME")
    np.testing.assert_array_equal(np.asarray(total)[0, :, :, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])


def test_max_pool_ties_go_to_the_first_element():
    g = nablax.grad(lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (2, 2), (2, 2), "VALID").sum())(jnp.ones((2, 4)))
    np.testing.assert_array_equal(g, [[1, 0, 1, 0], [0, 0, 0, 0]])
    # overlapping windows (stride 1) each send their cotangent to their own first maximum
    g = nablax.grad(lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (3,), (1,), "VALID").sum())(jnp.ones(5))
    np.testing.assert_array_equal(g, [1, 1, 1, 0, 0])


@pytest.mark.parametrize("op,init,padding", [(lax.max, -np.inf, "SAME"), (lax.add, 0.0, "SAME"),
                                             (jnp.logaddexp, -np.inf, "VALID")])
def test_gradients_by_finite_differences(op, init, padding):
    with nablax.config.enable_x64(True):
        def f(x):
            return lax.reduce_window(x, init, op, (1, 3, 2, 1), (1, 2, 1, 1), padding, window_dilation=(1, 1, 2, 1))
        check_grads(f, (X,), order=2, modes=("fwd", "rev"))


def test_generic_reduce_matches_numpy_and_differentiates():
    with nablax.config.enable_x64(True):
        np.testing.assert_allclose(lax.reduce(X, -np.inf, jnp.logaddexp, (1, 2)),
                                   np.log(np.exp(X).sum(axis=(1, 2))), rtol=1e-12)
        np.testing.assert_allclose(lax.reduce(X, 1.0, lax.mul, (3,)), X.prod(axis=3), rtol=1e-12)
        check_grads(lambda x: lax.reduce(x, -np.inf, jnp.logaddexp, (1,)), (X[:, :5, :3],), order=2)
        s, m = lax.reduce((X, X), (0.0, -np.inf), lambda a, b: (a[0] + b[0], jnp.maximum(a[1], b[1])), (0, 2))
        np.testing.assert_allclose(s, X.sum(axis=(0, 2)), rtol=1e-12)
        np.testing.assert_allclose(m, X.max(axis=(0, 2)))


def test_jit_and_vmap_agree_with_eager():
    def f(x):
        return lax.reduce_window(x, -jnp.inf, lax.max, (2, 2, 1), (2, 2, 1), "SAME")
    np.testing.assert_array_equal(nablax.jit(f)(X[0]), f(X[0]))
    np.testing.assert_array_equal(nablax.vmap(f)(X), np.stack([f(x) for x in X]))


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="window_dimensions"):
        lax.reduce_window(X, 0.0, lax.add, (2, 2), (1, 1), "VALID")
    with pytest.raises(TypeError, match="positive"):
        lax.reduce_window(X, 0.0, lax.add, (1, 2, 2, 1), (1, 0, 1, 1), "VALID")
    with pytest.raises(ValueError, match="padding"):
        lax.reduce_window(X, 0.0, lax.add, (1, 2, 2, 1), (1, 1, 1, 1), "FULL")
