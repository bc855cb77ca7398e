"""The transformations users call: make_jaxpr, jvp, vjp, linearize, grad, jacobians, vmap.

Each flattens its pytree arguments, runs a flat interpreter from `interpreters/`, and
rebuilds the pytree outputs. Argument checking happens here, so errors name the
user's function, argument and shapes rather than an interpreter's internals.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Hashable, Sequence

import numpy as np

from . import ad_util, debug_nans, dtypes
from .array import Array, to_concrete_array, wrap
from .avals import ShapedArray, ShapeDtypeStruct, UndefinedPrimal, Zero, float0
from .core import Tracer, lift_aval
from .custom_derivatives import live_part
from .interpreters.batching import batch_flat
from .interpreters.jvp import jvp_flat
from .interpreters.linearize import linearize_flat
from .interpreters.staging import trace_to_jaxpr
from .interpreters.transpose import backward_pass
from .ir import eval_jaxpr
from .primitives import refs, templates
from .primitives.misc import convert_element_type
from .primitives.shape import broadcast_in_dim, reshape, slice_in_dim
from .traceback_util import api_boundary
from .tree import (
    Partial,
    PyTreeDef,
    broadcast_prefix,
    keystr,
    tree_flatten,
    tree_flatten_with_path,
    tree_structure,
    tree_unflatten,
)

_SCALARS = (bool, int, float, complex)
_VALUES = (Array, Tracer)  # what _check_leaf passes through unchanged

debug_nans.sync()  # a flag set from the environment (JAX_DEBUG_NANS=1) takes effect at import


# ------------------------------------------------------------------------------ helpers

def _fun_name(fun: Callable) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _check_leaf(x, where: str, path: str = ""):
    """Arguments of transformed functions must be arrays or scalars."""
    if isinstance(x, (Array, Tracer)):
        return x
    if isinstance(x, _SCALARS) or isinstance(x, (np.ndarray, np.generic)):
        return to_concrete_array(x)
    if type(x) is refs.Ref:  # JAX's ValueError (a Ref has no cotangent type)
        raise ValueError(f"{where}: argument {path or ''} is a mutable array reference ({x!r}); a Ref cannot be "
                         "differentiated, mapped or returned. Pass its value (ref[...]) instead.")
    raise TypeError(
        f"{where}: argument {path or ''} of type {type(x).__name__} is not a valid array "
        "type; arguments must be arrays, scalars, or pytrees (tuples, lists, dicts) of them."
    )


def _is_float0(x) -> bool:
    """A float0 tangent/cotangent as JAX users write it: np.zeros(shape, float0)."""
    return isinstance(x, np.ndarray) and x.dtype == float0


def _flatten_args(args, where: str) -> tuple[list, PyTreeDef]:
    pairs, tree = tree_flatten_with_path(args)
    return [_check_leaf(x, where, keystr(p)) for p, x in pairs], tree


def _flat_fun(fun: Callable, in_tree: PyTreeDef, store: dict, has_aux: bool = False) -> Callable:
    """Wrap a pytree function as flat-in / flat-out; the output tree lands in `store`."""

    def flat(*args):
        out = fun(*tree_unflatten(in_tree, args))
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(
                    f"{_fun_name(fun)} was transformed with has_aux=True, so it must return a "
                    f"pair (output, auxiliary data); it returned {type(out).__name__}"
                )
            out, aux = out
            aux_flat, store["aux_tree"] = tree_flatten(aux)
        else:
            aux_flat = []
        out_flat, store["out_tree"] = tree_flatten(out)
        store["n_out"] = len(out_flat)
        return [o if isinstance(o, _VALUES) else _check_leaf(o, f"output of {_fun_name(fun)}")
                for o in out_flat] + list(aux_flat)

    return flat


def _argnums_tuple(argnums, nargs: int, where: str, too_few: type = ValueError) -> tuple[int, ...]:
    """argnums normalized to non-negative ints. An index past the last argument raises
    `too_few` (grad raises TypeError there, as JAX does); other bad indices ValueError."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if isinstance(n, int) and n >= nargs:
            raise too_few(
                f"{where}: argnums={argnums!r} needs at least {n + 1} positional argument(s), but the "
                f"function was called with {nargs}"
            )
        if not isinstance(n, int) or not -nargs <= n < nargs:
            raise ValueError(
                f"{where}: argnums={argnums!r} is out of range for a call with {nargs} positional "
                "argument(s)"
            )
    return tuple(n % nargs for n in nums)


