"""Gamma-family samplers (gamma, loggamma, beta, dirichlet, chisquare, f, t,
generalized_normal, ball) and random_gamma_p, with JAX's constructions, keys and errors.

All are built on `random_gamma_p` (primitives/random_gamma.py: Marsaglia-Tsang rejection, one
loop per element from a key split per element, as JAX): beta from two loggammas
normalised in log space, dirichlet a softmax of loggammas, chisquare 2 exp(loggamma(df/2)),
f a ratio of chisquares, t = normal sqrt((df/2) / gamma(df/2)), generalized_normal a
Rademacher sign times gamma(1/p)^(1/p), ball generalized normals scaled by an exponential.
gamma, beta and dirichlet are differentiable in their parameters (JAX's implicit
reparameterisation gradients); so are the others, through them.

Same numbers as JAX: the keys, bits, uniforms, normals and every rejection decision are
JAX's, and so are the samples, except where XLA's CPU backend computes a function
differently from NumPy: its float32 `1/sqrt(d)` is the hardware's approximate reciprocal
square root plus one Newton step (so JAX's own samples differ between CPU makes), and its
pow and exp are its own polynomials. Hence gamma and t agree with JAX to a few ulp (a rare
element whose rejection test lands within those ulp draws other numbers), and beta,
dirichlet, chisquare, f, generalized_normal and ball to a few ulp more.
"""
from __future__ import annotations

import operator

import numpy as np

from . import dtypes
from . import numpy as jnp
from .core import Tracer
from .errors import ConcretizationTypeError, TypePromotionError
from .primitives import elementwise as ew
from .primitives import misc
from .primitives.random_gamma import random_gamma_p
from .prng import canonical_shape, split_data
from .random import _check_shape, _exponential, _float_dtype, _key, _normal_real, _shape_of, rademacher


def _check_params(fname: str, *params) -> None:
    """Parameters are arrays or scalars: JAX rejects lists and tuples (TypeError)."""
    for p in params:
        if isinstance(p, (list, tuple)):
            raise TypeError(f"random.{fname}: parameters must be arrays or scalars, got a "
                            f"{type(p).__name__}; pass jnp.asarray(...)")


def _check_safe_cast(fname: str, dtype: np.dtype, *args) -> None:
    """JAX's _check_all_safe_to_cast: each parameter must promote to `dtype` without loss."""
    _check_params(fname, *args)
    for arg in args:
        src = jnp.asarray(arg).dtype
        if src != dtype and dtypes.result_type(arg, dtype) != dtype:
            raise TypePromotionError(f"In arguments to {fname}, cannot safely cast argument of type "
                                     f"{src.name} to {dtype.name}")


def _broadcast_shape(fname: str, shape, *params) -> tuple:
    """`shape` checked against the parameters' shapes, or (None) their broadcast shape."""
    if shape is None:
        try:
            return np.broadcast_shapes(*[_shape_of(p) for p in params])
        except ValueError:
            raise ValueError(f"{fname}: incompatible parameter shapes for broadcasting: "
                             f"{[_shape_of(p) for p in params]}") from None
    shape = canonical_shape(fname, shape)
    _check_shape(fname, shape, *[_shape_of(p) for p in params])
    return shape


def _as(x, dtype: np.dtype):
    return misc.convert_element_type(jnp.asarray(x), dtype)


def _gamma(data, a, shape, dtype: np.dtype, log_space: bool):
    if shape is None:
        shape = _shape_of(a)
    else:
        _check_shape("gamma", shape, _shape_of(a))
    a = _as(a, dtype)
    if tuple(a.shape) != tuple(shape):
        a = jnp.broadcast_to(a, shape)
    return random_gamma_p.bind(data, a, log_space=log_space)


def _gamma_entry(fname: str, key, a, shape, dtype, log_space: bool):
    data = _key(fname, key)
    _check_params(fname, a)
    dtype = _float_dtype("gamma", dtype)  # (JAX names `gamma` in loggamma's message too)
    if shape is not None:
        shape = canonical_shape(fname, shape)
    return _gamma(data, a, shape, dtype, log_space)


