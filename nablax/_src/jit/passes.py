"""Simplification passes over Jaxprs: each a pure, linear-time `Jaxpr -> Jaxpr` function.

Order used by jit: see `optimize`. Constants are kept as (Var -> value) pairs next to
the Jaxpr (`Program`), so folding can add new ones without touching the Jaxpr's
structure. What the passes know about a primitive are its facts (primitives/_define.py):
`inline`, `fold`, `simplify`, `rewrite`, `elementwise`. An equation with a side effect
(its params carry a non-None `effect`, or a body Jaxpr in its params holds such an
equation) is never dropped, merged or folded, and keeps its place in program order.
"""
from __future__ import annotations

import numpy as np

from ..array import Array, wrap
from ..config import check_jaxprs_flag
from ..ir import Eqn, Jaxpr, Literal, Var, body_jaxprs, typecheck_jaxpr
from ..primitives import elementwise as ew
from ..primitives import shape

_FOLD_LIMIT = 1 << 16  # fold constant results up to this many elements
_COSTLY_FOLD_LIMIT = 1 << 22  # ... and results of `costly` primitives (contractions) up to this many
# A non-scalar broadcast is left to NumPy below this size, where its ~2 µs counts; above it
# the arithmetic dominates, and an operand of the full shape keeps the op fusible (fusion.py).
_BROADCAST_FOLD_LIMIT = 1 << 16


class Program:
    """A Jaxpr plus the concrete values of its constvars."""

    __slots__ = ("jaxpr", "consts")

    def __init__(self, jaxpr: Jaxpr, consts: list):
        self.jaxpr = jaxpr
        self.consts = consts


def is_effectful(eqn) -> bool:
    """Whether the equation has a side effect (a host callback): it must run, in order."""
    params = eqn.params
    if params.get("effect") is not None:
        return True
    return any(is_effectful(e) for j in body_jaxprs(params) for e in j.eqns)


def _subst(a, env: dict):
    return a if type(a) is Literal else env.get(a, a)


def _rebuilt(prog: Program, eqns: list, env: dict) -> Program:
    """`prog` with new equations, its outputs renamed through `env`, same inputs and constants."""
    jaxpr = prog.jaxpr
    outvars = [_subst(v, env) for v in jaxpr.outvars]
    return Program(Jaxpr(list(jaxpr.constvars), list(jaxpr.invars), outvars, eqns), prog.consts)


# ----------------------------------------------------------------------------- inlining

def inline_calls(prog: Program) -> Program:
    """Replace call-like equations (nested jit, custom rules, checkpoint) by their bodies,
    given by each primitive's `inline(eqn) -> (Jaxpr, consts)`."""
    jaxpr = prog.jaxpr
    if not any(e.prim.inline is not None for e in jaxpr.eqns):
        return prog
    constvars = list(jaxpr.constvars)
    consts = list(prog.consts)
    eqns: list[Eqn] = []
    env: dict = {}

    def emit(eqns_in, env_local):
        for e in eqns_in:
            invars = [_subst(a, env_local) for a in e.invars]
            if e.prim.inline is not None:
                body, body_consts = e.prim.inline(e)
                inner_env: dict = {}
                for v, c in zip(body.constvars, body_consts):
                    nv = Var(v.aval)
                    constvars.append(nv)
                    consts.append(c)
                    inner_env[v] = nv
                for v, a in zip(body.invars, invars):
                    inner_env[v] = a
                emit(body.eqns, inner_env)
                for v, o in zip(e.outvars, body.outvars):
                    env_local[v] = _subst(o, inner_env)
            else:
                outvars = [Var(v.aval) for v in e.outvars]
                for v, nv in zip(e.outvars, outvars):
                    env_local[v] = nv
                eqns.append(Eqn(e.prim, invars, outvars, e.params, e.source))

    emit(jaxpr.eqns, env)
    outvars = [_subst(v, env) for v in jaxpr.outvars]
    return Program(Jaxpr(constvars, list(jaxpr.invars), outvars, eqns), consts)


# ------------------------------------------------------------------------ const folding

