"""Selection and scan-like primitives: top_k, approx_max_k/approx_min_k, cumlogsumexp, optimization_barrier.

top_k orders by the IEEE total order (NaN above +inf, +0 above -0) and keeps the lower
index first among equal values, as XLA does; approx_max_k/approx_min_k return the exact
answer, which meets any recall target. cumlogsumexp is the running log-sum-exp, computed
with NumPy's logaddexp; its JVP is a doubling scan of (log-sum, tangent) pairs, stable
where exp would overflow. optimization_barrier is the identity, kept as one equation.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..ad_util import instantiate, is_undefined
from ..array import to_concrete_array
from ..avals import ShapedArray, Zero
from ..tree import tree_flatten, tree_unflatten
from . import elementwise as ew
from ._define import aval_of, define_primitive, normalize_axis
from .sorting import _scan_prim, _scan_wrapper, shift, take_along_axis
from .special import is_finite, log1p

_INDEX = np.dtype(np.int32)


# ------------------------------------------------------------------------ top-k kernel

def _order_key(x: np.ndarray) -> np.ndarray:
    """Integers in x's order, floats by the IEEE total order (their bits, negatives flipped)."""
    dt = x.dtype
    if dt == np.bool_:
        return x.astype(np.int8)
    if dt.kind in "iu":
        return x
    bits = x.view(np.dtype(f"i{dt.itemsize}"))
    return np.where(bits < 0, bits ^ np.iinfo(bits.dtype).max, bits)


def _select_k(x: np.ndarray, k: int, axis: int, largest: bool):
    """The k largest (or smallest) entries along `axis` and their int32 indices; ties keep
    the lower index first."""
    key = _order_key(np.asarray(x))
    order = np.argsort(~key if largest else key, axis=axis, kind="stable")
    idx = np.take(order, np.arange(k), axis=axis)
    return np.take_along_axis(x, idx, axis=axis), idx.astype(_INDEX)


def _k_shape(x: ShapedArray, k: int, axis: int) -> tuple:
    s = list(x.shape)
    s[axis] = k
    return tuple(s)


def _selection_jvp(get_prim):
    """Tangent of a top-k style primitive (`get_prim()`): the operand's tangent at the selected indices."""

    def jvp(primals, tangents, **params):
        (x,), (t,) = primals, tangents
        vals, idx = get_prim().bind(x, **params)
        axis = params["axis"] if "axis" in params else params["reduction_dimension"] % aval_of(x).ndim
        if type(t) is Zero:
            return [vals, idx], [Zero(aval_of(vals).to_tangent_aval()), Zero(aval_of(idx).to_tangent_aval())]
        return [vals, idx], [take_along_axis(t, idx, axis), Zero(aval_of(idx).to_tangent_aval())]

    return jvp


def _weak_values(arrays, params) -> list:
    return [arrays[0]._weak, False]


# ------------------------------------------------------------------------------- top_k

def _top_k_abstract(x: ShapedArray, *, k, axis) -> list:
    if x.dtype.kind == "c":
        raise ValueError("lax.top_k is not compatible with complex inputs")
    if k < 0:
        raise ValueError(f"lax.top_k: k must be nonnegative, got {k}")
    if x.ndim == 0:
        raise TypeError(f"lax.top_k: the operand must have >= 1 dimension, got shape {x.shape}")
    if not 0 <= axis < x.ndim:
        raise ValueError(f"lax.top_k: axis {axis} is out of range for shape {x.shape}")
    if x.shape[axis] < k:
        raise ValueError(f"lax.top_k: k={k} must be no larger than the size {x.shape[axis]} of axis {axis} "
                         f"(shape {x.shape})")
    shape = _k_shape(x, k, axis)
    return [ShapedArray(shape, x.dtype, x.weak_type), ShapedArray(shape, _INDEX, False)]


def _top_k_batch(args, dims, *, k, axis):
    (x,), (d,) = args, dims
    return top_k_p.bind(x, k=k, axis=axis + (axis >= d)), [d, d]


top_k_p = define_primitive(
    "top_k",
    impl=lambda xp, x, *, k, axis: list(_select_k(x, k, axis, True)),
    abstract_eval=_top_k_abstract,
    jvp=_selection_jvp(lambda: top_k_p),
    batch=_top_k_batch,
    multiple_results=True,
    weak_rule=_weak_values,
)