def gamma(key, a, shape=None, dtype=None):
    """Standard Gamma(a) samples (density x^(a-1) e^-x / Gamma(a)); `shape` defaults to a's."""
    return _gamma_entry("gamma", key, a, shape, dtype, False)


def loggamma(key, a, shape=None, dtype=None):
    """log of Gamma(a) samples, computed in log space: accurate where gamma(a) underflows
    (a << 1), and exp(loggamma(key, a)) == gamma(key, a) to rounding."""
    return _gamma_entry("loggamma", key, a, shape, dtype, True)


def _sampler_dtype(fname: str, dtype, *params) -> np.dtype:
    dtype = _float_dtype(fname, dtype)
    _check_safe_cast(fname, dtype, *params)
    return dtype


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) samples: G_a / (G_a + G_b) from two log-gamma draws, normalised in log space
    so that small a and b keep their precision. `shape` defaults to broadcast(a, b)."""
    data = _key("beta", key)
    dtype = _float_dtype("beta", dtype)
    _check_safe_cast("beta", dtype, a, b)
    shape = _broadcast_shape("beta", shape, a, b)
    # loggamma(key_a, a) and loggamma(key_b, b) for (key_a, key_b) = split(key), as one draw
    # over a leading axis of two keys (the same numbers, one rejection loop).
    ab = jnp.stack([jnp.broadcast_to(_as(a, dtype), shape), jnp.broadcast_to(_as(b, dtype), shape)])
    logs = random_gamma_p.bind(split_data(data, (2,)), ab, log_space=True)
    log_a, log_b = logs[0], logs[1]
    log_max = ew.max(log_a, log_b)
    ga, gb = jnp.exp(log_a - log_max), jnp.exp(log_b - log_max)
    return ga / (ga + gb)


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) samples over alpha's last axis: a softmax of log-gamma draws.
    `shape` is the batch shape (default alpha.shape[:-1]); the result is shape + (n,)."""
    data = _key("dirichlet", key)
    _check_params("dirichlet", alpha)
    dtype = _float_dtype("dirichlet", dtype)
    if shape is not None:
        shape = canonical_shape("dirichlet", shape)
    ndim = len(_shape_of(alpha))
    if ndim < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {ndim}")
    batch = _shape_of(alpha)[:-1]
    if shape is None:
        shape = batch
    else:
        _check_shape("dirichlet", shape, batch)
    alpha = _as(alpha, dtype)
    logs = _gamma(data, alpha, tuple(shape) + tuple(alpha.shape[-1:]), dtype, True)
    unnormalised = jnp.exp(logs - misc.stop_gradient(jnp.max(logs, axis=-1, keepdims=True)))
    return unnormalised / jnp.sum(unnormalised, axis=-1, keepdims=True)


def _chisquare(data, df, shape, dtype: np.dtype):
    half = ew.div(_as(df, dtype), np.array(2, dtype))
    return ew.mul(jnp.exp(_gamma(data, half, shape, dtype, True)), np.array(2, dtype))


def chisquare(key, df, shape=None, dtype=None):
    """Chi-square(df) samples: 2 exp(loggamma(df / 2)). `shape` defaults to df's."""
    data = _key("chisquare", key)
    dtype = _float_dtype("chisquare", dtype)
    shape = _broadcast_shape("chisquare", shape, df)
    _check_safe_cast("chisquare", dtype, df)
    return _chisquare(data, df, shape, dtype)


