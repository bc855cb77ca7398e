"""Machine description, the §8 performance targets, and cProfile summaries of the nablax side."""
from __future__ import annotations

import cProfile
import io
import os
import platform
import pstats
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from benchmarks.frameworks import LABELS, Framework
from benchmarks.timing import Stats


@dataclass
class Row:
    """One table row: per-column stats (None = not run), the reference column, check status."""

    name: str
    times: dict[str, Stats | None] = field(default_factory=dict)
    ref: Stats | None = None
    ref_label: str = ""
    check: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)  # extra variants: key -> label
    notes: list[str] = field(default_factory=list)  # more text for the notes column

    def t(self, col: str) -> float | None:
        """Median seconds of a column ("ref" for the reference), or None."""
        s = self.ref if col == "ref" else self.times.get(col)
        return s.median if s is not None else None


def machine(fws: dict[str, Framework]) -> list[str]:
    """Lines describing this machine and the library versions."""
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    versions = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    versions += [f"{fw.name} {fw.version}" for name, fw in fws.items() if name != "numpy"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        f"CPU: {cpu}, {os.cpu_count()} logical cores; {platform.system()} {platform.release()}",
        f"Load average (1/5/15 min) at the end of the run: {load} (other processes share this machine)",
        "Versions: " + ", ".join(versions),
        "Threads: one per framework (BLAS, XLA, torch; benchmarks/__init__.py); OPENBLAS_CORETYPE="
        + os.environ.get("OPENBLAS_CORETYPE", "(OpenBLAS's own choice)"),
    ]


@dataclass
class Target:
    """A performance goal: `value(rows)` compared with `limit` (`<=` unless `at_least`)."""

    text: str
    value: Callable[[dict[str, Row]], float | None]
    limit: float
    at_least: bool = False
    workloads: tuple[str, ...] = ()  # rows whose nablax side is profiled when missed
    info: bool = False  # shown for context, never MET/MISSED
    unit: str = "×"  # how the value prints ("s" for a time in seconds)

    def judge(self, rows: dict[str, Row]) -> tuple[float | None, str]:
        """(measured value, 'MET' / 'MISSED' / 'n/a')."""
        v = self.value(rows)
        if v is None:
            return None, "n/a"
        if self.info:
            return v, "info"
        ok = v >= self.limit if self.at_least else v <= self.limit
        return v, "MET" if ok else "MISSED"


def ratio(a: str, col_a: str, b: str, col_b: str) -> Callable[[dict[str, Row]], float | None]:
    """rows[a][col_a] / rows[b][col_b], None when either is missing."""

    def value(rows: dict[str, Row]) -> float | None:
        x = rows[a].t(col_a) if a in rows else None
        y = rows[b].t(col_b) if b in rows else None
        return x / y if x is not None and y else None

    return value


def ratio_to_best(row: str, cols: tuple[str, ...]) -> Callable[[dict[str, Row]], float | None]:
    """nablax over the fastest of `cols` on `row` (None when none of them ran)."""

    def value(rows: dict[str, Row]) -> float | None:
        r = rows.get(row)
        times = [t for t in (r.t(c) for c in cols) if t] if r is not None else []
        x = r.t("nablax") if r is not None else None
        return x / min(times) if x is not None and times else None

    return value


def seconds(row: str, col: str = "nablax") -> Callable[[dict[str, Row]], float | None]:
    """The median of one column, in seconds."""
    return lambda rows: rows[row].t(col) if row in rows else None


_COLUMN_NAMES = {**LABELS, "ref": "NumPy"}  # (the eager targets' reference column is NumPy)

