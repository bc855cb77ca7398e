"""The operation table of the random program generator.

Every operation is written against a namespace `L` (`L.jax`, `L.jnp`, `L.lax`, `L.nn`,
`L.special`) that is either nablax or JAX, so one program description runs under both.
An entry is `Op(propose, apply, margin)`:

- `propose(draw, shapes)` picks operands (indices into `shapes`, the shapes of the values
  computed so far) and hashable params, or returns None when no operand fits;
- `apply(L, *operands, **params)` computes the operation;
- `margin(*numpy_operands, **params)` (kinky ops only) is the distance of the operands
  from the op's kink or discontinuity, so finite-difference checks can be skipped near one.

Every op is differentiable and has a safe domain on all of R (log/sqrt/division are
composed with `1 + x*x`), so the generator never needs to filter inputs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from hypothesis import strategies as st


@dataclass(frozen=True)
class Op:
    propose: Callable
    apply: Callable
    margin: Optional[Callable] = None


def _pick(draw, shapes, ok=lambda s: True):
    """Index of an operand whose shape satisfies `ok`, preferring recent values (shrinks to the last one)."""
    good = [i for i, s in enumerate(shapes) if ok(s)]
    if not good:
        return None
    return good[len(good) - 1 - draw(st.integers(0, len(good) - 1))]


def _size(shape):
    return math.prod(shape)


def _broadcastable(a, b):
    try:
        out = np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return _size(out) <= 36


def _gap(x, axis):
    """Smallest distance between two entries of `x` along `axis` (sorted neighbours); inf if fewer than two."""
    x = np.asarray(x).reshape(-1) if axis is None else np.moveaxis(np.asarray(x), axis, -1)
    if x.shape[-1] < 2:
        return math.inf
    return float(np.min(np.diff(np.sort(x, axis=-1), axis=-1)))


def _top_gap(x, axis):
    """Distance between the two largest (and the two smallest) entries along `axis`: the kinks of max/min."""
    x = np.asarray(x).reshape(-1) if axis is None else np.moveaxis(np.asarray(x), axis, -1)
    if x.shape[-1] < 2:
        return math.inf
    s = np.sort(x, axis=-1)
    return float(min(np.min(s[..., -1] - s[..., -2]), np.min(s[..., 1] - s[..., 0])))


def _absmin(x):
    x = np.asarray(x)
    return float(np.min(np.abs(x))) if x.size else math.inf


# --------------------------------------------------------------------------- elementwise unary

SMOOTH_UNARY: dict = {
    "sin": lambda L, x: L.jnp.sin(x),
    "cos": lambda L, x: L.jnp.cos(x),
    "tanh": lambda L, x: L.jnp.tanh(x),
    "exp": lambda L, x: L.jnp.exp(x),
    "logistic": lambda L, x: L.lax.logistic(x),
    "arctan": lambda L, x: L.jnp.arctan(x),
    "square": lambda L, x: L.jnp.square(x),
    "neg": lambda L, x: -x,
    "log1p_sq": lambda L, x: L.jnp.log1p(x * x),
    "log_1p_sq": lambda L, x: L.jnp.log(1.0 + x * x),
    "sqrt_1p_sq": lambda L, x: L.jnp.sqrt(1.0 + x * x),
    "rsqrt_1p_sq": lambda L, x: L.lax.rsqrt(x * x + 1),
    "recip_1p_sq": lambda L, x: L.jnp.reciprocal(1.0 + L.jnp.square(x)),
    "erf": lambda L, x: L.special.erf(x),
    "expm1": lambda L, x: L.jnp.expm1(x),
    "softplus": lambda L, x: L.nn.softplus(x),
    "cube": lambda L, x: x**3,
    "ipow2": lambda L, x: L.lax.integer_pow(x, 2),
    "scale": lambda L, x: x * 2.5,
    "shift": lambda L, x: x + 1,
    "rsub": lambda L, x: 1.0 - x,
    "sinh": lambda L, x: L.jnp.sinh(x),
    "log_cosh": lambda L, x: L.jnp.log(L.jnp.cosh(x)),
    "gelu": lambda L, x: L.nn.gelu(x, approximate=False),
    "lax_x_sin": lambda L, x: L.lax.add(L.lax.mul(x, L.lax.sin(x)), L.lax.cos(x)),
}

KINKY_UNARY: dict = {
    "abs": (lambda L, x: L.jnp.abs(x), _absmin),
    "relu": (lambda L, x: L.nn.relu(x), _absmin),
    "clip": (lambda L, x: L.jnp.clip(x, -1.0, 1.0), lambda x: min(_absmin(np.asarray(x) - 1), _absmin(np.asarray(x) + 1))),
}


def _propose_unary(draw, shapes):
    return (_pick(draw, shapes),), {}


# --------------------------------------------------------------------------- elementwise binary

SMOOTH_BINARY: dict = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / (1.0 + b * b),
    "pow": lambda L, a, b: (1.0 + a * a) ** L.jnp.tanh(b),
    "logaddexp": lambda L, a, b: L.jnp.logaddexp(a, b),
    "arctan2": lambda L, a, b: L.jnp.arctan2(a, 2.0 + b * b),
}

KINKY_BINARY: dict = {
    "maximum": (lambda L, a, b: L.jnp.maximum(a, b), lambda a, b: _absmin(np.asarray(a) - np.asarray(b))),
    "minimum": (lambda L, a, b: L.jnp.minimum(a, b), lambda a, b: _absmin(np.asarray(a) - np.asarray(b))),
    "where_gt": (lambda L, a, b: L.jnp.where(a > b, L.jnp.sin(a), b), lambda a, b: _absmin(np.asarray(a) - np.asarray(b))),
}


def _propose_binary(draw, shapes):
    a = _pick(draw, shapes)
    b = _pick(draw, shapes, lambda s: _broadcastable(shapes[a], s))
    return (a, b), {}


# --------------------------------------------------------------------------- reductions and scans

def _axis(draw, shape, allow_none=True):
    choices = ([None] if allow_none or not shape else []) + list(range(-len(shape), len(shape)))
    return draw(st.sampled_from(choices))


def _propose_reduce(draw, shapes):
    x = _pick(draw, shapes)
    return (x,), {"axis": _axis(draw, shapes[x]), "keepdims": draw(st.booleans())}


def _propose_axis_op(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 1)
    if x is None:
        return None
    return (x,), {"axis": _axis(draw, shapes[x], allow_none=False)}


REDUCTIONS: dict = {
    "sum": Op(_propose_reduce, lambda L, x, axis, keepdims: L.jnp.sum(x, axis=axis, keepdims=keepdims)),
    "mean": Op(_propose_reduce, lambda L, x, axis, keepdims: L.jnp.mean(x, axis=axis, keepdims=keepdims)),
    "prod": Op(_propose_reduce, lambda L, x, axis, keepdims: L.jnp.prod(L.jnp.tanh(x) + 1.5, axis=axis, keepdims=keepdims)),
    "var": Op(_propose_reduce, lambda L, x, axis, keepdims: L.jnp.var(x, axis=axis, keepdims=keepdims)),
    "logsumexp": Op(_propose_reduce,
                    lambda L, x, axis, keepdims: L.special.logsumexp(x, axis=axis, keepdims=keepdims)),
    "max": Op(_propose_reduce, lambda L, x, axis, keepdims: L.jnp.max(x, axis=axis, keepdims=keepdims),
              lambda x, axis, keepdims: _top_gap(x, axis)),
    "min": Op(_propose_reduce, lambda L, x, axis, keepdims: L.jnp.min(x, axis=axis, keepdims=keepdims),
              lambda x, axis, keepdims: _top_gap(x, axis)),
    "cumsum": Op(_propose_axis_op, lambda L, x, axis: L.jnp.cumsum(x, axis=axis)),
    "cumprod": Op(_propose_axis_op, lambda L, x, axis: L.jnp.cumprod(L.jnp.cos(x), axis=axis)),
    "flip": Op(_propose_axis_op, lambda L, x, axis: L.jnp.flip(x, axis=axis)),
    "roll": Op(_propose_axis_op, lambda L, x, axis: L.jnp.roll(x, 1, axis=axis)),
    "sort": Op(_propose_axis_op, lambda L, x, axis: L.jnp.sort(x, axis=axis), lambda x, axis: _gap(x, axis)),
    "softmax": Op(_propose_axis_op, lambda L, x, axis: L.nn.softmax(x, axis=axis)),
}


# --------------------------------------------------------------------------- shapes

def _propose_transpose(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 2)
    if x is None:
        return None
    return (x,), {"perm": tuple(draw(st.permutations(range(len(shapes[x])))))}


def _propose_reshape(draw, shapes):
    x = _pick(draw, shapes, lambda s: _size(s) > 1)
    if x is None:
        return None
    n = _size(shapes[x])
    options = [(n,), (n, 1), (1, n)] + [(d, n // d) for d in range(2, n) if n % d == 0]
    return (x,), {"shape": draw(st.sampled_from(options))}


def _propose_broadcast(draw, shapes):
    x = _pick(draw, shapes, lambda s: 2 * _size(s) <= 36 and len(s) <= 2)
    if x is None:
        return None
    return (x,), {"shape": (2,) + shapes[x]}


def _propose_expand(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) <= 2)
    if x is None:
        return None
    return (x,), {"axis": draw(st.integers(-len(shapes[x]) - 1, len(shapes[x])))}


def _propose_concat(draw, shapes):
    a = _pick(draw, shapes, lambda s: len(s) >= 1)
    if a is None:
        return None
    axis = draw(st.integers(0, len(shapes[a]) - 1))
    sa = shapes[a]
    b = _pick(draw, shapes, lambda s: len(s) == len(sa) and all(s[i] == sa[i] for i in range(len(s)) if i != axis)
              and _size(s) + _size(sa) <= 36)
    if b is None:
        return None
    return (a, b), {"axis": axis}


def _propose_stack(draw, shapes):
    a = _pick(draw, shapes, lambda s: _size(s) <= 18 and len(s) <= 2)
    if a is None:
        return None
    b = _pick(draw, shapes, lambda s: s == shapes[a])
    return (a, b), {"axis": draw(st.integers(0, len(shapes[a])))}


def _propose_pad(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 1 and _size(s) <= 12)
    if x is None:
        return None
    width = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 1))) for _ in shapes[x])
    mode = draw(st.sampled_from(["constant", "edge", "wrap", "reflect", "symmetric", "mean"]))
    return (x,), {"width": width, "mode": mode}


def _propose_matrix(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) == 2)
    return None if x is None else ((x,), {})


SHAPE_OPS: dict = {
    "transpose": Op(_propose_transpose, lambda L, x, perm: L.jnp.transpose(x, perm)),
    "reshape": Op(_propose_reshape, lambda L, x, shape: L.jnp.reshape(x, shape)),
    "broadcast_to": Op(_propose_broadcast, lambda L, x, shape: L.jnp.broadcast_to(x, shape)),
    "expand_dims": Op(_propose_expand, lambda L, x, axis: L.jnp.expand_dims(x, axis)),
    "concatenate": Op(_propose_concat, lambda L, a, b, axis: L.jnp.concatenate([a, b], axis=axis)),
    "stack": Op(_propose_stack, lambda L, a, b, axis: L.jnp.stack([a, b], axis=axis)),
    "pad": Op(_propose_pad, lambda L, x, width, mode: L.jnp.pad(x, width, mode=mode, **(
        {"constant_values": 0.5} if mode == "constant" else {}))),
    "triu": Op(_propose_matrix, lambda L, x: L.jnp.triu(x)),
    "diagonal": Op(_propose_matrix, lambda L, x: L.jnp.diagonal(x)),
    "dot_T": Op(_propose_matrix, lambda L, x: L.jnp.asarray(x) @ L.jnp.asarray(x).T),
}


# --------------------------------------------------------------------------- indexing (in bounds only)

def _propose_slice(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 1 and s[0] >= 2)
    if x is None:
        return None
    n = shapes[x][0]
    start = draw(st.integers(0, n - 1))
    stop = draw(st.integers(start + 1, n))
    return (x,), {"start": start, "stop": stop, "step": draw(st.sampled_from([1, -1] if (start, stop) == (0, n) else [1]))}


def _propose_index(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 1)
    if x is None:
        return None
    n = shapes[x][0]
    return (x,), {"i": draw(st.integers(-n, n - 1))}


def _propose_gather(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 1)
    if x is None:
        return None
    n = shapes[x][0]
    return (x,), {"idx": tuple(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)))}


def _propose_dynamic_slice(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 1)
    if x is None:
        return None
    sizes = tuple(draw(st.integers(1, d)) for d in shapes[x])
    starts = tuple(draw(st.integers(0, d - z)) for d, z in zip(shapes[x], sizes))
    return (x,), {"starts": starts, "sizes": sizes}


def _propose_at(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 1)
    if x is None:
        return None
    n = shapes[x][0]
    y = _pick(draw, shapes, lambda s: np.broadcast_shapes(s, shapes[x][1:]) == shapes[x][1:] if _broadcastable(s, shapes[x][1:])
              else False)
    if y is None:
        return None
    return (x, y), {"i": draw(st.integers(-n, n - 1)), "mode": draw(st.sampled_from(["set", "add", "mul"]))}


def _propose_update_slice(draw, shapes):
    x = _pick(draw, shapes, lambda s: len(s) >= 1)
    if x is None:
        return None
    sx = shapes[x]
    y = _pick(draw, shapes, lambda s: len(s) == len(sx) and all(a <= b for a, b in zip(s, sx)))
    starts = tuple(draw(st.integers(0, b - a)) for a, b in zip(shapes[y], sx))
    return (x, y), {"starts": starts}


def _slice(L, x, start, stop, step):
    x = L.jnp.asarray(x)
    return x[start:stop] if step == 1 else x[::-1]


def _at(L, x, y, i, mode):
    ref = L.jnp.asarray(x).at[i]
    return {"set": ref.set, "add": ref.add, "mul": ref.multiply}[mode](y)


INDEXING: dict = {
    "slice": Op(_propose_slice, _slice),
    "index": Op(_propose_index, lambda L, x, i: L.jnp.asarray(x)[i]),
    "gather": Op(_propose_gather, lambda L, x, idx: L.jnp.asarray(x)[L.jnp.array(idx)]),
    "last_col": Op(lambda d, s: (lambda x: None if x is None else ((x,), {}))(_pick(d, s, lambda t: len(t) >= 1)),
                   lambda L, x: L.jnp.asarray(x)[..., -1:]),
    "dynamic_slice": Op(_propose_dynamic_slice, lambda L, x, starts, sizes: L.lax.dynamic_slice(x, starts, sizes)),
    "at": Op(_propose_at, _at),
    "dynamic_update_slice": Op(_propose_update_slice, lambda L, x, y, starts: L.lax.dynamic_update_slice(x, y, starts)),
}


# --------------------------------------------------------------------------- contractions

def _dot_ok(a, b):
    if not a or not b:
        return _broadcastable(a, b)
    if len(b) == 1:
        return a[-1] == b[0]
    return a[-1] == b[-2] and len(a) + len(b) - 2 <= 3


def _propose_dot(draw, shapes):
    a = _pick(draw, shapes)
    b = _pick(draw, shapes, lambda s: _dot_ok(shapes[a], s))
    return None if b is None else ((a, b), {})


def _propose_matmul(draw, shapes):
    a = _pick(draw, shapes, lambda s: 1 <= len(s) <= 2)
    if a is None:
        return None
    b = _pick(draw, shapes, lambda s: 1 <= len(s) <= 2 and s[-1 if len(s) == 1 else -2] == shapes[a][-1])
    return None if b is None else ((a, b), {})


def _propose_einsum(draw, shapes):
    a = _pick(draw, shapes, lambda s: 1 <= len(s) <= 2)
    if a is None:
        return None
    b = _pick(draw, shapes, lambda s: 1 <= len(s) <= 2)
    sa, sb = shapes[a], shapes[b]
    la = "ab"[:len(sa)]
    lb = ""
    for k, d in enumerate(sb):
        shared = [c for c, e in zip(la, sa) if e == d and c not in lb]
        lb += draw(st.sampled_from(shared + ["xy"[k]]))
    letters = sorted(set(la + lb))
    out = "".join(c for c in letters if draw(st.booleans()))
    return (a, b), {"spec": f"{la},{lb}->{out}"}


CONTRACTIONS: dict = {
    "dot": Op(_propose_dot, lambda L, a, b: L.jnp.dot(a, b)),
    "matmul": Op(_propose_matmul, lambda L, a, b: L.jnp.matmul(a, b)),
    "einsum": Op(_propose_einsum, lambda L, a, b, spec: L.jnp.einsum(spec, a, b)),
    "outer": Op(lambda d, s: (lambda a: None if a is None else ((a, _pick(d, s, lambda t: len(t) == 1)), {}))(
        _pick(d, s, lambda t: len(t) == 1)), lambda L, a, b: L.jnp.outer(a, b)),
}


def build_table():
    """name -> Op for every plain (non-control-flow) operation."""
    table = {name: Op(_propose_unary, fn) for name, fn in SMOOTH_UNARY.items()}
    table.update({name: Op(_propose_unary, fn, m) for name, (fn, m) in KINKY_UNARY.items()})
    table.update({name: Op(_propose_binary, fn) for name, fn in SMOOTH_BINARY.items()})
    table.update({name: Op(_propose_binary, fn, m) for name, (fn, m) in KINKY_BINARY.items()})
    for group in (REDUCTIONS, SHAPE_OPS, INDEXING, CONTRACTIONS):
        table.update(group)
    return table


TABLE = build_table()
