"""The strong-Wolfe line search that minimize's BFGS and L-BFGS share.

Algorithms 3.5 (bracketing) and 3.6 (zoom) of Nocedal and Wright, Numerical Optimization
(1999), in the form JAX runs them, so that iterates, step sizes and evaluation counts agree
with jax.scipy.optimize: every branch is a masked update (`jnp.where`) inside a
`lax.while_loop`, both zoom calls are staged on every bracketing step and skipped at run
time by their `pass_through` flag, zoom interpolates cubically (from the second step on),
then quadratically, then bisects, and gives up after 30 steps or when the bracket is
narrower than 1e-5 (1e-10 in 64-bit).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from . import dtypes
from . import numpy as jnp
from .api import value_and_grad
from .control_flow import while_loop

_DELTA_CUBIC = 0.2   # a cubic step must stay this fraction of the bracket inside it
_DELTA_QUAD = 0.1    # likewise for a quadratic step
_ZOOM_MAXITER = 30


class LineSearchResults(NamedTuple):
    """What one line search returns: the step `a_k` and f, grad f there."""
    failed: object
    nit: object
    nfev: object
    ngev: object
    k: object
    a_k: object
    f_k: object
    g_k: object
    status: object


class _Bracket(NamedTuple):
    """Zoom's loop state: the bracket [lo, hi], the previous hi (`rec`) and the best point."""
    done: object
    failed: object
    j: object
    a_lo: object
    phi_lo: object
    dphi_lo: object
    a_hi: object
    phi_hi: object
    dphi_hi: object
    a_rec: object
    phi_rec: object
    a_star: object
    phi_star: object
    dphi_star: object
    g_star: object
    nfev: object
    ngev: object


class _Search(NamedTuple):
    """The bracketing loop's state: the previous trial step and the accepted one."""
    done: object
    failed: object
    i: object
    a_i1: object
    phi_i1: object
    dphi_i1: object
    nfev: object
    ngev: object
    a_star: object
    phi_star: object
    dphi_star: object
    g_star: object


def _masked(state, mask, **new):
    """`state` with the named fields replaced by `new` where `mask` holds."""
    return state._replace(**{k: jnp.where(mask, v, getattr(state, k)) for k, v in new.items()})


def _cubic_min(a, fa, fpa, b, fb, c, fc):
    """Minimiser of the cubic through (a, fa) with slope fpa, (b, fb) and (c, fc)."""
    dtype = dtypes.result_type(a, fa, fpa, b, fb, c, fc)
    db, dc = b - a, c - a
    denom = (db * dc) ** 2 * (db - dc)
    rb = fb - fa - fpa * db
    rc = fc - fa - fpa * dc
    ca = ((dc ** 2) * rb - (db ** 2) * rc).astype(dtype) / denom
    cb = (-(dc ** 3) * rb + (db ** 3) * rc).astype(dtype) / denom
    return a + (-cb + jnp.sqrt(cb * cb - 3.0 * ca * fpa)) / (3.0 * ca)


def _quad_min(a, fa, fpa, b, fb):
    """Minimiser of the quadratic through (a, fa) with slope fpa and (b, fb)."""
    db = b - a
    curv = (fb - fa - fpa * db) / (db ** 2)
    return a - fpa / (2.0 * curv)


def _zoom(phi_dphi: Callable, sufficient_decrease_fails: Callable, curvature_holds: Callable,
          a_lo, phi_lo, dphi_lo, a_hi, phi_hi, dphi_hi, g_0, pass_through) -> _Bracket:
    """Shrink the bracket [a_lo, a_hi] until a step satisfies the strong Wolfe conditions."""
    init = _Bracket(done=False, failed=False, j=0, a_lo=a_lo, phi_lo=phi_lo, dphi_lo=dphi_lo,
                    a_hi=a_hi, phi_hi=phi_hi, dphi_hi=dphi_hi, a_rec=(a_lo + a_hi) / 2.0,
                    phi_rec=(phi_lo + phi_hi) / 2.0, a_star=1.0, phi_star=phi_lo,
                    dphi_star=dphi_lo, g_star=g_0, nfev=0, ngev=0)

    def step(s: _Bracket) -> _Bracket:
        width = s.a_hi - s.a_lo
        left, right = jnp.minimum(s.a_hi, s.a_lo), jnp.maximum(s.a_hi, s.a_lo)
        tiny = 1e-5 if dtypes.finfo(width.dtype).bits < 64 else 1e-10
        s = s._replace(failed=s.failed | (width <= tiny))
        a_cubic = _cubic_min(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi, s.a_rec, s.phi_rec)
        use_cubic = (s.j > 0) & (a_cubic > left + _DELTA_CUBIC * width) & (a_cubic < right - _DELTA_CUBIC * width)
        a_quad = _quad_min(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi)
        use_quad = ~use_cubic & (a_quad > left + _DELTA_QUAD * width) & (a_quad < right - _DELTA_QUAD * width)
        a_j = jnp.where(use_cubic, a_cubic, jnp.where(use_quad, a_quad, (s.a_lo + s.a_hi) / 2.0))
        phi_j, dphi_j, g_j = phi_dphi(a_j)
        phi_j = phi_j.astype(s.phi_lo.dtype)
        dphi_j = dphi_j.astype(s.dphi_lo.dtype)
        g_j = g_j.astype(s.g_star.dtype)
        s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)

        new_hi = sufficient_decrease_fails(a_j, phi_j) | (phi_j >= s.phi_lo)
        accept = curvature_holds(dphi_j) & ~new_hi
        flip = (dphi_j * (s.a_hi - s.a_lo) >= 0.0) & ~new_hi & ~accept
        new_lo = ~new_hi & ~accept
        s = _masked(s, new_hi, a_hi=a_j, phi_hi=phi_j, dphi_hi=dphi_j, a_rec=s.a_hi, phi_rec=s.phi_hi)
        s = _masked(s._replace(done=accept | s.done), accept,
                    a_star=a_j, phi_star=phi_j, dphi_star=dphi_j, g_star=g_j)
        s = _masked(s, flip, a_hi=s.a_lo, phi_hi=s.phi_lo, dphi_hi=s.dphi_lo, a_rec=s.a_hi, phi_rec=s.phi_hi)
        s = _masked(s, new_lo & ~flip, a_rec=s.a_lo, phi_rec=s.phi_lo)
        s = _masked(s, new_lo, a_lo=a_j, phi_lo=phi_j, dphi_lo=dphi_j)
        j = s.j + 1
        return s._replace(j=j, failed=s.failed | (j >= _ZOOM_MAXITER))

    return while_loop(lambda s: ~s.done & ~pass_through & ~s.failed, step, init)


