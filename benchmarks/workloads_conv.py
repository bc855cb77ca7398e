"""Workload definitions, part 4: convolutions, pooling and FFT (issue 12). A jitted conv2d
forward + backward, the CNN training step of examples/cnn_digits.py, an rfft/irfft round trip
and its gradient, and a 2x2 max-pool forward + backward.

Same conventions as `workloads.py`; inputs are float32. nablax and JAX use NHWC / HWIO with
`lax.conv_general_dilated` and `lax.reduce_window`, as a JAX user writes them. torch.func gets
the same numbers in its own layout (NCHW / OIHW, converted once outside the timed call) and
returns its results as NHWC views, so the check compares like with like. The NumPy column is a
hand-written floor: windows from `sliding_window_view` contracted by one `einsum` each way.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload, f32, jit_first_call

Builder = Callable[[Framework, bool], "Bench | None"]
DN = ("NHWC", "HWIO", "NHWC")


def _nchw(fw: Framework, x: np.ndarray) -> Any:
    """An NHWC NumPy array as a contiguous NCHW torch tensor."""
    return fw.asarray(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def _oihw(fw: Framework, w: np.ndarray) -> Any:
    """An HWIO NumPy kernel as a contiguous OIHW torch tensor."""
    return fw.asarray(np.ascontiguousarray(w.transpose(3, 2, 0, 1)))


def _jitted(fw: Framework, make: Callable[[], Callable[..., Any]], *args: Any) -> Bench:
    """Bench of `jit(make())(*args)` on nablax or JAX, with its compile probe."""
    f, block = fw.jax.jit(make()), fw.block
    return Bench(lambda: block(f(*args)), jit_first_call(fw, make, *args))


# ---------------------------------------------------------------- 17. conv2d forward + backward
@lru_cache(maxsize=None)
def _conv_data() -> tuple[np.ndarray, np.ndarray]:
    rs = np.random.RandomState(17)
    return rs.randn(32, 32, 32, 3).astype(f32), (rs.randn(3, 3, 3, 16) / np.sqrt(27)).astype(f32)


def _conv_numpy(x: np.ndarray, w: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray]:
    """value and (dx, dw) of sum(conv(x, w)^2) / 2 for a SAME 3x3 conv, by windows + einsum."""
    pad = ((0, 0), (1, 1), (1, 1), (0, 0))
    windows = sliding_window_view(np.pad(x, pad), (3, 3), axis=(1, 2))        # (n, h, w, c, 3, 3)
    y = np.einsum("nhwcij,ijco->nhwo", windows, w, optimize=True)
    dw = np.einsum("nhwcij,nhwo->ijco", windows, y, optimize=True)
    y_windows = sliding_window_view(np.pad(y, pad), (3, 3), axis=(1, 2))      # (n, h, w, o, 3, 3)
    dx = np.einsum("nhwoij,ijco->nhwc", y_windows, w[::-1, ::-1], optimize=True)
    return 0.5 * np.sum(y * y), dx, dw


def conv2d_fwd_bwd(fw: Framework, quick: bool) -> Bench | None:
    """value_and_grad over (x, w) of sum(conv(x, w)^2) / 2: batch 32, 32x32, 3 -> 16 channels, 3x3 SAME."""
    x, w = _conv_data()
    if fw.name == "numpy":
        return Bench(lambda: _conv_numpy(x, w))
    if fw.name == "torch":
        F, xt, wt = fw.torch.nn.functional, _nchw(fw, x), _oihw(fw, w)
        g = fw.func.grad_and_value(lambda x, w: 0.5 * (F.conv2d(x, w, padding=1) ** 2).sum(), argnums=(0, 1))

        def run_torch() -> Any:
            (dx, dw), value = g(xt, wt)
            return value, dx.permute(0, 2, 3, 1), dw.permute(2, 3, 1, 0)

        return Bench(run_torch)
    if not fw.jaxlike:
        return None
    jax, jnp, lax = fw.jax, fw.jnp, fw.lax

    def make() -> Callable[..., Any]:
        def f(x: Any, w: Any) -> Any:
            y = lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=DN)
            return 0.5 * jnp.sum(y * y)

        vg = jax.value_and_grad(f, argnums=(0, 1))
        return lambda x, w: (lambda v, g: (v, *g))(*vg(x, w))

    return _jitted(fw, make, fw.asarray(x), fw.asarray(w))


# ---------------------------------------------------------------- 18. the CNN training step (examples/cnn_digits.py)
@lru_cache(maxsize=None)
def _cnn_data() -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """He-initialised conv 1->16, conv 16->32 (HWIO), dense 128->10, and a batch of 32 8x8 images."""
    rs = np.random.RandomState(18)
    shapes = [((3, 3, 1, 16), 9), ((3, 3, 16, 32), 144), ((128, 10), 128)]
    params = [((rs.randn(*s) * np.sqrt(2 / fan_in)).astype(f32), np.zeros(s[-1], f32)) for s, fan_in in shapes]
    return params, rs.rand(32, 8, 8, 1).astype(f32), rs.randint(0, 10, 32).astype(np.int32)


LR, B1, B2, EPS = 0.003, 0.9, 0.999, 1e-8


def _adam(params: Any, grads: Any, m: Any, v: Any, sqrt: Callable[[Any], Any]) -> tuple[list, list, list]:
    """Adam's update at t = 1 on lists of (weight, bias) pairs, in any framework."""
    scale = float(LR * np.sqrt(1 - B2) / (1 - B1))
    out: tuple[list, list, list] = ([], [], [])
    for p2, g2, m2, v2 in zip(params, grads, m, v):
        pm = [(B1 * mi + (1 - B1) * gi, B2 * vi + (1 - B2) * gi * gi) for gi, mi, vi in zip(g2, m2, v2)]
        out[0].append(tuple(p - scale * mi / (sqrt(vi) + EPS) for p, (mi, vi) in zip(p2, pm)))
        out[1].append(tuple(mi for mi, _ in pm))
        out[2].append(tuple(vi for _, vi in pm))
    return out


