"""A test case: a random program, a random transformation stack on top and an input seed.

Also the helpers every randomised test shares: inputs at the stack's top-level shapes,
the kink/magnitude probe, comparison of outputs, and the count of programs run (printed
at the end of the pytest session by tests/conftest.py).
"""
from __future__ import annotations

import collections
import math
from dataclasses import dataclass

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import nablax

from .programs import NX, Probe, Program, build, inputs, programs
from .stacks import apply_stack, describe, raw_points, split_points, stack_rev_ok, stacks, top_shapes

PROGRAMS_RUN: collections.Counter = collections.Counter()
MAX_MAGNITUDE = 1e3


@dataclass(frozen=True)
class Case:
    prog: Program
    stack: tuple
    seed: int

    def __repr__(self):
        return f"Case(seed={self.seed}, stack={describe(self.stack)}){self.prog!r}"

    @property
    def top_in_shapes(self):
        return top_shapes(self.prog, self.stack)[0]

    @property
    def top_out_shape(self):
        return top_shapes(self.prog, self.stack)[1]

    @property
    def rev_ok(self):
        """Whether reverse mode may be applied on top of the whole stack."""
        return stack_rev_ok(self.prog, self.stack)

    def inputs(self, dtype=np.float32, seed=None):
        return inputs(self.top_in_shapes, self.prog.py_floats, self.seed if seed is None else seed, dtype)

    def function(self, L=NX, dtype=np.float32, rule_scale=1.0):
        return apply_stack(build(self.prog, L, rule_scale=rule_scale), self.prog, self.stack, L, dtype)


@st.composite
def cases(draw, max_depth=3, prog=None):
    prog = draw(programs()) if prog is None else prog
    return Case(prog, draw(stacks(prog, max_depth)), draw(st.integers(0, 2**32 - 1)))


def count(test_name):
    PROGRAMS_RUN[test_name] += 1


def probe(case, xs, outer_axes=None, outer_size=None):
    """Run the raw program eagerly in float64 at every point the (possibly vmapped) stack evaluates it at."""
    points = [list(xs)]
    if outer_axes is not None:
        points = split_points(points, outer_axes, outer_size)
    p = Probe()
    with nablax.config.enable_x64(True):
        f = build(case.prog, NX, probe=p)
        for point in points:
            for inner in raw_points(case.stack, point):
                f(*[x if isinstance(x, float) else np.asarray(x, np.float64) for x in inner])
    return p


def assume_tame(case, xs, **kw):
    """Discard programs whose values blow up; return the kink margin."""
    p = probe(case, xs, **kw)
    assume(p.magnitude < MAX_MAGNITUDE)
    return p.margin


def weak_type(x):
    return isinstance(x, (float, int)) or bool(getattr(x, "weak_type", False))


def scale_of(x):
    a = np.asarray(x, np.float64)
    return max(1.0, float(np.max(np.abs(a)))) if a.size and np.all(np.isfinite(a)) else 1.0


def assert_close(actual, expected, rtol, what, types=True, atol=0.0):
    """Same shape (and dtype and weak type when `types`) and values within atol + rtol of the larger magnitude."""
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    if types:  # (a Python scalar has the dtype it takes as an array, e.g. under jit)
        da, de = (NX.jnp.asarray(x).dtype if isinstance(x, (float, int)) else np.asarray(x).dtype for x in (actual, expected))
        assert da == de, f"{what}: dtype {da} != {de}"
        assert weak_type(actual) == weak_type(expected), f"{what}: weak_type {weak_type(actual)} != {weak_type(expected)}"
    tol = rtol * max(scale_of(a), scale_of(e)) + atol
    ok = np.allclose(a.astype(np.float64), e.astype(np.float64), rtol=0, atol=tol, equal_nan=True)
    if not ok:
        err = float(np.nanmax(np.abs(a.astype(np.float64) - e.astype(np.float64)))) if a.size else math.nan
        raise AssertionError(f"{what}: max abs error {err:.3g} > {tol:.3g}\nactual={a}\nexpected={e}")


def inner(xs, ys):
    return float(sum(np.sum(np.asarray(x, np.float64) * np.asarray(y, np.float64)) for x, y in zip(xs, ys)))
