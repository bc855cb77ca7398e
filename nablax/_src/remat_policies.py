"""jax.checkpoint_policies and jax.ad_checkpoint on nablax.

A policy is called as `policy(prim, *in_avals, **params)` for each equation of a
checkpointed function and answers whether reverse mode may save that equation's outputs
(True, `Saveable`, or `Offloadable(src, dst)`) or must recompute them in the backward pass
(False, `Recompute`). nablax has one memory, the host's, so offloading saves the value.
"""
from __future__ import annotations

import dataclasses
import inspect
import types
from typing import Callable

from .control_flow.remat_policy import Offloadable, Recompute, Saveable, name_p
from .core import lift_aval
from .interpreters.linearize import linearize_flat
from .interpreters.staging import hoist_consts, trace_to_jaxpr
from .ir import Var
from .primitives.conv import conv_general_dilated_p
from .primitives.linalg import dot_general_p
from .tree import tree_flatten, tree_map, tree_unflatten


def everything_saveable(*_, **__) -> bool:
    """Save every residual: as if checkpoint were not used."""
    return True


def nothing_saveable(*_, **__) -> bool:
    """Save nothing but the inputs: recompute everything (checkpoint's default)."""
    return False


def _no_batch_dims(params: dict) -> bool:
    (_, _), (lhs_b, rhs_b) = params["dimension_numbers"]
    return not lhs_b and not rhs_b


@dataclasses.dataclass(frozen=True)
class _DotsSaveable:
    only_if_no_batch_dims: bool

    def __call__(self, prim, *args, **params) -> bool:
        if self.only_if_no_batch_dims:
            return prim is dot_general_p and _no_batch_dims(params)
        return prim is dot_general_p or prim is conv_general_dilated_p


dots_saveable = checkpoint_dots = _DotsSaveable(False)
dots_with_no_batch_dims_saveable = checkpoint_dots_with_no_batch_dims = _DotsSaveable(True)


def offload_dot_with_no_batch_dims(offload_src, offload_dst) -> Callable:
    """As dots_with_no_batch_dims_saveable, offloading the saved dots (on nablax: saving them)."""
    def policy(prim, *_, **params):
        if prim is dot_general_p and _no_batch_dims(params):
            return Offloadable(src=offload_src, dst=offload_dst)
        return Recompute

    return policy


def save_anything_except_these_names(*names_not_to_save) -> Callable:
    """As in JAX 0.10.2, this saves every value, the named ones too (JAX's own TODO says the
    policy does not work; nablax keeps its behaviour)."""
    return everything_saveable


@dataclasses.dataclass(frozen=True)
class _SaveAnyNamesButThese:
    names: frozenset

    def __call__(self, prim, *_, **params) -> bool:
        return prim is name_p and params["name"] not in self.names


@dataclasses.dataclass(frozen=True)
class _SaveOnlyTheseNames:
    names: frozenset

    def __call__(self, prim, *_, **params) -> bool:
        return prim is name_p and params["name"] in self.names


def save_any_names_but_these(*names_not_to_save) -> Callable:
    """Save only named values (checkpoint_name), except the names given."""
    return _SaveAnyNamesButThese(frozenset(names_not_to_save))


def save_only_these_names(*names_which_can_be_saved) -> Callable:
    """Save only the named values among the names given."""
    return _SaveOnlyTheseNames(frozenset(names_which_can_be_saved))


def save_and_offload_only_these_names(*, names_which_can_be_saved, names_which_can_be_offloaded, offload_src,
                                      offload_dst) -> Callable:
    """As save_only_these_names, offloading the second group (on nablax: saving it too)."""
    saved, offloaded = set(names_which_can_be_saved), set(names_which_can_be_offloaded)
    both = saved & offloaded
    if both:
        raise ValueError(
            "The names should be exclusive and should not intersect in `names_which_can_be_saved` and "
            f"`names_which_can_be_offloaded`. Got names_which_can_be_saved={saved}, "
            f"names_which_can_be_offloaded={offloaded} and the intersection={both}")

    def policy(prim, *_, **params):
        if prim is name_p and params["name"] in saved:
            return Saveable
        if prim is name_p and params["name"] in offloaded:
            return Offloadable(src=offload_src, dst=offload_dst)
        return Recompute

    return policy


