"""The worked example of CONTRIBUTING.md ("Adding a transformation"), run: a transformation
that counts the primitives applied to values derived from its inputs."""
from __future__ import annotations

import collections

import numpy as np

import nablax
import nablax.numpy as jnp
from nablax._src.core import Trace, Tracer, current_trace, lift_aval, run_new_trace, split_own


class CountTracer(Tracer):
    """A value derived from count_flops' inputs."""

    __slots__ = ("val",)

    def __init__(self, trace: "CountTrace", val):
        self._trace = trace
        self.val = val

    @property
    def aval(self):
        return lift_aval(self.val)

    @staticmethod
    def _parts(tracer: "CountTracer"):
        return tracer.val, None


class CountTrace(Trace):
    name = "count_flops"

    def __init__(self, parent):
        super().__init__(parent)
        self.counts: collections.Counter = collections.Counter()

    def process_primitive(self, prim, args, params):
        vals, _, own = split_own(self, CountTracer, args)
        out = self.bind_on_parent(prim, vals, params)  # computed one level down
        if not own:
            return out  # constants only: not counted, not boxed
        self.counts[prim.name] += 1
        return [CountTracer(self, o) for o in out] if prim.multiple_results else CountTracer(self, out)


def count_flops(fun):
    """count_flops(f)(*args) -> (f(*args), {primitive name: times applied})."""
    def counted(*args):
        trace = CountTrace(current_trace())
        ins = [CountTracer(trace, a) for a in args]
        out = run_new_trace(trace, fun, ins, lambda out: split_own(trace, CountTracer, [out])[0][0])
        return out, dict(trace.counts)

    return counted


def f(x):
    return jnp.sum(jnp.sin(x) * 2.0 + x)


def test_counts_what_depends_on_the_input():
    x = np.array([0.5, 1.0, 2.0], np.float32)
    out, counts = count_flops(lambda x: f(x) + jnp.cos(jnp.float32(3.0)))(x)
    np.testing.assert_allclose(out, np.sum(np.sin(x) * 2 + x) + np.cos(3.0), rtol=1e-6)
    assert counts == {"sin": 1, "mul": 1, "add": 2, "reduce_sum": 1}  # cos(3.0) is a constant


def test_nests_inside_and_outside_other_transformations():
    x = np.float32(0.7)
    grad = nablax.grad(lambda x: count_flops(f)(x)[0])(x)
    np.testing.assert_allclose(grad, 2 * np.cos(0.7) + 1, rtol=1e-6)
    (value, counts) = count_flops(nablax.grad(f))(x)
    np.testing.assert_allclose(value, 2 * np.cos(0.7) + 1, rtol=1e-6)
    assert counts["cos"] == 1 and counts["sin"] == 1
    batched, counts = count_flops(nablax.vmap(f))(np.ones((4, 3), np.float32))
    np.testing.assert_allclose(batched, np.full(4, 3 * (2 * np.sin(1.0) + 1)), rtol=1e-6)
    assert counts["sin"] == 1
