"""Jaxpr plumbing shared by the control-flow primitives: tracing user functions with
closure conversion, running Jaxprs (compiled when hot), the dependence analysis that
decides which loop carries get tangents, batching bodies to a fixpoint, the loop runners,
the per-example branch selection, and the wrappers' argument and carry checks."""

from typing import Callable, Sequence

import numpy as np

from .. import dtypes
from ..array import Array, to_concrete_array, wrap
from ..avals import ShapedArray, Zero
from ..core import Tracer, _trace_var, lift_aval
from ..interpreters import batching, staging
from ..interpreters import jvp as jvp_interp
from ..interpreters import linearize as lin_interp
from ..ir import ClosedJaxpr, Eqn, Jaxpr, Literal, Var, eval_jaxpr
from ..jit.compile import compiled
from ..tree import keystr, tree_flatten, tree_flatten_with_path, tree_map, tree_unflatten
from . import elementwise, misc, shape
from .templates import bdim_to_front

_COMPILE_AFTER = 16  # eager loops run a compiled body from this many iterations on


def _as_value(x):
    return x if isinstance(x, (Array, Tracer)) else to_concrete_array(x)


def _eval(closed: ClosedJaxpr, *args) -> list:
    return eval_jaxpr(closed.jaxpr, closed.consts, *args)


def _trace(fn: Callable, avals: Sequence[ShapedArray], label: str) -> ClosedJaxpr:
    return staging.trace_to_jaxpr(fn, list(avals), label=label)


def _with_invars(closed: ClosedJaxpr, invars: Sequence) -> ClosedJaxpr:
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr(j.constvars, list(invars), j.outvars, j.eqns), closed.consts)


def _hoist_tracers(closed: ClosedJaxpr) -> tuple[ClosedJaxpr, list]:
    """Closure conversion: constants that are tracers become leading inputs (returned)."""
    j = closed.jaxpr
    kept_v, kept_c, hoisted_v, hoisted_c = [], [], [], []
    for v, c in zip(j.constvars, closed.consts):
        if isinstance(c, Tracer):
            hoisted_v.append(v)
            hoisted_c.append(c)
        else:
            kept_v.append(v)
            kept_c.append(c)
    if not hoisted_v:
        return closed, []
    return ClosedJaxpr(Jaxpr(kept_v, hoisted_v + list(j.invars), j.outvars, j.eqns), kept_c), hoisted_c


def _compiled(closed: ClosedJaxpr) -> Callable:
    """The Jaxpr as a generated NumPy function (raw values in, tuple out), cached per Jaxpr."""
    return compiled(closed, "body")


def _eval_step(closed: ClosedJaxpr) -> Callable:
    """Like _compiled, but evaluating equation by equation (cheaper for a few iterations)."""
    weak = [a.weak_type for a in closed.in_avals]

    def step(*vals):
        outs = _eval(closed, *[wrap(v, w) for v, w in zip(vals, weak)])
        return [_as_value(o)._value for o in outs]

    return step


def _raw(args) -> list:
    return [_as_value(a)._value for a in args]


def _conform(outs, avals) -> list:
    """Eager outputs carrying exactly the weak types abstract_eval promises."""
    res = []
    for o, a in zip(outs, avals):
        o = _as_value(o)
        res.append(o if o._weak == a.weak_type else wrap(o._value, a.weak_type))
    return res


def _dependence(jaxpr: Jaxpr, flags: Sequence[bool]) -> list[bool]:
    """Which inexact outputs depend on the flagged inputs (an over-approximation of the
    outputs with nonzero tangents)."""
    marked = {v for v, f in zip(jaxpr.invars, flags) if f}
    for eqn in jaxpr.eqns:
        if any(type(a) is Var and a in marked for a in eqn.invars):
            marked.update(v for v in eqn.outvars if dtypes.is_inexact(v.aval.dtype))
    return [type(v) is Var and v in marked for v in jaxpr.outvars]


def _union(flag_lists) -> list[bool]:
    return [any(fs) for fs in zip(*flag_lists)]


