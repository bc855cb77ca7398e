"""Taylor mode: push truncated Taylor series through a Jaxpr, one equation at a time.

Every variable carries its primal and either None (constant along the curve) or its normalized
Taylor coefficients x_1..x_K (x(t) = x_0 + x_1 t + ... + x_K t^K; the public `jet` converts
from and to derivatives). An equation with no operand series is just bound. Otherwise its rule
is, in order: the primitive's own `jet` (primitives/taylor.py has the recurrences; linear
primitives map term by term), zero for a primitive that is not differentiable, the body of a
call-like primitive (its `inline` fact: jit, custom_jvp/custom_vjp, checkpoint, the linear-solve
call), or one derived from the primitive's JVP rule (`jvp_jet`). All rules bind lax operations
at the current trace, so `jit(jet(f))`, `vmap(jet(f))` and jet of a jitted function compose.

`jet_jaxpr` builds the jet of a body as a Jaxpr of the same operands plus their coefficients:
what cond, scan and while_loop bind to keep their control flow under jit.
"""
from __future__ import annotations

from typing import Sequence

from ..avals import Zero
from ..core import lift_aval
from ..dtypes import is_inexact
from ..ir import ClosedJaxpr, Jaxpr, Literal
from ..jit.passes import Program, dce
from ..primitives.taylor import derivative, integrate, order_of, zeros_like
from ..source_info import add_note
from .staging import trace_to_jaxpr


def jet_eval(jaxpr: Jaxpr, consts: Sequence, primals: Sequence, series: Sequence, order: int) -> tuple[list, list]:
    """Run `jaxpr` on primals with coefficient lists (None: constant); (outs, out series)."""
    env: dict = dict(zip(jaxpr.constvars, consts))
    senv: dict = {}
    for v, p, s in zip(jaxpr.invars, primals, series):
        env[v] = p
        if s is not None and order:
            senv[v] = s
    eqn = None
    try:
        for eqn in jaxpr.eqns:
            ps = [a.val if type(a) is Literal else env[a] for a in eqn.invars]
            ss = [None if type(a) is Literal else senv.get(a) for a in eqn.invars]
            multiple = eqn.prim.multiple_results
            if any(s is not None for s in ss):
                outs, souts = apply_rule(eqn, ps, ss, order)
                if not multiple:
                    outs, souts = [outs], [souts]
            else:
                outs = eqn.prim.bind(*ps, **eqn.params)
                if not multiple:
                    outs = [outs]
                souts = [None] * len(outs)
            for v, o, s in zip(eqn.outvars, outs, souts):
                env[v] = o
                if s is not None:
                    senv[v] = s
    except Exception as e:
        if eqn is not None and eqn.source is not None:
            add_note(e, f"(raised by {eqn.prim.name} under jet, traced at {eqn.source})")
        raise
    outs = [a.val if type(a) is Literal else env[a] for a in jaxpr.outvars]
    return outs, [None if type(a) is Literal else senv.get(a) for a in jaxpr.outvars]


def apply_rule(eqn, primals: list, series: list, order: int):
    """The jet of one equation whose operands have some series."""
    prim, params = eqn.prim, eqn.params
    if prim.jet is not None:
        return prim.jet(primals, series, **params)
    if not prim.differentiable:
        out = prim.bind(*primals, **params)
        return out, [None] * len(out) if prim.multiple_results else None
    if prim.inline is not None:
        body, consts = prim.inline(eqn)
        outs, souts = jet_eval(body, consts, primals, series, order)
        return (outs, souts) if prim.multiple_results else (outs[0], souts[0])
    return jvp_jet(prim, primals, series, params, order)


def jvp_jet(prim, primals: list, series: list, params: dict, order: int):
    """A primitive's jet from its JVP rule: y' = J(x) x' along the curve, so the coefficients of
    y' to order K-1 are the jet, at order K-1, of the JVP expression on (x, x'); y_k = y'_{k-1}/k."""
    out = prim.bind(*primals, **params)
    outs = out if prim.multiple_results else [out]
    flags = [s is not None and is_inexact(lift_aval(p).dtype) for p, s in zip(primals, series)]
    if not any(flags):
        return out, [None] * len(outs) if prim.multiple_results else None
    for p, s in zip(primals, series):
        if s is not None and not is_inexact(lift_aval(p).dtype):
            raise NotImplementedError(f"jet: {prim.name} has an integer operand with a Taylor series")
    avals = [lift_aval(p) for p in primals]
    closed, nonzero = _jvp_jaxpr(prim, avals, flags, params)
    dots = [derivative([p, *s]) for p, s, f in zip(primals, series, flags) if f]
    lower = order - 1
    x_series = [s[:lower] if f and lower else None for s, f in zip(series, flags)]
    d_series = [d[1:] if lower else None for d in dots]
    touts, tseries = jet_eval(closed.jaxpr, closed.consts, list(primals) + [d[0] for d in dots],
                              x_series + d_series, lower)
    result, it = [], iter(zip(touts, tseries))
    for o, nz in zip(outs, nonzero):
        if not nz:
            result.append(None)
            continue
        t0, ts = next(it)
        dy = [t0] + (ts if ts is not None else [zeros_like(t0)] * lower)
        result.append(integrate(o, dy)[1:])
    return out, result if prim.multiple_results else result[0]


