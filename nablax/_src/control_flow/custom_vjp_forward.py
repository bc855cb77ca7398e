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

from typing import Callable, Sequence

from ..avals import UndefinedPrimal, Zero, float0
from ..errors import ConcretizationTypeError, TracerArrayConversionError
from ..interpreters.staging import trace_to_jaxpr
from ..interpreters.transpose import backward_pass
from ..ir import Eqn, Jaxpr, Var
from ..primitives.misc import convert_element_type


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

    try:  # operations on the residuals alone run now; those on the cotangent are staged
        lin = trace_to_jaxpr(of_cotangents, [out_avals[i] for i in live], stage_all=False,
                             label="custom_vjp forward mode")
    except (ConcretizationTypeError, TracerArrayConversionError) as e:
        raise _not_linear(fun_name, bwd, f"it needs the cotangent's value ({type(e).__name__}: {e})") from e
    _check_linear(lin.jaxpr, fun_name, bwd)
    cts = [_as_dtype(tangents[j], v.aval.dtype) for j, v in zip(kept, lin.jaxpr.outvars)]
    undefined = [UndefinedPrimal(v.aval) for v in lin.jaxpr.invars]
    try:
        t_live = backward_pass(lin.jaxpr, lin.consts, undefined, cts)
    except TypeError as e:  # a transpose rule inside a nested body (jit, cond, scan) found a nonlinear step
        if not str(e).startswith("Cannot transpose"):
            raise
        raise _not_linear(fun_name, bwd, f"a step of it is not linear in the cotangent ({e})") from e
    for i, t in zip(live, t_live):
        touts[i] = t if type(t) is Zero else _as_dtype(t, out_avals[i].dtype)
    return touts


def _as_dtype(t, dtype):
    """`t` in `dtype` (a bwd rule may compute a cotangent in another float dtype)."""
    return t if type(t) is Zero or t.dtype == dtype else convert_element_type(t, dtype)


def _check_linear(jaxpr: Jaxpr, fun_name: str, bwd: Callable) -> None:
    """Raise unless every equation reading the cotangent is linear in what it reads of it."""
    linear = set(jaxpr.invars)
    for eqn in jaxpr.eqns:
        positions = [k for k, a in enumerate(eqn.invars) if a in linear]
        if not positions:
            continue
        prim = eqn.prim
        if prim.transpose is None:
            raise _not_linear(fun_name, bwd, f"it applies the nonlinear primitive {prim.name!r} to the cotangent")
        if _nonlinear_in(eqn, positions):
            raise _not_linear(fun_name, bwd, f"it applies {prim.name!r} to the cotangent in a way that is not "
                                             "linear in it (a product of two cotangent terms, or a division by one)")
        linear.update(eqn.outvars)


def _nonlinear_in(eqn: Eqn, positions: list) -> bool:
    """Whether the tangent of `eqn` depends on the primal values of its operands at `positions`,
    i.e. whether it is not linear in them jointly (mul of two cotangent terms: yes; mul by a
    residual: no). A primitive with a transpose rule is linear in some operands; this says if
    in these. One-operand primitives are linear in it; higher-order ones are checked by the
    transpose rules of their bodies."""
    prim = eqn.prim
    if len(eqn.invars) < 2 or prim.higher_order or prim.jvp is None:
        return False
    avals = [a.aval for a in eqn.invars]
    n = len(avals)

    def tangent_out(*xs):
        tangents = [Zero(a.to_tangent_aval()) for a in avals]
        for k, t in zip(positions, xs[n:]):
            tangents[k] = t
        _, tout = prim.jvp(list(xs[:n]), tangents, **eqn.params)
        return [t for t in (tout if prim.multiple_results else [tout]) if type(t) is not Zero]

    try:
        closed = trace_to_jaxpr(tangent_out, avals + [avals[k].to_tangent_aval() for k in positions],
                                label="custom_vjp forward mode")
    except Exception:  # noqa: BLE001 - a rule that cannot be staged on its own: trust its transpose
        return False
    used = _used_vars(closed.jaxpr)
    return any(closed.jaxpr.invars[k] in used for k in positions)


def _used_vars(jaxpr: Jaxpr) -> set:
    """The variables the outputs of `jaxpr` depend on."""
    used = {v for v in jaxpr.outvars if type(v) is Var}
    for eqn in reversed(jaxpr.eqns):
        if not used.isdisjoint(eqn.outvars):
            used.update(a for a in eqn.invars if type(a) is Var)
    return used


def _not_linear(fun_name: str, bwd: Callable, what: str) -> TypeError:
    return TypeError(
        f"forward-mode autodiff (jvp, jacfwd, hessian, linearize) of the custom_vjp function {fun_name} "
        f"transposes its bwd rule {getattr(bwd, '__name__', 'bwd')}, so forward mode through custom_vjp "
        f"needs bwd linear in the cotangent, but {what}. Write bwd as a linear function of its cotangent "
        f"argument (the residuals may enter nonlinearly), or give {fun_name} a custom_jvp rule."
    )
