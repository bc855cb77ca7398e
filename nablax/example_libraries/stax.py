"""nablax.example_libraries.stax: (init_fun, apply_fun) layer combinators, as jax.example_libraries.stax.

A layer is a pair of functions:

- ``init_fun(rng, input_shape) -> (output_shape, params)`` draws the parameters from a PRNG
  key and says what shape comes out, so a network's shapes are known before any data;
- ``apply_fun(params, inputs, **kwargs) -> outputs`` runs it (``rng=key`` for layers that
  need randomness, such as :func:`Dropout`).

_Layer constructors are CamelCase (``Dense(10)``, ``Conv(32, (3, 3))``); a few parameterless
layers are pairs already (``Relu``, ``Flatten``, ``Identity``, ``FanInSum``). ``serial``,
``parallel`` and ``shape_dependent`` compose layers into layers. Parameters are drawn with
``nablax.nn.initializers`` and the keys are split as JAX's stax splits them, so the same key
gives the same parameters as JAX. Like JAX's module this is a small example library, not a
full neural-network package.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

from nablax import lax, random
from nablax import numpy as jnp
from nablax.nn import elu, gelu, leaky_relu, log_softmax, relu, selu, sigmoid, softmax, softplus, standardize
from nablax.nn.initializers import glorot_normal, normal, ones, zeros

__all__ = [
    "AvgPool", "BatchNorm", "Conv", "Conv1DTranspose", "ConvTranspose", "Dense", "Dropout", "Elu", "Exp",
    "FanInConcat", "FanInSum", "FanOut", "Flatten", "Gelu", "GeneralConv", "GeneralConvTranspose", "Identity",
    "LeakyRelu", "LogSoftmax", "MaxPool", "Relu", "Selu", "Sigmoid", "Softmax", "Softplus", "SumPool", "Tanh",
    "elementwise", "elu", "gelu", "glorot", "glorot_normal", "leaky_relu", "log_softmax", "logsoftmax", "normal",
    "ones", "parallel", "randn", "relu", "selu", "serial", "shape_dependent", "sigmoid", "softmax", "softplus",
    "standardize", "zeros",
]

# Older names JAX's stax keeps for the same functions.
glorot = glorot_normal
randn = normal
logsoftmax = log_softmax

_Layer = tuple[Callable, Callable]  # (init_fun, apply_fun)
_Shape = tuple[int, ...]


# The default initializers, made once (JAX's signatures build them as default values).
_glorot_default = glorot_normal()
_normal_default = normal()
_bias_default = normal(1e-6)


def _stateless(init_fun: Callable[[_Shape], _Shape], apply_fun: Callable) -> _Layer:
    """A layer without parameters: its init only maps the input shape."""
    return (lambda rng, input_shape: (init_fun(input_shape), ())), apply_fun


# ---------------------------------------------------------------- layers with parameters

def Dense(out_dim: int, W_init: Callable = _glorot_default, b_init: Callable = _normal_default) -> _Layer:
    """A fully connected layer ``inputs @ W + b`` on the last axis, to `out_dim` features."""
    def init_fun(rng, input_shape):
        k_w, k_b = random.split(rng)
        params = W_init(k_w, (input_shape[-1], out_dim)), b_init(k_b, (out_dim,))
        return tuple(input_shape[:-1]) + (out_dim,), params

    def apply_fun(params, inputs, **kwargs):
        W, b = params
        return jnp.dot(inputs, W) + b

    return init_fun, apply_fun


def _conv_layer(shape_rule: Callable, apply_conv: Callable, dimension_numbers: tuple[str, str, str], out_chan: int,
                filter_shape: Sequence[int], strides: Sequence[int] | None, padding: Any,
                W_init: Callable | None, b_init: Callable) -> _Layer:
    """A (transposed) convolution with a bias per output channel; kernel laid out as the rhs spec says."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    strides = strides or (1,) * len(filter_shape)
    W_init = W_init or glorot_normal(rhs_spec.index("I"), rhs_spec.index("O"))

    def init_fun(rng, input_shape):
        spatial = iter(filter_shape)
        in_chan = input_shape[lhs_spec.index("C")]
        kernel_shape = [out_chan if c == "O" else in_chan if c == "I" else next(spatial) for c in rhs_spec]
        output_shape = shape_rule(input_shape, kernel_shape, strides, padding, dimension_numbers)
        bias_shape = [out_chan if c == "C" else 1 for c in out_spec]
        k_w, k_b = random.split(rng)
        return output_shape, (W_init(k_w, kernel_shape), b_init(k_b, bias_shape))

    def apply_fun(params, inputs, **kwargs):
        W, b = params
        return apply_conv(inputs, W, strides, padding, dimension_numbers) + b

    return init_fun, apply_fun


