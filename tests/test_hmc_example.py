"""examples/bayes_logreg_hmc.py: the log posterior against NumPy, the Laplace approximation against
SciPy's BFGS on a hand-written NumPy objective, the leapfrog integrator's reversibility and energy
error, and a short run's posterior against the exact moments by quadrature on a grid."""
import subprocess
import sys

import numpy as np
import pytest
import scipy.optimize
from scipy.special import expit, log_expit

import nablax as jax
import nablax.numpy as jnp
from nablax.test_util import check_grads
from tests.test_examples import EXAMPLES, load


@pytest.fixture(scope="module")
def hmc():
    return load("bayes_logreg_hmc")


def _data64(hmc):
    return hmc.standardise(hmc.TEMPERATURE_F.astype(np.float64)), hmc.DAMAGE.astype(np.float64)


def _numpy_log_posterior(theta, z, y, prior_scale):
    eta = theta[0] + theta[1] * z
    return (np.sum(y * log_expit(eta) + (1 - y) * log_expit(-eta))
            - np.sum(theta**2) / (2 * prior_scale**2) - 2 * np.log(prior_scale * np.sqrt(2 * np.pi)))


@pytest.fixture(scope="module")
def exact(hmc):
    """Posterior mean, std and P(damage at 31 F) by quadrature on a fine (alpha, beta) grid."""
    z, y = _data64(hmc)
    a, b = np.meshgrid(np.linspace(-6, 4, 401), np.linspace(-9, 3, 481), indexing="ij")
    eta = a[..., None] + b[..., None] * z
    log_p = np.sum(y * log_expit(eta) + (1 - y) * log_expit(-eta), axis=-1) - (a**2 + b**2) / (2 * hmc.PRIOR_SCALE**2)
    w = np.exp(log_p - log_p.max())
    w /= w.sum()
    assert w[0].sum() + w[-1].sum() + w[:, 0].sum() + w[:, -1].sum() < 1e-6   # the grid holds the posterior
    mean = np.array([np.sum(w * a), np.sum(w * b)])
    std = np.sqrt([np.sum(w * (a - mean[0])**2), np.sum(w * (b - mean[1])**2)])
    return mean, std, float(np.sum(w * expit(a + b * hmc.standardise(31.0))))


def test_example_has_docstring_and_main(hmc):
    assert hmc.__doc__ and "fori_loop" in hmc.__doc__ and "vmap" in hmc.__doc__
    assert callable(hmc.main)
    assert len(hmc.TEMPERATURE_F) == len(hmc.DAMAGE) == 23 and hmc.DAMAGE.sum() == 7
    assert hmc.TEMPERATURE_F.min() == 53 and hmc.TEMPERATURE_F.max() == 81


def test_log_posterior_matches_numpy_and_its_gradient_finite_differences(hmc):
    with jax.config.enable_x64(True):
        z, y = _data64(hmc)
        for theta in ([0.0, 0.0], [-1.1, -1.6], [2.0, 3.0]):
            theta = np.array(theta)
            got = float(hmc.log_posterior(jnp.asarray(theta), jnp.asarray(z), jnp.asarray(y)))
            assert got == pytest.approx(_numpy_log_posterior(theta, z, y, hmc.PRIOR_SCALE), rel=1e-12)
            check_grads(lambda t: hmc.log_posterior(t, jnp.asarray(z), jnp.asarray(y)), (jnp.asarray(theta),),
                        order=2, modes=("rev",))


def test_laplace_approximation_matches_scipy_on_numpy_objective(hmc):
    z, y = _data64(hmc)
    res = scipy.optimize.minimize(lambda t: -_numpy_log_posterior(t, z, y, hmc.PRIOR_SCALE), np.zeros(2),
                                  method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000})
    mode, cov = hmc.laplace_approximation()
    np.testing.assert_allclose(mode, res.x, atol=1e-6)
    # The Hessian of -log p written out: X^T diag(p (1 - p)) X + I / prior_scale^2, X = [1, z].
    X = np.stack([np.ones_like(z), z], axis=1)
    p = expit(X @ mode)
    hessian = X.T @ (X * (p * (1 - p))[:, None]) + np.eye(2) / hmc.PRIOR_SCALE**2
    np.testing.assert_allclose(cov, np.linalg.inv(hessian), rtol=1e-8)
    # The famous fit (Dalal et al. 1989): logit = 15.04 - 0.232 T without a prior; the N(0, 5) prior
    # on the standardised scale shrinks the slope a little.
    assert -0.24 < mode[1] / hmc.TEMPERATURE_F.std() < -0.21


