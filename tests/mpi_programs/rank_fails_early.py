"""Rank 1 fails before it joins the MPI world; rank 0, joining, must not wait forever.

Run by tests/test_distributed_transport.py as `mpiexec -n 2 python rank_fails_early.py`
with NABLAX_COLLECTIVE_TIMEOUT=3: rank 0 must exit nonzero after about 3 s, its stack
naming the cause.
"""
import os

if os.environ.get("PMI_RANK", os.environ.get("OMPI_COMM_WORLD_RANK")) == "1":
    raise ValueError("rank 1 fails before joining")

from nablax._src.distributed import world  # noqa: E402

world()
print("rank 0 joined a world without rank 1", flush=True)
