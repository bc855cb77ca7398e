"""nablax.experimental.jet: Taylor-mode automatic differentiation, as jax.experimental.jet.

`jet(fun, primals, series)` pushes a truncated Taylor polynomial through `fun`: given x_0 and the
derivatives (x_1, ..., x_K) of a curve x(t) at t = 0, it returns f(x_0) and the derivatives
(f_1, ..., f_K) of f(x(t)). With series ((1., 0., ..., 0.),) that is the first K derivatives of
a scalar function, at O(K^2) cost per operation where K nested jvps cost exponentially many.

`fun` is traced to a Jaxpr and the jet interpreter (interpreters/jet.py) walks it; the
rules of each primitive are in its define_primitive block (`jet=`). Unlike JAX's trace-based
jet, Python control flow on values inside `fun` needs lax.cond / lax.while_loop.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from . import dtypes
from .api import _check_leaf, _flat_fun
from .core import lift_aval
from .interpreters.jet import jet_eval
from .interpreters.staging import trace_to_jaxpr
from .numpy.creation import zeros_like
from .numpy.ufuncs import multiply, true_divide
from .primitives.misc import convert_element_type
from .traceback_util import api_boundary
from .tree import tree_structure, tree_unflatten, treedef_is_leaf


@api_boundary
def jet(fun: Callable, primals: Sequence, series: Sequence, factorial_scaled: bool = True) -> tuple[Any, Any]:
    """Taylor-mode higher-order differentiation: `(fun(*primals), series_out)`.

    `series[i]` is the list (x_1, ..., x_K) of derivatives of the i-th argument along a curve
    (with `factorial_scaled=False`, its Taylor coefficients x_k / k! instead); `series_out`
    has `fun`'s output structure with such a list at each leaf.
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(series, (tuple, list)):
        raise TypeError("jet: primals and series must be tuples or lists with one entry per positional argument "
                        f"of fun, got {type(primals).__name__} and {type(series).__name__}")
    if not all(isinstance(s, (tuple, list)) for s in series):
        raise TypeError("jet: each entry of series must be a tuple or list of terms (x_1, ..., x_K)")
    try:
        (order,) = {len(s) for s in series}
    except ValueError:
        raise ValueError("jet terms have inconsistent lengths for different arguments") from None
    if len(primals) != len(series):
        raise ValueError(f"jet: {len(primals)} primals but {len(series)} series; give one series per primal")
    flat_p, in_series = [], []
    for i, (x, terms) in enumerate(zip(primals, series)):
        if not treedef_is_leaf(tree_structure(x)):
            raise ValueError(f"primal value at position {i} is not an array")
        x = _check_leaf(x, "jet", f"primal {i}")
        aval = lift_aval(x)
        flat_p.append(x)
        in_series.append([_term_in(t, aval, i, j, factorial_scaled) for j, t in enumerate(terms)]
                         if dtypes.is_inexact(aval.dtype) and order else None)
    store: dict = {}
    closed = trace_to_jaxpr(_flat_fun(fun, tree_structure(tuple(flat_p)), store), [lift_aval(x) for x in flat_p],
                            label="jet")
    outs, out_series = jet_eval(closed.jaxpr, closed.consts, flat_p, in_series, order)
    terms_out = []
    for o, s in zip(outs, out_series):
        s = [zeros_like(o)] * order if s is None else s
        terms_out.append([multiply(t, float(math.factorial(k + 1))) if factorial_scaled else t
                          for k, t in enumerate(s)])
    tree = store["out_tree"]
    return tree_unflatten(tree, outs), tree_unflatten(tree, terms_out)


def _term_in(term, aval, i: int, j: int, factorial_scaled: bool):
    """Term j of argument i as a normalized coefficient of the primal's dtype and weak type."""
    if not treedef_is_leaf(tree_structure(term)):
        raise ValueError(f"term {j} for argument {i} is not an array")
    t = _check_leaf(term, "jet", f"term {j} of argument {i}")
    if lift_aval(t).shape != aval.shape:
        raise TypeError(f"jet: term {j} for argument {i} has shape {lift_aval(t).shape}, but its primal has shape "
                        f"{aval.shape}; every term has its primal's shape")
    if factorial_scaled and j:
        t = true_divide(t, float(math.factorial(j + 1)))
    return convert_element_type(t, aval.dtype, weak_type=aval.weak_type)


__all__ = ["jet"]
