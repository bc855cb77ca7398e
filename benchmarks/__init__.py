"""Side-by-side benchmark suite (DESIGN.md §8).

The same workloads run on nablax and, when installed, on JAX, torch.func and autograd, in one
process, interleaved round-robin, with NumPy's own time as a floor where one exists.

    python -m benchmarks [--quick] [--only NAME] [--frameworks nablax,jax] [--markdown]
"""