def _eager_checked(prim):
    """The generic eager path skips abstract_eval: run it first so eager and jit reject alike."""
    eager = prim.eager

    def checked(x, **params):
        x = to_concrete_array(x)
        prim.abstract_eval(x.aval, **params)
        return eager(x, **params)

    prim.eager = checked


_eager_checked(top_k_p)


def top_k(operand, k: int, *, axis: int = -1):
    """lax.top_k: [values, indices]: the k largest entries along `axis` (sorted, largest first)
    and their int32 indices; equal entries keep their order."""
    aval = aval_of(operand)
    if aval.ndim == 0:
        raise ValueError(f"lax.top_k: axis {axis} is out of bounds for an array of dimension 0")
    return top_k_p.bind(operand, k=_static_k("top_k", k), axis=normalize_axis("lax.top_k", int(axis), aval.ndim))


def _static_k(name: str, k) -> int:
    """k as a Python int: an int, or an integral float (JAX accepts top_k(x, 2.0))."""
    if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
        return int(k)
    if isinstance(k, (float, np.floating)) and float(k).is_integer():
        return int(k)
    raise TypeError(f"lax.{name}: k must be a static integer, got {k!r}")


# ----------------------------------------------------------------------- approx_top_k

def _approx_abstract(x: ShapedArray, *, k, reduction_dimension, recall_target, is_max_k,
                     reduction_input_size_override, aggregate_to_topk) -> list:
    name = "approx_max_k" if is_max_k else "approx_min_k"
    if k <= 0:
        raise ValueError(f"lax.{name}: k must be positive, got {k}")
    if x.ndim == 0:
        raise TypeError(f"lax.{name}: the operand must have >= 1 dimension, got shape {x.shape}")
    if not -x.ndim <= reduction_dimension < x.ndim:
        raise ValueError(f"lax.{name}: reduction_dimension {reduction_dimension} is out of range for shape {x.shape}")
    axis = reduction_dimension % x.ndim
    if x.shape[axis] < k:
        raise ValueError(f"lax.{name}: k={k} must be no larger than the size {x.shape[axis]} of the reduction "
                         "dimension")
    if not dtypes.is_float(x.dtype):
        raise ValueError(f"lax.{name}: the operand must have a floating type, got {x.dtype.name}")
    if not 0 < recall_target <= 1:
        raise ValueError(f"lax.{name}: recall_target must be in (0, 1], got {recall_target}")
    if not aggregate_to_topk:
        raise NotImplementedError(
            f"lax.{name}(aggregate_to_topk=False): the size of the unaggregated result is XLA's TPU-specific "
            "ApproxTopKReductionOutputSize, which nablax does not reproduce; use aggregate_to_topk=True "
            "(nablax's answer is exact)")
    shape = _k_shape(x, k, axis)
    return [ShapedArray(shape, x.dtype, x.weak_type), ShapedArray(shape, _INDEX, False)]


def _approx_impl(xp, x, *, k, reduction_dimension, is_max_k, **params):
    return list(_select_k(x, k, reduction_dimension % np.ndim(x), is_max_k))


def _approx_batch(args, dims, *, reduction_dimension, **params):
    (x,), (d,) = args, dims
    axis = reduction_dimension % (aval_of(x).ndim - 1)
    return approx_top_k_p.bind(x, reduction_dimension=axis + (axis >= d), **params), [d, d]


approx_top_k_p = define_primitive(
    "approx_top_k",
    impl=_approx_impl,
    abstract_eval=_approx_abstract,
    jvp=_selection_jvp(lambda: approx_top_k_p),
    batch=_approx_batch,
    multiple_results=True,
    weak_rule=_weak_values,
)
_eager_checked(approx_top_k_p)


def _approx_k(is_max_k: bool):
    def approx_k(operand, k: int, reduction_dimension: int = -1, recall_target: float = 0.95,
                 reduction_input_size_override: int = -1, aggregate_to_topk: bool = True):
        return approx_top_k_p.bind(
            operand, k=_static_k(name, k), reduction_dimension=int(reduction_dimension),
            recall_target=float(recall_target), is_max_k=is_max_k,
            reduction_input_size_override=int(reduction_input_size_override),
            aggregate_to_topk=bool(aggregate_to_topk))

    name = "approx_max_k" if is_max_k else "approx_min_k"
    approx_k.__name__ = approx_k.__qualname__ = name
    approx_k.__doc__ = (f"lax.{name}: the k {'largest' if is_max_k else 'smallest'} entries along "
                        "`reduction_dimension` and their int32 indices. nablax returns the exact answer "
                        "(recall 1, valid for any recall_target; reduction_input_size_override only matters "
                        "to XLA's approximate TPU kernel).")
    return approx_k


