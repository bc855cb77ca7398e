"""Cases for the named-axis collectives, applied inside vmap(axis_name="i"), and for the
steps across processes, with a process group of one process (the multi-process values are
checked under mpiexec: tests/test_distributed_*.py)."""
import numpy as np

import nablax
from nablax._src.api import mapped
from nablax._src.primitives import collectives as col
from nablax._src.primitives import process_collectives as pc

from .case import Case, randn


class OneProcess:
    """A ProcessGroup of one process: what MPI gives a job of one rank."""

    rank, size = 0, 1

    def allreduce(self, x, op, *, what=""):
        return np.array(x, copy=True)

    def allgather(self, x, *, what=""):
        return np.array(x)[None].copy()


ONE = OneProcess()


def _over_rows(fn):
    """Apply fn(row) with the rows of the argument as the examples of vmap axis "i"."""

    def apply(x):
        return nablax.vmap(fn, axis_name="i")(x)

    return apply


def _over_rows_of_processes(fn):
    """fn(row) over axis "i" as a pmap spanning the processes of ONE (the paths across processes)."""

    def apply(x):
        return mapped(fn, 0, 0, "i", None, where="pmap(case)", group=ONE)(x)

    return apply


CASES = [
    Case(col.psum_p, (randn(3, 4),), bind=_over_rows(lambda r: col.psum(r, "i")),
         reference=lambda x: np.broadcast_to(x.sum(0), x.shape)),
    Case(col.pmean_p, (randn(3, 4),), bind=_over_rows(lambda r: col.pmean(r, "i")),
         reference=lambda x: np.broadcast_to(x.mean(0), x.shape)),
    Case(col.pmax_p, (randn(3, 4),), bind=_over_rows(lambda r: col.pmax(r, "i")),
         reference=lambda x: np.broadcast_to(x.max(0), x.shape)),
    Case(col.pmin_p, (randn(3, 4),), bind=_over_rows(lambda r: col.pmin(r, "i")),
         reference=lambda x: np.broadcast_to(x.min(0), x.shape)),
    Case(col.all_gather_p, (randn(3, 2),), bind=_over_rows(lambda r: col.all_gather(r, "i") * r),
         reference=lambda x: x[None, :, :] * x[:, None, :]),
    Case(col.axis_index_p, (randn(3, 2),),
         bind=_over_rows(lambda r: r * col.axis_index("i")),
         reference=lambda x: x * np.arange(3)[:, None]),
    Case(col.reduce_scatter_p, (randn(3, 3, 2),), bind=_over_rows(lambda r: col.psum_scatter(r, "i")),
         reference=lambda x: x.sum(0)),
    Case(col.reduce_scatter_p, (randn(3, 2, 6),), bind=_over_rows(lambda r: col.psum_scatter(r, "i", scatter_dimension=1,
                                                                                             tiled=True)),
         reference=lambda x: x.sum(0).reshape(2, 3, 2).transpose(1, 0, 2), name="tiled"),
    Case(col.ppermute_p, (randn(3, 2),), bind=_over_rows(lambda r: col.ppermute(r, "i", [(0, 2), (2, 1)])),
         reference=lambda x: np.stack([np.zeros(2), x[2], x[0]])),
    Case(col.all_to_all_p, (randn(3, 2, 3),), bind=_over_rows(lambda r: col.all_to_all(r, "i", 1, 0)),
         reference=lambda x: x.transpose(2, 0, 1)),
    Case(col.all_to_all_p, (randn(3, 6, 2),), bind=_over_rows(lambda r: col.all_to_all(r, "i", 0, 1, tiled=True)),
         reference=lambda x: x.reshape(3, 3, 2, 2).transpose(1, 2, 0, 3).reshape(3, 2, 6), name="tiled"),
    Case(col.pbroadcast_p, (randn(3, 2),), bind=_over_rows(lambda r: col.pbroadcast(r, "i", 1) * r),
         reference=lambda x: x[1] * x),
]

CASES += [
    Case(pc.process_sum_p, (randn(3, 4),), params=dict(group=ONE, what="psum", effect=pc.COLLECTIVE),
         reference=lambda x, **p: x),
    Case(pc.process_gather_p, (randn(3, 4),), params=dict(group=ONE, what="all_gather", effect=pc.COLLECTIVE),
         reference=lambda x, **p: x[None]),
    Case(pc.whole_in_p, (randn(3, 4),), params=dict(group=ONE, what="in", effect=pc.COLLECTIVE),
         reference=lambda x, **p: x),
    Case(pc.whole_out_p, (randn(3, 4),), params=dict(group=ONE, what="out", effect=pc.COLLECTIVE),
         reference=lambda x, **p: x),
    Case(col.psum_p, (randn(3, 4),), bind=_over_rows_of_processes(lambda r: col.psum(r, "i") * r),
         reference=lambda x: x.sum(0) * x, name="across-processes"),
    Case(col.pmean_p, (randn(3, 4),), bind=_over_rows_of_processes(lambda r: col.pmean(r, "i")),
         reference=lambda x: np.broadcast_to(x.mean(0), x.shape), name="across-processes"),
    Case(col.pmax_p, (randn(3, 4),), bind=_over_rows_of_processes(lambda r: col.pmax(r, "i") * r),
         reference=lambda x: x.max(0) * x, name="across-processes"),
    Case(col.all_gather_p, (randn(3, 2),), bind=_over_rows_of_processes(lambda r: col.all_gather(r, "i") * r),
         reference=lambda x: x[None, :, :] * x[:, None, :], name="across-processes"),
    Case(col.axis_index_p, (randn(3, 2),), bind=_over_rows_of_processes(lambda r: r * col.axis_index("i")),
         reference=lambda x: x * np.arange(3)[:, None], name="across-processes"),
    Case(col.ppermute_p, (randn(3, 2),),
         bind=_over_rows_of_processes(lambda r: col.ppermute(r, "i", [(0, 2), (2, 1)])),
         reference=lambda x: np.stack([np.zeros(2), x[2], x[0]]), name="across-processes"),
]

# Misuse: eager and jit raise the same class (test_rules.py).
BAD_CASES = [
    Case(col.psum_p, (randn(3, 4),), bind=lambda x: col.psum(x, "i"), name="unbound-axis"),
    Case(col.psum_p, (randn(3, 4),), bind=_over_rows(lambda r: col.psum(r, "j")), name="other-axis"),
    Case(col.axis_index_p, (randn(3, 4),), bind=lambda x: col.axis_index("i") + x, name="unbound-axis"),
    Case(col.reduce_scatter_p, (randn(3, 4),), bind=_over_rows(lambda r: col.psum_scatter(r, "i")), name="size"),
    Case(col.all_to_all_p, (randn(3, 4),), bind=_over_rows(lambda r: col.all_to_all(r, "i", 0, 0, tiled=True)),
         name="tiled-size"),
    Case(col.ppermute_p, (randn(3, 4),), bind=_over_rows(lambda r: col.ppermute(r, "i", [(0, 1), (2, 1)])),
         name="repeated"),
    Case(col.pbroadcast_p, (randn(3, 4),), bind=_over_rows(lambda r: col.pbroadcast(r, "i", 3)), name="source"),
]
