"""The `while` primitive (cond and body Jaxprs) and its reverse mode, which JAX does not have.

Forward mode is the JVP of the body, iterated. Reverse mode splits the loop in three
primitives, because the trip count is known only when the loop runs:

- `while_record` runs the loop and returns, besides the final carry, a tape: the carry
  before every `every`-th iteration (every = 1: all of them) and the trip count. With
  `max_checkpoints=M` the tape never holds more than M carries: when full, every other
  checkpoint is dropped and the spacing doubles. The tape is one opaque value (aval
  `object[]`), so the same code serves eager, jit (the generated program grows its list)
  and vmap (the tape of a batched loop holds batched carries).
- `while_linear` is the staged tangent map (the JVP loop, recomputing the primal); it is
  linear in the tangents, and its transpose is
- `while_bwd`: walks the tape backwards; between two checkpoints it recomputes the carries
  (recursively checkpointed when a segment is longer than M), then applies the body's VJP
  per iteration. Its JVP is `while_bwd` of the JVP loop (forward over reverse: hessian), as
  d(Jᵀc) = Jᵀdc + H[c]·dx and both come out of one backward pass of the JVP loop.

vmap: a batched predicate runs until every lane is done with finished lanes masked by
select (`_batched_loop`); the VJP of that masked body passes a finished lane's cotangent
through unchanged, so lanes stopping at different iterations need nothing else.
"""
from __future__ import annotations

import math
import weakref

import numpy as np

from .. import dtypes
from ..array import wrap
from ..avals import ShapedArray, UndefinedPrimal, Zero
from ..core import call_under, lift_aval
from ..interpreters import jet as jet_interp
from ..interpreters.batching import batch_flat, batch_jaxpr, current_axis
from ..interpreters.jvp import instantiate_zeros, jvp_flat, jvp_jaxpr
from ..interpreters.linearize import linearize_flat
from ..interpreters.staging import with_invars
from ..interpreters.transpose import backward_pass
from ..ir import ClosedJaxpr, Var, eval_jaxpr
from ..primitives import elementwise, reductions, shape
from ..primitives._define import define_primitive
from ..primitives.templates import batch_size, bdim_to_front, moveaxis
from .common import (
    COMPILE_AFTER,
    batch_loop_body,
    carry_fixpoint,
    compiled_body,
    eval_closed,
    eval_step,
    lhs,
    nonzero_tangent,
    raw_values,
    tangents_out,
    trace_body,
)

TAPE_AVAL = ShapedArray((), np.dtype(object))  # the aval of a while_record tape


def _split(args, cond_nconsts, body_nconsts):
    return (list(args[:cond_nconsts]), list(args[cond_nconsts:cond_nconsts + body_nconsts]),
            list(args[cond_nconsts + body_nconsts:]))


def _loop(params) -> dict:
    """The four parameters that define a loop (the others say how to differentiate it)."""
    return {k: params[k] for k in ("cond_jaxpr", "body_jaxpr", "cond_nconsts", "body_nconsts")}


def _inexact(avals) -> list[bool]:
    return [dtypes.is_inexact(a.dtype) for a in avals]


def _run(step_cond, step_body, cc, bc, carry, compile_later=None, tape=None):
    """Run the loop on raw values. With `tape` ([checkpoints, every, max]) record into it."""
    n = 0
    while step_cond(*cc, *carry)[0]:
        if tape is not None and n % tape[1] == 0:
            _checkpoint(tape, n, carry)
        carry = list(step_body(*bc, *carry))
        n += 1
        if n == COMPILE_AFTER and compile_later is not None:
            step_cond, step_body = compile_later()
    return carry, n


def _checkpoint(tape: list, n: int, carry: list) -> None:
    ckpts, every, most = tape
    if most is not None and len(ckpts) >= most:  # full: keep every other one, twice as far apart
        del ckpts[1::2]
        tape[1] = every = 2 * every
    if n % every == 0:
        ckpts.append(carry)


# ---------------------------------------------------------------------- the while primitive

