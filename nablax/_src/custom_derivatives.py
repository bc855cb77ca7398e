"""custom_jvp, custom_vjp and checkpoint: call primitives whose rules run user functions.

Each is a primitive bound with the user's (flattened) functions as params, so every
transformation sees it as one operation: JVP traces run the custom JVP rule, linearize
runs the custom forward pass and stages a linear step whose transpose is the custom
backward pass, and vmap batches the functions themselves. Forward mode through custom_vjp
(jvp, jacfwd, hessian), which JAX refuses, runs the forward pass and transposes the
backward pass, which is linear in the cotangent (control_flow/custom_vjp_forward.py).
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
from typing import Any, Callable, Sequence

from .ad_util import instantiate, zeros_of_aval
from .avals import UndefinedPrimal, Zero, float0
from .control_flow.call_rules import batch_callable, call_impl, eager_call, inline_call, traced_out_avals
from .control_flow.common import as_value
from .control_flow.custom_vjp_forward import bwd_transposed
from .control_flow.remat_opt import remat_optimized_forward
from .control_flow.remat_policy import policy_linearize
from .core import Tracer, call_under, current_trace, lift_aval
from .errors import UnexpectedTracerError
from .interpreters.jvp import jvp_flat
from .interpreters.linearize import linearize_flat, linearize_inline
from .interpreters.staging import hoist_consts, trace_to_jaxpr
from .interpreters.transpose import backward_pass
from .ir import ClosedJaxpr, eval_jaxpr
from .jit.passes import Program, dce
from .primitives._define import define_primitive
from .primitives.elementwise import add
from .primitives.misc import stop_gradient
from .primitives.templates import batch_size, bdim_to_front, moveaxis
from .tree import keystr, tree_flatten, tree_flatten_with_path, tree_map, tree_structure, tree_unflatten, treedef_children


def _front_batched(args, dims) -> tuple[list, list]:
    """Batched args with their batch axis moved to 0, unbatched ones as they are; new dims."""
    return ([a if d is None else moveaxis(a, d, 0) for a, d in zip(args, dims)],
            [None if d is None else 0 for d in dims])


def _front(args, dims):
    size = batch_size(args, dims)
    return [bdim_to_front(a, d, size) for a, d in zip(args, dims)], size


def _batched_at_front(outs: list) -> tuple[list, list]:
    """A batch rule's result whose outputs all carry the batch axis first."""
    return outs, [0] * len(outs)


class SymbolicZero:
    """A zero tangent or cotangent of type `aval`, as rules with symbolic_zeros=True see it."""

    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: self.aval.ndim)

    @staticmethod
    def from_primal_value(x) -> "SymbolicZero":
        return SymbolicZero(lift_aval(x).to_tangent_aval())

    def __repr__(self) -> str:
        return f"SymbolicZero({self.aval})"


@dataclasses.dataclass
class CustomVJPPrimal:
    """An input of a custom_vjp fwd rule defined with symbolic_zeros=True."""

    value: Any
    perturbed: bool


def zero_from_primal(val, symbolic_zeros: bool = False):
    """Zero tangents for the pytree `val`: SymbolicZeros, or concrete zeros."""
    def zero(x):
        aval = lift_aval(as_value(x)).to_tangent_aval()
        return SymbolicZero(aval) if symbolic_zeros else zeros_of_aval(aval)

    return tree_map(zero, val)


def custom_vjp_primal_tree_values(tree):
    """`tree` with each `CustomVJPPrimal` (as a symbolic_zeros fwd rule sees its inputs)
    replaced by its value."""
    return tree_map(lambda x: x.value if isinstance(x, CustomVJPPrimal) else x, tree,
                    is_leaf=lambda x: isinstance(x, CustomVJPPrimal))


def _rule_zero(t, symbolic: bool):
    """How a custom rule sees a tangent: a Zero becomes a SymbolicZero or concrete zeros."""
    if type(t) is Zero:
        return SymbolicZero(t.aval) if symbolic else instantiate(t)
    return t


# -------------------------------------------------------------------------- custom_jvp

def _custom_jvp_jvp(primals, tangents, *, call, jvp):
    outs, touts = jvp(list(primals), list(tangents))  # tangents may be Zero (symbolic)
    return list(outs), list(touts)


