"""lax.cond and lax.switch: the `cond` primitive, whose params hold one Jaxpr per branch.

- linearize: the branches split into primal parts that also return the residuals the
  tangent computation needs (operands passed on directly, the rest padded to one list
  shared by the branches), computed now, and a linear cond over the tangents that reads
  them, staged. A concrete predicate just runs the chosen branch inline.
- batch: a batched predicate runs every branch and selects (as JAX does), each branch
  reading its operands through select(index == k, x, stop_gradient(x)) so that no
  cotangent flows back through an unselected branch.
- weak types (as JAX): the outputs take the first branch's.
- emit_block: jit writes an `if` (two branches) or indexes a tuple of compiled branches.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .. import dtypes
from ..ad_util import is_undefined
from ..array import to_concrete_array
from ..avals import UndefinedPrimal, Zero
from ..config import disable_jit_flag
from ..core import Tracer, call_under, lift_aval
from ..interpreters import jet as jet_interp
from ..interpreters.batching import batch_flat, batch_jaxpr, current_axis
from ..interpreters.jvp import broadcast_zeros, instantiate_zeros, jvp_flat, jvp_jaxpr
from ..interpreters.linearize import linearize_inline, linearize_jaxpr
from ..interpreters.staging import with_invars
from ..interpreters.transpose import backward_pass
from ..ir import Var
from ..primitives import elementwise, misc, refs
from ..primitives._define import define_primitive
from ..primitives.templates import batch_size, moveaxis
from ..tree import tree_flatten, tree_unflatten
from .common import (
    as_value,
    branch_index,
    check_branch_outputs,
    compiled_body,
    conform,
    dependence,
    eval_closed,
    lhs,
    nonzero_tangent,
    retype,
    scalar_operand,
    static_int,
    tangents_out,
    trace_body,
    trace_fun,
    union,
)


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
    br = branches[branch_index(index, len(branches))]
    return conform(eval_closed(br, *[as_value(a) for a in args]), _cond_out_avals(branches))


def _cond_impl(xp, index, *vals, branches):
    return list(compiled_body(branches[branch_index(index, len(branches))])(*vals))


def _chosen_branch(index, branches, ops) -> list:
    """The branch a concrete index picks, evaluated inline (under jvp/linearize), with the
    cond's output weak types (the first branch's)."""
    outs = eval_closed(branches[branch_index(index, len(branches))], *ops)
    return [retype(o, a) for o, a in zip(outs, _cond_out_avals(branches))]


def _cond_jvp(primals, tangents, *, branches):
    index, *ops = primals
    ts = [t if nonzero_tangent(t) else Zero(lift_aval(p).to_tangent_aval()) for p, t in zip(ops, tangents[1:])]
    if not isinstance(index, Tracer):  # a concrete predicate: differentiate the chosen branch only
        return jvp_flat(lambda *xs: _chosen_branch(index, branches, xs), ops, ts)
    nz_in = [type(t) is not Zero for t in ts]
    nz_out = union([dependence(b.jaxpr, nz_in) for b in branches])
    n = len(nz_out)
    new = tuple(jvp_jaxpr(b, nz_in, nz_out, [len(ops)], [n], "jvp(cond)") for b in branches)
    outs = cond_p.bind(index, *ops, *[t for t in ts if type(t) is not Zero], branches=new)
    return outs[:n], tangents_out(outs[n:], nz_out, _cond_out_avals(branches))


def _cond_linearize(trace, primals, tangents, *, branches):
    index, *ops = primals
    ts = list(tangents[1:])
    if not isinstance(index, Tracer):  # a concrete predicate: the chosen branch inline
        ts = [t if nonzero_tangent(t) else Zero(lift_aval(p).to_tangent_aval()) for p, t in zip(ops, ts)]
        return linearize_inline(trace, lambda *xs: _chosen_branch(index, branches, xs), ops, ts)
    nz_in = [nonzero_tangent(t) for t in ts]
    nz_out = union([dependence(b.jaxpr, nz_in) for b in branches])
    if not any(nz_out):
        outs = call_under(trace.parent, cond_p.bind, index, *ops, branches=branches)
        return outs, tangents_out([], nz_out, _cond_out_avals(branches))
    n = len(nz_out)
    splits = [linearize_jaxpr(b, nz_in, nz_out, "linearize(cond)") for b in branches]
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
            outs = eval_closed(primal, *xs)
            res = [None] * len(slots)
            for (kind, k), r in zip(idx, outs[n:]):
                if kind == "slot":
                    res[k] = r
            return outs[:n] + [broadcast_zeros(s) if r is None else r for r, s in zip(res, slots)]
        return trace_body(fn, primal.in_avals, "linearize(cond)")

    primal_branches = tuple(padded(p, idx) for (p, _, _), idx in zip(splits, where))
    in_avals = branches[0].in_avals
    lin_branches = []
    for (_, lin, n_res), idx in zip(splits, where):
        res_in = [Var(s) for s in slots] + [Var(in_avals[j]) for j in fwd_ops]
        for (kind, k), v in zip(idx, lin.jaxpr.invars[:n_res]):
            res_in[k if kind == "slot" else len(slots) + fwd_ops.index(k)] = v
        lin_branches.append(with_invars(lin, res_in + list(lin.jaxpr.invars[n_res:])))
    outs = call_under(trace.parent, cond_p.bind, index, *ops, branches=primal_branches)
    touts = cond_p.bind(index, *outs[n:], *[ops[j] for j in fwd_ops], *[t for t, nz in zip(ts, nz_in) if nz],
                        branches=tuple(lin_branches))
    return outs[:n], tangents_out(touts, nz_out, _cond_out_avals(branches))


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
            res = backward_pass(br.jaxpr, br.consts, args, cts_full)
            return [instantiate_zeros(c) for c, f in zip(res, lin) if f]
        return trace_body(fn, known_avals + ct_avals, "transpose(cond)")

    outs = cond_p.bind(index, *known, *[c for c in cts if type(c) is not Zero],
                       branches=tuple(transposed(b) for b in branches))
    it = iter(outs)
    return [None] + [next(it) if f else None for f in lin]


def _select_branches(index, branches, ops) -> list:
    """Every branch evaluated, each output selected by the (per-example) index: what a cond
    with a batched index computes (weakly typed where every branch's output is, as in JAX).
    As JAX does, each branch reads its inexact operands through select(index == k, x,
    stop_gradient(x)): where it is not selected, no cotangent flows back through it, so an
    inf or NaN inside an unselected branch's derivative cannot reach the inputs."""
    results = []
    for k, br in enumerate(branches):
        here = elementwise.eq(index, to_concrete_array(np.int32(k)))
        guarded = [elementwise.select_n(here, misc.stop_gradient(x), x) if dtypes.is_inexact(lift_aval(x).dtype) else x
                   for x in ops]
        results.append(eval_closed(br, *guarded))
    return [elementwise.select_n(index, *cases) for cases in zip(*results)]


def _cond_batch(args, dims, *, branches):
    index, *ops = args
    idim, *odims = dims
    size = batch_size(args, dims)
    if idim is not None:  # per-example predicate: run every branch, select per example
        def per_example(i, *xs):
            return _select_branches(i, branches, xs)

        return batch_flat(per_example, [index, *ops], [idim, *odims], size, *current_axis())
    b_in = [d is not None for d in odims]
    ops = [moveaxis(o, d, 0) if d is not None else o for o, d in zip(ops, odims)]
    n_out = len(branches[0].out_avals)
    traced = [batch_jaxpr(b, size, b_in, [False] * n_out, "vmap(cond)") for b in branches]
    b_out = union([flags for _, flags in traced])  # batched where any branch's output varies
    new = tuple(j if flags == b_out else batch_jaxpr(b, size, b_in, b_out, "vmap(cond)")[0]
                for (j, flags), b in zip(traced, branches))
    outs = cond_p.bind(index, *ops, branches=new)
    return outs, [0 if b else None for b in b_out]


def _cond_emit(args, outs, params, param_src):
    fns = [compiled_body(b) for b in params["branches"]]
    call = f"({', '.join(args[1:])})"
    if len(fns) == 2:
        return [f"if {args[0]}:", f"    {lhs(outs)} = {param_src(fns[1])}{call}",
                "else:", f"    {lhs(outs)} = {param_src(fns[0])}{call}"]
    return [f"{lhs(outs)} = {param_src(tuple(fns))}[{args[0]}]{call}"]



def _cond_jet(primals, series, *, branches):
    """A concrete index runs the chosen branch's jet; a traced one binds a cond of the branches'
    jets (outputs carry coefficients where any branch's do)."""
    index, *ops = primals
    ss = series[1:]
    order = jet_interp.order_of(ss)
    if not isinstance(index, Tracer):
        br = branches[branch_index(index, len(branches))]
        return jet_interp.jet_eval(br.jaxpr, br.consts, ops, ss, order)
    flags = [s is not None for s in ss]
    groups, n = [len(ops)], [len(branches[0].out_avals)]
    out_flags = union([jet_interp.jet_jaxpr(b, flags, groups, n, order)[1] for b in branches])
    new = tuple(jet_interp.jet_jaxpr(b, flags, groups, n, order, out_flags)[0] for b in branches)
    outs = cond_p.bind(index, *jet_interp.flatten_groups(ops, ss, flags, groups, order), branches=new)
    return jet_interp.unflatten_groups(outs, out_flags, n, order)


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
    jet=_cond_jet,
)



