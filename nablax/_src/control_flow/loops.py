"""The loops: lax.while_loop and lax.fori_loop (the `while` primitive of while_prim.py),
lax.scan and lax.map (the `scan` primitive: a body mapping (carry, x) to (carry, y)), and
the wrappers' carry checks (weak-type promotion, structure, types).

- jvp: the JVP of the body; which carries get a nonzero tangent (or, for vmap, a batch
  axis) is a fixpoint of a dependence analysis over the body.
- linearize: scan runs a primal scan now, returning per-iteration residuals stacked
  (loop-invariant and already stacked ones are passed on, not re-stacked), and stages a
  linear scan over the tangents that reads them; its transpose runs the body's transpose
  backwards. while_loop records a tape of carries instead (while_prim.py).
- weak types (as JAX): a carry differing from the body's output only in weak type is
  kept, the outputs taking the body's.
- fori_loop with static bounds lowers to scan; traced bounds lower to while_loop, as in JAX.
- emit_block: jit writes `for` statements around the compiled bodies.
"""
from __future__ import annotations

import operator
from typing import Callable

import numpy as np

from .. import dtypes, errors
from ..ad_util import add_tangents, is_undefined
from ..array import wrap
from ..avals import ShapedArray, UndefinedPrimal, Zero
from ..config import disable_jit_flag
from ..core import call_under, lift_aval
from ..interpreters import jet as jet_interp
from ..interpreters.batching import batch_flat
from ..interpreters.jvp import broadcast_zeros, instantiate_zeros, jvp_jaxpr
from ..interpreters.linearize import linearize_jaxpr
from ..interpreters.staging import with_invars
from ..interpreters.transpose import backward_pass
from ..ir import ClosedJaxpr, Jaxpr, Var
from ..primitives import elementwise, misc, refs, shape
from ..primitives._define import define_primitive
from ..primitives.templates import batch_size, bdim_to_front, moveaxis
from ..tree import keystr, tree_flatten, tree_flatten_with_path, tree_map, tree_unflatten
from .common import (
    COMPILE_AFTER,
    as_value,
    batch_loop_body,
    carry_fixpoint,
    compiled_body,
    eval_step,
    leaf_paths,
    lhs,
    nonzero_tangent,
    raw_values,
    retype,
    static_int,
    tangents_out,
    trace_body,
    trace_fun,
)
from .while_prim import while_p


def _promote_weak_carry(leaves: list, in_avals: list, out_avals: list) -> tuple[list, bool]:
    """JAX's rule: a weakly typed initial carry whose body output has another dtype or shape
    is converted (once, to a strongly typed promoted dtype) and the body traced again. A carry
    differing only in weak type is kept: the loop's outputs take the body's weak types."""
    new, changed = list(leaves), False
    for k, (a, b) in enumerate(zip(in_avals, out_avals)):
        if a.weak_type and (a.shape != b.shape or a.dtype != b.dtype):
            new[k] = misc.convert_element_type(leaves[k], dtypes.result_type(a, b))
            changed = True
    return new, changed


def _check_carry(api: str, what: str, leaves: list, in_avals: list, out_avals: list, tree) -> None:
    for k, (a, b) in enumerate(zip(in_avals, out_avals)):
        if a.shape != b.shape or a.dtype != b.dtype:
            paths = leaf_paths(tree_unflatten(tree, leaves))
            raise TypeError(
                f"{api}: {what} must return a carry of the same shapes and dtypes as its input carry (the loop "
                f"carry cannot change type); {'at carry' + paths[k] if paths[k] else 'for the carry'} the input "
                f"is {a.str_short()} but {what} returns {b.str_short()}. Cast the initial carry or the "
                f"returned one (e.g. with .astype) so that they match."
            )


def _forwarded(jaxpr: Jaxpr, first: int, n: int) -> list[bool]:
    """Which of the n carries starting at input `first` the body returns unchanged."""
    return [jaxpr.outvars[k] is jaxpr.invars[first + k] for k in range(n)]