def save_from_both_policies(policy_1: Callable, policy_2: Callable) -> Callable:
    """Logical OR of two boolean policies."""
    def policy(prim, *args, **params):
        out1, out2 = policy_1(prim, *args, **params), policy_2(prim, *args, **params)
        if not (isinstance(out1, bool) and isinstance(out2, bool)):
            raise ValueError(
                f"The return value of the policies should be a boolean. Got: {out1} and {out2}. Please write a "
                "custom policy function directly, rather than using this helper function.")
        return out1 or out2

    return policy


checkpoint_policies = types.SimpleNamespace(
    everything_saveable=everything_saveable,
    nothing_saveable=nothing_saveable,
    dots_saveable=dots_saveable,
    checkpoint_dots=checkpoint_dots,
    dots_with_no_batch_dims_saveable=dots_with_no_batch_dims_saveable,
    checkpoint_dots_with_no_batch_dims=checkpoint_dots_with_no_batch_dims,
    offload_dot_with_no_batch_dims=offload_dot_with_no_batch_dims,
    save_anything_except_these_names=save_anything_except_these_names,
    save_any_names_but_these=save_any_names_but_these,
    save_only_these_names=save_only_these_names,
    save_from_both_policies=save_from_both_policies,
    save_and_offload_only_these_names=save_and_offload_only_these_names,
)


def checkpoint_name(x, name: str):
    """`x` unchanged (every leaf of a pytree), named `name` for the name-based policies."""
    return tree_map(lambda leaf: name_p.bind(leaf, name=name), x)


def _producer(v, jaxpr) -> str:
    for e in jaxpr.eqns:
        if v in e.outvars:
            where = f" from {e.source}" if e.source is not None else ""
            if e.prim is name_p:
                return f"named '{e.params['name']}'{where}"
            return f"output of {e.prim.name}{where}"
    return "from a constant"


def _arg_names(f: Callable, args: tuple, kwargs: dict) -> list[str]:
    """One name per flat input: the parameter's name when each positional argument is one array."""
    flat_args = [tree_flatten(a)[0] for a in args]
    try:
        params = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        params = []
    names = []
    for i, leaves in enumerate(flat_args):
        base = params[i] if i < len(params) else f"args[{i}]"
        names += [base] if len(leaves) == 1 else [f"{base}[{k}]" for k in range(len(leaves))]
    return names + [f"kwargs[{k}]" for k in range(len(tree_flatten(kwargs)[0]))]


def saved_residuals(f: Callable, *args, **kwargs) -> list[tuple]:
    """[(aval, description)] of what reverse mode through `f` saves for the backward pass
    (everything outside a checkpoint is saved, so this shows what checkpoint changes):
    the arguments it keeps, then the saved intermediate values in program order."""
    flat, in_tree = tree_flatten((args, kwargs))
    store: dict = {}

    def flat_f(*xs):
        a, k = tree_unflatten(in_tree, list(xs))
        return tree_flatten(f(*a, **k))[0]

    def forward(*xs):  # traced, running `f` itself, so each equation keeps the user's source line
        outs, lin = linearize_flat(flat_f, list(xs), label="saved_residuals")
        _, residuals = hoist_consts(lin)
        store["n_out"] = len(outs)
        return outs + residuals

    primal = trace_to_jaxpr(forward, [lift_aval(x) for x in flat], label="saved_residuals").jaxpr
    residuals = [v for v in primal.outvars[store["n_out"]:] if type(v) is Var]
    names = _arg_names(f, args, kwargs)
    kept_args = [(v.aval, f"from the argument {name}") for v, name in zip(primal.invars, names) if v in residuals]
    order = {v: i for i, e in enumerate(primal.eqns) for v in e.outvars}
    inner = sorted((v for v in residuals if v not in primal.invars), key=lambda v: order.get(v, -1))
    return kept_args + [(v.aval, _producer(v, primal)) for v in inner]


def print_saved_residuals(f: Callable, *args, **kwargs) -> None:
    """Print one line per residual reverse mode through `f` saves, as JAX does."""
    for aval, what in saved_residuals(f, *args, **kwargs):
        print(f"{aval.str_short()} {what}")


__all__ = ["checkpoint_policies", "checkpoint_name", "print_saved_residuals", "Saveable", "Recompute", "Offloadable"]
