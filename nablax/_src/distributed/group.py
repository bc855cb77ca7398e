"""ProcessGroup: checked, bounded collectives over the ranks of an MPI job, on NumPy arrays.

Every collective runs in two steps. First the ranks exchange a small header (which
collective, the reduction, the root, dtype, shape, and a per-group sequence number),
point to point, so that a rank that waits knows exactly which ranks have not arrived;
if the headers differ, every rank raises the same ValueError naming each rank's
arguments. Then the data moves with one nonblocking MPI collective on the arrays'
own buffers (no pickling, no copies beyond what the dtype needs). A small array (up to
16 KiB over all peers) travels inside the header message instead, and each rank reduces
the gathered parts itself in rank order: one message round instead of two, and a sum
that is the same on every rank and equal to NumPy's over the stacked parts.

Waiting never blocks inside MPI: requests are polled with MPI_Test, first busily, then
yielding the core between polls, then with sleeps growing to about 1 ms (so a rank that
waits for a slow one leaves its core to it), and checking the fault channel each time (a rank that failed elsewhere stops
this one with RemoteRankError). After `NABLAX_COLLECTIVE_TIMEOUT` seconds (default 300)
the wait ends with a TimeoutError. The data step polls without sleeping: every rank is
known to be there, and MPI makes progress only while it is polled.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import threading
import time
from typing import Any

import ml_dtypes
import numpy as np

from .faults import GRACE_S, FaultChannel, RemoteRankError

OPS = ("sum", "max", "min")
TIMEOUT_VARIABLE = "NABLAX_COLLECTIVE_TIMEOUT"
_DEFAULT_TIMEOUT_S = 300.0
_HEADER_BYTES = 512
_KEY_BYTES = 384
_HEADER_TAG = 7178
_SEP = "\x1f"  # between the header's fields (a dtype's name may hold any printable character)
# Arrays of up to this many bytes, over all the peers a rank sends to, travel with the header.
_INLINE_BYTES = 16384
# Waiting: poll busily for _SPIN_S, then yield the core between polls until _YIELD_S, then
# sleep between polls, from _FIRST_SLEEP_S doubling up to _MAX_SLEEP_S.
_SPIN_S = 1e-4
_YIELD_S = 2e-3
_FIRST_SLEEP_S = 2e-5
_MAX_SLEEP_S = 1e-3
_yield_cpu = getattr(os, "sched_yield", lambda: time.sleep(0))

_NO_ARRAY = np.empty(0, object)  # what barrier and allgather_object describe themselves with
_UFUNCS = {"sum": np.add, "max": np.maximum, "min": np.minimum}

# ml_dtypes integers that MPI cannot reduce: widened to a native integer first.
_NARROW_INTS = {np.dtype(getattr(ml_dtypes, name)): np.dtype(wide) for name, wide in
                (("int2", "int8"), ("int4", "int8"), ("uint2", "uint8"), ("uint4", "uint8")) if hasattr(ml_dtypes, name)}


def timeout_from_env() -> float:
    text = os.environ.get(TIMEOUT_VARIABLE, "")
    if not text:
        return _DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"{TIMEOUT_VARIABLE}={text!r}: expected a positive number of seconds")
    return value


def describe(dtype: str, shape: tuple) -> str:
    """`float32[3,4]`, as JAX prints an abstract value."""
    return f"{dtype}[{','.join(map(str, shape))}]"


class ProcessGroup:
    """The ranks of one MPI job: `rank`, `size`, and collectives on NumPy arrays of any dtype.

    Each method takes `what=`, the name used in error messages ("psum over axis 'i'").
    Results are new writable arrays the caller owns.
    """

    def __init__(self, comm: Any, mpi: Any):
        self._mpi = mpi
        self.comm_world = comm
        self.rank: int = comm.Get_rank()
        self.size: int = comm.Get_size()
        self.timeout: float = timeout_from_env()
        self.faults = FaultChannel(comm.Dup(), mpi)
        self._data = comm.Dup()
        self._headers = comm.Dup()
        self._peers = [r for r in range(self.size) if r != self.rank]
        self._inline_bytes = _INLINE_BYTES // max(1, self.size - 1)
        self._reduce_ops = {"sum": mpi.SUM, "max": mpi.MAX, "min": mpi.MIN}
        self._seq = 0
        self._broken: str | None = None
        self._abandoned: list = []  # requests (and their buffers) of collectives that timed out
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ProcessGroup(rank={self.rank}, size={self.size})"

    # ---- collectives -------------------------------------------------------------------

    def allreduce(self, x: Any, op: str, *, what: str | None = None) -> np.ndarray:
        """The elementwise `op` ("sum", "max", "min") of `x` over all ranks; same shape and dtype."""
        x = _contiguous(x)
        what = what or f"allreduce({op})"
        with self._lock:
            parts = self._enter("allreduce", what, x, op=op)
            if op not in OPS:
                raise ValueError(f"{what}: unknown reduction {op!r}; expected one of {', '.join(OPS)}")
            wire = _reduction_dtype(x.dtype, op, what)
            if parts is not None:  # small: reduce the gathered parts here, in rank order
                out = parts[0, ...].astype(wire)
                for part in parts[1:]:
                    _UFUNCS[op](out, part.astype(wire), out=out)
            else:
                send = x if wire == x.dtype else x.astype(wire)
                out = np.empty_like(send)
                mpi_type = _mpi_type(self._mpi, wire)
                self._finish([self._data.Iallreduce([send, mpi_type], [out, mpi_type], self._reduce_ops[op])], what)
        return out if wire == x.dtype else out.astype(x.dtype)

    def allgather(self, x: Any, *, what: str | None = None) -> np.ndarray:
        """Every rank's `x` stacked in rank order: shape (size, *x.shape). Any dtype: bytes are moved."""
        x = _contiguous(x)
        what = what or "allgather"
        with self._lock:
            parts = self._enter("allgather", what, x)
            _check_movable(x.dtype, what)
            if parts is not None:
                return parts
            out = np.empty((self.size, *x.shape), x.dtype)
            self._finish([self._data.Iallgather([_bytes_of(x), self._mpi.BYTE], [_bytes_of(out), self._mpi.BYTE])], what)
        return out

    def broadcast(self, x: Any, root: int = 0, *, what: str | None = None) -> np.ndarray:
        """Rank `root`'s `x` on every rank (each rank passes an array of the same shape and dtype)."""
        x = _contiguous(x)
        what = what or "broadcast"
        with self._lock:
            parts = self._enter("broadcast", what, x, root=root)
            if not (isinstance(root, (int, np.integer)) and 0 <= root < self.size):
                raise ValueError(f"{what}: root must be a rank in [0, {self.size}), got {root!r}")
            _check_movable(x.dtype, what)
            if parts is not None:
                return parts[int(root), ...]
            out = x.copy() if self.rank == root else np.empty(x.shape, x.dtype)
            self._finish([self._data.Ibcast([_bytes_of(out), self._mpi.BYTE], root=int(root))], what)
        return out

    def allgather_object(self, obj: Any, *, what: str | None = None) -> list:
        """Every rank's picklable `obj`, in rank order (for small metadata, not for arrays)."""
        what = what or "allgather_object"
        payload = np.frombuffer(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), np.uint8)
        with self._lock:
            self._enter("allgather_object", what, _NO_ARRAY)
            lengths = np.empty(self.size, np.int64)
            self._finish([self._data.Iallgather([np.array([payload.size], np.int64), self._mpi.INT64_T],
                                                [lengths, self._mpi.INT64_T])], what)
            offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            gathered = np.empty(int(lengths.sum()), np.uint8)
            self._finish([self._data.Iallgatherv([payload, self._mpi.BYTE],
                                                 [gathered, (lengths, offsets), self._mpi.BYTE])], what)
        return [pickle.loads(gathered[o:o + n].tobytes()) for o, n in zip(offsets, lengths)]

    def barrier(self, *, what: str | None = None) -> None:
        """Return once every rank has called barrier (the header exchange alone is one)."""
        with self._lock:
            self._enter("barrier", what or "barrier", _NO_ARRAY)

    # ---- the two steps ----------------------------------------------------------------

    def _enter(self, kind: str, what: str, x: np.ndarray, op: str = "", root: Any = -1) -> np.ndarray | None:
        """Exchange headers with every rank; raise the same ValueError everywhere if they differ.

        A small array travels with its header (one message round instead of two): then the
        result is every rank's `x`, stacked in rank order; otherwise None.
        """
        if self._broken is not None:
            raise RuntimeError(f"{what} across processes: this process group is unusable since {self._broken}")
        self.faults.check()
        seq = self._seq
        self._seq += 1
        key = _SEP.join((str(seq), kind, op, str(root), _dtype_name(x.dtype), ",".join(map(str, x.shape)))).encode()
        if len(key) > _KEY_BYTES:
            key = b"#" + hashlib.sha1(key).hexdigest().encode()
        inline = x is not _NO_ARRAY and not x.dtype.hasobject and x.nbytes <= self._inline_bytes
        header = _encode_header(key, what, x.tobytes() if inline else b"")
        received = np.empty((self.size, _HEADER_BYTES + self._inline_bytes), np.uint8)
        received[self.rank, :len(header)] = np.frombuffer(header, np.uint8)
        receives = [self._headers.Irecv([received[peer], self._mpi.BYTE], source=peer, tag=_HEADER_TAG)
                    for peer in self._peers]
        sends = [self._headers.Isend([header, self._mpi.BYTE], dest=peer, tag=_HEADER_TAG) for peer in self._peers]

        def ended_without_arriving():
            return [peer for peer, request in zip(self._peers, receives) if peer in self.faults.ended
                    and request and not request.Test()]

        outcome = self._wait(receives + sends, what, sleep=True, ended=ended_without_arriving)
        if outcome != "done":
            missing = [peer for peer, request in zip(self._peers, receives) if not request.Test()]
            for request in receives:
                if request:  # still pending: withdraw it
                    request.Cancel()
                    request.Wait()
            self._give_up(sends, (header, received), f"{what} (collective #{seq}) did not complete")
            if outcome == "ended":
                missing = [peer for peer in missing if peer in self.faults.ended]
            ranks = f"rank{'s' * (len(missing) > 1)} {', '.join(map(str, missing))}"
            if outcome == "ended":
                raise RuntimeError(
                    f"{what} across processes: {ranks} ended {'their' if len(missing) > 1 else 'its'} program without "
                    f"calling it, so rank {self.rank} would wait forever (every process must call the same "
                    "collectives in the same order)")
            raise TimeoutError(
                f"{what} across processes: rank {self.rank} waited {self.timeout:g} s and {ranks} did not arrive "
                f"(every process must call the same collectives in the same order); set {TIMEOUT_VARIABLE} "
                "to wait longer")
        compared = received[:, :len(key) + 1]  # the key and its terminator
        if not (compared == compared[self.rank]).all():
            raise ValueError(_mismatch_message(what, [_decode_header(row[:_HEADER_BYTES]) for row in received]))
        if not inline:
            return None
        # equal headers: every rank sent an array of this shape and dtype along
        return received[:, _HEADER_BYTES:_HEADER_BYTES + x.nbytes].copy().view(x.dtype).reshape(self.size, *x.shape)

    def _finish(self, requests: list, what: str) -> None:
        """Wait for the data step (every rank has arrived, so poll without sleeping)."""
        if self._wait(requests, what, sleep=False) != "done":
            self._give_up(requests, (), f"the data exchange of {what} timed out")
            raise TimeoutError(f"{what} across processes: every rank arrived, but rank {self.rank} waited "
                               f"{self.timeout:g} s for the data exchange to finish; set {TIMEOUT_VARIABLE} to wait longer")

    def _wait(self, requests: list, what: str, sleep: bool, ended=None) -> str:
        """Poll `requests` until all complete ("done") or the timeout passes ("timeout"); raise on a remote failure.

        `ended()`, if given, lists the awaited ranks that have ended their program; once it has
        named one for GRACE_S (time for messages already on their way), the wait is "ended".
        """
        testall = self._mpi.Request.Testall
        if testall(requests):
            return "done"
        start = time.perf_counter()
        deadline, spin_until, yield_until = start + self.timeout, start + _SPIN_S, start + _YIELD_S
        delay, ended_since = _FIRST_SLEEP_S, None
        while not testall(requests):
            try:
                self.faults.check()
            except RemoteRankError as exc:
                self._give_up(requests, (), f"{exc}")
                raise
            now = time.perf_counter()
            if now > deadline:
                return "timeout"
            if ended is not None and self.faults.ended:
                if not ended():
                    ended_since = None
                elif ended_since is None:
                    ended_since = now
                elif now > ended_since + GRACE_S:
                    return "ended"
            if sleep and now > spin_until:
                if now < yield_until:
                    _yield_cpu()  # returns at once when no other process wants this core
                else:
                    time.sleep(delay)
                    delay = min(2 * delay, _MAX_SLEEP_S)
        return "done"

    def _give_up(self, requests: list, buffers: tuple, reason: str) -> None:
        """Abandon a collective: the group's ranks are out of step, so no further collective may run."""
        self._broken = reason
        self._abandoned.append((requests, buffers))

    def close(self) -> None:
        """Withdraw pending receives before MPI finalisation (a normal exit)."""
        self.faults.close()


