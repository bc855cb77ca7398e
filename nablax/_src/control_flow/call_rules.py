"""The rules that call-like primitives running user functions share: custom_jvp, custom_vjp,
checkpoint and remat_opt trace the function for abstract eval and jit's inlining, run it on
Arrays eagerly and from generated code, and vectorize it for vmap."""
from __future__ import annotations

from typing import Callable, Sequence

from ..array import Array, wrap
from ..core import lift_aval
from ..interpreters.batching import batch_flat
from ..interpreters.staging import trace_to_jaxpr
from ..ir import Jaxpr
from ..primitives.templates import bdim_to_front
from .common import as_value


def traced_out_avals(call: Callable, avals) -> list:
    return trace_to_jaxpr(call, list(avals), label="custom function").out_avals


def inline_call(eqn) -> tuple[Jaxpr, list]:
    """jit inlines the call as the trace of its primal function (compiled code takes no derivatives)."""
    closed = trace_to_jaxpr(eqn.params["call"], [a.aval for a in eqn.invars], label="jit")
    return closed.jaxpr, closed.consts


def call_impl(xp, *vals, call, **_):
    """Generated code calls this: run the user's function on Arrays, return raw values."""
    outs = call(*[wrap(v, False) for v in vals])
    return [o._value if type(o) is Array else o for o in outs]


def eager_call(*args, call, **_):
    return call(*[as_value(a) for a in args])


def batch_callable(fn: Callable, n_in: int, in_dims: Sequence | None = None) -> Callable:
    """`fn` over flat args, vectorized along axis 0 of every output and of every argument
    (or of those whose `in_dims` entry is 0; the others, None, are shared by all examples)."""
    dims_in = [0] * n_in if in_dims is None else list(in_dims)
    first = dims_in.index(0)

    def batched(*args):
        size = lift_aval(args[first]).shape[0]
        outs, dims = batch_flat(lambda *xs: fn(*xs), args, dims_in, size, None)
        return [bdim_to_front(o, d, size) for o, d in zip(outs, dims)]

    return batched
