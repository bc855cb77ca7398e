"""Workload definitions, part 8: data parallelism across MPI processes (2 ranks on this 2-core machine).

The harness runs in one process, so each row launches a worker job, `mpiexec -n 2 python -m
benchmarks.workloads_distributed WORKER`, with one BLAS/OpenMP thread per process (2 ranks use 2
cores, 1 process uses 1). The workers time themselves as benchmarks/timing.py does (warm-up, an
inner loop of calls sized so a sample lasts >= 20 ms, the median of the samples, the row's
variants interleaved round-robin so machine noise lands on both), in step over the ranks: rank 0
sizes the inner loops and broadcasts them, each sample starts at a barrier and lasts as long as
the slowest rank's, and waiting ranks sleep rather than spin. Rank 0 prints the samples as JSON.

- `dp_mlp_step_2ranks`: one data-parallel SGD step of examples/data_parallel_mlp.py (its pmap +
  pmean step) on an MLP 64-1024-1024-10 and one global batch of 4,096 examples split over the 2
  ranks (one device each), against 1 process taking the example's `--single` step (one jitted
  step on the whole batch): rank 0 alone, while rank 1 sleeps. The check compares the
  parameters of the two after 2 steps from the same start.
- `psum_1M_2ranks`: `pmap(lambda v: lax.psum(v, "i"))` of a 1M float32 array on 2 ranks, against
  mpi4py's own `comm.Allreduce` of the same buffer into a preallocated one (and, in the notes, into
  a new array each call, which is what psum returns). The check compares the two sums.

Without mpiexec on PATH or without mpi4py the rows are skipped, the reason in their check column.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from benchmarks.report import Row, warn
from benchmarks.timing import Stats, fmt_time

ROOT = Path(__file__).resolve().parent.parent
RANKS = 2
DP_SIZES, DP_BATCH, DP_LR = (64, 1024, 1024, 10), 4096, 0.01
PSUM_SIZE = 1 << 20
CHECK_STEPS = 2
MIN_SAMPLE_S = 0.02
TIMEOUT_S = 300


# ---------------------------------------------------------------- the workers (run under mpiexec)
class _Timer:
    """Sampling in step over the ranks of `comm`: every rank makes the same calls, each sample starts
    together and lasts as long as the slowest rank's; ranks wait by polling and sleeping, so an idle
    rank leaves its core to the others."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm

    def barrier(self) -> None:
        """MPI_Barrier without its busy wait."""
        request = self.comm.Ibarrier()
        while not request.Test():
            time.sleep(1e-4)

    def _sample(self, fn: Callable[[], Any], n: int) -> float:
        self.barrier()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        self.barrier()
        return self.comm.allreduce(t, op=_mpi().MAX)

    def time(self, fns: dict[str, Callable[[], Any]], samples: int) -> dict[str, dict]:
        """{key: {"samples": per-call seconds, "inner": n}}, sampled round-robin after 2 warm-up calls."""
        inner = {}
        for key, fn in fns.items():
            self._sample(fn, 1)
            t = self._sample(fn, 1)
            inner[key] = self.comm.bcast(max(1, math.ceil(MIN_SAMPLE_S / max(t, 1e-9))), root=0)
        times: dict[str, list[float]] = {k: [] for k in fns}
        for _ in range(samples):
            for key, fn in fns.items():
                times[key].append(self._sample(fn, inner[key]) / inner[key])
        return {k: {"samples": v, "inner": inner[k]} for k, v in times.items()}


def _mpi() -> Any:
    from mpi4py import MPI

    return MPI


def _example() -> Any:
    """examples/data_parallel_mlp.py, imported as `python examples/...` would (its folder on the path)."""
    sys.path.insert(0, str(ROOT / "examples"))
    import data_parallel_mlp

    return data_parallel_mlp


def _dp_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.random((DP_BATCH, DP_SIZES[0]), dtype=np.float32), rng.integers(0, DP_SIZES[-1], DP_BATCH).astype(np.int32)


