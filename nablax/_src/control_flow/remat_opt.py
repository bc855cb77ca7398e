"""remat_opt: the primitive a custom_vjp forward rule defined with `optimize_remat=True` binds.

Its value is the forward rule's: the function's outputs followed by the residuals. JAX binds
it so that a rematerialized forward pass whose residuals go unused runs the primal function
instead of `fwd`. In nablax a primal-only evaluation of a custom_vjp function never calls
`fwd` to begin with, and jit inlines the forward rule's trace, so its dead-code elimination
drops whatever only the residuals need. Unlike JAX's (NotImplementedError for higher-order
AD), it is differentiable to any order: its JVP is the JVP of the forward rule.
"""
from __future__ import annotations

from typing import Callable, Sequence

from ..interpreters.jvp import jvp_flat
from ..primitives._define import define_primitive
from ..primitives.templates import moveaxis
from ..tree import tree_flatten, tree_unflatten
from .call_rules import batch_callable, call_impl, eager_call, inline_call, traced_out_avals
from .common import as_value


def _remat_opt_jvp(primals, tangents, *, call):
    return jvp_flat(call, list(primals), list(tangents))


def _remat_opt_batch(args, dims, *, call):
    args = [a if d is None else moveaxis(a, d, 0) for a, d in zip(args, dims)]
    in_dims = [None if d is None else 0 for d in dims]
    outs = remat_opt_p.bind(*args, call=batch_callable(call, len(args), in_dims))
    return outs, [0] * len(outs)


remat_opt_p = define_primitive(
    "remat_opt",
    higher_order=True,
    impl=call_impl,
    eager=eager_call,
    abstract_eval=lambda *avals, call: traced_out_avals(call, avals),
    jvp=_remat_opt_jvp,
    batch=_remat_opt_batch,
    inline=inline_call,
    multiple_results=True,
)



def remat_optimized_forward(fwd: Callable, args: Sequence) -> tuple:
    """`fwd(*args) -> (out, residuals)` (flat array args) computed as one remat_opt equation."""
    store: dict = {}

    def flat_fwd(*xs):
        leaves, store["tree"] = tree_flatten(tuple(fwd(*xs)))
        return [as_value(leaf) for leaf in leaves]

    outs = remat_opt_p.bind(*args, call=flat_fwd)
    return tree_unflatten(store["tree"], outs)