def f(key, dfnum, dfden, shape=None, dtype=None):
    """F(dfnum, dfden) samples: (chi2(dfnum) / dfnum) / (chi2(dfden) / dfden).
    `shape` defaults to broadcast(dfnum, dfden)."""
    data = _key("f", key)
    dtype = _float_dtype("f", dtype)
    shape = _broadcast_shape("f", shape, dfnum, dfden)
    _check_safe_cast("f", dtype, dfnum, dfden)
    for df in (dfnum, dfden):
        if _shape_of(df) not in ((), tuple(shape)):  # JAX divides by them with lax.div
            raise TypeError(f"random.f: dfnum and dfden must be scalars or of the result shape {tuple(shape)}, "
                            f"got shapes {_shape_of(dfnum)} and {_shape_of(dfden)}")
    dfnum, dfden = _as(dfnum, dtype), _as(dfden, dtype)
    # chisquare(key_d, dfden) and chisquare(key_n, dfnum) for (key_d, key_n) = split(key), as
    # one draw over a leading axis of two keys (the same numbers, one rejection loop).
    two = np.array(2, dtype)
    halves = jnp.stack([jnp.broadcast_to(ew.div(df, two), shape) for df in (dfden, dfnum)])
    chi2 = ew.mul(jnp.exp(random_gamma_p.bind(split_data(data, (2,)), halves, log_space=True)), two)
    return ew.div(ew.div(chi2[1], dfnum), ew.div(chi2[0], dfden))


def t(key, df, shape=None, dtype=None):
    """Student's t(df) samples: normal * sqrt((df / 2) / gamma(df / 2)). `shape` defaults to df's."""
    data = _key("t", key)
    dtype = _float_dtype("t", dtype)
    shape = _broadcast_shape("t", shape, df)
    _check_safe_cast("t", dtype, df)
    keys = split_data(data, (2,))
    n = _normal_real(keys[0], shape, dtype)
    half = ew.div(_as(df, dtype), np.array(2, dtype))
    g = _gamma(keys[1], half, shape, dtype, False)
    return n * jnp.sqrt(half / g)


def _inverse(p):
    """1 / p as JAX computes it inside its jitted sampler: p an array (a Python number weakly
    typed), so the reciprocal is rounded in that dtype."""
    return 1 / jnp.asarray(p)


def _generalized_normal(data, p, shape: tuple, dtype: np.dtype):
    keys = split_data(data, (2,))
    inv = _inverse(p)
    g = _gamma(keys[0], inv, shape, _float_dtype("gamma", dtype), False)
    r = rademacher(keys[1], shape, dtype)
    return r * g ** inv


def generalized_normal(key, p, shape=(), dtype=None):
    """Samples of density proportional to exp(-|x|^p): a random sign times G^(1/p), G ~ Gamma(1/p)."""
    shape = canonical_shape("generalized_normal", shape)
    data = _key("generalized_normal", key)
    dtype = dtypes.check_user_dtype(float if dtype is None else dtype, "random.generalized_normal")
    return _generalized_normal(data, p, shape, dtype)


def ball(key, d: int, p: float = 2, shape=(), dtype=None):
    """Uniform samples from the unit l_p ball in d dimensions (shape + (d,)): generalized
    normals divided by (sum |g|^p + E)^(1/p), E exponential (Barthe et al., 2005)."""
    shape = canonical_shape("ball", shape)
    data = _key("ball", key)
    dtype = dtypes.check_user_dtype(float if dtype is None else dtype, "random.ball")
    if isinstance(d, Tracer):
        raise ConcretizationTypeError("random.ball: the dimension `d` must be a concrete integer (it sets "
                                      "the output shape), got a traced value")
    d = operator.index(d)
    if d < 0:
        raise TypeError(f"random.ball: only non-negative dimensions are allowed, got d={d}")
    keys = split_data(data, (2,))
    g = _generalized_normal(keys[0], p, (*shape, d), dtype)
    e = _exponential(keys[1], shape, _float_dtype("exponential", dtype))
    radius = (jnp.sum(jnp.abs(g) ** p, axis=-1) + e) ** _inverse(p)
    return g / radius[..., None]


__all__ = ["random_gamma_p", "gamma", "loggamma", "beta", "dirichlet", "chisquare", "f", "t",
           "generalized_normal", "ball"]
