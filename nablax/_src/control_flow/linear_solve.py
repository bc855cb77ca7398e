"""lax.custom_linear_solve: a linear solve given as functions, differentiated implicitly.

The `custom_linear_solve` primitive holds four ClosedJaxprs, (matvec, vecmat, solve,
transpose_solve) (the last two None without a transpose_solve), and its operands are the
values each closes over (closure conversion, in that order) followed by the leaves of b.
It computes x = solve(b); its rules never differentiate *through* solve (which may be a
while loop), only use the invariant matvec(x) == b:

- jvp: ẋ = solve(ḃ - (∂matvec)(x)), where ∂matvec is the derivative of matvec in the
  values it closes over; the tangent solve is this primitive again, linear in b.
- transpose (linear in b): the cotangent of b is transpose_solve(x̄) with vecmat as its
  operator, i.e. this primitive with the roles of (matvec, solve) and (vecmat,
  transpose_solve) swapped. vecmat is matvec transposed (by backward_pass), or matvec
  itself when symmetric=True.
- batch: when anything is batched, every leaf of b and x carries the batch axis and the
  four bodies are batched alike, so the operator and its solves stay consistent.
- inline: jit splices solve's body in (compiled code takes no derivatives).

Auxiliary outputs of solve (has_aux=True) come after x's leaves and have zero tangents.
"""
from __future__ import annotations

from typing import Callable

from ..ad_util import is_undefined
from ..avals import UndefinedPrimal, Zero
from ..core import lift_aval
from ..interpreters import jet as jet_interp
from ..interpreters.batching import batch_jaxpr
from ..interpreters.jvp import broadcast_zeros, instantiate_zeros, jvp_flat
from ..interpreters.staging import trace_to_jaxpr, with_invars
from ..interpreters.transpose import backward_pass
from ..ir import Var
from ..primitives import elementwise, misc
from ..primitives._define import define_primitive
from ..primitives.taylor import zeros_like
from ..primitives.templates import batch_size, bdim_to_front, moveaxis
from ..tree import tree_flatten, tree_unflatten
from .common import as_value, compiled_body, conform, eval_closed, trace_fun

_API = "lax.custom_linear_solve"


def _split(args, const_lengths):
    """Operands as ([matvec, vecmat, solve, transpose_solve consts], b leaves)."""
    groups, start = [], 0
    for n in const_lengths:
        groups.append(list(args[start:start + n]))
        start += n
    return groups, list(args[start:])


def _swap(groups):
    """(matvec, vecmat, solve, transpose_solve) -> (vecmat, matvec, transpose_solve, solve)."""
    mv, vm, s, ts = groups
    return (vm, mv, ts, s)


def _out_avals(args_avals, const_lengths, jaxprs):
    """x has b's types (as JAX); solve's auxiliary outputs follow with their own."""
    _, b = _split(args_avals, const_lengths)
    n_aux = len(jaxprs[2].out_avals) - len(jaxprs[0].out_avals)
    return list(b) + list(jaxprs[2].out_avals[len(b):len(b) + n_aux])


def _abstract(*avals, const_lengths, jaxprs):
    _, b = _split(avals, const_lengths)
    expected = jaxprs[0].in_avals[const_lengths[0]:]
    if len(b) != len(expected) or any(a.shape != e.shape for a, e in zip(b, expected)):
        raise TypeError(f"{_API}: right-hand side " + ", ".join(a.str_short() for a in b)
                        + " does not match the operator's inputs " + ", ".join(e.str_short() for e in expected))
    return _out_avals(avals, const_lengths, jaxprs)


def _solve_operands(args, const_lengths):
    groups, b = _split(args, const_lengths)
    return groups[2] + b


def _eager(*args, const_lengths, jaxprs):
    vals = [as_value(a) for a in args]
    outs = eval_closed(jaxprs[2], *_solve_operands(vals, const_lengths))
    return conform(outs, _out_avals([lift_aval(v) for v in vals], const_lengths, jaxprs))


