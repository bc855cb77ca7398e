"""Jaxpr -> NumPy function: the jit pipeline (passes, then codegen) and the one compile cache.

Both nested jit (`jit_call_p`) and control-flow bodies run compiled through `compiled`,
so one Jaxpr is compiled once whichever of them reaches it first.
"""
from __future__ import annotations

import weakref
from typing import Callable

import numpy as np

from ..core import call_under
from ..ir import ClosedJaxpr
from . import passes
from .codegen import compile_program

_CACHE: "weakref.WeakKeyDictionary[ClosedJaxpr, Callable]" = weakref.WeakKeyDictionary()


def compile_closed(closed: ClosedJaxpr, name: str = "jitted") -> tuple[Callable, str]:
    """Optimize and generate code: (function of raw values returning a tuple, its source).

    Runs at the eval trace: constant folding computes values even when compilation happens
    while an outer transformation is tracing."""
    def optimize_and_generate():
        return compile_program(passes.optimize(passes.Program(closed.jaxpr, list(closed.consts))), np, name)

    return call_under(None, optimize_and_generate)


def compiled(closed: ClosedJaxpr, name: str = "jitted") -> Callable:
    """`compile_closed(closed, name)`'s function, cached for as long as `closed` lives."""
    fn = _CACHE.get(closed)
    if fn is None:
        fn = _CACHE[closed] = compile_closed(closed, name)[0]
    return fn
