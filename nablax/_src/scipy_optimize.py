"""nablax.scipy.optimize: minimize (BFGS and L-BFGS) and OptimizeResults, as jax.scipy.optimize.

The methods live in scipy_optimize_bfgs and their line search in scipy_optimize_line_search;
this module is the SciPy-shaped front. As in JAX: `method` is required ("BFGS", or
"l-bfgs-experimental-do-not-rely-on-this", case-insensitive), `options` are the method's
keyword arguments (maxiter, gtol, norm, ...; an unknown one is a TypeError), gradients come
from autodiff, the whole solve is one while_loop (so it runs under jit and vmap, and, unlike
JAX's, differentiates in both modes through its iterations), and `tol` is accepted but, as in JAX 0.10, not used: pass `gtol`
in `options` instead.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, NamedTuple

from . import numpy as jnp
from .scipy_optimize_bfgs import minimize_bfgs, minimize_lbfgs

__all__ = ["OptimizeResults", "minimize"]


class OptimizeResults(NamedTuple):
    """The result of minimize.

    x: the solution; success: converged without a line-search failure; status: 0 converged,
    1 iteration limit, 2 + the line search's status when it failed (BFGS) or 5 (L-BFGS),
    -1 undefined; fun, jac: f and its gradient at x; hess_inv: BFGS's inverse-Hessian
    estimate (None for L-BFGS); nfev, njev: function and gradient evaluations; nit: iterations.
    """
    x: Any
    success: Any
    status: Any
    fun: Any
    jac: Any
    hess_inv: Any
    nfev: Any
    njev: Any
    nit: Any


def minimize(fun: Callable, x0, args: tuple = (), *, method: str, tol: float | None = None,
             options: Mapping[str, Any] | None = None) -> OptimizeResults:
    """Minimise the scalar function `fun(x, *args)` of the 1-D array `x`, starting at `x0`."""
    if options is None:
        options = {}
    if not isinstance(args, tuple):
        raise TypeError(f"args argument to nablax.scipy.optimize.minimize must be a tuple, got {args}")

    def objective(x):
        return fun(x, *args)

    name = method.lower()
    if name == "bfgs":
        r = minimize_bfgs(objective, x0, **options)
        hess_inv = r.H_k
    elif name == "l-bfgs-experimental-do-not-rely-on-this":
        r = minimize_lbfgs(objective, x0, **options)
        hess_inv = None
    else:
        raise ValueError(f"Method {method} not recognized")
    return OptimizeResults(x=r.x_k, success=r.converged & jnp.logical_not(r.failed), status=r.status,
                           fun=r.f_k, jac=r.g_k, hess_inv=hess_inv, nfev=r.nfev, njev=r.ngev, nit=r.k)