def _partial_args(fun: Callable, args: tuple, kwargs: dict, argnums: tuple[int, ...]) -> Callable:
    """`fun` as a function of the positional arguments in `argnums` only."""

    def partial(*dyn):
        full = list(args)
        for i, x in zip(argnums, dyn):
            full[i] = x
        return fun(*full, **kwargs)

    return partial


def _zeros_for(aval):
    return ad_util.zeros_of_aval(aval)


def _instantiate_ct(ct, primal_aval):
    """A concrete cotangent with the primal's weak type (grad of a Python float is weak, as in JAX)."""
    if type(ct) is Zero:
        return _zeros_for(primal_aval.to_tangent_aval())
    aval = lift_aval(ct)
    if aval.weak_type != primal_aval.weak_type and aval.dtype == primal_aval.dtype:
        return convert_element_type(ct, aval.dtype, weak_type=primal_aval.weak_type)
    return ct


# ---------------------------------------------------------------------------- make_jaxpr

def make_jaxpr(fun: Callable, static_argnums: int | Sequence[int] = (), return_shape: bool = False) -> Callable:
    """`make_jaxpr(f)(*args)`: the ClosedJaxpr that `f` traces to (prints like JAX's)."""
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @api_boundary
    @functools.wraps(fun)
    def make(*args, **kwargs):
        dyn_nums = tuple(i for i in range(len(args)) if i not in static)
        dyn = [args[i] for i in dyn_nums]
        flat, in_tree = _flatten_args(tuple(dyn), "make_jaxpr")
        store: dict = {}
        f = _flat_fun(_partial_args(fun, args, kwargs, dyn_nums), in_tree, store)
        closed = trace_to_jaxpr(f, [lift_aval(x) for x in flat], label="make_jaxpr")
        if return_shape:
            shapes = [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type) for a in closed.out_avals]
            return closed, tree_unflatten(store["out_tree"], shapes)
        return closed

    return make



# ----------------------------------------------------------------------------------- jvp

