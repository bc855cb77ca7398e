"""Workload definitions, part 6: eager (un-jitted) training steps, where nablax competes with
torch.func and autograd on per-operation overhead. Same conventions as `workloads.py`.
"""
from __future__ import annotations

from typing import Any

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload
from benchmarks.workloads_models import LR, _mlp_data, _mlp_numpy, _sgd, _to, _xent


def eager_mlp_sgd_step(fw: Framework, quick: bool) -> Bench | None:
    """`mlp_sgd_step` (784-512-512-10, B=128) without jit: grad of the loss, then SGD."""
    params, x, y = _mlp_data()
    if fw.name == "numpy":
        return Bench(lambda: _mlp_numpy(params, x, y))
    loss, p, xf, yf = _xent(fw), _to(fw, params), fw.asarray(x), fw.asarray(y)
    if fw.name == "torch":
        grad = fw.func.grad(loss)
        return Bench(lambda: _sgd(p, grad(p, xf, yf), LR))
    if fw.name == "autograd":
        grad = fw.ag.grad(loss)
        return Bench(lambda: _sgd(p, grad(p, xf, yf), LR))
    grad, block = fw.jax.grad(loss), fw.block

    def step() -> Any:
        return block(_sgd(p, grad(p, xf, yf), LR))

    return Bench(step)


def workloads() -> list[Workload]:
    """Part 6 of the table, in order."""
    return [Workload("eager_mlp_sgd_step", eager_mlp_sgd_step, ref=eager_mlp_sgd_step)]
