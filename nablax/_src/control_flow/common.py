"""What cond and the loops share: tracing user functions with closure conversion, running
Jaxprs (compiled when hot), the dependence analysis that decides which outputs get
tangents, and the wrappers' argument checks. The Jaxpr-level transforms themselves belong
to the interpreters (jvp_jaxpr, batch_jaxpr, linearize_jaxpr, hoist_consts)."""

from typing import Callable, Sequence

import numpy as np

from .. import dtypes
from ..array import Array, to_concrete_array, wrap
from ..avals import ShapedArray, Zero
from ..core import Tracer, lift_aval
from ..interpreters.batching import batch_jaxpr
from ..interpreters.staging import hoist_consts, trace_to_jaxpr
from ..ir import ClosedJaxpr, Jaxpr, Var, eval_jaxpr
from ..jit.compile import compiled
from ..primitives import misc
from ..tree import keystr, tree_flatten, tree_flatten_with_path, tree_unflatten


def as_value(x):
    return x if isinstance(x, (Array, Tracer)) else to_concrete_array(x)


def eval_closed(closed: ClosedJaxpr, *args) -> list:
    return eval_jaxpr(closed.jaxpr, closed.consts, *args)


def trace_body(fn: Callable, avals: Sequence[ShapedArray], label: str) -> ClosedJaxpr:
    return trace_to_jaxpr(fn, list(avals), label=label)


def compiled_body(closed: ClosedJaxpr) -> Callable:
    """The Jaxpr as a generated NumPy function (raw values in, tuple out), from jit's one
    compile cache (shared with nested jit, so a body is compiled once)."""
    return compiled(closed, "body")


def conform(outs, avals) -> list:
    """Eager outputs carrying exactly the weak types abstract_eval promises."""
    res = []
    for o, a in zip(outs, avals):
        o = as_value(o)
        res.append(o if o._weak == a.weak_type else wrap(o._value, a.weak_type))
    return res


def dependence(jaxpr: Jaxpr, flags: Sequence[bool]) -> list[bool]:
    """Which inexact outputs depend on the flagged inputs (an over-approximation of the
    outputs with nonzero tangents)."""
    marked = {v for v, f in zip(jaxpr.invars, flags) if f}
    for eqn in jaxpr.eqns:
        if any(type(a) is Var and a in marked for a in eqn.invars):
            marked.update(v for v in eqn.outvars if dtypes.is_inexact(v.aval.dtype))
    return [type(v) is Var and v in marked for v in jaxpr.outvars]


def union(flag_lists) -> list[bool]:
    return [any(fs) for fs in zip(*flag_lists)]


def nonzero_tangent(t) -> bool:
    return type(t) is not Zero and dtypes.is_inexact(lift_aval(t).dtype)


def lhs(names: list) -> str:
    return ", ".join(names) + ("," if len(names) == 1 else "") if names else "_"


def tangents_out(outs_t: list, nz: list, avals: list) -> list:
    it = iter(outs_t)
    return [next(it) if f else Zero(a.to_tangent_aval()) for f, a in zip(nz, avals)]



# ------------------------------------------------------------ what the loops share

COMPILE_AFTER = 16  # eager loops run a compiled body from this many iterations on


# ------------------------------------------------------------ what the loops share

def eval_step(closed: ClosedJaxpr) -> Callable:
    """Like compiled_body, but evaluating equation by equation (cheaper for a few iterations)."""
    weak = [a.weak_type for a in closed.in_avals]

    def step(*vals):
        outs = eval_closed(closed, *[wrap(v, w) for v, w in zip(vals, weak)])
        return [as_value(o)._value for o in outs]

    return step


def raw_values(args) -> list:
    """The arrays inside Arrays (and Python scalars made arrays)."""
    return [as_value(a)._value for a in args]


def carry_fixpoint(jaxpr: Jaxpr, consts: list, carry: list, xs: list):
    """Carries whose tangents may become nonzero after any number of iterations, and the ys'."""
    carry = list(carry)
    while True:
        out = dependence(jaxpr, consts + carry + xs)
        new = [a or b for a, b in zip(carry, out[:len(carry)])]
        if new == carry:
            return carry, out[len(carry):]
        carry = new


