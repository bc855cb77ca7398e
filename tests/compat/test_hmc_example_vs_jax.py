"""examples/bayes_logreg_hmc.py run on JAX (its `nablax` imports bound to JAX's modules) and on
nablax: the same keys give the same chains."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")

from benchmarks.workloads_random import hmc_example  # noqa: E402


def test_hmc_chains_agree_with_jax():
    on_jax, on_nablax = hmc_example("jax"), hmc_example("nablax")
    assert on_jax.jnp.__name__ == "jax.numpy" and on_nablax.jnp.__name__ == "nablax.numpy"
    args = dict(seed=2, n_chains=4, n_warmup=0, n_samples=60, step_size=0.5, n_leapfrog=6)
    draws_j, acc_j = on_jax.sample(**args)
    draws_n, acc_n = on_nablax.sample(**args)
    assert acc_j == acc_n                               # every Metropolis decision the same
    np.testing.assert_allclose(draws_n, draws_j, rtol=1e-5, atol=1e-5)
    keys_j, thetas_j, accepted_j = on_jax.transition_jit(*on_jax.init_chains(0, 8), *on_jax.data(), 0.5, 6)
    keys_n, thetas_n, accepted_n = on_nablax.transition_jit(*on_nablax.init_chains(0, 8), *on_nablax.data(), 0.5, 6)
    np.testing.assert_array_equal(np.asarray(keys_n), np.asarray(keys_j))
    np.testing.assert_array_equal(np.asarray(accepted_n), np.asarray(accepted_j))
    np.testing.assert_allclose(np.asarray(thetas_n), np.asarray(thetas_j), rtol=1e-5, atol=1e-6)