def _impl(xp, *vals, const_lengths, jaxprs):
    return list(compiled_body(jaxprs[2])(*_solve_operands(vals, const_lengths)))


def _inline(eqn):
    """solve's body, taking every operand of the equation (the other bodies' consts unused)."""
    cl, solve = eqn.params["const_lengths"], eqn.params["jaxprs"][2]
    ins = [Var(v.aval) for v in eqn.invars]
    s0 = cl[0] + cl[1]
    sv = solve.jaxpr.invars
    ins[s0:s0 + cl[2]] = sv[:cl[2]]
    ins[sum(cl):] = sv[cl[2]:]
    closed = with_invars(solve, ins)
    return closed.jaxpr, closed.consts


def _jvp(primals, tangents, *, const_lengths, jaxprs):
    x_all = custom_linear_solve_p.bind(*primals, const_lengths=const_lengths, jaxprs=jaxprs)
    groups, _ = _split(primals, const_lengths)
    tgroups, b_dot = _split(tangents, const_lengths)
    n = len(b_dot)
    x = x_all[:n]
    rhs = list(b_dot)
    if any(type(t) is not Zero for t in tgroups[0]):  # matvec closes over differentiated values
        matvec = jaxprs[0]
        _, dA_x = jvp_flat(lambda *cs: eval_closed(matvec, *cs, *x), groups[0], tgroups[0])
        rhs = [r if type(d) is Zero else (elementwise.neg(d) if type(r) is Zero else elementwise.sub(r, d))
               for r, d in zip(rhs, dA_x)]
    aux_zeros = [Zero(lift_aval(a).to_tangent_aval()) for a in x_all[n:]]
    if all(type(r) is Zero for r in rhs):
        return x_all, [Zero(lift_aval(v).to_tangent_aval()) for v in x] + aux_zeros
    rhs = [instantiate_zeros(r) for r in rhs]
    x_dot = custom_linear_solve_p.bind(*[c for g in groups for c in g], *rhs, const_lengths=const_lengths,
                                       jaxprs=jaxprs)
    return x_all, list(x_dot[:n]) + aux_zeros


def _transpose(cts, *args, const_lengths, jaxprs):
    if jaxprs[3] is None:
        raise TypeError(f"{_API}: transpose_solve is required for reverse-mode differentiation "
                        "(or pass symmetric=True if the operator is symmetric)")
    groups, b = _split(args, const_lengths)
    if any(is_undefined(c) for g in groups for c in g):
        raise NotImplementedError(f"{_API}: transposing in the operator's closed-over values is not supported "
                                  "(the solve is linear only in b)")
    n = len(b)
    if any(type(c) is not Zero for c in cts[n:]):
        raise NotImplementedError(f"{_API}: cotangents of solve's auxiliary outputs are not supported")
    x_ct = cts[:n]
    if all(type(c) is Zero for c in x_ct):
        return [None] * len(args)
    x_ct = [broadcast_zeros(a.aval) if type(c) is Zero else c for c, a in zip(x_ct, b)]
    swapped = _swap(groups)
    out = custom_linear_solve_p.bind(*[c for g in swapped for c in g], *x_ct,
                                     const_lengths=tuple(len(g) for g in swapped), jaxprs=_swap(jaxprs))
    return [None] * sum(const_lengths) + list(out[:n])


def _batch(args, dims, *, const_lengths, jaxprs):
    size = batch_size(args, dims)
    groups, b = _split(args, const_lengths)
    gdims, bdims = _split(dims, const_lengths)
    n = len(b)
    new_jaxprs = []
    for closed, g in zip(jaxprs, gdims):
        if closed is None:
            new_jaxprs.append(None)
            continue
        flags = [d is not None for d in g] + [True] * n
        new_jaxprs.append(batch_jaxpr(closed, size, flags, [True] * len(closed.out_avals), f"vmap({_API})")[0])
    consts = [moveaxis(c, d, 0) if d is not None else c for g, gd in zip(groups, gdims) for c, d in zip(g, gd)]
    b = [bdim_to_front(v, d, size) for v, d in zip(b, bdims)]
    outs = custom_linear_solve_p.bind(*consts, *b, const_lengths=const_lengths, jaxprs=tuple(new_jaxprs))
    return outs, [0] * len(outs)


