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
import threading

from .faults import RemoteRankError, install_excepthook
from .group import OPS, TIMEOUT_VARIABLE, ProcessGroup
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
    mpi = join_mpi_world()
    if mpi is None:
        return None
    group = ProcessGroup(mpi.COMM_WORLD, mpi)
    install_excepthook(group.faults, mpi.COMM_WORLD)
    atexit.register(group.close)
    return group


def process_index() -> int:
    """This process's rank in the job (0 in a one-process job)."""
    group = world()
    return 0 if group is None else group.rank


def process_count() -> int:
    """The number of processes in the job."""
    group = world()
    return 1 if group is None else group.size
