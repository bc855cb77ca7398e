"""MAML on sinusoid regression (Finn, Abbeel & Levine, 2017), written with nablax.

Each task is a sine wave y = A sin(x + phi) with amplitude A in [0.1, 5] and phase phi in
[0, pi]; inputs x are drawn from [-5, 5]. A task gives K "support" points to adapt on
and K "query" points to evaluate the adapted model on.

The model is an MLP 1-40-40-1 with ReLUs. MAML learns initial parameters theta such that
one (or a few) plain SGD steps on a task's support set,

    theta' = theta - alpha * grad(loss)(theta, support),

fit that task well. The meta-loss is loss(theta', query) averaged over a meta-batch
of tasks; its gradient differentiates *through* the inner `grad` (second order).
The meta-batch is handled with `vmap` over tasks, the whole meta-step (vmap of the
meta-gradient plus an Adam update written by hand in jnp) is one `jit`, and task
data comes from NumPy's random generator.

At the end the script adapts the learned initialisation to new tasks and, when
matplotlib is installed, saves a plot of the fits before and after adaptation.

    python examples/maml_sinusoid.py [--steps 6000] [--plot maml_sinusoid.png]
"""
from __future__ import annotations

import time

import numpy as np
import relu_mlp
from main_flags import parser_for

import nablax as jax
import nablax.numpy as jnp

tree_map = jax.tree_util.tree_map


# ---------------------------------------------------------------------------- the model

def init_mlp(rng: np.random.Generator, sizes=(1, 40, 40, 1), scale: float = 0.01):
    """Small normal weights (std 0.01, as in the MAML paper's code) and zero biases, as (W, b) pairs.

    A large initialisation makes the inner SGD step (lr 0.01) overshoot on high-amplitude tasks.
    """
    return relu_mlp.init(rng, sizes, lambda fan_in: scale)


mlp = relu_mlp.apply  # x: (K, 1) inputs -> (K, 1) predictions


def mse(params, x, y):
    return jnp.mean((mlp(params, x) - y) ** 2)


def adapt(params, x, y, inner_lr, inner_steps: int):
    """Plain SGD on one task's support set (differentiable: used inside the meta-loss)."""
    for _ in range(inner_steps):
        grads = jax.grad(mse)(params, x, y)
        params = tree_map(lambda p, g: p - inner_lr * g, params, grads)
    return params


def maml_loss(params, x_support, y_support, x_query, y_query, inner_lr, inner_steps: int):
    """Query loss of one task after adapting on its support set."""
    adapted = adapt(params, x_support, y_support, inner_lr, inner_steps)
    return mse(adapted, x_query, y_query)


def batched_maml_loss(params, xs, ys, xq, yq, inner_lr, inner_steps: int):
    task_losses = jax.vmap(maml_loss, in_axes=(None, 0, 0, 0, 0, None, None))(
        params, xs, ys, xq, yq, inner_lr, inner_steps)
    return jnp.mean(task_losses)


# ------------------------------------------------------------------- Adam, by hand in jnp

def adam_init(params):
    zeros = tree_map(jnp.zeros_like, params)
    return (zeros, zeros)


def adam_update(params, grads, state, step, lr, b1=0.9, b2=0.999, eps=1e-8):
    m, v = state
    m = tree_map(lambda m_, g: b1 * m_ + (1 - b1) * g, m, grads)
    v = tree_map(lambda v_, g: b2 * v_ + (1 - b2) * g * g, v, grads)
    scale = lr * jnp.sqrt(1 - b2 ** step) / (1 - b1 ** step)   # bias correction
    params = tree_map(lambda p, m_, v_: p - scale * m_ / (jnp.sqrt(v_) + eps), params, m, v)
    return params, (m, v)


def make_meta_step(inner_steps: int):
    @jax.jit
    def meta_step(params, opt_state, step, xs, ys, xq, yq, inner_lr, meta_lr):
        loss, grads = jax.value_and_grad(batched_maml_loss)(params, xs, ys, xq, yq, inner_lr, inner_steps)
        params, opt_state = adam_update(params, grads, opt_state, step, meta_lr)
        return params, opt_state, loss

    return meta_step


# ------------------------------------------------------------------------------ the tasks

def sample_tasks(rng: np.random.Generator, n_tasks: int, k: int):
    """Support and query sets (each (n_tasks, k, 1)) plus the amplitudes and phases."""
    amp = rng.uniform(0.1, 5.0, size=(n_tasks, 1, 1))
    phase = rng.uniform(0.0, np.pi, size=(n_tasks, 1, 1))
    x = rng.uniform(-5.0, 5.0, size=(n_tasks, 2 * k, 1))
    y = amp * np.sin(x + phase)
    f32 = lambda a: jnp.asarray(a, dtype=jnp.float32)  # noqa: E731
    return (f32(x[:, :k]), f32(y[:, :k]), f32(x[:, k:]), f32(y[:, k:])), (amp.ravel(), phase.ravel())


