"""Gradient checking: JVPs against central finite differences, VJPs by the dot-product test.

`check_grads(f, args, order)` is what nablax's own tests use. Run it with
`config.enable_x64(True)` active for float64 precision.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ._src import api
from ._src.tree import tree_flatten, tree_map, tree_unflatten

_DEFAULT_TOLS = {np.dtype("float16"): 5e-2, np.dtype("float32"): 2e-2, np.dtype("float64"): 1e-5,
                 np.dtype("complex64"): 2e-2, np.dtype("complex128"): 1e-5}
_DEFAULT_EPS = {np.dtype("float16"): 1e-1, np.dtype("float32"): 3e-2, np.dtype("float64"): 1e-5,
                np.dtype("complex64"): 3e-2, np.dtype("complex128"): 1e-5}


def _dtype(x) -> np.dtype:
    return np.asarray(x).dtype


def _tol(xs, given) -> float:
    if given is not None:
        return given
    return max([_DEFAULT_TOLS.get(_dtype(x), 1e-5) for x in xs] or [1e-5])


def _random_like(rng: np.random.Generator, x):
    x = np.asarray(x)
    if x.dtype.kind == "c":
        return (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape)).astype(x.dtype)
    if x.dtype.kind == "f":
        return rng.standard_normal(x.shape).astype(x.dtype)
    return np.zeros(x.shape, x.dtype)


def _inner(xs, ys) -> float:
    return float(sum(np.real(np.sum(np.asarray(x, np.complex128) * np.asarray(y, np.complex128)))
                     for x, y in zip(xs, ys)))


def _assert_close(what: str, actual, expected, atol: float, rtol: float) -> None:
    a_leaves, _ = tree_flatten(actual)
    e_leaves, _ = tree_flatten(expected)
    for a, e in zip(a_leaves, e_leaves):
        a = np.asarray(a)
        e = np.asarray(e)
        if a.dtype.kind not in "fc" or e.dtype.kind not in "fc":
            continue
        if not np.allclose(a, e, atol=atol, rtol=rtol, equal_nan=True):
            err = np.max(np.abs(a.astype(np.complex128) - e.astype(np.complex128)))
            raise AssertionError(f"{what}: max abs error {err:.3g} (atol={atol}, rtol={rtol})\nactual={a}\nexpected={e}")


def check_jvp(f: Callable, args: Sequence, *, atol=None, rtol=None, eps=None, seed: int = 0) -> None:
    """jvp(f) in a random direction equals the central finite difference."""
    rng = np.random.default_rng(seed)
    args = tuple(args)
    leaves, tree = tree_flatten(args)
    tangent_leaves = [_random_like(rng, x) for x in leaves]
    tangents = tree_unflatten(tree, tangent_leaves)
    eps = eps or max([_DEFAULT_EPS.get(_dtype(x), 1e-5) for x in leaves] or [1e-5])
    out, tout = api.jvp(f, args, tangents)

    def shifted(sign: float):
        moved = [np.asarray(x) + sign * eps * t if np.asarray(x).dtype.kind in "fc" else x
                 for x, t in zip(leaves, tangent_leaves)]
        return f(*tree_unflatten(tree, [m.astype(np.asarray(x).dtype) if hasattr(m, "astype") else m
                                        for m, x in zip(moved, leaves)]))

    fd = tree_map(lambda a, b: (np.asarray(a, np.complex128) - np.asarray(b, np.complex128)) / (2 * eps),
                  shifted(1.0), shifted(-1.0))
    tol = _tol(tree_flatten(out)[0] + leaves, atol)
    _assert_close("JVP vs finite differences", tout, fd, tol, rtol if rtol is not None else tol)


def check_vjp(f: Callable, args: Sequence, *, atol=None, rtol=None, seed: int = 0) -> None:
    """The dot-product test: <ct, J t> == <J^T ct, t> for random t and ct."""
    rng = np.random.default_rng(seed + 1)
    args = tuple(args)
    leaves, tree = tree_flatten(args)
    tangent_leaves = [_random_like(rng, x) for x in leaves]
    _, tout = api.jvp(f, args, tree_unflatten(tree, tangent_leaves))
    out, vjp_fn = api.vjp(f, *args)
    out_leaves, out_tree = tree_flatten(out)
    ct_leaves = [_random_like(rng, o) for o in out_leaves]
    cts_in = vjp_fn(tree_unflatten(out_tree, ct_leaves))
    lhs = _inner(ct_leaves, tree_flatten(tout)[0])
    rhs = _inner(tree_flatten(cts_in)[0], tangent_leaves)
    tol = _tol(out_leaves + leaves, atol)
    scale = max(1.0, abs(lhs), abs(rhs))
    if abs(lhs - rhs) > tol * scale * 10:
        raise AssertionError(f"VJP dot-product test failed: <ct, J t> = {lhs} but <J^T ct, t> = {rhs}")


def check_grads(f: Callable, args: Sequence, order: int, modes: Sequence[str] = ("fwd", "rev"),
                atol=None, rtol=None, eps=None) -> None:
    """Check derivatives of `f` at `args` up to `order`, in forward and/or reverse mode."""
    args = tuple(args)
    if "fwd" in modes:
        check_jvp(f, args, atol=atol, rtol=rtol, eps=eps)
    if "rev" in modes:
        check_vjp(f, args, atol=atol, rtol=rtol)
    if order > 1:
        rng = np.random.default_rng(order)
        leaves, tree = tree_flatten(args)
        if "fwd" in modes:
            t = tree_unflatten(tree, [_random_like(rng, x) for x in leaves])

            def f_jvp(*primals):
                return api.jvp(f, primals, t)[1]

            check_grads(f_jvp, args, order - 1, ("fwd",), atol, rtol, eps)
        if "rev" in modes:
            out = f(*args)
            out_leaves, out_tree = tree_flatten(out)
            ct = tree_unflatten(out_tree, [_random_like(rng, o) for o in out_leaves])

            def f_vjp(*primals):
                return api.vjp(f, *primals)[1](ct)

            check_grads(f_vjp, args, order - 1, ("rev",), atol, rtol, eps)
