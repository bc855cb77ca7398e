"""Workload definitions, part 3: linear algebra (issue 11). Eager factorisations and solves,
a gradient through slogdet, and a jitted Gaussian-process marginal-likelihood `value_and_grad`.

Same conventions as `workloads.py`. All inputs are float32 (JAX's default). The svd and eigh
rows time the full decomposition but check only the singular values / eigenvalues: vectors
are unique only up to sign, so comparing them across libraries would test LAPACK's sign
choices rather than the result.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import scipy.linalg

from benchmarks.frameworks import Framework
from benchmarks.workloads import Bench, Workload, f32, jit_first_call

Builder = Callable[[Framework, bool], "Bench | None"]


def _scipy_linalg(fw: Framework) -> Any:
    """`jax.scipy.linalg` or `nablax.scipy.linalg`."""
    return importlib.import_module(fw.name + ".scipy.linalg")


@lru_cache(maxsize=None)
def _spd(batch: tuple[int, ...], n: int, seed: int) -> np.ndarray:
    """Symmetric positive-definite matrices, well conditioned: M M^T / n + I."""
    M = np.random.RandomState(seed).randn(*batch, n, n)
    return (M @ np.swapaxes(M, -1, -2) / n + np.eye(n)).astype(f32)


# ---------------------------------------------------------------- 12. batched cholesky + cho_solve
def cholesky_cho_solve(fw: Framework, quick: bool) -> Bench | None:
    """16 x (200 x 200): factor every matrix, solve for 8 right-hand sides each."""
    A = _spd((16,), 200, 12)
    B = np.random.RandomState(13).randn(16, 200, 8).astype(f32)
    if fw.name == "numpy":  # the floor: NumPy's stacked Cholesky, SciPy's solve per matrix
        return Bench(lambda: np.stack([scipy.linalg.cho_solve((L, True), b) for L, b in zip(np.linalg.cholesky(A), B)]))
    if fw.name == "torch":
        torch, At, Bt = fw.torch, fw.asarray(A), fw.asarray(B)
        return Bench(lambda: torch.cholesky_solve(Bt, torch.linalg.cholesky(At)))
    if not fw.jaxlike:
        return None
    cholesky, cho_solve = fw.jnp.linalg.cholesky, _scipy_linalg(fw).cho_solve
    Aj, Bj = fw.asarray(A), fw.asarray(B)
    return Bench(lambda: cho_solve((cholesky(Aj), True), Bj).block_until_ready())


# ---------------------------------------------------------------- 13. grad of slogdet
@lru_cache(maxsize=None)
def _general(n: int, seed: int) -> np.ndarray:
    return (np.random.RandomState(seed).randn(n, n) / np.sqrt(n) + 2 * np.eye(n)).astype(f32)


def grad_slogdet(fw: Framework, quick: bool) -> Bench | None:
    """d log|det A| / dA = A^{-T}, for a 100 x 100 matrix."""
    A = _general(100, 14)
    if fw.name == "numpy":
        return Bench(lambda: np.linalg.inv(A).T)
    if fw.name == "torch":
        torch, At = fw.torch, fw.asarray(A)
        g = fw.func.grad(lambda A: torch.linalg.slogdet(A)[1])
        return Bench(lambda: g(At))
    if fw.name == "autograd":
        anp = fw.anp
        g = fw.ag.grad(lambda A: anp.linalg.slogdet(A)[1])
        return Bench(lambda: g(A))
    jnp, Aj = fw.jnp, fw.asarray(A)
    g = fw.jax.grad(lambda A: jnp.linalg.slogdet(A)[1])
    return Bench(lambda: g(Aj).block_until_ready())


# ---------------------------------------------------------------- 14-15. svd and eigh
def svd(fw: Framework, quick: bool) -> Bench | None:
    """Full SVD (U, s, Vh) of a 200 x 200 matrix; the check compares s."""
    A = _general(200, 15)
    if fw.name == "numpy":
        return Bench(lambda: np.linalg.svd(A)[1])
    if fw.name == "torch":
        torch_svd, At = fw.torch.linalg.svd, fw.asarray(A)
        return Bench(lambda: torch_svd(At)[1])
    if not fw.jaxlike:
        return None
    jsvd, Aj, block = fw.jnp.linalg.svd, fw.asarray(A), fw.block
    return Bench(lambda: block(jsvd(Aj))[1])


def eigh(fw: Framework, quick: bool) -> Bench | None:
    """Eigenvalues and eigenvectors of a symmetric 200 x 200 matrix; the check compares eigenvalues."""
    A = _spd((), 200, 16)
    if fw.name == "numpy":
        return Bench(lambda: np.linalg.eigh(A)[0])
    if fw.name == "torch":
        torch_eigh, At = fw.torch.linalg.eigh, fw.asarray(A)
        return Bench(lambda: torch_eigh(At)[0])
    if not fw.jaxlike:
        return None
    jeigh, Aj, block = fw.jnp.linalg.eigh, fw.asarray(A), fw.block
    return Bench(lambda: block(jeigh(Aj))[0])


# ---------------------------------------------------------------- 16. GP negative log marginal likelihood
@lru_cache(maxsize=None)
def _gp_data(n: int = 200, d: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rs = np.random.RandomState(17)
    x = rs.uniform(-2, 2, (n, d))
    y = np.sin(x).sum(axis=1) + 0.1 * rs.randn(n)
    theta = np.log([1.0, 1.0, 0.3])  # log lengthscale, log amplitude, log noise
    return theta.astype(f32), x.astype(f32), y.astype(f32)


def _gp_nll(fw: Framework) -> Callable[[Any, Any, Any], Any]:
    """NLL = y^T K^-1 y / 2 + log det K / 2 + n log(2 pi) / 2, K = a^2 exp(-|x - x'|^2 / 2 l^2) + s^2 I."""
    xp = fw.torch if fw.name == "torch" else (fw.jnp if fw.jaxlike else fw.anp)
    if fw.jaxlike:
        jsl = _scipy_linalg(fw)

        def solve(K: Any, y: Any) -> Any:
            return jsl.cho_solve(jsl.cho_factor(K, lower=True), y)
    elif fw.name == "torch":
        torch = fw.torch

        def solve(K: Any, y: Any) -> Any:
            return torch.cholesky_solve(y[:, None], torch.linalg.cholesky(K))[:, 0]
    else:
        solve_triangular = importlib.import_module("autograd.scipy.linalg").solve_triangular

        def solve(K: Any, y: Any) -> Any:
            L = xp.linalg.cholesky(K)
            return solve_triangular(L.T, solve_triangular(L, y, lower=True), lower=False)

    def nll(theta: Any, x: Any, y: Any) -> Any:
        ell, amp, noise = xp.exp(theta[0]), xp.exp(theta[1]), xp.exp(theta[2])
        sq = xp.sum((x[:, None, :] - x[None, :, :]) ** 2, -1)
        K = amp**2 * xp.exp(-0.5 * sq / ell**2) + noise**2 * xp.eye(x.shape[0])
        return 0.5 * xp.sum(y * solve(K, y)) + 0.5 * xp.linalg.slogdet(K)[1] + 0.5 * x.shape[0] * np.log(2 * np.pi)

    return nll


def _gp_numpy(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray]:
    """Hand-written value and gradient: dNLL/dθ_i = tr((K^-1 - α α^T) dK/dθ_i) / 2, α = K^-1 y."""
    ell, amp, noise = np.exp(theta)
    sq = np.sum((x[:, None, :] - x[None, :, :]) ** 2, -1)
    Kf = amp**2 * np.exp(-0.5 * sq / ell**2)
    K = Kf + noise**2 * np.eye(len(x), dtype=x.dtype)
    factor = scipy.linalg.cho_factor(K, lower=True)
    alpha = scipy.linalg.cho_solve(factor, y)
    W = scipy.linalg.cho_solve(factor, np.eye(len(x), dtype=x.dtype)) - np.outer(alpha, alpha)
    logdet = 2 * np.sum(np.log(np.diag(factor[0])))
    value = 0.5 * y @ alpha + 0.5 * logdet + 0.5 * len(x) * np.log(2 * np.pi)
    dK = (Kf * sq / ell**2, 2 * Kf)  # dK/dlog l, dK/dlog a; dK/dlog s = 2 s^2 I
    grad = [0.5 * np.sum(W * d) for d in dK] + [noise**2 * np.trace(W)]
    return value, np.array(grad, dtype=x.dtype)


def gp_value_and_grad(fw: Framework, quick: bool) -> Bench | None:
    """jit(value_and_grad(nll)) over 3 kernel hyperparameters, 200 points in 3 dimensions."""
    data = _gp_data()
    if fw.name == "numpy":
        return Bench(lambda: _gp_numpy(*data))
    nll, args = _gp_nll(fw), [fw.asarray(a) for a in data]
    if fw.name == "torch":
        g = fw.func.grad_and_value(nll)
        return Bench(lambda: g(*args)[::-1])
    if fw.name == "autograd":
        g = fw.ag.value_and_grad(nll)
        return Bench(lambda: g(*args))
    jax, block = fw.jax, fw.block

    def make() -> Callable[..., Any]:
        return jax.value_and_grad(lambda *a: nll(*a))

    f = jax.jit(make())
    return Bench(lambda: block(f(*args)), jit_first_call(fw, make, *args))


def workloads() -> list[Workload]:
    """Part 3 of the table, in order."""
    W = Workload
    return [
        W("cholesky_cho_solve_16x200", cholesky_cho_solve, ref=cholesky_cho_solve, rtol=1e-3, atol=1e-4),
        W("grad_slogdet_100", grad_slogdet, ref=grad_slogdet, rtol=1e-3, atol=1e-4),
        W("svd_200", svd, ref=svd, rtol=1e-3, atol=1e-4),
        W("eigh_200", eigh, ref=eigh, rtol=1e-3, atol=1e-4),
        W("gp_nll_value_and_grad", gp_value_and_grad, ref=gp_value_and_grad, compile_name="compile_gp_nll_value_and_grad",
          rtol=1e-3, atol=1e-3),
    ]