def test_leapfrog_is_reversible_and_nearly_conserves_energy(hmc):
    z, y = hmc.data()
    theta, momentum = jnp.asarray([-0.5, -1.0]), jnp.asarray([0.7, -0.3])

    def run(q, p, step_size, n):
        return hmc.leapfrog((q, p, *hmc.potential_and_grad(q, z, y)), z, y, step_size, n)

    def energy(state):
        return float(state[2]) + 0.5 * float(jnp.sum(state[1] ** 2))

    start = (theta, momentum, *hmc.potential_and_grad(theta, z, y))
    end = run(theta, momentum, 0.05, 40)
    back = run(end[0], -end[1], 0.05, 40)                  # flip the momentum and run back
    np.testing.assert_allclose(np.asarray(back[0]), np.asarray(theta), atol=1e-5)
    np.testing.assert_allclose(np.asarray(-back[1]), np.asarray(momentum), atol=1e-5)
    assert float(end[2]) == pytest.approx(-float(hmc.log_posterior(end[0], z, y)), rel=1e-6)
    error = abs(energy(end) - energy(start))
    assert error < 1e-2 and np.max(np.abs(np.asarray(end[0] - theta))) > 0.5  # it moved, energy kept
    assert abs(energy(run(theta, momentum, 0.2, 10)) - energy(start)) > error   # 4x the step: larger error


def test_transition_eager_equals_jit_and_vmap_equals_loop(hmc):
    z, y = hmc.data()
    keys, thetas = hmc.init_chains(3, 4)
    k_e, t_e, k_j, t_j = keys, thetas, keys, thetas
    for _ in range(4):
        k_e, t_e, a_e = hmc.transition(k_e, t_e, z, y, 0.5, 6)
        k_j, t_j, a_j = hmc.transition_jit(k_j, t_j, z, y, 0.5, 6)
        for eager, jitted in ((k_e, k_j), (t_e, t_j), (a_e, a_j)):
            assert np.array_equal(np.asarray(eager), np.asarray(jitted))  # the same samples, bit for bit
    k_b, t_b, a_b = hmc.transition(keys, thetas, z, y, 0.5, 6)
    for i in range(4):
        k_i, t_i, a_i = hmc.hmc_step(keys[i], thetas[i], z, y, 0.5, 6)
        np.testing.assert_array_equal(np.asarray(k_i), np.asarray(k_b[i]))
        np.testing.assert_allclose(np.asarray(t_i), np.asarray(t_b[i]), rtol=1e-6, atol=1e-6)
        assert bool(a_i) == bool(a_b[i])


def test_short_run_matches_exact_posterior_and_laplace(hmc, exact, capsys):
    mean, std, p31 = exact
    res = hmc.main(chains=4, warmup=50, samples=250, seed=1)
    assert 0.5 < res.acceptance < 1.0
    assert res.draws.shape == (250, 4, 2)
    assert res.mean[1] < 0                                 # colder launches: more damage
    assert np.all(np.abs(res.mean - mean) < 0.2 * std)     # ~4 Monte Carlo standard errors at this size
    np.testing.assert_allclose(res.std, std, rtol=0.15)
    assert abs(res.p_damage_31f - p31) < 0.01 and p31 > 0.95
    assert np.all(np.abs(res.mean - res.map) < std)        # the check: the MAP within one std
    np.testing.assert_allclose(res.map, hmc.laplace_approximation()[0])
    out = capsys.readouterr().out
    assert "acceptance rate" in out and "P(damage at 31 F)" in out


def test_example_runs_as_a_script():
    proc = subprocess.run([sys.executable, str(EXAMPLES / "bayes_logreg_hmc.py"), "--chains", "4", "--warmup", "30",
                           "--samples", "100"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "acceptance rate" in proc.stdout and "P(damage at 31 F)" in proc.stdout