def _unused(jaxpr: Jaxpr, first: int, n: int) -> list[bool]:
    used = {a for e in jaxpr.eqns for a in e.invars if type(a) is Var} | {v for v in jaxpr.outvars if type(v) is Var}
    return [jaxpr.invars[first + k] not in used for k in range(n)]


def _trace_loop_body(trace: Callable, raw: list, leaves: list, tree, api: tuple[str, str]):
    """Trace a loop body for the initial carry `leaves` (flattened from `raw` by `tree`):
    trace(carry avals) -> (ClosedJaxpr whose first outputs are the new carry, its hoisted
    consts, the carry tree it returns). As JAX: a weakly typed initial carry that the body
    changes is promoted, once, and the body traced again; then the carry's structure and
    types must match. Returns (ClosedJaxpr, consts, raw, leaves, carry avals), the last
    three after any promotion. `api`: (the wrapper's name, the body's name) for errors."""
    for attempt in range(2):
        avals = [lift_aval(x) for x in leaves]
        closed, consts, out_tree = trace(avals)
        _check_carry_tree(*api, tree, out_tree)
        carry_out = closed.out_avals[:len(leaves)]
        if attempt:
            break
        new, changed = _promote_weak_carry(leaves, avals, carry_out)
        if not changed:
            break
        raw = [r if a is b else b for r, a, b in zip(raw, leaves, new)]
        leaves = new
    _check_carry(*api, leaves, avals, carry_out, tree)
    return closed, consts, raw, leaves, avals


def _check_carry_tree(api: str, what: str, init_tree, out_tree) -> None:
    if out_tree != init_tree:
        raise TypeError(f"{api}: {what} must return a carry with the same pytree structure as the initial "
                        f"carry; the initial carry is {init_tree} but {what} returns {out_tree}")


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
    step = compiled_body(jaxpr) if length >= COMPILE_AFTER else eval_step(jaxpr)
    outs = _scan_run(np, step, raw_values(args), jaxpr, length, reverse, num_consts, num_carry)
    return [wrap(o, a.weak_type) for o, a in zip(outs, _scan_out_avals(jaxpr, length, num_consts, num_carry))]


def _scan_impl(xp, *vals, jaxpr, length, reverse, num_consts, num_carry):
    return _scan_run(xp, compiled_body(jaxpr), list(vals), jaxpr, length, reverse, num_consts, num_carry)


def _scan_jvp(primals, tangents, *, jaxpr, length, reverse, num_consts, num_carry):
    nz = [nonzero_tangent(t) for t in tangents]
    cnz, inz, xnz = _scan_split(nz, num_consts, num_carry)
    carry_nz, ys_nz = carry_fixpoint(jaxpr.jaxpr, cnz, inz, xnz)
    consts, init, xs = _scan_split(primals, num_consts, num_carry)
    c_t, i_t, x_t = _scan_split(tangents, num_consts, num_carry)
    body = jvp_jaxpr(jaxpr, cnz + carry_nz + xnz, carry_nz + ys_nz, [num_consts, num_carry, len(xs)],
                      [num_carry, len(ys_nz)], "jvp(scan)")
    outs = scan_p.bind(*consts, *[t for t, f in zip(c_t, cnz) if f],
                       *init, *[instantiate_zeros(t) for t, f in zip(i_t, carry_nz) if f],
                       *xs, *[t for t, f in zip(x_t, xnz) if f],
                       jaxpr=body, length=length, reverse=reverse, num_consts=num_consts + sum(cnz),
                       num_carry=num_carry + sum(carry_nz))
    nk, nkt = num_carry, sum(carry_nz)
    avals = _scan_out_avals(jaxpr, length, num_consts, num_carry)
    carry, carry_t, rest = outs[:nk], outs[nk:nk + nkt], outs[nk + nkt:]
    ny = len(ys_nz)
    return carry + rest[:ny], tangents_out(carry_t, carry_nz, avals[:nk]) + tangents_out(rest[ny:], ys_nz, avals[nk:])


