"""When one rank fails, the whole job stops, with the cause shown everywhere.

An MPI job whose rank dies leaves the others blocked in their next collective forever.
Instead, when the world is created, every rank posts one receive on a communicator of
its own for "a rank failed" messages, and installs an excepthook. A rank whose program
ends with an uncaught exception prints its traceback as Python would, sends the
exception's type and message to every other rank, waits a moment for them to show it,
then calls MPI_Abort so the job ends with a nonzero code. A rank waiting in a
collective checks that receive while it polls and raises `RemoteRankError`; a rank
that is computing is ended by the Abort.
"""
from __future__ import annotations

import sys
import time
from typing import Any

_TAG = 7177
_FAILED, _ENDED = "failed", "ended"
_MAX_MESSAGE = 4096
# How long a failing rank waits, after telling the others, before it aborts the job.
GRACE_S = 1.0


class RemoteRankError(RuntimeError):
    """Another rank of the job raised an uncaught exception; this rank stops too."""

    __module__ = "nablax.distributed"  # where users import it from, and how tracebacks name it

    def __init__(self, rank: int, type_name: str, message: str):
        super().__init__(f"rank {rank} raised {type_name}: {message}; stopping this rank too")
        self.rank = rank
        self.type_name = type_name
        self.remote_message = message


class FaultChannel:
    """Notices between the ranks of one job, on a communicator used for nothing else.

    A notice is "rank r failed with this exception" (the receiver raises RemoteRankError
    from then on) or "rank r ended its program normally" (recorded in `ended`: a rank
    waiting for it in a collective then knows it will never come).
    """

    def __init__(self, comm: Any, mpi: Any):
        self._comm = comm
        self._mpi = mpi
        self._buffer = bytearray(_MAX_MESSAGE)
        self._status = mpi.Status()
        self._request = None
        self._received: RemoteRankError | None = None
        self.ended: set[int] = set()
        self._listen()

    def _listen(self) -> None:
        self._request = self._comm.Irecv([self._buffer, self._mpi.BYTE], source=self._mpi.ANY_SOURCE, tag=_TAG)

    def check(self) -> None:
        """Raise RemoteRankError if another rank has reported a failure (cheap: one MPI_Test)."""
        while self._received is None and self._request is not None and self._request.Test(self._status):
            text = bytes(self._buffer[: self._status.Get_count(self._mpi.BYTE)]).decode("utf-8", "replace")
            kind, rank, type_name, message = (text.split("\0", 3) + ["", "", ""])[:4]
            if kind == _ENDED:
                self.ended.add(int(rank))
                self._listen()
            else:
                self._request = None
                self._received = RemoteRankError(int(rank), type_name, message)
        if self._received is not None:
            raise self._received

    def _tell_everyone(self, text: str, deadline: float) -> None:
        """Send `text` to every other rank; wait for the sends until `deadline` (a dead peer must not hang us)."""
        rank, size = self._comm.Get_rank(), self._comm.Get_size()
        data = text.encode("utf-8", "replace")[:_MAX_MESSAGE]
        requests = [self._comm.Isend([data, self._mpi.BYTE], dest=peer, tag=_TAG) for peer in range(size) if peer != rank]
        while not self._mpi.Request.Testall(requests) and time.monotonic() < deadline:
            time.sleep(1e-3)

    def announce(self, exc: BaseException, deadline: float) -> None:
        """Tell every other rank that this one failed with `exc`."""
        self._tell_everyone(f"{_FAILED}\0{self._comm.Get_rank()}\0{type(exc).__name__}\0{exc}", deadline)

    def close(self) -> None:
        """At a normal exit: tell the others this rank has ended, and withdraw the posted receive
        so that MPI finalisation finds nothing pending."""
        self._tell_everyone(f"{_ENDED}\0{self._comm.Get_rank()}", time.monotonic() + GRACE_S)
        if self._request is not None:
            self._request.Cancel()
            self._request.Wait()
            self._request = None


def install_excepthook(channel: FaultChannel, comm_world: Any) -> None:
    """Make an uncaught exception on this rank stop the whole job instead of hanging the others."""
    previous = sys.excepthook

    def abort_the_job(exc_type, exc, tb):
        previous(exc_type, exc, tb)
        _flush()
        deadline = time.monotonic() + GRACE_S
        if not isinstance(exc, RemoteRankError):  # the failing rank tells the others; they do not echo it
            channel.announce(exc, deadline)
        time.sleep(max(0.0, deadline - time.monotonic()))
        _flush()
        comm_world.Abort(1)

    sys.excepthook = abort_the_job


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed or replaced streams
            pass
