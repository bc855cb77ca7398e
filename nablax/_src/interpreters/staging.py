"""StagingTrace: records primitives into a Jaxpr instead of running them.

With `stage_all=True` (make_jaxpr, jit) every operation is recorded, including ones on
constants. With `stage_all=False` (the tangent side of linearize) only operations that
touch this trace's tracers are recorded; the rest run on the parent trace, so known
values are computed at once and enter the Jaxpr as constants (residuals).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..array import Array, to_concrete_array
from ..avals import ShapedArray
from ..core import Trace, Tracer, current_trace, gc_paused, lift_aval, run_new_trace
from ..ir import ClosedJaxpr, Eqn, Jaxpr, Literal, Var, pp_param_rules
from ..source_info import user_frame

_SCALARS = (bool, int, float, complex)


class StagingTracer(Tracer):
    # `shape` and `dtype` are plain attributes (shadowing Tracer's properties): JVP rules read
    # the shape of every staged tangent term (templates.broadcast_to), jnp the dtype.
    __slots__ = ("aval", "_var", "shape", "dtype")

    def __init__(self, trace: "StagingTrace", var: Var):
        self._trace = trace
        self.aval = aval = var.aval
        self.shape, self.dtype = aval.shape, aval.dtype
        self._var = var

    def _short_repr(self) -> str:
        return f"JitTracer({self.aval})"


class StagingTrace(Trace):
    __slots__ = ("stage_all", "label", "eqns", "constvars", "consts", "_const_index")

    def __init__(self, parent: Trace | None, stage_all: bool = True, label: str = "jit"):
        super().__init__(parent)
        self.stage_all = stage_all
        self.label = label
        self.eqns: list[Eqn] = []
        self.constvars: list[Var] = []
        self.consts: list = []
        self._const_index: dict[int, Var] = {}

    def transformation_name(self) -> str:
        return self.label

    def new_arg(self, aval: ShapedArray) -> StagingTracer:
        return StagingTracer(self, Var(aval))

    def getvar(self, x) -> "Var | Literal":
        """The Jaxpr atom for a value: own tracer, inline scalar literal, or a captured constant."""
        if type(x) is StagingTracer and x._trace is self:
            return x._var
        if type(x) is Array:  # the common constant: a scalar literal or a captured array
            if x._value.ndim == 0:
                return Literal(x)
        else:
            self.check_foreign(x)
        if isinstance(x, _SCALARS):
            return Literal(to_concrete_array(x))
        if isinstance(x, (np.ndarray, np.generic)):
            x = to_concrete_array(x)
        var = self._const_index.get(id(x))
        if var is None:
            var = Var(x.aval if type(x) is Array or isinstance(x, Tracer) else lift_aval(x))  # (without its frame)
            self._const_index[id(x)] = var
            self.constvars.append(var)
            self.consts.append(x)
        return var

    def process_primitive(self, prim, args, params):
        if not self.stage_all:
            for a in args:
                if type(a) is StagingTracer and a._trace is self:
                    break
            else:  # known values: compute them now (at once under a top-level grad, without
                # bind_on_parent's frame: a JVP rule's primal-side operations all come here)
                if self.parent is None and not prim.higher_order:
                    return prim.eager(*args, **params)
                return self.bind_on_parent(prim, args, params)
        invars, avals = [], []
        for a in args:  # (getvar's first two cases inlined, and no comprehension frames)
            if type(a) is StagingTracer and a._trace is self:
                v = a._var
            elif type(a) is Array and a._value.ndim == 0:
                v = Literal(a)
            else:
                v = self.getvar(a)
            invars.append(v)
            avals.append(v.aval)
        out = prim.abstract_eval(*avals, **params)
        source = user_frame() if self.stage_all else None  # jit/make_jaxpr only: never on grad's path
        if prim.multiple_results:
            outvars = [Var(aval) for aval in out]
            self.eqns.append(Eqn(prim, invars, outvars, params, source))
            return [StagingTracer(self, v) for v in outvars]
        outvar = Var(out)
        self.eqns.append(Eqn(prim, invars, [outvar], params, source))
        return StagingTracer(self, outvar)

    def to_jaxpr(self, invars: list, outs: Sequence) -> ClosedJaxpr:
        outvars = [self.getvar(o) for o in outs]
        return ClosedJaxpr(Jaxpr(self.constvars, invars, outvars, self.eqns), self.consts)


def trace_to_jaxpr(
    fn: Callable, in_avals: Sequence[ShapedArray], *, stage_all: bool = True, label: str = "jit"
) -> ClosedJaxpr:
    """Trace a flat function (list of tracers in, list of values out) into a ClosedJaxpr."""
    trace = StagingTrace(current_trace(), stage_all, label)
    args = [trace.new_arg(a) for a in in_avals]
    with gc_paused():
        return run_new_trace(trace, fn, args, lambda outs: trace.to_jaxpr([a._var for a in args], outs))


def with_invars(closed: ClosedJaxpr, invars: Sequence) -> ClosedJaxpr:
    """`closed` with its inputs replaced (reordered, or extended by unused ones)."""
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr(j.constvars, list(invars), j.outvars, j.eqns), closed.consts)


def _is_tracer(x) -> bool:
    return isinstance(x, Tracer)


def hoist_consts(closed: ClosedJaxpr, select: Callable = _is_tracer) -> tuple[ClosedJaxpr, list]:
    """Closure conversion: the constants `select` picks (by default the tracers of enclosing
    transformations) become leading inputs, so every transformation sees them as operands.
    Returns (the converted ClosedJaxpr, the hoisted constants, in input order)."""
    j = closed.jaxpr
    kept_v, kept_c, hoisted_v, hoisted_c = [], [], [], []
    for v, c in zip(j.constvars, closed.consts):
        if select(c):
            hoisted_v.append(v)
            hoisted_c.append(c)
        else:
            kept_v.append(v)
            kept_c.append(c)
    if not hoisted_v:
        return closed, []
    return ClosedJaxpr(Jaxpr(kept_v, hoisted_v + list(j.invars), j.outvars, j.eqns), kept_c), hoisted_c


# ------------------------------------------------------------------ printing (as JAX prints them)

def _traced_body(eqn: Eqn, call: Callable):
    """The Jaxpr of a call-like equation's function (its name, should tracing it fail)."""
    try:
        return trace_to_jaxpr(call, [a.aval for a in eqn.invars])
    except Exception:  # printing must not fail: show what is known
        return getattr(call, "__name__", "call")


def _custom_call_params(eqn: Eqn, ctx) -> list:
    """custom_jvp_call / custom_vjp_call show the traced body and the names of their rules."""
    params = dict(eqn.params)
    call = params.pop("call")
    rules = sorted((k, getattr(v, "__name__", k)) for k, v in params.items())
    items = dict([("call_jaxpr", _traced_body(eqn, call)), *rules, ("symbolic_zeros", False)])
    return [("name", getattr(call, "__name__", "call")), *sorted(items.items())]


def _checkpoint_params(eqn: Eqn, ctx) -> list:
    """checkpoint shows the body it recomputes, as `jaxpr=`."""
    params = dict(eqn.params)
    body = _traced_body(eqn, params.pop("call"))
    return sorted([("jaxpr", body), *params.items()], key=lambda kv: kv[0])


pp_param_rules.update(custom_jvp_call=_custom_call_params, custom_vjp_call=_custom_call_params,
                      checkpoint=_checkpoint_params)