def _custom_jvp_batch(args, dims, *, call, jvp):
    """Batched operands go first; unbatched ones stay shared (a scalar such as softplus'
    0.0 stays a scalar, which jit keeps a literal, instead of a per-example array). A
    tangent has its primal's aval, so it is batched exactly where its primal is."""
    args, dims = _front_batched(args, dims)
    n = len(args)
    bcall = batch_callable(call, n, dims)

    def bjvp(primals, tangents):
        """The rule vectorized over the nonzero tangents; zero ones stay symbolic per example."""
        nonzero = [type(t) is not Zero for t in tangents]

        def one(*xs):
            it = iter(xs[n:])
            ts = [next(it) if nz else Zero(lift_aval(p).to_tangent_aval()) for p, nz in zip(xs[:n], nonzero)]
            outs, touts = jvp(list(xs[:n]), ts)
            return [*outs, *[instantiate(t) for t in touts]]

        tangent_dims = [d for d, nz in zip(dims, nonzero) if nz]
        res = batch_callable(one, n + sum(nonzero), dims + tangent_dims)(
            *primals, *[t for t in tangents if type(t) is not Zero])
        m = len(res) // 2
        return res[:m], res[m:]

    return _batched_at_front(custom_jvp_call_p.bind(*args, call=bcall, jvp=bjvp))


custom_jvp_call_p = define_primitive(
    "custom_jvp_call",
    higher_order=True,
    impl=call_impl,
    eager=eager_call,
    abstract_eval=lambda *avals, call, jvp: traced_out_avals(call, avals),
    jvp=_custom_jvp_jvp,
    batch=_custom_jvp_batch,
    inline=inline_call,
    multiple_results=True,
)


def _resolve_args(fun: Callable, args: tuple, kwargs: dict, n_defaulted: int = 0) -> tuple:
    """Keyword arguments and defaults become positional (custom rules see positional args,
    as in JAX). `n_defaulted`: how many positional parameters `fun` has, if some have defaults."""
    if not kwargs and len(args) >= n_defaulted:
        return args
    sig = inspect.signature(fun)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _count_defaulted(fun: Callable) -> int:
    """The number of positional parameters of `fun` if some of them have defaults, else 0."""
    try:
        params = inspect.signature(fun).parameters.values()
    except (TypeError, ValueError):
        return 0
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) if any(p.default is not p.empty for p in positional) else 0


class _CustomBase:
    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self._n_defaulted = _count_defaulted(fun)

    def _resolved(self, args: tuple, kwargs: dict, rule, define: str) -> tuple:
        """The call's arguments, all positional; raises if the rule was never defined."""
        if rule is None:
            raise AttributeError(
                f"No {define[0]} defined for {type(self).__name__} function {self.__name__}; call .{define[1]} first."
            )
        return _resolve_args(self.fun, args, kwargs, self._n_defaulted)

    def _flat_fun(self, merge: Callable, store: dict) -> Callable:
        """The user's function on flat operands, recording its output tree in store["out_tree"]."""
        def call(*xs):
            out_flat, store["out_tree"] = tree_flatten(self.fun(*merge(xs)))
            return [as_value(o) for o in out_flat]

        call.__name__ = self.__name__  # printed names
        return call

    def _split(self, args: tuple, hoist_tracers: bool = False):
        """(static nondiff args, flat operands, merge: operands -> all args, operand tree).

        With `hoist_tracers`, tracers inside nondiff args become extra operands (after the
        others) with stopped gradients, so every transformation sees them."""
        nd = set(self.nondiff_argnums)
        static = {i: args[i] for i in nd}
        hoisted = []
        for i in sorted(nd) if hoist_tracers else ():
            leaves, tree = tree_flatten(args[i])
            where = [k for k, leaf in enumerate(leaves) if isinstance(leaf, Tracer)]
            if where:
                hoisted.append((i, tree, leaves, where))
        dyn = tuple(a for i, a in enumerate(args) if i not in nd)
        flat, in_tree = tree_flatten(dyn)
        flat = [as_value(x) for x in flat]
        n_dyn = len(flat)
        flat += [stop_gradient(leaves[k]) for _, _, leaves, where in hoisted for k in where]

        def merge(operands) -> list:
            nondiff = dict(static)
            extra = iter(operands[n_dyn:])
            for i, tree, leaves, where in hoisted:
                leaves = list(leaves)
                for k in where:
                    leaves[k] = next(extra)
                nondiff[i] = tree_unflatten(tree, leaves)
            dyn_args = iter(tree_unflatten(in_tree, list(operands[:n_dyn])))
            return [nondiff[i] if i in nd else next(dyn_args) for i in range(len(args))]

        return static, flat, merge, in_tree


