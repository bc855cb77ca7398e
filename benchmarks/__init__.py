"""Side-by-side benchmark suite (DESIGN.md §8).

The same workloads run on nablax and, when installed, on JAX, torch.func and autograd, in one
process, interleaved round-robin, with NumPy's own time as a floor where one exists.

    python -m benchmarks [--quick] [--only NAME] [--frameworks nablax,jax] [--markdown]
"""
import os

# One thread everywhere, so that every column measures the same machine share: BLAS and
# OpenMP pools, XLA's Eigen pool (torch's is set where it is loaded). nablax's own chunk
# threads are off unless a row asks for them (`nablax_num_threads`).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

# nablax's optional compiled tier (random kernels, with numba installed) compiles a kernel once it
# is hot; by default in a background thread, which holds the GIL for its 1-3 s and would be timed
# as part of the steady state. The harness compiles in the calling thread instead: the first hot
# call (during warm-up) pays it, every timed call runs the compiled kernel.
os.environ.setdefault("NABLAX_NATIVE", "sync")
