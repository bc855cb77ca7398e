"""nablax.example_libraries.optimizers: (init, update, get_params) optimizer triples, as jax.example_libraries.optimizers.

An optimizer is three functions:

- ``init_fun(params) -> opt_state``: the initial state (the parameters and any
  accumulators) for a pytree of parameters;
- ``update_fun(step, grads, opt_state) -> opt_state``: one step, given the step index and a
  gradient pytree shaped like the parameters;
- ``get_params(opt_state) -> params``, with ``get_params(init_fun(p)) == p``.

Each optimizer below is written for one array and lifted to pytrees by the ``@optimizer``
decorator, which keeps the state as an ``OptimizerState`` (a pytree) so that it passes
through ``jit``, ``vmap`` and ``grad``. The update arithmetic is JAX's, operation for
operation, so trajectories agree with JAX's to float32 rounding. Like JAX's module this is
an example library: small, readable, and not meant to grow into a full optimizer package.
``pack_optimizer_state``/``unpack_optimizer_state`` turn a state into a plain pytree (with
``JoinPoint`` leaves) and back, for serialization.
"""
from __future__ import annotations

import builtins
import functools
from collections import namedtuple
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, NamedTuple

from nablax import numpy as jnp
from nablax import tree_util

__all__ = [
    "Any", "Array", "Callable", "InitFn", "JoinPoint", "NamedTuple", "Optimizer", "OptimizerState", "Params",
    "ParamsFn", "Schedule", "State", "Step", "UpdateFn", "Updates", "adagrad", "adam", "adamax", "annotations",
    "clip_grads", "constant", "exponential_decay", "inverse_time_decay", "l2_norm", "make_schedule", "map",
    "momentum", "namedtuple", "nesterov", "optimizer", "pack_optimizer_state", "partial", "piecewise_constant",
    "polynomial_decay", "rmsprop", "rmsprop_momentum", "safe_map", "safe_zip", "sgd", "sm3",
    "unpack_optimizer_state", "unzip2", "zip",
]


# ---------------------------------------------------------------- list helpers JAX's module re-exports

def safe_map(f: Callable, *args: Iterable) -> list:
    """``map`` that returns a list and insists that every argument has the same length."""
    if not args:
        raise TypeError("safe_map requires at least 2 arguments")
    lists = [list(a) for a in args]
    for k, a in enumerate(lists[1:], start=2):
        if len(a) != len(lists[0]):
            raise ValueError(f"safe_map() argument {k} has length {len(a)} but argument 1 has length {len(lists[0])}")
    return list(builtins.map(f, *lists))


def safe_zip(*args: Iterable) -> list[tuple]:
    """``zip`` that returns a list and insists that every argument has the same length."""
    if not args:
        raise TypeError("safe_zip requires at least 1 argument.")
    lists = [list(a) for a in args]
    lengths = tuple(len(a) for a in lists)
    if len(set(lengths)) > 1:
        raise ValueError(f"safe_zip() arguments differ in length. All lengths: {lengths}")
    return list(builtins.zip(*lists))


def unzip2(pairs: Iterable[tuple[Any, Any]]) -> tuple[tuple, tuple]:
    """Split a sequence of pairs into the tuple of firsts and the tuple of seconds (empty in, two empties out)."""
    firsts, seconds = [], []
    for a, b in pairs:
        firsts.append(a)
        seconds.append(b)
    return tuple(firsts), tuple(seconds)


map = safe_map  # noqa: A001  (JAX's module shadows the builtins with the checked versions too)
zip = safe_zip  # noqa: A001


# ---------------------------------------------------------------- the state and the types

OptimizerState = namedtuple("OptimizerState", ["packed_state", "tree_def", "subtree_defs"])
OptimizerState.__doc__ = """The state of a pytree optimizer: for each parameter leaf (in `tree_def`'s order) the
flattened leaves of that leaf's own state (`packed_state`) and the structure to rebuild it (`subtree_defs`).
A pytree whose only children are the packed leaves, so it passes through jit and vmap."""

tree_util.register_pytree_node(
    OptimizerState,
    lambda s: ((s.packed_state,), (s.tree_def, s.subtree_defs)),
    lambda aux, children: OptimizerState(children[0], *aux),
)

Array = Any
Params = Any  # any pytree of arrays
State = Any  # one leaf's optimizer state (a pytree)
Updates = Params  # gradients: the same structure as the parameters
InitFn = Callable[[Params], OptimizerState]
Step = int
UpdateFn = Callable[[Step, Updates, OptimizerState], OptimizerState]
ParamsFn = Callable[[OptimizerState], Params]
Schedule = Callable[[Step], float]