@api_boundary
def jvp(fun: Callable, primals: Sequence, tangents: Sequence, has_aux: bool = False):
    """Forward mode: (fun(*primals), J·tangents); with has_aux also the auxiliary data."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            "jvp: primals and tangents must be tuples or lists with one entry per positional "
            f"argument, got {type(primals).__name__} and {type(tangents).__name__}"
        )
    if len(primals) != len(tangents):  # a structure mismatch: TypeError, as in JAX
        raise TypeError(f"jvp: got {len(primals)} primals but {len(tangents)} tangents")
    flat_p, in_tree = _flatten_args(tuple(primals), "jvp")
    flat_t, t_tree = tree_flatten(tuple(tangents))
    if t_tree != in_tree:
        raise TypeError(f"jvp: primal and tangent structures differ: primals {in_tree}, tangents {t_tree}")
    ts = []
    for p, t in zip(flat_p, flat_t):
        paval = lift_aval(p)
        taval = paval.to_tangent_aval()
        if _is_float0(t) and taval.dtype == float0:
            if t.shape != paval.shape:
                raise ValueError(f"jvp: primal shape {paval.shape} and tangent shape {t.shape} differ")
            ts.append(Zero(taval))
            continue
        t = _check_leaf(t, "jvp tangent")
        tav = lift_aval(t)
        if tav.shape != paval.shape:
            raise ValueError(f"jvp: primal shape {paval.shape} and tangent shape {tav.shape} differ")
        if taval.dtype == float0 or tav.dtype == float0:
            ts.append(Zero(taval))
        elif tav.dtype != taval.dtype:
            raise TypeError(
                f"jvp: primal dtype {paval.dtype.name} needs a tangent of dtype {taval.dtype.name}, "
                f"got {tav.dtype.name}"
            )
        else:
            if tav.weak_type != paval.weak_type:  # the tangent takes its primal's weak type
                t = convert_element_type(t, tav.dtype, weak_type=paval.weak_type)
            ts.append(t)
    store: dict = {}
    outs, touts = jvp_flat(_flat_fun(fun, in_tree, store, has_aux), flat_p, ts)
    n = store["n_out"]
    touts = [ad_util.instantiate(t) for t in touts[:n]]
    out = tree_unflatten(store["out_tree"], outs[:n])
    tout = tree_unflatten(store["out_tree"], touts)
    if has_aux:
        return out, tout, tree_unflatten(store["aux_tree"], outs[n:])
    return out, tout


# ----------------------------------------------------------------------- linearize, vjp

class _LinearFunction:
    """The static part of a function that linearize, vjp and linear_transpose return: a
    `Partial` of it whose leaves are the Jaxpr's constants (the residuals), so the function
    can be passed through jit, vmap and tree functions, as in JAX."""

    __slots__ = ("jaxpr", "in_tree", "out_tree", "in_avals", "out_avals", "__weakref__")
    kind = "linear function"

    def __init__(self, jaxpr, in_tree: PyTreeDef, out_tree: PyTreeDef, in_avals: list, out_avals: list):
        self.jaxpr, self.in_tree, self.out_tree = jaxpr, in_tree, out_tree
        self.in_avals, self.out_avals = in_avals, out_avals

    def __repr__(self) -> str:
        return f"<{self.kind} {self.in_tree} -> {self.out_tree}>"

    def _cotangent(self, args: tuple, where: str, structure_error: type) -> tuple[tuple, list]:
        """(the residuals, the cotangent's leaves) of a call given one cotangent argument."""
        k = len(self.jaxpr.constvars)
        if len(args) != k + 1:
            raise TypeError(
                f"the function returned by {where} takes exactly one argument, the cotangent (a pytree "
                f"matching the differentiated function's output), got {len(args) - k}"
            )
        leaves, tree = tree_flatten(args[k])
        if tree != self.out_tree:
            raise structure_error(f"{where}: cotangent structure {tree} must match output structure {self.out_tree}")
        return args[:k], leaves


class _LinearizedFunction(_LinearFunction):
    """What `linearize` returns: the tangents of the outputs (the Jaxpr's first
    len(out_avals) outputs; the rest belong to aux outputs)."""

    __slots__ = ()
    kind = "linearized function"

    @api_boundary
    def __call__(self, *args):
        k = len(self.jaxpr.constvars)
        flat_t, t_tree = tree_flatten(args[k:])
        if t_tree != self.in_tree:
            raise TypeError(f"linearize: tangent structure {t_tree} differs from primal structure {self.in_tree}")
        checked = []
        for t, a in zip(flat_t, self.in_avals):
            expected = a.to_tangent_aval()
            if _is_float0(t) and t.shape == a.shape:
                checked.append(_zeros_for(expected))
                continue
            t = _check_leaf(t, "linearize tangent")
            got = lift_aval(t)
            if (got.shape, got.dtype) != (expected.shape, expected.dtype) and expected.dtype != float0:
                raise ValueError(
                    f"linearize: the linearized function got a tangent of type {got} for a primal of "
                    f"type {a}; it must be {expected}"
                )
            checked.append(t)
        res = eval_jaxpr(self.jaxpr, args[:k], *checked)
        return tree_unflatten(self.out_tree, res[:len(self.out_avals)])


@api_boundary
def linearize(fun: Callable, *primals, has_aux: bool = False):
    """(fun(*primals), f_jvp) where f_jvp(*tangents) evaluates the linearized function.

    f_jvp is a `tree_util.Partial` whose leaves are the residuals."""
    return _linearized(_LinearizedFunction, "linearize", fun, primals, has_aux)


def _linearized(kind: type, where: str, fun: Callable, primals: tuple, has_aux: bool) -> tuple:
    """linearize and vjp: (outputs, Partial(kind(...), *residuals)[, aux])."""
    flat, in_tree = _flatten_args(primals, where)
    store: dict = {}
    outs, lin = linearize_flat(_flat_fun(fun, in_tree, store, has_aux), flat, label=where)
    if kind is _LinearizedFunction:  # run forward: tangent steps nothing needs must not run
        lin = live_part(lin)  # (e.g. the transposed bwd of an unused custom_vjp)
    n = store["n_out"]
    spec = kind(lin.jaxpr, in_tree, store["out_tree"], [lift_aval(x) for x in flat], [lift_aval(o) for o in outs[:n]])
    out = tree_unflatten(store["out_tree"], outs[:n])
    if has_aux:
        return out, Partial(spec, *lin.consts), tree_unflatten(store["aux_tree"], outs[n:])
    return out, Partial(spec, *lin.consts)


def _backward(jaxpr, consts: Sequence, in_avals: list, cts_flat: list) -> list:
    """Cotangents of the inputs of the linear `jaxpr` (padded with Zero for aux outputs)."""
    args = [UndefinedPrimal(v.aval) for v in jaxpr.invars]
    padded = list(cts_flat) + [Zero(v.aval) for v in jaxpr.outvars[len(cts_flat):]]
    cts = backward_pass(jaxpr, consts, args, padded)
    return [_instantiate_ct(c, a) for c, a in zip(cts, in_avals)]


def _vjp_flat(flat_fun: Callable, flat: list, label: str):
    outs, lin = linearize_flat(flat_fun, flat, label=label)
    in_avals = [lift_aval(x) for x in flat]

    def backward(cts_flat: list) -> list:
        return _backward(lin.jaxpr, lin.consts, in_avals, cts_flat)

    return outs, backward


def _checked_ct(c, aval, i: int, tree: PyTreeDef):
    """Leaf `i` of a cotangent for an output of type `aval`, checked as JAX checks it."""
    expected = aval.to_tangent_aval()
    if _is_float0(c) or (type(c) is Array and c.dtype == float0):
        got = ShapedArray(c.shape, float0)
    else:
        c = _check_leaf(c, "vjp cotangent")
        got = lift_aval(c)
    if got.shape == expected.shape and (got.dtype == expected.dtype or expected.dtype == float0):
        return Zero(expected) if expected.dtype == float0 or got.dtype == float0 else c
    path = keystr(tree_flatten_with_path(tree_unflatten(tree, range(tree.num_leaves)))[0][i][0])
    raise ValueError(
        f"vjp: the cotangent{path} has type {got}, but the differentiated function's output{path} "
        f"has type {aval}, so its cotangent must have type {expected} (integer and boolean "
        "outputs accept any dtype of their shape)"
    )


class _VJPFunction(_LinearFunction):
    """What `vjp` returns: pulls a cotangent of the outputs (of types out_avals) back."""

    __slots__ = ()
    kind = "vjp of a function"

    @api_boundary
    def __call__(self, *args):
        residuals, leaves = self._cotangent(args, "vjp", ValueError)
        checked = [_checked_ct(c, a, i, self.out_tree) for i, (c, a) in enumerate(zip(leaves, self.out_avals))]
        return tree_unflatten(self.in_tree, _backward(self.jaxpr, residuals, self.in_avals, checked))


@api_boundary
def vjp(fun: Callable, *primals, has_aux: bool = False):
    """(fun(*primals), vjp_fn): vjp_fn(cotangent) returns one cotangent per primal (a tuple).

    vjp_fn is a `tree_util.Partial` whose leaves are the residuals of the linearization."""
    return _linearized(_VJPFunction, "vjp", fun, primals, has_aux)


# ---------------------------------------------------------------------------------- grad

def _check_grad_input(x, where: str, allow_int: bool, holomorphic: bool, path: str) -> None:
    dt = lift_aval(x).dtype
    if holomorphic:
        if dt.kind != "c":
            raise TypeError(
                f"{where} with holomorphic=True requires complex inputs, but argument {path} has "
                f"dtype {dt.name}"
            )
        return
    if not dtypes.is_inexact(dt) and not allow_int:
        raise TypeError(
            f"{where} requires real- or complex-valued (float) inputs, but argument {path} has "
            f"dtype {dt.name}. If you want to differentiate with respect to integer or boolean "
            "inputs, use vjp or set allow_int=True (their gradients are float0 zeros)."
        )


def _refuse_reduce_axes(reduce_axes, where: str) -> None:
    """JAX keeps `reduce_axes` in the signature but refuses it (it is deprecated); so do we."""
    if reduce_axes:
        raise NotImplementedError(f"{where}: the reduce_axes argument is deprecated and not supported "
                                  "(sum the gradient over the named axis with lax.psum instead)")


_SCALAR_TREE = tree_structure(0.0)


def _grad_inputs(dyn: tuple, fun: Callable, allow_int: bool, holomorphic: bool) -> tuple[list, PyTreeDef]:
    """The flat differentiated arguments, checked. Key paths are rendered only for an error:
    the common case (arrays and floats of inexact dtype) never builds them."""
    leaves, in_tree = tree_flatten(dyn)
    flat = []
    for x in leaves:
        if not isinstance(x, _VALUES):
            if not (isinstance(x, _SCALARS) or isinstance(x, (np.ndarray, np.generic))):
                break
            x = to_concrete_array(x)
        if holomorphic or not (allow_int or x.dtype.kind in "fc" or dtypes.is_inexact(x.dtype)):
            break  # (kind "f"/"c" is is_inexact's common case, without its two calls)
        flat.append(x)
    else:
        return flat, in_tree
    flat = []  # some leaf is refused or needs a closer look: check each with its path
    for p, x in tree_flatten_with_path(dyn)[0]:
        x = _check_leaf(x, f"grad of {_fun_name(fun)}", keystr(p))
        _check_grad_input(x, "grad", allow_int, holomorphic, keystr(p))
        flat.append(x)
    return flat, in_tree


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False, holomorphic: bool = False,
                   allow_int: bool = False, reduce_axes: Sequence = ()) -> Callable:
    """A function returning (fun(*args), gradient w.r.t. args[argnums])."""
    _refuse_reduce_axes(reduce_axes, "value_and_grad")
    name = "value_and_grad"

    @api_boundary
    @functools.wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        if type(argnums) is int and 0 <= argnums < len(args):
            nums: tuple = (argnums,)
            dyn = (args[argnums],)
        else:
            nums = _argnums_tuple(argnums, len(args), f"grad of {_fun_name(fun)}", TypeError)
            dyn = tuple([args[i] for i in nums])
        flat, in_tree = _grad_inputs(dyn, fun, allow_int, holomorphic)
        store: dict = {}
        f = _flat_fun(_partial_args(fun, args, kwargs, nums), in_tree, store, has_aux)
        outs, backward = _vjp_flat(f, flat, "grad")
        n = store["n_out"]
        if n != 1 or (store["out_tree"] is not _SCALAR_TREE and store["out_tree"] != _SCALAR_TREE):
            shapes = [tuple(lift_aval(o).shape) for o in outs[:n]]
            raise TypeError(
                f"grad requires a scalar output, but {_fun_name(fun)} returned "
                f"{'shape ' + str(shapes[0]) if n == 1 else f'{n} values with shapes {shapes}'}. "
                "Reduce it to a scalar (e.g. .sum()), or use jacrev / jacfwd for a Jacobian, or "
                "vjp to pull back a cotangent of that shape."
            )
        out = outs[0]
        aval = lift_aval(out)
        if aval.shape != ():
            raise TypeError(
                f"grad requires a scalar output, but {_fun_name(fun)} returned shape {aval.shape}. "
                "Reduce it to a scalar (e.g. .sum()), or use jacrev / jacfwd for a Jacobian, or "
                "vjp to pull back a cotangent of that shape."
            )
        if aval.dtype.kind == "c" and not holomorphic:
            raise TypeError(
                f"grad requires real-valued outputs, but {_fun_name(fun)} returned dtype "
                f"{aval.dtype.name}. For holomorphic functions pass holomorphic=True; otherwise "
                "use vjp directly."
            )
        if aval.dtype.kind not in "fc" and not dtypes.is_inexact(aval.dtype):
            raise TypeError(
                f"grad requires a float output, but {_fun_name(fun)} returned dtype {aval.dtype.name}"
            )
        g = backward([wrap(np.array(1, aval.dtype), aval.weak_type)])  # seeded like the output
        g = tree_unflatten(in_tree, g)
        g = g[0] if isinstance(argnums, int) else g
        if has_aux:
            return (out, tree_unflatten(store["aux_tree"], outs[n:])), g
        return out, g

    value_and_grad_f.__name__ = f"{name}({_fun_name(fun)})"
    return value_and_grad_f


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False, holomorphic: bool = False,
         allow_int: bool = False, reduce_axes: Sequence = ()) -> Callable:
    """The gradient of a scalar function w.r.t. the positional argument(s) `argnums`."""
    _refuse_reduce_axes(reduce_axes, "grad")
    vg = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)

    @api_boundary
    @functools.wraps(fun)
    def grad_f(*args, **kwargs):
        (val, g) = vg(*args, **kwargs)
        if has_aux:
            return g, val[1]
        return g

    return grad_f


