"""The two steps across processes that a collective on a pmap/shard_map axis spanning
processes ends with: a sum of every process's array, and the stack of every process's array.

collectives.py reduces over the lanes a process holds, then calls these with the axis'
ProcessGroup (nablax._src.distributed: MPI) as a parameter; every other collective (max, min,
gathers, permutations, all_to_all) is a gather across processes followed by the one-process
rule on all lanes, so these two (both linear) carry every derivative across processes. Every
process runs the same program, so each of them runs on every process in the same order, in
eager mode and in jit's generated code alike.
"""
from __future__ import annotations

import numpy as np

from ..avals import ShapedArray, Zero
from . import shape
from ._define import aval_of, define_primitive


def _contiguous(x) -> np.ndarray:
    """x as a C-contiguous buffer MPI can read in place (0-d stays 0-d, unlike ascontiguousarray)."""
    x = np.asarray(x)
    return x if x.flags.c_contiguous else x.copy(order="C")


def _impl_sum(xp, x, *, group, what):
    return group.allreduce(_contiguous(x), "sum", what=what)


def _impl_gather(xp, x, *, group, what):
    return group.allgather(_contiguous(x), what=what)


def _sum_transpose(ct, x, *, group, what):
    """Each process's operand reaches every process's sum: its cotangent is the sum of theirs."""
    return [None if type(ct) is Zero else process_sum_p.bind(ct, group=group, what=what)]


def _gather_transpose(ct, x, *, group, what):
    """Row r of every process's stack is process r's operand: its cotangent is row r of the sum."""
    if type(ct) is Zero:
        return [None]
    total = process_sum_p.bind(ct, group=group, what=what)
    r = group.rank
    return [shape.reshape(shape.slice_in_dim(total, r, r + 1), aval_of(ct).shape[1:])]


process_sum_p = define_primitive(
    "process_sum",
    impl=_impl_sum,
    abstract_eval=lambda x, *, group, what: x,
    jvp="linear",
    linear=True,
    transpose=_sum_transpose,
    batch=lambda vals, dims, *, group, what: (process_sum_p.bind(vals[0], group=group, what=what), dims[0]),
    fold=False,  # it talks to the other processes: never evaluated while compiling
)


process_gather_p = define_primitive(
    "process_gather",
    impl=_impl_gather,
    abstract_eval=lambda x, *, group, what: ShapedArray((group.size,) + x.shape, x.dtype, x.weak_type),
    jvp="linear",
    linear=True,
    transpose=_gather_transpose,
    batch=lambda vals, dims, *, group, what: (process_gather_p.bind(vals[0], group=group, what=what), dims[0] + 1),
    fold=False,
)