approx_max_k = _approx_k(True)
approx_min_k = _approx_k(False)


# ------------------------------------------------------------------------ cumlogsumexp

def _logaddexp(a, b):
    """log(exp(a) + exp(b)) on lax operations: exact at infinities, stable elsewhere."""
    hi, lo = ew.max(a, b), ew.min(a, b)
    finite = is_finite(hi)
    safe_hi = ew.select_n(finite, ew.scalar_like(hi, 0.0), hi)
    return ew.select_n(finite, hi, ew.add(hi, log1p(ew.exp(ew.sub(lo, safe_hi)))))


def _cumlogsumexp_jvp(primals, tangents, *, axis, reverse):
    """dy_i = sum_{j <= i} exp(x_j - y_i) t_j, by a doubling scan of (log-sum, tangent) pairs."""
    (x,), (t,) = primals, tangents
    out = cumlogsumexp_p.bind(x, axis=axis, reverse=reverse)
    if type(t) is Zero:
        return out, t
    n = aval_of(x).shape[axis]
    direction = -1 if reverse else 1
    y, dy = x, t
    step = 1
    while step < n:
        y_prev = shift(y, axis, direction * step, -np.inf)
        dy_prev = shift(dy, axis, direction * step, 0)
        y_new = _logaddexp(y, y_prev)
        safe = ew.select_n(is_finite(y_new), ew.scalar_like(y_new, 0.0), y_new)
        dy = ew.add(ew.mul(dy, ew.exp(ew.sub(y, safe))), ew.mul(dy_prev, ew.exp(ew.sub(y_prev, safe))))
        y = y_new
        step *= 2
    return out, dy


cumlogsumexp_p = _scan_prim(
    "cumlogsumexp", lambda xp, x, axis: np.logaddexp.accumulate(x, axis=axis),
    "f", "a floating-point dtype", jvp=_cumlogsumexp_jvp,
)
cumlogsumexp = _scan_wrapper(cumlogsumexp_p)


# ---------------------------------------------------------------- optimization_barrier

def _barrier_jvp(primals, tangents):
    out = optimization_barrier_p.bind(*primals)
    live = [i for i, t in enumerate(tangents) if type(t) is not Zero]
    touts = [Zero(aval_of(o).to_tangent_aval()) for o in out]
    for i, t in zip(live, optimization_barrier_p.bind(*[tangents[i] for i in live]) if live else []):
        touts[i] = t
    return out, touts


def _barrier_transpose(cts, *args):
    """The cotangents of the linear operands, passed through one barrier (None for the others)."""
    live = [i for i, a in enumerate(args) if is_undefined(a)]
    outs = [None] * len(args)
    for i, ct in zip(live, optimization_barrier_p.bind(*[instantiate(cts[i]) for i in live])):
        outs[i] = ct
    return outs


optimization_barrier_p = define_primitive(
    "optimization_barrier",
    impl=lambda xp, *xs: list(xs),
    abstract_eval=lambda *avals: list(avals),
    jvp=_barrier_jvp,
    linear=True,
    transpose=_barrier_transpose,
    batch=lambda args, dims: (optimization_barrier_p.bind(*args), list(dims)),
    multiple_results=True,
    weak_rule=lambda arrays, params: [a._weak for a in arrays],
    fold=False,  # kept in the program as written
)


def optimization_barrier(operand, /):
    """lax.optimization_barrier: the identity on a pytree of arrays, bound as one equation that
    the compiler does not fold or reorder across (differentiable and batchable)."""
    leaves, tree = tree_flatten(operand)
    return tree_unflatten(tree, optimization_barrier_p.bind(*leaves))


__all__ = [
    "top_k", "top_k_p", "approx_max_k", "approx_min_k", "approx_top_k_p", "cumlogsumexp", "cumlogsumexp_p",
    "optimization_barrier", "optimization_barrier_p",
]
