"""Workload definitions, part 2: Hessians, HVPs, MLP training, MAML, per-example gradients and
a large elementwise chain. Same conventions as `workloads.py`: torch.func and autograd have no
jit, so their columns in jitted rows are their eager versions.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload, f32, jit_first_call

Builder = Callable[[Framework, bool], "Bench | None"]


def _params(sizes: tuple[int, ...], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rs = np.random.RandomState(seed)
    return [((rs.randn(m, n) / np.sqrt(m)).astype(f32), (0.1 * rs.randn(n)).astype(f32)) for m, n in zip(sizes[:-1], sizes[1:])]


def _to(fw: Framework, params: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[Any, Any]]:
    return [(fw.asarray(W), fw.asarray(b)) for W, b in params]


def _predict(fw: Framework, act: str) -> Callable[[Any, Any], Any]:
    """MLP forward pass in fw's idiom (jnp / autograd.numpy share one spelling)."""
    if fw.name == "torch":
        f = fw.torch.relu if act == "relu" else fw.torch.tanh
    else:
        xp = fw.jnp if fw.jaxlike else fw.anp
        f = (lambda z: xp.maximum(z, 0)) if act == "relu" else xp.tanh

    def predict(params: Any, x: Any) -> Any:
        for W, b in params[:-1]:
            x = f(x @ W + b)
        W, b = params[-1]
        return x @ W + b

    return predict


def _sgd(params: Any, grads: Any, lr: float) -> list[tuple[Any, Any]]:
    return [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads)]


# ---------------------------------------------------------------- 7. Hessian and HVP of sum(tanh(A x)^2)
@lru_cache(maxsize=None)
def _tanh_data(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rs = np.random.RandomState(n)
    return (rs.randn(n, n) / np.sqrt(n)).astype(f32), rs.randn(n).astype(f32), rs.randn(n).astype(f32)


def _tanh_f(fw: Framework, A: np.ndarray) -> Callable[[Any], Any]:
    if fw.name == "torch":
        torch, At = fw.torch, fw.asarray(A)
        return lambda x: torch.sum(torch.tanh(At @ x) ** 2)
    xp = fw.jnp if fw.jaxlike else fw.anp
    Ax = fw.asarray(A)
    return lambda x: xp.sum(xp.tanh(Ax @ x) ** 2)


def _tanh_curvature(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    t = np.tanh(A @ x)
    return 2 * (1 - t * t) * (1 - 3 * t * t)  # d²/dz² of tanh(z)²


def _hessian(n: int) -> Builder:
    def build(fw: Framework, quick: bool) -> Bench | None:
        A, x, _ = _tanh_data(n)
        if fw.name == "numpy":
            return Bench(lambda: (A.T * _tanh_curvature(A, x)) @ A)
        if fw.name == "autograd" and n > 100:
            return None  # jacobian-of-jacobian by loops: far too slow at n=500
        f, xf = _tanh_f(fw, A), fw.asarray(x)
        if fw.name == "torch":
            H = fw.func.hessian(f)
            return Bench(lambda: H(xf))
        if fw.name == "autograd":
            H = fw.ag.hessian(f)
            return Bench(lambda: H(xf))
        jax = fw.jax
        H = jax.jit(jax.jacfwd(jax.jacrev(f)))
        make = lambda: jax.jacfwd(jax.jacrev(lambda x: f(x)))  # noqa: E731
        return Bench(lambda: H(xf).block_until_ready(), jit_first_call(fw, make, xf))

    return build


def _hvp(n: int) -> Builder:
    def build(fw: Framework, quick: bool) -> Bench | None:
        A, x, v = _tanh_data(n)
        if fw.name == "numpy":
            return Bench(lambda: A.T @ (_tanh_curvature(A, x) * (A @ v)))
        f, xf, vf = _tanh_f(fw, A), fw.asarray(x), fw.asarray(v)
        if fw.name == "torch":
            func = fw.func
            return Bench(lambda: func.jvp(func.grad(f), (xf,), (vf,))[1])
        if fw.name == "autograd":
            hvp = fw.ag.hessian_vector_product(f)
            return Bench(lambda: hvp(xf, vf))
        jax = fw.jax

        def make() -> Callable[..., Any]:
            return lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1]

        hvp = jax.jit(make())
        return Bench(lambda: hvp(xf, vf).block_until_ready(), jit_first_call(fw, make, xf, vf))

    return build


# ---------------------------------------------------------------- 8. MLP 784-512-512-10 SGD step
LR = 0.01


@lru_cache(maxsize=None)
def _mlp_data() -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    rs = np.random.RandomState(8)
    x = rs.randn(128, 784).astype(f32)
    y = np.eye(10, dtype=f32)[rs.randint(0, 10, size=128)]
    return _params((784, 512, 512, 10), 8), x, y


def _xent(fw: Framework) -> Callable[[Any, Any, Any], Any]:
    """Softmax cross-entropy with a hand-written, max-shifted log-softmax."""
    predict = _predict(fw, "relu")
    if fw.name == "torch":
        torch = fw.torch

        def loss_torch(params: Any, x: Any, y: Any) -> Any:
            logits = predict(params, x)
            shifted = logits - logits.max(dim=-1, keepdim=True).values
            logp = shifted - torch.log(torch.sum(torch.exp(shifted), dim=-1, keepdim=True))
            return -torch.mean(torch.sum(y * logp, dim=-1))

        return loss_torch
    xp = fw.jnp if fw.jaxlike else fw.anp

    def loss(params: Any, x: Any, y: Any) -> Any:
        logits = predict(params, x)
        shifted = logits - xp.max(logits, axis=-1, keepdims=True)
        logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))
        return -xp.mean(xp.sum(y * logp, axis=-1))

    return loss


