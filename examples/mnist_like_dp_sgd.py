"""Differentially private SGD (Abadi et al., 2016) for an MLP on scikit-learn's digits.

The data is scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes;
`sklearn.datasets.load_digits`, no download), split into train and test sets.

DP-SGD bounds how much any single training example can move the model:

1. per-example gradients, `jit(vmap(grad(loss), in_axes=(None, 0, 0)))`: the
   parameters are shared (None), images and labels are batched along axis 0;
2. each example's gradient (all layers together) is clipped to L2 norm <= C;
3. the clipped gradients are summed, Gaussian noise with std sigma * C is added
   (drawn with NumPy's generator and passed into the jitted update), and the result
   is divided by the batch size for an SGD step.

At the end the script reports the (epsilon, delta) that the Renyi-DP analysis of the
sampled Gaussian mechanism gives for these settings. That analysis assumes each batch
is a Poisson sample with rate q = batch / n; this script shuffles and cuts fixed-size
batches instead (so every step has the same shapes and reuses one compiled program),
which is the common practical approximation, so read epsilon as indicative. tqdm shows
a progress bar when it is installed.

    python examples/mnist_like_dp_sgd.py [--epochs 30] [--clip 1.0] [--noise 1.0]
"""
from __future__ import annotations

import math
import time

import numpy as np
import relu_mlp
from digits_data import load_digits_split, progress_bar
from main_flags import parser_for

import nablax as jax
import nablax.numpy as jnp

tree_map = jax.tree_util.tree_map
tree_leaves = jax.tree_util.tree_leaves


def load_data(test_fraction: float = 0.2, seed: int = 0):
    """Digits scaled to [0, 1], shuffled and split: (x_train, y_train, x_test, y_test)."""
    return load_digits_split(test_fraction, seed, images=False)


def init_mlp(rng: np.random.Generator, sizes=(64, 128, 10)):
    """He-initialised weights (std sqrt(2 / fan_in)) and zero biases, as (W, b) pairs."""
    return relu_mlp.init(rng, sizes, lambda fan_in: np.sqrt(2.0 / fan_in))


logits_fn = relu_mlp.apply


def log_softmax(z):
    z = z - jax.lax.stop_gradient(jnp.max(z, axis=-1, keepdims=True))
    return z - jnp.log(jnp.sum(jnp.exp(z), axis=-1, keepdims=True))


def loss(params, x, label):
    """Cross-entropy of ONE example (x: (64,), label: int)."""
    logp = log_softmax(logits_fn(params, x))
    return -jnp.sum(logp * (jnp.arange(10) == label))


per_example_grads = jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0)))


@jax.jit
def private_update(params, grads, noise, lr, clip):
    """Clip each example's gradient to norm <= clip, sum, add noise, average, step."""
    sq_norms = sum(jnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1) for g in tree_leaves(grads))
    factor = 1.0 / jnp.maximum(1.0, jnp.sqrt(sq_norms) / clip)          # (batch,)
    batch = factor.shape[0]

    def noisy_mean(g, z):
        clipped = g * factor.reshape((batch,) + (1,) * (g.ndim - 1))
        return (jnp.sum(clipped, axis=0) + clip * z) / batch

    noisy = tree_map(noisy_mean, grads, noise)
    return tree_map(lambda p, g: p - lr * g, params, noisy), jnp.mean(sq_norms ** 0.5)


@jax.jit
def accuracy(params, x, y):
    return jnp.mean(jnp.argmax(logits_fn(params, x), axis=-1) == y)


