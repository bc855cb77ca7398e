"""BFGS and L-BFGS, the two methods of nablax.scipy.optimize.minimize.

Both are one `lax.while_loop` over quasi-Newton steps whose step length comes from the
strong-Wolfe line search (scipy_optimize_line_search), so they run eagerly, under jit and
under vmap. BFGS keeps the dense inverse-Hessian estimate (Nocedal and Wright, Algorithm
6.1); L-BFGS keeps the last `maxcor` step/gradient-change pairs and applies the inverse
Hessian by the two-loop recursion (Algorithm 7.4), with complex variables treated as in
Sorber et al. (2012). Defaults, stopping rules and status codes are JAX's.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import dtypes
from . import numpy as jnp
from .api import value_and_grad
from .control_flow import fori_loop, while_loop
from .numpy import linalg_module as jnp_linalg
from .scipy_optimize_line_search import line_search


class BFGSResults(NamedTuple):
    """BFGS's loop state and result (`H_k`: the inverse-Hessian estimate)."""
    converged: object
    failed: object
    k: object
    nfev: object
    ngev: object
    nhev: object
    x_k: object
    f_k: object
    g_k: object
    H_k: object
    old_old_fval: object
    status: object
    line_search_status: object


class LBFGSResults(NamedTuple):
    """L-BFGS's loop state and result (the correction history and the scaling `gamma`)."""
    converged: object
    failed: object
    k: object
    nfev: object
    ngev: object
    x_k: object
    f_k: object
    g_k: object
    s_history: object
    y_history: object
    rho_history: object
    gamma: object
    status: object
    ls_status: object


def minimize_bfgs(fun: Callable, x0, maxiter: int | None = None, norm=np.inf, gtol: float = 1e-5,
                  line_search_maxiter: int = 10) -> BFGSResults:
    """Minimise `fun` from `x0` by BFGS until the `norm`-norm of the gradient is below `gtol`."""
    if maxiter is None:
        maxiter = np.size(x0) * 200
    n = x0.shape[0]
    eye = jnp.eye(n, dtype=x0.dtype)
    f_0, g_0 = value_and_grad(fun)(x0)
    init = BFGSResults(converged=jnp_linalg.norm(g_0, ord=norm) < gtol, failed=False, k=0, nfev=1, ngev=1,
                       nhev=0, x_k=x0, f_k=f_0, g_k=g_0, H_k=eye,
                       old_old_fval=f_0 + jnp_linalg.norm(g_0) / 2, status=0, line_search_status=0)

    def step(s: BFGSResults) -> BFGSResults:
        p = -jnp.dot(s.H_k, s.g_k)
        ls = line_search(fun, s.x_k, p, old_fval=s.f_k, old_old_fval=s.old_old_fval, gfk=s.g_k,
                         maxiter=line_search_maxiter)
        step_ = ls.a_k * p
        dg = ls.g_k - s.g_k
        rho = jnp.reciprocal(jnp.dot(dg, step_))
        w = jnp.eye(n, dtype=rho.dtype) - rho * jnp.outer(step_, dg)
        h_new = jnp.dot(jnp.dot(w, s.H_k), w.T) + rho * jnp.outer(step_, step_)
        return s._replace(
            nfev=s.nfev + ls.nfev, ngev=s.ngev + ls.ngev, failed=ls.failed, line_search_status=ls.status,
            converged=jnp_linalg.norm(ls.g_k, ord=norm) < gtol, k=s.k + 1, x_k=s.x_k + step_,
            f_k=ls.f_k, g_k=ls.g_k, H_k=jnp.where(jnp.isfinite(rho), h_new, s.H_k), old_old_fval=s.f_k)

    s = while_loop(lambda s: ~s.converged & ~s.failed & (s.k < maxiter), step, init)
    status = jnp.where(s.converged, 0,
                       jnp.where(s.k == maxiter, 1, jnp.where(s.failed, 2 + s.line_search_status, -1)))
    return s._replace(status=status)


