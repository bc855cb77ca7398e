"""The two steps across processes that a collective on a pmap/shard_map axis spanning
processes ends with: a sum of every process's array, and the stack of every process's array.

collectives.py reduces over the lanes a process holds, then calls these with the axis'
ProcessGroup (nablax._src.distributed: MPI) as a parameter; every other collective (max, min,
gathers, permutations, all_to_all) is a gather across processes followed by the one-process
rule on all lanes, so these two (both linear) carry every derivative across processes. Every
process runs the same program, so each of them runs on every process in the same order, in
eager mode and in jit's generated code alike: their `effect` parameter tells jit never to
drop, merge, fold or reorder them (processes whose programs differ only in constants, as in
whole_out's transpose below, still meet at the same collectives).
"""
from __future__ import annotations

from ..ad_util import instantiate
from ..avals import ShapedArray, Zero
from . import shape
from ._define import aval_of, define_primitive

COLLECTIVE = "collective across processes"  # the `effect` parameter of every primitive here


def process_sum(x, group, what: str):
    """x summed over the processes of `group` (`what` names the collective in errors)."""
    return process_sum_p.bind(x, group=group, what=what, effect=COLLECTIVE)


def process_gather(x, group, what: str):
    """The stack of every process's x, in rank order, on a new leading axis."""
    return process_gather_p.bind(x, group=group, what=what, effect=COLLECTIVE)


def process_concatenate(x, group, what: str):
    """Every process's x concatenated along axis 0, in rank order (the lanes of every process)."""
    stacked = process_gather(x, group, what)
    s = aval_of(stacked).shape
    return shape.reshape(stacked, (s[0] * s[1],) + s[2:])


def whole_in(x, group, what: str):
    return whole_in_p.bind(x, group=group, what=what, effect=COLLECTIVE)


def whole_out(x, group, what: str):
    return whole_out_p.bind(x, group=group, what=what, effect=COLLECTIVE)


def _impl_sum(xp, x, *, group, what, effect):
    return group.allreduce(x, "sum", what=what)  # (the group makes x contiguous for MPI)


def _impl_gather(xp, x, *, group, what, effect):
    return group.allgather(x, what=what)


def _sum_transpose(ct, x, *, group, what, effect):
    """Each process's operand reaches every process's sum: its cotangent is the sum of theirs."""
    return [None if type(ct) is Zero else process_sum(ct, group, what)]


def _gather_transpose(ct, x, *, group, what, effect):
    """Row r of every process's stack is process r's operand: its cotangent is row r of the sum."""
    if type(ct) is Zero:
        return [None]
    total = process_sum(ct, group, what)
    r = group.rank
    return [shape.reshape(shape.slice_in_dim(total, r, r + 1), aval_of(ct).shape[1:])]


process_sum_p = define_primitive(
    "process_sum",
    impl=_impl_sum,
    abstract_eval=lambda x, **params: x,
    jvp="linear",
    linear=True,
    transpose=_sum_transpose,
    batch=lambda vals, dims, **params: (process_sum_p.bind(vals[0], **params), dims[0]),
    fold=False,  # it talks to the other processes: never evaluated while compiling
)


process_gather_p = define_primitive(
    "process_gather",
    impl=_impl_gather,
    abstract_eval=lambda x, *, group, **params: ShapedArray((group.size,) + x.shape, x.dtype, x.weak_type),
    jvp="linear",
    linear=True,
    transpose=_gather_transpose,
    batch=lambda vals, dims, **params: (process_gather_p.bind(vals[0], **params), dims[0] + 1),
    fold=False,
)


# ------------------------------------------- whole values in and out of per-process code
# shard_map in a job of several processes: every process holds each argument and result
# whole, but computes only its own lanes. In per-process code a cotangent is a process's
# share of the whole cotangent (the whole one is the sum of the shares: this is what makes
# process_sum transpose to process_sum). At shard_map's boundary the whole values are
# converted: an argument's cotangent is the sum of the shares; a result's whole cotangent
# becomes shares by giving it all to process 0. Both are the identity on values.

def _whole_in_transpose(ct, x, *, group, what, effect):
    return [None if type(ct) is Zero else process_sum(ct, group, what)]


def _whole_out_transpose(ct, x, *, group, what, effect):
    """Process 0 keeps the whole cotangent, the others a zero one: explicit zeros, not a
    symbolic Zero, so that every process still runs the collectives it flows into."""
    if type(ct) is Zero or group.rank == 0:
        return [None if type(ct) is Zero else ct]
    return [instantiate(Zero(aval_of(ct)))]


def _identity_prim(name: str, transpose) -> object:
    prim = define_primitive(
        name,
        impl=lambda xp, x, **params: x,
        abstract_eval=lambda x, **params: x,
        jvp="linear",
        linear=True,
        transpose=transpose,
        batch=lambda vals, dims, **params: (prim.bind(vals[0], **params), dims[0]),
        fold=False,  # its transpose depends on the process: keep it in the program
    )
    return prim


whole_in_p = _identity_prim("whole_in", _whole_in_transpose)
whole_out_p = _identity_prim("whole_out", _whole_out_transpose)
