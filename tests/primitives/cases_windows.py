"""Cases for the window primitives (primitives/windows.py): sum/max/min windows with strides,
padding (negative too), base and window dilation, and the max/min-pool selection pair.

Inputs for max/min have distinct values (a permutation), so the chosen element is stable
under the finite-difference perturbation; ties are tested against JAX in tests/compat.
"""
import itertools

import numpy as np

import nablax
from nablax._src.core import lift_aval
from nablax._src.primitives import windows as W

from .case import Case, randn


def _distinct(*shape, seed=0):
    return np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape).astype(np.float64) / 7.0


def _params(window, strides=None, padding=None, base=None, wdil=None):
    n = len(window)
    return dict(window_dimensions=tuple(window), window_strides=tuple(strides or (1,) * n),
                padding=tuple(padding or ((0, 0),) * n), base_dilation=tuple(base or (1,) * n),
                window_dilation=tuple(wdil or (1,) * n))


def _pad(x, fill, padding, base):
    shape = [(d - 1) * b + 1 if d else 0 for d, b in zip(x.shape, base)]
    dil = np.full(shape, fill, x.dtype)
    dil[tuple(slice(None, None, b) for b in base)] = x
    for axis, (lo, hi) in enumerate(padding):
        widths = [(0, 0)] * x.ndim
        widths[axis] = (max(lo, 0), max(hi, 0))
        dil = np.pad(dil, widths, constant_values=fill)
        end = dil.shape[axis] - max(-hi, 0)
        dil = dil[(slice(None),) * axis + (slice(max(-lo, 0), end),)]
    return dil


def _reference(reducer, fill):
    """A loop over output positions (fine for the tiny case inputs)."""
    def ref(x, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        p = _pad(np.asarray(x), fill, padding, base_dilation)
        span = [(w - 1) * r + 1 for w, r in zip(window_dimensions, window_dilation)]
        out_shape = [max(0, (d - s) // st + 1) for d, s, st in zip(p.shape, span, window_strides)]
        out = np.empty(out_shape, p.dtype)
        for idx in itertools.product(*[range(o) for o in out_shape]):
            sl = tuple(slice(i * st, i * st + s, r) for i, st, s, r in zip(idx, window_strides, span, window_dilation))
            out[idx] = reducer(p[sl])
        return out
    return ref


_CONFIGS = [
    ("2x2-pool", (2, 6, 4), _params((1, 2, 2), (1, 2, 2))),
    ("3x3-same", (5, 5), _params((3, 3), (1, 1), ((1, 1), (1, 1)))),
    ("strided-neg-pad", (7, 4), _params((3, 2), (2, 1), ((2, -1), (0, 1)))),
    ("dilations", (4, 5), _params((2, 2), (1, 2), ((1, 0), (0, 1)), base=(2, 1), wdil=(1, 2))),
    ("3d", (3, 4, 3), _params((2, 2, 2), (1, 2, 1))),
]

CASES = []
for name, shape, params in _CONFIGS:
    CASES += [
        Case(W.reduce_window_sum_p, (randn(*shape),), params, reference=_reference(np.sum, 0.0), name=name),
        Case(W.reduce_window_max_p, (_distinct(*shape),), params, reference=_reference(np.max, -np.inf), name=name),
        Case(W.reduce_window_min_p, (_distinct(*shape, seed=1),), params, reference=_reference(np.min, np.inf),
             name=name),
    ]


def _select(t, x, params, is_max=True):
    """The tangent at the first maximum of each window (a loop over output positions)."""
    p_x = _pad(x if is_max else -x, -np.inf, params["padding"], params["base_dilation"])
    p_t = _pad(t, 0.0, params["padding"], params["base_dilation"])
    span = [(w - 1) * r + 1 for w, r in zip(params["window_dimensions"], params["window_dilation"])]
    out_shape = [max(0, (d - s) // st + 1) for d, s, st in zip(p_x.shape, span, params["window_strides"])]
    out = np.empty(out_shape)
    for o in itertools.product(*[range(n) for n in out_shape]):
        sl = tuple(slice(i * st, i * st + s, r) for i, st, s, r in
                   zip(o, params["window_strides"], span, params["window_dilation"]))
        out[o] = p_t[sl].ravel()[np.argmax(p_x[sl].ravel())]
    return out


def _scatter(s, x, params, is_max=True):
    """Each window's source added at its first maximum, then the padding dropped (a loop)."""
    p_x = _pad(x if is_max else -x, -np.inf, params["padding"], params["base_dilation"])
    pos = _pad(np.arange(x.size, dtype=np.float64).reshape(x.shape), -1.0, params["padding"],
               params["base_dilation"])
    span = [(w - 1) * r + 1 for w, r in zip(params["window_dimensions"], params["window_dilation"])]
    out = np.zeros(x.size)
    for o in itertools.product(*[range(n) for n in s.shape]):
        sl = tuple(slice(i * st, i * st + sp, r) for i, st, sp, r in
                   zip(o, params["window_strides"], span, params["window_dilation"]))
        where = int(pos[sl].ravel()[np.argmax(p_x[sl].ravel())])
        if where >= 0:
            out[where] += s[o]
    return out.reshape(x.shape)


for name, shape, params in _CONFIGS[:4]:
    x = _distinct(*shape, seed=2)
    out_shape = W.reduce_window_max_p.abstract_eval(lift_aval(x), **params).shape
    CASES += [
        Case(W.select_and_gather_add_p, (randn(*shape, seed=3), x), params, diff_argnums=(0,), batch_argnums=(0, 1),
             reference=lambda t, x, **p: _select(t, x, p), name=name),
        Case(W.select_and_scatter_add_p, (randn(*out_shape, seed=4), x), params, diff_argnums=(0,),
             reference=lambda s, x, **p: _scatter(s, x, p), name=name),
        Case(W._gather_min_p, (randn(*shape, seed=5), x), params, diff_argnums=(0,),
             reference=lambda t, x, **p: _select(t, x, p, is_max=False), name=name),
        Case(W._scatter_min_p, (randn(*out_shape, seed=6), x), params, diff_argnums=(0,),
             reference=lambda s, x, **p: _scatter(s, x, p, is_max=False), name=name),
    ]

BAD_CASES = [
    Case(W.reduce_window_sum_p, (randn(4, 4),), bind=lambda x: W.reduce_window_sum(x, (2,), (1,), ((0, 0),)),
         name="window-rank"),
    Case(W.reduce_window_max_p, (randn(4, 4),),
         bind=lambda x: W.reduce_window_max(x, (2, 2), (0, 1), ((0, 0), (0, 0))), name="zero-stride"),
    Case(W.reduce_window_max_p, (randn(4, 4),),
         bind=lambda x: nablax.lax.reduce_window(x, -np.inf, nablax.lax.max, (2, 2), (1, 1), "FULL"), name="bad-padding"),
]
