"""nablax.nn: activation functions, softmax, one_hot and standardize, as jax.nn.

Written on lax/jnp, so each is differentiable, batchable and compilable. Piecewise
functions choose their branch with `where`, which fixes the derivative at the kinks
the way JAX does: relu'(0) = 0, relu6' is 0 at 0 and 6, hard_tanh' is 1 at +-1,
leaky_relu'(0) = 1, elu'(0) = 1. Unused branches are fed safe values so gradients
stay finite (elu, softplus of large inputs, ...). softmax/log_softmax subtract the
(stop-gradient) maximum first, so large logits do not overflow.
"""
from __future__ import annotations

import math
import operator

from . import dtypes
from . import numpy as jnp
from .numpy.promotion import check_arraylike, promote_args_inexact
from .numpy.reductions import canonical_axes
from .primitives import misc, special
from .scipy_special import (
    _softmax,
    logsumexp,  # (re-exported, as jax.nn does)
)

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _x(fname: str, x):
    (x,) = promote_args_inexact(f"nn.{fname}", x)
    return x


def _inexact_weak(fname: str, x):
    """x as floating point the way JAX's piecewise activations see it: an integer or bool
    array meets Python float constants there, so it becomes a *weakly typed* float32."""
    check_arraylike(f"nn.{fname}", x)
    dt, weak = dtypes.result_type(x, 1.0, return_weak_type_flag=True)
    return misc.convert_element_type(jnp.asarray(x), dt, weak)


def _require_float(fname: str, x):
    """sigmoid and silu reject integer and bool input, as in JAX (lax.logistic needs floats)."""
    x = jnp.asarray(x) if not hasattr(x, "dtype") else x
    if not dtypes.is_inexact(x.dtype):
        raise TypeError(f"nn.{fname} does not accept dtype {x.dtype}; it needs a floating-point dtype")
    return _x(fname, x)


def _zeros(x):
    return jnp.zeros_like(x)


# ---------------------------------------------------------------------------- relus

def relu(x):
    """max(x, 0); the derivative at 0 is 0 (as in JAX). Integer input stays integer and NaN
    propagates, as in JAX."""
    check_arraylike("nn.relu", x)
    x = jnp.asarray(x)
    if x.dtype == bool:
        x = misc.convert_element_type(x, dtypes.default_int_dtype(), True)
    # NaN propagates with derivative 0, as JAX's select(x > 0, g, 0).
    return jnp.where(x > 0, x, jnp.where(x != x, misc.stop_gradient(x), _zeros(x)))


def relu6(x):
    """min(max(x, 0), 6); the derivative is 0 outside the open interval (0, 6)."""
    x = _inexact_weak("relu6", x)
    below = jnp.where(x != x, misc.stop_gradient(x), _zeros(x))  # NaN: derivative 0, as in JAX
    return jnp.where((x > 0) & (x < 6), x, jnp.where(x >= 6, jnp.full_like(x, 6), below))


def leaky_relu(x, negative_slope=1e-2):
    """x for x >= 0, negative_slope * x below."""
    x = _inexact_weak("leaky_relu", x)
    return jnp.where(x >= 0, x, negative_slope * x)


def elu(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) below."""
    x = _inexact_weak("elu", x)
    safe = jnp.where(x > 0, _zeros(x), x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(safe))


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    x = _inexact_weak("celu", x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, _zeros(x), x) / alpha))


def selu(x):
    """Scaled ELU with the self-normalizing constants (scale 1.0507..., alpha 1.6732...)."""
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def gelu(x, approximate: bool = True):
    """Gaussian error linear unit: x * Phi(x); `approximate=True` uses the tanh formula."""
    x = _x("gelu", x)
    if approximate:
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))
        out = 0.5 * x * (1 + jnp.tanh(inner))
    else:
        out = 0.5 * x * (1 + special.erf(x * (1 / math.sqrt(2.0))))
    return misc.convert_element_type(out, out.dtype)  # never weakly typed, as in JAX


def glu(x, axis: int = -1):
    """Gated linear unit: a * sigmoid(b), where a, b are the two halves of x along `axis`."""
    x = _x("glu", x)
    ax = canonical_axes("nn.glu", axis, x.ndim)[0]
    n = x.shape[ax]
    if n % 2:
        raise ValueError(f"nn.glu: axis {axis} has odd size {n}; it must split into two halves")
    a, b = jnp.split(x, 2, axis=ax)
    return a * sigmoid(b)


# ------------------------------------------------------------------------ sigmoids

def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x))."""
    return special.logistic(_require_float("sigmoid", x))


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    x = _require_float("silu", x)
    return x * special.logistic(x)


