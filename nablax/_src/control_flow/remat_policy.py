"""checkpoint(policy=...): the policy decides which residuals reverse mode saves.

Reverse mode through a checkpointed function is split in three (`split_by_policy`):

- the forward Jaxpr F, run at once: the function's outputs, plus the outputs of the
  equations the policy calls saveable that the backward pass needs (the saved values);
- the backward Jaxpr J, staged as one `checkpoint_policy_lin` equation: from the
  function's inputs and the saved values it recomputes every other residual (the
  equations the policy did not save), then applies the linear map to the tangents.

Transposing J (`backward_pass`) evaluates its recomputation forward, then runs the
linear part backwards, so what the policy did not save is recomputed exactly once in
the backward pass. `name_p` (checkpoint_name) is the identity that names a value for the
name-based policies.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

from ..array import wrap
from ..avals import UndefinedPrimal, Zero
from ..interpreters.batching import batch_jaxpr
from ..interpreters.jvp import jvp_flat
from ..interpreters.linearize import linearize_jaxpr
from ..interpreters.transpose import backward_pass
from ..ir import ClosedJaxpr, Eqn, Jaxpr, Literal, Var, eval_jaxpr
from ..jit.passes import Program, dce, is_effectful
from ..primitives._define import define_primitive
from ..primitives.templates import batch_size, bdim_to_front

# ----------------------------------------------------------------------- what a policy returns

class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


Saveable = _Marker("Saveable")
Recompute = _Marker("Recompute")


@dataclasses.dataclass(frozen=True)
class Offloadable:
    """Save the value in memory `dst` (moved from `src`). nablax has one memory (the host's),
    so an offloaded value is simply saved."""

    src: str
    dst: str


def _saves(policy: Callable, eqn: Eqn) -> bool:
    verdict = policy(eqn.prim, *[a.aval for a in eqn.invars], **eqn.params)
    if verdict is Saveable or isinstance(verdict, Offloadable):
        return True
    if verdict is Recompute:
        return False
    if isinstance(verdict, bool):
        return verdict
    raise TypeError(f"a checkpoint policy must return a bool, Saveable, Recompute or Offloadable, "
                    f"but {policy!r} returned {verdict!r} for {eqn.prim.name}")


# ----------------------------------------------------------------------- checkpoint_name

name_p = define_primitive(
    "name",
    impl=lambda xp, x, *, name: x,
    eager=lambda x, *, name: x,
    abstract_eval=lambda aval, *, name: aval,
    jvp=lambda primals, tangents, *, name: (name_p.bind(primals[0], name=name), tangents[0]),  # the tangent is unnamed
    batch=lambda args, dims, *, name: (name_p.bind(args[0], name=name), dims[0]),
    emit="{0}",
    simplify=lambda invars, params, out, producers: invars[0],
)


# ----------------------------------------------------------------------- the split

def _subst(a, env: dict):
    return a if type(a) is Literal else env.get(a, a)


def split_by_policy(body: ClosedJaxpr, policy: Callable) -> tuple[ClosedJaxpr, ClosedJaxpr, int]:
    """(F: inputs -> outputs + saved values, J: inputs + saved + tangents -> output tangents,
    number of saved values) for reverse mode through `body` under `policy`."""
    n, m = len(body.in_avals), len(body.out_avals)
    primal, lin, n_res = linearize_jaxpr(body, [True] * n, [True] * m, "checkpoint")
    pj = primal.jaxpr
    residuals = pj.outvars[m:]
    saved_eqns = {id(e) for e in pj.eqns if _saves(policy, e)}
    saveable = {v for e in pj.eqns if id(e) in saved_eqns for v in e.outvars}
    # The recomputation: every unsaved equation the residuals need, and, as in JAX, every
    # effect (a debug print) the policy does not save, which so runs again.
    live = {v for v in residuals if type(v) is Var}
    recompute = []
    for e in reversed(pj.eqns):
        needed = any(v in live for v in e.outvars) or (not e.outvars and is_effectful(e))
        if needed and id(e) not in saved_eqns:
            recompute.append(e)
            live.update(a for a in e.invars if type(a) is Var)
    recompute.reverse()
    saved = [v for e in pj.eqns for v in e.outvars if v in saveable and v in live]
    fwd = dce(Program(Jaxpr(pj.constvars, pj.invars, pj.outvars[:m] + saved, pj.eqns), list(primal.consts)))
    # J: the recomputation, then the linear Jaxpr reading the recomputed residuals.
    lj = lin.jaxpr
    env = dict(zip(lj.invars[:n_res], residuals))
    lin_eqns = [Eqn(e.prim, [_subst(a, env) for a in e.invars], e.outvars, e.params, e.source) for e in lj.eqns]
    consts = [(v, c) for v, c in zip(pj.constvars, primal.consts) if v in live]
    j = Jaxpr([v for v, _ in consts] + list(lj.constvars), list(pj.invars) + saved + list(lj.invars[n_res:]),
              [_subst(v, env) for v in lj.outvars], recompute + lin_eqns)
    return (ClosedJaxpr(fwd.jaxpr, fwd.consts), ClosedJaxpr(j, [c for _, c in consts] + list(lin.consts)),
            len(saved))


# ----------------------------------------------------------------------- the backward step

def _lin_impl(xp, *vals, jaxpr, n_known):
    outs = eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *[wrap(v, False) for v in vals])
    return [getattr(o, "_value", o) for o in outs]


def _lin_jvp(primals, tangents, *, jaxpr, n_known):
    return jvp_flat(lambda *xs: eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *xs), list(primals), list(tangents))


def _lin_transpose(cts, *args, jaxpr, n_known):
    if any(type(a) is UndefinedPrimal for a in args[:n_known]):
        raise TypeError("checkpoint's backward step is linear only in its tangents, not in the saved values")
    ins = list(args[:n_known]) + [UndefinedPrimal(v.aval) for v in jaxpr.jaxpr.invars[n_known:]]
    in_cts = backward_pass(jaxpr.jaxpr, jaxpr.consts, ins, list(cts))
    return [None] * n_known + [None if type(c) is Zero else c for c in in_cts[n_known:]]


def _lin_batch(args, dims, *, jaxpr, n_known):
    size = batch_size(args, dims)
    batched, _ = batch_jaxpr(jaxpr, size, [True] * len(args), [True] * len(jaxpr.out_avals), "checkpoint")
    args = [bdim_to_front(a, d, size) for a, d in zip(args, dims)]
    outs = remat_policy_lin_p.bind(*args, jaxpr=batched, n_known=n_known)
    return outs, [0] * len(outs)


remat_policy_lin_p = define_primitive(
    "checkpoint_policy_lin",
    higher_order=True,
    impl=_lin_impl,
    eager=lambda *args, jaxpr, n_known: eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args),
    abstract_eval=lambda *avals, jaxpr, n_known: list(jaxpr.out_avals),
    jvp=_lin_jvp,
    batch=_lin_batch,
    linear=True,
    transpose=_lin_transpose,
    multiple_results=True,
)


def policy_linearize(call_under_parent: Callable, body: ClosedJaxpr, policy: Callable, primals: Sequence,
                     tangents: Sequence) -> tuple[list, list]:
    """The linearize rule of a checkpoint with a policy: outputs and saved values now (by
    `call_under_parent(eval_jaxpr, ...)`), the backward step staged."""
    fwd, bwd, n_saved = split_by_policy(body, policy)
    outs = call_under_parent(eval_jaxpr, fwd.jaxpr, fwd.consts, *primals)
    m = len(outs) - n_saved
    touts = remat_policy_lin_p.bind(*primals, *outs[m:], *tangents, jaxpr=bwd, n_known=len(primals) + n_saved)
    return outs[:m], touts