def _carry_fixpoint(jaxpr: Jaxpr, consts: list, carry: list, xs: list):
    """Carries whose tangents may become nonzero after any number of iterations, and the ys'."""
    carry = list(carry)
    while True:
        out = _dependence(jaxpr, consts + carry + xs)
        new = [a or b for a, b in zip(carry, out[:len(carry)])]
        if new == carry:
            return carry, out[len(carry):]
        carry = new


def _nonzero(t) -> bool:
    return type(t) is not Zero and dtypes.is_inexact(lift_aval(t).dtype)


def _zeros(aval: ShapedArray):
    z = wrap(np.zeros((), aval.dtype), aval.weak_type)
    return shape.broadcast_in_dim(z, aval.shape, ()) if aval.shape else z


def _inst(t):
    return _zeros(t.aval) if type(t) is Zero else t


def _internal(what: str) -> AssertionError:
    return AssertionError(f"nablax control flow: internal error ({what}); please report it")


def _jvp_jaxpr(closed: ClosedJaxpr, nz_in: list, nz_out: list, in_groups: list, out_groups: list,
               label: str) -> ClosedJaxpr:
    """JVP of `closed`. Inputs are grouped: each group's primals, then the tangents of its
    nz_in members; outputs likewise, with tangents exactly for nz_out (zeros instantiated)."""
    avals = closed.in_avals
    layout, start = [], 0
    for g in in_groups:
        layout += [(False, i) for i in range(start, start + g)]
        layout += [(True, i) for i in range(start, start + g) if nz_in[i]]
        start += g

    def fn(*args):
        primals = [None] * len(avals)
        tangents = [Zero(a.to_tangent_aval()) for a in avals]
        for (is_t, i), a in zip(layout, args):
            (tangents if is_t else primals)[i] = a
        outs, touts = jvp_interp.jvp_flat(lambda *xs: _eval(closed, *xs), primals, tangents)
        res, start = [], 0
        for g in out_groups:
            res += outs[start:start + g]
            for j in range(start, start + g):
                if nz_out[j]:
                    res.append(_inst(touts[j]))
                elif type(touts[j]) is not Zero:
                    raise _internal("unexpected nonzero tangent")
            start += g
        return res

    return _trace(fn, [avals[i].to_tangent_aval() if t else avals[i] for t, i in layout], label)


def _batch_jaxpr(closed: ClosedJaxpr, size: int, b_in: list, force_out: list, label: str) -> tuple:
    """`closed` vectorized: flagged inputs carry a leading batch axis of `size`; an output
    does where batching made it vary (each inner primitive's rule decides, so a nested loop
    or jit reports exactly which of its outputs vary) or where force_out asks.
    Returns (batched ClosedJaxpr, which outputs are batched)."""
    avals = [ShapedArray((size,) + a.shape, a.dtype, a.weak_type) if b else a for a, b in zip(closed.in_avals, b_in)]
    store: dict = {}

    def fn(*args):
        outs, dims = batching.batch_flat(lambda *xs: _eval(closed, *xs), list(args),
                                         [0 if b else None for b in b_in], size, batching.current_axis_name())
        flags = store["flags"] = [d is not None or f for d, f in zip(dims, force_out)]
        return [bdim_to_front(o, d, size) if f else o for o, d, f in zip(outs, dims, flags)]

    return _trace(fn, avals, label), store["flags"]


def _batch_loop_body(closed: ClosedJaxpr, size: int, consts_b: list, carry_b: list, xs_b: list, label: str):
    """Batch a loop body until the set of batched carries is stable (a carry is batched if
    it is initially or the body makes it vary). Returns (jaxpr, carry flags, ys flags)."""
    nk = len(carry_b)
    while True:
        force = list(carry_b) + [False] * (len(closed.out_avals) - nk)
        jaxpr, out = _batch_jaxpr(closed, size, consts_b + carry_b + xs_b, force, label)
        if out[:nk] == carry_b:
            return jaxpr, carry_b, out[nk:]
        carry_b = out[:nk]