def _conv(inputs, W, strides, padding, dimension_numbers):
    ones_ = (1,) * (W.ndim - 2)
    return lax.conv_general_dilated(inputs, W, strides, padding, ones_, ones_, dimension_numbers=dimension_numbers)


def _conv_transpose(inputs, W, strides, padding, dimension_numbers):
    return lax.conv_transpose(inputs, W, strides, padding, dimension_numbers=dimension_numbers)


def GeneralConv(dimension_numbers: tuple[str, str, str], out_chan: int, filter_shape: Sequence[int],
                strides: Sequence[int] | None = None, padding: Any = "VALID", W_init: Callable | None = None,
                b_init: Callable = _bias_default) -> _Layer:
    """A convolution layer for any layout (`dimension_numbers` = lhs, rhs, out specs such as 'NHWC', 'HWIO', 'NHWC').

    The kernel is drawn with `W_init` (default: Glorot normal over its I and O axes), the
    bias (one per output channel, broadcast over the other axes) with `b_init`.
    """
    return _conv_layer(lax.conv_general_shape_tuple, _conv, dimension_numbers, out_chan, filter_shape, strides,
                       padding, W_init, b_init)


def GeneralConvTranspose(dimension_numbers: tuple[str, str, str], out_chan: int, filter_shape: Sequence[int],
                         strides: Sequence[int] | None = None, padding: Any = "VALID", W_init: Callable | None = None,
                         b_init: Callable = _bias_default) -> _Layer:
    """A transposed-convolution layer (``lax.conv_transpose``), laid out and initialized as :func:`GeneralConv`."""
    return _conv_layer(lax.conv_transpose_shape_tuple, _conv_transpose, dimension_numbers, out_chan, filter_shape,
                       strides, padding, W_init, b_init)


Conv = functools.partial(GeneralConv, ("NHWC", "HWIO", "NHWC"))
Conv1DTranspose = functools.partial(GeneralConvTranspose, ("NHC", "HIO", "NHC"))
ConvTranspose = functools.partial(GeneralConvTranspose, ("NHWC", "HWIO", "NHWC"))


def BatchNorm(axis: int | Sequence[int] = (0, 1, 2), epsilon: float = 1e-5, center: bool = True, scale: bool = True,
              beta_init: Callable = zeros, gamma_init: Callable = ones) -> _Layer:
    """Standardize over `axis` (batch statistics), then ``gamma * z + beta`` with parameters over the other axes.

    Without `center` (or `scale`) the beta (gamma) parameter is ``()`` and not applied.
    """
    axis = (axis,) if jnp.isscalar(axis) else tuple(axis)

    def init_fun(rng, input_shape):
        shape = tuple(d for k, d in enumerate(input_shape) if k not in axis)
        k_beta, k_gamma = random.split(rng)
        beta = beta_init(k_beta, shape) if center else ()
        gamma = gamma_init(k_gamma, shape) if scale else ()
        return input_shape, (beta, gamma)

    def apply_fun(params, x, **kwargs):
        beta, gamma = params
        expand = tuple(None if k in axis else slice(None) for k in range(jnp.ndim(x)))
        z = standardize(x, axis, epsilon=epsilon)
        if scale:
            z = gamma[expand] * z
        return z + beta[expand] if center else z

    return init_fun, apply_fun