def _scan_linearize(trace, primals, tangents, *, jaxpr, length, reverse, num_consts, num_carry):
    """Primal scan now, returning per-iteration residuals stacked; a linear scan over the
    tangents that reads them, staged (its transpose runs in reverse)."""
    nc, nk = num_consts, num_carry
    nz = [nonzero_tangent(t) for t in tangents]
    cnz, inz, xnz = _scan_split(nz, nc, nk)
    carry_nz, ys_nz = carry_fixpoint(jaxpr.jaxpr, cnz, inz, xnz)
    nz_in = cnz + carry_nz + xnz
    ny = len(ys_nz)
    avals = _scan_out_avals(jaxpr, length, nc, nk)
    if not any(carry_nz) and not any(ys_nz):
        outs = call_under(trace.parent, scan_p.bind, *primals, jaxpr=jaxpr, length=length, reverse=reverse,
                      num_consts=nc, num_carry=nk)
        return outs, tangents_out([], carry_nz + ys_nz, avals)
    primal, lin, n_res = linearize_jaxpr(jaxpr, nz_in, carry_nz + ys_nz, "linearize(scan)")
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
    outs = call_under(trace.parent, scan_p.bind, *primals, jaxpr=primal, length=length, reverse=reverse,
                  num_consts=nc, num_carry=nk)
    stacked += [(k, r) for (k, _), r in zip(per_iter, outs[nk + ny:])]
    lj = lin.jaxpr
    res_vars, t_vars = lj.invars[:n_res], lj.invars[n_res:]
    n_ct, n_kt = sum(cnz), sum(carry_nz)
    lin = with_invars(lin, [res_vars[k] for k, _ in invariant] + t_vars[:n_ct + n_kt]
                       + [res_vars[k] for k, _ in stacked] + t_vars[n_ct + n_kt:])
    c_t, i_t, x_t = _scan_split(tangents, nc, nk)
    touts = scan_p.bind(*[r for _, r in invariant], *[t for t, f in zip(c_t, cnz) if f],
                        *[instantiate_zeros(t) for t, f in zip(i_t, carry_nz) if f],
                        *[r for _, r in stacked], *[t for t, f in zip(x_t, xnz) if f],
                        jaxpr=lin, length=length, reverse=reverse, num_consts=len(invariant) + n_ct,
                        num_carry=n_kt)
    return outs[:nk + ny], tangents_out(touts[:n_kt], carry_nz, avals[:nk]) + tangents_out(
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
    ct_carry = [instantiate_zeros(c) for c in cts[:num_carry]]
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
        res = backward_pass(jaxpr.jaxpr, jaxpr.consts, ins, cts_out)
        rc, rk, rx = _scan_split(res, num_consts, num_carry)
        new_acc = [instantiate_zeros(add_tangents(s, c)) for s, c in zip(acc, [c for c, f in zip(rc, c_lin) if f])]
        return new_acc + [retype(instantiate_zeros(c), a) for c, a in zip(rk, ct_avals)] + [
            instantiate_zeros(c) for c, f in zip(rx, x_lin) if f]

    in_avals = ([a for a, f in zip(c_avals, c_lin) if not f] + lin_c_avals + ct_avals
                + [a for a, f in zip(x_avals, x_lin) if not f]
                + [a.to_tangent_aval() for a, f in zip(y_avals, y_nz) if f])
    body = trace_body(body_t, in_avals, "transpose(scan)")
    outs = scan_p.bind(*known_c, *[broadcast_zeros(a) for a in lin_c_avals], *ct_carry, *known_x,
                       *[c for c in ct_ys if type(c) is not Zero],
                       jaxpr=body, length=length, reverse=not reverse, num_consts=nkc, num_carry=nlc + num_carry)
    acc, ct_init, ct_xs = iter(outs[:nlc]), outs[nlc:nlc + num_carry], iter(outs[nlc + num_carry:])
    return ([next(acc) if f else None for f in c_lin] + list(ct_init)
            + [next(ct_xs) if f else None for f in x_lin])


def _scan_batch(args, dims, *, jaxpr, length, reverse, num_consts, num_carry):
    size = batch_size(args, dims)
    flags = [d is not None for d in dims]
    cb, ib, xb = _scan_split(flags, num_consts, num_carry)
    body, carry_b, ys_b = batch_loop_body(jaxpr, size, cb, ib, xb, "vmap(scan)")
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
    body = param_src(compiled_body(jaxpr))
    lines = [f"{', '.join(carry)} = {', '.join(init)}"] if carry else []
    for y, a in zip(ys, jaxpr.out_avals[nk:]):
        lines.append(f"{y} = xp.empty({(length,) + tuple(a.shape)!r}, {param_src(a.dtype)})")
    temps = [f"_y{k}" for k in range(len(ys))]
    rng = f"range({length - 1}, -1, -1)" if params["reverse"] else f"range({length})"
    lines.append(f"for _i in {rng}:")
    lines.append(f"    {lhs(carry + temps)} = {body}({', '.join(consts + carry + [x + '[_i]' for x in xs])})")
    lines += [f"    {y}[_i] = {t}" for y, t in zip(ys, temps)]
    return lines



def _scan_jet(primals, series, *, jaxpr, length, reverse, num_consts, num_carry):
    """A scan of the body's jet: coefficients ride along as extra consts, carry and xs (stacked)."""
    order = jet_interp.order_of(series)
    groups = [num_consts, num_carry, len(primals) - num_consts - num_carry]
    out_groups = [num_carry, len(jaxpr.out_avals) - num_carry]
    body, flags, out_flags = jet_interp.loop_body_jet(jaxpr, [s is not None for s in series], num_consts, num_carry,
                                                      groups, out_groups, order)
    outs = scan_p.bind(*jet_interp.flatten_groups(primals, series, flags, groups, order), jaxpr=body, length=length,
                       reverse=reverse, num_consts=num_consts + order * sum(flags[:num_consts]),
                       num_carry=num_carry + order * sum(flags[num_consts:num_consts + num_carry]))
    return jet_interp.unflatten_groups(outs, out_flags, out_groups, order)


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
    jet=_scan_jet,
)


