"""nablax.distributed: as jax.distributed, on MPI.

A multi-process nablax job is an MPI job: start it with `mpiexec -n N python prog.py`
(install `nablax[mpi]` for mpi4py and mpich). The processes find each other through
MPI, so `initialize()` needs no coordinator; it accepts JAX's arguments, checks the ones
that MPI also knows (the number of processes, this process's id) against the MPI world,
and waits until every process has called it. Without an MPI launcher, one process is the
whole world. The MPI world is joined on first use even without `initialize()`
(`nablax.process_index()`, a collective across processes), as `mpiexec` already says
everything `initialize()` would.

When a process raises an uncaught exception, it prints its traceback, tells the others
(which raise `RemoteRankError` if they are waiting in a collective) and aborts the job;
a collective that waits longer than `NABLAX_COLLECTIVE_TIMEOUT` seconds (default 300)
raises TimeoutError.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence

from nablax._src.distributed import INSTALL_HINT, RemoteRankError, launcher_size, world

__all__ = ["initialize", "shutdown", "is_initialized", "RemoteRankError"]

# None until initialize(); then the seconds shutdown() waits for the other processes.
_shutdown_timeout: float | None = None


def initialize(coordinator_address: str | None = None,
               num_processes: int | None = None,
               process_id: int | None = None,
               local_device_ids: int | Sequence[int] | None = None,
               cluster_detection_method: str | None = None,
               initialization_timeout: int = 300,
               heartbeat_timeout_seconds: int = 100,
               shutdown_timeout_seconds: int = 300,
               coordinator_bind_address: str | None = None,
               slice_index: int | None = None,
               partition_index: int | None = None) -> None:
    """Join the job's processes: the MPI world under an MPI launcher, else this one process.

    `num_processes` and `process_id`, when given, must agree with the MPI world. The
    coordinator, heartbeat, device-id and partition arguments are accepted for JAX
    compatibility; MPI needs none of them (each process's devices come from
    NABLAX_NUM_CPU_DEVICES).
    """
    global _shutdown_timeout
    if _shutdown_timeout is not None:
        raise RuntimeError("distributed.initialize should only be called once.")
    if slice_index is not None:
        warnings.warn("`slice_index` has been deprecated. Please use `partition_index` instead.",
                      DeprecationWarning, stacklevel=2)
    if num_processes is not None and not isinstance(num_processes, int):
        raise TypeError("num_processes must be a positive int. "
                        f"Got num_processes={num_processes} of type {type(num_processes)}.")
    if process_id is not None and not isinstance(process_id, int):
        raise TypeError("process_id must be a nonnegative int. "
                        f"Got process_id={process_id} of type {type(process_id)}.")
    group = world()
    if group is None:
        _check_one_process(num_processes, process_id)
    else:
        if num_processes is not None and num_processes != group.size:
            raise ValueError(f"distributed.initialize(num_processes={num_processes}), but the MPI job has {group.size} "
                             f"processes: start it with `mpiexec -n {num_processes}`, or leave num_processes out")
        if process_id is not None and process_id != group.rank:
            raise ValueError(f"distributed.initialize(process_id={process_id}) on the process of MPI rank {group.rank}: "
                             "under MPI the process id is the rank; leave process_id out")
        _barrier(group, "distributed.initialize", initialization_timeout)
    _shutdown_timeout = float(shutdown_timeout_seconds)


def _check_one_process(num_processes: int | None, process_id: int | None) -> None:
    """Without an MPI world, only a one-process job can be initialized."""
    size = launcher_size()
    if size is not None and size != 1:
        raise RuntimeError("distributed.initialize: this process was started by an MPI launcher, but mpi4py is not "
                           f"installed, so the processes cannot reach each other; {INSTALL_HINT}")
    if num_processes is not None and num_processes > 1:
        raise RuntimeError(f"distributed.initialize(num_processes={num_processes}): nablax runs several processes as "
                           f"one MPI job; start them with `mpiexec -n {num_processes} python <program>` and "
                           f"{INSTALL_HINT}")
    count = 1 if num_processes is None else num_processes
    if not (0 <= (process_id or 0) < count):
        raise ValueError("process_id and num_processes must be nonnegative, with process_id < num_processes. "
                         f"Got process_id={process_id}, num_processes={num_processes}.")


def _barrier(group, what: str, timeout: float) -> None:
    """Wait for every process, giving up after `timeout` seconds (TimeoutError naming the missing ranks)."""
    usual, group.timeout = group.timeout, float(timeout)
    try:
        group.barrier(what=what)
    finally:
        group.timeout = usual


def shutdown() -> None:
    """Leave the distributed system: wait for every process to get here too (does nothing if not initialized)."""
    global _shutdown_timeout
    if _shutdown_timeout is None:
        return
    group = world()
    if group is not None:
        _barrier(group, "distributed.shutdown", _shutdown_timeout)
    _shutdown_timeout = None


def is_initialized() -> bool:
    """Whether initialize() has been called (and shutdown() not since)."""
    return _shutdown_timeout is not None
