"""Workload definitions, part 1: eager ops, tiny jit, polynomial grads, TD learning, jacrev
(part 2, models: workloads_models.py; part 3, linear algebra: workloads_linalg.py; part 4,
convolutions, pooling and FFT: workloads_conv.py; part 5, random numbers and HMC: workloads_random.py;
part 8, data parallelism across MPI processes: workloads_distributed.py).

A builder `build(fw, quick) -> Bench | None` returns, for one framework, a zero-arg callable
doing one (blocked) call of the workload, and optionally a `compile` callable that builds a
FRESH jitted function and calls it once (so every caching layer is cold). None = not applicable.
nablax and JAX share one spelling (`fw.jax`, `fw.jnp`, `fw.lax`): that is the point of nablax.
Inputs come from seeded NumPy generators, so every framework sees the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from benchmarks.frameworks import Framework

f32 = np.float32


@dataclass
class Bench:
    """One framework's version of a workload."""

    run: Callable[[], Any]
    compile: Callable[[], Any] | None = None


@dataclass
class Workload:
    """A named workload; `ref` builds the reference column (NumPy floor or a nablax loop)."""

    name: str
    build: Callable[[Framework, bool], Bench | None]
    ref: Callable[[Framework, bool], Bench | None] | None = None
    ref_fw: str = "numpy"
    ref_label: str = "NumPy"
    compile_name: str | None = None
    rtol: float = 1e-4
    atol: float = 1e-5
    frameworks: tuple[str, ...] | None = None  # restrict to these (None = all)
    # (key, label, builder[, framework]): more variants (nablax's unless a framework is named)
    # timed in the same rounds, shown in the notes
    extras: tuple[tuple, ...] = ()
    # rows timed outside the harness' process (workloads_distributed.py): fills the Row itself, `build` unused
    measure: Callable[[Any, bool], None] | None = None


def jit_first_call(fw: Framework, make: Callable[[], Callable[..., Any]], *args: Any) -> Callable[[], Any]:
    """Compile-time probe: `fw.jax.jit` of a freshly made function, called once and blocked."""
    jit, block = fw.jax.jit, fw.block
    return lambda: block(jit(make())(*args))


# ---------------------------------------------------------------- 1. eager ops on 3 elements
@lru_cache(maxsize=None)
def _three() -> tuple[np.ndarray, np.ndarray]:
    rs = np.random.RandomState(0)
    return rs.randn(3).astype(f32), rs.randn(3).astype(f32)


def eager_sin(fw: Framework, quick: bool) -> Bench | None:
    a, _ = _three()
    if fw.jaxlike:
        sin, x = fw.jnp.sin, fw.jnp.asarray(a)
        return Bench(lambda: sin(x).block_until_ready())
    if fw.name == "torch":
        sin, x = fw.torch.sin, fw.asarray(a)
        return Bench(lambda: sin(x))
    if fw.name == "autograd":
        sin = fw.anp.sin
        return Bench(lambda: sin(a))
    sin = np.sin
    return Bench(lambda: sin(a))


def eager_add(fw: Framework, quick: bool) -> Bench | None:
    a, b = _three()
    if fw.jaxlike:
        x, y = fw.jnp.asarray(a), fw.jnp.asarray(b)
        return Bench(lambda: (x + y).block_until_ready())
    if fw.name == "torch":
        x, y = fw.asarray(a), fw.asarray(b)
        return Bench(lambda: x + y)
    if fw.name == "autograd":
        add = fw.anp.add
        return Bench(lambda: add(a, b))
    add = np.add
    return Bench(lambda: add(a, b))


# ---------------------------------------------------------------- 2. tiny jit
def tiny_jit(fw: Framework, quick: bool) -> Bench | None:
    a, _ = _three()
    if fw.jaxlike:
        x = fw.jnp.asarray(a)
        f = fw.jax.jit(lambda x: x * 2 + 1)
        return Bench(lambda: f(x).block_until_ready(), jit_first_call(fw, lambda: lambda x: x * 2 + 1, x))
    if fw.name == "torch":
        x = fw.asarray(a)
        return Bench(lambda: x * 2 + 1)
    if fw.name == "numpy":
        return Bench(lambda: a * 2 + 1)
    return None


# ---------------------------------------------------------------- 3-4. polynomial derivatives
def poly(x: Any) -> Any:
    """f(x) = x**3 + 2x**2 - 3x + 1."""
    return x**3 + 2 * x**2 - 3 * x + 1


