"""The systematic rule-test table: one or more `Case`s per registered primitive.

Each family contributes a `cases_<family>.py` module with a `CASES` list. A case is
a primitive applied to NumPy example inputs with static params and a NumPy
reference. Columns of checks (impl, abstract_eval, JVP, VJP, vmap, ...) live in
test_rules.py and run over every case, so adding a column touches no case.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np


@dataclasses.dataclass
class Case:
    prim: Any                      # the Primitive object
    args: tuple                    # NumPy example inputs (float64 for smooth float ops)
    params: dict = dataclasses.field(default_factory=dict)
    reference: Callable | None = None   # NumPy reference: reference(*args, **params) -> expected
    name: str = ""                 # distinguishes several cases of one primitive
    diff_argnums: tuple | None = None   # args to differentiate; default: all inexact args
    order: int = 2                 # derivative order to check (0: not differentiable)
    batch_argnums: tuple | None = None  # args that may be batched in the vmap column; default all
    tol: float | None = None
    bind: Callable | None = None   # how to apply the primitive (default prim.bind(*args, **params))

    @property
    def id(self) -> str:
        return f"{self.prim.name}{'-' + self.name if self.name else ''}"

    @property
    def multiple(self) -> bool:
        """Whether apply() returns a list (a multiple-result primitive bound directly)."""
        return self.prim.multiple_results and self.bind is None

    def apply(self, *args):
        if self.bind is not None:
            return self.bind(*args, **self.params)
        return self.prim.bind(*args, **self.params)

    def differentiable_argnums(self) -> tuple:
        if self.order == 0:
            return ()
        if self.diff_argnums is not None:
            return self.diff_argnums
        return tuple(i for i, a in enumerate(self.args) if np.asarray(a).dtype.kind in "fc")


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def randn(*shape, dtype=np.float64, seed: int = 0):
    return rng(seed).standard_normal(shape).astype(dtype)


def positive(*shape, dtype=np.float64, seed: int = 0):
    return (rng(seed).uniform(0.5, 2.0, shape)).astype(dtype)
