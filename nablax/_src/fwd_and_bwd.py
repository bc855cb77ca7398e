"""jax.fwd_and_bwd: the forward and backward halves of `vjp` as two reusable functions.

`fwd(*args)` is `vjp` of `fun` in the `argnums` arguments; its residuals are the vjp
function itself (a `tree_util.Partial`, a pytree that crosses `jit`), so `bwd(residuals,
cotangent)` is one compiled function, traced once and reused every step.
"""
from __future__ import annotations

from typing import Callable, Sequence

from .api import _argnums_tuple, _partial_args, vjp
from .jit.jitted import jit


def fwd_and_bwd(fun: Callable, argnums: int | Sequence[int], has_aux: bool = False,
                jitted: bool = True) -> tuple[Callable, Callable]:
    """(fwd, bwd): fwd(*args) -> (out, residuals[, aux]); bwd(residuals, ct) -> the cotangents
    of the `argnums` arguments (one array for an int `argnums`, else a tuple)."""
    if not callable(fun):
        raise TypeError(f"fwd_and_bwd: expected a callable, got {fun!r}")

    def fwd(*args):
        nums = _argnums_tuple(argnums, len(args), "fwd_and_bwd")
        return vjp(_partial_args(fun, args, {}, nums), *(args[i] for i in nums), has_aux=has_aux)

    def bwd(residuals, cotangent):
        cts = residuals(cotangent)
        return cts[0] if isinstance(argnums, int) else cts

    return (jit(fwd), jit(bwd)) if jitted else (fwd, bwd)


__all__ = ["fwd_and_bwd"]