def _while_abstract(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts, checkpoint=None):
    if len(avals) != cond_nconsts + len(body_jaxpr.in_avals):
        raise TypeError("lax.while_loop: wrong number of operands")
    return list(body_jaxpr.out_avals)  # the body's weak types (the input carry's may differ)


def _while_eager(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts, checkpoint=None):
    cc, bc, init = _split(raw_values(args), cond_nconsts, body_nconsts)
    carry, _ = _run(eval_step(cond_jaxpr), eval_step(body_jaxpr), cc, bc, init,
                    lambda: (compiled_body(cond_jaxpr), compiled_body(body_jaxpr)))
    return [wrap(v, a.weak_type) for v, a in zip(carry, body_jaxpr.out_avals)]


def _while_impl(xp, *vals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts, checkpoint=None):
    cc, bc, init = _split(vals, cond_nconsts, body_nconsts)
    return _run(compiled_body(cond_jaxpr), compiled_body(body_jaxpr), cc, bc, init)[0]


def _jvp_loop(primals, tangents, params):
    """The JVP loop of a while loop: (its operands, its parameters, which carries have tangents)."""
    cond_jaxpr, body_jaxpr = params["cond_jaxpr"], params["body_jaxpr"]
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    cc, bc, init = _split(primals, cn, bn)
    _, bc_t, init_t = _split(tangents, cn, bn)
    bnz = [nonzero_tangent(t) for t in bc_t]
    carry_nz, _ = carry_fixpoint(body_jaxpr.jaxpr, bnz, [nonzero_tangent(t) for t in init_t], [])
    nk = len(init)
    body = jvp_jaxpr(body_jaxpr, bnz + carry_nz, carry_nz, [bn, nk], [nk], "jvp(while)")
    extra = [Var(a.to_tangent_aval()) for a, nz in zip(body_jaxpr.in_avals[bn:], carry_nz) if nz]
    cond = with_invars(cond_jaxpr, list(cond_jaxpr.jaxpr.invars) + extra)
    args = [*cc, *bc, *[t for t, nz in zip(bc_t, bnz) if nz],
            *init, *[instantiate_zeros(t) for t, nz in zip(init_t, carry_nz) if nz]]
    new = dict(params, cond_jaxpr=cond, body_jaxpr=body, body_nconsts=bn + sum(bnz))
    return args, new, carry_nz


def _while_jvp(primals, tangents, **params):
    args, loop, carry_nz = _jvp_loop(primals, tangents, params)
    outs = while_p.bind(*args, **loop)
    nk = len(carry_nz)
    return outs[:nk], tangents_out(outs[nk:], carry_nz, params["body_jaxpr"].out_avals)


def _linearize(trace, primals, tangents, params, prim):
    """Run `prim` (while or while_record) on the parent, recording a tape; stage the tangent
    map as while_linear, whose transpose walks that tape backwards."""
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    _, bc_t, init_t = _split(tangents, cn, bn)
    bnz = [nonzero_tangent(t) for t in bc_t]
    carry_nz, _ = carry_fixpoint(params["body_jaxpr"].jaxpr, bnz, [nonzero_tangent(t) for t in init_t], [])
    nk = len(init_t)
    avals = params["body_jaxpr"].out_avals
    if not any(carry_nz):
        outs = call_under(trace.parent, prim.bind, *primals, **params)
        return outs, [Zero(lift_aval(o).to_tangent_aval()) for o in outs]
    outs = call_under(trace.parent, while_record_p.bind, *primals, **params)
    touts = while_linear_p.bind(outs[nk], *primals, *[t for t, nz in zip(bc_t, bnz) if nz],
                                *[instantiate_zeros(t) for t, nz in zip(init_t, carry_nz) if nz],
                                bnz=tuple(bnz), carry_nz=tuple(carry_nz), **params)
    touts = tangents_out(touts, carry_nz, avals)
    if prim is while_p:
        return outs[:nk], touts
    return outs, touts + [Zero(TAPE_AVAL.to_tangent_aval())]