# Goals against JAX, in order: row -> (limit on nablax time / JAX time, what the row measures).
_VS_JAX = {  # issue 15: every steady-state jit row at most JAX's time
    "tiny_jit": (1.0, "tiny jit call"), "jit_grad_poly": (1.0, "jit(grad(poly)) call"),
    "td_jit_vmap_grad_b2": (1.0, "td jit(vmap(grad)) b2"), "td_jit_vmap_grad_b1024": (1.0, "td jit(vmap(grad)) b1024"),
    "td_jit_vmap_grad_b65536": (1.0, "td jit(vmap(grad)) b65536"),
    "hessian_tanh_100": (1.0, "Hessian n=100"), "hessian_tanh_500": (1.0, "Hessian n=500"),
    "hvp_tanh_100": (1.0, "HVP n=100"), "hvp_tanh_500": (1.0, "HVP n=500"),
    "mlp_sgd_step": (1.0, "MLP SGD step"), "maml_sinusoid": (1.0, "MAML meta-gradient"),
    "per_example_grads_mlp": (1.0, "per-example grads MLP"),
    "elementwise_chain_10M": (1.0, "elementwise chain 10M"), "elementwise_chain_grad_10M": (1.0, "its grad"),
    "w6_forward_10M": (0.15, "W6 sum(sin·cos + x²) 10M forward"), "w6_grad_10M": (0.35, "W6 grad"),
    "compile_mlp_sgd_step": (0.2, "compile of MLP step"),
    "compile_td_jit_vmap_grad": (0.2, "compile of td per-example grads"),
    "cholesky_cho_solve_16x200": (1.0, "batched cholesky + cho_solve 16×200×200"),
    "grad_slogdet_100": (1.0, "grad of slogdet 100×100"), "svd_200": (1.0, "svd 200×200"),
    "eigh_200": (1.0, "eigh 200×200"), "gp_nll_value_and_grad": (1.0, "GP NLL jit(value_and_grad)"),
    "conv2d_fwd_bwd_b32_32x32_3to16": (1.0, "conv2d fwd+bwd b32 32×32 3→16"),
    "cnn_digits_train_step": (1.0, "CNN digits train step"),
    "rfft_irfft_2e20": (1.0, "rfft/irfft round trip 2^20"),
    "rfft_irfft_grad_2e20": (1.0, "grad of rfft/irfft round trip 2^20"),
    "max_pool_2x2_fwd_bwd_32x32x32x16": (1.0, "max-pool 2×2 fwd+bwd (32,32,32,16)"),
    "random_normal_1e6_jit": (1.0, "random.normal 10^6 under jit"),
    "random_gamma_1e5_jit": (1.0, "random.gamma 10^5 under jit"),
    "vmap_split_uniform_1000_keys_jit": (1.0, "vmap over 1000 keys of split + uniform"),
    "hmc_step_8_chains": (1.0, "HMC example's jitted transition (8 chains)"),
}
# issue 15: eager rows at most the faster of autograd and torch.func
_EAGER_ROWS = {"eager_grad_poly": "eager grad(poly)", "eager_grad4_poly": "eager 4th derivative",
               "td_vmap_grad_b2": "eager vmap(grad) b2", "td_vmap_grad_b1024": "eager vmap(grad) b1024",
               "td_vmap_grad_b65536": "eager vmap(grad) b65536", "eager_mlp_sgd_step": "eager MLP SGD step"}


