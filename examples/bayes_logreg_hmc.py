"""Bayesian logistic regression on the Challenger O-ring data, sampled with Hamiltonian Monte Carlo.

The 23 space-shuttle launches before the Challenger accident (Dalal, Fowlkes & Hoadley, JASA
1989): launch temperature in degrees F and whether any O-ring showed thermal distress. With the
temperature standardised, z = (T - mean) / std,

    damage_i ~ Bernoulli(sigmoid(alpha + beta z_i)),    alpha, beta ~ Normal(0, 5)

and the posterior of (alpha, beta) is sampled by HMC written from scratch: the log density from
`jax.nn.softplus` and `jax.scipy.stats.norm.logpdf`, its gradient by `jax.grad`, a leapfrog
integrator as a `lax.fori_loop`, Gaussian momenta and the Metropolis test from `jax.random`. One
transition of every chain is a single jitted function: the chains are `vmap`ped over their keys
(each chain splits its own key every step). The launch of 28 January 1986 was at 31 F, far below every
earlier one; the posterior predictive probability of damage there is what the model is for.

The answer is checked against the Laplace approximation (the MAP by SciPy's BFGS on the same
log posterior, the covariance from `jax.hessian` at it), in float64: each posterior mean must lie
within one posterior standard deviation of the MAP.

    python examples/bayes_logreg_hmc.py [--chains 8] [--samples 500] [--step-size 0.5] [--leapfrog 6]
"""
from __future__ import annotations

from functools import partial
from typing import NamedTuple

import numpy as np
import scipy.optimize
from main_flags import parser_for

import nablax as jax
import nablax.numpy as jnp
from nablax import lax, random
from nablax.scipy.stats import norm

# Launch temperature (F) and O-ring thermal distress (1 = at least one incident), flights 1-23.
TEMPERATURE_F = np.array([66, 70, 69, 68, 67, 72, 73, 70, 57, 63, 70, 78,
                          67, 53, 67, 75, 70, 81, 76, 79, 75, 76, 58], dtype=np.float32)
DAMAGE = np.array([0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0,
                   0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1], dtype=np.float32)
PRIOR_SCALE = 5.0
CHALLENGER_F = 31.0


def standardise(temperature_f):
    """Temperature on the scale the model uses: centred and scaled by the 23 launches' mean and std."""
    return (temperature_f - TEMPERATURE_F.mean()) / TEMPERATURE_F.std()


def log_posterior(theta, z, y):
    """log p(alpha, beta | data) up to a constant; theta = (alpha, beta)."""
    logits = theta[0] + theta[1] * z
    log_lik = jnp.sum(y * logits - jax.nn.softplus(logits))   # log sigmoid(l)^y (1 - sigmoid(l))^(1 - y)
    return log_lik + jnp.sum(norm.logpdf(theta, 0.0, PRIOR_SCALE))


def potential_and_grad(theta, z, y):
    """The potential energy -log p and its gradient, which drives the leapfrog steps."""
    return jax.value_and_grad(lambda t: -log_posterior(t, z, y))(theta)


def leapfrog(state, z, y, step_size, n_steps: int):
    """`n_steps` leapfrog steps; state = (position, momentum, potential, its gradient) at the start
    and at the end, so each step costs one gradient."""
    def step(_, state):
        q, p, _, g = state
        p = p - 0.5 * step_size * g
        q = q + step_size * p
        u, g = potential_and_grad(q, z, y)
        return q, p - 0.5 * step_size * g, u, g

    return lax.fori_loop(0, n_steps, step, state)


def hmc_step(key, theta, z, y, step_size, n_leapfrog: int):
    """One HMC transition of one chain: fresh momentum, a trajectory, the Metropolis test.

    Returns the chain's next key, its new position and whether the proposal was accepted."""
    key, key_momentum, key_accept = random.split(key, 3)
    p0 = random.normal(key_momentum, theta.shape)
    u0, g0 = potential_and_grad(theta, z, y)
    q1, p1, u1, _ = leapfrog((theta, p0, u0, g0), z, y, step_size, n_leapfrog)
    log_ratio = (u0 + 0.5 * jnp.sum(p0 * p0)) - (u1 + 0.5 * jnp.sum(p1 * p1))
    accept = jnp.log(random.uniform(key_accept)) < log_ratio   # a NaN energy is never accepted
    return key, jnp.where(accept, q1, theta), accept


def transition(keys, thetas, z, y, step_size, n_leapfrog: int):
    """One transition of every chain, `vmap`ped over the chains' keys and positions.

    keys (n_chains, 2) uint32, thetas (n_chains, 2) -> (keys, thetas, accepted (n_chains,))."""
    one_chain = partial(hmc_step, n_leapfrog=n_leapfrog)
    return jax.vmap(one_chain, in_axes=(0, 0, None, None, None))(keys, thetas, z, y, step_size)


transition_jit = jax.jit(transition, static_argnames="n_leapfrog")


def init_chains(seed: int, n_chains: int):
    """Per-chain keys and over-dispersed starting points (Normal(0, 2) in each coordinate)."""
    key_init, key_chains = random.split(random.PRNGKey(seed))
    return random.split(key_chains, n_chains), 2.0 * random.normal(key_init, (n_chains, 2))