_NO_OPERAND = object()


def _branches_call(api: str, index, funs: Sequence[Callable], names: Sequence[str], operands: tuple):
    """cond_p over the branches; outer mutable array refs a branch writes become operands and
    outputs (primitives/refs.py)."""
    return refs.carry_refs(lambda *args: _branches_bind(api, index, args[:-1], names, args[-1]), funs,
                           ["branch"] * len(funs), operands)


def _branches_bind(api: str, index, funs: Sequence[Callable], names: Sequence[str], operands: tuple):
    leaves, in_tree = tree_flatten(operands)
    leaves = [as_value(x) for x in leaves]
    avals = [lift_aval(x) for x in leaves]

    traced = [trace_fun(lambda *xs, f=f: f(*tree_unflatten(in_tree, xs)), avals, api, f"{api}: {name}")
              for f, name in zip(funs, names)]
    tree0 = traced[0][2]
    for (_, _, tree), name in zip(traced[1:], names[1:]):
        if tree != tree0:
            raise TypeError(f"{api}: {names[0]} and {name} must return the same pytree structure, but "
                            f"{names[0]} returns {tree0} and {name} returns {tree}")
    check_branch_outputs(api, names, [t[0].out_avals for t in traced], tree0)
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
        branches.append(with_invars(closed, const_in + list(invars[len(consts):])))
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
    pred, aval = scalar_operand("lax.cond", pred, "biuf", "predicate", "a boolean or numeric scalar")
    if aval.dtype.kind != "b":
        pred = elementwise.ne(pred, 0)
    if disable_jit_flag.value:  # as JAX: a concrete predicate just calls the branch
        chosen = static_int(pred)
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
    index, _ = scalar_operand("lax.switch", index, "iu", "branch index", "an integer scalar")
    if len(branches) == 1:
        return branches[0](*operands)
    index = misc.convert_element_type(index, np.int32)
    index = elementwise.clamp(to_concrete_array(np.int32(0)), index, to_concrete_array(np.int32(len(branches) - 1)))
    if disable_jit_flag.value:  # as JAX: a concrete index just calls the branch
        chosen = static_int(index)
        if chosen is not None:
            return branches[chosen](*operands)
    return _branches_call("lax.switch", index, branches, [f"branches[{i}]" for i in range(len(branches))], operands)