class custom_jvp(_CustomBase):
    """A function with a user-defined JVP rule (`defjvp` or `defjvps`), used by every AD mode."""

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        super().__init__(fun, nondiff_argnums)
        self.jvp: Callable | None = None
        self.symbolic_zeros = False

    def defjvp(self, jvp: Callable, symbolic_zeros: bool = False) -> Callable:
        """jvp(primals, tangents) -> (primal_out, tangent_out); nondiff args come first.

        With symbolic_zeros=True the rule sees a `SymbolicZero` for each zero tangent."""
        self.jvp = jvp
        self.symbolic_zeros = symbolic_zeros
        return jvp

    def defjvps(self, *jvps: Callable | None) -> None:
        """One function per argument: jvps[i](g_i, primal_out, *primals) -> tangent term."""

        if self.nondiff_argnums:
            raise TypeError("Can't use defjvps with nondiff_argnums; use defjvp instead.")

        def jvp(primals, tangents):
            out = self(*primals)  # differentiating this again uses the rule, not `fun`
            out_tree = tree_structure(out)
            total = None
            for rule, t in zip(jvps, tangents):
                if rule is None:
                    continue
                term = rule(t, out, *primals)
                if tree_structure(term) != out_tree:
                    return out, term  # reported by the structure check of every custom_jvp rule
                total = term if total is None else _tree_add(total, term)
            return out, _tree_zeros_like(out) if total is None else total

        jvp.__name__ = "defjvps rule"
        self.jvp = jvp
        self.symbolic_zeros = False

    def __call__(self, *args, **kwargs):
        args = self._resolved(args, kwargs, self.jvp, ("JVP", "defjvp(...)"))
        static, flat, merge, _ = self._split(args, hoist_tracers=True)
        store: dict = {}
        nd = self.nondiff_argnums

        call = self._flat_fun(merge, store)

        def jvp(primals, tangents):
            p = merge(primals)
            t_all = merge([_rule_zero(t, self.symbolic_zeros) for t in tangents])
            dyn_idx = [i for i in range(len(p)) if i not in nd]
            if nd:
                res = self.jvp(*[p[i] for i in nd], tuple(p[i] for i in dyn_idx), tuple(t_all[i] for i in dyn_idx))
            else:
                res = self.jvp(tuple(p), tuple(t_all))
            outs, touts, out_tree = _checked_jvp_output(res, self.jvp, self.__name__)
            store.setdefault("out_tree", out_tree)
            return outs, touts

        jvp.__name__ = getattr(self.jvp, "__name__", "jvp")  # printed names
        outs = custom_jvp_call_p.bind(*flat, call=call, jvp=jvp)
        return tree_unflatten(store["out_tree"], outs)


def _tree_add(a, b):
    la, ta = tree_flatten(a)
    lb, _ = tree_flatten(b)
    return tree_unflatten(ta, [add(x, y) for x, y in zip(la, lb)])


def _tree_zeros_like(x):
    leaves, tree = tree_flatten(x)
    return tree_unflatten(tree, [instantiate(Zero(lift_aval(v).to_tangent_aval())) for v in leaves])


# ------------------------------------------------------------- what custom rules return

def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _describe(x) -> str:
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of length {len(x)}"
    return f"a value of type {type(x).__name__}"


def _is_float0(x) -> bool:
    dt = getattr(x, "dtype", None)
    return dt is not None and dt == float0


def _leaf_paths(tree, n: int) -> list[str]:
    return [keystr(p) for p, _ in tree_flatten_with_path(tree_unflatten(tree, range(n)))[0]]