def _jet(primals, series, *, const_lengths, jaxprs):
    """Coefficient k of matvec(x) == b, matvec linear in x: x_k = solve(b_k - r_k), where r_k is
    coefficient k of matvec's jet with x_k itself set to zero (its other terms known by then)."""
    params = dict(const_lengths=const_lengths, jaxprs=jaxprs)
    order = jet_interp.order_of(series)
    x_all = custom_linear_solve_p.bind(*primals, **params)
    groups, b = _split(primals, const_lengths)
    sgroups, sb = _split(series, const_lengths)
    n, consts = len(b), [c for g in groups for c in g]
    xs = [[v] for v in x_all[:n]]
    matvec = jaxprs[0]
    for k in range(1, order + 1):
        rhs = [zeros_like(v) if s is None else s[k - 1] for v, s in zip(b, sb)]
        if any(s is not None for s in sgroups[0]):
            known = [x[1:] + [zeros_like(x[0])] for x in xs]
            _, rs = jet_interp.jet_eval(matvec.jaxpr, matvec.consts, groups[0] + [x[0] for x in xs],
                                        [None if s is None else s[:k] for s in sgroups[0]] + known, k)
            rhs = [r if s is None else elementwise.sub(r, s[k - 1]) for r, s in zip(rhs, rs)]
        for x, v in zip(xs, custom_linear_solve_p.bind(*consts, *rhs, **params)[:n]):
            x.append(v)
    return x_all, [x[1:] for x in xs] + [None] * (len(x_all) - n)


custom_linear_solve_p = define_primitive(
    "custom_linear_solve",
    higher_order=True,
    impl=_impl,
    eager=_eager,
    abstract_eval=_abstract,
    jvp=_jvp,
    linear=True,
    transpose=_transpose,
    batch=_batch,
    inline=_inline,
    multiple_results=True,
    jet=_jet,
)


# ------------------------------------------------------------------------- the wrapper

def _check_outputs(name: str, out_avals, out_tree, b_avals, b_tree, has_aux: bool):
    """As JAX: leaf shapes first (ValueError), then the pytree structure (TypeError)."""
    if has_aux:
        children = out_tree.children()
        if len(children) != 2:
            raise ValueError(f"{_API}: {name}() returned a pytree with structure {out_tree}, but a pair "
                             "(solution, auxiliary output) was expected because has_aux=True")
        x_tree = children[0]
        out_avals = out_avals[:x_tree.num_leaves]
    else:
        x_tree = out_tree
    shapes = [tuple(a.shape) for a in out_avals]
    expected = [tuple(a.shape) for a in b_avals]
    if shapes != expected:
        raise ValueError(f"{_API}: {name}() output shapes must match b, got {shapes} and {expected}")
    if x_tree != b_tree:
        raise TypeError(f"{_API}: {name}() output pytree structure must match b, got {x_tree} and {b_tree}")