# --------------------------------------------------------------------------------- vmap

def _normalize_in_axis(axis, ndim: int, path: str, where: str):
    if axis is None:
        return None
    if not isinstance(axis, int):
        raise TypeError(f"{where}: axis specifications must be ints or None, got {axis!r} for argument {path}")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{where}: in_axes={axis} is out of range for argument {path} of rank {ndim} "
            f"(valid axes are {-ndim}..{ndim - 1})"
        )
    return axis % ndim


def vmap(
    fun: Callable,
    in_axes: Any = 0,
    out_axes: Any = 0,
    axis_name: Hashable | None = None,
    axis_size: int | None = None,
    spmd_axis_name: Any = None,
) -> Callable:
    """Vectorize `fun` over the axes `in_axes` of its arguments (JAX's semantics).

    `spmd_axis_name` only says how to spread the mapped axis over a device mesh; nablax's
    devices are lanes of one NumPy computation, so it does not change what runs."""
    return mapped(fun, in_axes, out_axes, axis_name, axis_size, where=f"vmap({_fun_name(fun)})")


def mapped(fun: Callable, in_axes: Any, out_axes: Any, axis_name: Hashable | None, axis_size: int | None, *,
           where: str, group: Any = None, varying_out: str | None = None) -> Callable:
    """vmap's machinery, shared with pmap and shard_map: `group` is the ProcessGroup the mapped
    axis spans (each process passing its own lanes), None for one process; `where` names the
    caller in errors, `varying_out` what to say of an output with out_axes None that varies."""
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)

    @api_boundary
    @functools.wraps(fun)
    def vmapped(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(
                f"{where}: in_axes has {len(in_axes)} entries but the function was called with "
                f"{len(args)} positional arguments; in_axes must be an int, None, or a tuple with "
                "one entry (a pytree prefix) per positional argument"
            )
        axes_tree = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
        full = (tuple(args), kwargs)
        leaves, in_tree = tree_flatten(full)
        if not kwargs and _flat_axes(args, axes_tree):
            leaf_axes = axes_tree  # one array and one int/None per argument: the prefix is itself
        else:
            try:
                leaf_axes = broadcast_prefix((axes_tree, 0 if kwargs else {}), full)
            except ValueError as e:
                raise ValueError(
                    f"{where}: in_axes does not match the structure of the arguments.\n{e}"
                ) from None
        labels: list = []

        def label_of(i: int) -> str:  # key paths are rendered only for a message that shows them
            if not labels:
                labels.extend(_arg_label(p) for p, _ in tree_flatten_with_path(full)[0])
            return labels[i]

        flat, dims, sizes, ref_at = [], [], [], {}
        for i, (x, ax) in enumerate(zip(leaves, leaf_axes)):
            if type(x) is refs.Ref:  # primitives/refs.py: unmapped, passed through; mapped, its value is
                if ax is None:
                    flat.append(x)
                    dims.append(None)
                    continue
                ref_at[len(flat)] = x  # batched inside and stored back after
                x = refs.read(x)
            if not isinstance(x, _VALUES):
                x = _check_leaf(x, where, label_of(i))
            shape = lift_aval(x).shape
            nd = len(shape)
            if ax is None:
                d = None
            elif type(ax) is int and -nd <= ax < nd:
                d = ax % nd
            else:
                d = _normalize_in_axis(ax, nd, label_of(i), where)
            if ax is not None and nd == 0:
                raise ValueError(f"{where}: cannot map over axis {ax} of argument {label_of(i)}, a scalar (rank 0)")
            flat.append(x)
            dims.append(d)
            if d is not None:
                sizes.append((i, shape[d]))
        size = axis_size
        distinct = {s for _, s in sizes}
        if len(distinct) > 1 or (size is not None and distinct and distinct != {size}):
            listing = "\n".join(f"  argument {label_of(i)} has size {s} along its mapped axis" for i, s in sizes)
            raise ValueError(f"{where} got inconsistent sizes for the mapped axis:\n{listing}")
        if size is None:
            if not sizes:
                raise ValueError(
                    f"{where} must have at least one argument with a mapped axis (in_axes not None), "
                    "or be given axis_size"
                )
            size = sizes[0][1]
        store: dict = {}

        def flat_fun(*xs):
            a, kw = tree_unflatten(in_tree, xs)
            out = fun(*a, **kw)
            out_flat, store["out_tree"] = tree_flatten(out)
            return [o if isinstance(o, _VALUES) else _check_leaf(o, f"output of {where}") for o in out_flat]

        run = flat_fun if not ref_at else lambda *xs: refs.call_with_refs(flat_fun, xs, ref_at)
        outs, out_dims = batch_flat(run, flat, dims, size, axis_name, group)
        if ref_at:  # the mapped refs' final values, each back on its own mapped axis
            n = len(outs) - len(ref_at)
            for (i, ref), o, d in zip(ref_at.items(), outs[n:], out_dims[n:]):
                refs.store(ref, _move_out(o, d, dims[i], size, where))
            outs, out_dims = outs[:n], out_dims[:n]
        out_tree = store["out_tree"]
        try:
            out_axes_flat = [out_axes] * len(outs) if out_axes is None or type(out_axes) is int else \
                broadcast_prefix(out_axes, tree_unflatten(out_tree, outs))
        except ValueError as e:
            raise ValueError(f"{where}: out_axes does not match the structure of the outputs.\n{e}") from None
        results = [
            _move_out(o, d, ax, size, where, varying_out) for o, d, ax in zip(outs, out_dims, out_axes_flat)
        ]
        return tree_unflatten(out_tree, results)

    return vmapped


def _flat_axes(args: tuple, axes: tuple) -> bool:
    """Whether every argument is one array (a leaf) and its axis an int or None, so that
    `axes` is already the per-leaf list broadcast_prefix would compute."""
    for a, ax in zip(args, axes):
        if not (isinstance(a, _VALUES) and (ax is None or type(ax) is int)):
            return False
    return True


def _arg_label(path) -> str:
    """keypath of ((args, kwargs)) rendered as the user sees it: args[0]['w'] or kwargs['x']."""
    if not path:
        return "args"
    head = "args" if getattr(path[0], "idx", 0) == 0 else "kwargs"
    return head + keystr(path[1:])


def _move_out(x, d, ax, size: int, where: str, varying_out: str | None = None):
    nd = lift_aval(x).ndim + (0 if d is not None else 1)
    if ax is None:
        if d is not None:
            raise ValueError(f"{where}: " + (varying_out or (
                "out_axes is None for an output that depends on the mapped inputs; "
                "only outputs that do not vary along the mapped axis can use out_axes=None")))
        return x
    if not isinstance(ax, int) or not -nd <= ax < nd:
        raise ValueError(f"{where}: out_axes={ax} is out of range for an output of rank {nd}")
    ax %= nd
    if d is None:
        x = to_concrete_array(x) if not isinstance(x, (Array, Tracer)) else x
        shape = lift_aval(x).shape
        out_shape = shape[:ax] + (size,) + shape[ax:]
        dims = tuple(i for i in range(nd) if i != ax)
        return broadcast_in_dim(x, out_shape, dims)
    return templates.moveaxis(x, d, ax)


# ---------------------------------------------------------------------------- jacobians

def _basis(avals, total: int, weak: bool = False) -> list:
    """Identity rows split per leaf: leaf i's piece has shape (total,) + shape_i.
    With `weak`, each piece has its leaf's weak type (tangents of jacfwd, as in JAX)."""
    pieces, start = [], 0
    for a in avals:
        eye = np.eye(total, dtype=a.dtype)[:, start:start + a.size]
        pieces.append(wrap(np.ascontiguousarray(eye).reshape((total,) + a.shape), weak and a.weak_type))
        start += a.size
    return pieces


def _take(x, axis: int, start: int, stop: int, total: int):
    if start == 0 and stop == total:
        return x
    return slice_in_dim(x, start, stop, axis=axis)


def _jac_inputs(fun, args, kwargs, argnums, where, holomorphic, allow_int=False):
    nums = _argnums_tuple(argnums, len(args), where)
    dyn = args[nums[0]] if isinstance(argnums, int) else tuple(args[i] for i in nums)
    pairs, in_tree = tree_flatten_with_path(dyn)
    flat = []
    for p, x in pairs:
        x = _check_leaf(x, where, keystr(p))
        _check_grad_input(x, where, allow_int, holomorphic, keystr(p))
        flat.append(x)
    if isinstance(argnums, int):
        def f(*xs):
            return _partial_args(fun, args, kwargs, nums)(tree_unflatten(in_tree, xs))
    else:
        def f(*xs):
            return _partial_args(fun, args, kwargs, nums)(*tree_unflatten(in_tree, xs))
    return f, flat, in_tree


def _jacobian(stacked: list, forward: bool, out_avals: list, in_avals: list, in_tree, store: dict,
              aux: list, has_aux: bool):
    """The pytree-of-pytrees Jacobian (block (j, i) of shape out_j + in_i), with the aux output.

    stacked: jacfwd's, one per output, the input basis along its last axis; jacrev's, one
    per input, the output basis along axis 0."""
    basis = in_avals if forward else out_avals
    total = sum(a.size for a in basis)
    starts = np.cumsum([0] + [a.size for a in basis])

    def block(j, i):
        k = i if forward else j
        piece = _take(stacked[j] if forward else stacked[i], out_avals[j].ndim if forward else 0,
                      int(starts[k]), int(starts[k + 1]), total)
        return reshape(piece, out_avals[j].shape + in_avals[i].shape)

    rows = [tree_unflatten(in_tree, [block(j, i) for i in range(len(in_avals))]) for j in range(len(out_avals))]
    result = tree_unflatten(store["out_tree"], rows)
    return (result, tree_unflatten(store["aux_tree"], aux)) if has_aux else result


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable:
    """Jacobian by forward mode: vmap of jvp over the standard basis of the inputs."""

    @api_boundary
    @functools.wraps(fun)
    def jac_f(*args, **kwargs):
        f, flat, in_tree = _jac_inputs(fun, args, kwargs, argnums, "jacfwd", holomorphic)
        in_avals = [lift_aval(x) for x in flat]
        total = sum(a.size for a in in_avals)
        store: dict = {}
        flat_f = _flat_fun(lambda *xs: f(*xs), tree_structure(tuple(range(len(flat)))), store, has_aux)

        def push(*tangents):
            outs, touts = jvp_flat(flat_f, flat, list(tangents))
            n = store["n_out"]
            return outs, [ad_util.instantiate(t) for t in touts[:n]]

        outs, jac = vmap(push, in_axes=0, out_axes=(None, -1))(*_basis(in_avals, total, weak=True))
        n = store["n_out"]
        out_avals = [lift_aval(o) for o in outs[:n]]
        return _jacobian(jac, True, out_avals, in_avals, in_tree, store, outs[n:], has_aux)

    return jac_f


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False, allow_int: bool = False) -> Callable:
    """Jacobian by reverse mode: vmap of vjp over the standard basis of the outputs."""

    @api_boundary
    @functools.wraps(fun)
    def jac_f(*args, **kwargs):
        f, flat, in_tree = _jac_inputs(fun, args, kwargs, argnums, "jacrev", holomorphic, allow_int)
        in_avals = [lift_aval(x) for x in flat]
        store: dict = {}
        flat_f = _flat_fun(lambda *xs: f(*xs), tree_structure(tuple(range(len(flat)))), store, has_aux)
        outs, backward = _vjp_flat(flat_f, flat, "jacrev")
        n = store["n_out"]
        out_avals = [lift_aval(o) for o in outs[:n]]
        total = sum(a.size for a in out_avals)
        cts = vmap(lambda *c: backward(list(c)))(*_basis(out_avals, total))
        return _jacobian(cts, False, out_avals, in_avals, in_tree, store, outs[n:], has_aux)

    return jac_f