def _jvp_jaxpr(prim, avals: list, flags: list, params: dict) -> tuple[ClosedJaxpr, list]:
    """The JVP rule's tangent outputs as a Jaxpr of (primals, tangents of the flagged operands),
    with the equations the tangents do not read removed; and which outputs are nonzero."""
    nonzero: list = []

    def tangents_of(*args):
        ps, ts = list(args[:len(avals)]), iter(args[len(avals):])
        tangents = [next(ts) if f else Zero(a.to_tangent_aval()) for a, f in zip(avals, flags)]
        _, tout = prim.jvp(ps, tangents, **params)
        touts = list(tout) if prim.multiple_results else [tout]
        nonzero.extend(type(t) is not Zero for t in touts)
        return [t for t in touts if type(t) is not Zero]

    closed = trace_to_jaxpr(tangents_of, avals + [a for a, f in zip(avals, flags) if f], label="jet")
    prog = dce(Program(closed.jaxpr, closed.consts))
    return ClosedJaxpr(prog.jaxpr, prog.consts), nonzero


# ------------------------------------------------------------------ bodies of control flow

def flatten_groups(primals: Sequence, series: Sequence, flags: Sequence[bool], groups: Sequence[int],
                   order: int) -> list:
    """Operands laid out group by group: a group's primals, then the K coefficients of each of its
    flagged members (zeros for a flagged member without a series)."""
    out, start = [], 0
    for g in groups:
        out += primals[start:start + g]
        for i in range(start, start + g):
            if flags[i]:
                out += series[i] if series[i] is not None else [zeros_like(primals[i])] * order
        start += g
    return out


def unflatten_groups(flat: Sequence, flags: Sequence[bool], groups: Sequence[int], order: int) -> tuple[list, list]:
    """The inverse of flatten_groups: (primals, series), None for members not flagged."""
    primals, series, pos, start = [], [], 0, 0
    for g in groups:
        primals += flat[pos:pos + g]
        pos += g
        for i in range(start, start + g):
            if flags[i]:
                series.append(list(flat[pos:pos + order]))
                pos += order
            else:
                series.append(None)
        start += g
    return primals, series


def jet_jaxpr(closed: ClosedJaxpr, in_flags: Sequence[bool], in_groups: Sequence[int], out_groups: Sequence[int],
              order: int, out_flags: Sequence[bool] | None = None) -> tuple[ClosedJaxpr, list]:
    """The jet of `closed` as a Jaxpr on flatten_groups' layout, in and out. Outputs have
    coefficients exactly where `out_flags` says (zeros where the body gives none); without
    `out_flags`, where the body gives some. Returns (Jaxpr, out_flags)."""
    avals = closed.in_avals
    found: list = []

    def fn(*args):
        ps, ss = unflatten_groups(args, in_flags, in_groups, order)
        outs, souts = jet_eval(closed.jaxpr, closed.consts, ps, ss, order)
        flags = [s is not None for s in souts] if out_flags is None else list(out_flags)
        for s, f in zip(souts, flags):
            if s is not None and not f:
                raise AssertionError("jet_jaxpr: an output outside out_flags has a series")
        found.extend(flags)
        return flatten_groups(outs, souts, flags, out_groups, order)

    in_avals = flatten_groups(avals, [[a] * order for a in avals], in_flags, in_groups, order)
    return trace_to_jaxpr(fn, in_avals, label="jet"), found


def loop_body_jet(closed: ClosedJaxpr, in_flags: Sequence[bool], carry_start: int, num_carry: int,
                  in_groups: Sequence[int], out_groups: Sequence[int], order: int) -> tuple[ClosedJaxpr, list, list]:
    """The jet of a loop body whose outputs start with the carry read at inputs
    [carry_start, carry_start + num_carry): a carry has coefficients if its initial value or any
    iteration gives it some (a fixpoint). Returns (body, in_flags, out_flags)."""
    flags = list(in_flags)
    while True:
        _, out = jet_jaxpr(closed, flags, in_groups, out_groups, order)
        carry = [a or b for a, b in zip(flags[carry_start:carry_start + num_carry], out[:num_carry])]
        if carry == flags[carry_start:carry_start + num_carry]:
            break
        flags[carry_start:carry_start + num_carry] = carry
    out_flags = carry + out[num_carry:]
    body, _ = jet_jaxpr(closed, flags, in_groups, out_groups, order, out_flags)
    return body, flags, out_flags


__all__ = ["jet_eval", "jet_jaxpr", "loop_body_jet", "flatten_groups", "unflatten_groups", "order_of"]
