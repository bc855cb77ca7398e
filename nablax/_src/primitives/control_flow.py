"""Control flow: cond, while_loop and scan, higher-order primitives whose params hold Jaxprs.

The wrappers (cond, switch, while_loop, fori_loop, scan, map) trace the user's functions
to ClosedJaxprs on every call. Values those functions close over that belong to an
enclosing transformation (tracers) become explicit leading operands (closure
conversion), so every transformation sees them; concrete constants stay in the Jaxprs.
Each primitive is one block with all of its rules:

- eager/impl: run the chosen branch or the loop; a long loop switches to a body
  compiled by jit's code generator.
- jvp: the JVP of the branch/body Jaxprs. Which loop carries get a nonzero tangent (or,
  for vmap, a batch axis) is a fixpoint of a dependence analysis over the body.
- linearize (reverse mode): cond and scan split into a primal part that also returns
  the residuals the tangent computation needs (cond: operands passed on directly, the
  rest padded to one list shared by the branches; scan: stacked over iterations),
  computed now, and a linear cond/scan over the tangents that reads them, staged. A
  concrete cond predicate just runs the chosen branch inline. while_loop is
  forward-mode only; transposing it raises.
- transpose: a linear cond transposes each branch; a linear scan runs backwards.
- batch: a batched cond predicate runs every branch and selects (as JAX does), each
  branch reading its operands through select(index == k, x, stop_gradient(x)) so that
  no cotangent flows back through an unselected branch; a batched while predicate runs
  until every lane is done, masking finished lanes with select. Bodies are batched
  under the enclosing vmap's axis name, so collectives inside them work.
- weak types (as JAX): a cond's outputs take its first branch's; a loop carry that
  differs from the body's output only in weak type is kept, the outputs taking the
  body's.
- emit_block: jit writes `if`/`while`/`for` statements around compiled sub-functions.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .. import dtypes, errors
from ..array import to_concrete_array, wrap
from ..avals import ShapedArray, UndefinedPrimal, Zero
from ..config import disable_jit_flag
from ..core import Tracer, lift_aval
from ..interpreters import batching
from ..interpreters import jvp as jvp_interp
from ..interpreters import linearize as lin_interp
from ..interpreters import transpose as transpose_interp
from ..ir import ClosedJaxpr, Jaxpr, Var
from ..tree import keystr, tree_flatten, tree_flatten_with_path, tree_map, tree_unflatten
from . import elementwise, misc, reductions, shape
from ._define import define_primitive
from .control_flow_util import (
    _COMPILE_AFTER,
    _as_value,
    _batch_jaxpr,
    _batch_loop_body,
    _branch_index,
    _carry_fixpoint,
    _check_branch_outputs,
    _check_carry,
    _check_carry_tree,
    _compiled,
    _concrete_int,
    _conform,
    _dependence,
    _eval,
    _eval_step,
    _forwarded,
    _inst,
    _jvp_jaxpr,
    _lhs,
    _linearize_jaxpr,
    _nonzero,
    _promote_weak_carry,
    _raw,
    _retype,
    _scalar_index,
    _scan_in_python,
    _scan_run,
    _scan_split,
    _select_branches,
    _static_int,
    _tangents_out,
    _trace,
    _trace_fun,
    _unbox_linearized,
    _under,
    _union,
    _unused,
    _while_run,
    _while_split,
    _with_invars,
    _zeros,
)
from .templates import add_tangents, batch_size, bdim_to_front, is_undefined, moveaxis

# ---------------------------------------------------------------------------------- cond

def _cond_out_avals(branches) -> list:
    """The first branch's output types, weak types included (as JAX: the branches agree on
    shapes and dtypes, and may differ only in weak type)."""
    return list(branches[0].out_avals)


def _cond_abstract(index, *avals, branches):
    if index.shape != () or index.dtype.kind not in "iu":
        raise TypeError(f"lax.cond: the branch index must be an integer scalar, got {index.str_short()}")
    expected = branches[0].in_avals
    if len(avals) != len(expected) or any(a.shape != e.shape or a.dtype != e.dtype for a, e in zip(avals, expected)):
        raise TypeError("lax.cond: operands " + ", ".join(a.str_short() for a in avals) + " do not match the "
                        "branches' inputs " + ", ".join(a.str_short() for a in expected))
    return _cond_out_avals(branches)


def _cond_eager(index, *args, branches):
    br = branches[_branch_index(index, len(branches))]
    return _conform(_eval(br, *[_as_value(a) for a in args]), _cond_out_avals(branches))


def _cond_impl(xp, index, *vals, branches):
    return list(_compiled(branches[_branch_index(index, len(branches))])(*vals))


def _chosen_branch(index, branches, ops) -> list:
    """The branch a concrete index picks, evaluated inline (under jvp/linearize), with the
    cond's output weak types (the first branch's)."""
    outs = _eval(branches[_branch_index(index, len(branches))], *ops)
    return [_retype(o, a) for o, a in zip(outs, _cond_out_avals(branches))]


def _cond_jvp(primals, tangents, *, branches):
    index, *ops = primals
    ts = [t if _nonzero(t) else Zero(lift_aval(p).to_tangent_aval()) for p, t in zip(ops, tangents[1:])]
    if not isinstance(index, Tracer):  # a concrete predicate: differentiate the chosen branch only
        return jvp_interp.jvp_flat(lambda *xs: _chosen_branch(index, branches, xs), ops, ts)
    nz_in = [type(t) is not Zero for t in ts]
    nz_out = _union([_dependence(b.jaxpr, nz_in) for b in branches])
    n = len(nz_out)
    new = tuple(_jvp_jaxpr(b, nz_in, nz_out, [len(ops)], [n], "jvp(cond)") for b in branches)
    outs = cond_p.bind(index, *ops, *[t for t in ts if type(t) is not Zero], branches=new)
    return outs[:n], _tangents_out(outs[n:], nz_out, _cond_out_avals(branches))


def _cond_linearize(trace, primals, tangents, *, branches):
    index, *ops = primals
    ts = list(tangents[1:])
    if not isinstance(index, Tracer):  # a concrete predicate: the chosen branch inline
        ins = [lin_interp.LinearizeTracer(trace, p, t) if _nonzero(t) else p for p, t in zip(ops, ts)]
        return _unbox_linearized(trace, _under(trace, _chosen_branch, index, branches, ins))
    nz_in = [_nonzero(t) for t in ts]
    nz_out = _union([_dependence(b.jaxpr, nz_in) for b in branches])
    if not any(nz_out):
        outs = _under(trace.parent, cond_p.bind, index, *ops, branches=branches)
        return outs, _tangents_out([], nz_out, _cond_out_avals(branches))
    n = len(nz_out)
    splits = [_linearize_jaxpr(b, nz_in, nz_out, "linearize(cond)") for b in branches]
    # Residuals that are the cond's own operands go to the linear cond directly (as JAX), so
    # each branch reads its real values even where another branch is selected (under vmap);
    # the others go through slots shared by the branches: a slot holds one aval, each branch
    # fills its own and zeros pad the rest.
    slots: list = []
    where = []  # per branch, per residual: ("slot", k) or ("op", operand index)
    for primal, _, _ in splits:
        pj = primal.jaxpr
        used, ops_used, idx = set(), set(), []
        for v, a in zip(pj.outvars[n:], primal.out_avals[n:]):
            j = next((j for j, u in enumerate(pj.invars) if u is v), None)
            if j is not None and j not in ops_used:
                ops_used.add(j)
                idx.append(("op", j))
                continue
            k = next((k for k, s in enumerate(slots) if k not in used and s == a), None)
            if k is None:
                slots.append(a)
                k = len(slots) - 1
            used.add(k)
            idx.append(("slot", k))
        where.append(idx)
    fwd_ops = sorted({j for idx in where for kind, j in idx if kind == "op"})

    def padded(primal, idx):
        def fn(*xs):
            outs = _eval(primal, *xs)
            res = [None] * len(slots)
            for (kind, k), r in zip(idx, outs[n:]):
                if kind == "slot":
                    res[k] = r
            return outs[:n] + [_zeros(s) if r is None else r for r, s in zip(res, slots)]
        return _trace(fn, primal.in_avals, "linearize(cond)")

    primal_branches = tuple(padded(p, idx) for (p, _, _), idx in zip(splits, where))
    in_avals = branches[0].in_avals
    lin_branches = []
    for (_, lin, n_res), idx in zip(splits, where):
        res_in = [Var(s) for s in slots] + [Var(in_avals[j]) for j in fwd_ops]
        for (kind, k), v in zip(idx, lin.jaxpr.invars[:n_res]):
            res_in[k if kind == "slot" else len(slots) + fwd_ops.index(k)] = v
        lin_branches.append(_with_invars(lin, res_in + list(lin.jaxpr.invars[n_res:])))
    outs = _under(trace.parent, cond_p.bind, index, *ops, branches=primal_branches)
    touts = cond_p.bind(index, *outs[n:], *[ops[j] for j in fwd_ops], *[t for t, nz in zip(ts, nz_in) if nz],
                        branches=tuple(lin_branches))
    return outs[:n], _tangents_out(touts, nz_out, _cond_out_avals(branches))


def _cond_transpose(cts, index, *ops, branches):
    if is_undefined(index):
        raise TypeError("lax.cond is not linear in its predicate")
    lin = [is_undefined(o) for o in ops]
    known = [o for o, f in zip(ops, lin) if not f]
    ct_nz = [type(c) is not Zero for c in cts]
    in_avals = branches[0].in_avals
    known_avals = [a for a, f in zip(in_avals, lin) if not f]
    ct_avals = [a.to_tangent_aval() for a, nz in zip(branches[0].out_avals, ct_nz) if nz]

    def transposed(br):
        def fn(*xs):
            kit, cit = iter(xs[:len(known)]), iter(xs[len(known):])
            args = [UndefinedPrimal(a) if f else next(kit) for a, f in zip(in_avals, lin)]
            cts_full = [next(cit) if nz else Zero(a.to_tangent_aval()) for nz, a in zip(ct_nz, br.out_avals)]
            res = transpose_interp.backward_pass(br.jaxpr, br.consts, args, cts_full)
            return [_inst(c) for c, f in zip(res, lin) if f]
        return _trace(fn, known_avals + ct_avals, "transpose(cond)")

    outs = cond_p.bind(index, *known, *[c for c in cts if type(c) is not Zero],
                       branches=tuple(transposed(b) for b in branches))
    it = iter(outs)
    return [None] + [next(it) if f else None for f in lin]


def _cond_batch(args, dims, *, branches):
    index, *ops = args
    idim, *odims = dims
    size = batch_size(args, dims)
    if idim is not None:  # per-example predicate: run every branch, select per example
        def per_example(i, *xs):
            return _select_branches(i, branches, xs)

        return batching.batch_flat(per_example, [index, *ops], [idim, *odims], size, batching.current_axis_name())
    b_in = [d is not None for d in odims]
    ops = [moveaxis(o, d, 0) if d is not None else o for o, d in zip(ops, odims)]
    n_out = len(branches[0].out_avals)
    traced = [_batch_jaxpr(b, size, b_in, [False] * n_out, "vmap(cond)") for b in branches]
    b_out = _union([flags for _, flags in traced])  # batched where any branch's output varies
    new = tuple(j if flags == b_out else _batch_jaxpr(b, size, b_in, b_out, "vmap(cond)")[0]
                for (j, flags), b in zip(traced, branches))
    outs = cond_p.bind(index, *ops, branches=new)
    return outs, [0 if b else None for b in b_out]


def _cond_emit(args, outs, params, param_src):
    fns = [_compiled(b) for b in params["branches"]]
    call = f"({', '.join(args[1:])})"
    if len(fns) == 2:
        return [f"if {args[0]}:", f"    {_lhs(outs)} = {param_src(fns[1])}{call}",
                "else:", f"    {_lhs(outs)} = {param_src(fns[0])}{call}"]
    return [f"{_lhs(outs)} = {param_src(tuple(fns))}[{args[0]}]{call}"]


cond_p = define_primitive(
    "cond",
    higher_order=True,
    impl=_cond_impl,
    eager=_cond_eager,
    abstract_eval=_cond_abstract,
    jvp=_cond_jvp,
    linearize=_cond_linearize,
    transpose=_cond_transpose,
    batch=_cond_batch,
    emit_block=_cond_emit,
    multiple_results=True,
)


# ---------------------------------------------------------------------------- while_loop

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
    carry = _while_run(_eval_step(cond_jaxpr), _eval_step(body_jaxpr), _raw(args), cond_nconsts, body_nconsts,
                       lambda: (_compiled(cond_jaxpr), _compiled(body_jaxpr)))
    return [wrap(v, a.weak_type) for v, a in zip(carry, body_jaxpr.out_avals)]


def _while_impl(xp, *vals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    return _while_run(_compiled(cond_jaxpr), _compiled(body_jaxpr), list(vals), cond_nconsts, body_nconsts, None)


def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cc, bc, init = _while_split(primals, cond_nconsts, body_nconsts)
    _, bc_t, init_t = _while_split(tangents, cond_nconsts, body_nconsts)
    bnz = [_nonzero(t) for t in bc_t]
    carry_nz, _ = _carry_fixpoint(body_jaxpr.jaxpr, bnz, [_nonzero(t) for t in init_t], [])
    nk = len(init)
    body = _jvp_jaxpr(body_jaxpr, bnz + carry_nz, carry_nz, [body_nconsts, nk], [nk], "jvp(while)")
    carry_avals = body_jaxpr.in_avals[body_nconsts:]
    extra = [Var(a.to_tangent_aval()) for a, nz in zip(carry_avals, carry_nz) if nz]
    cond = _with_invars(cond_jaxpr, list(cond_jaxpr.jaxpr.invars) + extra)
    outs = while_p.bind(*cc, *bc, *[t for t, nz in zip(bc_t, bnz) if nz],
                        *init, *[_inst(t) for t, nz in zip(init_t, carry_nz) if nz],
                        cond_jaxpr=cond, body_jaxpr=body, cond_nconsts=cond_nconsts,
                        body_nconsts=body_nconsts + sum(bnz))
    return outs[:nk], _tangents_out(outs[nk:], carry_nz, carry_avals)


def _while_linearize(trace, primals, tangents, **params):
    """Primal loop now; the JVP loop (which recomputes the primal) staged: forward-evaluable,
    and transposing it raises the reverse-mode error."""
    outs = _under(trace.parent, while_p.bind, *primals, **params)
    _, touts = _while_jvp(primals, tangents, **params)
    return outs, touts


def _while_transpose(cts, *args, **params):
    raise ValueError(_WHILE_REVERSE)


def _while_batch(args, dims, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    size = batch_size(args, dims)
    args = [moveaxis(a, d, 0) if d is not None else a for a, d in zip(args, dims)]
    flags = [d is not None for d in dims]
    cc, bc, init = _while_split(args, cond_nconsts, body_nconsts)
    ccb, bcb, initb = _while_split(flags, cond_nconsts, body_nconsts)
    bbody, carry_b, _ = _batch_loop_body(body_jaxpr, size, bcb, initb, [], "vmap(while)")
    bcond, (pred_b,) = _batch_jaxpr(cond_jaxpr, size, ccb + carry_b, [False], "vmap(while)")
    if pred_b and not all(carry_b):
        carry_b = [True] * len(init)  # lanes finish at different times: every carry is per lane
        bcond, _ = _batch_jaxpr(cond_jaxpr, size, ccb + carry_b, [True], "vmap(while)")
        bbody, _ = _batch_jaxpr(body_jaxpr, size, bcb + carry_b, carry_b, "vmap(while)")
    init = [bdim_to_front(x, 0 if f else None, size) if b else x for x, f, b in zip(init, initb, carry_b)]
    if not pred_b:
        outs = while_p.bind(*cc, *bc, *init, cond_jaxpr=bcond, body_jaxpr=bbody,
                            cond_nconsts=cond_nconsts, body_nconsts=body_nconsts)
        return outs, [0 if b else None for b in carry_b]
    nc = len(cc)
    carry_avals = [lift_aval(x) for x in init]
    cc_avals = [lift_aval(x) for x in cc]

    def any_lane(*xs):
        return [reductions.reduce_or(_eval(bcond, *xs)[0], (0,))]

    def masked_body(*xs):
        ccs, bcs, carry = xs[:nc], xs[nc:len(xs) - len(init)], xs[len(xs) - len(init):]
        live = _eval(bcond, *ccs, *carry)[0]
        new = _eval(bbody, *bcs, *carry)
        out = []
        for old, nw in zip(carry, new):
            s = lift_aval(old).shape
            which = shape.broadcast_in_dim(live, s, (0,)) if len(s) > 1 else live
            out.append(elementwise.select_n(which, old, nw))
        return out

    new_cond = _trace(any_lane, cc_avals + carry_avals, "vmap(while)")
    new_body = _trace(masked_body, cc_avals + [lift_aval(x) for x in bc] + carry_avals, "vmap(while)")
    outs = while_p.bind(*cc, *cc, *bc, *init, cond_jaxpr=new_cond, body_jaxpr=new_body,
                        cond_nconsts=nc, body_nconsts=nc + len(bc))
    return outs, [0] * len(outs)


def _while_emit(args, outs, params, param_src):
    cc, bc, init = _while_split(args, params["cond_nconsts"], params["body_nconsts"])
    cond_fn = param_src(_compiled(params["cond_jaxpr"]))
    body_fn = param_src(_compiled(params["body_jaxpr"]))
    lines = [f"{', '.join(outs)} = {', '.join(init)}"] if outs else []
    return lines + [f"while {cond_fn}({', '.join(cc + outs)})[0]:",
                    f"    {_lhs(outs)} = {body_fn}({', '.join(bc + outs)})"]


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
    emit_block=_while_emit,
    multiple_results=True,
    fold=False,  # an unbounded loop is not run while compiling
)


# ---------------------------------------------------------------------------------- scan

def _scan_out_avals(jaxpr, length, num_consts, num_carry) -> list:
    carry = jaxpr.out_avals[:num_carry]  # the body's weak types (the input carry's may differ)
    ys = [ShapedArray((length,) + a.shape, a.dtype, a.weak_type) for a in jaxpr.out_avals[num_carry:]]
    return list(carry) + ys


def _scan_abstract(*avals, jaxpr, length, reverse, num_consts, num_carry):
    if len(avals) != len(jaxpr.in_avals):
        raise TypeError(f"lax.scan: {len(avals)} operands for a body with {len(jaxpr.in_avals)} inputs")
    for a, x in zip(avals[num_consts + num_carry:], jaxpr.in_avals[num_consts + num_carry:]):
        if a.shape != (length,) + x.shape:
            raise TypeError(f"lax.scan: xs operand {a.str_short()} does not have leading axis length {length}")
    return _scan_out_avals(jaxpr, length, num_consts, num_carry)


def _scan_eager(*args, jaxpr, length, reverse, num_consts, num_carry):
    step = _compiled(jaxpr) if length >= _COMPILE_AFTER else _eval_step(jaxpr)
    outs = _scan_run(np, step, _raw(args), jaxpr, length, reverse, num_consts, num_carry)
    return [wrap(o, a.weak_type) for o, a in zip(outs, _scan_out_avals(jaxpr, length, num_consts, num_carry))]


def _scan_impl(xp, *vals, jaxpr, length, reverse, num_consts, num_carry):
    return _scan_run(xp, _compiled(jaxpr), list(vals), jaxpr, length, reverse, num_consts, num_carry)


def _scan_jvp(primals, tangents, *, jaxpr, length, reverse, num_consts, num_carry):
    nz = [_nonzero(t) for t in tangents]
    cnz, inz, xnz = _scan_split(nz, num_consts, num_carry)
    carry_nz, ys_nz = _carry_fixpoint(jaxpr.jaxpr, cnz, inz, xnz)
    consts, init, xs = _scan_split(primals, num_consts, num_carry)
    c_t, i_t, x_t = _scan_split(tangents, num_consts, num_carry)
    body = _jvp_jaxpr(jaxpr, cnz + carry_nz + xnz, carry_nz + ys_nz, [num_consts, num_carry, len(xs)],
                      [num_carry, len(ys_nz)], "jvp(scan)")
    outs = scan_p.bind(*consts, *[t for t, f in zip(c_t, cnz) if f],
                       *init, *[_inst(t) for t, f in zip(i_t, carry_nz) if f],
                       *xs, *[t for t, f in zip(x_t, xnz) if f],
                       jaxpr=body, length=length, reverse=reverse, num_consts=num_consts + sum(cnz),
                       num_carry=num_carry + sum(carry_nz))
    nk, nkt = num_carry, sum(carry_nz)
    avals = _scan_out_avals(jaxpr, length, num_consts, num_carry)
    carry, carry_t, rest = outs[:nk], outs[nk:nk + nkt], outs[nk + nkt:]
    ny = len(ys_nz)
    return carry + rest[:ny], _tangents_out(carry_t, carry_nz, avals[:nk]) + _tangents_out(rest[ny:], ys_nz, avals[nk:])


def _scan_linearize(trace, primals, tangents, *, jaxpr, length, reverse, num_consts, num_carry):
    """Primal scan now, returning per-iteration residuals stacked; a linear scan over the
    tangents that reads them, staged (its transpose runs in reverse)."""
    nc, nk = num_consts, num_carry
    nz = [_nonzero(t) for t in tangents]
    cnz, inz, xnz = _scan_split(nz, nc, nk)
    carry_nz, ys_nz = _carry_fixpoint(jaxpr.jaxpr, cnz, inz, xnz)
    nz_in = cnz + carry_nz + xnz
    ny = len(ys_nz)
    avals = _scan_out_avals(jaxpr, length, nc, nk)
    if not any(carry_nz) and not any(ys_nz):
        outs = _under(trace.parent, scan_p.bind, *primals, jaxpr=jaxpr, length=length, reverse=reverse,
                      num_consts=nc, num_carry=nk)
        return outs, _tangents_out([], carry_nz + ys_nz, avals)
    primal, lin, n_res = _linearize_jaxpr(jaxpr, nz_in, carry_nz + ys_nz, "linearize(scan)")
    pj = primal.jaxpr
    const_in, xs_in = pj.invars[:nc], pj.invars[nc + nk:]
    # Residuals that are loop-invariant (a const) or already stacked (an xs) are not re-stacked.
    invariant, stacked, per_iter = [], [], []
    for k, v in enumerate(pj.outvars[nk + ny:]):
        if type(v) is Var and v in const_in:
            invariant.append((k, primals[const_in.index(v)]))
        elif type(v) is Var and v in xs_in:
            stacked.append((k, primals[nc + nk + xs_in.index(v)]))
        else:
            per_iter.append((k, v))
    primal = ClosedJaxpr(Jaxpr(pj.constvars, pj.invars, pj.outvars[:nk + ny] + [v for _, v in per_iter], pj.eqns),
                         primal.consts)
    outs = _under(trace.parent, scan_p.bind, *primals, jaxpr=primal, length=length, reverse=reverse,
                  num_consts=nc, num_carry=nk)
    stacked += [(k, r) for (k, _), r in zip(per_iter, outs[nk + ny:])]
    lj = lin.jaxpr
    res_vars, t_vars = lj.invars[:n_res], lj.invars[n_res:]
    n_ct, n_kt = sum(cnz), sum(carry_nz)
    lin = _with_invars(lin, [res_vars[k] for k, _ in invariant] + t_vars[:n_ct + n_kt]
                       + [res_vars[k] for k, _ in stacked] + t_vars[n_ct + n_kt:])
    c_t, i_t, x_t = _scan_split(tangents, nc, nk)
    touts = scan_p.bind(*[r for _, r in invariant], *[t for t, f in zip(c_t, cnz) if f],
                        *[_inst(t) for t, f in zip(i_t, carry_nz) if f],
                        *[r for _, r in stacked], *[t for t, f in zip(x_t, xnz) if f],
                        jaxpr=lin, length=length, reverse=reverse, num_consts=len(invariant) + n_ct,
                        num_carry=n_kt)
    return outs[:nk + ny], _tangents_out(touts[:n_kt], carry_nz, avals[:nk]) + _tangents_out(
        touts[n_kt:], ys_nz, avals[nk:])


def _scan_transpose(cts, *args, jaxpr, length, reverse, num_consts, num_carry):
    """Run the body's transpose backwards over the iterations. Carries are always linear;
    consts and xs are linear where undefined, residuals otherwise."""
    consts, _, xs = _scan_split(args, num_consts, num_carry)
    c_lin = [is_undefined(c) for c in consts]
    x_lin = [is_undefined(x) for x in xs]
    avals = jaxpr.in_avals
    c_avals, k_avals, x_avals = _scan_split(avals, num_consts, num_carry)
    y_avals = jaxpr.out_avals[num_carry:]
    ct_carry = [_inst(c) for c in cts[:num_carry]]
    ct_avals = [lift_aval(c) for c in ct_carry]  # carried cotangents keep these types (weak types too, as JAX)
    ct_ys = cts[num_carry:]
    y_nz = [type(c) is not Zero for c in ct_ys]
    known_c = [c for c, f in zip(consts, c_lin) if not f]
    known_x = [x for x, f in zip(xs, x_lin) if not f]
    lin_c_avals = [a.to_tangent_aval() for a, f in zip(c_avals, c_lin) if f]
    nkc, nlc, nkx = len(known_c), len(lin_c_avals), len(known_x)

    def body_t(*a):
        kc, acc = a[:nkc], a[nkc:nkc + nlc]
        ctc = a[nkc + nlc:nkc + nlc + num_carry]
        rest = a[nkc + nlc + num_carry:]
        kx, cty = iter(rest[:nkx]), iter(rest[nkx:])
        kci = iter(kc)
        ins = ([UndefinedPrimal(av) if f else next(kci) for av, f in zip(c_avals, c_lin)]
               + [UndefinedPrimal(av) for av in k_avals]
               + [UndefinedPrimal(av) if f else next(kx) for av, f in zip(x_avals, x_lin)])
        cts_out = list(ctc) + [next(cty) if f else Zero(av.to_tangent_aval()) for av, f in zip(y_avals, y_nz)]
        res = transpose_interp.backward_pass(jaxpr.jaxpr, jaxpr.consts, ins, cts_out)
        rc, rk, rx = _scan_split(res, num_consts, num_carry)
        new_acc = [_inst(add_tangents(s, c)) for s, c in zip(acc, [c for c, f in zip(rc, c_lin) if f])]
        return new_acc + [_retype(_inst(c), a) for c, a in zip(rk, ct_avals)] + [
            _inst(c) for c, f in zip(rx, x_lin) if f]

    in_avals = ([a for a, f in zip(c_avals, c_lin) if not f] + lin_c_avals + ct_avals
                + [a for a, f in zip(x_avals, x_lin) if not f]
                + [a.to_tangent_aval() for a, f in zip(y_avals, y_nz) if f])
    body = _trace(body_t, in_avals, "transpose(scan)")
    outs = scan_p.bind(*known_c, *[_zeros(a) for a in lin_c_avals], *ct_carry, *known_x,
                       *[c for c in ct_ys if type(c) is not Zero],
                       jaxpr=body, length=length, reverse=not reverse, num_consts=nkc, num_carry=nlc + num_carry)
    acc, ct_init, ct_xs = iter(outs[:nlc]), outs[nlc:nlc + num_carry], iter(outs[nlc + num_carry:])
    return ([next(acc) if f else None for f in c_lin] + list(ct_init)
            + [next(ct_xs) if f else None for f in x_lin])


def _scan_batch(args, dims, *, jaxpr, length, reverse, num_consts, num_carry):
    size = batch_size(args, dims)
    flags = [d is not None for d in dims]
    cb, ib, xb = _scan_split(flags, num_consts, num_carry)
    body, carry_b, ys_b = _batch_loop_body(jaxpr, size, cb, ib, xb, "vmap(scan)")
    consts, init, xs = _scan_split(args, num_consts, num_carry)
    cd, idims, xd = _scan_split(dims, num_consts, num_carry)
    consts = [moveaxis(c, d, 0) if d is not None else c for c, d in zip(consts, cd)]
    init = [bdim_to_front(x, d, size) if b else x for x, d, b in zip(init, idims, carry_b)]
    xs = [moveaxis(x, d, 1) if d is not None else x for x, d in zip(xs, xd)]  # axis 0 is scanned over
    outs = scan_p.bind(*consts, *init, *xs, jaxpr=body, length=length, reverse=reverse,
                       num_consts=num_consts, num_carry=num_carry)
    return outs, [0 if b else None for b in carry_b] + [1 if b else None for b in ys_b]


def _scan_emit(args, outs, params, param_src):
    nc, nk = params["num_consts"], params["num_carry"]
    jaxpr, length = params["jaxpr"], params["length"]
    consts, init, xs = _scan_split(args, nc, nk)
    carry, ys = outs[:nk], outs[nk:]
    body = param_src(_compiled(jaxpr))
    lines = [f"{', '.join(carry)} = {', '.join(init)}"] if carry else []
    for y, a in zip(ys, jaxpr.out_avals[nk:]):
        lines.append(f"{y} = xp.empty({(length,) + tuple(a.shape)!r}, {param_src(a.dtype)})")
    temps = [f"_y{k}" for k in range(len(ys))]
    rng = f"range({length - 1}, -1, -1)" if params["reverse"] else f"range({length})"
    lines.append(f"for _i in {rng}:")
    lines.append(f"    {_lhs(carry + temps)} = {body}({', '.join(consts + carry + [x + '[_i]' for x in xs])})")
    lines += [f"    {y}[_i] = {t}" for y, t in zip(ys, temps)]
    return lines


scan_p = define_primitive(
    "scan",
    higher_order=True,
    impl=_scan_impl,
    eager=_scan_eager,
    abstract_eval=_scan_abstract,
    jvp=_scan_jvp,
    linearize=_scan_linearize,
    transpose=_scan_transpose,
    batch=_scan_batch,
    emit_block=_scan_emit,
    multiple_results=True,
)


# ------------------------------------------------------------------------------ wrappers

_NO_OPERAND = object()


def _branches_call(api: str, index, funs: Sequence[Callable], names: Sequence[str], operands: tuple):
    leaves, in_tree = tree_flatten(operands)
    leaves = [_as_value(x) for x in leaves]
    avals = [lift_aval(x) for x in leaves]

    traced = [_trace_fun(lambda *xs, f=f: f(*tree_unflatten(in_tree, xs)), avals, api, f"{api}: {name}")
              for f, name in zip(funs, names)]
    tree0 = traced[0][2]
    for (_, _, tree), name in zip(traced[1:], names[1:]):
        if tree != tree0:
            raise TypeError(f"{api}: {names[0]} and {name} must return the same pytree structure, but "
                            f"{names[0]} returns {tree0} and {name} returns {tree}")
    _check_branch_outputs(api, names, [t[0].out_avals for t in traced], tree0)
    all_consts, position = [], {}
    for _, consts, _ in traced:
        for c in consts:
            if id(c) not in position:
                position[id(c)] = len(all_consts)
                all_consts.append(c)
    branches = []
    for closed, consts, _ in traced:
        invars = closed.jaxpr.invars
        const_in = [Var(lift_aval(c)) for c in all_consts]
        for c, v in zip(consts, invars[:len(consts)]):
            const_in[position[id(c)]] = v
        branches.append(_with_invars(closed, const_in + list(invars[len(consts):])))
    outs = cond_p.bind(index, *all_consts, *leaves, branches=tuple(branches))
    return tree_unflatten(tree0, outs)


def cond(pred, true_fun: Callable, false_fun: Callable, *operands, operand=_NO_OPERAND):
    """lax.cond: true_fun(*operands) if pred else false_fun(*operands), as one operation.

    Under jit/vmap/grad both branches are traced (they must return the same structure,
    shapes and dtypes); with a per-example (vmapped) predicate both run and the results
    are selected.
    """
    if operand is not _NO_OPERAND:
        if operands:
            raise TypeError("lax.cond: pass the operands either positionally or as operand=, not both")
        operands = (operand,)
    if not (callable(true_fun) and callable(false_fun)):
        if callable(false_fun) and len(operands) == 2 and callable(operands[1]):
            # JAX's older convention: cond(pred, true_operand, true_fun, false_operand, false_fun)
            t_op, t_fun, f_op, f_fun = true_fun, false_fun, *operands
            return cond(pred, lambda x, _: t_fun(x), lambda _, x: f_fun(x), t_op, f_op)
        raise TypeError("lax.cond: true_fun and false_fun must be callable")
    # As JAX, a float predicate means `pred != 0`.
    pred, aval = _scalar_index("lax.cond", pred, "biuf", "predicate", "a boolean or numeric scalar")
    if aval.dtype.kind != "b":
        pred = elementwise.ne(pred, 0)
    if disable_jit_flag.value:  # as JAX: a concrete predicate just calls the branch
        chosen = _concrete_int(pred)
        if chosen is not None:
            return true_fun(*operands) if chosen else false_fun(*operands)
    index = misc.convert_element_type(pred, np.int32)
    return _branches_call("lax.cond", index, (false_fun, true_fun), ("false_fun", "true_fun"), operands)


def switch(index, branches: Sequence[Callable], *operands, operand=_NO_OPERAND):
    """lax.switch: branches[index](*operands); the index is clamped to [0, len(branches) - 1]."""
    if operand is not _NO_OPERAND:
        if operands:
            raise TypeError("lax.switch: pass the operands either positionally or as operand=, not both")
        operands = (operand,)
    branches = tuple(branches)
    if not all(callable(b) for b in branches):
        raise TypeError("lax.switch: branches must be a sequence of callables")
    if not branches:
        raise ValueError("lax.switch: branches is empty; give at least one branch function")
    index, _ = _scalar_index("lax.switch", index, "iu", "branch index", "an integer scalar")
    if len(branches) == 1:
        return branches[0](*operands)
    index = misc.convert_element_type(index, np.int32)
    index = elementwise.clamp(to_concrete_array(np.int32(0)), index, to_concrete_array(np.int32(len(branches) - 1)))
    if disable_jit_flag.value:  # as JAX: a concrete index just calls the branch
        chosen = _concrete_int(index)
        if chosen is not None:
            return branches[chosen](*operands)
    return _branches_call("lax.switch", index, branches, [f"branches[{i}]" for i in range(len(branches))], operands)


def while_loop(cond_fun: Callable, body_fun: Callable, init_val, *, _api: str = "lax.while_loop"):
    """lax.while_loop: `while cond_fun(val): val = body_fun(val)`; returns val.

    Differentiable in forward mode; reverse mode raises (use scan or fori_loop with static bounds).
    """
    if not (callable(cond_fun) and callable(body_fun)):
        raise TypeError("lax.while_loop: cond_fun and body_fun must be callable")
    if disable_jit_flag.value:  # as JAX: a Python loop, unless a value is traced (e.g. under vmap)
        try:
            val = tree_map(_as_value, init_val)
            while cond_fun(val):
                val = tree_map(_as_value, body_fun(val))
            return val
        except errors.ConcretizationTypeError:
            pass
    raw, tree = tree_flatten(init_val)
    leaves = [_as_value(x) for x in raw]
    for attempt in range(2):  # a weakly typed initial carry may take the body's type, once
        avals = [lift_aval(x) for x in leaves]
        body, bconsts, btree = _trace_fun(lambda *xs: body_fun(tree_unflatten(tree, xs)), avals,
                                          "lax.while_loop", f"{_api}: body_fun")
        _check_carry_tree(_api, "body_fun", tree, btree)
        if attempt:
            break
        new, changed = _promote_weak_carry(leaves, avals, body.out_avals)
        if not changed:
            break
        raw = [r if a is b else b for r, a, b in zip(raw, leaves, new)]
        leaves = new
    _check_carry(_api, "body_fun", leaves, avals, body.out_avals, tree)
    cond, cconsts, ctree = _trace_fun(lambda *xs: cond_fun(tree_unflatten(tree, xs)), avals,
                                      "lax.while_loop", "lax.while_loop: cond_fun")
    outs = cond.out_avals
    if len(outs) != 1 or outs[0].shape != () or outs[0].dtype != np.bool_:
        raise TypeError("lax.while_loop: cond_fun must return a boolean scalar, but it returned "
                        + (", ".join(a.str_short() for a in outs) or "nothing"))
    res = while_p.bind(*cconsts, *bconsts, *leaves, cond_jaxpr=cond, body_jaxpr=body,
                       cond_nconsts=len(cconsts), body_nconsts=len(bconsts))
    # As JAX: a carry the body returns unchanged and cond_fun does not read comes back as given.
    keep = [f and u for f, u in zip(_forwarded(body.jaxpr, len(bconsts), len(leaves)),
                                    _unused(cond.jaxpr, len(cconsts), len(leaves)))]
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
    lo, hi = _static_int(lower), _static_int(upper)
    # The loop index is weakly typed (as in JAX), so `carry + i` keeps the carry's dtype.
    if lo is not None and hi is not None:
        if disable_jit_flag.value and hi <= lo:
            return init_val

        def step(carry, _):
            i, x = carry
            return (i + 1, body_fun(i, x)), None

        # As JAX, the index starts as the Python int `lo` (a weakly typed int; under
        # disable_jit() a plain Python int).
        (_, out), _ = scan(step, (lo, init_val), None, length=max(hi - lo, 0), _api=("lax.fori_loop", "body_fun"))
        return out
    lower = misc.convert_element_type(lower, dt, weak_type=True)
    upper = misc.convert_element_type(upper, dt)

    def body(carry):
        i, x = carry
        return elementwise.add(i, 1), body_fun(i, x)

    _, out = while_loop(lambda carry: elementwise.lt(carry[0], upper), body, (lower, init_val), _api="lax.fori_loop")
    return out


def scan(f: Callable, init, xs=None, length: int | None = None, reverse: bool = False, unroll=1,
         _split_transpose: bool = False, *, _api: tuple = ("lax.scan", "f")):
    """lax.scan: loop `f(carry, x) -> (carry, y)` over the leading axis of xs; returns
    (final carry, ys stacked). Differentiable in both modes, batchable, compiled as a `for`."""
    if not callable(f):
        raise TypeError("lax.scan: f must be callable")
    raw, init_tree = tree_flatten(init)
    init_leaves = [_as_value(x) for x in raw]
    xs_pairs, xs_tree = tree_flatten_with_path(xs)
    xs_leaves = [_as_value(x) for _, x in xs_pairs]
    x_full = [lift_aval(x) for x in xs_leaves]
    for (p, _), a in zip(xs_pairs, x_full):
        if a.ndim == 0:
            raise ValueError(f"lax.scan: xs{keystr(p)} is a scalar ({a.str_short()}); every leaf of xs needs a "
                             "leading axis to scan over")
    unroll = _static_int(unroll)
    if unroll is None or unroll < 0:
        raise ValueError("lax.scan: `unroll` must be a bool or a non-negative int")
    if length is not None:
        length = _static_int(length)
        if length is None:
            raise errors.ConcretizationTypeError(
                "lax.scan: the `length` argument must be a concrete Python int, but it is a traced value. "
                "For a loop with a dynamic trip count, use lax.while_loop or lax.fori_loop.")
        for (p, _), a in zip(xs_pairs, x_full):
            if a.shape[0] != length:
                raise ValueError(f"lax.scan: length={length} but xs{keystr(p)} has leading axis size {a.shape[0]}")
    elif not xs_leaves:
        raise ValueError("lax.scan: give length= when xs has no leaves (e.g. xs=None)")
    else:
        length = x_full[0].shape[0]
        for (p, _), a in zip(xs_pairs, x_full):
            if a.shape[0] != length:
                raise ValueError(
                    f"lax.scan: all xs must have the same leading axis size, but xs{keystr(xs_pairs[0][0])} has "
                    f"{length} and xs{keystr(p)} has {a.shape[0]}")
    if disable_jit_flag.value:
        return _scan_in_python(f, init, xs_leaves, xs_tree, length, reverse)
    x_avals = [ShapedArray(a.shape[1:], a.dtype, a.weak_type) for a in x_full]
    nk = len(init_leaves)
    store: dict = {}

    def body(*vs):
        out = f(tree_unflatten(init_tree, vs[:nk]), tree_unflatten(xs_tree, vs[nk:]))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"lax.scan: f must return a pair (carry, y), got {type(out).__name__}")
        store["carry_tree"] = tree_flatten(out[0])[1]
        store["y_tree"] = tree_flatten(out[1])[1]
        return out

    for attempt in range(2):  # a weakly typed initial carry may take the body's type, once
        avals = [lift_aval(x) for x in init_leaves]
        closed, consts, _ = _trace_fun(body, avals + x_avals, "lax.scan", f"{_api[0]}: {_api[1]}")
        _check_carry_tree(*_api, init_tree, store["carry_tree"])
        if attempt:
            break
        new, changed = _promote_weak_carry(init_leaves, avals, closed.out_avals[:nk])
        if not changed:
            break
        raw = [r if a is b else b for r, a, b in zip(raw, init_leaves, new)]
        init_leaves = new
    _check_carry(*_api, init_leaves, avals, closed.out_avals[:nk], init_tree)
    outs = scan_p.bind(*consts, *init_leaves, *xs_leaves, jaxpr=closed, length=length, reverse=bool(reverse),
                       num_consts=len(consts), num_carry=nk)
    # As JAX: a carry the body returns unchanged comes back as given (a Python scalar stays one).
    fwd = _forwarded(closed.jaxpr, len(consts), nk)
    carry = [r if f else o for r, o, f in zip(raw, outs[:nk], fwd)]
    return tree_unflatten(init_tree, carry), tree_unflatten(store["y_tree"], outs[nk:])


def map(f: Callable, xs, *, batch_size: int | None = None):  # noqa: A001
    """lax.map: f applied to each slice of xs along the leading axis, results stacked (a scan).
    `batch_size` is accepted and ignored (the result is the same)."""
    return scan(lambda _, x: ((), f(x)), (), xs)[1]


__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan", "map"]
