"""Forward mode: a JVPTracer carries a primal and its (never symbolically zero) tangent."""
from __future__ import annotations

from typing import Callable, Sequence

from ..avals import Zero
from ..core import Trace, Tracer, _trace_var, lift_aval, short_repr


class JVPTracer(Tracer):
    __slots__ = ("primal", "tangent", "_aval")

    def __init__(self, trace: "JVPTrace", primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent
        self._aval = None

    @property
    def aval(self):
        aval = self._aval
        if aval is None:
            aval = self._aval = lift_aval(self.primal)
        return aval

    def to_concrete(self, what: str):
        p = self.primal
        return p._concrete(what) if hasattr(p, "_concrete") else p

    def _short_repr(self) -> str:
        return f"JVPTracer(primal={short_repr(self.primal)}, tangent={short_repr(self.tangent)})"


class JVPTrace(Trace):
    __slots__ = ()
    name = "jvp"

    def process_primitive(self, prim, args, params):
        primals, tangents, nonzero = unzip_own(self, JVPTracer, args)
        if not nonzero and self.parent is None and not prim.higher_order:
            return prim.eager(*primals, **params)
        token = _trace_var.set(self.parent)
        try:
            if not nonzero:
                return prim.bind(*primals, **params)
            out, tout = prim.jvp(primals, tangents, **params)
        finally:
            _trace_var.reset(token)
        if prim.multiple_results:
            return [self.box(p, t) for p, t in zip(out, tout)]
        return self.box(out, tout)

    def box(self, primal, tangent):
        return primal if type(tangent) is Zero else JVPTracer(self, primal, tangent)


def unzip_own(trace: Trace, tracer_type: type, args: Sequence) -> tuple[list, list, bool]:
    """Split arguments into primals and tangents; foreign values get symbolic-zero tangents."""
    primals, tangents = [], []
    nonzero = False
    for a in args:
        if type(a) is tracer_type and a._trace is trace:
            primals.append(a.primal)
            tangents.append(a.tangent)
            nonzero = True
        else:
            trace.check_foreign(a)
            primals.append(a)
            tangents.append(None)
    if nonzero:
        tangents = [Zero(lift_aval(p).to_tangent_aval()) if t is None else t for p, t in zip(primals, tangents)]
    return primals, tangents, nonzero


def jvp_flat(fn: Callable, primals: Sequence, tangents: Sequence) -> tuple[list, list]:
    """Push tangents through `fn`; Zero tangents stay symbolic. Returns (outs, out tangents)."""
    trace = JVPTrace(_trace_var.get())
    ins = [p if type(t) is Zero else JVPTracer(trace, p, t) for p, t in zip(primals, tangents)]
    token = _trace_var.set(trace)
    try:
        outs = fn(*ins)
    finally:
        _trace_var.reset(token)
        trace.invalidate()
    primals_out, tangents_out = [], []
    for o in outs:
        if type(o) is JVPTracer and o._trace is trace:
            primals_out.append(o.primal)
            tangents_out.append(o.tangent)
        else:
            primals_out.append(o)
            tangents_out.append(Zero(lift_aval(o).to_tangent_aval()))
    return primals_out, tangents_out