def hessian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
            holomorphic: bool = False) -> Callable:
    """The Hessian: jacfwd(jacrev(fun)), forward-over-reverse."""
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic), argnums,
                  has_aux=has_aux, holomorphic=holomorphic)


# ---------------------------------------------------------------------- linear_transpose

class _TransposedFunction(_LinearFunction):
    """What `linear_transpose` returns: the transpose of the traced linear function."""

    __slots__ = ()
    kind = "transpose of a linear function"

    @api_boundary
    def __call__(self, *args):
        residuals, ct_flat = self._cotangent(args, "linear_transpose", TypeError)
        cts = []
        for c, a in zip(ct_flat, self.jaxpr.out_avals):
            c = _check_leaf(c, "linear_transpose cotangent")
            got = lift_aval(c)
            if (got.shape, got.dtype) != (a.shape, a.dtype):
                raise TypeError(f"linear_transpose: cotangent of type {got} for an output of type {a}; the types must match")
            cts.append(c)
        undefined = [UndefinedPrimal(a) for a in self.in_avals]
        res = backward_pass(self.jaxpr, residuals, undefined, cts)
        # The result's weak type follows the cotangent's (as in JAX), not the primal's.
        return tree_unflatten(self.in_tree, [_zeros_for(a.to_tangent_aval()) if type(r) is Zero else r
                                              for r, a in zip(res, self.in_avals)])


@api_boundary
def linear_transpose(fun: Callable, *primals) -> Callable:
    """The transpose of the linear function `fun` (primals give the input shapes/dtypes)."""
    flat, in_tree = _flatten_args(primals, "linear_transpose")
    in_avals = [lift_aval(x) for x in flat]
    store: dict = {}
    closed = trace_to_jaxpr(_flat_fun(fun, in_tree, store), in_avals, label="linear_transpose")
    spec = _TransposedFunction(closed.jaxpr, in_tree, store["out_tree"], in_avals, closed.out_avals)
    return Partial(spec, *closed.consts)