def targets() -> list[Target]:
    """The targets of the brief, in order: nablax time over another column's time on one row
    (`vs`, with autograd's and torch.func's shown for context by `context`), or speed-ups."""

    def vs(row: str, col: str, limit: float, what: str) -> Target:
        return Target(f"{what} ≤ {limit:g}× {_COLUMN_NAMES[col]}", ratio(row, "nablax", row, col), limit,
                      workloads=(row,))

    def context(row: str, what: str) -> list[Target]:
        return [Target(f"{what}, nablax/{_COLUMN_NAMES[col]}", ratio(row, "nablax", row, col), 0, workloads=(row,),
                       info=True) for col in ("autograd", "torch")]

    def speedup(slow: tuple[str, str], fast: tuple[str, str], limit: float, text: str, prof: tuple[str, ...]) -> Target:
        return Target(text, ratio(*slow, *fast), limit, True, prof)

    return [
        vs("eager_sin_3", "ref", 5, "eager jnp.sin(a), 3 floats"),
        vs("eager_add_3", "ref", 8, "eager a + b, 3 floats"),
        vs("eager_grad_poly", "jax", 0.1, "eager grad(poly)"), *context("eager_grad_poly", "eager grad(poly)"),
        vs("eager_grad4_poly", "jax", 0.1, "eager 4th derivative"), *context("eager_grad4_poly", "eager 4th derivative"),
        speedup(("td_vmap_grad_b1024", "nablax_loop"), ("td_vmap_grad_b1024", "nablax"), 20,
                "vmap(grad(td_loss)) b1024 speed-up over a Python loop of grad ≥ 20×", ("td_vmap_grad_b1024",)),
        speedup(("jacrev_loop_vs_vmap_100", "ref"), ("jacrev_loop_vs_vmap_100", "nablax"), 10,
                "jacrev R^100→R^100 (vmap) speed-up over a loop of vjp ≥ 10×", ("jacrev_loop_vs_vmap_100",)),
        speedup(("td_jit_vmap_grad_b2", "nablax_unjitted"), ("td_jit_vmap_grad_b2", "nablax"), 20,
                "td jit(vmap(grad)) b2 speed-up over un-jitted ≥ 20×", ("td_jit_vmap_grad_b2", "td_vmap_grad_b2")),
        *(vs(row, "jax", limit, what) for row, (limit, what) in _VS_JAX.items()),
        *(Target(f"{what} ≤ 1× the faster of autograd and torch.func", ratio_to_best(row, ("autograd", "torch")), 1.0,
                 workloads=(row,)) for row, what in _EAGER_ROWS.items()),
        vs("sum_10M", "ref", 1.05, "jit(jnp.sum) of 10M float32"),
        Target("W6 forward ≤ 3× torch.compile", ratio("w6_forward_10M", "nablax", "w6_forward_10M", "torch_compile"),
               3.0, workloads=("w6_forward_10M",)),
        Target("W6 grad ≤ 1.5× torch.compile", ratio("w6_grad_10M", "nablax", "w6_grad_10M", "torch_compile"),
               1.5, workloads=("w6_grad_10M",)),
        Target("W6 forward on 2 threads ≤ 0.6× its 1-thread time",
               ratio("w6_forward_10M", "nablax_threads2", "w6_forward_10M", "nablax"), 0.6, workloads=("w6_forward_10M",)),
        Target("first call of jit on a 10,000-op chain ≤ 1 s", seconds("compile_chain_10000"), 1.0,
               workloads=("compile_chain_10000",), unit="s"),
        speedup(("dp_mlp_step_2ranks", "ref"), ("dp_mlp_step_2ranks", "nablax"), 1.6,
                "data-parallel MLP step on 2 MPI ranks: throughput over 1 process ≥ 1.6×", ()),
        Target("psum of 1M float32 across 2 ranks ≤ 2× mpi4py Allreduce",
               ratio("psum_1M_2ranks", "nablax", "psum_1M_2ranks", "ref"), 2.0),
        speedup(("jet_8th_derivative", "ref"), ("jet_8th_derivative", "nablax"), 10,
                "jet: 8th derivative of a 50-op scalar program over 8 nested jvp ≥ 10×", ("jet_8th_derivative",)),
        speedup(("sparse_jacobian_tridiag_10000", "ref"), ("sparse_jacobian_tridiag_10000", "nablax"), 100,
                "sparse_jacobian of the n = 10,000 tridiagonal residual over jacfwd ≥ 100×",
                ("sparse_jacobian_tridiag_10000",)),
    ]


def target_lines(rows: dict[str, Row], markdown: bool) -> tuple[list[str], list[str]]:
    """Rendered target table and the names of rows whose targets were missed."""
    out = ["| target | measured | status |", "|---|---|---|"] if markdown else []
    missed: list[str] = []
    judged = [(tg, *tg.judge(rows)) for tg in targets()]
    if any(v is not None for _, v, _ in judged):  # with --only, just the targets this run measured
        judged = [j for j in judged if j[1] is not None]
    for tg, v, status in judged:
        shown = "—" if v is None else (f"{v:.1f}× speed-up" if tg.at_least else f"{v:.3g}{' ' * (tg.unit != '×')}{tg.unit}")
        out.append(f"| {tg.text} | {shown} | {status} |" if markdown else f"  {status:6} {shown:>16}  {tg.text}")
        if status == "MISSED":
            missed += [w for w in tg.workloads if w not in missed]
    return out, missed


def profile(fn: Callable[[], Any], seconds: float = 2.0, top: int = 15) -> str:
    """cProfile `fn` called repeatedly for about `seconds`; the top entries by tottime."""
    fn()
    t0, n = time.perf_counter(), 0
    prof = cProfile.Profile()
    prof.enable()
    while time.perf_counter() - t0 < seconds or n == 0:
        fn()
        n += 1
    prof.disable()
    buf = io.StringIO()
    buf.write(f"{n} calls profiled\n")
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    start = text.find("   ncalls")
    return f"{n} calls profiled\n" + (text[start:] if start >= 0 else text)


def warn(msg: str) -> None:
    """A line on stderr."""
    print(msg, file=sys.stderr, flush=True)