def _scan_split(args, num_consts, num_carry):
    return (list(args[:num_consts]), list(args[num_consts:num_consts + num_carry]),
            list(args[num_consts + num_carry:]))


def _scan_run(xp, step, vals, jaxpr, length, reverse, num_consts, num_carry):
    consts, carry, xs = _scan_split(vals, num_consts, num_carry)
    ys = [xp.empty((length,) + a.shape, a.dtype) for a in jaxpr.out_avals[num_carry:]]
    for i in (range(length - 1, -1, -1) if reverse else range(length)):
        outs = step(*consts, *carry, *[x[i] for x in xs])
        carry = outs[:num_carry]
        for buf, y in zip(ys, outs[num_carry:]):
            buf[i] = y
    return list(carry) + ys


def _scan_in_python(f: Callable, init, xs_leaves: list, xs_tree, length: int, reverse: bool):
    """scan under disable_jit(), as JAX: a Python loop over the slices, ys stacked after."""
    if length == 0:
        raise ValueError("lax.scan: a zero-length scan is not supported under disable_jit(): the output "
                         "types are unknown without tracing f")
    carry, ys = init, []
    for i in (range(length - 1, -1, -1) if reverse else range(length)):
        carry, y = f(carry, tree_unflatten(xs_tree, [shape.squeeze(shape.slice_in_dim(x, i, i + 1), (0,))
                                                      for x in xs_leaves]))
        ys.append(y)
    if reverse:
        ys.reverse()
    stacked = tree_map(lambda *y: shape.concatenate([shape.expand_dims(v, (0,)) for v in y], 0), *ys)
    return carry, stacked


# ------------------------------------------------------------------------------ wrappers

def while_loop(cond_fun: Callable, body_fun: Callable, init_val, *, checkpoint_every: int = 1,
               max_checkpoints: int | None = None, _api: str = "lax.while_loop"):
    """lax.while_loop: `while cond_fun(val): val = body_fun(val)`; returns val.

    Differentiable in both modes (JAX: forward only). For reverse mode the forward pass keeps
    the carry before every `checkpoint_every`-th iteration and the backward pass recomputes
    the ones in between; `max_checkpoints` bounds how many carries are ever held (the spacing
    doubles when the record is full). Outer mutable array refs the body writes are carried
    (primitives/refs.py).
    """
    if not (callable(cond_fun) and callable(body_fun)):
        raise TypeError("lax.while_loop: cond_fun and body_fun must be callable")
    policy = _checkpoint_policy(checkpoint_every, max_checkpoints)
    return refs.carry_refs(lambda c, b, init: _while_loop(c, b, init, _api, policy), (cond_fun, body_fun),
                           ("read", "carry"), init_val)


