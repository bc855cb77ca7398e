"""Forward mode through custom_vjp: the JVP is the transpose of the bwd rule.

A custom_vjp function defines only bwd(res, ct) = J(x)ᵀ·ct, which is linear in ct. Tracing
ct -> bwd(res, ct) with the residuals as constants gives a linear Jaxpr; transposing it
gives t -> J(x)·t, the JVP. custom_vjp_call's JVP rule runs fwd and applies this map to
the input tangents; custom_vjp_lin (the step linearize stages) evaluates it forward from
the residuals it carries. JAX raises a TypeError for both; nablax computes them.

Before transposing, every equation of the traced bwd is checked to be linear in the
cotangent (a bwd rule that is not would otherwise give a wrong number silently).
"""
from __future__ import annotations

import functools
from typing import Callable, Sequence

import numpy as np

from ..avals import UndefinedPrimal, Zero, float0
from ..core import lift_aval
from ..dtypes import is_inexact
from ..errors import ConcretizationTypeError, TracerArrayConversionError
from ..interpreters.jvp import broadcast_zeros
from ..interpreters.linearize import linearize_flat
from ..interpreters.staging import trace_to_jaxpr
from ..interpreters.transpose import backward_pass
from ..ir import ClosedJaxpr, Eqn, Jaxpr, Literal, Var, eval_jaxpr
from ..jit.passes import Program, inline_calls
from ..primitives.misc import convert_element_type, stop_gradient_p
from .cond import cond_p
from .loops import scan_p


def bwd_transposed(bwd: Callable, res, out_avals: Sequence, tangents: Sequence, fun_name: str) -> list:
    """J(x)·t: the output tangents (of `out_avals`; Zero where no tangent reaches) of a
    custom_vjp function, from its input tangents (Zero allowed: skipped) and its flat bwd
    rule `bwd(res, cts) -> [ct or None per input]` at the residuals `res`."""
    touts: list = [Zero(a) for a in out_avals]
    live = [i for i, a in enumerate(out_avals) if a.dtype != float0]  # integer outputs: no tangent
    if not live or all(type(t) is Zero for t in tangents):
        return touts
    kept: list = []  # the inputs whose cotangent bwd computes (not None)

    def of_cotangents(*cts):
        full = list(touts)
        for i, c in zip(live, cts):
            full[i] = c
        in_cts = bwd(res, full)
        kept[:] = [j for j, c in enumerate(in_cts) if c is not None]
        return [in_cts[j] for j in kept]

    check = _LinearityCheck(fun_name, bwd)
    try:  # operations on the residuals alone run now; those on the cotangent are staged
        lin = trace_to_jaxpr(of_cotangents, [out_avals[i] for i in live], stage_all=False,
                             label="custom_vjp forward mode")
    except (ConcretizationTypeError, TracerArrayConversionError) as e:
        raise check.error(f"it needs the cotangent's value ({type(e).__name__}: {e})") from e
    lin = inline_calls(Program(lin.jaxpr, list(lin.consts)))  # nested jit, custom rules: their bodies
    jaxpr, _ = check.jaxpr(lin.jaxpr, [True] * len(lin.jaxpr.invars))
    if any(_nonzero_literal(v) for v in jaxpr.outvars):
        raise check.error("it returns a nonzero constant cotangent: bwd is affine")
    cts = [_as_aval(tangents[j], v.aval) for j, v in zip(kept, jaxpr.outvars)]
    try:
        t_live = _transpose(jaxpr, lin.consts, cts)
    except TypeError as e:  # a transpose rule inside a body this check does not enter found a nonlinear step
        if not str(e).startswith("Cannot transpose"):
            raise
        raise check.error(f"a step of it is not linear in the cotangent ({e})") from e
    for i, t in zip(live, t_live):
        touts[i] = _as_aval(t, out_avals[i])
    return touts