def _checked_jvp_output(res, rule: Callable, fname: str) -> tuple[list, list, object]:
    """Flat primal and tangent outputs of a custom JVP rule, checked as JAX checks them."""
    where = f"custom_jvp rule {_name(rule)} of {fname}"
    if not (isinstance(res, (tuple, list)) and len(res) == 2):
        raise TypeError(f"{where} must return a pair (primal_out, tangent_out), but it returned {_describe(res)}")
    out_flat, out_tree = tree_flatten(res[0])
    tout_flat, tout_tree = tree_flatten(res[1])
    if out_tree != tout_tree:
        raise TypeError(
            f"{where} must return primal and tangent outputs with the same pytree structure, but "
            f"returned primal structure {out_tree} and tangent structure {tout_tree}"
        )
    outs = [as_value(o) for o in out_flat]
    touts = []
    for path, o, t in zip(_leaf_paths(out_tree, len(outs)), outs, tout_flat):
        expected = lift_aval(o).to_tangent_aval()
        if type(t) is Zero or isinstance(t, SymbolicZero):
            got = t.aval
            if (got.shape, got.dtype) == (expected.shape, expected.dtype):
                touts.append(Zero(expected))
                continue
        elif _is_float0(t):
            got = lift_aval(t)
            if expected.dtype == float0 and got.shape == expected.shape:
                touts.append(Zero(expected))
                continue
        else:
            t = as_value(t)
            got = lift_aval(t)
            if (got.shape, got.dtype) == (expected.shape, expected.dtype):
                touts.append(t)
                continue
        raise TypeError(
            f"{where} returned a tangent of type {got} for its primal output{path} of "
            f"type {lift_aval(o)}: the tangent must be {expected} (the "
            "primal's shape and dtype; float0 for integer and boolean outputs)"
        )
    return outs, touts, out_tree


def _checked_bwd_output(in_cts, in_tree, in_avals: list, rule: Callable, fname: str) -> list:
    """Flat input cotangents of a custom_vjp bwd rule (None: zero), checked as JAX checks them:
    a tuple with one entry per differentiable argument, each None or structured like that
    argument (None allowed for any part), with the argument's shapes."""
    where = f"custom_vjp bwd rule {_name(rule)} of {fname}"
    arg_trees = treedef_children(in_tree)
    flat: list = []
    if isinstance(in_cts, (tuple, list)) and len(in_cts) == len(arg_trees):
        for sub, c in zip(arg_trees, in_cts):
            if c is None:
                flat += [None] * sub.num_leaves
                continue
            leaves, tree = tree_flatten(c, is_leaf=lambda x: x is None)
            if tree != sub:
                leaves, tree = tree_flatten(c)
            if tree != sub:
                break
            flat += leaves
        else:
            return [_checked_ct(c, a, path, where) for c, a, path in
                    zip(flat, in_avals, _leaf_paths(in_tree, len(in_avals)))]
    got = tree_structure(in_cts, is_leaf=lambda x: x is None)
    raise TypeError(
        f"{where} must return a tuple with one cotangent per differentiable argument of "
        f"{fname}, each structured like its argument (or None for a zero cotangent), but it "
        f"returned structure {got} for arguments of structure {in_tree}"
    )


def _checked_ct(c, aval, path: str, where: str):
    if c is None or isinstance(c, SymbolicZero) or _is_float0(c) or aval.to_tangent_aval().dtype == float0:
        return None  # a zero cotangent; integer inputs take any cotangent, as in JAX
    try:
        c = as_value(c)
    except TypeError as e:
        raise TypeError(f"{where} returned an invalid cotangent at output{path}: {e}") from None
    got = lift_aval(c)
    if got.shape != aval.shape:
        raise ValueError(
            f"{where} returned a cotangent of type {got} at output{path} for an input "
            f"of type {aval}: the shapes must match"
        )
    return c


# -------------------------------------------------------------------------- custom_vjp

def _custom_vjp_jvp(primals, tangents, *, call, fwd, bwd):
    """Forward mode: run fwd, then apply the transpose of bwd (linear in the cotangent) to the tangents."""
    outs, res = fwd(*primals, perturbed=[type(t) is not Zero for t in tangents])
    out_avals = [lift_aval(o).to_tangent_aval() for o in outs]
    return outs, bwd_transposed(bwd, res, out_avals, tangents, call.__name__)