def _batched_loop(args, dims, params, size: int | None = None, force_carries=None, force_consts=None):
    """vmap of a while loop as another while loop: (operands, parameters, carry dims, how many
    leading body consts are copies of the cond consts, whether lanes are masked). A batched
    predicate runs the loop until every lane is done, finished lanes keeping their carry
    (select). `force_carries`/`force_consts` flag carries/body consts to batch regardless."""
    cond_jaxpr, body_jaxpr = params["cond_jaxpr"], params["body_jaxpr"]
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    size = batch_size(args, dims) if size is None else size
    args = [moveaxis(a, d, 0) if d is not None else a for a, d in zip(args, dims)]
    flags = [d is not None for d in dims]
    cc, bc, init = _split(args, cn, bn)
    ccb, bcb, initb = _split(flags, cn, bn)
    if force_consts is not None:
        bc = [bdim_to_front(x, 0 if b else None, size) if f else x for x, b, f in zip(bc, bcb, force_consts)]
        bcb = [b or f for b, f in zip(bcb, force_consts)]
    start = initb if force_carries is None else [b or f for b, f in zip(initb, force_carries)]
    bbody, carry_b, _ = batch_loop_body(body_jaxpr, size, bcb, start, [], "vmap(while)")
    bcond, (pred_b,) = batch_jaxpr(cond_jaxpr, size, ccb + carry_b, [False], "vmap(while)")
    if pred_b and not all(carry_b):
        carry_b = [True] * len(init)  # lanes finish at different times: every carry is per lane
        bcond, _ = batch_jaxpr(cond_jaxpr, size, ccb + carry_b, [True], "vmap(while)")
        bbody, _ = batch_jaxpr(body_jaxpr, size, bcb + carry_b, carry_b, "vmap(while)")
    init = [bdim_to_front(x, 0 if f else None, size) if b else x for x, f, b in zip(init, initb, carry_b)]
    if not pred_b:
        loop = dict(params, cond_jaxpr=bcond, body_jaxpr=bbody)
        return cc + bc + init, loop, [0 if b else None for b in carry_b], 0, False
    nc = len(cc)
    carry_avals = [lift_aval(x) for x in init]

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

    cc_avals = [lift_aval(x) for x in cc]
    new_cond = trace_body(any_lane, cc_avals + carry_avals, "vmap(while)")
    new_body = trace_body(masked_body, cc_avals + [lift_aval(x) for x in bc] + carry_avals, "vmap(while)")
    loop = dict(params, cond_jaxpr=new_cond, body_jaxpr=new_body, cond_nconsts=nc, body_nconsts=nc + len(bc))
    return cc + cc + bc + init, loop, [0] * len(init), nc, True


def _while_batch(args, dims, **params):
    args, loop, out_dims, _, _ = _batched_loop(args, dims, params)
    return while_p.bind(*args, **loop), out_dims


def _while_transpose(cts, *args, **params):
    raise NotImplementedError(
        "transposing a staged forward-mode while_loop (a vmapped linearized function): transpose "
        "the function before vmapping it, or use grad/vjp directly, which support while_loop")


def _while_emit(args, outs, params, param_src):
    cc, bc, init = _split(args, params["cond_nconsts"], params["body_nconsts"])
    cond_fn = param_src(compiled_body(params["cond_jaxpr"]))
    body_fn = param_src(compiled_body(params["body_jaxpr"]))
    lines = [f"{', '.join(outs)} = {', '.join(init)}"] if outs else []
    return lines + [f"while {cond_fn}({', '.join(cc + outs)})[0]:",
                    f"    {lhs(outs)} = {body_fn}({', '.join(bc + outs)})"]


def _while_jet(primals, series, **params):
    """Taylor mode: a while loop iterating the body's jet; the predicate reads the primals only."""
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    body_jaxpr = params["body_jaxpr"]
    order = jet_interp.order_of(series)
    nk = len(primals) - cn - bn
    flags_in = [s is not None for s in series[cn:]]
    body, flags, out_flags = jet_interp.loop_body_jet(body_jaxpr, flags_in, bn, nk, [bn, nk], [nk], order)
    extra = [Var(a) for a, f in zip(body_jaxpr.in_avals[bn:], flags[bn:]) if f for _ in range(order)]
    cond = with_invars(params["cond_jaxpr"], list(params["cond_jaxpr"].jaxpr.invars) + extra)
    operands = jet_interp.flatten_groups(primals[cn:], series[cn:], flags, [bn, nk], order)
    outs = while_p.bind(*primals[:cn], *operands, **dict(params, cond_jaxpr=cond, body_jaxpr=body,
                                                          body_nconsts=bn + order * sum(flags[:bn])))
    return jet_interp.unflatten_groups(outs, out_flags, [nk], order)


