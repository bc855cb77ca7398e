"""jax.scipy.stats' functions that are not distributions: gaussian_kde, mode, rankdata, sem,
and zscore (SciPy's; JAX 0.10 has no zscore, nablax adds it).

All are written on nablax.numpy, so they run under jit and vmap and are differentiable where
the result is smooth in the input (sem, zscore, the KDE's densities and integrals)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

from . import dtypes
from . import numpy as jnp
from . import random as jr
from .api import vmap
from .numpy.linalg_decomp import cholesky
from .numpy.linalg_solve import inv
from .numpy.promotion import check_arraylike, checked_axis, promote_args_inexact
from .primitives.sorting import cummax
from .scipy_linalg_solve import cho_factor, cho_solve
from .scipy_special import _strong, logsumexp, ndtr
from .stats_multivariate import _promote_inexact
from .tree import register_pytree_node_class

_NAN_POLICIES = ("propagate", "omit", "raise")


def _check_nan_policy(fname: str, nan_policy: str) -> None:
    """JAX's rule for mode and rankdata: only 'propagate' is implemented; 'raise' cannot be
    (whether x holds a NaN is unknown while tracing), 'omit' is not."""
    if nan_policy not in _NAN_POLICIES:
        raise ValueError(f"{fname}: illegal nan_policy value {nan_policy!r}; expected one of "
                         "{'propagate', 'omit', 'raise'}")
    if nan_policy == "omit":
        raise NotImplementedError(f"{fname}: nan_policy='omit' is not implemented (as in JAX)")
    if nan_policy == "raise":
        raise NotImplementedError(f"{fname}: nan_policy='raise' is not supported, since under jit it "
                                  "cannot be known whether the input holds NaNs; check for NaNs before "
                                  "the call")


def _to_last(x, axis):
    """x with `axis` moved last and the other axes flattened into one leading batch axis."""
    x = jnp.moveaxis(x, axis, -1)
    return x.reshape((math.prod(x.shape[:-1]), x.shape[-1]))


# --------------------------------------------------------------------------------- mode


class ModeResult(NamedTuple):
    mode: Any
    count: Any


def _mode_1d(s):
    """The most frequent value of the sorted vector s (the smallest on ties; NaNs count as
    one value) and its count. The count of the run ending at i is i - (start of the run) + 1."""
    idx = jnp.arange(s.shape[0])
    same = jnp.concatenate([jnp.zeros(1, bool), (s[1:] == s[:-1]) | (jnp.isnan(s[1:]) & jnp.isnan(s[:-1]))])
    start = cummax(jnp.where(same, 0, idx), axis=0)
    run = idx - start + 1
    best = jnp.argmax(run)
    return s[best], run[best].astype(dtypes.default_int_dtype())


def mode(a, axis: int | None = 0, nan_policy: str = "propagate", keepdims: bool = False) -> ModeResult:
    """The most common value along `axis` (all of `a` if None) and how often it occurs; the
    smallest such value on ties, as in SciPy and JAX."""
    check_arraylike("mode", a)
    x = jnp.atleast_1d(a)
    _check_nan_policy("mode", nan_policy)
    if axis is None:
        out_shape = (1,) * x.ndim if keepdims else ()
        x, axis = x.ravel(), 0
    else:
        axis = checked_axis("mode", axis, x.ndim)
        out_shape = tuple(1 if i == axis else s for i, s in enumerate(x.shape) if keepdims or i != axis)
    if x.shape[axis] == 0:  # an empty slice has no mode: NaN with count 0, as in JAX
        nan = jnp.full(out_shape, np.nan, dtypes.default_float_dtype())
        return ModeResult(nan, jnp.zeros(out_shape, dtypes.default_float_dtype()))
    vals, counts = vmap(_mode_1d)(jnp.sort(_to_last(x, axis), axis=-1))
    return ModeResult(vals.reshape(out_shape), counts.reshape(out_shape))


# ----------------------------------------------------------------------------- rankdata

_RANK_METHODS = ("average", "min", "max", "dense", "ordinal")


def _rank_1d(a, method: str):
    """The ranks (1-based, default float) of the vector a; all NaN if a holds a NaN."""
    out = dtypes.default_float_dtype()
    sorter = jnp.argsort(a, stable=True)
    ordinal = jnp.argsort(sorter, stable=True) + 1  # the inverse permutation, plus one
    s = a[sorter]
    if method == "ordinal":
        ranks = ordinal
    elif method == "dense":
        ranks = jnp.cumsum(jnp.concatenate([jnp.ones(1, bool), s[1:] != s[:-1]]))[ordinal - 1]
    else:
        low = jnp.searchsorted(s, a, side="left") + 1   # the first rank of a's run of ties
        high = jnp.searchsorted(s, a, side="right")     # the last one
        ranks = {"min": low, "max": high}.get(method)
        if ranks is None:
            return jnp.where(jnp.any(jnp.isnan(a)), np.nan, 0.5 * (low.astype(out) + high.astype(out)))
    return jnp.where(jnp.any(jnp.isnan(a)), np.nan, ranks.astype(out))


def rankdata(a, method: str = "average", *, axis: int | None = None, nan_policy: str = "propagate"):
    """Ranks of the data, ties resolved by `method` ('average', 'min', 'max', 'dense' or
    'ordinal'), over all of `a` (axis=None) or along `axis`; NaN wherever a slice holds a NaN."""
    check_arraylike("rankdata", a)
    _check_nan_policy("rankdata", nan_policy)
    if method not in _RANK_METHODS:
        raise ValueError(f"rankdata: unknown method {method!r}; expected one of {_RANK_METHODS}")
    a = jnp.asarray(a)
    if axis is None:
        return _rank_1d(jnp.ravel(a), method)
    axis = checked_axis("rankdata", axis, a.ndim)
    moved = jnp.moveaxis(a, axis, -1)
    ranks = vmap(lambda v: _rank_1d(v, method))(_to_last(a, axis))
    return jnp.moveaxis(ranks.reshape(moved.shape), -1, axis)


# ---------------------------------------------------------------------- sem and zscore


def sem(a, axis: int | None = 0, ddof: int = 1, nan_policy: str = "propagate", *, keepdims: bool = False):
    """The standard error of the mean, std(a, ddof) / sqrt(n), along `axis` (all of a if None);
    nan_policy='omit' leaves NaNs out of both."""
    (b,) = promote_args_inexact("sem", a)
    if nan_policy == "propagate":
        size = b.size if axis is None else b.shape[axis]
        return b.std(axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(size).astype(b.dtype)
    if nan_policy == "omit":
        count = jnp.sum(~jnp.isnan(b), axis, keepdims=keepdims)
        return jnp.nanstd(b, axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(count).astype(b.dtype)
    raise ValueError(f"sem: nan_policy {nan_policy!r} is not supported (use 'propagate' or 'omit')")


def zscore(a, axis: int | None = 0, ddof: int = 0, nan_policy: str = "propagate"):
    """(a - mean) / std along `axis` (all of a if None), as scipy.stats.zscore.

    Not in JAX 0.10's jax.scipy.stats: a nablax extra. nan_policy='omit' takes the mean and
    std over the non-NaN entries (NaNs stay NaN); 'raise' is not supported (NotImplementedError),
    since under jit it cannot be known whether `a` holds NaNs."""
    (b,) = promote_args_inexact("zscore", a)
    if nan_policy == "propagate":
        mean, std = jnp.mean(b, axis, keepdims=True), jnp.std(b, axis, ddof=ddof, keepdims=True)
    elif nan_policy == "omit":
        mean, std = jnp.nanmean(b, axis, keepdims=True), jnp.nanstd(b, axis, ddof=ddof, keepdims=True)
    elif nan_policy == "raise":
        raise NotImplementedError("zscore: nan_policy='raise' is not supported, since under jit it cannot "
                                  "be known whether the input holds NaNs; check for NaNs before the call")
    else:
        raise ValueError(f"zscore: illegal nan_policy value {nan_policy!r}; expected one of "
                         "{'propagate', 'omit', 'raise'}")
    return (b - mean) / std


# ------------------------------------------------------------------------- gaussian_kde

BwMethod = None | str | Any | Callable[[Any], Any]


def _kernel_sums(in_log: bool, points, weights, xi, precision):
    """For each row of xi (m, d): sum_j w_j N(xi; points_j, precision^-1), or its log
    (through logsumexp) when in_log; points is (n, d)."""
    points, weights, xi, precision = _promote_inexact(points, weights, xi, precision)
    d = points.shape[1]
    if xi.shape[1] != d:
        raise ValueError("gaussian_kde: points and xi must have the same trailing dimension")
    if precision.shape != (d, d):
        raise ValueError("gaussian_kde: the precision matrix must match the data's dimension")
    white = cholesky(precision)
    log_norm = jnp.sum(jnp.log(jnp.diag(white))) - 0.5 * d * math.log(2 * math.pi)
    diff = (xi @ white)[:, None, :] - (points @ white)[None, :, :]
    arg = log_norm - 0.5 * jnp.sum(jnp.square(diff), axis=-1)  # (m, n)
    if in_log:
        return logsumexp(jnp.log(weights)[None, :] + arg, axis=1)
    return jnp.sum(weights[None, :] * jnp.exp(arg), axis=1)


def _convolve(chol, norm, target, weights, mean):
    """norm * sum_j w_j exp(-(t_j - mean)' C^-1 (t_j - mean) / 2), with C given by its
    Cholesky factor `chol` (cho_factor's pair)."""
    diff = target - mean[:, None]
    arg = 0.5 * jnp.sum(diff * cho_solve(chol, diff), axis=0)
    return norm * jnp.sum(jnp.exp(-arg) * weights)


@register_pytree_node_class
@dataclass(frozen=True, init=False, slots=True)
class gaussian_kde:  # noqa: N801  (SciPy's and JAX's spelling)
    """A Gaussian kernel density estimate of `dataset` (d, n), as scipy.stats.gaussian_kde.

    The bandwidth factor is Scott's (default), Silverman's, a scalar, or a callable of the
    estimator; the kernel covariance is the weighted data covariance times factor**2. A
    registered pytree (its leaves: neff, dataset, weights, covariance, inv_cov), so an
    estimator passes through jit, vmap and grad."""

    neff: Any
    dataset: Any
    weights: Any
    covariance: Any
    inv_cov: Any

    def __init__(self, dataset, bw_method: BwMethod = None, weights=None):
        check_arraylike("gaussian_kde", dataset)
        dataset = jnp.atleast_2d(dataset)
        if dtypes.is_complex(dataset.dtype):
            raise NotImplementedError("gaussian_kde does not support complex data")
        if not dataset.size > 1:
            raise ValueError("gaussian_kde: `dataset` input should have multiple elements.")
        d, n = dataset.shape
        if weights is None:
            (dataset,) = _promote_inexact(dataset)
            weights = jnp.full(n, 1.0 / n, dtype=dataset.dtype)
        else:
            check_arraylike("gaussian_kde", weights)
            dataset, weights = _promote_inexact(dataset, weights)
            weights = jnp.atleast_1d(weights)
            weights = weights / jnp.sum(weights)
            if weights.ndim != 1:
                raise ValueError("gaussian_kde: `weights` input should be one-dimensional.")
            if len(weights) != n:
                raise ValueError("gaussian_kde: `weights` input should be of length n")
        self._set("dataset", dataset)
        self._set("weights", weights)
        neff = self._set("neff", 1 / jnp.sum(weights ** 2))
        if bw_method is None or (isinstance(bw_method, str) and bw_method == "scott"):
            factor = jnp.power(neff, -1.0 / (d + 4))
        elif isinstance(bw_method, str) and bw_method == "silverman":
            factor = jnp.power(neff * (d + 2) / 4.0, -1.0 / (d + 4))
        elif jnp.isscalar(bw_method) and not isinstance(bw_method, str):
            factor = bw_method
        elif callable(bw_method):
            factor = bw_method(self)
        else:
            raise ValueError("gaussian_kde: `bw_method` should be 'scott', 'silverman', a scalar, or a callable.")
        data_cov = jnp.atleast_2d(jnp.cov(dataset, rowvar=1, bias=False, aweights=weights))
        self._set("covariance", data_cov * factor ** 2)
        self._set("inv_cov", inv(data_cov) / factor ** 2)

    def _set(self, name: str, value):
        object.__setattr__(self, name, value)  # the class is frozen: fields are set once, here
        return value

    def tree_flatten(self):
        return (self.neff, self.dataset, self.weights, self.covariance, self.inv_cov), None

    @classmethod
    def tree_unflatten(cls, aux_data, children):
        del aux_data
        kde = cls.__new__(cls)
        for name, value in zip(("neff", "dataset", "weights", "covariance", "inv_cov"), children):
            kde._set(name, value)
        return kde

    @property
    def d(self) -> int:
        """The number of dimensions."""
        return self.dataset.shape[0]

    @property
    def n(self) -> int:
        """The number of data points."""
        return self.dataset.shape[1]

    def _reshape_points(self, points):
        if dtypes.is_complex(jnp.asarray(points).dtype):
            raise NotImplementedError("gaussian_kde does not support complex coordinates")
        points = jnp.atleast_2d(points)
        d, m = points.shape
        if d != self.d:
            if d == 1 and m == self.d:
                return jnp.reshape(points, (self.d, 1))
            raise ValueError(f"gaussian_kde: points have dimension {d}, dataset has dimension {self.d}")
        return points

    def evaluate(self, points):
        """The estimated density at `points` (d, m), or at one point of d coordinates."""
        check_arraylike("evaluate", points)
        points = self._reshape_points(points)
        return _kernel_sums(False, self.dataset.T, self.weights, points.T, self.inv_cov)

    def __call__(self, points):
        return self.evaluate(points)

    def pdf(self, x):
        """The estimated density (the same as evaluate)."""
        return self.evaluate(x)

    def logpdf(self, x):
        """The log of the estimated density, computed through logsumexp (no underflow)."""
        check_arraylike("logpdf", x)
        x = self._reshape_points(x)
        return _kernel_sums(True, self.dataset.T, self.weights, x.T, self.inv_cov)

    def _cho_norm(self, cov):
        chol = cho_factor(self.covariance + cov)
        return chol, 1.0 / (jnp.sqrt(2 * np.pi) ** self.d * jnp.prod(jnp.diag(chol[0])))

    def integrate_gaussian(self, mean, cov):
        """The integral of the estimate times the normal density N(mean, cov)."""
        mean = jnp.atleast_1d(jnp.squeeze(mean))
        cov = jnp.atleast_2d(cov)
        if mean.shape != (self.d,):
            raise ValueError(f"gaussian_kde.integrate_gaussian: mean does not have dimension {self.d}")
        if cov.shape != (self.d, self.d):
            raise ValueError(f"gaussian_kde.integrate_gaussian: covariance does not have dimension {self.d}")
        chol, norm = self._cho_norm(cov)
        return _convolve(chol, norm, self.dataset, self.weights, mean)

    def integrate_box_1d(self, low, high):
        """The estimate's mass on [low, high] (one-dimensional estimates, scalar limits)."""
        if self.d != 1:
            raise ValueError("gaussian_kde.integrate_box_1d() only handles 1D pdfs")
        if np.ndim(low) != 0 or np.ndim(high) != 0:
            raise ValueError("gaussian_kde: the limits of integration in integrate_box_1d must be scalars")
        sigma = jnp.squeeze(jnp.sqrt(self.covariance))
        low = jnp.squeeze((low - self.dataset) / sigma)
        high = jnp.squeeze((high - self.dataset) / sigma)
        return _strong(jnp.sum(self.weights * (ndtr(high) - ndtr(low))))

    def integrate_box(self, low_bounds, high_bounds, maxpts=None):
        """Not supported (as in JAX): use integrate_box_1d for one-dimensional estimates."""
        del low_bounds, high_bounds, maxpts
        raise NotImplementedError("gaussian_kde.integrate_box: only 1D box integrations are supported; "
                                  "use `integrate_box_1d`")

    def integrate_kde(self, other: gaussian_kde):
        """The integral of the product of this estimate and `other`."""
        if other.d != self.d:
            raise ValueError("gaussian_kde.integrate_kde: KDEs are not the same dimensionality")
        chol, norm = self._cho_norm(other.covariance)
        small, large = (self, other) if self.n < other.n else (other, self)
        per_point = vmap(lambda m: _convolve(chol, norm, large.dataset, large.weights, m), in_axes=1)
        return jnp.sum(per_point(small.dataset) * small.weights)

    def resample(self, key, shape=()):
        """Draws from the estimate, (d, *shape): data points chosen by weight, plus normal
        noise of the kernel covariance (the same bits as JAX for the same key)."""
        shape = tuple(shape)
        ind_key, eps_key = jr.split(key)
        ind = jr.choice(ind_key, self.n, shape=shape, p=self.weights)
        z = jr.normal(eps_key, shape + (self.d,), self.dataset.dtype)
        eps = jnp.einsum("ij,...j->...i", cholesky(self.covariance), z)
        return self.dataset[:, ind] + eps.T

    def set_bandwidth(self, bw_method=None):
        """Not supported (as in JAX): the estimator is immutable; build a new one."""
        del bw_method
        raise NotImplementedError("gaussian_kde.set_bandwidth: dynamically changing the bandwidth method "
                                  "is not supported; construct a new gaussian_kde")


__all__ = ["gaussian_kde", "mode", "rankdata", "sem", "zscore"]