def _custom_vjp_linearize(trace, primals, tangents, *, call, fwd, bwd):
    """Run the user's forward pass now; stage a linear step whose transpose is `bwd`."""
    outs, res = call_under(trace.parent, fwd, *primals, perturbed=[type(t) is not Zero for t in tangents])
    res_flat, res_tree = tree_flatten(res)
    res_flat = [as_value(r) for r in res_flat]
    out_avals = tuple(lift_aval(o).to_tangent_aval() for o in outs)
    in_avals = tuple(lift_aval(p).to_tangent_aval() for p in primals)
    touts = custom_vjp_lin_p.bind(
        *res_flat, *[instantiate(t) for t in tangents],
        bwd=bwd, res_tree=res_tree, n_res=len(res_flat), out_avals=out_avals, in_avals=in_avals,
        fun_name=call.__name__,
    )
    return outs, touts


def _custom_vjp_batch(args, dims, *, call, fwd, bwd):
    args, size = _front(args, dims)
    n = len(args)
    bcall = batch_callable(call, n)
    store: dict = {}

    def flat_fwd(*xs):
        outs, res = fwd(*xs, perturbed=store["perturbed"])
        res_flat, store["res_tree"] = tree_flatten(res)
        store["n_out"] = len(outs)
        return [*outs, *[as_value(r) for r in res_flat]]

    bflat_fwd = batch_callable(flat_fwd, n)

    def bfwd(*xs, perturbed):
        store["perturbed"] = perturbed
        res = bflat_fwd(*xs)
        m = store["n_out"]
        return res[:m], tree_unflatten(store["res_tree"], res[m:])

    def bbwd(res, cts):
        res_flat, _ = tree_flatten(res)
        k = len(res_flat)
        f = batch_callable(lambda *zs: list(bwd(tree_unflatten(store["res_tree"], zs[:k]), list(zs[k:]))),
                            k + len(cts))
        return f(*res_flat, *[instantiate(c) for c in cts])

    bcall.__name__, bbwd.__name__ = call.__name__, bwd.__name__  # (named in forward mode's errors)
    return _batched_at_front(custom_vjp_call_p.bind(*args, call=bcall, fwd=bfwd, bwd=bbwd))


custom_vjp_call_p = define_primitive(
    "custom_vjp_call",
    higher_order=True,
    impl=call_impl,
    eager=eager_call,
    abstract_eval=lambda *avals, call, fwd, bwd: traced_out_avals(call, avals),
    jvp=_custom_vjp_jvp,
    linearize=_custom_vjp_linearize,
    batch=_custom_vjp_batch,
    inline=inline_call,
    multiple_results=True,
)


def _custom_vjp_lin_transpose(cts, *args, bwd, res_tree, n_res, out_avals, in_avals, fun_name):
    res = tree_unflatten(res_tree, args[:n_res])
    in_cts = bwd(res, list(cts))  # cts may be Zero (symbolic)
    return [None] * n_res + [None if c is None else as_value(c) for c in in_cts]


def _custom_vjp_lin_apply(*args, bwd, res_tree, n_res, out_avals, in_avals, fun_name) -> list:
    """The linear step evaluated forward (linearize's J·t): the transpose of bwd at the residuals."""
    res = tree_unflatten(res_tree, list(args[:n_res]))
    return [instantiate(t) for t in bwd_transposed(bwd, res, out_avals, args[n_res:], fun_name)]


def _custom_vjp_lin_impl(xp, *vals, **params):
    return call_impl(xp, *vals, call=functools.partial(_custom_vjp_lin_apply, **params))


def _custom_vjp_lin_jvp(primals, tangents, **params):
    return jvp_flat(functools.partial(_custom_vjp_lin_apply, **params), primals, tangents)


def _custom_vjp_lin_linearize(trace, primals, tangents, **params):
    """Under reverse mode, the forward evaluation is linearized in place (not pushed through
    a JVP, whose loops would put primal steps on the linear side)."""
    return linearize_inline(trace, functools.partial(_custom_vjp_lin_apply, **params), primals, tangents)