while_p = define_primitive(
    "while",
    higher_order=True,
    impl=_while_impl,
    eager=_while_eager,
    abstract_eval=_while_abstract,
    jvp=_while_jvp,
    linearize=lambda trace, primals, tangents, **params: _linearize(trace, primals, tangents, params, while_p),
    transpose=_while_transpose,
    batch=_while_batch,
    emit_block=_while_emit,
    multiple_results=True,
    fold=False,  # an unbounded loop is not run while compiling
    jet=_while_jet,
)


def _expansion_rules(expand) -> dict:
    """impl, eager, jvp, batch and inline of a primitive defined by `expand(operands, params)`,
    written with other primitives: every transformation but transpose sees the expansion."""
    def traced(avals, params) -> ClosedJaxpr:
        return trace_body(lambda *a: expand(list(a), params), avals, "grad(while)")

    def impl(xp, *vals, **params):
        return compiled_body(traced([ShapedArray(np.shape(v), np.asarray(v).dtype) for v in vals], params))(*vals)

    def batch(args, dims, **params):
        return batch_flat(lambda *a: expand(list(a), params), list(args), list(dims), batch_size(args, dims),
                          *current_axis())

    def inline(eqn):
        closed = traced([v.aval for v in eqn.invars], eqn.params)
        return closed.jaxpr, closed.consts

    return {"impl": impl, "eager": lambda *args, **params: expand(list(args), params),
            "jvp": lambda primals, tangents, **params: jvp_flat(lambda *a: expand(list(a), params), primals, tangents),
            "batch": batch, "inline": inline}


# ---------------------------------------------------------------- while_record: the tape

class WhileTape:
    """What a while_loop's forward pass keeps for its backward pass: `checkpoints[j]` is the
    carry (raw arrays) before iteration j*every; `steps` is the trip count."""

    __slots__ = ("checkpoints", "every", "steps")

    def __init__(self, checkpoints: list, every: int, steps: int):
        self.checkpoints, self.every, self.steps = checkpoints, every, steps

    def __repr__(self) -> str:
        return f"WhileTape(steps={self.steps}, checkpoints={len(self.checkpoints)}, every={self.every})"


def _policy(params) -> tuple[int, int | None]:
    return params.get("checkpoint") or (1, None)


def _record(vals, params, eager: bool = False) -> tuple[list, WhileTape]:
    """Run the loop recording its tape (eagerly: equation by equation for the first iterations)."""
    every, most = _policy(params)
    cj, bj = params["cond_jaxpr"], params["body_jaxpr"]
    cc, bc, init = _split(vals, params["cond_nconsts"], params["body_nconsts"])
    tape = [[], every, most]
    steps = (eval_step(cj), eval_step(bj)) if eager else (compiled_body(cj), compiled_body(bj))
    carry, n = _run(*steps, cc, bc, init, lambda: (compiled_body(cj), compiled_body(bj)), tape)
    return carry, WhileTape(tape[0], tape[1], n)


def _record_eager(*args, **params):
    carry, tape = _record(raw_values(args), params, eager=True)
    return ([wrap(v, a.weak_type) for v, a in zip(carry, params["body_jaxpr"].out_avals)]
            + [wrap(np.array(tape, dtype=object), False)])


def _record_impl(xp, *vals, **params):
    carry, tape = _record(list(vals), params)
    return carry + [np.array(tape, dtype=object)]


def _record_jvp(primals, tangents, **params):
    outs = while_record_p.bind(*primals, **params)
    _, touts = _while_jvp(primals, tangents, **params)
    return outs, touts + [Zero(TAPE_AVAL.to_tangent_aval())]