class Optimizer(NamedTuple):
    """An ``(init_fn, update_fn, params_fn)`` triple; unpacks like a tuple."""

    init_fn: InitFn
    update_fn: UpdateFn
    params_fn: ParamsFn


def _unpack(opt_state: OptimizerState) -> tuple[list, Any, tuple]:
    """Each parameter leaf's state rebuilt from the packed leaves, with the parameters' tree."""
    packed, tree, subtrees = opt_state
    return map(tree_util.tree_unflatten, subtrees, packed), tree, subtrees


def optimizer(opt_maker: Callable[..., tuple[Callable, Callable, Callable]]) -> Callable[..., Optimizer]:
    """Lift an optimizer written for single arrays to pytrees of parameters.

    `opt_maker(*args, **kwargs)` returns ``(init, update, get_params)`` acting on one array
    (``init(x0) -> state``, ``update(i, g, state) -> state``, ``get_params(state) -> x``,
    where a state may be any pytree). The decorated maker returns an :class:`Optimizer` whose
    functions apply those leaf by leaf and keep the state as an :class:`OptimizerState`.
    """

    @functools.wraps(opt_maker)
    def make_tree_optimizer(*args, **kwargs) -> Optimizer:
        init, update, get_params = opt_maker(*args, **kwargs)

        @functools.wraps(init)
        def tree_init(x0_tree: Params) -> OptimizerState:
            x0s, tree = tree_util.tree_flatten(x0_tree)
            packed, subtrees = unzip2(tree_util.tree_flatten(init(x0)) for x0 in x0s)
            return OptimizerState(packed, tree, subtrees)

        @functools.wraps(update)
        def tree_update(i: Step, grad_tree: Updates, opt_state: OptimizerState) -> OptimizerState:
            states, tree, subtrees = _unpack(opt_state)
            grads, grad_tree_def = tree_util.tree_flatten(grad_tree)
            if grad_tree_def != tree:
                raise TypeError(f"optimizer update: the gradient tree {grad_tree_def} does not match the parameter "
                                f"tree {tree} the optimizer state was initialized with")
            packed, new_subtrees = unzip2(tree_util.tree_flatten(update(i, g, s)) for g, s in zip(grads, states))
            for before, after in zip(subtrees, new_subtrees):
                if before != after:
                    raise TypeError(f"optimizer update: the update function changed a state's structure from "
                                    f"{before} to {after}; it must return the structure it was given")
            return OptimizerState(packed, tree, subtrees)

        @functools.wraps(get_params)
        def tree_get_params(opt_state: OptimizerState) -> Params:
            states, tree, _ = _unpack(opt_state)
            return tree_util.tree_unflatten(tree, map(get_params, states))

        return Optimizer(tree_init, tree_update, tree_get_params)

    return make_tree_optimizer


# ---------------------------------------------------------------- optimizers (one array each)

def _params_first(state: tuple) -> Array:
    """get_params of every optimizer whose state is ``(x, accumulators...)``."""
    return state[0]


def _with_zeros(count: int) -> Callable[[Array], tuple]:
    """init of an optimizer whose state is ``x0`` followed by `count` zero accumulators shaped like it."""
    return lambda x0: (x0,) + tuple(jnp.zeros_like(x0) for _ in range(count))


def _moving_average(beta: float, avg: Array, new: Array) -> Array:
    """``(1 - beta) * new + beta * avg``: Adam's and AdaMax's first (and Adam's second) moment update."""
    return (1 - beta) * new + beta * avg


def _bias_correction(beta: float, m: Array, i: Step) -> Array:
    """``1 - beta ** (i + 1)`` in the moment's dtype (Adam's and AdaMax's debiasing denominator)."""
    return 1 - jnp.asarray(beta, m.dtype) ** (i + 1)


@optimizer
def sgd(step_size: float | Schedule) -> Optimizer:
    """Stochastic gradient descent: ``x <- x - step_size(i) * g``.

    `step_size` is a positive scalar or a schedule (step index -> scalar).
    """
    lr = make_schedule(step_size)
    return Optimizer(lambda x0: x0, lambda i, g, x: x - lr(i) * g, lambda x: x)


def _momentum_optimizer(step_size: float | Schedule, mass: float, lookahead: bool) -> tuple:
    """Heavy-ball momentum; with `lookahead` the Nesterov step along ``mass * v + g``."""
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, v = state
        v = mass * v + g
        direction = mass * v + g if lookahead else v
        return x - lr(i) * direction, v

    return _with_zeros(1), update, _params_first


@optimizer
def momentum(step_size: float | Schedule, mass: float) -> tuple:
    """SGD with momentum: ``v <- mass * v + g``, ``x <- x - step_size(i) * v``."""
    return _momentum_optimizer(step_size, mass, lookahead=False)


