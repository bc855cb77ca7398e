"""Transposition of linear Jaxprs: run the program backwards, accumulating cotangents."""
from __future__ import annotations

from typing import Sequence

from ..ad_util import add_tangents
from ..avals import UndefinedPrimal, Zero
from ..ir import Jaxpr, Literal


def backward_pass(jaxpr: Jaxpr, consts: Sequence, args: Sequence, cts_out: Sequence) -> list:
    """Cotangents of the linear inputs of `jaxpr` (those given as UndefinedPrimal in `args`).

    Equations whose inputs are all known are evaluated forward first; the rest are
    linear in the undefined inputs and are transposed in reverse order. Returns one
    entry per input: a cotangent, or Zero for known inputs and unreached ones.
    """
    env: dict = dict(zip(jaxpr.constvars, consts))
    linear: set = set()
    for v, a in zip(jaxpr.invars, args):
        if type(a) is UndefinedPrimal:
            linear.add(v)
        else:
            env[v] = a

    def read(a):
        return a.val if type(a) is Literal else env[a]

    linear_eqns = []
    for eqn in jaxpr.eqns:
        if not linear.isdisjoint(eqn.invars):  # (a Literal is never in `linear`)
            linear_eqns.append(eqn)
            linear.update(eqn.outvars)
        else:
            outs = eqn.prim.bind(*[read(a) for a in eqn.invars], **eqn.params)
            env.update(zip(eqn.outvars, outs if eqn.prim.multiple_results else [outs]))

    # Cotangents are summed into ct_env (Zero and None are no contribution), written out where
    # they arrive: once per linear equation of every reverse-mode derivative, a helper's frame
    # (and the comprehension's, for the operands) would cost more than the sum.
    ct_env: dict = {}
    for v, ct in zip(jaxpr.outvars, cts_out):
        if v in linear and ct is not None and type(ct) is not Zero:
            prev = ct_env.get(v)
            ct_env[v] = ct if prev is None else add_tangents(prev, ct)

    # The single-output case (all but a few primitives) pops its one cotangent without lists.
    for eqn in reversed(linear_eqns):
        prim = eqn.prim
        if prim.multiple_results:
            cts = [ct_env.pop(v, None) for v in eqn.outvars]
            if all(c is None for c in cts):
                continue
            ct = [Zero(v.aval) if c is None else c for v, c in zip(eqn.outvars, cts)]
        else:
            ct = ct_env.pop(eqn.outvars[0], None)
            if ct is None:
                continue
        if prim.transpose is None:
            raise TypeError(
                f"Cannot transpose {prim.name}: it is not linear in its tangent inputs. "
                "This is a bug in a JVP rule (tangent outputs must be linear in tangent inputs)."
            )
        ins = []
        for a in eqn.invars:
            ins.append(UndefinedPrimal(a.aval) if a in linear else a.val if type(a) is Literal else env[a])
        for a, c in zip(eqn.invars, prim.transpose(ct, *ins, **eqn.params)):
            if c is not None and a in linear and type(c) is not Zero:
                prev = ct_env.get(a)
                ct_env[a] = c if prev is None else add_tangents(prev, c)

    return [ct_env.get(v, Zero(v.aval)) if v in linear else Zero(v.aval) for v in jaxpr.invars]