def _custom_vjp_lin_batch(args, dims, **params):
    args, dims = _front_batched(args, dims)
    return _batched_at_front(batch_callable(functools.partial(_custom_vjp_lin_apply, **params), len(args), dims)(*args))


custom_vjp_lin_p = define_primitive(
    "custom_vjp_lin",
    higher_order=True,
    impl=_custom_vjp_lin_impl,
    eager=lambda *args, **params: _custom_vjp_lin_apply(*[as_value(a) for a in args], **params),
    abstract_eval=lambda *avals, out_avals, **_: list(out_avals),
    jvp=_custom_vjp_lin_jvp,
    linearize=_custom_vjp_lin_linearize,
    batch=_custom_vjp_lin_batch,
    linear=True,
    transpose=_custom_vjp_lin_transpose,
    multiple_results=True,
)


class custom_vjp(_CustomBase):
    """A function with a user-defined reverse-mode rule: `f.defvjp(fwd, bwd)`.

    Unlike JAX, forward mode works too (jvp, jacfwd, hessian, linearize): the JVP is the
    transpose of bwd, traced as a function of the cotangent, in which it must be linear
    (a TypeError naming the function and the primitive says where it is not)."""

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        super().__init__(fun, nondiff_argnums)
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None
        self.symbolic_zeros = False
        self.optimize_remat = False

    def defvjp(self, fwd: Callable, bwd: Callable, symbolic_zeros: bool = False, optimize_remat: bool = False) -> None:
        """fwd(*args) -> (out, residuals); bwd(*nondiff_args, residuals, ct_out) -> tuple of cts.

        With symbolic_zeros=True, fwd sees each differentiable input leaf as a
        `CustomVJPPrimal(value, perturbed)` and bwd sees `SymbolicZero` for zero cotangents.
        With optimize_remat=True, fwd runs as one `remat_opt` equation (see control_flow/remat_opt.py)."""
        if optimize_remat and symbolic_zeros:
            raise NotImplementedError("custom_vjp.defvjp: remat optimization (optimize_remat=True) does not support "
                                      "symbolic zeros; pass symbolic_zeros=False or optimize_remat=False")
        self.fwd = fwd
        self.bwd = bwd
        self.symbolic_zeros = symbolic_zeros
        self.optimize_remat = optimize_remat

    def __call__(self, *args, **kwargs):
        args = self._resolved(args, kwargs, self.fwd, ("VJP", "defvjp(fwd, bwd)"))
        for i in self.nondiff_argnums:
            if any(isinstance(leaf, Tracer) for leaf in tree_flatten(args[i])[0]):
                raise UnexpectedTracerError(
                    f"{self.__name__}: argument {i} is marked non-differentiable (nondiff_argnums) but "
                    "holds a traced value; custom_vjp functions cannot take traced values there. Use "
                    "nondiff_argnums only for arguments that are not arrays (such as functions), and "
                    "pass arrays as ordinary arguments (bwd may return None for their cotangent)."
                )
        static, flat, merge, in_tree = self._split(args)
        nd = self.nondiff_argnums
        store: dict = {}

        call = self._flat_fun(merge, store)

        def fwd(*xs, perturbed):
            if self.symbolic_zeros:
                xs = [CustomVJPPrimal(x, p) for x, p in zip(xs, perturbed)]
            if self.optimize_remat:
                pair = remat_optimized_forward(lambda *ys: self.fwd(*merge(ys)), xs)
            else:
                pair = self.fwd(*merge(xs))
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TypeError(
                    f"custom_vjp fwd rule {_name(self.fwd)} of {self.__name__} must return a pair "
                    "(primal_out, residuals): the function's output and the values bwd needs, but "
                    f"it returned {_describe(pair)}"
                )
            out_flat, out_tree = tree_flatten(pair[0])
            store.setdefault("out_tree", out_tree)
            return [as_value(o) for o in out_flat], pair[1]

        in_avals = [lift_aval(x) for x in flat]

        def bwd(res, cts):
            ct = tree_unflatten(store["out_tree"], [_rule_zero(c, self.symbolic_zeros) for c in cts])
            in_cts = self.bwd(*[static[i] for i in nd], res, ct)
            return _checked_bwd_output(in_cts, in_tree, in_avals, self.bwd, self.__name__)

        fwd.__name__, bwd.__name__ = getattr(self.fwd, "__name__", "fwd"), getattr(self.bwd, "__name__", "bwd")
        outs = custom_vjp_call_p.bind(*flat, call=call, fwd=fwd, bwd=bwd)
        return tree_unflatten(store["out_tree"], outs)


