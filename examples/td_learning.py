"""TD(0) value estimation on the 7-state random walk (Sutton & Barto, Example 6.2).

The walk has five non-terminal states A-E between two terminal states. Every episode
starts in C and steps left or right with equal probability; leaving on the right pays
reward 1, everything else pays 0. With no discounting the true values of A..E are
1/6, 2/6, ..., 5/6.

The value function is linear in one-hot features, v(s) = theta . phi(s) (equivalent to
a table), and learned with *semi-gradient* TD(0): the loss is

    0.5 * (stop_gradient(r + gamma * v(s')) - v(s)) ** 2

so that `jax.grad` differentiates only the prediction, never the bootstrapped target.
The update is jitted once and called for every transition. For contrast the script
also trains the "residual gradient" variant, which differentiates through the target
too: on this stochastic walk it converges more slowly and to biased values.

    python examples/td_learning.py [--episodes 300] [--alpha 0.05] [--seed 0]
"""
from __future__ import annotations

import time

import numpy as np
from main_flags import parser_for

import nablax as jax
import nablax.numpy as jnp

STATE_NAMES = "ABCDE"
N_STATES = 5                                  # non-terminal states; 0 and 6 are terminals
TRUE_VALUES = np.arange(1, 6) / 6.0
FEATURES = np.vstack([np.zeros(N_STATES), np.eye(N_STATES), np.zeros(N_STATES)]).astype(np.float32)
# FEATURES[s] is phi(s) for s = 0..6; the terminal rows are zero, so v(terminal) = 0.


def value(theta, phi):
    return jnp.dot(theta, phi)


def semi_gradient_loss(theta, phi_s, reward, phi_next, gamma):
    target = reward + gamma * value(theta, phi_next)
    return 0.5 * (jax.lax.stop_gradient(target) - value(theta, phi_s)) ** 2


def residual_gradient_loss(theta, phi_s, reward, phi_next, gamma):
    target = reward + gamma * value(theta, phi_next)
    return 0.5 * (target - value(theta, phi_s)) ** 2


def make_update(loss):
    @jax.jit
    def update(theta, phi_s, reward, phi_next, alpha, gamma):
        return theta - alpha * jax.grad(loss)(theta, phi_s, reward, phi_next, gamma)

    return update


def sample_episode(rng: np.random.Generator) -> list[tuple[int, float, int]]:
    """One episode from C as (state, reward, next_state) transitions, states numbered 0..6."""
    s, transitions = 3, []
    while s not in (0, 6):
        s_next = s + (1 if rng.random() < 0.5 else -1)
        transitions.append((s, 1.0 if s_next == 6 else 0.0, s_next))
        s = s_next
    return transitions


def rms_error(theta) -> float:
    return float(np.sqrt(np.mean((np.asarray(theta) - TRUE_VALUES) ** 2)))


def train(loss, episodes: int, alpha: float, seed: int, gamma: float = 1.0, report_every: int = 0):
    """Run TD learning on fresh episodes; returns (theta, [rms after each episode])."""
    update = make_update(loss)
    rng = np.random.default_rng(seed)
    theta = jnp.full((N_STATES,), 0.5, dtype=jnp.float32)   # Sutton & Barto's initial estimate
    alpha, gamma = jnp.float32(alpha), jnp.float32(gamma)
    history = []
    for episode in range(1, episodes + 1):
        for s, r, s_next in sample_episode(rng):
            theta = update(theta, FEATURES[s], jnp.float32(r), FEATURES[s_next], alpha, gamma)
        history.append(rms_error(theta))
        if report_every and (episode % report_every == 0 or episode == 1):
            print(f"  episode {episode:5d}   RMS error {history[-1]:.4f}")
    return theta, history


def main(episodes: int = 300, alpha: float = 0.05, seed: int = 0, compare_residual: bool = True,
         verbose: bool = True) -> float:
    """Train semi-gradient TD(0); print the estimates; return the final RMS error vs the true values."""
    report = max(1, episodes // 6) if verbose else 0
    if verbose:
        print(f"Semi-gradient TD(0), alpha={alpha}, {episodes} episodes (seed {seed})")
    start = time.perf_counter()
    theta, history = train(semi_gradient_loss, episodes, alpha, seed, report_every=report)
    elapsed = time.perf_counter() - start
    final = history[-1]
    if verbose:
        print()
        print("  state   true    TD(0) estimate")
        for name, true, est in zip(STATE_NAMES, TRUE_VALUES, np.asarray(theta)):
            print(f"    {name}    {true:.3f}      {est:.3f}")
        print(f"\n  RMS error: {rms_error(np.full(N_STATES, 0.5)):.4f} initially, {final:.4f} after episode {episodes}"
              f"  ({elapsed:.1f} s)")
    if compare_residual:
        theta_rg, history_rg = train(residual_gradient_loss, episodes, alpha, seed)
        if verbose:
            print(f"  without stop_gradient (residual gradient), same episodes: RMS error {history_rg[-1]:.4f}")
            print("    estimates " + "  ".join(f"{name}={v:.3f}" for name, v in zip(STATE_NAMES, np.asarray(theta_rg))))
    return final


if __name__ == "__main__":
    main(**vars(parser_for(main, __doc__, "episodes", "alpha", "seed").parse_args()))
