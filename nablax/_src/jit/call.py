"""jit_call_p ("jit" in jaxprs): the higher-order primitive a jitted function binds under transformations.

Under grad, vmap or an outer jit, `jit(f)(x)` binds `jit_call(*consts, *args, jaxpr=...)`:
JVP and vmap transform the Jaxpr and bind jit_call again (so the result is compiled),
linearize evaluates the body in place (its primal part runs eagerly, its tangent part is
staged), and an outer jit inlines it.
"""
from __future__ import annotations

import weakref
from typing import Callable

import numpy as np

from .. import custom_derivatives as cd
from ..array import wrap
from ..backends import numpy_backend
from ..core import _trace_var
from ..interpreters.batching import batch_jaxpr
from ..interpreters.jvp import jvp_jaxpr
from ..interpreters.linearize import linearize_inline
from ..interpreters.staging import trace_to_jaxpr
from ..ir import ClosedJaxpr, eval_jaxpr
from ..primitives._define import define_primitive, instantiate
from ..primitives.templates import batch_size, bdim_to_front
from . import passes
from .codegen import compile_program

_compiled: "weakref.WeakKeyDictionary[ClosedJaxpr, Callable]" = weakref.WeakKeyDictionary()


def inliners() -> dict:
    """How each call-like primitive's body is found when jit inlines it."""
    def by_call(eqn):
        closed = trace_to_jaxpr(eqn.params["call"], [a.aval for a in eqn.invars], label="jit")
        return closed.jaxpr, closed.consts

    return {
        jit_call_p.name: lambda eqn: (eqn.params["jaxpr"].jaxpr, eqn.params["jaxpr"].consts),
        cd.custom_jvp_call_p.name: by_call,
        cd.custom_vjp_call_p.name: by_call,
        cd.remat_call_p.name: by_call,
    }


def compile_closed(closed: ClosedJaxpr, name: str = "jitted") -> tuple[Callable, str]:
    """Optimize and generate code. Runs at the eval trace: constant folding computes values
    even when compilation happens while an outer transformation is tracing."""
    token = _trace_var.set(None)
    try:
        prog = passes.optimize(passes.Program(closed.jaxpr, list(closed.consts)), inliners())
        return compile_program(prog, numpy_backend.xp, name)
    finally:
        _trace_var.reset(token)


def _impl(xp, *vals, jaxpr, name):
    fn = _compiled.get(jaxpr)
    if fn is None:
        fn = _compiled[jaxpr] = compile_closed(jaxpr, name)[0]
    return list(fn(*vals))


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
    multiple_results=True,
)