def _record_batch(args, dims, **params):
    args, loop, out_dims, _, _ = _batched_loop(args, dims, params)
    return while_record_p.bind(*args, **loop), out_dims + [None]


while_record_p = define_primitive(
    "while_record",
    higher_order=True,
    impl=_record_impl,
    eager=_record_eager,
    abstract_eval=lambda *avals, **params: _while_abstract(*avals, **params) + [TAPE_AVAL],
    jvp=_record_jvp,
    linearize=lambda trace, primals, tangents, **params: _linearize(trace, primals, tangents, params,
                                                                    while_record_p),
    batch=_record_batch,
    multiple_results=True,
    fold=False,
)


# ------------------------------------------------- while_linear: the staged tangent map

def _linear_parts(args, params):
    """while_linear's operands as (tape, the JVP loop's primals, their tangents)."""
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    bnz, carry_nz = params["bnz"], params["carry_nz"]
    nprim = cn + bn + len(carry_nz)
    tape, primals, rest = args[0], list(args[1:1 + nprim]), list(args[1 + nprim:])
    cc, bc, init = _split(primals, cn, bn)
    it = iter(rest)
    tangents = ([Zero(lift_aval(c).to_tangent_aval()) for c in cc]
                + [next(it) if nz else Zero(lift_aval(b).to_tangent_aval()) for b, nz in zip(bc, bnz)]
                + [next(it) if nz else Zero(lift_aval(x).to_tangent_aval()) for x, nz in zip(init, carry_nz)])
    return tape, primals, tangents


def _linear_eval(args, params) -> list:
    _, primals, tangents = _linear_parts(args, params)
    jargs, loop, _ = _jvp_loop(primals, tangents, _loop(params))
    return while_p.bind(*jargs, **loop)[len(params["carry_nz"]):]


def _linear_abstract(*avals, **params):
    return [a.to_tangent_aval() for a, nz in zip(params["body_jaxpr"].out_avals, params["carry_nz"]) if nz]


def _linear_transpose(cts, *args, **params):
    tape, primals, _ = _linear_parts(args, params)
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    carry_avals = params["body_jaxpr"].out_avals
    diff = _inexact(carry_avals)
    it = iter(cts)
    ct_full = [next(it) if nz else None for nz in params["carry_nz"]]
    ct_carry = [instantiate_zeros(c if c is not None else Zero(a.to_tangent_aval()))
                for c, a, d in zip(ct_full, carry_avals, diff) if d]
    loop = dict(_loop(params), checkpoint=params.get("checkpoint"), wrt=params["bnz"])
    outs = while_bwd_p.bind(tape, *primals, *ct_carry, taped=True, **loop)
    nb = sum(params["bnz"])
    ct_bc, ct_init = iter(outs[:nb]), iter(outs[nb:])
    ct_init_all = [next(ct_init) if d else None for d in diff]
    res = [None] * (1 + cn + bn + len(carry_avals))
    return res + [next(ct_bc) for f in params["bnz"] if f] + [c for c, nz in zip(ct_init_all, params["carry_nz"]) if nz]


while_linear_p = define_primitive(
    "while_linear",
    higher_order=True,
    abstract_eval=_linear_abstract,
    transpose=_linear_transpose,
    linear=True,
    multiple_results=True,
    fold=False,
    **_expansion_rules(_linear_eval),
)


# ------------------------------------------------------- while_bwd: the backward sweep