swish = silu


def hard_sigmoid(x):
    """relu6(x + 3) / 6."""
    return relu6(_inexact_weak("hard_sigmoid", x) + 3.0) / 6.0


def hard_silu(x):
    """x * hard_sigmoid(x) (also called hard_swish)."""
    x = _inexact_weak("hard_silu", x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -softplus(-_x("log_sigmoid", x))


def softplus(x):
    """log(1 + exp(x)), stable for large |x|."""
    return jnp.logaddexp(_x("softplus", x), 0.0)


def soft_sign(x):
    """x / (|x| + 1)."""
    x = _x("soft_sign", x)
    return x / (jnp.abs(x) + 1)


def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""
    x = _inexact_weak("sparse_plus", x)
    return jnp.where(x <= -1, _zeros(x), jnp.where(x >= 1, x, 0.25 * (x + 1) ** 2))


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2, a smooth relu."""
    x = _x("squareplus", x)
    return 0.5 * (x + jnp.sqrt(x * x + b))


def mish(x):
    """x * tanh(softplus(x))."""
    x = _x("mish", x)
    return x * jnp.tanh(softplus(x))


def hard_tanh(x):
    """x clipped to [-1, 1]; the derivative is 1 on the closed interval [-1, 1], 0 outside (JAX)."""
    check_arraylike("nn.hard_tanh", x)
    x = jnp.asarray(x)  # integer input stays integer, as in JAX
    if x.dtype == bool:
        x = misc.convert_element_type(x, dtypes.default_int_dtype(), True)
    return jnp.where(x > 1, jnp.ones_like(x), jnp.where(x < -1, -jnp.ones_like(x), x))


def tanh(x):
    """The hyperbolic tangent (jnp.tanh)."""
    return jnp.tanh(x)


def identity(x):
    """x itself (as an array)."""
    return jnp.asarray(x)


# ------------------------------------------------------------------------ softmax

def softmax(x, axis=-1, where=None, initial=None):
    """exp(x) / sum(exp(x)) along `axis` (max-subtracted; masked entries of `where` are 0)."""
    return _softmax("nn.softmax", x, axis, where, initial, log=False)


def log_softmax(x, axis=-1, where=None, initial=None):
    """x - logsumexp(x) along `axis` (max-subtracted; masked entries of `where` are -inf)."""
    return _softmax("nn.log_softmax", x, axis, where, initial, log=True)


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None):
    """(x - mean) / sqrt(variance + epsilon), with mean and variance over `axis` by default."""
    x = _x("standardize", x)
    if mean is None:
        mean = jnp.mean(x, axis=axis, keepdims=True, where=where)
    if variance is None:
        variance = jnp.mean(jnp.square(x - mean), axis=axis, keepdims=True, where=where)
    return (x - mean) * jnp.reciprocal(jnp.sqrt(variance + epsilon))


def one_hot(x, num_classes: int, *, dtype=float, axis: int = -1):
    """One-hot encoding of integer x: a new axis of length num_classes at `axis`
    (values outside [0, num_classes) give all-zero rows)."""
    try:
        num_classes = operator.index(num_classes)
    except TypeError:
        raise TypeError("nn.one_hot: num_classes must be a concrete integer (it sets the output "
                        f"shape), got {num_classes!r}") from None
    dtype = dtypes.check_user_dtype(dtype, "nn.one_hot")
    x = jnp.asarray(x)
    out_ndim = x.ndim + 1
    if not -out_ndim <= axis < out_ndim:
        raise ValueError(f"nn.one_hot: axis {axis} is out of bounds for an output of rank {out_ndim}")
    ax = axis % out_ndim
    lhs = jnp.expand_dims(x, ax)
    shape = [1] * out_ndim
    shape[ax] = num_classes
    idx_dtype = x.dtype if x.dtype.kind in "iu" else dtypes.canonicalize_dtype(int)
    classes = misc.broadcasted_iota(idx_dtype, tuple(shape), ax)
    return (lhs == classes).astype(dtype)


def normalize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None):
    """Deprecated alias of standardize (as in JAX)."""
    return standardize(x, axis, mean, variance, epsilon, where)


__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "celu", "selu", "gelu", "glu", "sigmoid", "silu", "swish",
    "hard_sigmoid", "hard_silu", "hard_swish", "log_sigmoid", "softplus", "soft_sign", "sparse_plus",
    "squareplus", "mish", "hard_tanh", "tanh", "identity", "softmax", "log_softmax", "logsumexp",
    "standardize", "normalize", "one_hot",
]