# ---------------------------------------------------------------- elementwise layers

def elementwise(fun: Callable, **fun_kwargs) -> _Layer:
    """A parameterless layer applying ``fun(inputs, **fun_kwargs)``."""
    return _stateless(lambda shape: shape, lambda params, inputs, **kwargs: fun(inputs, **fun_kwargs))


Tanh = elementwise(jnp.tanh)
Relu = elementwise(relu)
Exp = elementwise(jnp.exp)
LogSoftmax = elementwise(log_softmax, axis=-1)
Softmax = elementwise(softmax, axis=-1)
Softplus = elementwise(softplus)
Sigmoid = elementwise(sigmoid)
Elu = elementwise(elu)
LeakyRelu = elementwise(leaky_relu)
Selu = elementwise(selu)
Gelu = elementwise(gelu)


# ---------------------------------------------------------------- pooling

def _pooling_layer(reducer: Callable, init_val: float, average: bool = False) -> Callable[..., _Layer]:
    """The constructor of a pooling layer reducing each window with `reducer` from `init_val` (also the padding)."""

    def PoolingLayer(window_shape: Sequence[int], strides: Sequence[int] | None = None, padding: Any = "VALID",
                     spec: str | None = None) -> _Layer:
        """A pooling layer over the spatial axes: `window_shape` and `strides` (default 1) name those only.

        The batch and channel axes are the first and last, or where 'N' and 'C' sit in `spec`.
        """
        spatial_window = tuple(window_shape)
        spatial_strides = tuple(strides or (1,) * len(spatial_window))
        non_spatial = (0, len(spatial_window) + 1) if spec is None else (spec.index("N"), spec.index("C"))
        window, steps = list(spatial_window), list(spatial_strides)
        for k in sorted(non_spatial):
            window.insert(k, 1)
            steps.insert(k, 1)
        window, steps = tuple(window), tuple(steps)

        def init_fun(rng, input_shape):
            pads = lax.padtype_to_pads(input_shape, window, steps, padding)
            unit = (1,) * len(window)
            return lax.reduce_window_shape_tuple(input_shape, window, steps, pads, unit, unit), ()

        def apply_fun(params, inputs, **kwargs):
            out = lax.reduce_window(inputs, init_val, reducer, window, steps, padding)
            return out / _window_sizes(inputs, spatial_window, spatial_strides, padding, spec) if average else out

        return init_fun, apply_fun

    return PoolingLayer


def _window_sizes(inputs, window, strides, padding, spec):
    """How many real (unpadded) entries each output window of an average pool covers, broadcastable to the output."""
    non_spatial = (0, inputs.ndim - 1) if spec is None else (spec.index("N"), spec.index("C"))
    spatial_shape = tuple(d for k, d in enumerate(inputs.shape) if k not in non_spatial)
    counts = lax.reduce_window(jnp.ones(spatial_shape, dtype=inputs.dtype), 0., lax.add, window, strides, padding)
    for k in sorted(non_spatial):
        counts = jnp.expand_dims(counts, k)
    return counts


MaxPool = _pooling_layer(lax.max, -jnp.inf)
SumPool = _pooling_layer(lax.add, 0.)
AvgPool = _pooling_layer(lax.add, 0., average=True)


# ---------------------------------------------------------------- shape plumbing
# Flatten keeps the leading (batch) axis and flattens the rest; Identity passes its input on;
# FanInSum adds a list of inputs. Each is a layer pair already, as in JAX.

Flatten = _stateless(lambda shape: (shape[0], math.prod(shape[1:])),
                     lambda params, inputs, **kwargs: jnp.reshape(inputs, (inputs.shape[0], -1)))
Identity = _stateless(lambda shape: shape, lambda params, inputs, **kwargs: inputs)
FanInSum = _stateless(lambda shapes: shapes[0], lambda params, inputs, **kwargs: sum(inputs))


