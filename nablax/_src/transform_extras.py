"""Small top-level transformations: named_call, named_scope, ensure_compile_time_eval,
custom_gradient and closure_convert, written on the core (staging, custom_vjp)."""
from __future__ import annotations

import contextlib
import functools
from contextvars import ContextVar
from typing import Callable, Iterator

from .control_flow.common import as_value as _as_value
from .core import current_trace, lift_aval
from .custom_derivatives import custom_vjp
from .interpreters.staging import StagingTrace, hoist_consts, trace_to_jaxpr
from .ir import eval_jaxpr
from .tree import register_pytree_node, tree_flatten, tree_unflatten

_name_stack: ContextVar = ContextVar("nablax_name_stack", default=())


@contextlib.contextmanager
def named_scope(name: str) -> Iterator[None]:
    """Name the operations traced inside (JAX puts the name in compiled-program metadata;
    it never changes a value). `current_name_stack()` reads the active names."""
    if not isinstance(name, str):
        raise TypeError("named_scope name argument must be a string.")
    token = _name_stack.set((*_name_stack.get(), name))
    try:
        yield
    finally:
        _name_stack.reset(token)


def current_name_stack() -> tuple[str, ...]:
    """The names of the enclosing named_scope / named_call blocks, outermost first."""
    return _name_stack.get()


def named_call(fun: Callable, *, name: str | None = None) -> Callable:
    """`fun`, with what it traces inside named_scope(name or fun's name); no numeric effect."""
    scope = name if name is not None else getattr(fun, "__name__", type(fun).__name__)

    @functools.wraps(fun)
    def named(*args, **kwargs):
        with named_scope(scope):
            return fun(*args, **kwargs)

    return named


@contextlib.contextmanager
def ensure_compile_time_eval() -> Iterator[None]:
    """Inside, operations on concrete values run at once even while jit or make_jaxpr traces
    (operations on traced values are still staged), so their results can steer Python
    control flow."""
    flipped = []
    trace = current_trace()
    while trace is not None:
        if isinstance(trace, StagingTrace) and trace.stage_all:
            trace.stage_all = False
            flipped.append(trace)
        trace = trace.parent
    try:
        yield
    finally:
        for t in flipped:
            t.stage_all = True


# ------------------------------------------------------------------------ custom_gradient

class _Residuals:
    """The backward rule of a custom_gradient function, traced: a Jaxpr (static) and the
    values it closes over (the residuals, pytree children)."""

    def __init__(self, jaxpr, consts, in_tree, out_tree):
        self.jaxpr, self.consts, self.in_tree, self.out_tree = jaxpr, consts, in_tree, out_tree


register_pytree_node(_Residuals, lambda r: (r.consts, (r.jaxpr, r.in_tree, r.out_tree)),
                     lambda aux, consts: _Residuals(aux[0], list(consts), aux[1], aux[2]))


def custom_gradient(fun: Callable) -> Callable:
    """`fun(*args)` returns `(value, vjp_fn)`; reverse mode uses `vjp_fn(ct)` (a tuple with
    one cotangent per argument, or one cotangent for a function of one argument)."""

    def primal(*args, **kwargs):
        return fun(*args, **kwargs)[0]

    wrapped = custom_vjp(functools.wraps(fun)(primal))

    def fwd(*args, **kwargs):
        ans, rule = fun(*args, **kwargs)
        ans_flat, out_tree = tree_flatten(ans)
        store: dict = {}

        def flat_rule(*cts):
            cts_in, store["tree"] = tree_flatten(rule(tree_unflatten(out_tree, list(cts))))
            return [_as_value(c) for c in cts_in]

        closed = trace_to_jaxpr(flat_rule, [lift_aval(_as_value(a)).to_tangent_aval() for a in ans_flat],
                                label="custom_gradient")
        converted, consts = hoist_consts(closed, lambda _: True)
        return ans, _Residuals(converted.jaxpr, consts, store["tree"], out_tree)

    def bwd(res: _Residuals, ct):
        cts_flat, tree = tree_flatten(ct)
        if tree != res.out_tree:
            raise TypeError(f"custom_gradient: the cotangent's structure {tree} differs from the output's "
                            f"{res.out_tree}")
        out = tree_unflatten(res.in_tree, eval_jaxpr(res.jaxpr, [], *res.consts, *cts_flat))
        return out if isinstance(out, (tuple, list)) else (out,)

    wrapped.defvjp(fwd, bwd)
    return wrapped


def closure_convert(fun: Callable, *example_args) -> tuple[Callable, list]:
    """(converted, consts): `converted(*args, *consts)` computes `fun(*args)`, with the traced
    values `fun` closes over (tracers of enclosing transformations) made explicit arguments,
    as custom_vjp and custom_jvp rules need."""
    flat, in_tree = tree_flatten(example_args)
    store: dict = {}

    def flat_fun(*xs):
        outs, store["tree"] = tree_flatten(fun(*tree_unflatten(in_tree, list(xs))))
        return [_as_value(o) for o in outs]

    closed = trace_to_jaxpr(flat_fun, [lift_aval(_as_value(x)) for x in flat], label="closure_convert")
    converted, hoisted = hoist_consts(closed)
    n_consts, out_tree = len(hoisted), store["tree"]

    def converted_fun(*args_and_consts):
        split = len(args_and_consts) - n_consts
        args, consts = args_and_consts[:split], args_and_consts[split:]
        leaves, tree = tree_flatten(args)
        if tree != in_tree:
            raise TypeError(f"The inputs to the closure produced by closure_convert must have the same Pytree "
                            f"structure as the example arguments passed when closure_convert was called. "
                            f"Expected {in_tree}, but got {tree}")
        outs = eval_jaxpr(converted.jaxpr, converted.consts, *consts, *[_as_value(x) for x in leaves])
        return tree_unflatten(out_tree, outs)

    return converted_fun, list(hoisted)