_VJP_BODIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _vjp_body(body: ClosedJaxpr, nconsts: int, wrt: tuple) -> ClosedJaxpr:
    """(body consts, carry, cotangent of the next carry) -> (cotangents of the `wrt` consts,
    of the carry): the body's VJP, for the inexact carries."""
    cache = _VJP_BODIES.setdefault(body, {})
    if (nconsts, wrt) in cache:
        return cache[(nconsts, wrt)]
    avals = body.in_avals
    k_avals = avals[nconsts:]
    diff = _inexact(k_avals)
    n_in = len(avals)

    def vjp(*args):
        primals, cts = list(args[:n_in]), iter(args[n_in:])
        lin_in = [i for i, f in enumerate(wrt) if f] + [nconsts + i for i, d in enumerate(diff) if d]

        def f(*xs):
            full = list(primals)
            for i, x in zip(lin_in, xs):
                full[i] = x
            return eval_jaxpr(body.jaxpr, body.consts, *full)

        _, lin = linearize_flat(f, [primals[i] for i in lin_in], "grad(while)")
        ct_out = [next(cts) if d else Zero(a.to_tangent_aval()) for a, d in zip(body.out_avals, diff)]
        res = backward_pass(lin.jaxpr, lin.consts, [UndefinedPrimal(a) for a in lin.in_avals], ct_out)
        return [instantiate_zeros(r) for r in res]

    in_avals = list(avals) + [a.to_tangent_aval() for a, d in zip(k_avals, diff) if d]
    cache[(nconsts, wrt)] = closed = trace_body(vjp, in_avals, "grad(while)")
    return closed


def _sweep(tape: WhileTape, params, bc, ct: list, eager: bool) -> tuple[list, list]:
    """The backward pass over a recorded loop: (cotangents of the wrt consts, of the initial
    carry). A short eager one evaluates equation by equation instead of compiling."""
    bj, bn = params["body_jaxpr"], params["body_nconsts"]
    wrt = params["wrt"]
    step = eval_step if eager and tape.steps < COMPILE_AFTER else compiled_body
    body, vjp = step(bj), step(_vjp_body(bj, bn, wrt))
    most = _policy(params)[1]
    acc = [None] * sum(wrt)

    def back(carry, ct):  # one iteration backwards
        outs = vjp(*bc, *carry, *ct)
        for i, c in enumerate(outs[:len(acc)]):
            acc[i] = c if acc[i] is None else acc[i] + c
        return list(outs[len(acc):])

    def segment(carry, length, ct):  # `length` iterations from `carry`, backwards
        if most is None or length <= most:
            carries = [carry]
            for _ in range(length - 1):
                carries.append(list(body(*bc, *carries[-1])))
            for c in reversed(carries):
                ct = back(c, ct)
            return ct
        every = math.ceil(length / most)
        starts = [carry]
        for i in range(1, length):
            carry = list(body(*bc, *carry))
            if i % every == 0:
                starts.append(carry)
        for j in reversed(range(len(starts))):
            ct = segment(starts[j], min(every, length - j * every), ct)
        return ct

    for j in reversed(range(len(tape.checkpoints))):
        ct = segment(tape.checkpoints[j], min(tape.every, tape.steps - j * tape.every), ct)
    zeros = [np.zeros(a.shape, a.dtype) for a, f in zip(bj.in_avals[:bn], wrt) if f]
    return [z if a is None else a for a, z in zip(acc, zeros)], ct


def _bwd_values(vals, params, eager: bool = False) -> list:
    """The backward sweep on raw values: the tape's (a 0-d object array), or a recorded rerun."""
    tape, cc, bc, init, ct = _bwd_parts(vals, params)
    tape = tape.item() if tape is not None else _record(cc + bc + init, params, eager)[1]
    ct_bc, ct_init = _sweep(tape, params, bc, ct, eager)
    return ct_bc + ct_init


def _bwd_abstract(*avals, **params):
    bj, bn = params["body_jaxpr"], params["body_nconsts"]
    k_avals = bj.out_avals
    return ([a.to_tangent_aval() for a, f in zip(bj.in_avals[:bn], params["wrt"]) if f]
            + [a.to_tangent_aval() for a, d in zip(k_avals, _inexact(k_avals)) if d])


def _bwd_eager(*args, **params):
    outs = _bwd_values(raw_values(args), params, eager=True)
    return [wrap(o, a.weak_type) for o, a in zip(outs, _bwd_abstract(**params))]


def _bwd_parts(args, params):
    """while_bwd's operands as (tape or None, cond consts, body consts, init, carry cotangents)."""
    tape, args = (args[0], list(args[1:])) if params["taped"] else (None, list(args))
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    nk = len(params["body_jaxpr"].out_avals)
    cc, bc, init = _split(args[:cn + bn + nk], cn, bn)
    return tape, cc, bc, init, args[cn + bn + nk:]


