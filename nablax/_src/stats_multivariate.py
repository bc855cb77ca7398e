"""Multivariate distributions of jax.scipy.stats: dirichlet and multivariate_normal, on lax
(jittable, batchable, differentiable in x and the parameters)."""
from __future__ import annotations

import math
from functools import partial

import numpy as np

from . import dtypes
from . import numpy as jnp
from .numpy.promotion import as_array
from .primitives.factorizations import cholesky, triangular_solve
from .primitives.misc import convert_element_type
from .scipy_special import gammaln, xlogy


def _promote_inexact(*args):
    """The arguments at their common inexact dtype, weak only if all are (JAX's
    promote_dtypes_inexact: no array-like check, so lists are accepted)."""
    args = [as_array(jnp.asarray(a)) if isinstance(a, (list, tuple)) else a for a in args]
    dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    dtype = dtypes.to_inexact_dtype(dtype)
    return [convert_element_type(as_array(a), dtype, weak) for a in args]


# ---------------------------------------------------------------------------- dirichlet


def dirichlet_logpdf(x, alpha):
    """log Dirichlet(alpha) density at x, the simplex coordinates along axis 0.

    x may have one entry fewer than alpha (the last is then 1 - sum); points off the
    simplex (an entry <= 0, or a sum further than 1e-6 from 1) give -inf, as in JAX."""
    x, alpha = _promote_inexact(x, alpha)
    if alpha.ndim != 1:
        raise ValueError(f"dirichlet.logpdf: `alpha` must be one-dimensional; got alpha.shape={alpha.shape}")
    if x.ndim == 0 or x.shape[0] not in (alpha.shape[0], alpha.shape[0] - 1):
        raise ValueError("dirichlet.logpdf: `x` must have either the same number of entries as `alpha` or "
                         f"one entry fewer; got x.shape={x.shape}, alpha.shape={alpha.shape}")
    one = jnp.asarray(1, x.dtype)  # strongly typed, as JAX's constant for an x of rank >= 1
    if x.shape[0] != alpha.shape[0]:
        x = jnp.concatenate([x, one - jnp.sum(x, axis=0, keepdims=True)], axis=0)
    log_norm = jnp.sum(gammaln(alpha)) - gammaln(jnp.sum(alpha))
    a = jnp.reshape(alpha, alpha.shape + (1,) * (x.ndim - 1))
    logp = jnp.sum(xlogy(a - one, x), axis=0) - log_norm
    on_simplex = jnp.all(x > 0, axis=0) & (jnp.abs(jnp.sum(x, axis=0) - 1) < 1e-6)
    return jnp.where(on_simplex, logp, -np.inf)


def dirichlet_pdf(x, alpha):
    """The Dirichlet density."""
    return jnp.exp(dirichlet_logpdf(x, alpha))


# ------------------------------------------------------------------- multivariate_normal


# chol^-1 b for one lower-triangular chol and one vector b (vectorized over batches below).
_whiten = partial(triangular_solve, lower=True, transpose_a=True)


def multivariate_normal_logpdf(x, mean, cov, allow_singular: None = None):
    """log N(x; mean, cov) over the last axis, batched over the leading ones.

    A scalar mean is the univariate case (cov its variance); a scalar cov is an isotropic
    covariance cov * I; otherwise cov is (..., n, n), factored by Cholesky."""
    if allow_singular is not None:
        raise NotImplementedError("multivariate_normal.logpdf: the allow_singular argument is not "
                                  "implemented (as in JAX)")
    x, mean, cov = _promote_inexact(x, mean, cov)
    log2pi = math.log(2 * math.pi)
    if mean.ndim == 0:
        return -0.5 * jnp.square(x - mean) / cov - 0.5 * (log2pi + jnp.log(cov))
    n = mean.shape[-1]
    if cov.ndim == 0:
        y = x - mean
        return -0.5 * jnp.einsum("...i,...i->...", y, y) / cov - n / 2 * (log2pi + jnp.log(cov))
    if cov.ndim < 2 or cov.shape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal.logpdf got incompatible shapes: mean {mean.shape}, "
                         f"cov {cov.shape}")
    chol = cholesky(cov)
    y = jnp.vectorize(_whiten, signature="(n,n),(n)->(n)")(chol, x - mean)
    return (-0.5 * jnp.einsum("...i,...i->...", y, y) - n / 2 * log2pi
            - jnp.sum(jnp.log(jnp.diagonal(chol, axis1=-2, axis2=-1)), axis=-1))


def multivariate_normal_pdf(x, mean, cov):
    """The multivariate normal density."""
    return jnp.exp(multivariate_normal_logpdf(x, mean, cov))


__all__ = ["dirichlet_logpdf", "dirichlet_pdf", "multivariate_normal_logpdf", "multivariate_normal_pdf"]
