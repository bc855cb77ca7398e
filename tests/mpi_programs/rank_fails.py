"""Rank 1 raises; the job must end with a nonzero code, its traceback, and RemoteRankError elsewhere.

Run by tests/test_distributed_transport.py as `mpiexec -n 4 python rank_fails.py`: rank 1
raises ValueError after a barrier; ranks 0 and 3 wait in a psum and must raise
RemoteRankError; rank 2 is computing (sleeping) and must be ended by the Abort long
before its sleep is over.
"""
import pathlib
import sys
import time

import numpy as np

from nablax._src.distributed import world

group = world()
group.barrier()
if group.rank == 1:
    time.sleep(2.0)  # the others are in the psum by then, even on a loaded machine
    raise ValueError("boom from rank 1")
if group.rank == 2:
    time.sleep(60)
    print("rank 2 outlived the abort", flush=True)
try:
    group.allreduce(np.ones(3), "sum", what="psum over axis 'i'")
except Exception as exc:  # what each waiting rank saw, in a file of its own (their stderr lines can interleave)
    pathlib.Path(sys.argv[1], f"rank{group.rank}.txt").write_text(f"{type(exc).__module__}.{type(exc).__name__}: {exc}")
    raise
print(f"rank {group.rank} finished the psum", flush=True)
