"""Cases for top_k, approx_top_k, cumlogsumexp and optimization_barrier (selection.py)."""
import numpy as np

from nablax import lax
from nablax._src.primitives import selection as sel

from .case import Case, randn


def _top(x, k, axis, largest=True):
    order = np.argsort(-x if largest else x, axis=axis, kind="stable")
    idx = np.take(order, np.arange(k), axis=axis)
    return [np.take_along_axis(x, idx, axis=axis), idx.astype(np.int32)]


def _cumlogsumexp(x, axis, reverse):
    x = np.flip(x, axis) if reverse else x
    out = np.log(np.cumsum(np.exp(x), axis=axis))
    return np.flip(out, axis) if reverse else out


_APPROX = {"recall_target": 0.95, "reduction_input_size_override": -1, "aggregate_to_topk": True}

def _values(prim):
    """Bind `prim` and keep its values: the rule suite's VJP column cannot pair float0 index tangents."""
    return lambda x, **params: prim.bind(x, **params)[0]


CASES = [
    Case(sel.top_k_p, (randn(3, 5),), {"k": 2, "axis": 1}, reference=lambda x, k, axis: _top(x, k, axis),
         order=0, name="with-indices"),
    Case(sel.top_k_p, (randn(3, 5),), {"k": 2, "axis": 1}, reference=lambda x, k, axis: _top(x, k, axis)[0],
         bind=_values(sel.top_k_p)),
    Case(sel.top_k_p, (randn(4, 3, seed=1),), {"k": 3, "axis": 0}, reference=lambda x, k, axis: _top(x, k, axis)[0],
         bind=_values(sel.top_k_p), name="axis0"),
    Case(sel.top_k_p, (np.array([[3, 1, 3, 2], [0, 5, 5, 5]], np.int32),), {"k": 3, "axis": 1},
         reference=lambda x, k, axis: _top(x, k, axis), name="int-ties"),
    Case(sel.approx_top_k_p, (randn(3, 6, seed=2),), {"k": 2, "reduction_dimension": -1, "is_max_k": True, **_APPROX},
         reference=lambda x, k, reduction_dimension, is_max_k, **_: _top(x, k, 1)[0], bind=_values(sel.approx_top_k_p)),
    Case(sel.approx_top_k_p, (randn(3, 6, seed=2),), {"k": 2, "reduction_dimension": -1, "is_max_k": True, **_APPROX},
         reference=lambda x, k, reduction_dimension, is_max_k, **_: _top(x, k, 1), order=0, name="with-indices"),
    Case(sel.approx_top_k_p, (randn(5, 2, seed=3),), {"k": 3, "reduction_dimension": 0, "is_max_k": False, **_APPROX},
         reference=lambda x, k, reduction_dimension, is_max_k, **_: _top(x, k, 0, largest=False)[0],
         bind=_values(sel.approx_top_k_p), name="min"),
    Case(sel.cumlogsumexp_p, (randn(3, 4),), {"axis": 1, "reverse": False}, reference=_cumlogsumexp),
    Case(sel.cumlogsumexp_p, (randn(5, 2, seed=4),), {"axis": 0, "reverse": True}, reference=_cumlogsumexp,
         name="reverse"),
    Case(sel.optimization_barrier_p, (randn(3), randn(2, 2, seed=5)), reference=lambda *xs: list(xs)),
]

BAD_CASES = [
    Case(sel.top_k_p, (randn(3),), bind=lambda x: lax.top_k(x, 4), name="k-too-large"),
    Case(sel.top_k_p, (randn(3) + 1j,), bind=lambda x: lax.top_k(x, 1), name="complex"),
    Case(sel.approx_top_k_p, (np.arange(4, dtype=np.int32),), bind=lambda x: lax.approx_max_k(x, 2), name="int"),
    Case(sel.approx_top_k_p, (randn(4),), bind=lambda x: lax.approx_min_k(x, 0), name="k0"),
    Case(sel.cumlogsumexp_p, (np.arange(4, dtype=np.int32),), bind=lambda x: lax.cumlogsumexp(x), name="int"),
]
