"""lax.associative_scan (a parallel prefix on slices) and lax.custom_root (a root solve
differentiated implicitly).

associative_scan combines adjacent pairs, scans the half-length result recursively (that
gives the prefixes at odd positions), then forms the even positions from those and the
original elements, and interleaves: O(log n) levels of whole-array calls of `fn`, each on
lax slices and concatenations, so grad/vmap/jit follow. `reverse` scans the reversed axis.

custom_root(f, x0, solve, tangent_solve) returns solve(f, x0) and differentiates by the
implicit function theorem, never through `solve`: with f(x*, θ) = 0 (θ: what f closes
over), ẋ* = -(∂ₓf)⁻¹ ∂_θf θ̇, the inverse applied by tangent_solve(∂ₓf, ·). f is traced once
so that θ becomes explicit inputs of a custom_jvp function whose rule calls it again, so
every order of derivative is the implicit one.
"""
from __future__ import annotations

import operator
from typing import Any, Callable

from .control_flow.common import eval_closed, trace_fun
from .core import lift_aval
from .primitives import shape as sh
from .tree import tree_flatten, tree_map, tree_unflatten


def _slice(x, start: int, stop: int, step: int, axis: int):
    return sh.slice_in_dim(x, start, stop, step, axis)


def _interleave(even, odd, axis: int):
    """even[0], odd[0], even[1], odd[1], ... along `axis` (len(even) is len(odd) or one more)."""
    ea, oa = lift_aval(even), lift_aval(odd)
    n_odd = oa.shape[axis]
    head = _slice(even, 0, n_odd, 1, axis)
    pairs = sh.concatenate([sh.expand_dims(head, (axis + 1,)), sh.expand_dims(odd, (axis + 1,))], axis + 1)
    shape = list(oa.shape)
    shape[axis] = 2 * n_odd
    woven = sh.reshape(pairs, tuple(shape))
    if ea.shape[axis] == n_odd:
        return woven
    return sh.concatenate([woven, _slice(even, n_odd, n_odd + 1, 1, axis)], axis)


def associative_scan(fn: Callable, elems, reverse: bool = False, axis: int = 0):
    """lax.associative_scan: all prefix combinations fn(...fn(fn(e0, e1), e2)..., ek) along `axis`
    of the arrays in `elems` (a pytree), for an associative `fn` on slices of that pytree."""
    if not callable(fn):
        raise TypeError("lax.associative_scan: fn argument should be callable.")
    leaves, treedef = tree_flatten(elems)
    if not leaves:
        raise ValueError("lax.associative_scan: elems must contain at least one array")
    ndim = lift_aval(leaves[0]).ndim
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"lax.associative_scan: axis {axis} is out of bounds for elements of rank {ndim}")
    axis %= ndim
    shapes = [lift_aval(x).shape for x in leaves]
    if any(len(s) <= axis or s[axis] != shapes[0][axis] for s in shapes):
        raise ValueError(f"Array inputs to associative_scan must have the same first dimension. (saw: {shapes})")
    if reverse:
        leaves = [sh.rev(x, (axis,)) for x in leaves]

    def combine(a, b):
        out_leaves, out_tree = tree_flatten(fn(tree_unflatten(treedef, a), tree_unflatten(treedef, b)))
        if out_tree != treedef:
            raise TypeError(f"lax.associative_scan: fn must return the structure of its inputs {treedef}, got "
                            f"{out_tree}")
        return out_leaves

    def prefix(xs):
        n = lift_aval(xs[0]).shape[axis]
        if n < 2:
            return xs
        odd = prefix(combine([_slice(x, 0, n - 1, 2, axis) for x in xs], [_slice(x, 1, n, 2, axis) for x in xs]))
        n_odd = lift_aval(odd[0]).shape[axis]
        n_even_tail = (n - 1) // 2  # even positions 2, 4, ...
        lefts = [_slice(o, 0, n_even_tail, 1, axis) for o in odd] if n_even_tail != n_odd else odd
        evens = combine(lefts, [_slice(x, 2, n, 2, axis) for x in xs]) if n_even_tail else None
        out = []
        for k, (x, o) in enumerate(zip(xs, odd)):
            first = _slice(x, 0, 1, 1, axis)
            even = first if evens is None else sh.concatenate([first, evens[k]], axis)
            out.append(_interleave(even, o, axis))
        return out

    scanned = prefix(leaves)
    if reverse:
        scanned = [sh.rev(x, (axis,)) for x in scanned]
    return tree_unflatten(treedef, scanned)


# ------------------------------------------------------------------------ custom_root

def custom_root(f: Callable, initial_guess: Any, solve: Callable, tangent_solve: Callable, has_aux: bool = False):
    """lax.custom_root: solve(f, initial_guess) (a root of f; with has_aux, solve returns
    (root, aux)), differentiated implicitly: tangent_solve(g, y) must return x with g(x) = y
    for the linear map g = ∂f at the root. Derivatives never go through `solve`."""
    from .api import jvp
    from .custom_derivatives import custom_jvp, zero_from_primal

    guess_leaves, guess_tree = tree_flatten(initial_guess)
    avals = [lift_aval(x) for x in guess_leaves]
    closed, consts, out_tree = trace_fun(lambda *xs: f(tree_unflatten(guess_tree, list(xs))), avals,
                                         "custom_root", "lax.custom_root's f")
    if out_tree != guess_tree:
        raise TypeError(f"lax.custom_root: f must return the structure of initial_guess {guess_tree}, got {out_tree}")

    def f_at(theta, x):
        return tree_unflatten(out_tree, eval_closed(closed, *theta, *tree_flatten(x)[0]))

    @custom_jvp
    def root(theta, guess):
        out = solve(lambda x: f_at(theta, x), guess)
        return out if has_aux else (out, None)

    @root.defjvp
    def root_jvp(primals, tangents):
        theta, guess = primals
        dtheta, _ = tangents
        sol, aux = root(theta, guess)
        _, rhs = jvp(lambda t: f_at(t, sol), (theta,), (dtheta,))
        lin = lambda v: jvp(lambda x: f_at(theta, x), (sol,), (v,))[1]  # noqa: E731
        dsol = tree_map(lambda t: -t, tangent_solve(lin, rhs))
        return (sol, aux), (dsol, tree_map(zero_from_primal, aux))

    sol, aux = root(tuple(consts), initial_guess)
    return (sol, aux) if has_aux else sol


__all__ = ["associative_scan", "custom_root"]
