"""jit_call_p ("jit" in jaxprs): the higher-order primitive a jitted function binds under transformations.

Under grad, vmap or an outer jit, `jit(f)(x)` binds `jit_call(*consts, *args, jaxpr=...)`:
JVP and vmap transform the Jaxpr and bind jit_call again (so the result is compiled),
linearize evaluates the body in place (its primal part runs eagerly, its tangent part is
staged), and an outer jit inlines it.
"""
from __future__ import annotations

import numpy as np

from ..array import wrap
from ..avals import Zero
from ..core import _trace_var, lift_aval
from ..interpreters.batching import batch_flat, current_axis_name
from ..interpreters.jvp import jvp_flat
from ..interpreters.linearize import LinearizeTracer
from ..interpreters.staging import trace_to_jaxpr
from ..ir import eval_jaxpr
from ..primitives._define import define_primitive, instantiate
from ..primitives.templates import batch_size, bdim_to_front
from .compile import compiled


def _impl(xp, *vals, jaxpr, name):
    return list(compiled(jaxpr, name)(*vals))


def _eager(*args, jaxpr, name):
    # A rule may pass a Python scalar: give it the dtype the traced program expects.
    vals = [a._value if hasattr(a, "_value") else np.asarray(a, v.aval.dtype)
            for a, v in zip(args, jaxpr.jaxpr.invars)]
    outs = _impl(np, *vals, jaxpr=jaxpr, name=name)
    return [wrap(o, aval.weak_type) for o, aval in zip(outs, jaxpr.out_avals)]


def _jvp(primals, tangents, *, jaxpr, name):
    n = len(primals)

    def jvp_fun(*xs):
        outs, touts = jvp_flat(lambda *p: eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *p), list(xs[:n]), list(xs[n:]))
        return [*outs, *[instantiate(t) for t in touts]]

    ts = [instantiate(t) for t in tangents]
    in_avals = [lift_aval(x) for x in (*primals, *ts)]
    new = trace_to_jaxpr(jvp_fun, in_avals, label=f"jvp({name})")
    res = jit_call_p.bind(*primals, *ts, jaxpr=new, name=name)  # JAX keeps the name
    m = len(res) // 2
    return res[:m], res[m:]


def _linearize(trace, primals, tangents, *, jaxpr, name):
    """Evaluate the body in the linearize trace: primals now, tangents staged."""
    ins = [p if type(t) is Zero else LinearizeTracer(trace, p, t) for p, t in zip(primals, tangents)]
    token = _trace_var.set(trace)
    try:
        outs = eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *ins)
    finally:
        _trace_var.reset(token)
    pairs = [(o.primal, o.tangent) if type(o) is LinearizeTracer and o._trace is trace
             else (o, Zero(lift_aval(o).to_tangent_aval())) for o in outs]
    return [p for p, _ in pairs], [t for _, t in pairs]


def _batch(args, dims, *, jaxpr, name):
    size = batch_size(args, dims)
    args = [bdim_to_front(a, d, size) if d is not None else a for a, d in zip(args, dims)]
    in_dims = [None if d is None else 0 for d in dims]

    store: dict = {}

    def batched(*xs):
        outs, out_dims = batch_flat(lambda *p: eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *p), list(xs), in_dims, size,
                                    current_axis_name())
        store["dims"] = [None if d is None else 0 for d in out_dims]  # unbatched outputs stay unbatched
        return [o if d is None else bdim_to_front(o, d, size) for o, d in zip(outs, out_dims)]

    new = trace_to_jaxpr(batched, [lift_aval(a) for a in args], label=f"vmap({name})")
    outs = jit_call_p.bind(*args, jaxpr=new, name=name)  # JAX keeps the name
    return outs, store["dims"]


jit_call_p = define_primitive(
    "jit",  # the name JAX's jaxprs print for a nested jit
    higher_order=True,
    impl=_impl,
    eager=_eager,
    abstract_eval=lambda *avals, jaxpr, name: list(jaxpr.out_avals),
    jvp=_jvp,
    linearize=_linearize,
    batch=_batch,
    inline=lambda eqn: (eqn.params["jaxpr"].jaxpr, eqn.params["jaxpr"].consts),
    multiple_results=True,
)