def _nested_grad(grad: Callable[..., Any], f: Callable[..., Any], order: int) -> Callable[..., Any]:
    for _ in range(order):
        f = grad(f)
    return f


def _poly_grad(order: int) -> Callable[[Framework, bool], Bench | None]:
    def build(fw: Framework, quick: bool) -> Bench | None:
        if fw.jaxlike:
            df = _nested_grad(fw.jax.grad, poly, order)
            return Bench(lambda: df(1.0).block_until_ready())
        if fw.name == "torch":
            df, x = _nested_grad(fw.func.grad, poly, order), fw.torch.tensor(1.0)
            return Bench(lambda: df(x))
        if fw.name == "autograd":
            df = _nested_grad(fw.ag.grad, poly, order)
            return Bench(lambda: df(1.0))
        return None

    return build


def jit_grad_poly(fw: Framework, quick: bool) -> Bench | None:
    if not fw.jaxlike:
        return None
    jax = fw.jax
    df = jax.jit(jax.grad(poly))
    return Bench(lambda: df(1.0).block_until_ready(), jit_first_call(fw, lambda: jax.grad(lambda x: poly(x)), 1.0))


# ---------------------------------------------------------------- 5. TD(0) per-example gradients
@lru_cache(maxsize=None)
def _td_data(batch: int) -> tuple[np.ndarray, ...]:
    rs = np.random.RandomState(batch)
    theta = rs.randn(3).astype(f32)
    return theta, rs.randn(batch, 3).astype(f32), rs.randn(batch).astype(f32), rs.randn(batch, 3).astype(f32)


def _td_loss(fw: Framework) -> Callable[..., Any]:
    """td_loss from JAX's autodiff cookbook, in fw's idiom."""
    if fw.jaxlike:
        jnp, stop_gradient = fw.jnp, fw.lax.stop_gradient

        def value_fn(theta: Any, s: Any) -> Any:
            return jnp.dot(theta, s)

        def td_loss(theta: Any, s_tm1: Any, r_t: Any, s_t: Any) -> Any:
            v_tm1 = value_fn(theta, s_tm1)
            target = r_t + value_fn(theta, s_t)
            return (stop_gradient(target) - v_tm1) ** 2

        return td_loss
    torch = fw.torch

    def td_loss_torch(theta: Any, s_tm1: Any, r_t: Any, s_t: Any) -> Any:
        v_tm1 = torch.dot(theta, s_tm1)
        target = r_t + torch.dot(theta, s_t)
        return (target.detach() - v_tm1) ** 2

    return td_loss_torch


def _td_numpy(theta: np.ndarray, s_tm1: np.ndarray, r_t: np.ndarray, s_t: np.ndarray) -> np.ndarray:
    """Hand-written per-example gradient: -2 (r + θ·s_t - θ·s_tm1) s_tm1."""
    delta = r_t + s_t @ theta - s_tm1 @ theta
    return (-2 * delta)[:, None] * s_tm1


def _td_vmap(batch: int, jitted: bool) -> Callable[[Framework, bool], Bench | None]:
    def build(fw: Framework, quick: bool) -> Bench | None:
        data = _td_data(batch)
        if fw.name == "numpy":
            return Bench(lambda: _td_numpy(*data))
        if fw.name == "autograd":
            return None  # autograd has no vmap
        args = [fw.asarray(d) for d in data]
        if fw.name == "torch":  # torch.func has no jit: the eager vmap in both rows
            per_ex = fw.func.vmap(fw.func.grad(_td_loss(fw)), in_dims=(None, 0, 0, 0))
            return Bench(lambda: per_ex(*args))
        jax, td_loss = fw.jax, _td_loss(fw)
        per_ex = jax.vmap(jax.grad(td_loss), in_axes=(None, 0, 0, 0))
        if not jitted:
            return Bench(lambda: per_ex(*args).block_until_ready())
        jper_ex = jax.jit(per_ex)

        def make() -> Callable[..., Any]:
            return jax.vmap(jax.grad(lambda *a: td_loss(*a)), in_axes=(None, 0, 0, 0))

        return Bench(lambda: jper_ex(*args).block_until_ready(), jit_first_call(fw, make, *args))

    return build


def td_loop_grad(fw: Framework, quick: bool) -> Bench | None:
    """A Python loop of grad(td_loss) over 1,024 examples (what vmap replaces)."""
    if not fw.jaxlike or (quick and fw.name == "jax"):  # JAX's loop takes seconds per call
        return None
    theta, s_tm1, r_t, s_t = _td_data(1024)
    g, th = fw.jax.grad(_td_loss(fw)), fw.jnp.asarray(theta)
    rows = [(fw.jnp.asarray(a), fw.jnp.asarray(r), fw.jnp.asarray(b)) for a, r, b in zip(s_tm1, r_t, s_t)]
    stack, block = fw.jnp.stack, fw.block
    return Bench(lambda: block(stack([g(th, a, r, b) for a, r, b in rows])))


