"""Memory of one steady-state call, nablax vs JAX.

    python -m benchmarks.memory

Each (framework, workload) runs in a fresh subprocess. nablax: the tracemalloc peak of one
call after a warm-up call (NumPy reports every buffer it allocates to tracemalloc), so
outputs and every temporary count. JAX: what XLA's buffer assignment reserves for the
compiled program, temporaries plus outputs (`compiled.memory_analysis()`). Inputs count for
neither. Workloads: `mlp_sgd_step` (MLP 784-512-512-10, B=128) and `w6_grad_10M` (gradient
of sum(sin(x)*cos(x)+x**2), 10M float32).
"""
from __future__ import annotations

import json
import subprocess
import sys

_WORKLOADS = ("mlp_sgd_step", "w6_grad_10M")


def _program(fw, workload: str) -> tuple:
    """(step function, its arguments) of `workload`, spelled once for nablax and JAX."""
    from benchmarks import workloads_fusion, workloads_models

    jax, jnp = fw.jax, fw.jnp
    if workload == "mlp_sgd_step":
        params, x, y = workloads_models._mlp_data()
        loss = workloads_models._xent(fw)

        def step(params, x, y):
            grads = jax.grad(loss)(params, x, y)
            return jax.tree_util.tree_map(lambda w, g: w - workloads_models.LR * g, params, grads)

        return step, (workloads_models._to(fw, params), fw.asarray(x), fw.asarray(y))
    x = workloads_fusion._data(10_000_000)
    return jax.grad(lambda x: jnp.sum(jnp.sin(x) * jnp.cos(x) + x ** 2)), (fw.asarray(x),)


def _measure(framework: str, workload: str) -> dict:
    """Runs in the child: new bytes allocated by one steady-state call."""
    import tracemalloc

    from benchmarks import frameworks

    fws, skipped = frameworks.load([framework])
    if framework not in fws:
        return {"error": skipped.get(framework, "not installed")}
    fw = fws[framework]
    fn, args = _program(fw, workload)
    jitted = fw.jax.jit(fn)
    if framework == "jax":  # XLA's buffer assignment: every temporary plus the outputs
        stats = jitted.lower(*args).compile().memory_analysis()
        return {"mb": (stats.temp_size_in_bytes + stats.output_size_in_bytes) / 2**20}
    fw.block(jitted(*args))
    tracemalloc.start()
    out = fw.block(jitted(*args))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del out
    return {"mb": peak / 2**20}


def main() -> int:
    """Print one markdown line per workload."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(_measure(sys.argv[2], sys.argv[3])))
        return 0
    print("| workload | nablax: tracemalloc peak of one call | JAX: temporaries + outputs (memory_analysis) |\n|---|---|---|")
    for workload in _WORKLOADS:
        res = {}
        for fw in ("nablax", "jax"):
            proc = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--child", fw, workload],
                                  capture_output=True, text=True, check=False)
            lines = proc.stdout.strip().splitlines()
            res[fw] = json.loads(lines[-1]) if proc.returncode == 0 and lines else {"error": proc.stderr[-300:]}
        cells = [f"{d['mb']:.2f} MiB" if "mb" in d else d["error"] for d in (res["nablax"], res["jax"])]
        print(f"| {workload} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