def _stage_zeros(ttrace, aval: ShapedArray):
    """A zero tangent computed inside the linear Jaxpr (not captured as a residual)."""
    zero = wrap(np.zeros((), aval.dtype), False)
    if not aval.shape:
        return zero
    var = Var(aval)
    ttrace.eqns.append(Eqn(shape.broadcast_in_dim_p, [Literal(zero)], [var],
                           {"shape": aval.shape, "broadcast_dimensions": ()}))
    return staging.StagingTracer(ttrace, var)


def _linearize_jaxpr(closed: ClosedJaxpr, nz_in: list, nz_out: list, label: str):
    """Split `closed` into a primal Jaxpr (inputs -> outputs + residuals) and a linear one
    (residuals + tangents of the nz_in inputs -> tangents of the nz_out outputs).
    Returns (primal, linear, number of residuals)."""
    avals = closed.in_avals
    store: dict = {}

    def primal_fn(*args):
        trace = lin_interp.LinearizeTrace(_trace_var.get(), label)
        ttrace = trace.tangent_trace
        tvars, ins = [], []
        for a, aval, nz in zip(args, avals, nz_in):
            if nz:
                t = ttrace.new_arg(aval.to_tangent_aval())
                tvars.append(t._var)
                a = lin_interp.LinearizeTracer(trace, a, t)
            ins.append(a)
        token = _trace_var.set(trace)
        try:
            outs = _eval(closed, *ins)
            primals_out, touts = [], []
            for o, want in zip(outs, nz_out):
                if type(o) is lin_interp.LinearizeTracer and o._trace is trace:
                    if not want:
                        raise _internal("unexpected nonzero tangent")
                    primals_out.append(o.primal)
                    touts.append(o.tangent)
                else:
                    primals_out.append(o)
                    if want:
                        touts.append(_stage_zeros(ttrace, lift_aval(o).to_tangent_aval()))
            lin = ttrace.to_jaxpr(tvars, touts)
        finally:
            _trace_var.reset(token)
            trace.invalidate()
        j = lin.jaxpr
        res_v, res_c, kept_v, kept_c = [], [], [], []
        for v, c in zip(j.constvars, lin.consts):
            if isinstance(c, Tracer):
                res_v.append(v)
                res_c.append(c)
            else:
                kept_v.append(v)
                kept_c.append(c)
        store["lin"] = ClosedJaxpr(Jaxpr(kept_v, res_v + tvars, j.outvars, j.eqns), kept_c)
        store["n_res"] = len(res_c)
        return primals_out + res_c

    primal = _trace(primal_fn, avals, label)
    return primal, store["lin"], store["n_res"]


def _under(trace, fn: Callable, *args, **kwargs):
    token = _trace_var.set(trace)
    try:
        return fn(*args, **kwargs)
    finally:
        _trace_var.reset(token)


def _unbox_linearized(trace, outs) -> tuple[list, list]:
    pairs = [(o.primal, o.tangent) if type(o) is lin_interp.LinearizeTracer and o._trace is trace
             else (o, Zero(lift_aval(o).to_tangent_aval())) for o in outs]
    return [p for p, _ in pairs], [t for _, t in pairs]


def _lhs(names: list) -> str:
    return ", ".join(names) + ("," if len(names) == 1 else "") if names else "_"


def _tangents_out(outs_t: list, nz: list, avals: list) -> list:
    it = iter(outs_t)
    return [next(it) if f else Zero(a.to_tangent_aval()) for f, a in zip(nz, avals)]


# ------------------------------------------------------- the wrappers' checks

def _leaf_paths(tree) -> list[str]:
    """Key paths of a pytree's leaves (for error messages only: not on the fast path)."""
    leaves, treedef = tree_flatten(tree)
    placeholder = tree_unflatten(treedef, list(range(len(leaves))))
    return [keystr(p) for p, _ in tree_flatten_with_path(placeholder)[0]]


def _out_leaf(x, what: str):
    try:
        return _as_value(x)
    except TypeError:
        raise TypeError(f"{what} returned a value of type {type(x).__name__}; outputs must be arrays, "
                        "scalars, or pytrees (tuples, lists, dicts) of them") from None


