"""The digits MLP trained data-parallel: `pmap` over the local devices, `lax.pmean` of the gradients.

One program runs on one device, on several devices of one process, and on several processes:

    python examples/data_parallel_mlp.py                               # 1 process, 1 device
    NABLAX_NUM_CPU_DEVICES=4 python examples/data_parallel_mlp.py      # 1 process, 4 virtual devices
    mpiexec -n 4 python examples/data_parallel_mlp.py                  # 4 processes, 1 device each
    python examples/data_parallel_mlp.py --single                      # the plain step, for comparison

`jax.distributed.initialize()` joins the MPI job when the script runs under `mpiexec` (a
one-process world without it). Every step takes one global batch of `--global-batch` examples
from scikit-learn's digits (the same shuffled order in every process, from `--seed`); process r
of P keeps its r-th slice and reshapes it to (local devices, per-device batch, 64). The step
is `pmap(..., axis_name="batch")`: each device takes `value_and_grad` of the mean cross-entropy
on its part, `lax.pmean(grads, "batch")` averages the gradients over every device of every
process, and each device applies the same SGD update, so the parameters stay replicated
(stacked along the local-device axis, as JAX's pmap programs hold them).

The mean of equal-sized parts' mean gradients is the gradient of the whole batch's mean loss,
so every way of running gives the final parameters of `--single` (one jitted step on the whole
global batch) up to float32 rounding; `--save params.npz` writes them for the comparison that
tests/test_data_parallel_example.py makes. Only process 0 prints and saves. Processes sharing one
machine run best with one BLAS thread each (`OPENBLAS_NUM_THREADS=1 mpiexec -n 2 ...`), so that
they do not oversubscribe its cores.

    python examples/data_parallel_mlp.py [--steps 300] [--global-batch 128] [--lr 0.5] [--seed 0]
                                         [--single] [--save PATH]
"""
from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
import relu_mlp
from digits_data import load_digits_split
from main_flags import parser_for

import nablax as jax
import nablax.numpy as jnp

SIZES = (64, 128, 10)   # 8x8 pixels -> hidden ReLU layer -> 10 logits
AXIS = "batch"


class Result(NamedTuple):
    """What `main` returns: the loss of each step, the final parameters and the test accuracy."""

    losses: list[float]
    params: list
    test_accuracy: float


def loss_fn(params: list, x, y):
    """Mean softmax cross-entropy of a batch (y: integer labels)."""
    logp = jax.nn.log_softmax(relu_mlp.apply(params, x))
    return -jnp.mean(jnp.sum(logp * jax.nn.one_hot(y, SIZES[-1]), axis=-1))


def sgd(params: list, grads: list, lr: float) -> list:
    """One plain SGD update."""
    return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)


def make_single_step(lr: float):
    """The plain step: value_and_grad on the whole global batch, then SGD; jitted."""

    def step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return sgd(params, grads, lr), loss

    return jax.jit(step)


def make_parallel_step(lr: float):
    """The data-parallel step: each device's gradient on its part, averaged over all devices by pmean."""

    def step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        grads = jax.lax.pmean(grads, axis_name=AXIS)
        return sgd(params, grads, lr), jax.lax.pmean(loss, axis_name=AXIS)

    return jax.pmap(step, axis_name=AXIS)


def global_batches(n_examples: int, global_batch: int, steps: int, seed: int):
    """Index arrays of `steps` global batches: consecutive chunks of a fresh permutation each epoch
    (the remainder of an epoch is dropped); every process draws the same ones."""
    rng = np.random.default_rng(seed)
    per_epoch = n_examples // global_batch
    if per_epoch == 0:
        raise ValueError(f"--global-batch {global_batch} is larger than the {n_examples} training examples")
    order = rng.permutation(n_examples)
    for step in range(steps):
        if step and step % per_epoch == 0:
            order = rng.permutation(n_examples)
        i = step % per_epoch
        yield order[i * global_batch:(i + 1) * global_batch]


def local_shard(batch: np.ndarray, process_index: int, process_count: int, local_devices: int) -> np.ndarray:
    """This process's contiguous slice of a global batch, shaped (local_devices, per-device batch, ...)."""
    per_process = len(batch) // process_count
    mine = batch[process_index * per_process:(process_index + 1) * per_process]
    return mine.reshape(local_devices, per_process // local_devices, *batch.shape[1:])


def _count(n: int, noun: str) -> str:
    """'1 process', '4 processes'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{'es' if noun.endswith('s') else 's'}"


def main(steps: int = 300, global_batch: int = 128, lr: float = 0.5, seed: int = 0, single: bool = False,
         save: str | None = None) -> Result:
    """Train for `steps` global batches, data-parallel (or the plain step with `single`); returns the Result."""
    jax.distributed.initialize()
    rank, n_proc, n_local = jax.process_index(), jax.process_count(), jax.local_device_count()
    n_dev = jax.device_count()
    log = print if rank == 0 else (lambda *args, **kwargs: None)
    if not single and global_batch % n_dev:
        raise ValueError(f"--global-batch {global_batch} must be a multiple of the {_count(n_dev, 'device')} "
                         f"({_count(n_proc, 'process')} x {_count(n_local, 'local device')})")
    x_train, y_train, x_test, y_test = load_digits_split(seed=0)
    params = relu_mlp.init(np.random.default_rng(seed), SIZES, lambda fan_in: np.sqrt(2.0 / fan_in))
    if single:
        log(f"single device: one jitted step on each global batch of {global_batch}")
        step = make_single_step(lr)
    else:
        log(f"data-parallel over {_count(n_dev, 'device')} ({_count(n_proc, 'process')} x "
            f"{_count(n_local, 'local device')}), global batch {global_batch} = {n_dev} x {global_batch // n_dev}")
        step = make_parallel_step(lr)
        params = jax.tree_util.tree_map(lambda a: jnp.broadcast_to(a, (n_local, *a.shape)), params)
    log(f"MLP {'-'.join(map(str, SIZES))}, SGD lr {lr}, {steps} steps, seed {seed}", flush=True)
    losses = []
    start = time.perf_counter()
    for i, idx in enumerate(global_batches(len(x_train), global_batch, steps, seed), 1):
        x, y = x_train[idx], y_train[idx]
        if not single:
            x, y = (local_shard(a, rank, n_proc, n_local) for a in (x, y))
        params, loss = step(params, x, y)
        losses.append(float(loss if single else loss[0]))
        if i == 1 or i % 50 == 0 or i == steps:
            log(f"  step {i:4d}: loss {losses[-1]:.4f}", flush=True)
    elapsed = time.perf_counter() - start
    if not single:
        params = jax.tree_util.tree_map(lambda a: a[0], params)   # every device holds the same copy
    logits = relu_mlp.apply(params, jnp.asarray(x_test))
    accuracy = float(jnp.mean(jnp.argmax(logits, axis=-1) == y_test))
    log(f"test accuracy {accuracy:.4f} ({steps} steps, {elapsed:.1f} s)")
    if save is not None and rank == 0:
        np.savez(save, **{f"{name}{i}": np.asarray(a) for i, layer in enumerate(params)
                          for name, a in zip("Wb", layer)})
        log(f"saved the final parameters to {save}")
    return Result(losses, params, accuracy)


if __name__ == "__main__":
    parser = parser_for(main, __doc__, "steps", "global_batch", "lr", "seed")
    parser.add_argument("--single", action="store_true", help="the plain single-device step on each global batch")
    parser.add_argument("--save", metavar="PATH", help="write the final parameters to PATH (.npz), from process 0")
    main(**vars(parser.parse_args()))