def _cnn_loss_jaxlike(fw: Framework) -> Callable[[Any, Any, Any], Any]:
    jax, jnp, lax = fw.jax, fw.jnp, fw.lax

    def loss(params: Any, x: Any, y: Any) -> Any:
        for w, b in params[:-1]:
            x = lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=DN)
            x = lax.reduce_window(jax.nn.relu(x + b), -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        w, b = params[-1]
        logp = jax.nn.log_softmax(x.reshape(x.shape[0], -1) @ w + b)
        return -jnp.mean(jnp.sum(logp * jax.nn.one_hot(y, 10), axis=-1))

    return loss


def _cnn_loss_torch(fw: Framework) -> Callable[[Any, Any, Any], Any]:
    F = fw.torch.nn.functional

    def loss(params: Any, x: Any, y: Any) -> Any:  # x: NCHW, conv kernels: OIHW
        for w, b in params[:-1]:
            x = F.max_pool2d(F.relu(F.conv2d(x, w, b, padding=1)), 2)
        w, b = params[-1]
        logits = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1) @ w + b  # flatten in NHWC order, as the others
        return F.cross_entropy(logits, y)

    return loss


def cnn_train_step(fw: Framework, quick: bool) -> Bench | None:
    """One jitted value_and_grad + Adam step of the example's CNN on a batch of 32 digits-sized images."""
    params, x, y = _cnn_data()
    if fw.name == "torch":
        torch = fw.torch
        p = [(_oihw(fw, w), fw.asarray(b)) for w, b in params[:-1]] + [tuple(map(fw.asarray, params[-1]))]
        zeros = [tuple(torch.zeros_like(a) for a in pair) for pair in p]
        xt, yt = _nchw(fw, x), torch.from_numpy(y.astype(np.int64))
        g = fw.func.grad_and_value(_cnn_loss_torch(fw))
        hwio = lambda a: a.permute(2, 3, 1, 0) if a.ndim == 4 else a  # noqa: E731

        def run_torch() -> Any:
            grads, value = g(p, xt, yt)
            new = _adam(p, grads, zeros, zeros, torch.sqrt)
            return value, [[tuple(hwio(a) for a in pair) for pair in part] for part in new]

        return Bench(run_torch)
    if not fw.jaxlike:
        return None
    jax, jnp, loss = fw.jax, fw.jnp, _cnn_loss_jaxlike(fw)
    p = [tuple(map(fw.asarray, pair)) for pair in params]
    zeros = [tuple(jnp.zeros_like(a) for a in pair) for pair in p]

    def make() -> Callable[..., Any]:
        vg = jax.value_and_grad(lambda *a: loss(*a))

        def step(params: Any, m: Any, v: Any, x: Any, y: Any) -> Any:
            value, grads = vg(params, x, y)
            return value, list(_adam(params, grads, m, v, jnp.sqrt))

        return step

    return _jitted(fw, make, p, zeros, zeros, fw.asarray(x), fw.asarray(y))