# ---------------------------------------------------------------- 6. jacrev via vmap vs a loop of vjp
@lru_cache(maxsize=None)
def _jac_data(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    rs = np.random.RandomState(6)
    return (rs.randn(n, n) / np.sqrt(n)).astype(f32), rs.randn(n).astype(f32)


def jacrev_vmap(fw: Framework, quick: bool) -> Bench | None:
    W, x = _jac_data()
    if fw.jaxlike:
        jnp, Wj, xj = fw.jnp, fw.jnp.asarray(W), fw.jnp.asarray(x)
        jac = fw.jax.jacrev(lambda x: jnp.tanh(Wj @ x))
        return Bench(lambda: jac(xj).block_until_ready())
    if fw.name == "torch":
        torch, Wt, xt = fw.torch, fw.asarray(W), fw.asarray(x)
        jac = fw.func.jacrev(lambda x: torch.tanh(Wt @ x))
        return Bench(lambda: jac(xt))
    if fw.name == "autograd":
        anp = fw.anp
        jac = fw.ag.jacobian(lambda x: anp.tanh(W @ x))
        return Bench(lambda: jac(x))
    return None


def jacrev_loop(fw: Framework, quick: bool) -> Bench | None:
    """Reference: one nablax vjp, then a Python loop of its pullback over the 100 basis rows."""
    W, x = _jac_data()
    jnp, Wj, xj = fw.jnp, fw.jnp.asarray(W), fw.jnp.asarray(x)
    basis = [fw.jnp.asarray(e) for e in np.eye(len(x), dtype=f32)]
    vjp, stack = fw.jax.vjp, fw.jnp.stack

    def loop() -> Any:
        _, pullback = vjp(lambda x: jnp.tanh(Wj @ x), xj)
        return stack([pullback(e)[0] for e in basis]).block_until_ready()

    return Bench(loop)


# ---------------------------------------------------------------- registry
def all_workloads() -> list[Workload]:
    """Every workload, in table order."""
    from benchmarks import workloads_compile as comp
    from benchmarks import workloads_conv as conv
    from benchmarks import workloads_custom_vjp as cvjp
    from benchmarks import workloads_distributed as dist
    from benchmarks import workloads_eager as eager
    from benchmarks import workloads_fusion as fusion
    from benchmarks import workloads_jet as jet
    from benchmarks import workloads_linalg as la
    from benchmarks import workloads_models as m
    from benchmarks import workloads_random as rnd
    from benchmarks import workloads_sparse as sparse

    W = Workload
    out = [
        W("eager_sin_3", eager_sin, ref=eager_sin),
        W("eager_add_3", eager_add, ref=eager_add),
        W("tiny_jit", tiny_jit, ref=tiny_jit, compile_name="compile_tiny_jit"),
        W("eager_grad_poly", _poly_grad(1)),
        W("eager_grad4_poly", _poly_grad(4)),
        W("jit_grad_poly", jit_grad_poly, compile_name="compile_jit_grad_poly"),
    ]
    loop = (("nablax_loop", "nablax loop of grad", td_loop_grad),)
    for b in (2, 1024, 65536):
        out.append(W(f"td_vmap_grad_b{b}", _td_vmap(b, False), ref=_td_vmap(b, False), extras=loop if b == 1024 else ()))
    for b in (2, 1024, 65536):
        name = "compile_td_jit_vmap_grad" if b == 1024 else None
        unjitted = (("nablax_unjitted", "nablax un-jitted", _td_vmap(b, False)),) if b == 2 else ()
        out.append(W(f"td_jit_vmap_grad_b{b}", _td_vmap(b, True), ref=_td_vmap(b, True), compile_name=name, extras=unjitted))
    out.append(W("td_loop_grad_b1024", td_loop_grad, frameworks=("nablax", "jax")))
    out.append(W("jacrev_loop_vs_vmap_100", jacrev_vmap, ref=jacrev_loop, ref_fw="nablax", ref_label="loop of vjp"))
    return (out + m.workloads() + fusion.workloads() + la.workloads() + conv.workloads() + rnd.workloads()
            + eager.workloads() + comp.workloads() + dist.workloads() + sparse.workloads()
            + cvjp.workloads() + jet.workloads())