def fold_constants(prog: Program) -> Program:
    """Evaluate equations whose inputs are all known (literals or constants) now."""
    jaxpr = prog.jaxpr
    known: dict = dict(zip(jaxpr.constvars, prog.consts))
    constvars = list(jaxpr.constvars)
    consts = list(prog.consts)
    env: dict = {}
    eqns = []
    for e in jaxpr.eqns:
        invars = [_subst(a, env) for a in e.invars]
        if e.prim.fold and all(type(a) is Literal or a in known for a in invars) \
                and all(v.aval.size <= (_COSTLY_FOLD_LIMIT if e.prim.costly else _FOLD_LIMIT) for v in e.outvars) \
                and not is_effectful(e):
            vals = [a.val if type(a) is Literal else known[a] for a in invars]
            outs = e.prim.bind(*vals, **e.params)
            outs = outs if e.prim.multiple_results else [outs]
            for v, o in zip(e.outvars, outs):
                o = o if type(o) is Array else wrap(np.asarray(o), False)
                if o.ndim == 0:
                    env[v] = Literal(o)
                else:
                    nv = Var(v.aval)
                    constvars.append(nv)
                    consts.append(o)
                    known[nv] = o
                    env[v] = nv
            continue
        eqns.append(Eqn(e.prim, invars, e.outvars, e.params, e.source))
    outvars = [_subst(v, env) for v in jaxpr.outvars]
    return Program(Jaxpr(constvars, list(jaxpr.invars), outvars, eqns), consts)


# ------------------------------------------------------------------------------ simplify

def simplify(prog: Program) -> Program:
    """Exact identities and cheaper rewrites: each primitive's `simplify` and `rewrite` facts."""
    jaxpr = prog.jaxpr
    env: dict = {}
    producers: dict = {}
    eqns = []
    for e in jaxpr.eqns:
        invars = [_subst(a, env) for a in e.invars]
        prim = e.prim
        if prim.simplify is not None and len(e.outvars) == 1:
            replacement = prim.simplify(invars, e.params, e.outvars[0], producers)
            if replacement is not None:
                env[e.outvars[0]] = replacement
                continue
        if prim.rewrite is not None:
            rewritten = prim.rewrite(invars, e.params, producers)
            if rewritten is not None:
                prim, invars = rewritten
        new = Eqn(prim, invars, e.outvars, e.params, e.source)
        eqns.append(new)
        for v in e.outvars:
            producers[v] = new
    return _rebuilt(prog, eqns, env)


def fold_broadcasts(prog: Program) -> Program:
    """broadcast_in_dim feeding only elementwise (NumPy-broadcasting) ops, each with another
    operand of the full shape: NumPy broadcasts the operand itself (a scalar, or an array whose
    axes line up with the trailing ones), or a reshape of it with unit axes inserted; either
    is far cheaper than materialising (or even viewing, `np.broadcast_to` costs ~2 µs) it.
    Non-scalar operands only for small results (`_BROADCAST_FOLD_LIMIT`)."""
    jaxpr = prog.jaxpr
    uses: dict = {}
    for e in jaxpr.eqns:
        for a in e.invars:
            if type(a) is Var:
                uses.setdefault(a, []).append(e)
    out_set = {v for v in jaxpr.outvars if type(v) is Var}
    env: dict = {}
    eqns = []
    for e in jaxpr.eqns:
        invars = [_subst(a, env) for a in e.invars]
        out = e.outvars[0] if e.outvars else None
        if e.prim is shape.broadcast_in_dim_p and out not in out_set \
                and (invars[0].aval.shape == () or out.aval.size < _BROADCAST_FOLD_LIMIT):
            consumers = uses.get(out, [])
            if consumers and all(c.prim.elementwise and _other_operand_full(c, out, env) for c in consumers):
                x = invars[0]
                expanded = _numpy_broadcastable(x.aval.shape, out.aval.shape, e.params["broadcast_dimensions"])
                if expanded is not None:
                    small = Var(x.aval.update(shape=expanded))
                    eqns.append(Eqn(shape.reshape_p, [x], [small], {"new_sizes": expanded}, e.source))
                    x = small
                env[out] = x
                continue
        eqns.append(Eqn(e.prim, invars, e.outvars, e.params, e.source))
    return _rebuilt(prog, eqns, env)