def _mlp_numpy(params: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray, y: np.ndarray) -> list[tuple[Any, Any]]:
    """Hand-written backprop of the same step (the NumPy floor)."""
    hs, zs = [x], []
    for W, b in params[:-1]:
        zs.append(hs[-1] @ W + b)
        hs.append(np.maximum(zs[-1], 0))
    logits = hs[-1] @ params[-1][0] + params[-1][1]
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    d = (e / e.sum(axis=-1, keepdims=True) - y) / np.float32(len(x))
    grads = []
    for i in range(len(params) - 1, -1, -1):
        grads.append((hs[i].T @ d, d.sum(axis=0)))
        if i:
            d = (d @ params[i][0].T) * (zs[i - 1] > 0)
    return _sgd(params, grads[::-1], LR)


def mlp_sgd_step(fw: Framework, quick: bool) -> Bench | None:
    params, x, y = _mlp_data()
    if fw.name == "numpy":
        return Bench(lambda: _mlp_numpy(params, x, y))
    loss, p, xf, yf = _xent(fw), _to(fw, params), fw.asarray(x), fw.asarray(y)
    if fw.name in ("torch", "autograd"):
        grad = fw.func.grad if fw.name == "torch" else fw.ag.grad
        return Bench(lambda: _sgd(p, grad(loss)(p, xf, yf), LR))
    jax = fw.jax
    tree_map = jax.tree_util.tree_map

    def make() -> Callable[..., Any]:
        def step(params: Any, x: Any, y: Any) -> Any:
            grads = jax.grad(loss)(params, x, y)
            return tree_map(lambda w, g: w - LR * g, params, grads)

        return step

    step, block = jax.jit(make()), fw.block
    return Bench(lambda: block(step(p, xf, yf)), jit_first_call(fw, make, p, xf, yf))


# ---------------------------------------------------------------- 9. MAML on sinusoids
@lru_cache(maxsize=None)
def _maml_data() -> tuple[Any, ...]:
    rs = np.random.RandomState(9)
    amp, phase = rs.uniform(0.1, 5.0, (25, 1, 1)), rs.uniform(0, np.pi, (25, 1, 1))
    x1, x2 = rs.uniform(-5, 5, (25, 10, 1)), rs.uniform(-5, 5, (25, 10, 1))
    sets = [a.astype(f32) for a in (x1, amp * np.sin(x1 + phase), x2, amp * np.sin(x2 + phase))]
    return (_params((1, 40, 40, 1), 9), *sets)


def maml_sinusoid(fw: Framework, quick: bool) -> Bench | None:
    params, *sets = _maml_data()
    if fw.name == "numpy":
        return None
    net, p, data = _predict(fw, "relu"), _to(fw, params), [fw.asarray(s) for s in sets]
    mean = fw.torch.mean if fw.name == "torch" else (fw.jnp.mean if fw.jaxlike else fw.anp.mean)
    grad = fw.func.grad if fw.name == "torch" else (fw.jax.grad if fw.jaxlike else fw.ag.grad)

    def mse(params: Any, x: Any, y: Any) -> Any:
        return mean((net(params, x) - y) ** 2)

    def maml_loss(params: Any, x1: Any, y1: Any, x2: Any, y2: Any) -> Any:
        inner = _sgd(params, grad(mse)(params, x1, y1), 0.01)
        return mse(inner, x2, y2)

    if fw.name == "autograd":  # no vmap: the idiomatic loop over tasks
        loop_grad = grad(lambda params, *s: sum(maml_loss(params, *t) for t in zip(*s)) / len(s[0]))
        return Bench(lambda: loop_grad(p, *data))
    vmap = fw.func.vmap if fw.name == "torch" else fw.jax.vmap
    axes = {"in_dims" if fw.name == "torch" else "in_axes": (None, 0, 0, 0, 0)}

    def make() -> Callable[..., Any]:
        def meta_loss(params: Any, x1: Any, y1: Any, x2: Any, y2: Any) -> Any:
            return mean(vmap(maml_loss, **axes)(params, x1, y1, x2, y2))

        return grad(meta_loss)

    if fw.name == "torch":
        meta_grad = make()
        return Bench(lambda: meta_grad(p, *data))
    meta_grad, block = fw.jax.jit(make()), fw.block
    return Bench(lambda: block(meta_grad(p, *data)), jit_first_call(fw, make, p, *data))


