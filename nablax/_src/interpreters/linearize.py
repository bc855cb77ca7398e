"""linearize: primals are computed now, on the parent trace; tangent operations are staged.

The tangent side is a StagingTrace with `stage_all=False`, whose parent is this trace's
parent: while a JVP rule runs under it, operations on primal values fall through to the
parent (computed at once, as in autograd, so Python control flow on values works) and
operations on tangents are recorded into a linear Jaxpr, with the primal values they
need captured as constants (the residuals). `vjp` transposes that Jaxpr.
"""
from __future__ import annotations

from typing import Callable, Sequence

from ..avals import Zero, float0
from ..core import Trace, Tracer, _trace_var, lift_aval, short_repr
from ..ir import ClosedJaxpr
from ..primitives.templates import zeros_of_aval
from .jvp import unzip_own
from .staging import StagingTrace, StagingTracer


class LinearizeTracer(Tracer):
    __slots__ = ("primal", "tangent", "_aval")

    def __init__(self, trace: "LinearizeTrace", primal, tangent):
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
        return f"GradTracer(primal={short_repr(self.primal)}, typeof(tangent)={self.tangent.aval.str_short()})"


class LinearizeTrace(Trace):
    __slots__ = ("tangent_trace", "label")
    name = "grad"

    def __init__(self, parent: Trace | None, label: str = "grad"):
        super().__init__(parent)
        self.label = label
        self.tangent_trace = StagingTrace(parent, stage_all=False, label=label)

    def transformation_name(self) -> str:
        return self.label

    def process_primitive(self, prim, args, params):
        primals, tangents, nonzero = unzip_own(self, LinearizeTracer, args)
        if not nonzero:
            if self.parent is None and not prim.higher_order:
                return prim.eager(*primals, **params)
            token = _trace_var.set(self.parent)
            try:
                return prim.bind(*primals, **params)
            finally:
                _trace_var.reset(token)
        token = _trace_var.set(self.tangent_trace)
        try:
            if prim.linearize is not None:
                out, tout = prim.linearize(self, primals, tangents, **params)
            else:
                out, tout = prim.jvp(primals, tangents, **params)
        finally:
            _trace_var.reset(token)
        if prim.multiple_results:
            return [self.box(p, t) for p, t in zip(out, tout)]
        return self.box(out, tout)

    def box(self, primal, tangent):
        if type(tangent) is Zero:
            return primal
        if not (type(tangent) is StagingTracer and tangent._trace is self.tangent_trace):
            tangent = StagingTracer(self.tangent_trace, self.tangent_trace.getvar(tangent))
        return LinearizeTracer(self, primal, tangent)

    def invalidate(self) -> None:
        super().invalidate()
        self.tangent_trace.invalidate()


def linearize_flat(fn: Callable, primals: Sequence, label: str = "grad") -> tuple[list, ClosedJaxpr]:
    """Evaluate `fn` at `primals` and return (outputs, linear Jaxpr: tangents in -> tangents out).

    Inputs whose tangent space is float0 (integers, bools) get no tangent input.
    """
    trace = LinearizeTrace(_trace_var.get(), label)
    ttrace = trace.tangent_trace
    invars, ins = [], []
    for p in primals:
        taval = lift_aval(p).to_tangent_aval()
        t = ttrace.new_arg(taval)
        invars.append(t._var)
        ins.append(p if taval.dtype == float0 else LinearizeTracer(trace, p, t))
    token = _trace_var.set(trace)
    try:
        outs = fn(*ins)
        primals_out, tangents_out = [], []
        for o in outs:
            if type(o) is LinearizeTracer and o._trace is trace:
                primals_out.append(o.primal)
                tangents_out.append(o.tangent)
            else:
                trace.check_foreign(o)
                primals_out.append(o)
                tangents_out.append(zeros_of_aval(lift_aval(o).to_tangent_aval()))
        jaxpr = ttrace.to_jaxpr(invars, tangents_out)
    finally:
        _trace_var.reset(token)
        trace.invalidate()
    return primals_out, jaxpr