def minimize_lbfgs(fun: Callable, x0, maxiter: float | None = None, norm=np.inf, maxcor: int = 10,
                   ftol: float = 2.220446049250313e-09, gtol: float = 1e-05, maxfun: float | None = None,
                   maxgrad: float | None = None, maxls: int = 20) -> LBFGSResults:
    """Minimise `fun` from `x0` by L-BFGS with `maxcor` corrections; stops on the gradient
    norm (gtol), too little decrease (ftol), or the iteration/evaluation limits."""
    n = len(x0)
    dtype = dtypes.result_type(x0)
    if maxiter is None and maxfun is None and maxgrad is None:
        maxiter = n * 200
    maxiter, maxfun, maxgrad = (np.inf if v is None else v for v in (maxiter, maxfun, maxgrad))
    f_0, g_0 = value_and_grad(fun)(x0)
    init = LBFGSResults(converged=jnp.array(False), failed=jnp.array(False), k=0, nfev=1, ngev=1, x_k=x0,
                        f_k=f_0, g_k=g_0, s_history=jnp.zeros((maxcor, n), dtype=dtype),
                        y_history=jnp.zeros((maxcor, n), dtype=dtype), rho_history=jnp.zeros((maxcor,), dtype=dtype),
                        gamma=1.0, status=0, ls_status=0)

    def step(s: LBFGSResults) -> LBFGSResults:
        p = _two_loop_direction(s)
        ls = line_search(f=fun, xk=s.x_k, pk=p, old_fval=s.f_k, gfk=s.g_k, maxiter=maxls)
        step_ = jnp.asarray(ls.a_k).astype(p.dtype) * p
        dg = ls.g_k - s.g_k
        curvature = jnp.real(jnp.dot(dg, step_))
        gamma = curvature / jnp.real(jnp.dot(jnp.conj(dg), dg))
        status = jnp.array(0)
        for cond, code in ((s.f_k - ls.f_k < ftol, 4), (s.ngev >= maxgrad, 3), (s.nfev >= maxfun, 2),
                           (s.k >= maxiter, 1), (ls.failed, 5)):
            status = jnp.where(cond, code, status)
        converged = jnp_linalg.norm(ls.g_k, ord=norm) < gtol
        return s._replace(
            converged=converged, failed=(status > 0) & ~converged, k=s.k + 1, nfev=s.nfev + ls.nfev,
            ngev=s.ngev + ls.ngev, x_k=(s.x_k + step_).astype(s.x_k.dtype), f_k=ls.f_k.astype(s.f_k.dtype),
            g_k=ls.g_k.astype(s.g_k.dtype), s_history=_push(s.s_history, step_), y_history=_push(s.y_history, dg),
            rho_history=_push(s.rho_history, jnp.reciprocal(curvature).astype(dg.dtype)),
            gamma=gamma.astype(s.g_k.dtype), status=jnp.where(converged, 0, status), ls_status=ls.status)

    return while_loop(lambda s: ~s.converged & ~s.failed, step, init)


def _two_loop_direction(s: LBFGSResults):
    """-H g for the L-BFGS inverse Hessian of the stored pairs (newest last), gamma-scaled."""
    dtype = s.rho_history.dtype
    size = s.rho_history.shape[0]
    used = jnp.where(s.k < size, s.k, size)

    def newest_first(j, carry):
        q, alphas = carry
        i = size - 1 - j
        a_i = s.rho_history[i] * jnp.real(jnp.dot(jnp.conj(s.s_history[i]), q)).astype(dtype)
        return q - a_i * jnp.conj(s.y_history[i]), alphas.at[i].set(a_i)

    q, alphas = fori_loop(0, used, newest_first, (-jnp.conj(s.g_k), jnp.zeros_like(s.rho_history)))

    def oldest_first(j, q):
        i = size - used + j
        b_i = s.rho_history[i] * jnp.real(jnp.dot(s.y_history[i], q)).astype(dtype)
        return q + (alphas[i] - b_i) * s.s_history[i]

    return fori_loop(0, used, oldest_first, s.gamma * q)


def _push(history, new):
    """The history with its oldest row dropped and `new` appended."""
    return jnp.roll(history, -1, axis=0).at[-1].set(new)
