"""A small convolutional network on scikit-learn's digits, trained with jit(value_and_grad) and Adam.

The data is scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes;
`sklearn.datasets.load_digits`, no download), scaled to [0, 1] and split 80/20 into train and
test sets with a fixed seed. The images are NHWC arrays of shape (batch, 8, 8, 1).

The network is the classic shape, written the way a JAX user writes it:

    conv 3x3, 1 -> 16 channels, SAME  -> relu -> max-pool 2x2   (8x8 -> 4x4)
    conv 3x3, 16 -> 32 channels, SAME -> relu -> max-pool 2x2   (4x4 -> 2x2)
    flatten (2*2*32 = 128) -> dense 128 -> 10 logits

with `lax.conv_general_dilated(x, w, (1, 1), 'SAME', dimension_numbers=('NHWC', 'HWIO', 'NHWC'))`
for the convolutions and `lax.reduce_window(x, -inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), 'VALID')`
for the pooling. One training step is a single jitted function: `value_and_grad` of the mean
cross-entropy, then an Adam update (Kingma & Ba, 2015) written in a few lines of jnp, so the
forward pass, both convolutions' transposes, the pooling gradient and the update compile into
one program. The learning rate follows a cosine decay to zero over the run (passed into the
jitted step as an argument, so it never retraces); with the defaults the test accuracy is about
0.98-0.99 across seeds. tqdm shows a progress bar when it is installed.

    python examples/cnn_digits.py [--epochs 15] [--batch-size 32] [--lr 0.003] [--seed 0] [--smoke]
"""
from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from digits_data import load_digits_split, progress_bar
from main_flags import parser_for

import nablax as jax
import nablax.numpy as jnp

lax = jax.lax
tree_map = jax.tree_util.tree_map

DIMENSION_NUMBERS = ("NHWC", "HWIO", "NHWC")
CHANNELS = (1, 16, 32)     # image channels, then each conv layer's output channels
N_CLASSES = 10


class Result(NamedTuple):
    """What `main` returns: the mean training loss of each epoch and the final accuracies."""

    epoch_losses: list[float]
    train_accuracy: float
    test_accuracy: float
    seconds: float


def load_data(test_fraction: float = 0.2, seed: int = 0):
    """Digits as NHWC float32 images, shuffled and split: (x_train, y_train, x_test, y_test)."""
    return load_digits_split(test_fraction, seed, images=True)


def init_params(rng: np.random.Generator, channels=CHANNELS, image_size: int = 8) -> dict:
    """He-initialised (std sqrt(2 / fan_in)) HWIO conv kernels and dense weights, zero biases."""
    params = {}
    for i, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:])):
        w = rng.normal(0.0, np.sqrt(2.0 / (9 * c_in)), (3, 3, c_in, c_out))
        params[f"conv{i}"] = (jnp.asarray(w, dtype=jnp.float32), jnp.zeros(c_out, dtype=jnp.float32))
    side = image_size // 2 ** (len(channels) - 1)
    n_flat = side * side * channels[-1]
    w = rng.normal(0.0, np.sqrt(2.0 / n_flat), (n_flat, N_CLASSES))
    params["dense"] = (jnp.asarray(w, dtype=jnp.float32), jnp.zeros(N_CLASSES, dtype=jnp.float32))
    return params


def max_pool_2x2(x):
    """2x2 max pooling with stride 2 over the H and W axes of an NHWC array."""
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def logits_fn(params: dict, x):
    """(batch, 8, 8, 1) images -> (batch, 10) logits."""
    n_conv = len(params) - 1
    for i in range(n_conv):
        w, b = params[f"conv{i}"]
        x = lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=DIMENSION_NUMBERS)
        x = max_pool_2x2(jax.nn.relu(x + b))
    w, b = params["dense"]
    return x.reshape(x.shape[0], -1) @ w + b


def loss_fn(params: dict, x, y):
    """Mean softmax cross-entropy of a batch (y: integer labels)."""
    logp = jax.nn.log_softmax(logits_fn(params, x))
    return -jnp.mean(jnp.sum(logp * jax.nn.one_hot(y, N_CLASSES), axis=-1))