def batch_loop_body(closed: ClosedJaxpr, size: int, consts_b: list, carry_b: list, xs_b: list, label: str):
    """Batch a loop body until the set of batched carries is stable (a carry is batched if
    it is initially or the body makes it vary). Returns (jaxpr, carry flags, ys flags)."""
    nk = len(carry_b)
    while True:
        force = list(carry_b) + [False] * (len(closed.out_avals) - nk)
        jaxpr, out = batch_jaxpr(closed, size, consts_b + carry_b + xs_b, force, label)
        if out[:nk] == carry_b:
            return jaxpr, carry_b, out[nk:]
        carry_b = out[:nk]



# ------------------------------------------------------- the wrappers' checks


def leaf_paths(tree) -> list[str]:
    """Key paths of a pytree's leaves (for error messages only: not on the fast path)."""
    leaves, treedef = tree_flatten(tree)
    placeholder = tree_unflatten(treedef, list(range(len(leaves))))
    return [keystr(p) for p, _ in tree_flatten_with_path(placeholder)[0]]


def _out_leaf(x, what: str):
    try:
        return as_value(x)
    except TypeError:
        raise TypeError(f"{what} returned a value of type {type(x).__name__}; outputs must be arrays, "
                        "scalars, or pytrees (tuples, lists, dicts) of them") from None


def trace_fun(fn: Callable, avals: list, label: str, what: str):
    """Trace fn(*leaves) -> pytree. Returns (ClosedJaxpr with tracer consts hoisted to
    leading inputs, those consts, output tree)."""
    store: dict = {}

    def flat(*xs):
        leaves, store["tree"] = tree_flatten(fn(*xs))
        return [_out_leaf(x, what) for x in leaves]

    closed, consts = hoist_consts(trace_body(flat, avals, label))
    return closed, consts, store["tree"]


def check_branch_outputs(api: str, names: Sequence[str], outs: list, tree) -> None:
    """The branches must return the same shapes and dtypes (they may differ in weak type
    only: the result takes the first branch's, as in JAX; dtypes are never promoted).
    Raises naming the branches, the output's path and both types."""
    for k in range(len(outs[0])):
        avs = [o[k] for o in outs]
        a0 = avs[0]
        if all(a.shape == a0.shape and a.dtype == a0.dtype for a in avs):
            continue
        b = next(i for i, a in enumerate(avs) if a.shape != a0.shape or a.dtype != a0.dtype)
        paths = leaf_paths(tree_unflatten(tree, [0] * len(outs[0])))
        raise TypeError(
            f"{api}: {names[0]} and {names[b]} must return arrays of the same shapes and dtypes, but for "
            f"{'output' + paths[k] if paths[k] else 'the output'} {names[0]} returns {a0.str_short()} and "
            f"{names[b]} returns {avs[b].str_short()}; convert one of them (e.g. with .astype) so that "
            "they match"
        )


def scalar_operand(api: str, x, kinds: str, what: str, expected: str):
    if x is None:
        raise TypeError(f"{api}: the {what} is None; it must be {expected}")
    x = as_value(x)
    aval = lift_aval(x)
    if aval.shape != ():
        raise TypeError(f"{api}: the {what} must be a scalar, got shape {aval.shape} ({aval.str_short()}). "
                        "For a choice per element use jnp.where / lax.select, or vmap the call.")
    if aval.dtype.kind not in kinds:
        raise TypeError(f"{api}: the {what} must be {expected}, got dtype {aval.dtype.name}")
    return x, aval


def static_int(x):
    try:
        return int(x)
    except TypeError:  # a traced value (ConcretizationTypeError is a TypeError)
        return None





def branch_index(index, n: int) -> int:
    return min(max(int(np.asarray(as_value(index)._value)), 0), n - 1)


def retype(x, aval: ShapedArray):
    """x with aval's weak type (same dtype)."""
    x = as_value(x)
    return x if lift_aval(x).weak_type == aval.weak_type else misc.convert_element_type(x, aval.dtype, aval.weak_type)