def _checkpoint_policy(every, most) -> dict:
    """The while primitive's `checkpoint` parameter (absent for the default: every carry kept)."""
    for name, v, least in (("checkpoint_every", every, 1), ("max_checkpoints", most, 2)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least):
            raise ValueError(f"lax.while_loop: {name} must be a Python int >= {least}, got {v!r}")
    if every is None:
        raise ValueError("lax.while_loop: checkpoint_every must be a Python int >= 1, got None")
    return {} if (every, most) == (1, None) else {"checkpoint": (int(every), None if most is None else int(most))}


def _while_loop(cond_fun: Callable, body_fun: Callable, init_val, _api: str, policy: dict):
    if disable_jit_flag.value:  # as JAX: a Python loop, unless a value is traced (e.g. under vmap)
        try:
            val = tree_map(as_value, init_val)
            while cond_fun(val):
                val = tree_map(as_value, body_fun(val))
            return val
        except errors.ConcretizationTypeError:
            pass  # a traced value: run the staged loop below instead
    raw, tree = tree_flatten(init_val)
    leaves = [as_value(x) for x in raw]
    body, bconsts, raw, leaves, avals = _trace_loop_body(
        lambda avals: trace_fun(lambda *xs: body_fun(tree_unflatten(tree, xs)), avals, "lax.while_loop",
                                f"{_api}: body_fun"),
        raw, leaves, tree, (_api, "body_fun"))
    cond, cconsts, ctree = trace_fun(lambda *xs: cond_fun(tree_unflatten(tree, xs)), avals,
                                      "lax.while_loop", "lax.while_loop: cond_fun")
    outs = cond.out_avals
    if len(outs) != 1 or outs[0].shape != () or outs[0].dtype != np.bool_:
        raise TypeError("lax.while_loop: cond_fun must return a boolean scalar, but it returned "
                        + (", ".join(a.str_short() for a in outs) or "nothing"))
    res = while_p.bind(*cconsts, *bconsts, *leaves, cond_jaxpr=cond, body_jaxpr=body,
                       cond_nconsts=len(cconsts), body_nconsts=len(bconsts), **policy)
    # As JAX: a carry the body returns unchanged and cond_fun does not read comes back as given.
    keep = [f and u for f, u in zip(_forwarded(body.jaxpr, len(bconsts), len(leaves)),
                                    _unused(cond.jaxpr, len(cconsts), len(leaves)))]
    return tree_unflatten(tree, [r if k else o for r, o, k in zip(raw, res, keep)])