def _numpy_broadcastable(operand: tuple, shape: tuple, dims: tuple):
    """None if NumPy broadcasting already maps `operand`'s axes onto `dims` of `shape`
    (they are the trailing axes), else the operand's shape with unit axes inserted."""
    if tuple(dims) == tuple(range(len(shape) - len(dims), len(shape))):
        return None
    expanded = [1] * len(shape)
    for axis, d in enumerate(dims):
        expanded[d] = operand[axis]
    return tuple(expanded)


def _other_operand_full(eqn, var, env: dict) -> bool:
    """True if some other operand of eqn has the output's full shape, also after the folds
    made so far (two broadcasts feeding one add: only one of them may go)."""
    full = eqn.outvars[0].aval.shape
    return any(a is not var and _subst(a, env).aval.shape == full for a in eqn.invars)


# ------------------------------------------------------------------------ scalar splats

def propagate_splats(prog: Program) -> Program:
    """Compute elementwise ops on broadcast scalars ("splats") as scalars.

    `broadcast_in_dim` of a rank-0 value is a splat. An elementwise equation whose
    operands are all splats or scalars is computed on the scalars and re-broadcast (the
    broadcast is dropped by DCE when nothing needs it); one whose other operand already
    has the full shape reads the scalar instead, since NumPy broadcasting gives the
    same result. Gradients of reductions (`sum` transposes to a broadcast of 1.0) stop
    materializing arrays of ones this way.
    """
    jaxpr = prog.jaxpr
    splat: dict = {}
    env: dict = {}
    eqns = []
    for e in jaxpr.eqns:
        invars = [_subst(a, env) for a in e.invars]
        if e.prim is shape.broadcast_in_dim_p and invars[0].aval.shape == ():
            splat[e.outvars[0]] = invars[0]
        elif e.prim.elementwise and any(type(a) is Var and a in splat for a in invars):
            out = e.outvars[0]
            scalars = [splat.get(a, a) if type(a) is Var else a for a in invars]
            if all(a.aval.shape == () for a in scalars):
                small = Var(out.aval.update(shape=()))
                eqns.append(Eqn(e.prim, scalars, [small], e.params, e.source))
                eqns.append(Eqn(shape.broadcast_in_dim_p, [small], [out],
                                {"shape": out.aval.shape, "broadcast_dimensions": ()}, e.source))
                splat[out] = small
                continue
            if any(a.aval.shape == out.aval.shape and not (type(a) is Var and a in splat) for a in invars):
                invars = [splat[a] if type(a) is Var and a in splat else a for a in invars]
        eqns.append(Eqn(e.prim, invars, e.outvars, e.params, e.source))
    return _rebuilt(prog, eqns, env)


# ----------------------------------------------------------------------------------- cse

def _freeze(v):
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    try:
        hash(v)
        return v
    except TypeError:
        return ("id", id(v))


def _atom_key(a):
    if type(a) is Literal:
        v = a.val._value
        return ("lit", v.dtype.str, a.val._weak, v.tobytes() if hasattr(v, "tobytes") else v)
    return a


def cse(prog: Program) -> Program:
    """Common-subexpression elimination: identical equations computed once (the operands of
    a `commutative` primitive in either order)."""
    jaxpr = prog.jaxpr
    seen: dict = {}
    env: dict = {}
    eqns = []
    for e in jaxpr.eqns:
        invars = [_subst(a, env) for a in e.invars]
        operands = tuple(_atom_key(a) for a in invars)
        if e.prim.commutative:
            operands = frozenset(operands) if len(set(operands)) == len(operands) else operands
        key = (e.prim, operands, _freeze(e.params))
        prev = seen.get(key)
        if prev is not None and not is_effectful(e):
            for v, pv in zip(e.outvars, prev.outvars):
                env[v] = pv
            continue
        new = Eqn(e.prim, invars, e.outvars, e.params, e.source)
        seen[key] = new
        eqns.append(new)
    return _rebuilt(prog, eqns, env)