def _aug_bwd(cc, bc, init, bc_t, init_t, dc, c, wrt_out, params) -> list:
    """d(Jᵀc) = Jᵀdc + H[c]·dx for the `wrt_out` consts and the inexact carries: one backward
    pass of the JVP loop (tangents bc_t/init_t, Zero where none), seeded with dc at its primal
    slots and c at its tangent slots, read at its primal slots (H[c] is symmetric)."""
    diff = _inexact(params["body_jaxpr"].out_avals)
    init_t = [instantiate_zeros(t) if d else t for t, d in zip(init_t, diff)]
    cc_t = [Zero(lift_aval(x).to_tangent_aval()) for x in cc]
    jargs, loop, _ = _jvp_loop(cc + bc + init, cc_t + list(bc_t) + init_t, _loop(params))
    n_const_t = loop["body_nconsts"] - params["body_nconsts"]
    aug = while_bwd_p.bind(*jargs, *[instantiate_zeros(t) for t in dc], *[instantiate_zeros(x) for x in c],
                           taped=False, wrt=tuple(wrt_out) + (False,) * n_const_t,
                           checkpoint=params.get("checkpoint"), **loop)
    nw, nd = sum(wrt_out), sum(diff)
    return list(aug[:nw]) + list(aug[nw:nw + nd])


def _bwd_jvp(primals, tangents, **params):
    """Forward over reverse (hessian = jacfwd(jacrev)): the tangent of Jᵀc is _aug_bwd's."""
    outs = while_bwd_p.bind(*primals, **params)
    _, cc, bc, init, ct = _bwd_parts(primals, params)
    _, _, bc_t, init_t, ct_t = _bwd_parts(tangents, params)
    return outs, _aug_bwd(cc, bc, init, bc_t, init_t, ct_t, ct, params["wrt"], params)


def _bwd_linearize(trace, primals, tangents, **params):
    """Reverse over reverse: the tangent map of Jᵀc, staged as while_bwd_linear (whose
    transpose is again a JVP loop and a while_bwd)."""
    outs = call_under(trace.parent, while_bwd_p.bind, *primals, **params)
    _, cc, bc, init, ct = _bwd_parts(primals, params)
    _, _, bc_t, init_t, ct_t = _bwd_parts(tangents, params)
    nz = [[nonzero_tangent(t) for t in g] for g in (bc_t, init_t, ct_t)]
    if not any(map(any, nz)):
        return outs, [Zero(lift_aval(o).to_tangent_aval()) for o in outs]
    lin = [t for g, f in zip((bc_t, init_t, ct_t), nz) for t, n in zip(g, f) if n]
    touts = while_bwd_linear_p.bind(*cc, *bc, *init, *ct, *lin, bnz=tuple(nz[0]), knz=tuple(nz[1]),
                                    cnz=tuple(nz[2]), wrt=params["wrt"], checkpoint=params.get("checkpoint"),
                                    **_loop(params))
    return outs, touts


def _bwd_batch(args, dims, **params):
    """The loop batched as vmap batched it forward, except that every differentiated const and
    every inexact carry is batched: their cotangents differ per lane even where their values
    do not (an unbatched operand's cotangent would be summed over the lanes). The tape is read
    where that loop batches the carries as the recorded one (vmap(grad)); otherwise the loop
    is recomputed (jacrev: batched cotangents of an unbatched loop)."""
    tape, cc, bc, init, ct = _bwd_parts(args, params)
    _, ccd, bcd, initd, ctd = _bwd_parts(dims, params)
    diff = _inexact(params["body_jaxpr"].out_avals)
    size = batch_size(args, dims)
    pargs, pdims = cc + bc + init, ccd + bcd + initd
    nargs, loop, loop_dims, skip, masked = _batched_loop(pargs, pdims, _loop(params), size, diff, params["wrt"])
    taped = params["taped"] and any(d is not None for d in pdims)
    if taped:  # the loop as while_record's batch rule ran it
        _, _, rec_dims, _, rec_masked = _batched_loop(pargs, pdims, _loop(params), size)
        taped = rec_dims == loop_dims and rec_masked == masked
    ct = [bdim_to_front(c, d, size) for c, d in zip(ct, ctd)]
    new = dict(loop, wrt=(False,) * skip + tuple(params["wrt"]), taped=taped, checkpoint=params.get("checkpoint"))
    outs = while_bwd_p.bind(*([tape] if taped else []), *nargs, *ct, **new)
    return outs, [0] * sum(params["wrt"]) + [d for d, f in zip(loop_dims, diff) if f]


