"""linearize: primals are computed now, on the parent trace; tangent operations are staged.

The tangent side is a StagingTrace with `stage_all=False`, whose parent is this trace's
parent: while a JVP rule runs under it, operations on primal values fall through to the
parent (computed at once, as in autograd, so Python control flow on values works) and
operations on tangents are recorded into a linear Jaxpr, with the primal values they
need captured as constants (the residuals). `vjp` transposes that Jaxpr.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..ad_util import zeros_of_aval
from ..array import wrap
from ..avals import Zero, float0
from ..core import Trace, call_under, current_trace, lift_aval, run_new_trace, short_repr
from ..ir import ClosedJaxpr, Eqn, Literal, Var, eval_jaxpr
from ..primitives import shape
from .jvp import JVPTrace, JVPTracer, unzip_outputs
from .staging import StagingTrace, StagingTracer, hoist_consts, trace_to_jaxpr


class LinearizeTracer(JVPTracer):
    """A primal with its tangent, a tracer of the linear Jaxpr being staged."""

    __slots__ = ()

    def _short_repr(self) -> str:
        return f"GradTracer(primal={short_repr(self.primal)}, typeof(tangent)={self.tangent.aval.str_short()})"


class LinearizeTrace(JVPTrace):
    """The rules run under the tangent trace, so what they do to tangents is staged."""

    __slots__ = ("tangent_trace", "label")
    name = "grad"
    tracer_type = LinearizeTracer
    prefers_linearize = True

    def __init__(self, parent: Trace | None, label: str = "grad"):
        super().__init__(parent)
        self.label = label
        self.tangent_trace = self.rule_trace = StagingTrace(parent, stage_all=False, label=label)

    def transformation_name(self) -> str:
        return self.label

    def box(self, primal, tangent):
        if type(tangent) is Zero:
            return primal
        if not (type(tangent) is StagingTracer and tangent._trace is self.tangent_trace):
            tangent = StagingTracer(self.tangent_trace, self.tangent_trace.getvar(tangent))
        return LinearizeTracer(self, primal, tangent)

    def invalidate(self) -> None:
        super().invalidate()
        self.tangent_trace.invalidate()


def _new_trace(primals: Sequence, tangent_in: Sequence[bool], label: str) -> tuple[LinearizeTrace, list, list]:
    """A LinearizeTrace over `primals`: (trace, tangent input vars, inputs to run on). The
    flagged primals get a tangent input, boxed unless its tangent space is float0."""
    trace = LinearizeTrace(current_trace(), label)
    ttrace = trace.tangent_trace
    invars, ins = [], []
    for p, want in zip(primals, tangent_in):
        if not want:
            ins.append(p)
            continue
        taval = lift_aval(p).to_tangent_aval()
        t = ttrace.new_arg(taval)
        invars.append(t._var)
        ins.append(p if taval.dtype == float0 else LinearizeTracer(trace, p, t))
    return trace, invars, ins


def linearize_flat(fn: Callable, primals: Sequence, label: str = "grad") -> tuple[list, ClosedJaxpr]:
    """Evaluate `fn` at `primals` and return (outputs, linear Jaxpr: tangents in -> tangents out).

    Inputs whose tangent space is float0 (integers, bools) get a tangent input the Jaxpr
    ignores; outputs without a tangent get zeros."""
    trace, invars, ins = _new_trace(primals, [True] * len(primals), label)

    def collect(outs):
        primals_out, tangents_out = unzip_outputs(trace, LinearizeTracer, outs)
        tangents_out = [zeros_of_aval(t.aval) if type(t) is Zero else t for t in tangents_out]
        return primals_out, trace.tangent_trace.to_jaxpr(invars, tangents_out)

    return run_new_trace(trace, fn, ins, collect)


def linearize_inline(trace: LinearizeTrace, fn: Callable, primals: Sequence, tangents: Sequence) -> tuple[list, list]:
    """Inside a linearize rule: run `fn` on (primal, tangent) pairs within `trace` itself
    (primals computed now, tangents staged into its linear Jaxpr; Zero tangents stay
    symbolic). Returns (primal outputs, tangent outputs)."""
    ins = [trace.box(p, t) for p, t in zip(primals, tangents)]
    return unzip_outputs(trace, LinearizeTracer, call_under(trace, fn, *ins))


def _staged_zeros(ttrace: StagingTrace, aval) -> StagingTracer:
    """A zero tangent computed inside the linear Jaxpr (not captured as a residual)."""
    zero = wrap(np.zeros((), aval.dtype), False)
    if not aval.shape:
        return zero
    var = Var(aval)
    ttrace.eqns.append(Eqn(shape.broadcast_in_dim_p, [Literal(zero)], [var],
                           {"shape": aval.shape, "broadcast_dimensions": ()}))
    return StagingTracer(ttrace, var)


def linearize_jaxpr(closed: ClosedJaxpr, nz_in: Sequence[bool], nz_out: Sequence[bool],
                    label: str) -> tuple[ClosedJaxpr, ClosedJaxpr, int]:
    """Split `closed` into a primal Jaxpr (inputs -> outputs + residuals) and a linear one
    (residuals + tangents of the nz_in inputs -> tangents of the nz_out outputs); an output
    outside nz_out must have a zero tangent. Returns (primal, linear, number of residuals)."""
    store: dict = {}

    def primal_fn(*args):
        trace, tvars, ins = _new_trace(args, nz_in, label)

        def collect(outs):
            primals_out, touts = unzip_outputs(trace, LinearizeTracer, outs)
            staged = []
            for t, want in zip(touts, nz_out):
                if want:
                    staged.append(_staged_zeros(trace.tangent_trace, t.aval) if type(t) is Zero else t)
                elif type(t) is not Zero:
                    raise AssertionError("linearize_jaxpr: an output outside nz_out has a nonzero tangent")
            return primals_out, trace.tangent_trace.to_jaxpr(tvars, staged)

        primals_out, lin = run_new_trace(trace, lambda *xs: eval_jaxpr(closed.jaxpr, closed.consts, *xs), ins,
                                         collect)
        store["lin"], residuals = hoist_consts(lin)
        store["n_res"] = len(residuals)
        return primals_out + residuals

    primal = trace_to_jaxpr(primal_fn, closed.in_avals, label=label)
    return primal, store["lin"], store["n_res"]
