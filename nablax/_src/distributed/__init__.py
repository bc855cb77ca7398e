"""The processes of a multi-process job, and collectives among them, on MPI (mpi4py).

`world()` is the job's ProcessGroup when this process was started by an MPI launcher
(`mpiexec -n N python prog.py`) with N > 1 and mpi4py is installed; otherwise None: one
process is the whole world. It is created on first use (no need to call
`nablax.distributed.initialize()` first), and creating it also installs the fault
handling of `faults.py`. This package imports nothing else from nablax, so any layer
may use it.
"""
from __future__ import annotations

import atexit
import faulthandler
import threading

from .faults import RemoteRankError, install_excepthook
from .group import OPS, TIMEOUT_VARIABLE, ProcessGroup, timeout_from_env
from .launch import INSTALL_HINT, join_mpi_world, launcher_size, mpi4py_available

__all__ = ["OPS", "TIMEOUT_VARIABLE", "INSTALL_HINT", "ProcessGroup", "RemoteRankError", "world", "process_index",
           "process_count", "launcher_size", "mpi4py_available"]

_UNSET = object()
_world: object = _UNSET
_creating = threading.Lock()


def world() -> ProcessGroup | None:
    """This job's process group, or None when the job is one process."""
    global _world
    if _world is _UNSET:
        with _creating:
            if _world is _UNSET:
                _world = _create_world()
    return _world


def _create_world() -> ProcessGroup | None:
    size = launcher_size()
    if size is None or size == 1:
        return None
    # Joining blocks inside MPI (holding the GIL) until every process of the job has joined:
    # a process that failed before joining would hang the others forever. faulthandler's
    # watchdog runs in C, so it can end this process after the timeout; what it prints is
    # the stack, whose innermost nablax frame is the function named for the cause.
    watchdog = _start_watchdog(timeout_from_env())
    try:
        group = _every_process_must_join_mpi_within_NABLAX_COLLECTIVE_TIMEOUT()
    finally:
        if watchdog:
            faulthandler.cancel_dump_traceback_later()
    if group is not None:
        install_excepthook(group.faults, group.comm_world)
        atexit.register(group.close)
    return group


def _start_watchdog(seconds: float) -> bool:
    try:
        faulthandler.dump_traceback_later(seconds, exit=True)
    except (AttributeError, ValueError, OSError, RuntimeError):  # a stderr without a file descriptor
        return False
    return True


def _every_process_must_join_mpi_within_NABLAX_COLLECTIVE_TIMEOUT() -> ProcessGroup | None:
    mpi = join_mpi_world()
    return None if mpi is None else ProcessGroup(mpi.COMM_WORLD, mpi)


def process_index() -> int:
    """This process's rank in the job (0 in a one-process job)."""
    group = world()
    return 0 if group is None else group.rank


def process_count() -> int:
    """The number of processes in the job."""
    group = world()
    return 1 if group is None else group.size