# ------------------------------------------------------------------------ negations

def _negated_factor(y, producers: dict):
    """(a, b) when `y` is a float product (-a) * b or b * (-a), else None."""
    src = producers.get(y) if type(y) is Var else None
    if src is None or src.prim is not ew.mul_p or y.aval.dtype.kind not in "fc":
        return None
    p, q = src.invars
    for neg, other in ((p, q), (q, p)):
        n = producers.get(neg) if type(neg) is Var else None
        if n is not None and n.prim is ew.neg_p:
            return (n.invars[0], other) if neg is p else (other, n.invars[0])
    return None


def sink_negations(prog: Program) -> Program:
    """x + (-a) * b -> x - a * b and x - (-a) * b -> x + a * b (exact) when nothing else
    reads the product: the negation, one full pass, is left dead. Gradients of `cos` make
    this shape (cos' = -sin: the W6 gradient `2x - sin*sin + cos*cos`)."""
    jaxpr = prog.jaxpr
    uses: dict = {}
    for e in jaxpr.eqns:
        for a in e.invars:
            if type(a) is Var:
                uses[a] = uses.get(a, 0) + 1
    for v in jaxpr.outvars:
        if type(v) is Var:
            uses[v] = uses.get(v, 0) + 2
    producers = {v: e for e in jaxpr.eqns for v in e.outvars}
    positive: dict = {}   # product Var -> its operands without the negation
    flipped: dict = {}    # add/sub eqn -> (prim, invars)
    for e in jaxpr.eqns:
        if e.prim not in (ew.add_p, ew.sub_p):
            continue
        x, y = e.invars
        sides = [(x, y)] if e.prim is ew.sub_p else [(x, y), (y, x)]
        for keep, product in sides:
            factors = _negated_factor(product, producers)
            if factors is not None and uses.get(product) == 1 and product not in positive:
                positive[product] = factors
                flipped[e] = (ew.add_p if e.prim is ew.sub_p else ew.sub_p, [keep, product])
                break
    if not flipped:
        return prog
    eqns = []
    for e in jaxpr.eqns:
        if e.outvars and e.outvars[0] in positive:
            e = Eqn(ew.mul_p, list(positive[e.outvars[0]]), e.outvars, e.params, e.source)
        elif e in flipped:
            prim, invars = flipped[e]
            e = Eqn(prim, invars, e.outvars, e.params, e.source)
        eqns.append(e)
    return _rebuilt(prog, eqns, {})


# ----------------------------------------------------------------------------------- dce

def dce(prog: Program) -> Program:
    """Drop equations whose outputs are never used (effectful ones stay), and constants nobody reads."""
    jaxpr = prog.jaxpr
    live = {v for v in jaxpr.outvars if type(v) is Var}
    kept = []
    for e in reversed(jaxpr.eqns):
        if any(v in live for v in e.outvars) or is_effectful(e):
            kept.append(e)
            live.update(a for a in e.invars if type(a) is Var)
    kept.reverse()
    pairs = [(v, c) for v, c in zip(jaxpr.constvars, prog.consts) if v in live]
    return Program(Jaxpr([v for v, _ in pairs], list(jaxpr.invars), list(jaxpr.outvars), kept), [c for _, c in pairs])


def optimize(prog: Program) -> Program:
    """The jit pipeline of passes. Under the flag `nablax_check_jaxprs` the Jaxpr checker
    runs on the input and after every pass, naming the pass that broke it.

    After a pass weak types are not checked: `simplify` drops a convert_element_type
    that only makes a weak type strong (a copy for nothing: the generated NumPy code has
    no weak types), which leaves the avals after it stale in their weak type only.
    """
    check = check_jaxprs_flag.value
    if check:
        typecheck_jaxpr(prog.jaxpr, prog.consts, context="on jit's input (before any pass)")
    for step in (inline_calls, propagate_splats, fold_constants, simplify,
                 fold_broadcasts, cse, simplify, sink_negations, dce):
        prog = step(prog)
        if check:
            name = step.__name__
            typecheck_jaxpr(prog.jaxpr, prog.consts, context=f"after pass {name}", weak_types=False)
    return prog
