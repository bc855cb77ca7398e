"""jit_call_p ("jit" in jaxprs): the higher-order primitive a jitted function binds under transformations.

Under grad, vmap or an outer jit, `jit(f)(x)` binds `jit_call(*consts, *args, jaxpr=...)`:
JVP and vmap transform the Jaxpr and bind jit_call again (so the result is compiled),
linearize evaluates the body in place (its primal part runs eagerly, its tangent part is
staged), and an outer jit inlines it.
"""
from __future__ import annotations

import numpy as np

from ..ad_util import instantiate
from ..array import wrap
from ..interpreters.batching import batch_jaxpr
from ..interpreters.jvp import jvp_jaxpr
from ..interpreters.linearize import linearize_inline
from ..ir import eval_jaxpr
from ..primitives._define import define_primitive
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
    n, m = len(primals), len(jaxpr.out_avals)
    new = jvp_jaxpr(jaxpr, [True] * n, [True] * m, [n], [m], f"jvp({name})")
    res = jit_call_p.bind(*primals, *[instantiate(t) for t in tangents], jaxpr=new, name=name)  # JAX keeps the name
    return res[:m], res[m:]


def _linearize(trace, primals, tangents, *, jaxpr, name):
    """Evaluate the body in the linearize trace: primals now, tangents staged."""
    return linearize_inline(trace, lambda *xs: eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *xs), primals, tangents)


def _batch(args, dims, *, jaxpr, name):
    size = batch_size(args, dims)
    args = [bdim_to_front(a, d, size) if d is not None else a for a, d in zip(args, dims)]
    n_out = len(jaxpr.out_avals)
    new, out_batched = batch_jaxpr(jaxpr, size, [d is not None for d in dims], [False] * n_out, f"vmap({name})")
    outs = jit_call_p.bind(*args, jaxpr=new, name=name)  # JAX keeps the name
    return outs, [0 if b else None for b in out_batched]  # unbatched outputs stay unbatched


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