def _emit(rank: int, out: dict) -> None:
    """Rank 0 prints the worker's result as one JSON line."""
    if rank == 0:
        print(json.dumps(out), flush=True)


def _check(got: list, want: list, what: str) -> str:
    """'ok', or the largest difference of the arrays `got` and `want`."""
    bad = [float(np.max(np.abs(np.asarray(g, np.float64) - np.asarray(w, np.float64)))) for g, w in zip(got, want)
           if not np.allclose(g, w, rtol=1e-4, atol=1e-5)]
    return f"MISMATCH {what}: max|Δ|={max(bad):.3g}" if bad else "ok"


def dp_worker(samples: int) -> None:
    """The example's data-parallel step on all ranks ("nablax") and its plain step on the whole batch,
    taken by rank 0 alone while the others sleep ("ref"), timed in the same rounds; the check
    compares their parameters after CHECK_STEPS steps from the same start."""
    import nablax as jax

    jax.distributed.initialize()
    ex, jnp = _example(), jax.numpy
    rank, n_proc, n_local = jax.process_index(), jax.process_count(), jax.local_device_count()
    x, y = _dp_data()
    params = ex.relu_mlp.init(np.random.default_rng(0), DP_SIZES, lambda fan_in: np.sqrt(2.0 / fan_in))
    single, parallel = ex.make_single_step(DP_LR), ex.make_parallel_step(DP_LR)
    shards = [jnp.asarray(ex.local_shard(a, rank, n_proc, n_local)) for a in (x, y)]
    state = {"single": params, "parallel": jax.tree_util.tree_map(lambda a: jnp.broadcast_to(a, (n_local, *a.shape)),
                                                                   params)}
    x, y = jnp.asarray(x), jnp.asarray(y)

    def parallel_step() -> None:
        state["parallel"], loss = parallel(state["parallel"], *shards)
        jax.block_until_ready(loss)

    def single_step() -> None:
        if rank == 0:
            state["single"], loss = single(state["single"], x, y)
            jax.block_until_ready(loss)

    for _ in range(CHECK_STEPS):
        parallel_step()
        single_step()
    got = jax.tree_util.tree_leaves(jax.tree_util.tree_map(lambda a: a[0], state["parallel"]))
    check = _check(got, jax.tree_util.tree_leaves(state["single"]), f"params after {CHECK_STEPS} steps") \
        if rank == 0 else ""
    out = _Timer(_mpi().COMM_WORLD).time({"nablax": parallel_step, "ref": single_step}, samples)
    _emit(rank, {**out, "check": check, "processes": n_proc})


def psum_worker(samples: int) -> None:
    """Time pmap(psum) of a 1M float32 array against mpi4py's Allreduce of the same buffer."""
    import nablax as jax

    jax.distributed.initialize()
    MPI = _mpi()
    comm = MPI.COMM_WORLD
    if jax.local_device_count() != 1 or comm.size != jax.process_count():
        raise RuntimeError(f"psum worker wants 1 device per rank, got {jax.local_device_count()} "
                           f"on {jax.process_count()} processes of an MPI world of {comm.size}")
    buf = np.random.default_rng(comm.rank).standard_normal(PSUM_SIZE).astype(np.float32)
    total = jax.pmap(lambda v: jax.lax.psum(v, "i"), axis_name="i")
    xs = jax.numpy.asarray(buf[None])
    recv = np.empty_like(buf)

    def nablax_psum() -> None:
        jax.block_until_ready(total(xs))

    def mpi4py_allreduce() -> None:
        comm.Allreduce(buf, recv, op=MPI.SUM)

    def mpi4py_allreduce_new() -> None:  # a new output each call, as psum returns one
        comm.Allreduce(buf, np.empty_like(buf), op=MPI.SUM)

    mpi4py_allreduce()
    check = _check([np.asarray(total(xs))[0]], [recv], "pmap(psum) vs Allreduce")
    out = _Timer(comm).time({"nablax": nablax_psum, "ref": mpi4py_allreduce, "ref_new": mpi4py_allreduce_new},
                            samples)
    _emit(comm.rank, {**out, "check": check})


