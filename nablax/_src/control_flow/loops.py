"""lax.while_loop and lax.fori_loop: the `while` primitive (cond and body Jaxprs).

- jvp: the JVP of the body; which carries get a nonzero tangent is a fixpoint of a
  dependence analysis over the body. Reverse mode is not supported (the trip count is
  known only when the loop runs): linearize stages the JVP loop, whose transpose raises.
- batch: a batched predicate runs until every lane is done, masking finished lanes with
  select.
- fori_loop with Python int bounds lowers to scan (so reverse mode works); traced bounds
  lower to while_loop, as in JAX.
- emit: jit writes a `while` statement around the compiled cond and body.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .. import dtypes, errors
from ..array import wrap
from ..config import disable_jit_flag
from ..core import call_under, lift_aval
from ..interpreters.batching import batch_jaxpr
from ..interpreters.jvp import instantiate_zeros, jvp_jaxpr
from ..interpreters.staging import with_invars
from ..ir import Var
from ..primitives import elementwise, misc, reductions, shape
from ..primitives._define import define_primitive
from ..primitives.templates import batch_size, bdim_to_front, moveaxis
from ..tree import tree_flatten, tree_map, tree_unflatten
from .common import (
    COMPILE_AFTER,
    _compiled,
    as_value,
    batch_loop_body,
    carry_fixpoint,
    check_carry,
    check_carry_tree,
    eval_closed,
    eval_step,
    forwarded,
    lhs,
    nonzero_tangent,
    promote_weak_carry,
    raw_values,
    static_int,
    tangents_out,
    trace_body,
    trace_fun,
    unused,
)
from .scan import scan

_WHILE_REVERSE = (
    "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic "
    "(traced) start/stop values: the number of iterations is only known when the loop runs, so it "
    "cannot be run backwards. Use lax.fori_loop with static Python int bounds or lax.scan instead, "
    "or forward mode (jvp, jacfwd)."
)


def _while_abstract(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    if len(avals) != cond_nconsts + len(body_jaxpr.in_avals):
        raise TypeError("lax.while_loop: wrong number of operands")
    return list(body_jaxpr.out_avals)  # the body's weak types (the input carry's may differ)


def _while_eager(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    carry = while_run(eval_step(cond_jaxpr), eval_step(body_jaxpr), raw_values(args), cond_nconsts, body_nconsts,
                       lambda: (_compiled(cond_jaxpr), _compiled(body_jaxpr)))
    return [wrap(v, a.weak_type) for v, a in zip(carry, body_jaxpr.out_avals)]


def _while_impl(xp, *vals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    return while_run(_compiled(cond_jaxpr), _compiled(body_jaxpr), list(vals), cond_nconsts, body_nconsts, None)


def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cc, bc, init = while_split(primals, cond_nconsts, body_nconsts)
    _, bc_t, init_t = while_split(tangents, cond_nconsts, body_nconsts)
    bnz = [nonzero_tangent(t) for t in bc_t]
    carry_nz, _ = carry_fixpoint(body_jaxpr.jaxpr, bnz, [nonzero_tangent(t) for t in init_t], [])
    nk = len(init)
    body = jvp_jaxpr(body_jaxpr, bnz + carry_nz, carry_nz, [body_nconsts, nk], [nk], "jvp(while)")
    carry_avals = body_jaxpr.in_avals[body_nconsts:]
    extra = [Var(a.to_tangent_aval()) for a, nz in zip(carry_avals, carry_nz) if nz]
    cond = with_invars(cond_jaxpr, list(cond_jaxpr.jaxpr.invars) + extra)
    outs = while_p.bind(*cc, *bc, *[t for t, nz in zip(bc_t, bnz) if nz],
                        *init, *[instantiate_zeros(t) for t, nz in zip(init_t, carry_nz) if nz],
                        cond_jaxpr=cond, body_jaxpr=body, cond_nconsts=cond_nconsts,
                        body_nconsts=body_nconsts + sum(bnz))
    return outs[:nk], tangents_out(outs[nk:], carry_nz, carry_avals)


def _while_linearize(trace, primals, tangents, **params):
    """Primal loop now; the JVP loop (which recomputes the primal) staged: forward-evaluable,
    and transposing it raises the reverse-mode error."""
    outs = call_under(trace.parent, while_p.bind, *primals, **params)
    _, touts = _while_jvp(primals, tangents, **params)
    return outs, touts


def _while_transpose(cts, *args, **params):
    raise ValueError(_WHILE_REVERSE)


def _while_batch(args, dims, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    size = batch_size(args, dims)
    args = [moveaxis(a, d, 0) if d is not None else a for a, d in zip(args, dims)]
    flags = [d is not None for d in dims]
    cc, bc, init = while_split(args, cond_nconsts, body_nconsts)
    ccb, bcb, initb = while_split(flags, cond_nconsts, body_nconsts)
    bbody, carry_b, _ = batch_loop_body(body_jaxpr, size, bcb, initb, [], "vmap(while)")
    bcond, (pred_b,) = batch_jaxpr(cond_jaxpr, size, ccb + carry_b, [False], "vmap(while)")
    if pred_b and not all(carry_b):
        carry_b = [True] * len(init)  # lanes finish at different times: every carry is per lane
        bcond, _ = batch_jaxpr(cond_jaxpr, size, ccb + carry_b, [True], "vmap(while)")
        bbody, _ = batch_jaxpr(body_jaxpr, size, bcb + carry_b, carry_b, "vmap(while)")
    init = [bdim_to_front(x, 0 if f else None, size) if b else x for x, f, b in zip(init, initb, carry_b)]
    if not pred_b:
        outs = while_p.bind(*cc, *bc, *init, cond_jaxpr=bcond, body_jaxpr=bbody,
                            cond_nconsts=cond_nconsts, body_nconsts=body_nconsts)
        return outs, [0 if b else None for b in carry_b]
    nc = len(cc)
    carry_avals = [lift_aval(x) for x in init]
    cc_avals = [lift_aval(x) for x in cc]

    def any_lane(*xs):
        return [reductions.reduce_or(eval_closed(bcond, *xs)[0], (0,))]

    def masked_body(*xs):
        ccs, bcs, carry = xs[:nc], xs[nc:len(xs) - len(init)], xs[len(xs) - len(init):]
        live = eval_closed(bcond, *ccs, *carry)[0]
        new = eval_closed(bbody, *bcs, *carry)
        out = []
        for old, nw in zip(carry, new):
            s = lift_aval(old).shape
            which = shape.broadcast_in_dim(live, s, (0,)) if len(s) > 1 else live
            out.append(elementwise.select_n(which, old, nw))
        return out

    new_cond = trace_body(any_lane, cc_avals + carry_avals, "vmap(while)")
    new_body = trace_body(masked_body, cc_avals + [lift_aval(x) for x in bc] + carry_avals, "vmap(while)")
    outs = while_p.bind(*cc, *cc, *bc, *init, cond_jaxpr=new_cond, body_jaxpr=new_body,
                        cond_nconsts=nc, body_nconsts=nc + len(bc))
    return outs, [0] * len(outs)


def _while_emit(args, outs, params, param_src):
    cc, bc, init = while_split(args, params["cond_nconsts"], params["body_nconsts"])
    cond_fn = param_src(_compiled(params["cond_jaxpr"]))
    body_fn = param_src(_compiled(params["body_jaxpr"]))
    lines = [f"{', '.join(outs)} = {', '.join(init)}"] if outs else []
    return lines + [f"while {cond_fn}({', '.join(cc + outs)})[0]:",
                    f"    {lhs(outs)} = {body_fn}({', '.join(bc + outs)})"]


_while_emit.block = True  # type: ignore[attr-defined]

while_p = define_primitive(
    "while",
    higher_order=True,
    impl=_while_impl,
    eager=_while_eager,
    abstract_eval=_while_abstract,
    jvp=_while_jvp,
    linearize=_while_linearize,
    transpose=_while_transpose,
    batch=_while_batch,
    emit=_while_emit,
    multiple_results=True,
    fold=False,  # an unbounded loop is not run while compiling
)



def while_split(args, cond_nconsts, body_nconsts):
    return (list(args[:cond_nconsts]), list(args[cond_nconsts:cond_nconsts + body_nconsts]),
            list(args[cond_nconsts + body_nconsts:]))


def while_run(step_cond, step_body, vals, cond_nconsts, body_nconsts, compile_later):
    cc, bc, carry = while_split(vals, cond_nconsts, body_nconsts)
    n = 0
    while step_cond(*cc, *carry)[0]:
        carry = list(step_body(*bc, *carry))
        n += 1
        if n == COMPILE_AFTER and compile_later is not None:
            step_cond, step_body = compile_later()
    return carry


def while_loop(cond_fun: Callable, body_fun: Callable, init_val, *, _api: str = "lax.while_loop"):
    """lax.while_loop: `while cond_fun(val): val = body_fun(val)`; returns val.

    Differentiable in forward mode; reverse mode raises (use scan or fori_loop with static bounds).
    """
    if not (callable(cond_fun) and callable(body_fun)):
        raise TypeError("lax.while_loop: cond_fun and body_fun must be callable")
    if disable_jit_flag.value:  # as JAX: a Python loop, unless a value is traced (e.g. under vmap)
        try:
            val = tree_map(as_value, init_val)
            while cond_fun(val):
                val = tree_map(as_value, body_fun(val))
            return val
        except errors.ConcretizationTypeError:
            pass
    raw, tree = tree_flatten(init_val)
    leaves = [as_value(x) for x in raw]
    for attempt in range(2):  # a weakly typed initial carry may take the body's type, once
        avals = [lift_aval(x) for x in leaves]
        body, bconsts, btree = trace_fun(lambda *xs: body_fun(tree_unflatten(tree, xs)), avals,
                                          "lax.while_loop", f"{_api}: body_fun")
        check_carry_tree(_api, "body_fun", tree, btree)
        if attempt:
            break
        new, changed = promote_weak_carry(leaves, avals, body.out_avals)
        if not changed:
            break
        raw = [r if a is b else b for r, a, b in zip(raw, leaves, new)]
        leaves = new
    check_carry(_api, "body_fun", leaves, avals, body.out_avals, tree)
    cond, cconsts, ctree = trace_fun(lambda *xs: cond_fun(tree_unflatten(tree, xs)), avals,
                                      "lax.while_loop", "lax.while_loop: cond_fun")
    outs = cond.out_avals
    if len(outs) != 1 or outs[0].shape != () or outs[0].dtype != np.bool_:
        raise TypeError("lax.while_loop: cond_fun must return a boolean scalar, but it returned "
                        + (", ".join(a.str_short() for a in outs) or "nothing"))
    res = while_p.bind(*cconsts, *bconsts, *leaves, cond_jaxpr=cond, body_jaxpr=body,
                       cond_nconsts=len(cconsts), body_nconsts=len(bconsts))
    # As JAX: a carry the body returns unchanged and cond_fun does not read comes back as given.
    keep = [f and u for f, u in zip(forwarded(body.jaxpr, len(bconsts), len(leaves)),
                                    unused(cond.jaxpr, len(cconsts), len(leaves)))]
    return tree_unflatten(tree, [r if k else o for r, o, k in zip(raw, res, keep)])


def fori_loop(lower, upper, body_fun: Callable, init_val, *, unroll=None):
    """lax.fori_loop: `for i in range(lower, upper): val = body_fun(i, val)`; returns val.

    Python int (concrete) bounds lower to scan, so reverse mode works; traced bounds lower
    to while_loop (forward mode only), as in JAX.
    """
    if not callable(body_fun):
        raise TypeError("lax.fori_loop: body_fun must be callable")
    dt = dtypes.result_type(lower, upper)
    if dt.kind not in "iu":
        raise TypeError(f"lax.fori_loop: lower and upper must be integers, got dtype {dt.name}")
    lo, hi = static_int(lower), static_int(upper)
    # The loop index is weakly typed (as in JAX), so `carry + i` keeps the carry's dtype.
    if lo is not None and hi is not None:
        if disable_jit_flag.value and hi <= lo:
            return init_val

        def step(carry, _):
            i, x = carry
            return (i + 1, body_fun(i, x)), None

        # As JAX, the index starts as the Python int `lo` (a weakly typed int; under
        # disable_jit() a plain Python int).
        (_, out), _ = scan(step, (lo, init_val), None, length=max(hi - lo, 0), unroll=1 if unroll is None else unroll,
                           _api=("lax.fori_loop", "body_fun"))
        return out
    if unroll is not None and unroll is not False and unroll != 1:
        raise ValueError("lax.fori_loop: `unroll` can only be used when the loop bounds are static (Python "
                         "ints or concrete values); with traced bounds the loop is a while_loop")
    lower = misc.convert_element_type(lower, dt, weak_type=True)
    upper = misc.convert_element_type(upper, dt)

    def body(carry):
        i, x = carry
        return elementwise.add(i, 1), body_fun(i, x)

    _, out = while_loop(lambda carry: elementwise.lt(carry[0], upper), body, (lower, init_val), _api="lax.fori_loop")
    return out