# ---- helpers ------------------------------------------------------------------------------


def _contiguous(x: Any) -> np.ndarray:
    x = np.asarray(x)
    if not x.dtype.isnative:
        x = x.astype(x.dtype.newbyteorder("="))
    return x if x.flags.c_contiguous else x.copy(order="C")


def _bytes_of(x: np.ndarray) -> np.ndarray:
    """A flat uint8 view of a contiguous array (any dtype, including ml_dtypes and records)."""
    return x.reshape(-1).view(np.uint8)


def _check_movable(dtype: np.dtype, what: str) -> None:
    if dtype.hasobject:
        raise TypeError(f"{what}: arrays of dtype {dtype} hold Python objects and cannot be sent as bytes; "
                        "use allgather_object for Python objects")


def _reduction_dtype(dtype: np.dtype, op: str, what: str) -> np.dtype:
    """The dtype MPI reduces in: the array's own, or a wider one for types MPI lacks (bfloat16, float16, int4)."""
    if dtype == np.bool_:
        raise TypeError(f"{what}: cannot reduce a bool array across processes; convert it to an integer dtype first")
    if dtype.kind == "c" and op != "sum":
        raise TypeError(f"{what}: {op} is not defined on complex numbers ({dtype})")
    if dtype.kind in "iufc" and dtype != np.float16:
        return dtype
    if dtype in _NARROW_INTS:
        return _NARROW_INTS[dtype]
    if dtype == np.float16 or dtype.type.__module__.startswith("ml_dtypes"):
        return np.dtype(np.float32)
    raise TypeError(f"{what}: cannot reduce arrays of dtype {dtype} across processes; expected a numeric dtype")