@optimizer
def nesterov(step_size: float | Schedule, mass: float) -> tuple:
    """SGD with Nesterov momentum: ``v <- mass * v + g``, ``x <- x - step_size(i) * (mass * v + g)``."""
    return _momentum_optimizer(step_size, mass, lookahead=True)


def _inv_sqrt_or_zero(accum: Array, zero: Any) -> Array:
    """``1 / sqrt(accum)`` where accum > 0, else `zero` (a never-seen coordinate takes no step)."""
    return jnp.where(accum > 0, 1. / jnp.sqrt(accum), zero)


@optimizer
def adagrad(step_size: float | Schedule, momentum: float = 0.9) -> tuple:
    """Adagrad (Duchi, Hazan and Singer 2011) with momentum on the scaled gradient.

    Accumulates ``g_sq += g**2`` and moves along the momentum average of ``g / sqrt(g_sq)``.
    """
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, g_sq, m = state
        g_sq = g_sq + jnp.square(g)
        m = (1. - momentum) * (g * _inv_sqrt_or_zero(g_sq, 0.0)) + momentum * m
        return x - lr(i) * m, g_sq, m

    return _with_zeros(2), update, _params_first


@optimizer
def rmsprop(step_size: float | Schedule, gamma: float = 0.9, eps: float = 1e-8) -> tuple:
    """RMSProp: a decaying average of ``g**2`` (decay `gamma`) scales each step by ``1/sqrt(avg + eps)``."""
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, avg_sq_grad = state
        avg_sq_grad = avg_sq_grad * gamma + jnp.square(g) * (1. - gamma)
        return x - lr(i) * g / jnp.sqrt(avg_sq_grad + eps), avg_sq_grad

    return _with_zeros(1), update, _params_first


@optimizer
def rmsprop_momentum(step_size: float | Schedule, gamma: float = 0.9, eps: float = 1e-8,
                     momentum: float = 0.9) -> tuple:
    """RMSProp whose scaled steps are accumulated with `momentum` (a third state array, hence its own optimizer)."""
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, avg_sq_grad, mom = state
        avg_sq_grad = avg_sq_grad * gamma + jnp.square(g) * (1. - gamma)
        mom = momentum * mom + lr(i) * g / jnp.sqrt(avg_sq_grad + eps)
        return x - mom, avg_sq_grad, mom

    return _with_zeros(2), update, _params_first


