"""pmap and shard_map across MPI processes: `mpiexec -n 2` with 2 devices each and `-n 4` with
one each run tests/mpi_programs/pmap_shard_map.py, which checks every collective, its
gradient, grad outside pmap and shard_map, and a data-parallel shard_map step against the
same program on one process (skipped without mpiexec or mpi4py)."""
from __future__ import annotations

import pytest

from .test_distributed_transport import assert_every_rank_passed, needs_mpi, run_mpi


@needs_mpi
@pytest.mark.parametrize("ranks, devices_each", [(2, 2), (4, 1)])
def test_pmap_and_shard_map_across_processes_equal_one_process(ranks, devices_each):
    result = run_mpi(ranks, "pmap_shard_map.py", timeout=240, NABLAX_NUM_CPU_DEVICES=str(devices_each))
    assert_every_rank_passed(result, ranks)