while_bwd_p = define_primitive(
    "while_bwd",
    higher_order=True,
    impl=lambda xp, *vals, **params: _bwd_values(list(vals), params),
    eager=_bwd_eager,
    abstract_eval=_bwd_abstract,
    jvp=_bwd_jvp,
    linearize=_bwd_linearize,
    batch=_bwd_batch,
    multiple_results=True,
    fold=False,
)


# ------------------------------------- while_bwd_linear: the tangent of the backward sweep

def _bwdlin_parts(args, params):
    """(cond consts, body consts, init, carry cotangents, and the tangents of the last three
    with Zero where the operand is absent)."""
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    avals = params["body_jaxpr"].out_avals
    nk, nd = len(avals), sum(_inexact(avals))
    cc, bc, init = _split(args[:cn + bn + nk], cn, bn)
    ct = list(args[cn + bn + nk:cn + bn + nk + nd])
    it = iter(args[cn + bn + nk + nd:])
    fill = [[next(it) if f else Zero(lift_aval(x).to_tangent_aval()) for x, f in zip(g, params[k])]
            for g, k in ((bc, "bnz"), (init, "knz"), (ct, "cnz"))]
    return cc, bc, init, ct, fill


def _bwdlin_eval(args, params) -> list:
    cc, bc, init, ct, (bc_t, init_t, ct_t) = _bwdlin_parts(args, params)
    return _aug_bwd(cc, bc, init, bc_t, init_t, ct_t, ct, params["wrt"], params)


def _bwdlin_transpose(cts, *args, **params):
    """The tangent map (dx, dc) -> Jᵀdc + H[c]·dx transposed: w -> (H[c]·w, J·w)."""
    cc, bc, init, ct, _ = _bwdlin_parts(args, params)
    bj = params["body_jaxpr"]
    diff = _inexact(bj.out_avals)
    nw = sum(params["wrt"])
    w_b, w_k = iter(cts[:nw]), iter(cts[nw:])
    w_bc = [next(w_b) if f else Zero(lift_aval(b).to_tangent_aval()) for b, f in zip(bc, params["wrt"])]
    w_init = [next(w_k) if d else Zero(lift_aval(x).to_tangent_aval()) for x, d in zip(init, diff)]
    out_bc, out_k, out_c = [], [], []
    if any(params["bnz"]) or any(params["knz"]):
        hw = _aug_bwd(cc, bc, init, w_bc, w_init, [Zero(lift_aval(c).to_tangent_aval()) for c in ct], ct,
                      params["bnz"], params)
        nb = sum(params["bnz"])
        out_bc = hw[:nb]
        hk = iter(hw[nb:])
        out_k = [c for c, f in zip([next(hk) if d else None for d in diff], params["knz"]) if f]
    if any(params["cnz"]):
        cc_t = [Zero(lift_aval(x).to_tangent_aval()) for x in cc]
        _, jw = _while_jvp(cc + bc + init, cc_t + w_bc + w_init, **_loop(params))
        out_c = [instantiate_zeros(t) for t, d in zip(jw, diff) if d]
        out_c = [t for t, f in zip(out_c, params["cnz"]) if f]
    return [None] * (len(args) - len(out_bc) - len(out_k) - len(out_c)) + out_bc + out_k + out_c


while_bwd_linear_p = define_primitive(
    "while_bwd_linear",
    higher_order=True,
    abstract_eval=lambda *avals, **params: _bwd_abstract(**params),
    transpose=_bwdlin_transpose,
    linear=True,
    multiple_results=True,
    fold=False,
    **_expansion_rules(_bwdlin_eval),
)