def data():
    """The standardised temperatures and the damage indicators as float32 arrays."""
    return jnp.asarray(standardise(TEMPERATURE_F)), jnp.asarray(DAMAGE)


def sample(seed: int, n_chains: int, n_warmup: int, n_samples: int, step_size: float, n_leapfrog: int,
           step=transition_jit) -> tuple[np.ndarray, float]:
    """Run the chains; returns the draws after warm-up, shape (n_samples, n_chains, 2), and the
    fraction of accepted proposals among them."""
    z, y = data()
    keys, thetas = init_chains(seed, n_chains)
    draws, accepted = [], []
    for i in range(n_warmup + n_samples):
        keys, thetas, acc = step(keys, thetas, z, y, step_size, n_leapfrog)
        if i >= n_warmup:
            draws.append(np.asarray(thetas))
            accepted.append(np.asarray(acc))
    return np.stack(draws), float(np.mean(accepted))


def p_damage(thetas: np.ndarray, temperature_f: float) -> np.ndarray:
    """P(damage | theta) at a temperature, for each draw in `thetas` (..., 2)."""
    z = float(standardise(np.float32(temperature_f)))
    return np.asarray(jax.nn.sigmoid(thetas[..., 0] + thetas[..., 1] * z))


def laplace_approximation() -> tuple[np.ndarray, np.ndarray]:
    """(MAP, posterior covariance from the inverse Hessian there), in float64: SciPy's BFGS on the
    same log posterior with its gradient by `jax.grad`."""
    with jax.enable_x64(True):
        z, y = (jnp.asarray(a, dtype=jnp.float64) for a in (standardise(TEMPERATURE_F), DAMAGE))
        neg = jax.jit(lambda t: -log_posterior(t, z, y))
        fun_and_grad = jax.jit(jax.value_and_grad(lambda t: -log_posterior(t, z, y)))
        res = scipy.optimize.minimize(lambda t: tuple(np.asarray(v) for v in fun_and_grad(jnp.asarray(t))),
                                      np.zeros(2), jac=True, method="BFGS", options={"gtol": 1e-10})
        hessian = np.asarray(jax.hessian(neg)(jnp.asarray(res.x)))
    return res.x, np.linalg.inv(hessian)


class Result(NamedTuple):
    """Posterior summaries of one run."""

    draws: np.ndarray        # (n_samples, n_chains, 2): alpha, beta on the standardised scale
    acceptance: float
    mean: np.ndarray         # posterior mean of (alpha, beta)
    std: np.ndarray          # posterior standard deviation of (alpha, beta)
    p_damage_31f: float      # posterior predictive P(damage) at 31 F
    map: np.ndarray          # the Laplace approximation's centre
    laplace_std: np.ndarray


def main(chains: int = 8, warmup: int = 100, samples: int = 500, step_size: float = 0.5, leapfrog: int = 6,
         seed: int = 0, verbose: bool = True) -> Result:
    """Sample, summarise, compare with the Laplace approximation; returns the summaries."""
    draws, acceptance = sample(seed, chains, warmup, samples, step_size, leapfrog)
    flat = draws.reshape(-1, 2)
    mode, cov = laplace_approximation()
    res = Result(draws, acceptance, flat.mean(axis=0), flat.std(axis=0), float(p_damage(flat, CHALLENGER_F).mean()),
                 mode, np.sqrt(np.diag(cov)))
    if verbose:
        scale = float(TEMPERATURE_F.std())
        print(f"Challenger O-rings: {len(DAMAGE)} launches, {int(DAMAGE.sum())} with damage; logistic regression on "
              f"standardised temperature, Normal(0, {PRIOR_SCALE:g}) priors")
        print(f"HMC: {chains} chains x {samples} draws after {warmup} warm-up, {leapfrog} leapfrog steps of "
              f"{step_size:g}; acceptance rate {acceptance:.3f}\n")
        print("             posterior mean   std      MAP    Laplace std")
        for i, name in enumerate(("alpha", "beta")):
            print(f"  {name:<10s} {res.mean[i]:12.3f} {res.std[i]:8.3f} {mode[i]:8.3f} {res.laplace_std[i]:10.3f}")
        print(f"  slope per degree F: {res.mean[1] / scale:.4f} +- {res.std[1] / scale:.4f} (MAP {mode[1] / scale:.4f})")
        gaps = ", ".join(f"{g:.2f}" for g in np.abs(res.mean - mode) / res.std)
        print(f"  |posterior mean - MAP| / posterior std: {gaps} (must be < 1)")
        lo, hi = np.percentile(p_damage(flat, CHALLENGER_F), [5, 95])
        print(f"\n  P(damage at {CHALLENGER_F:g} F) = {res.p_damage_31f:.3f} (90% interval {lo:.3f} - {hi:.3f}); "
              f"at 70 F: {float(p_damage(flat, 70.0).mean()):.3f}")
    gap = np.abs(res.mean - mode) / res.std
    assert np.all(gap < 1.0), f"posterior mean {res.mean} is {gap.max():.2f} std from the MAP {mode}"
    return res


if __name__ == "__main__":
    args = parser_for(main, __doc__, "chains", "warmup", "samples", "step_size", "leapfrog", "seed").parse_args()
    main(**vars(args))
