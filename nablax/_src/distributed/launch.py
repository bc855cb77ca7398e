"""Is this process one of several started by an MPI launcher, and joining that job.

The launcher is recognised from the environment it sets (MPICH/Hydra, Open MPI, PMIx,
Slurm's PMI), so a plain `python x.py` never imports mpi4py (nablax imports without it)
and never pays for MPI initialisation.
"""
from __future__ import annotations

import importlib.util
import os
import warnings

# Variables holding the job's size, in the order launchers are tried.
_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE")
# Variables that say "an MPI launcher started me" without giving the size.
_RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "MPI_LOCALNRANKS", "PMI_FD")

INSTALL_HINT = "install the MPI extra (`pip install nablax[mpi]`, which brings mpi4py and mpich)"


def launcher_size() -> int | None:
    """The number of processes the launcher started, None when no MPI launcher started this one.

    0 means a launcher is present but did not say how many processes it started.
    """
    for name in _SIZE_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value)
    if any(name in os.environ for name in _RANK_VARIABLES):
        return 0
    return None


def mpi4py_available() -> bool:
    return importlib.util.find_spec("mpi4py") is not None


def join_mpi_world():
    """The `mpi4py.MPI` module when this process is one of several MPI ranks, else None.

    Importing `mpi4py.MPI` initialises MPI (and registers MPI_Finalize at exit); that
    happens only when a launcher started more than one process.
    """
    size = launcher_size()
    if size is None or size == 1:
        return None
    if not mpi4py_available():
        warnings.warn(f"this process was started by an MPI launcher{f' with {size} processes' if size else ''}, "
                      f"but mpi4py is not installed, so each process runs alone; {INSTALL_HINT}",
                      RuntimeWarning, stacklevel=3)
        return None
    from mpi4py import MPI

    return MPI if MPI.COMM_WORLD.Get_size() > 1 else None
