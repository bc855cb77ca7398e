"""The jet column of the systematic rule suite: every differentiable primitive's Taylor rule
(its own `jet=`, the linear one, or the one derived from its JVP) against nested jvp.

Each case runs along the curve x(t) = x + t v + t^2/2 w (so second input coefficients are
exercised too) to order 3 (order 1 for cases that are only once differentiable), in float64.
"""
from __future__ import annotations

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.experimental.jet import jet

from .test_rules import DIFF_CASES, _partial


@pytest.fixture(autouse=True)
def x64():
    with nablax.config.enable_x64(True):
        yield


def _direction(x, seed: int):
    r = np.random.default_rng(seed)
    x = np.asarray(x)
    d = r.standard_normal(x.shape)
    if x.dtype.kind == "c":
        d = d + 1j * r.standard_normal(x.shape)
    return jnp.asarray((0.3 * d).astype(x.dtype))


def _nested_derivatives(f, xs, vs, ws, order: int) -> list:
    """d^k/dt^k f(x + t v + t^2/2 w) at t = 0, k = 1..order, by nested jvp."""
    def g(t):
        return f(*[x + t * v + (0.5 * t * t) * w for x, v, w in zip(xs, vs, ws)])

    derivs, d = [], g
    for _ in range(order):
        d = (lambda h: lambda t: nablax.jvp(h, (t,), (1.0,))[1])(d)
        derivs.append(d(0.0))
    return derivs


def _float_leaves(out) -> list[int]:
    leaves = out if isinstance(out, (list, tuple)) else [out]
    return [i for i, o in enumerate(leaves) if np.asarray(o).dtype.kind in "fc"]


@pytest.mark.parametrize("case", DIFF_CASES, ids=lambda c: c.id)
def test_jet_matches_nested_jvp(case):
    f, xs = _partial(case, case.differentiable_argnums())
    order = 3 if case.order >= 2 else 1
    vs = [_direction(x, 1 + i) for i, x in enumerate(xs)]
    ws = [_direction(x, 11 + i) if order > 1 else jnp.zeros_like(x) for i, x in enumerate(xs)]
    series = [[v, w] + [jnp.zeros_like(v)] * (order - 2) if order > 1 else [v] for v, w in zip(vs, ws)]
    primal, terms = jet(f, xs, series)
    expected = _nested_derivatives(f, xs, vs, ws, order)
    multiple = isinstance(primal, (list, tuple))
    tol = case.tol or 1e-8
    for i in _float_leaves(primal):
        got = terms[i] if multiple else terms
        ref = [e[i] if multiple else e for e in expected]
        for k, (a, b) in enumerate(zip(got, ref), 1):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol,
                                       err_msg=f"{case.id}: order {k}, output {i}")