# ---------------------------------------------------------------- 10. per-example gradients, MLP 10-64-64-1
@lru_cache(maxsize=None)
def _pex_data() -> tuple[Any, np.ndarray, np.ndarray]:
    rs = np.random.RandomState(10)
    return _params((10, 64, 64, 1), 10), rs.randn(4096, 10).astype(f32), rs.randn(4096).astype(f32)


def _pex_numpy(params: Any, x: np.ndarray, y: np.ndarray) -> list[tuple[Any, Any]]:
    """Hand-written batched backprop giving one gradient per example."""
    hs = [x]
    for W, b in params[:-1]:
        hs.append(np.tanh(hs[-1] @ W + b))
    d = 2 * (hs[-1] @ params[-1][0] + params[-1][1] - y[:, None])
    grads = []
    for i in range(len(params) - 1, -1, -1):
        grads.append((hs[i][:, :, None] * d[:, None, :], d))
        if i:
            d = (d @ params[i][0].T) * (1 - hs[i] ** 2)
    return grads[::-1]


def per_example_grads_mlp(fw: Framework, quick: bool) -> Bench | None:
    params, x, y = _pex_data()
    if fw.name == "numpy":
        return Bench(lambda: _pex_numpy(params, x, y))
    if fw.name == "autograd":
        return None
    net, p, xf, yf = _predict(fw, "tanh"), _to(fw, params), fw.asarray(x), fw.asarray(y)
    total = fw.torch.sum if fw.name == "torch" else fw.jnp.sum

    def loss(params: Any, x: Any, y: Any) -> Any:
        return total((net(params, x) - y) ** 2)

    if fw.name == "torch":
        per_ex = fw.func.vmap(fw.func.grad(loss), in_dims=(None, 0, 0))
        return Bench(lambda: per_ex(p, xf, yf))
    jax, block = fw.jax, fw.block
    make = lambda: jax.vmap(jax.grad(lambda *a: loss(*a)), in_axes=(None, 0, 0))  # noqa: E731
    per_ex = jax.jit(make())
    return Bench(lambda: block(per_ex(p, xf, yf)), jit_first_call(fw, make, p, xf, yf))


# ---------------------------------------------------------------- 11. 10M-element elementwise chain
@lru_cache(maxsize=None)
def _chain_data(n: int) -> np.ndarray:
    return np.random.RandomState(11).randn(n).astype(f32)


def _chain_numpy(x: np.ndarray) -> np.ndarray:
    """The chain in NumPy (the floor)."""
    return np.sum(np.sin(x) * np.exp(-x * x) + np.tanh(x) * 0.5)


def _chain_grad_numpy(x: np.ndarray) -> np.ndarray:
    """Hand-written derivative of the chain."""
    e = np.exp(-x * x)
    return np.cos(x) * e - 2 * x * np.sin(x) * e + 0.5 * (1 - np.tanh(x) ** 2)


def _chain(grad: bool) -> Builder:
    def build(fw: Framework, quick: bool) -> Bench | None:
        x = _chain_data(1_000_000 if quick else 10_000_000)
        if fw.name == "numpy":
            return Bench((lambda: _chain_grad_numpy(x)) if grad else (lambda: _chain_numpy(x)))
        if fw.name == "autograd" and not grad:
            return None  # autograd's forward pass is NumPy's
        xp = fw.torch if fw.name == "torch" else (fw.jnp if fw.jaxlike else fw.anp)

        def f(x: Any) -> Any:
            return xp.sum(xp.sin(x) * xp.exp(-x * x) + xp.tanh(x) * 0.5)

        xf = fw.asarray(x)
        if fw.name == "torch":
            g = fw.func.grad(f) if grad else f
            return Bench(lambda: g(xf))
        if fw.name == "autograd":
            g = fw.ag.grad(f)
            return Bench(lambda: g(xf))
        jax = fw.jax
        make = (lambda: jax.grad(lambda x: f(x))) if grad else (lambda: lambda x: f(x))
        jf = jax.jit(make())
        return Bench(lambda: jf(xf).block_until_ready(), jit_first_call(fw, make, xf))

    return build


def workloads() -> list[Workload]:
    """Part 2 of the table, in order."""

    def W(name: str, build: Builder, ref: Builder | None = None, rtol: float = 1e-4, atol: float = 1e-5) -> Workload:
        return Workload(name, build, ref=ref, compile_name="compile_" + name, rtol=rtol, atol=atol)

    return [
        *(W(f"hessian_tanh_{n}", _hessian(n), _hessian(n), 1e-3, 1e-4) for n in (100, 500)),
        *(W(f"hvp_tanh_{n}", _hvp(n), _hvp(n), 1e-3, 1e-4) for n in (100, 500)),
        W("mlp_sgd_step", mlp_sgd_step, mlp_sgd_step),
        W("maml_sinusoid", maml_sinusoid, None, 1e-3, 1e-4),
        W("per_example_grads_mlp", per_example_grads_mlp, per_example_grads_mlp, 1e-3, 1e-4),
        W("elementwise_chain_10M", _chain(False), _chain(False), 1e-3, 1e-2),
        W("elementwise_chain_grad_10M", _chain(True), _chain(True)),
    ]