def _trace_fun(fn: Callable, avals: list, label: str, what: str):
    """Trace fn(*leaves) -> pytree. Returns (ClosedJaxpr with tracer consts hoisted to
    leading inputs, those consts, output tree)."""
    store: dict = {}

    def flat(*xs):
        leaves, store["tree"] = tree_flatten(fn(*xs))
        return [_out_leaf(x, what) for x in leaves]

    closed, consts = _hoist_tracers(_trace(flat, avals, label))
    return closed, consts, store["tree"]


def _check_branch_outputs(api: str, names: Sequence[str], outs: list, tree) -> None:
    """The branches must return the same shapes and dtypes (they may differ in weak type
    only: the result takes the first branch's, as in JAX; dtypes are never promoted).
    Raises naming the branches, the output's path and both types."""
    for k in range(len(outs[0])):
        avs = [o[k] for o in outs]
        a0 = avs[0]
        if all(a.shape == a0.shape and a.dtype == a0.dtype for a in avs):
            continue
        b = next(i for i, a in enumerate(avs) if a.shape != a0.shape or a.dtype != a0.dtype)
        paths = _leaf_paths(tree_unflatten(tree, [0] * len(outs[0])))
        raise TypeError(
            f"{api}: {names[0]} and {names[b]} must return arrays of the same shapes and dtypes, but for "
            f"{'output' + paths[k] if paths[k] else 'the output'} {names[0]} returns {a0.str_short()} and "
            f"{names[b]} returns {avs[b].str_short()}; convert one of them (e.g. with .astype) so that "
            "they match"
        )


def _scalar_index(api: str, x, kinds: str, what: str, expected: str):
    if x is None:
        raise TypeError(f"{api}: the {what} is None; it must be {expected}")
    x = _as_value(x)
    aval = lift_aval(x)
    if aval.shape != ():
        raise TypeError(f"{api}: the {what} must be a scalar, got shape {aval.shape} ({aval.str_short()}). "
                        "For a choice per element use jnp.where / lax.select, or vmap the call.")
    if aval.dtype.kind not in kinds:
        raise TypeError(f"{api}: the {what} must be {expected}, got dtype {aval.dtype.name}")
    return x, aval


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
            paths = _leaf_paths(tree_unflatten(tree, leaves))
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


def _check_carry_tree(api: str, what: str, init_tree, out_tree) -> None:
    if out_tree != init_tree:
        raise TypeError(f"{api}: {what} must return a carry with the same pytree structure as the initial "
                        f"carry; the initial carry is {init_tree} but {what} returns {out_tree}")


def _static_int(x):
    try:
        return int(x)
    except TypeError:  # a traced value (ConcretizationTypeError is a TypeError)
        return None


# ------------------------------------------------ loop runners and branch selection

def _branch_index(index, n: int) -> int:
    return min(max(int(np.asarray(_as_value(index)._value)), 0), n - 1)


def _retype(x, aval: ShapedArray):
    """x with aval's weak type (same dtype)."""
    x = _as_value(x)
    return x if lift_aval(x).weak_type == aval.weak_type else misc.convert_element_type(x, aval.dtype, aval.weak_type)


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
        results.append(_eval(br, *guarded))
    return [elementwise.select_n(index, *cases) for cases in zip(*results)]


def _while_split(args, cond_nconsts, body_nconsts):
    return (list(args[:cond_nconsts]), list(args[cond_nconsts:cond_nconsts + body_nconsts]),
            list(args[cond_nconsts + body_nconsts:]))


def _while_run(step_cond, step_body, vals, cond_nconsts, body_nconsts, compile_later):
    cc, bc, carry = _while_split(vals, cond_nconsts, body_nconsts)
    n = 0
    while step_cond(*cc, *carry)[0]:
        carry = list(step_body(*bc, *carry))
        n += 1
        if n == _COMPILE_AFTER and compile_later is not None:
            step_cond, step_body = compile_later()
    return carry


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


def _concrete_int(x) -> int | None:
    try:
        return int(x)
    except TypeError:  # traced (ConcretizationTypeError is a TypeError)
        return None


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