def _transpose(jaxpr: Jaxpr, consts: list, cts: list) -> list:
    """The transpose of `jaxpr`, checked linear in all its inputs, applied to `cts`. A loop or
    cond in it is linearized first (at zero, where a linear map is itself): that splits off
    what is not linear in it (a loop counter), which the transpose rules of bodies expect."""
    if any(e.prim.higher_order for e in jaxpr.eqns):
        zeros = [broadcast_zeros(v.aval) for v in jaxpr.invars]
        _, closed = linearize_flat(lambda *xs: eval_jaxpr(jaxpr, consts, *xs), zeros, label="custom_vjp forward mode")
        jaxpr, consts = closed.jaxpr, closed.consts
    return backward_pass(jaxpr, consts, [UndefinedPrimal(v.aval) for v in jaxpr.invars], cts)


def _as_aval(t, aval):
    """`t` with the dtype and weak type of `aval` (a bwd rule may compute a cotangent in
    another float dtype, or lose a weak type on the way)."""
    if type(t) is Zero or (t.dtype == aval.dtype and lift_aval(t).weak_type == aval.weak_type):
        return t
    return convert_element_type(t, aval.dtype, aval.weak_type)


class _LinearityCheck:
    """Checks that a traced bwd is linear in the cotangent, entering the bodies of cond and
    scan, and rewrites stop_gradient on the cotangent as the identity it is as a map of values
    (batched conds put one on their operands). `error` names the function and its bwd rule."""

    def __init__(self, fun_name: str, bwd: Callable):
        self.fun_name, self.bwd = fun_name, bwd

    def error(self, what: str) -> TypeError:
        name = self.fun_name
        return TypeError(
            f"forward-mode autodiff (jvp, jacfwd, hessian, linearize) of the custom_vjp function {name} "
            f"transposes its bwd rule {getattr(self.bwd, '__name__', 'bwd')}, so forward mode through "
            f"custom_vjp needs bwd linear in the cotangent, but {what}. Write bwd as a linear function of "
            f"its cotangent argument (the residuals may enter nonlinearly), or give {name} a custom_jvp rule."
        )

    def jaxpr(self, jaxpr: Jaxpr, linear_in: Sequence[bool]) -> tuple[Jaxpr, list]:
        """`jaxpr` (rewritten) and which of its outputs are linear in the inputs flagged `linear_in`."""
        linear = {v for v, flag in zip(jaxpr.invars, linear_in) if flag}
        env: dict = {}
        eqns = []
        for eqn in jaxpr.eqns:
            invars = [env.get(a, a) for a in eqn.invars]
            flags = [a in linear for a in invars]
            if not any(flags):
                eqns.append(eqn if invars == eqn.invars else Eqn(eqn.prim, invars, eqn.outvars, eqn.params, eqn.source))
                continue
            if eqn.prim is stop_gradient_p:
                env[eqn.outvars[0]] = invars[0]
                continue
            params, outs = self.eqn(eqn, flags)
            eqns.append(Eqn(eqn.prim, invars, eqn.outvars, params, eqn.source))
            linear.update(v for v, flag in zip(eqn.outvars, outs) if flag)
        outvars = [env.get(v, v) for v in jaxpr.outvars]
        return Jaxpr(jaxpr.constvars, jaxpr.invars, outvars, eqns), [v in linear for v in outvars]

    def closed(self, closed: ClosedJaxpr, linear_in: Sequence[bool]) -> tuple[ClosedJaxpr, list]:
        jaxpr, outs = self.jaxpr(closed.jaxpr, linear_in)
        return ClosedJaxpr(jaxpr, closed.consts), outs

    def eqn(self, eqn: Eqn, flags: list) -> tuple[dict, list]:
        """The params of an equation reading the cotangent (bodies rewritten), and which of its
        outputs are linear; raises where it is not linear in what it reads."""
        prim, params = eqn.prim, eqn.params
        if prim is cond_p:
            if flags[0]:
                raise self.error("the branch a lax.cond takes depends on the cotangent")
            branches, outs = zip(*[self.closed(b, flags[1:]) for b in params["branches"]])
            return {**params, "branches": tuple(branches)}, [any(col) for col in zip(*outs)]
        if prim is scan_p:  # a carry is linear if it starts so or the body makes it so: iterate to a fixed point
            nc, nk = params["num_consts"], params["num_carry"]
            while True:
                body, outs = self.closed(params["jaxpr"], flags)
                carry = [a or b for a, b in zip(flags[nc:nc + nk], outs[:nk])]
                if carry == flags[nc:nc + nk]:
                    return {**params, "jaxpr": body}, outs
                flags = flags[:nc] + carry + flags[nc + nk:]
        if prim.transpose is None:
            raise self.error(f"it applies the nonlinear primitive {prim.name!r} to the cotangent")
        problem = _how_not_linear(eqn, [k for k, flag in enumerate(flags) if flag])
        if problem:
            raise self.error(problem)
        return params, [True] * len(eqn.outvars)