# -------------------------------------------------------------------------- checkpoint

def live_part(closed: ClosedJaxpr) -> ClosedJaxpr:
    """`closed` without the equations its outputs do not need (so they are never run)."""
    prog = dce(Program(closed.jaxpr, list(closed.consts)))
    return ClosedJaxpr(prog.jaxpr, prog.consts)


def _remat_jvp(primals, tangents, *, call, **_):
    outs, touts = jvp_flat(call, primals, tangents)
    return outs, touts


def _remat_linearize(trace, primals, tangents, *, call, policy=None):
    """Primal outputs now; the tangent step keeps only the inputs (or, with a policy, also
    the values it saves) and recomputes the rest."""
    tangents = [instantiate(t) for t in tangents]
    if policy is not None:
        body = call_under(trace.parent, trace_to_jaxpr, call, [lift_aval(p) for p in primals], label="checkpoint")
        return policy_linearize(functools.partial(call_under, trace.parent), body, policy, primals, tangents)
    outs = call_under(trace.parent, remat_call_p.bind, *primals, call=call)
    touts = remat_lin_p.bind(*primals, *tangents, call=call, n=len(primals))
    return outs, touts


def _remat_batch(args, dims, *, call, **policy):
    # Unbatched operands (such as closed-over weights) stay shared rather than broadcast.
    args, dims = _front_batched(args, dims)
    return _batched_at_front(remat_call_p.bind(*args, call=batch_callable(call, len(args), dims), **policy))


remat_call_p = define_primitive(
    "checkpoint",
    higher_order=True,
    impl=call_impl,
    eager=eager_call,
    abstract_eval=lambda *avals, call, **_: traced_out_avals(call, avals),
    jvp=_remat_jvp,
    linearize=_remat_linearize,
    batch=_remat_batch,
    inline=inline_call,
    multiple_results=True,
)


def _lin_apply(call: Callable, n: int) -> Callable:
    """(primals, tangents) -> J(primals)·tangents, recomputing the forward pass.

    Linearizing (rather than pushing tangents through `call`) leaves out the tangent
    steps the outputs do not need, such as the transposed bwd rule of a custom_vjp
    function whose result is unused."""

    def apply(*xs):
        _, lin = linearize_flat(call, list(xs[:n]), label="checkpoint")
        lin = live_part(lin)
        return [instantiate(t) for t in eval_jaxpr(lin.jaxpr, lin.consts, *xs[n:])]

    return apply


def _remat_lin_avals(*avals, call, n):
    return [a.to_tangent_aval() for a in traced_out_avals(call, avals[:n])]


def _remat_lin_jvp(primals, tangents, *, call, n):
    outs, touts = jvp_flat(_lin_apply(call, n), list(primals), list(tangents))
    return outs, touts


def _remat_lin_transpose(cts, *args, call, n):
    """Recompute the forward pass, linearized only in the inputs whose cotangent is wanted."""
    wanted = [i for i in range(n) if type(args[n + i]) is UndefinedPrimal]

    def of_wanted(*xs):
        full = list(args[:n])
        for i, x in zip(wanted, xs):
            full[i] = x
        return call(*full)

    _, lin = linearize_flat(of_wanted, [args[i] for i in wanted], label="checkpoint")
    undefined = [UndefinedPrimal(v.aval) for v in lin.jaxpr.invars]
    in_cts = iter(backward_pass(lin.jaxpr, lin.consts, undefined, list(cts)))
    out: list = [None] * (2 * n)
    for i in wanted:
        c = next(in_cts)
        out[n + i] = None if type(c) is Zero else c
    return out