def custom_linear_solve(matvec: Callable, b, solve: Callable, transpose_solve: Callable | None = None,
                        symmetric: bool = False, has_aux: bool = False):
    """lax.custom_linear_solve: x = solve(matvec, b), differentiated implicitly from matvec(x) == b.

    `matvec` is the linear operator (it may close over differentiated values), `solve(matvec,
    b)` and `transpose_solve(vecmat, b)` solve with it and its transpose (vecmat is derived
    from matvec; symmetric=True uses matvec and solve for both). b and x are pytrees of one
    structure; with has_aux=True the solves return (x, aux) and so does this function.
    """
    if not callable(matvec) or not callable(solve):
        raise TypeError(f"{_API}: matvec and solve must be callable")
    if transpose_solve is not None and not callable(transpose_solve):
        raise TypeError(f"{_API}: transpose_solve must be callable or None")
    if transpose_solve is None and symmetric:
        transpose_solve = solve
    raw, b_tree = tree_flatten(b)
    leaves = [as_value(v) for v in raw]
    b_avals = [lift_aval(v) for v in leaves]

    def unflat(xs):
        return tree_unflatten(b_tree, list(xs))

    mv, mv_consts, mv_tree = trace_fun(lambda *xs: matvec(unflat(xs)), b_avals, _API, f"{_API}: matvec")
    _check_outputs("matvec", mv.out_avals, mv_tree, b_avals, b_tree, False)

    def traced_solve(fn: Callable, op: Callable, name: str):
        def body(*xs):
            out = fn(op, unflat(xs))
            if has_aux and not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise ValueError(f"{_API}: {name}() must return a pair (solution, auxiliary output) because "
                                 f"has_aux=True, but it returned {type(out).__name__}")
            x = out[0] if has_aux else out
            x_leaves, x_tree = tree_flatten(x)
            x_leaves = [as_value(v) for v in x_leaves]
            if [lift_aval(v).shape for v in x_leaves] == [a.shape for a in b_avals] and x_tree == b_tree:
                x_leaves = [_retype(v, a) for v, a in zip(x_leaves, b_avals)]
                x = tree_unflatten(b_tree, x_leaves)
            return (x, out[1]) if has_aux else x
        closed, consts, tree = trace_fun(body, b_avals, _API, f"{_API}: {name}")
        _check_outputs(name, closed.out_avals, tree, b_avals, b_tree, has_aux)
        return closed, consts, tree

    s, s_consts, out_tree = traced_solve(solve, matvec, "solve")
    if transpose_solve is None:
        vm = ts = None
        vm_consts, ts_consts = [], []
    else:
        if symmetric:
            vm, vm_consts, vecmat = mv, mv_consts, matvec
        else:
            vm, vm_consts, vecmat = _transposed(mv, mv_consts, b_avals, b_tree)
        ts, ts_consts, _ = traced_solve(transpose_solve, vecmat, "transpose_solve")
    groups = (mv_consts, vm_consts, s_consts, ts_consts)
    outs = custom_linear_solve_p.bind(*[c for g in groups for c in g], *leaves,
                                      const_lengths=tuple(len(g) for g in groups), jaxprs=(mv, vm, s, ts))
    return tree_unflatten(out_tree, outs)


def _retype(v, aval):
    """solve's output with b's dtype and weak type, the solution's types (as JAX's abstract eval)."""
    a = lift_aval(v)
    if a.dtype == aval.dtype and a.weak_type == aval.weak_type:
        return v
    return misc.convert_element_type(v, aval.dtype, aval.weak_type)


def _transposed(mv, mv_consts, b_avals, b_tree):
    """vecmat, matvec's transpose (by backward_pass over its Jaxpr): as a ClosedJaxpr taking
    matvec's consts then y, its consts, and as a function of a pytree for transpose_solve."""
    nc = len(mv_consts)

    def flat(*args):
        cs, ys = args[:nc], args[nc:]
        cts = backward_pass(mv.jaxpr, mv.consts, list(cs) + [UndefinedPrimal(a) for a in b_avals], list(ys))
        return [instantiate_zeros(c) for c in cts[nc:]]

    closed = trace_to_jaxpr(flat, [lift_aval(c) for c in mv_consts] + list(b_avals), label=_API)

    def vecmat(y):
        y_leaves, tree = tree_flatten(y)
        if tree != b_tree:
            raise TypeError(f"{_API}: vecmat expects a pytree with b's structure {b_tree}, got {tree}")
        return tree_unflatten(b_tree, flat(*mv_consts, *[as_value(v) for v in y_leaves]))

    return closed, list(mv_consts), vecmat
