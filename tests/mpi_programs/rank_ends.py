"""A rank that ends its program while another waits for it in a collective: noticed in about a second.

Run by tests/test_distributed_transport.py as `mpiexec -n 2 python rank_ends.py`: rank 1
ends after a barrier; rank 0's psum must raise RuntimeError naming rank 1 (long before
NABLAX_COLLECTIVE_TIMEOUT), and the job exits 0.
"""
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from checks import Checks  # noqa: E402

from nablax._src.distributed import world  # noqa: E402

group = world()
check = Checks(group.rank)
group.barrier()
if group.rank == 0:
    check.raises("a rank that ended", RuntimeError, lambda: group.allreduce(np.ones(3), "sum", what="psum over axis 'i'"),
                 "psum over axis 'i' across processes: rank 1 ended its program without calling it")
check.done()
