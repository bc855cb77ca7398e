"""vmap: a BatchTracer carries an array with one extra axis, the batch dimension `bdim`.

Values not carrying the batch axis are never boxed: rules receive `None` as their dim.
Rules move dimensions only when they must.
"""
from __future__ import annotations

import operator
from contextvars import ContextVar
from typing import Callable, Hashable, Sequence

from .. import errors
from ..array import Array, interned_aval
from ..avals import ShapedArray
from ..core import Trace, Tracer, _trace_var, current_trace, lift_aval, run_new_trace, split_own
from ..ir import ClosedJaxpr, body_jaxprs, eval_jaxpr
from ..primitives.templates import bdim_to_front
from .staging import trace_to_jaxpr

# The axis (name, process group) of the vmap whose rule for a higher-order primitive is
# running: rules that vectorize a body (control flow, jit) batch it under the same axis, so
# collectives inside the body (psum(x, "i")) still find it, across processes too under pmap.
_axis_var: ContextVar = ContextVar("nablax_vmap_axis", default=(None, None))


def current_axis() -> tuple:
    """Inside a higher-order primitive's batching rule: (name, process group) of the vmap
    applying it; the group is None unless its axis spans processes (pmap, shard_map)."""
    return _axis_var.get()


class BatchTracer(Tracer):
    __slots__ = ("val", "bdim", "aval")
    _parts = operator.attrgetter("val", "bdim")

    def __init__(self, trace: "BatchTrace", val, bdim: int):
        self._trace = trace
        self.val = val
        self.bdim = bdim
        # A plain attribute, computed here: rules read a tracer's aval several times (about 2.5
        # reads per tracer under vmap(grad)), and a property would cost a call each time.
        a = val.aval if type(val) is Array or isinstance(val, Tracer) else lift_aval(val)  # (without its frame)
        self.aval = interned_aval(a.shape[:bdim] + a.shape[bdim + 1:], a.dtype, a.weak_type)

    def to_concrete(self, what: str):
        raise errors.ConcretizationTypeError(
            f"{what} needs a concrete value, but got a value batched by vmap "
            f"({self.aval.str_short()} per example): Python control flow cannot branch "
            "differently for each example. Use jnp.where / lax.select / lax.cond instead."
        )

    def _short_repr(self) -> str:
        return f"VmapTracer(aval={self.aval}, batched={lift_aval(self.val)})"


class BatchTrace(Trace):
    """One vmap level. `axis_size` is the number of lanes this process holds; under a pmap
    that spans processes, `group` is their ProcessGroup (each process holds `axis_size` lanes
    of an axis of `axis_size * group.size`), and collectives on this axis cross processes."""

    __slots__ = ("axis_size", "axis_name", "group")
    name = "vmap"

    def __init__(self, parent: Trace | None, axis_size: int, axis_name: Hashable | None, group=None):
        super().__init__(parent)
        self.axis_size = axis_size
        self.axis_name = axis_name
        self.group = group

    def process_primitive(self, prim, args, params):
        vals, dims, batched = split_own(self, BatchTracer, args)
        axis_rule = prim.axis_batch
        # Once per primitive under vmap: the trace switch is inlined (see core.call_under).
        token = _trace_var.set(self.parent)
        name_token = _axis_var.set((self.axis_name, self.group)) if prim.higher_order else None
        try:
            if axis_rule is not None and params.get("axis_name") is not None:
                out, out_dims = axis_rule(self, vals, dims, **params)
            elif not batched and not (name_token is not None and self.axis_name is not None
                                      and _mentions_axis(params, self.axis_name)):
                return prim.bind(*vals, **params)
            else:
                if not batched:  # a body with a collective on this axis needs the axis even so
                    vals, dims = [bdim_to_front(vals[0], None, self.axis_size), *vals[1:]], [0, *dims[1:]]
                out, out_dims = prim.batch(vals, dims, **params)
        finally:
            _trace_var.reset(token)
            if name_token is not None:
                _axis_var.reset(name_token)
        if prim.multiple_results:
            return [self.box(v, d) for v, d in zip(out, out_dims)]
        return self.box(out, out_dims)

    def box(self, val, bdim):
        return val if bdim is None else BatchTracer(self, val, bdim)


def _mentions_axis(params: dict, name: Hashable) -> bool:
    """Whether a body Jaxpr in `params` (at any depth) has a collective over axis `name`."""
    for body in body_jaxprs(params):
        for e in body.eqns:
            named = e.params.get("axis_name")
            if named == name or (isinstance(named, tuple) and name in named) or _mentions_axis(e.params, name):
                return True
    return False


def batch_flat(
    fn: Callable, args: Sequence, in_dims: Sequence, axis_size: int, axis_name: Hashable | None, group=None
) -> tuple[list, list]:
    """Run `fn` with args batched along in_dims (None: not batched); returns (outs, out dims).
    `group`: the process group the axis spans (pmap over processes), else None."""
    trace = BatchTrace(current_trace(), axis_size, axis_name, group)
    ins = [a if d is None else BatchTracer(trace, a, d) for a, d in zip(args, in_dims)]
    return run_new_trace(trace, fn, ins, lambda outs: split_own(trace, BatchTracer, outs)[:2])


def batch_jaxpr(closed: ClosedJaxpr, size: int, batched_in: Sequence[bool], force_out: Sequence[bool],
                label: str) -> tuple[ClosedJaxpr, list[bool]]:
    """`closed` vectorized: flagged inputs carry a leading batch axis of `size`; an output
    does where batching made it vary (each inner primitive's rule decides, so a nested loop
    or jit reports exactly which of its outputs vary) or where force_out asks. Bodies are
    batched under the enclosing vmap's axis name, so collectives inside them still work.
    Returns (batched ClosedJaxpr, which outputs are batched)."""
    avals = [ShapedArray((size,) + a.shape, a.dtype, a.weak_type) if b else a
             for a, b in zip(closed.in_avals, batched_in)]
    store: dict = {}

    def fn(*args):
        outs, dims = batch_flat(lambda *xs: eval_jaxpr(closed.jaxpr, closed.consts, *xs), list(args),
                                [0 if b else None for b in batched_in], size, *current_axis())
        flags = store["flags"] = [d is not None or f for d, f in zip(dims, force_out)]
        return [bdim_to_front(o, d, size) if f else o for o, d, f in zip(outs, dims, flags)]

    return trace_to_jaxpr(fn, avals, label=label), store["flags"]