# ---------------------------------------------------------------- 19-20. rfft / irfft round trip and its gradient
@lru_cache(maxsize=None)
def _signal() -> np.ndarray:
    return np.random.RandomState(19).randn(2**20).astype(f32)


def _fft_round_trip(grad: bool) -> Builder:
    """irfft(rfft(x), n) on 2^20 float32; with `grad`, the gradient of sum(round_trip(x)^2) / 2."""

    def build(fw: Framework, quick: bool) -> Bench | None:
        x = _signal()
        n = x.shape[0]
        if fw.name == "numpy":
            def trip(x: np.ndarray) -> np.ndarray:
                return scipy.fft.irfft(scipy.fft.rfft(x), n)

            return Bench((lambda: trip(trip(x))) if grad else (lambda: trip(x)))  # the trip is self-adjoint
        if fw.name == "torch":
            fft, xt = fw.torch.fft, fw.asarray(x)
            trip_t = lambda x: fft.irfft(fft.rfft(x), n)  # noqa: E731
            g = fw.func.grad(lambda x: 0.5 * (trip_t(x) ** 2).sum())
            return Bench((lambda: g(xt)) if grad else (lambda: trip_t(xt)))
        if not fw.jaxlike:
            return None
        jax, jnp = fw.jax, fw.jnp

        def make() -> Callable[..., Any]:
            def trip(x: Any) -> Any:
                return jnp.fft.irfft(jnp.fft.rfft(x), n)

            return jax.grad(lambda x: 0.5 * jnp.sum(trip(x) ** 2)) if grad else trip

        return _jitted(fw, make, fw.asarray(x))

    return build


# ---------------------------------------------------------------- 21. max-pool 2x2 forward + backward
@lru_cache(maxsize=None)
def _pool_data() -> np.ndarray:
    return np.random.RandomState(21).randn(32, 32, 32, 16).astype(f32)


def _pool_numpy(x: np.ndarray) -> tuple[Any, np.ndarray]:
    """value and gradient of sum(maxpool(x)^2) / 2: the window's first maximum gets the cotangent."""
    n, h, w, c = x.shape
    blocks = x.reshape(n, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4).reshape(n, h // 2, w // 2, c, 4)
    first = np.argmax(blocks, axis=-1)
    pooled = np.take_along_axis(blocks, first[..., None], -1)
    dblocks = (np.arange(4) == first[..., None]) * pooled
    dx = dblocks.reshape(n, h // 2, w // 2, c, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(x.shape)
    return 0.5 * np.sum(pooled * pooled), dx


def max_pool_fwd_bwd(fw: Framework, quick: bool) -> Bench | None:
    """value_and_grad of sum(maxpool_2x2(x)^2) / 2 over x of shape (32, 32, 32, 16), NHWC."""
    x = _pool_data()
    if fw.name == "numpy":
        return Bench(lambda: _pool_numpy(x))
    if fw.name == "torch":
        F, xt = fw.torch.nn.functional, _nchw(fw, x)
        g = fw.func.grad_and_value(lambda x: 0.5 * (F.max_pool2d(x, 2) ** 2).sum())

        def run_torch() -> Any:
            dx, value = g(xt)
            return value, dx.permute(0, 2, 3, 1)

        return Bench(run_torch)
    if not fw.jaxlike:
        return None
    jax, jnp, lax = fw.jax, fw.jnp, fw.lax

    def make() -> Callable[..., Any]:
        def f(x: Any) -> Any:
            y = lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
            return 0.5 * jnp.sum(y * y)

        return jax.value_and_grad(f)

    return _jitted(fw, make, fw.asarray(x))


def workloads() -> list[Workload]:
    """Part 4 of the table, in order."""
    W = Workload
    return [
        W("conv2d_fwd_bwd_b32_32x32_3to16", conv2d_fwd_bwd, ref=conv2d_fwd_bwd,
          compile_name="compile_conv2d_fwd_bwd", rtol=1e-3, atol=1e-2),
        W("cnn_digits_train_step", cnn_train_step, compile_name="compile_cnn_digits_train_step", rtol=1e-3, atol=1e-5),
        W("rfft_irfft_2e20", _fft_round_trip(False), ref=_fft_round_trip(False), rtol=1e-3, atol=1e-5),
        W("rfft_irfft_grad_2e20", _fft_round_trip(True), ref=_fft_round_trip(True), rtol=1e-3, atol=1e-5),
        W("max_pool_2x2_fwd_bwd_32x32x32x16", max_pool_fwd_bwd, ref=max_pool_fwd_bwd, rtol=1e-4, atol=1e-5),
    ]