def rdp_epsilon(q: float, sigma: float, steps: int, delta: float = 1e-5, orders=range(2, 129)) -> float:
    """Epsilon of `steps` compositions of the Poisson-subsampled Gaussian mechanism.

    Uses the integer-order Renyi-DP bound (Mironov, Talwar & Zhang, 2019):
    RDP(a) = log(sum_k C(a, k) (1-q)^(a-k) q^k exp((k^2 - k) / (2 sigma^2))) / (a - 1),
    composed over steps and converted with eps = steps * RDP(a) + log(1/delta) / (a - 1).
    """
    best = math.inf
    for a in orders:
        k = np.arange(a + 1)
        log_binom = np.array([math.lgamma(a + 1) - math.lgamma(i + 1) - math.lgamma(a - i + 1) for i in k])
        log_terms = log_binom + (a - k) * math.log1p(-q) + k * math.log(q) + (k * k - k) / (2 * sigma ** 2)
        rdp = np.logaddexp.reduce(log_terms) / (a - 1)
        best = min(best, steps * rdp + math.log(1 / delta) / (a - 1))
    return float(best)


def main(epochs: int = 30, batch_size: int = 64, lr: float = 0.5, clip: float = 1.0, noise_multiplier: float = 1.0,
         hidden: int = 128, seed: int = 0, progress: bool = True, n_train: int | None = None) -> float:
    """Train with DP-SGD and return the test accuracy (a float in [0, 1])."""
    x_train, y_train, x_test, y_test = load_data(seed=seed)
    if n_train is not None:
        x_train, y_train = x_train[:n_train], y_train[:n_train]
    rng = np.random.default_rng(seed)
    params = init_mlp(rng, (64, hidden, 10))
    shapes = [p.shape for p in tree_leaves(params)]
    steps_per_epoch = len(x_train) // batch_size
    lr_, clip_ = jnp.float32(lr), jnp.float32(clip)
    print(f"DP-SGD on digits: {len(x_train)} train / {len(x_test)} test, MLP 64-{hidden}-10, batch {batch_size}, "
          f"lr {lr}, clip C={clip}, noise multiplier sigma={noise_multiplier}", flush=True)
    bar = progress_bar(epochs, progress, "epoch")
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))
        norms = []
        for i in range(steps_per_epoch):
            idx = order[i * batch_size:(i + 1) * batch_size]
            grads = per_example_grads(params, x_train[idx], y_train[idx])
            noise = [jnp.asarray(rng.normal(0.0, noise_multiplier, size=s), dtype=jnp.float32) for s in shapes]
            noise = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(params), noise)
            params, mean_norm = private_update(params, grads, noise, lr_, clip_)
            norms.append(float(mean_norm))
        test_acc = float(accuracy(params, x_test, y_test))
        msg = f"test acc {test_acc:.3f}, mean per-example grad norm {np.mean(norms):.2f}"
        if bar is not None:
            bar.set_postfix_str(msg)
            bar.update(1)
        elif epoch == 1 or epoch % max(1, epochs // 10) == 0 or epoch == epochs:
            print(f"  epoch {epoch:3d}/{epochs}: {msg}")
    if bar is not None:
        bar.close()
    elapsed = time.perf_counter() - start
    train_acc = float(accuracy(params, x_train, y_train))
    test_acc = float(accuracy(params, x_test, y_test))
    print(f"\n  train accuracy {train_acc:.3f}, test accuracy {test_acc:.3f}  "
          f"({epochs} epochs, {epochs * steps_per_epoch} private steps, {elapsed:.1f} s)")
    if noise_multiplier > 0:
        eps = rdp_epsilon(batch_size / len(x_train), noise_multiplier, epochs * steps_per_epoch, delta=1e-5)
        print(f"  privacy: epsilon ~ {eps:.2f} at delta = 1e-5 (Renyi-DP accounting, Poisson-sampling approximation)")
    return test_acc


if __name__ == "__main__":
    parser = parser_for(main, __doc__, "epochs", "batch_size", "lr", "clip", "noise=noise_multiplier", "hidden", "seed",
                        clip="per-example gradient norm bound C", noise="noise multiplier sigma (std = sigma * C)")
    parser.add_argument("--no-progress", action="store_true", help="plain prints instead of a tqdm bar")
    args = vars(parser.parse_args())
    main(progress=not args.pop("no_progress"), **args)