def _mpi_type(mpi: Any, dtype: np.dtype) -> Any:
    kind, size = dtype.kind, dtype.itemsize
    table = {("i", 1): mpi.INT8_T, ("i", 2): mpi.INT16_T, ("i", 4): mpi.INT32_T, ("i", 8): mpi.INT64_T,
             ("u", 1): mpi.UINT8_T, ("u", 2): mpi.UINT16_T, ("u", 4): mpi.UINT32_T, ("u", 8): mpi.UINT64_T,
             ("f", 4): mpi.FLOAT, ("f", 8): mpi.DOUBLE, ("c", 8): mpi.C_FLOAT_COMPLEX, ("c", 16): mpi.C_DOUBLE_COMPLEX}
    if (kind, size) in table:
        return table[kind, size]
    return mpi.LONG_DOUBLE if kind == "f" else mpi.C_LONG_DOUBLE_COMPLEX


def _encode_header(key: bytes, what: str, payload: bytes = b"") -> bytes:
    """The message that opens a collective: the compared key, `what` (for messages), padding, then `payload`."""
    return (key + b"\0" + what.encode("utf-8", "replace"))[:_HEADER_BYTES].ljust(_HEADER_BYTES, b"\0") + payload


_DTYPE_NAMES: dict = {}


def _dtype_name(dtype: np.dtype) -> str:
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = str(dtype)
    return name