def _how_not_linear(eqn: Eqn, positions: list) -> str | None:
    """Why `eqn` is not linear in its operands at `positions` (jointly), or None if it is.

    A primitive with a transpose rule is linear in some operands; whether in these shows in
    its JVP: the tangent must not read their primal values (mul of two cotangent terms
    does; mul by a residual does not), and an operand it does not read is added in, so a
    nonzero constant there makes the map affine (only literals are checked: other constants
    may be traced values). One-operand primitives are linear in it; the bodies of
    higher-order ones other than cond and scan are left to their transpose rules."""
    prim = eqn.prim
    if len(eqn.invars) < 2 or prim.higher_order or prim.jvp is None:
        return None
    avals = tuple(a.aval for a in eqn.invars)
    try:
        key = tuple(sorted(eqn.params.items()))
        hash(key)
    except TypeError:  # (unhashable params: not cached)
        read = _primals_read.__wrapped__(prim, avals, tuple(positions), tuple(eqn.params.items()))
    else:
        read = _primals_read(prim, avals, tuple(positions), key)
    if read is None:
        return None
    if any(k in read for k in positions):
        return (f"it applies {prim.name!r} to the cotangent in a way that is not linear in it "
                "(a product of two cotangent terms, or a division by one)")
    for k, a in enumerate(eqn.invars):
        if k not in positions and k not in read and _nonzero_literal(a):
            return f"it adds the constant {a.val._value} to the cotangent (with {prim.name!r}): bwd is affine"
    return None


@functools.lru_cache(maxsize=1024)
def _primals_read(prim, avals: tuple, positions: tuple, params: tuple) -> frozenset | None:
    """The operands whose primal values the JVP of `prim` reads, with tangents at `positions`
    (None if the rule cannot be staged on its own). A fact about the primitive, cached: the
    check runs on every eager jvp through custom_vjp."""
    n = len(avals)

    def tangent_out(*xs):
        tangents = [Zero(a.to_tangent_aval()) for a in avals]
        for k, t in zip(positions, xs[n:]):
            tangents[k] = t
        _, tout = prim.jvp(list(xs[:n]), tangents, **dict(params))
        return [t for t in (tout if prim.multiple_results else [tout]) if type(t) is not Zero]

    try:
        closed = trace_to_jaxpr(tangent_out, [*avals, *[avals[k].to_tangent_aval() for k in positions]],
                                label="custom_vjp forward mode")
    except Exception:  # noqa: BLE001 - a rule that cannot be staged on its own: trust its transpose
        return None
    used = _used_vars(closed.jaxpr)
    return frozenset(k for k in range(n) if closed.jaxpr.invars[k] in used)


def _nonzero_literal(a) -> bool:
    return type(a) is Literal and is_inexact(a.aval.dtype) and bool(np.any(a.val._value != 0))


def _used_vars(jaxpr: Jaxpr) -> set:
    """The variables the outputs of `jaxpr` depend on."""
    used = {v for v in jaxpr.outvars if type(v) is Var}
    for eqn in reversed(jaxpr.eqns):
        if not used.isdisjoint(eqn.outvars):
            used.update(a for a in eqn.invars if type(a) is Var)
    return used