def worker_main(argv: list[str]) -> int:
    """`mpiexec -n 2 python -m benchmarks.workloads_distributed {dp | psum} SAMPLES`: rank 0 prints one JSON line."""
    (dp_worker if argv[0] == "dp" else psum_worker)(int(argv[1]))
    return 0


# ---------------------------------------------------------------- the rows (in the harness)
def missing_mpi() -> str | None:
    """Why the rows cannot run here, or None."""
    if shutil.which("mpiexec") is None:
        return "skipped: no mpiexec on PATH (pip install 'nablax[mpi]')"
    if importlib.util.find_spec("mpi4py") is None:
        return "skipped: mpi4py is not installed (pip install 'nablax[mpi]')"
    return None


def _launch(args: list[str]) -> dict:
    """Run a worker under `mpiexec -n RANKS`, one BLAS thread per process; its JSON."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "NABLAX_NUM_CPU_DEVICES": "1", "NABLAX_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = ["timeout", str(TIMEOUT_S - 20), "mpiexec", "-n", str(RANKS), sys.executable, "-m",
           "benchmarks.workloads_distributed", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, cwd=ROOT, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        shown = " ".join(cmd).replace(sys.executable, "python")
        raise RuntimeError(f"`{shown}` exited with {proc.returncode}: ...{proc.stderr.strip()[-600:]}")
    return json.loads(lines[-1])


def _stats(d: dict) -> Stats:
    return Stats.of(d["samples"], d["inner"])


def _steps_per_s(s: Stats) -> str:
    return f"{1 / s.median:.3g} steps/s"


def measure_dp(row: Row, quick: bool) -> None:
    """Fill `row`: 2 ranks (the nablax column) vs 1 process (the reference), steps/s and throughput in the notes."""
    out = _launch(["dp", str(3 if quick else 9)])
    row.times["nablax"], row.ref, row.check = _stats(out["nablax"]), _stats(out["ref"]), out["check"]
    row.notes += [f"{out['processes']} ranks: {_steps_per_s(row.times['nablax'])}, 1 process: {_steps_per_s(row.ref)} "
                  f"({row.ref.median / row.times['nablax'].median:.2f}× throughput); MLP "
                  f"{'-'.join(map(str, DP_SIZES))}, global batch {DP_BATCH}, 1 BLAS thread per process"]


def measure_psum(row: Row, quick: bool) -> None:
    """Fill `row`: pmap(psum) on 2 ranks (the nablax column) vs mpi4py Allreduce (the reference)."""
    out = _launch(["psum", str(5 if quick else 21)])
    row.times["nablax"], row.ref, row.check = _stats(out["nablax"]), _stats(out["ref"]), out["check"]
    new = _stats(out["ref_new"]).median
    nbytes = PSUM_SIZE * 4
    row.notes += [f"{nbytes / 2**20:.0f} MiB float32 per rank, Allreduce into a preallocated buffer; into a new "
                  f"array each call (as psum returns one): {fmt_time(new)} "
                  f"(nablax = {row.times['nablax'].median / new:.2f}× that)"]


def _guarded(measure: Callable[[Row, bool], None]) -> Callable[[Row, bool], None]:
    """`measure`, unless MPI is missing (the reason goes in the check column) or a worker fails."""

    def run(row: Row, quick: bool) -> None:
        why = missing_mpi()
        if why is not None:
            row.check = why
            warn(f"{row.name}: {why}")
            return
        try:
            measure(row, quick)
        except (RuntimeError, subprocess.TimeoutExpired, OSError, ValueError) as e:
            row.errors["nablax"] = f"{type(e).__name__}: {e}"
            row.check = "-"
            warn(f"WARNING {row.name} failed: {row.errors['nablax']}")

    return run


def workloads() -> list:
    """Part 8 of the table, in order."""
    from benchmarks.workloads import Workload

    return [Workload("dp_mlp_step_2ranks", None, ref_label="1 process", measure=_guarded(measure_dp)),
            Workload("psum_1M_2ranks", None, ref_label="mpi4py Allreduce", measure=_guarded(measure_psum))]


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