def _remat_lin_batch(args, dims, *, call, n):
    # The JVP of the batched function is the batched JVP: rebind with vmap(call). A primal
    # and its tangent are batched together, so that they keep the same shape.
    size = batch_size(args, dims)
    pair = [dims[i] is not None or dims[n + i] is not None for i in range(n)]
    args = [bdim_to_front(a, d, size) if pair[i % n] else a for i, (a, d) in enumerate(zip(args, dims))]
    return _batched_at_front(remat_lin_p.bind(*args, call=batch_callable(call, n, [0 if b else None for b in pair]), n=n))


remat_lin_p = define_primitive(
    "checkpoint_lin",
    higher_order=True,
    impl=lambda xp, *vals, call, n: call_impl(xp, *vals, call=_lin_apply(call, n)),
    eager=lambda *args, call, n: _lin_apply(call, n)(*[as_value(a) for a in args]),
    abstract_eval=_remat_lin_avals,
    jvp=_remat_lin_jvp,
    batch=_remat_lin_batch,
    linear=True,
    transpose=_remat_lin_transpose,
    multiple_results=True,
)


def _every_const(_) -> bool:
    return True


def _closure_converted(closed: ClosedJaxpr) -> tuple[Callable, list]:
    """The Jaxpr as a function of (its constants, its inputs), and those constants: closed-over
    tracers of outer transformations become explicit operands, so every transformation sees them."""
    converted, consts = hoist_consts(closed, _every_const)

    def call(*xs):
        return eval_jaxpr(converted.jaxpr, converted.consts, *xs)

    return call, consts


def _argnums_of_names(fun: Callable, names: str | Sequence[str]) -> tuple[int, ...]:
    """The positions of the named parameters of `fun` (checkpoint's static_argnames)."""
    names = (names,) if isinstance(names, str) else tuple(names)
    if not names:
        return ()
    params = list(inspect.signature(fun).parameters)
    missing = [n for n in names if n not in params]
    if missing:
        raise ValueError(f"checkpoint: static_argnames {missing} are not parameters of {_name(fun)} ({params})")
    return tuple(params.index(n) for n in names)


def checkpoint(fun: Callable, *, prevent_cse: bool | Sequence[bool] = True, policy: Callable | None = None,
               static_argnums: int | Sequence[int] = (), static_argnames: str | Sequence[str] = ()) -> Callable:
    """Rematerialize: reverse mode stores only `fun`'s inputs and recomputes its internals;
    with `policy` (see `checkpoint_policies`), also the values the policy saves, and
    recomputes the rest in the backward pass.

    As in JAX, `fun` is traced once per call (so Python control flow on its array
    arguments is an error), and what its outputs do not need is dropped. `prevent_cse`
    keeps XLA from merging the recomputation with the original; nablax's eager and grad
    paths never merge them (jit's CSE may: compiled code is about speed, not memory)."""
    if policy is not None and not callable(policy):
        raise TypeError(f"checkpoint: policy must be a callable (see checkpoint_policies), got {policy!r}")
    extra = {} if policy is None else {"policy": policy}
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    static += _argnums_of_names(fun, static_argnames)

    @functools.wraps(fun)
    def remat_fun(*args, **kwargs):
        if current_trace() is None:  # no transformation: nothing to rematerialize
            return tree_map(as_value, fun(*args, **kwargs))  # Arrays out, as a traced call gives
        args = _resolve_args(fun, args, kwargs)
        flat_dyn, in_tree = tree_flatten(tuple(a for i, a in enumerate(args) if i not in static))
        flat_dyn = [as_value(x) for x in flat_dyn]
        store: dict = {}

        def flat_fun(*xs):
            it = iter(tree_unflatten(in_tree, xs))
            full = [args[i] if i in static else next(it) for i in range(len(args))]
            out = fun(*full)
            out_flat, store["out_tree"] = tree_flatten(out)
            return [as_value(o) for o in out_flat]

        closed = live_part(trace_to_jaxpr(flat_fun, [lift_aval(x) for x in flat_dyn], label="checkpoint"))
        call, consts = _closure_converted(closed)
        outs = remat_call_p.bind(*consts, *flat_dyn, call=call, **extra)
        return tree_unflatten(store["out_tree"], outs)

    return remat_fun


remat = checkpoint