def fori_loop(lower, upper, body_fun: Callable, init_val, *, unroll=None):
    """lax.fori_loop: `for i in range(lower, upper): val = body_fun(i, val)`; returns val.

    Python int (concrete) bounds lower to scan; traced bounds lower to while_loop, as in JAX
    (whose reverse mode then raises; nablax's works).
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


def scan(f: Callable, init, xs=None, length: int | None = None, reverse: bool = False, unroll=1,
         _split_transpose: bool = False, *, _api: tuple = ("lax.scan", "f")):
    """lax.scan: loop `f(carry, x) -> (carry, y)` over the leading axis of xs; returns
    (final carry, ys stacked). Differentiable in both modes, batchable, compiled as a `for`.

    `unroll` (checked as JAX checks it) and `_split_transpose` only choose how XLA lays out
    the loop; NumPy has one way to run it, so they do not change what runs. Outer mutable
    array refs the body writes are carried (primitives/refs.py)."""
    if not callable(f):
        raise TypeError("lax.scan: f must be callable")
    return refs.carry_refs(lambda g, init: _scan(g, init, xs, length, reverse, unroll, _api), (f,), ("pair",), init)


def _scan(f: Callable, init, xs, length, reverse, unroll, _api: tuple):
    raw, init_tree = tree_flatten(init)
    init_leaves = [as_value(x) for x in raw]
    xs_pairs, xs_tree = tree_flatten_with_path(xs)
    xs_leaves = [as_value(x) for _, x in xs_pairs]
    x_full = [lift_aval(x) for x in xs_leaves]
    for (p, _), a in zip(xs_pairs, x_full):
        if a.ndim == 0:
            raise ValueError(f"lax.scan: xs{keystr(p)} is a scalar ({a.str_short()}); every leaf of xs needs a "
                             "leading axis to scan over")
    unroll = static_int(unroll)
    if unroll is None or unroll < 0:
        raise ValueError("lax.scan: `unroll` must be a bool or a non-negative int")
    if length is not None:
        length = static_int(length)
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

    def trace(avals):
        closed, consts, _ = trace_fun(body, avals + x_avals, "lax.scan", f"{_api[0]}: {_api[1]}")
        return closed, consts, store["carry_tree"]

    closed, consts, raw, init_leaves, _ = _trace_loop_body(trace, raw, init_leaves, init_tree, _api)
    outs = scan_p.bind(*consts, *init_leaves, *xs_leaves, jaxpr=closed, length=length, reverse=bool(reverse),
                       num_consts=len(consts), num_carry=nk)
    # As JAX: a carry the body returns unchanged comes back as given (a Python scalar stays one).
    fwd = _forwarded(closed.jaxpr, len(consts), nk)
    carry = [r if f else o for r, o, f in zip(raw, outs[:nk], fwd)]
    return tree_unflatten(init_tree, carry), tree_unflatten(store["y_tree"], outs[nk:])


def map(f: Callable, xs, *, batch_size: int | None = None):  # noqa: A001
    """lax.map: f applied to each slice of xs along the leading axis, results stacked (a scan).

    With `batch_size`, as JAX: f is vmapped over chunks of that many slices, scanned over
    the chunks, and the slices left over are one more vmapped call."""
    if batch_size is None:
        return scan(lambda _, x: ((), f(x)), (), xs)[1]
    try:
        size = None if isinstance(batch_size, bool) else operator.index(batch_size)
    except TypeError:
        size = None
    if size is None or size <= 0:
        raise ValueError(f"lax.map: batch_size must be a positive int, got {batch_size!r}")
    leaves, tree = tree_flatten(xs)
    if not leaves:
        raise ValueError("lax.map: xs has no leaves to map over")
    leaves = [as_value(x) for x in leaves]
    n = lift_aval(leaves[0]).shape[0] if lift_aval(leaves[0]).ndim else 0
    chunks, left = divmod(n, size)
    parts = []
    if chunks:
        main = [shape.reshape(shape.slice_in_dim(x, 0, chunks * size), (chunks, size) + lift_aval(x).shape[1:])
                for x in leaves]
        ys = scan(lambda _, x: ((), _vmap_leading(f, x)), (), tree_unflatten(tree, main))[1]
        parts.append(tree_map(lambda y: shape.reshape(y, (chunks * size,) + lift_aval(y).shape[2:]), ys))
    if left:
        parts.append(_vmap_leading(f, tree_unflatten(tree, [shape.slice_in_dim(x, chunks * size, n) for x in leaves])))
    if len(parts) == 1:
        return parts[0]
    return tree_map(lambda a, b: shape.concatenate([a, b], 0), *parts)


def _vmap_leading(f: Callable, xs):
    """f vectorized over the leading axis of the pytree xs (lax.map's chunks)."""
    leaves, tree = tree_flatten(xs)
    size = lift_aval(leaves[0]).shape[0]
    store: dict = {}

    def flat(*ls):
        out, store["tree"] = tree_flatten(f(tree_unflatten(tree, ls)))
        return [as_value(o) for o in out]

    outs, dims = batch_flat(flat, leaves, [0] * len(leaves), size, None)
    return tree_unflatten(store["tree"], [bdim_to_front(o, d, size) for o, d in zip(outs, dims)])