def FanOut(num: int) -> _Layer:
    """A layer that hands its input on `num` times (a list), to feed :func:`parallel` branches."""
    return _stateless(lambda shape: [shape] * num, lambda params, inputs, **kwargs: [inputs] * num)


def FanInConcat(axis: int = -1) -> _Layer:
    """A layer that concatenates its list of inputs along `axis`."""
    def out_shape(shapes):
        ax = axis % len(shapes[0])
        return tuple(shapes[0][:ax]) + (sum(s[ax] for s in shapes),) + tuple(shapes[0][ax + 1:])

    return _stateless(out_shape, lambda params, inputs, **kwargs: jnp.concatenate(inputs, axis))


def Dropout(rate: float, mode: str = "train") -> _Layer:
    """Dropout: in 'train' mode keep each entry with probability `rate` (JAX's meaning) scaled by ``1/rate``.

    The apply function needs ``rng=key`` in train mode; any other mode is the identity.
    """
    def apply_fun(params, inputs, **kwargs):
        rng = kwargs.get("rng")
        if rng is None:
            raise ValueError("Dropout layer requires apply_fun to be called with a PRNG key argument: call "
                             "apply_fun(params, inputs, rng=key) with key from nablax.random.key, not "
                             "apply_fun(params, inputs).")
        if mode != "train":
            return inputs
        keep = random.bernoulli(rng, rate, inputs.shape)
        return jnp.where(keep, inputs / rate, 0)

    return _stateless(lambda shape: shape, apply_fun)


# ---------------------------------------------------------------- combinators

def _layer_keys(rng, n: int):
    """One key per layer for an apply call (or None for each when no key was given)."""
    return random.split(rng, n) if rng is not None else (None,) * n


def serial(*layers: _Layer) -> _Layer:
    """The layers one after another: each init sees the previous output shape; params are a list, one per layer."""
    init_funs = [init for init, _ in layers]
    apply_funs = [apply for _, apply in layers]

    def init_fun(rng, input_shape):
        params = []
        for init in init_funs:
            rng, layer_rng = random.split(rng)
            input_shape, p = init(layer_rng, input_shape)
            params.append(p)
        return input_shape, params

    def apply_fun(params, inputs, **kwargs):
        rngs = _layer_keys(kwargs.pop("rng", None), len(apply_funs))
        for apply, p, r in zip(apply_funs, params, rngs):
            inputs = apply(p, inputs, rng=r, **kwargs)
        return inputs

    return init_fun, apply_fun


def parallel(*layers: _Layer) -> _Layer:
    """The layers side by side: a sequence of inputs in, one per layer, the sequence of their outputs out.

    Usually sandwiched between :func:`FanOut` and :data:`FanInSum` or :func:`FanInConcat`.
    """
    init_funs = [init for init, _ in layers]
    apply_funs = [apply for _, apply in layers]

    def init_fun(rng, input_shape):
        rngs = random.split(rng, len(init_funs))
        results = [init(r, shape) for init, r, shape in zip(init_funs, rngs, input_shape)]
        return tuple(s for s, _ in results), tuple(p for _, p in results)

    def apply_fun(params, inputs, **kwargs):
        rngs = _layer_keys(kwargs.pop("rng", None), len(apply_funs))
        return [apply(p, x, rng=r, **kwargs) for apply, p, x, r in zip(apply_funs, params, inputs, rngs)]

    return init_fun, apply_fun


def shape_dependent(make_layer: Callable[[_Shape], _Layer]) -> _Layer:
    """A layer built only once the input shape is known: `make_layer(shape)` returns the (init_fun, apply_fun) pair."""
    def init_fun(rng, input_shape):
        return make_layer(input_shape)[0](rng, input_shape)

    def apply_fun(params, inputs, **kwargs):
        return make_layer(inputs.shape)[1](params, inputs, **kwargs)

    return init_fun, apply_fun