def _decode_header(row: np.ndarray) -> tuple[str, str]:
    key, _, what = row.tobytes().rstrip(b"\0").partition(b"\0")
    return key.decode(), what.decode("utf-8", "replace")


def _mismatch_message(what: str, headers: list[tuple[str, str]]) -> str:
    """`psum across processes: rank 0 has float32[3], rank 1 has float32[4]`, naming only what differs."""
    fields = [key.split(_SEP) if not key.startswith("#") else [key] * 6 for key, _ in headers]
    differs = [len({f[i] for f in fields}) > 1 for i in range(6)]
    parts = []
    for rank, (f, (_, rank_what)) in enumerate(zip(fields, headers)):
        words = []
        if differs[1] or differs[2]:
            words.append(f"is in {rank_what}")
        if differs[4] or differs[5]:
            words.append("has " + (describe(f[4], tuple(f[5].split(",")) if f[5] else ()) if f[4] != "object" else "no array"))
        if differs[3]:
            words.append(f"has root {f[3]}")
        if differs[0]:
            words.append(f"is at collective #{f[0]}")
        parts.append(f"rank {rank} " + (" and ".join(words) or "has a header too long to show"))
    return (f"{what} across processes: {', '.join(parts)}; every process must call the same collectives "
            "in the same order, on arrays of the same shape and dtype")