def evaluate(params, rng, n_tasks: int, k: int, inner_lr: float, steps=(0, 1, 10)):
    """Mean query MSE on fresh tasks after 0, 1, 10 SGD steps from the learned initialisation."""
    (xs, ys, xq, yq), _ = sample_tasks(rng, n_tasks, k)
    out = {}
    for n in steps:
        f = jax.jit(jax.vmap(lambda p, a, b, c, d, n=n: maml_loss(p, a, b, c, d, inner_lr, n),
                             in_axes=(None, 0, 0, 0, 0)))
        out[n] = float(jnp.mean(f(params, xs, ys, xq, yq)))
    return out


def save_plot(params, path: str, rng, k: int, inner_lr: float) -> str | None:
    """Plot fits on three new tasks before and after adaptation; None if matplotlib is missing."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    (xs, ys, _, _), (amp, phase) = sample_tasks(rng, 3, k)
    grid = np.linspace(-5, 5, 200, dtype=np.float32)[:, None]
    fig = Figure(figsize=(12, 3.6), layout="constrained")
    for i, ax in enumerate(fig.subplots(1, 3)):
        ax.plot(grid, amp[i] * np.sin(grid + phase[i]), color="k", lw=2, label="true task")
        for n, style in ((0, ":"), (1, "--"), (10, "-")):
            adapted = adapt(params, xs[i], ys[i], inner_lr, n)
            label = "MAML init (0 steps)" if n == 0 else f"after {n} step{'s' if n > 1 else ''}"
            ax.plot(grid, np.asarray(mlp(adapted, jnp.asarray(grid))), ls=style, label=label)
        ax.scatter(np.asarray(xs[i]), np.asarray(ys[i]), color="C3", zorder=3, label=f"{k} support points")
        ax.set_title(f"A = {amp[i]:.2f}, phase = {phase[i]:.2f}")
        ax.set_ylim(-6, 6)
    fig.axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle("MAML on sinusoids: fits after SGD steps on the support points")
    fig.savefig(path, dpi=100)
    return path


# ----------------------------------------------------------------------------------- main

def main(meta_steps: int = 6000, meta_batch: int = 25, k: int = 10, inner_lr: float = 0.01,
         inner_steps: int = 1, meta_lr: float = 1e-3, seed: int = 0, plot_path: str | None = None,
         eval_tasks: int = 100, log_every: int | None = None) -> list[float]:
    """Meta-train and return the list of meta-losses (one per meta-step)."""
    rng = np.random.default_rng(seed)
    params = init_mlp(rng)
    opt_state = adam_init(params)
    meta_step = make_meta_step(inner_steps)
    inner_lr_, meta_lr_ = jnp.float32(inner_lr), jnp.float32(meta_lr)
    log_every = log_every or max(1, meta_steps // 10)
    print(f"MAML: {meta_steps} meta-steps, {meta_batch} tasks per meta-batch, K={k}, "
          f"{inner_steps} inner SGD step(s) at lr {inner_lr}, Adam lr {meta_lr}")
    losses: list[float] = []
    start = time.perf_counter()
    for step in range(1, meta_steps + 1):
        (xs, ys, xq, yq), _ = sample_tasks(rng, meta_batch, k)
        params, opt_state, loss = meta_step(params, opt_state, jnp.float32(step), xs, ys, xq, yq,
                                            inner_lr_, meta_lr_)
        losses.append(float(loss))
        if step % log_every == 0 or step == 1:
            window = losses[-log_every:]
            print(f"  step {step:6d}   meta-loss {losses[-1]:7.4f}   (mean of last {len(window):4d}: "
                  f"{np.mean(window):.4f})")
    elapsed = time.perf_counter() - start
    head = losses[: max(1, len(losses) // 10)]
    tail = losses[-max(1, len(losses) // 10):]
    print(f"\n  meta-loss: first {losses[0]:.4f}, last {losses[-1]:.4f}; mean of first 10% {np.mean(head):.4f} "
          f"-> last 10% {np.mean(tail):.4f}   ({elapsed:.1f} s, {1e3 * elapsed / meta_steps:.1f} ms/step)")
    if eval_tasks:
        scores = evaluate(params, np.random.default_rng(seed + 1), eval_tasks, k, inner_lr)
        print(f"  on {eval_tasks} new tasks, query MSE after " +
              ", ".join(f"{n} step{'s' if n != 1 else ''}: {v:.4f}" for n, v in scores.items()))
    if plot_path:
        saved = save_plot(params, plot_path, np.random.default_rng(seed + 2), k, inner_lr)
        print(f"  saved plot to {saved}" if saved else "  (matplotlib is not installed: no plot)")
    return losses


if __name__ == "__main__":
    parser = parser_for(main, __doc__, "steps=meta_steps", "meta_batch", "k", "inner_steps", "inner_lr", "meta_lr", "seed",
                        steps="meta-training steps", meta_batch="tasks per meta-step",
                        k="support (and query) points per task")
    parser.add_argument("--plot", default="maml_sinusoid.png", help="PNG path for the fits ('' for none)")
    args = vars(parser.parse_args())
    main(plot_path=args.pop("plot") or None, **args)