def line_search(f: Callable, xk, pk, old_fval=None, old_old_fval=None, gfk=None, c1: float = 1e-4,
                c2: float = 0.9, maxiter: int = 20) -> LineSearchResults:
    """A step along the descent direction `pk` from `xk` that satisfies the strong Wolfe
    conditions with constants c1, c2, within `maxiter` trial steps (each doubling the last)."""
    xk, pk = jnp.asarray(xk), jnp.asarray(pk)
    dtype = dtypes.to_inexact_dtype(dtypes.result_type(xk, pk))
    xk, pk = xk.astype(dtype), pk.astype(dtype)
    f_and_grad = value_and_grad(f)

    def phi_dphi(t):
        phi, g = f_and_grad(xk + jnp.asarray(t, dtype=pk.dtype) * pk)
        return phi, jnp.real(jnp.dot(g, pk)), g

    evaluated = old_fval is None or gfk is None
    if evaluated:
        phi_0, dphi_0, gfk = phi_dphi(0)
    else:
        phi_0, dphi_0 = old_fval, jnp.real(jnp.dot(gfk, pk))
    if old_old_fval is None:
        start = 1
    else:
        guess = 1.01 * 2 * (phi_0 - old_old_fval) / dphi_0
        start = jnp.where(guess > 1, 1.0, guess)

    def sufficient_decrease_fails(a, phi):
        return phi > phi_0 + c1 * a * dphi_0

    def curvature_holds(dphi):
        return jnp.abs(dphi) <= -c2 * dphi_0

    count = 1 if evaluated else 0
    init = _Search(done=jnp.array(False), failed=jnp.array(False), i=1, a_i1=0.0, phi_i1=phi_0,
                   dphi_i1=dphi_0, nfev=count, ngev=count, a_star=0.0, phi_star=phi_0,
                   dphi_star=dphi_0, g_star=gfk)

    def step(s: _Search) -> _Search:
        a_i = jnp.where(s.i == 1, start, s.a_i1 * 2.0)
        phi_i, dphi_i, g_i = phi_dphi(a_i)
        s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)
        overshot = sufficient_decrease_fails(a_i, phi_i) | ((phi_i >= s.phi_i1) & (s.i > 1))
        accept = curvature_holds(dphi_i) & ~overshot
        uphill = (dphi_i >= 0.0) & ~overshot & ~accept
        zoom_up = _zoom(phi_dphi, sufficient_decrease_fails, curvature_holds, s.a_i1, s.phi_i1, s.dphi_i1,
                        a_i, phi_i, dphi_i, gfk, ~overshot)
        zoom_down = _zoom(phi_dphi, sufficient_decrease_fails, curvature_holds, a_i, phi_i, dphi_i,
                          s.a_i1, s.phi_i1, s.dphi_i1, gfk, ~uphill)
        s = s._replace(nfev=s.nfev + zoom_up.nfev + zoom_down.nfev, ngev=s.ngev + zoom_up.ngev + zoom_down.ngev)
        for mask, zoomed in ((overshot, zoom_up), (accept, None), (uphill, zoom_down)):
            failed = s.failed if zoomed is None else (mask & zoomed.failed) | s.failed
            best = (dict(a_star=a_i, phi_star=phi_i, dphi_star=dphi_i, g_star=g_i) if zoomed is None else
                    dict(a_star=zoomed.a_star, phi_star=zoomed.phi_star, dphi_star=zoomed.dphi_star,
                         g_star=zoomed.g_star))
            s = _masked(s._replace(done=mask | s.done, failed=failed), mask, **best)
        return s._replace(i=s.i + 1, a_i1=a_i, phi_i1=phi_i, dphi_i1=dphi_i)

    s = while_loop(lambda s: ~s.done & (s.i <= maxiter) & ~s.failed, step, init)
    status = jnp.where(s.failed, jnp.array(1), jnp.where(s.i > maxiter, jnp.array(3), jnp.array(0)))
    alpha = jnp.asarray(s.a_star)
    if dtypes.finfo(alpha.dtype).bits != 64:
        # A vanishing step would stall the iteration in 32-bit: JAX floors it at 1e-8.
        alpha = jnp.where(jnp.abs(alpha) < 1e-8, jnp.sign(alpha) * 1e-8, alpha)
    return LineSearchResults(failed=s.failed | ~s.done, nit=s.i - 1, nfev=s.nfev, ngev=s.ngev, k=s.i,
                             a_k=alpha, f_k=s.phi_star, g_k=s.g_star, status=status)