loss_and_grad = jax.value_and_grad(loss_fn)


@jax.jit
def train_step(params: dict, m: dict, v: dict, t, x, y, lr):
    """One Adam step on a batch; t counts from 1. Returns (params, m, v, loss)."""
    b1, b2, eps = 0.9, 0.999, 1e-8
    loss, g = loss_and_grad(params, x, y)
    m = tree_map(lambda m_, g_: b1 * m_ + (1 - b1) * g_, m, g)
    v = tree_map(lambda v_, g_: b2 * v_ + (1 - b2) * g_ * g_, v, g)
    scale = lr * jnp.sqrt(1 - b2**t) / (1 - b1**t)
    params = tree_map(lambda p, m_, v_: p - scale * m_ / (jnp.sqrt(v_) + eps), params, m, v)
    return params, m, v, loss


@jax.jit
def accuracy(params: dict, x, y):
    """Fraction of images whose largest logit is the label."""
    return jnp.mean(jnp.argmax(logits_fn(params, x), axis=-1) == y)


def main(epochs: int = 15, batch_size: int = 32, lr: float = 0.003, seed: int = 0, smoke: bool = False,
         progress: bool = True) -> Result:
    """Train the CNN and return its Result; `smoke` runs 2 epochs on 512 training images (for CI)."""
    x_train, y_train, x_test, y_test = load_data(seed=seed)
    if smoke:
        epochs, x_train, y_train = min(epochs, 2), x_train[:512], y_train[:512]
    rng = np.random.default_rng(seed)
    params = init_params(rng)
    m = tree_map(jnp.zeros_like, params)
    v = tree_map(jnp.zeros_like, params)
    steps_per_epoch = len(x_train) // batch_size
    print(f"CNN on digits: {len(x_train)} train / {len(x_test)} test images (8x8x1, NHWC), "
          f"conv{CHANNELS[1]}-pool-conv{CHANNELS[2]}-pool-dense{N_CLASSES}, "
          f"Adam lr {lr} (cosine decay), batch {batch_size}, {epochs} epochs", flush=True)
    total_steps = epochs * steps_per_epoch
    bar = progress_bar(total_steps, progress, "step")
    epoch_losses, t = [], 0
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))
        losses = []
        for i in range(steps_per_epoch):
            idx = order[i * batch_size:(i + 1) * batch_size]
            rate = jnp.float32(lr * 0.5 * (1 + np.cos(np.pi * t / total_steps)))  # cosine decay to 0
            t += 1
            params, m, v, loss = train_step(params, m, v, jnp.float32(t), x_train[idx], y_train[idx], rate)
            losses.append(loss)
            if bar is not None:
                bar.update(1)
        epoch_losses.append(float(np.mean([float(a) for a in losses])))
        test_acc = float(accuracy(params, x_test, y_test))
        msg = f"epoch {epoch}: loss {epoch_losses[-1]:.4f}, test acc {test_acc:.3f}"
        if bar is not None:
            bar.set_postfix_str(msg)
        else:
            print("  " + msg, flush=True)
    if bar is not None:
        bar.close()
    elapsed = time.perf_counter() - start
    train_acc = float(accuracy(params, x_train, y_train))
    test_acc = float(accuracy(params, x_test, y_test))
    print(f"\n  train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}  "
          f"({epochs} epochs, {t} jitted value_and_grad + Adam steps, {elapsed:.1f} s)")
    return Result(epoch_losses, train_acc, test_acc, elapsed)


if __name__ == "__main__":
    parser = parser_for(main, __doc__, "epochs", "batch_size", "lr", "seed")
    parser.add_argument("--smoke", action="store_true", help="2 epochs on 512 training images (a quick check)")
    parser.add_argument("--no-progress", action="store_true", help="plain prints instead of a tqdm bar")
    args = vars(parser.parse_args())
    main(progress=not args.pop("no_progress"), **args)
