"""jax_debug_nans / jax_debug_infs: raise FloatingPointError at the primitive that made a NaN/inf.

With both flags off the eval trace is `None` and `Primitive.bind` calls the eager
implementation directly: nothing here runs. Turning a flag on installs `CHECKING` as the
current trace of this context, so every eager primitive goes through
`FloatCheckTrace.process_primitive`, which checks its outputs. Transformations started
meanwhile run their rules on top of it (their known values are checked too), and a jitted
function, which takes its slow path whenever a trace is set, binds `jit`: if the compiled
program returns a NaN, its Jaxpr is re-run op by op here so that the error names the
primitive, as JAX re-runs the de-optimized function.

The flags are process-wide defaults, but the installed trace belongs to the context that
set them (threads started earlier, or other threads, keep their own current trace).
"""
from __future__ import annotations

import numpy as np

from .config import debug_infs_flag, debug_nans_flag
from .core import Trace, _trace_var
from .ir import eval_jaxpr


def _invalid(outs) -> str | None:
    """'nan' or 'inf' if an output holds one that a set flag looks for, else None."""
    nans, infs = debug_nans_flag.value, debug_infs_flag.value
    for o in outs:
        v = getattr(o, "_value", None)
        if v is None or not np.issubdtype(v.dtype, np.inexact):
            continue
        if nans and np.isnan(v).any():
            return "nan"
        if infs and np.isinf(v).any():
            return "inf"
    return None


class FloatCheckTrace(Trace):
    """The eval trace while debug_nans/debug_infs is on: eager, plus a check of every output."""

    __slots__ = ()
    name = "eager evaluation"

    def __init__(self) -> None:
        super().__init__(None)

    def process_primitive(self, prim, args, params):
        out = prim.eager(*args, **params)
        bad = _invalid(out if prim.multiple_results else (out,))
        if bad is None:
            return out
        if prim.name == "jit":
            print("Invalid nan value encountered in the output of a jax.jit function. "
                  "Calling the de-optimized version.")
            closed = params["jaxpr"]
            eval_jaxpr(closed.jaxpr, closed.consts, *args)  # raises at the first invalid primitive
            raise FloatingPointError(
                f"invalid value ({bad}) encountered in jit({params['name']}). Because jax_debug_nans "
                "and/or jax_debug_infs is set, the function was run again op by op, but no single "
                "operation produced the invalid value: it comes from an input or a constant, or from "
                "a rewrite jit made. Remove the jit decorator to find where it arises."
            ) from None
        raise FloatingPointError(f"invalid value ({bad}) encountered in {prim.name}")


CHECKING = FloatCheckTrace()


def sync() -> None:
    """Install or remove the checking eval trace after either flag changed."""
    want = debug_nans_flag.value or debug_infs_flag.value
    current = _trace_var.get()
    if want and current is None:
        _trace_var.set(CHECKING)
    elif not want and current is CHECKING:
        _trace_var.set(None)


debug_nans_flag.on_change = sync
debug_infs_flag.on_change = sync
