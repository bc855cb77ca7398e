"""Forward mode: a JVPTracer carries a primal and its (never symbolically zero) tangent."""
from __future__ import annotations

import operator
from typing import Callable, Sequence

import numpy as np

from ..ad_util import zeros_of_aval
from ..array import Array, wrap
from ..avals import ShapedArray, Zero, float0
from ..core import Trace, Tracer, _trace_var, current_trace, lift_aval, run_new_trace, short_repr, split_own
from ..ir import ClosedJaxpr, eval_jaxpr
from ..primitives import shape
from .staging import trace_to_jaxpr


class JVPTracer(Tracer):
    """A primal with its tangent; linearize's tracer too (there the tangent is staged)."""

    __slots__ = ("primal", "tangent", "aval", "shape", "dtype")
    _parts = operator.attrgetter("primal", "tangent")

    def __init__(self, trace: Trace, primal, tangent):
        # The aval, shape and dtype are plain attributes (shadowing Tracer's properties): rules
        # and jnp's scalar coercion read them on every operation, a property would cost a call.
        self._trace, self.primal, self.tangent = trace, primal, tangent
        # (lift_aval's first two cases, without its frame)
        aval = primal.aval if type(primal) is Array or isinstance(primal, Tracer) else lift_aval(primal)
        self.aval, self.shape, self.dtype = aval, aval.shape, aval.dtype

    def to_concrete(self, what: str):
        p = self.primal
        return p._concrete(what) if hasattr(p, "_concrete") else p

    def _short_repr(self) -> str:
        return f"JVPTracer(primal={short_repr(self.primal)}, tangent={short_repr(self.tangent)})"


class JVPTrace(Trace):
    """Forward mode; also the base of linearize's trace, which differs in where the rules
    run (`rule_trace`), in preferring a primitive's linearize rule, and in its tracers."""

    __slots__ = ("rule_trace",)
    name = "jvp"
    tracer_type: type = JVPTracer
    prefers_linearize = False

    def __init__(self, parent: Trace | None):
        super().__init__(parent)
        self.rule_trace = parent  # the trace the JVP rules run under

    def process_primitive(self, prim, args, params):
        primals, tangents, nonzero = split_own(self, self.tracer_type, args)
        if not nonzero:
            return self.bind_on_parent(prim, primals, params)
        for i, t in enumerate(tangents):  # (a loop, not a comprehension: no frame per primitive)
            if t is None:
                p = primals[i]
                a = p.aval if type(p) is Array or isinstance(p, Tracer) else lift_aval(p)
                tangents[i] = Zero(a if a.dtype.kind in "fc" else a.to_tangent_aval())  # (its first case inline)
        # Once per primitive under jvp/grad: the trace switch is inlined (see core.call_under).
        token = _trace_var.set(self.rule_trace)
        try:
            if self.prefers_linearize and prim.linearize is not None:
                out, tout = prim.linearize(self, primals, tangents, **params)
            else:
                out, tout = prim.jvp(primals, tangents, **params)
        finally:
            _trace_var.reset(token)
        if prim.multiple_results:
            return [self.box(p, t) for p, t in zip(out, tout)]
        return self.box(out, tout)

    def box(self, primal, tangent):
        return primal if type(tangent) is Zero else JVPTracer(self, primal, tangent)


def unzip_outputs(trace: Trace, tracer_type: type, outs: Sequence) -> tuple[list, list]:
    """A transformation's outputs as (primals, tangents); values it does not own get Zero."""
    primals, tangents, _ = split_own(trace, tracer_type, outs)
    return primals, [Zero(lift_aval(p).to_tangent_aval()) if t is None else t for p, t in zip(primals, tangents)]


def jvp_flat(fn: Callable, primals: Sequence, tangents: Sequence) -> tuple[list, list]:
    """Push tangents through `fn`; Zero tangents stay symbolic. Returns (outs, out tangents)."""
    trace = JVPTrace(current_trace())
    ins = [p if type(t) is Zero else JVPTracer(trace, p, t) for p, t in zip(primals, tangents)]
    return run_new_trace(trace, fn, ins, lambda outs: unzip_outputs(trace, JVPTracer, outs))


def broadcast_zeros(aval: ShapedArray):
    """Zeros of `aval` made by broadcasting a scalar: one small equation when staged, not a
    captured array (float0 zeros, which no operation makes, are concrete)."""
    if aval.dtype == float0:
        return zeros_of_aval(aval)
    z = wrap(np.zeros((), aval.dtype), aval.weak_type)
    return shape.broadcast_in_dim(z, aval.shape, ()) if aval.shape else z


def instantiate_zeros(t):
    """A symbolic Zero tangent made an array (by broadcast_zeros); other tangents unchanged."""
    return broadcast_zeros(t.aval) if type(t) is Zero else t


def jvp_jaxpr(closed: ClosedJaxpr, nz_in: Sequence[bool], nz_out: Sequence[bool], in_groups: Sequence[int],
              out_groups: Sequence[int], label: str) -> ClosedJaxpr:
    """The JVP of `closed` as a Jaxpr. Inputs are grouped (sizes `in_groups`): each group's
    primals, then the tangents of its nz_in members; outputs likewise (`out_groups`), with
    tangents exactly for nz_out (zeros instantiated). An output outside nz_out must have a
    zero tangent (callers decide nz_out by a dependence analysis that over-approximates)."""
    avals = closed.in_avals
    layout, start = [], 0
    for g in in_groups:
        layout += [(False, i) for i in range(start, start + g)]
        layout += [(True, i) for i in range(start, start + g) if nz_in[i]]
        start += g

    def fn(*args):
        primals = [None] * len(avals)
        tangents = [Zero(a.to_tangent_aval()) for a in avals]
        for (is_t, i), a in zip(layout, args):
            (tangents if is_t else primals)[i] = a
        outs, touts = jvp_flat(lambda *xs: eval_jaxpr(closed.jaxpr, closed.consts, *xs), primals, tangents)
        res, start = [], 0
        for g in out_groups:
            res += outs[start:start + g]
            for j in range(start, start + g):
                if nz_out[j]:
                    res.append(instantiate_zeros(touts[j]))
                elif type(touts[j]) is not Zero:
                    raise AssertionError("jvp_jaxpr: an output outside nz_out has a nonzero tangent")
            start += g
        return res

    return trace_to_jaxpr(fn, [avals[i].to_tangent_aval() if t else avals[i] for t, i in layout], label=label)
