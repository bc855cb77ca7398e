"""How much the checked, bounded ProcessGroup.allreduce costs over a bare MPI Allreduce.

Run: `mpiexec -n 2 python tests/mpi_programs/allreduce_speed.py [elements]` (default 1M
float32). Prints the median over 200 calls of each, on rank 0. Not run by the tests
(no timed tests); the numbers go in the notes and the benchmark table.
"""
import sys
import time

import numpy as np

from nablax._src.distributed import world


def median_ms(step, comm, repeats=200):
    for _ in range(10):
        step()
    times = []
    for _ in range(repeats):
        comm.Barrier()
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    from mpi4py import MPI

    group = world()
    comm = MPI.COMM_WORLD.Dup()
    x = np.random.default_rng(group.rank).random(int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 20).astype(np.float32)
    out = np.empty_like(x)
    rounds = []
    for _ in range(3):  # interleaved, so a burst of load on the machine hits both alike
        bare = median_ms(lambda: comm.Allreduce(x, out, op=MPI.SUM), comm)
        checked = median_ms(lambda: group.allreduce(x, "sum", what="psum"), comm)
        rounds.append((bare, checked))
    if group.rank == 0:
        for b, c in rounds:
            print(f"{x.size} float32 on {group.size} ranks: comm.Allreduce {b:.3f} ms, ProcessGroup.allreduce {c:.3f} ms "
                  f"({c / b:.2f}x)")


if __name__ == "__main__":
    main()
