"""linear_call: a linear function called with its own transpose (jax.custom_derivatives.linear_call).

`fun(residual_args, linear_args)` is linear in `linear_args`; `fun_transpose(residual_args,
cts)` is its transpose. The primitive carries both as flat functions; its transpose is the
same primitive with the two swapped, so transposing twice gives `fun` back. Differentiating
it with respect to the residual arguments, or vmapping it, is not supported (as in JAX).
"""
from __future__ import annotations

from typing import Callable

from ..ad_util import instantiate
from ..array import Array, wrap
from ..avals import Zero
from ..interpreters.staging import trace_to_jaxpr
from ..primitives._define import define_primitive
from ..tree import tree_flatten, tree_unflatten
from .common import as_value as _as_value


def _impl(xp, *vals, callee, transpose, n_res):
    outs = callee(*[wrap(v, False) for v in vals])
    return [o._value if type(o) is Array else o for o in outs]


def _abstract(*avals, callee, transpose, n_res):
    return trace_to_jaxpr(callee, list(avals), label="linear_call").out_avals


def _jvp(primals, tangents, *, callee, transpose, n_res):
    if any(type(t) is not Zero for t in tangents[:n_res]):
        raise AssertionError("linear_call: differentiating with respect to the residual arguments is not "
                             "supported; only the linear arguments may carry tangents")
    params = dict(callee=callee, transpose=transpose, n_res=n_res)
    outs = linear_call_p.bind(*primals, **params)
    touts = linear_call_p.bind(*primals[:n_res], *[instantiate(t) for t in tangents[n_res:]], **params)
    return outs, touts


def _transpose(cts, *args, callee, transpose, n_res):
    res = args[:n_res]
    out_avals = _abstract(*[a.aval for a in args], callee=callee, transpose=transpose, n_res=n_res)
    cts = [instantiate(Zero(a.to_tangent_aval())) if type(c) is Zero else c for c, a in zip(cts, out_avals)]
    in_cts = linear_call_p.bind(*res, *cts, callee=transpose, transpose=callee, n_res=n_res)
    return [None] * n_res + list(in_cts)


def _batch(args, dims, **params):
    raise NotImplementedError("Batching rule for 'linear_call' not implemented")


linear_call_p = define_primitive(
    "linear_call",
    higher_order=True,
    impl=_impl,
    eager=lambda *args, callee, transpose, n_res: callee(*[_as_value(a) for a in args]),
    abstract_eval=_abstract,
    jvp=_jvp,
    batch=_batch,
    linear=True,
    transpose=_transpose,
    multiple_results=True,
)


def linear_call(fun: Callable, fun_transpose: Callable, residual_args, linear_args):
    """fun(residual_args, linear_args), whose transpose in `linear_args` is
    fun_transpose(residual_args, cts)."""
    res_flat, res_tree = tree_flatten(residual_args)
    lin_flat, lin_tree = tree_flatten(linear_args)
    n_res = len(res_flat)
    store: dict = {}

    def callee(*xs):
        out = fun(tree_unflatten(res_tree, list(xs[:n_res])), tree_unflatten(lin_tree, list(xs[n_res:])))
        leaves, store["out_tree"] = tree_flatten(out)
        return [_as_value(leaf) for leaf in leaves]

    def transpose(*xs):
        ct = fun_transpose(tree_unflatten(res_tree, list(xs[:n_res])), tree_unflatten(store["out_tree"], list(xs[n_res:])))
        leaves, tree = tree_flatten(ct)
        if tree != lin_tree:
            raise TypeError("transpose output pytree structure must match that of linear inputs, got output "
                            f"structure {tree} and input structure {lin_tree}.")
        return [_as_value(leaf) for leaf in leaves]

    callee.__name__ = getattr(fun, "__name__", "fun")
    transpose.__name__ = getattr(fun_transpose, "__name__", "fun_transpose")
    outs = linear_call_p.bind(*[_as_value(x) for x in res_flat + lin_flat], callee=callee, transpose=transpose,
                              n_res=n_res)
    return tree_unflatten(store["out_tree"], outs)
