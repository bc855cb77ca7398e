"""vmap: a BatchTracer carries an array with one extra axis, the batch dimension `bdim`.

Values not carrying the batch axis are never boxed: rules receive `None` as their dim.
Rules move dimensions only when they must.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Callable, Hashable, Sequence

from .. import errors
from ..avals import ShapedArray
from ..core import Trace, Tracer, _trace_var, lift_aval

# The axis name of the vmap whose rule for a higher-order primitive is running: rules that
# vectorize a body (control flow, jit) batch it under the same name, so collectives inside
# the body (psum(x, "i")) still find their axis.
_axis_name_var: ContextVar = ContextVar("nablax_vmap_axis_name", default=None)


def current_axis_name() -> Hashable | None:
    """Inside a higher-order primitive's batching rule: the name of the vmap applying it."""
    return _axis_name_var.get()


class BatchTracer(Tracer):
    __slots__ = ("val", "bdim")

    def __init__(self, trace: "BatchTrace", val, bdim: int):
        self._trace = trace
        self.val = val
        self.bdim = bdim

    @property
    def aval(self) -> ShapedArray:
        a = lift_aval(self.val)
        shape = a.shape[: self.bdim] + a.shape[self.bdim + 1:]
        return ShapedArray(shape, a.dtype, a.weak_type)

    def to_concrete(self, what: str):
        raise errors.ConcretizationTypeError(
            f"{what} needs a concrete value, but got a value batched by vmap "
            f"({self.aval.str_short()} per example): Python control flow cannot branch "
            "differently for each example. Use jnp.where / lax.select / lax.cond instead."
        )

    def _short_repr(self) -> str:
        return f"VmapTracer(aval={self.aval}, batched={lift_aval(self.val)})"


class BatchTrace(Trace):
    __slots__ = ("axis_size", "axis_name")
    name = "vmap"

    def __init__(self, parent: Trace | None, axis_size: int, axis_name: Hashable | None):
        super().__init__(parent)
        self.axis_size = axis_size
        self.axis_name = axis_name

    def process_primitive(self, prim, args, params):
        vals, dims = [], []
        batched = False
        for a in args:
            if type(a) is BatchTracer and a._trace is self:
                vals.append(a.val)
                dims.append(a.bdim)
                batched = True
            else:
                self.check_foreign(a)
                vals.append(a)
                dims.append(None)
        axis_rule = prim.axis_batch
        token = _trace_var.set(self.parent)
        name_token = _axis_name_var.set(self.axis_name) if prim.higher_order else None
        try:
            if axis_rule is not None and params.get("axis_name") is not None:
                out, out_dims = axis_rule(self, vals, dims, **params)
            elif not batched:
                return prim.bind(*vals, **params)
            else:
                out, out_dims = prim.batch(vals, dims, **params)
        finally:
            _trace_var.reset(token)
            if name_token is not None:
                _axis_name_var.reset(name_token)
        if prim.multiple_results:
            return [self.box(v, d) for v, d in zip(out, out_dims)]
        return self.box(out, out_dims)

    def box(self, val, bdim):
        return val if bdim is None else BatchTracer(self, val, bdim)


def batch_flat(
    fn: Callable, args: Sequence, in_dims: Sequence, axis_size: int, axis_name: Hashable | None
) -> tuple[list, list]:
    """Run `fn` with args batched along in_dims (None: not batched); returns (outs, out dims)."""
    trace = BatchTrace(_trace_var.get(), axis_size, axis_name)
    ins = [a if d is None else BatchTracer(trace, a, d) for a, d in zip(args, in_dims)]
    token = _trace_var.set(trace)
    try:
        outs = fn(*ins)
    finally:
        _trace_var.reset(token)
        trace.invalidate()
    vals, dims = [], []
    for o in outs:
        if type(o) is BatchTracer and o._trace is trace:
            vals.append(o.val)
            dims.append(o.bdim)
        else:
            trace.check_foreign(o)
            vals.append(o)
            dims.append(None)
    return vals, dims