@optimizer
def adam(step_size: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> tuple:
    """Adam (Kingma and Ba 2015): bias-corrected first and second moment estimates with decay rates `b1`, `b2`."""
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, m, v = state
        m, v = _moving_average(b1, m, g), _moving_average(b2, v, jnp.square(g))
        m_hat, v_hat = m / _bias_correction(b1, m, i), v / _bias_correction(b2, m, i)
        return x - lr(i) * m_hat / (jnp.sqrt(v_hat) + eps), m, v

    return _with_zeros(2), update, _params_first


@optimizer
def adamax(step_size: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> tuple:
    """AdaMax (Kingma and Ba 2015): Adam with the second moment replaced by a decaying infinity norm."""
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, m, u = state
        m, u = _moving_average(b1, m, g), jnp.maximum(b2 * u, jnp.abs(g))
        return x - (lr(i) / _bias_correction(b1, m, i)) * m / (u + eps), m, u

    return _with_zeros(2), update, _params_first


@optimizer
def sm3(step_size: float | Schedule, momentum: float = 0.9) -> tuple:
    """SM3 (Anil, Gupta, Koren and Singer 2019): Adagrad whose accumulator is one vector per axis.

    The accumulator of an entry is the minimum over its axes' vectors plus ``g**2``; each
    vector then keeps the maximum over the other axes. Memory is the sum of the dimensions
    instead of their product. Scalars are treated as shape (1,).
    """
    lr = make_schedule(step_size)

    def along(ndim: int, v: Array, axis: int) -> Array:
        """Vector `v` viewed as lying along `axis` of an `ndim`-dimensional array."""
        return v[tuple(slice(None) if d == axis else None for d in range(ndim))]

    def init(x0):
        shape = x0.shape
        x0 = jnp.atleast_1d(x0)
        return x0, jnp.zeros_like(x0), [jnp.zeros(n, dtype=x0.dtype) for n in x0.shape], shape

    def update(i, g, state):
        x, m, vs, shape = state
        accum = functools.reduce(jnp.minimum, [along(g.ndim, v, axis) for axis, v in enumerate(vs)]) + jnp.square(g)
        m = (1. - momentum) * (g * _inv_sqrt_or_zero(accum, 0)) + momentum * m
        x = x - lr(i) * m
        others = [tuple(d for d in range(x.ndim) if d != axis) for axis in range(x.ndim)]
        return x, m, [accum.max(axis=axes) for axes in others], shape

    def get_params(state):
        x, _, _, shape = state
        return x.reshape(shape)

    return init, update, get_params


# ---------------------------------------------------------------- learning-rate schedules

def constant(step_size: Any) -> Schedule:
    """The schedule that is `step_size` at every step."""
    return lambda i: step_size


def exponential_decay(step_size: Any, decay_steps: Any, decay_rate: Any) -> Schedule:
    """``step_size * decay_rate ** (i / decay_steps)``: multiplied by `decay_rate` every `decay_steps` steps, smoothly."""
    return lambda i: step_size * decay_rate ** (i / decay_steps)


def inverse_time_decay(step_size: Any, decay_steps: Any, decay_rate: Any, staircase: bool = False) -> Schedule:
    """``step_size / (1 + decay_rate * i / decay_steps)``; with `staircase`, ``i / decay_steps`` is floored."""
    if staircase:
        return lambda i: step_size / (1 + decay_rate * jnp.floor(i / decay_steps))
    return lambda i: step_size / (1 + decay_rate * i / decay_steps)


def polynomial_decay(step_size: Any, decay_steps: Any, final_step_size: Any, power: float = 1.0) -> Schedule:
    """From `step_size` to `final_step_size` along ``(1 - i / decay_steps) ** power``, then constant."""
    def schedule(i):
        frac = 1 - jnp.minimum(i, decay_steps) / decay_steps
        return frac ** power * (step_size - final_step_size) + final_step_size

    return schedule


def piecewise_constant(boundaries: Any, values: Any) -> Schedule:
    """``values[k]`` for steps in ``(boundaries[k-1], boundaries[k]]``; `values` has one entry more than `boundaries`."""
    boundaries, values = jnp.array(boundaries), jnp.array(values)
    if not boundaries.ndim == values.ndim == 1:
        raise ValueError("piecewise_constant: boundaries and values must be sequences (one-dimensional), got "
                         f"shapes {boundaries.shape} and {values.shape}")
    if boundaries.shape[0] != values.shape[0] - 1:
        raise ValueError(f"piecewise_constant: boundaries length must be one shorter than values length, got "
                         f"{boundaries.shape[0]} boundaries and {values.shape[0]} values")
    return lambda i: values[jnp.sum(i > boundaries)]


def make_schedule(scalar_or_schedule: float | Schedule) -> Schedule:
    """A callable is a schedule already; a scalar becomes :func:`constant`; anything else is a TypeError."""
    if callable(scalar_or_schedule):
        return scalar_or_schedule
    if jnp.ndim(scalar_or_schedule) == 0:
        return constant(scalar_or_schedule)
    raise TypeError(type(scalar_or_schedule))


# ---------------------------------------------------------------- utilities

def l2_norm(tree: Any) -> Array:
    """The l2 norm of all the leaves of a pytree of arrays taken together (for weight decay or clipping)."""
    return jnp.sqrt(sum(jnp.vdot(x, x) for x in tree_util.tree_leaves(tree)))


def clip_grads(grad_tree: Any, max_norm: Any) -> Any:
    """Scale a gradient pytree down to l2 norm `max_norm` if its norm is larger (it is left alone otherwise)."""
    norm = l2_norm(grad_tree)
    return tree_util.tree_map(lambda g: jnp.where(norm < max_norm, g, g * (max_norm / norm)), grad_tree)


# ---------------------------------------------------------------- serialization

class JoinPoint:
    """A leaf of the outer (parameter) pytree that holds one leaf's state pytree, so two levels survive flattening."""

    def __init__(self, subtree: Any):
        self.subtree = subtree

    def __iter__(self):
        # Iterable like the containers serializers expect of a pytree node.
        yield self.subtree


def unpack_optimizer_state(opt_state: OptimizerState) -> Any:
    """The parameter pytree with each leaf replaced by a :class:`JoinPoint` holding that leaf's state (to serialize)."""
    states, tree, _ = _unpack(opt_state)
    return tree_util.tree_unflatten(tree, [JoinPoint(s) for s in states])


def pack_optimizer_state(marked_pytree: Any) -> OptimizerState:
    """The inverse of :func:`unpack_optimizer_state`: an OptimizerState from a pytree of JoinPoints."""
    points, tree = tree_util.tree_flatten(marked_pytree)
    strays = [type(p).__name__ for p in points if not isinstance(p, JoinPoint)]
    if strays:
        # JAX asserts this; the same class, with a message saying what was found.
        raise AssertionError(f"pack_optimizer_state: every leaf must be a JoinPoint, found {strays}")
    packed, subtrees = unzip2(tree_util.tree_flatten(p.subtree) for p in points)
    return OptimizerState(packed, tree, subtrees)
