"""Sparse Jacobians and Hessians: detect the pattern from the traced program, colour it,
and compute one Jacobian-vector product per colour instead of one per input.

`sparse_jacobian(f)(x)` of a 1-D finite-difference residual with n unknowns costs three
JVPs (batched by vmap) whatever n is; `jacfwd` costs n. JAX has no such function: the
signature follows jacfwd's (`argnums`), and the result is a scipy.sparse CSR matrix of
shape (total output size, total input size), the leaves raveled and concatenated in pytree
order (as `flatten_util.ravel_pytree` does), or a dense nablax Array with `dense=True`.

The pattern (sparsity.py), its colouring (colouring.py) and the compiled compressed
product are cached per argument shapes and dtypes, like jit's cache, so a repeated call only
runs the compressed product and the recovery. The pattern holds for every argument value
(branches, loops and data-dependent indices are taken conservatively), so non-differentiated
arguments may change between calls too; like jit, `f` is traced, so it must not branch on
values in Python. A scipy matrix is not a traced value: under jit or vmap use `dense=True`.
"""
from __future__ import annotations

import collections
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sps

from . import colouring
from . import numpy as jnp
from .api import grad, jvp, vjp, vmap
from .config import config_key
from .core import Tracer, lift_aval
from .dtypes import is_inexact
from .interpreters.staging import trace_to_jaxpr
from .jit.jitted import jit
from .sparsity import pattern_of
from .traceback_util import api_boundary
from .tree import tree_flatten, tree_unflatten

_CACHE_SIZE = 32
_MODES = ("auto", "forward", "reverse")


class _Plan:
    """Everything about one argument signature that does not depend on the argument values:
    the pattern, the seed matrix, the compiled compressed product, and for each stored entry
    of the pattern (CSR order) its row and its place in the compressed product."""

    __slots__ = ("pattern", "seeds", "product", "rows", "src_row", "src_colour", "flat")

    def __init__(self, pattern: sps.csr_matrix, seeds: np.ndarray, product: Callable, src_row: np.ndarray,
                 src_colour: np.ndarray, width: int):
        self.pattern, self.seeds, self.product = pattern, seeds, product
        self.rows = np.repeat(np.arange(pattern.shape[0]), np.diff(pattern.indptr))
        self.src_row, self.src_colour = src_row, src_colour
        self.flat = src_colour * width + src_row   # the entry's index in the raveled product


class _Signature:
    """The flattened arguments of one call: which leaves are differentiated, and their avals."""

    def __init__(self, where: str, args: tuple, argnums):
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        if not nums or any(not isinstance(i, int) or not -len(args) <= i < len(args) for i in nums):
            raise ValueError(f"{where}: argnums {argnums!r} must be positions of the {len(args)} positional "
                             "arguments")
        nums = tuple(i % len(args) for i in nums)
        self.leaves, self.tree = tree_flatten(args)
        counts = [len(tree_flatten(a)[0]) for a in args]
        starts = np.cumsum([0] + counts)
        self.diff = [k for i in nums for k in range(starts[i], starts[i + 1])]
        self.avals = [lift_aval(x) for x in self.leaves]
        for k in self.diff:
            if not is_inexact(self.avals[k].dtype) or np.dtype(self.avals[k].dtype).kind == "c":
                raise TypeError(f"{where} requires real floating-point inputs, but got {self.avals[k].dtype} "
                                f"for argument leaf {k}; convert it with .astype(float)")
        self.n = sum(self.avals[k].size for k in self.diff)
        self.key = (self.tree, tuple((a.shape, a.dtype, a.weak_type) for a in self.avals), tuple(self.diff),
                    config_key())

    def traced(self) -> bool:
        return any(isinstance(x, Tracer) for x in self.leaves)

    def columns(self) -> list:
        cols, start = [None] * len(self.leaves), 0
        for k in self.diff:
            cols[k] = start
            start += self.avals[k].size
        return cols


def _flat_output(fun: Callable, sig: _Signature, where: str) -> Callable:
    """(differentiated leaves, other leaves) -> the outputs raveled and concatenated."""

    count, tree = len(sig.leaves), sig.tree   # (the plan keeps no argument values alive)
    diff_set = set(sig.diff)
    diff_leaves = list(sig.diff)

    def flat(diff: Sequence, rest: Sequence):
        leaves: list = [None] * count
        for k, x in zip(diff_leaves, diff):
            leaves[k] = x
        others = iter(rest)
        for k in range(count):
            if k not in diff_set:
                leaves[k] = next(others)
        outs = tree_flatten(fun(*tree_unflatten(tree, leaves)))[0]
        for o in outs:
            if not is_inexact(lift_aval(o).dtype):
                raise TypeError(f"{where}: the function must return floating-point arrays, got "
                                f"{lift_aval(o).str_short()}")
        if not outs:
            raise TypeError(f"{where}: the function returned no arrays")
        return jnp.concatenate([jnp.ravel(o) for o in outs]) if len(outs) > 1 else jnp.ravel(outs[0])

    return flat


def _split(vector, avals: list) -> list:
    """A vector over the differentiated leaves, as one piece per leaf (its shape and dtype)."""
    out, start = [], 0
    for a in avals:
        out.append(jnp.reshape(vector[start:start + a.size], a.shape).astype(a.dtype))
        start += a.size
    return out


def _pattern(flat: Callable, sig: _Signature) -> tuple[sps.csr_matrix, Any]:
    rest = [k for k in range(len(sig.leaves)) if k not in sig.diff]

    def traced(*leaves):
        return [flat([leaves[k] for k in sig.diff], [leaves[k] for k in rest])]

    closed = trace_to_jaxpr(traced, sig.avals, label="sparse_jacobian")
    return pattern_of(closed, sig.columns(), sig.n), closed.out_avals[0].dtype


def _forward_product(flat: Callable, sig: _Signature) -> Callable:
    """(diff leaves, other leaves, seeds (p, n)) -> J Sᵀ as (p, m): one jvp per seed row."""

    avals = [sig.avals[k] for k in sig.diff]

    def product(diff, rest, seeds):
        push = lambda s: jvp(lambda *d: flat(d, rest), tuple(diff), tuple(_split(s, avals)))[1]  # noqa: E731
        return vmap(push)(seeds)

    return jit(product)


def _reverse_product(flat: Callable, sig: _Signature) -> Callable:
    """(diff leaves, other leaves, seeds (p, m)) -> Sᵀ J as (p, n): one vjp per seed row."""

    def product(diff, rest, seeds):
        _, back = vjp(lambda *d: flat(d, rest), *diff)

        def pull(s):
            cts = back(s)
            return jnp.concatenate([jnp.ravel(c) for c in cts]) if len(cts) > 1 else jnp.ravel(cts[0])

        return vmap(pull)(seeds)

    return jit(product)


def _jacobian_plan(fun: Callable, sig: _Signature, mode: str) -> _Plan:
    flat = _flat_output(fun, sig, "sparse_jacobian")
    pattern, dtype = _pattern(flat, sig)
    rows = np.repeat(np.arange(pattern.shape[0]), np.diff(pattern.indptr))
    cols = pattern.indices
    col_colours = row_colours = None
    if mode != "reverse":
        col_colours = colouring.column_colouring(pattern)
    # "auto": rows cannot do better when the columns' colours meet the lower bound
    if mode == "reverse" or (mode == "auto" and colouring.count(col_colours) > colouring.lower_bound(pattern)):
        row_colours = colouring.row_colouring(pattern)
    if row_colours is None or (col_colours is not None
                               and colouring.count(col_colours) <= colouring.count(row_colours)):
        seeds = colouring.seeds(col_colours, sig.avals[sig.diff[0]].dtype if sig.diff else dtype)
        return _Plan(pattern, seeds, _forward_product(flat, sig), rows, col_colours[cols], pattern.shape[0])
    seeds = colouring.seeds(row_colours, dtype)
    return _Plan(pattern, seeds, _reverse_product(flat, sig), cols, row_colours[rows], pattern.shape[1])


def _hessian_plan(fun: Callable, sig: _Signature) -> _Plan:
    flat = _flat_output(fun, sig, "sparse_hessian")

    def gradient(diff: Sequence, rest: Sequence):
        def scalar(*d):
            out = flat(d, rest)
            if out.shape != (1,):
                raise TypeError(f"sparse_hessian: the function must return a scalar, got shape {out.shape}")
            return out[0]

        gs = grad(scalar, argnums=tuple(range(len(diff))))(*diff)
        return jnp.concatenate([jnp.ravel(g) for g in gs]) if len(gs) > 1 else jnp.ravel(gs[0])

    pattern, dtype = _pattern(gradient, sig)
    pattern = (pattern + pattern.T).tocsr()   # H is symmetric: a superset stays a superset
    pattern.sort_indices()
    colours = colouring.star_colouring(pattern)
    src_row, src_colour = colouring.star_sources(pattern, colours)
    seeds = colouring.seeds(colours, dtype)
    return _Plan(pattern, seeds, _forward_product(gradient, sig), src_row, src_colour, pattern.shape[0])


def _transform(fun: Callable, argnums, where: str, dense: bool, make_plan: Callable) -> Callable:
    cache: collections.OrderedDict = collections.OrderedDict()

    @api_boundary
    def sparse(*args):
        sig = _Signature(where, args, argnums)
        if sig.traced() and not dense:
            raise TypeError(f"{where}: a scipy.sparse result cannot be traced (under jit, vmap or grad); "
                            f"pass dense=True to get a traced dense Array")
        plan = cache.get(sig.key)
        if plan is None:
            plan = cache[sig.key] = make_plan(sig)
            if len(cache) > _CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(sig.key)
        diff = [sig.leaves[k] for k in sig.diff]
        rest = [x for k, x in enumerate(sig.leaves) if k not in sig.diff]
        compressed = plan.product(diff, rest, plan.seeds)   # (colours, m) forward, (colours, n) reverse
        shape = plan.pattern.shape
        if dense:
            values = compressed[plan.src_colour, plan.src_row]
            return jnp.zeros(shape, values.dtype).at[plan.rows, plan.pattern.indices].set(values)
        values = np.asarray(compressed).ravel().take(plan.flat)
        return sps.csr_matrix((values, plan.pattern.indices, plan.pattern.indptr), shape=shape)

    sparse.__name__ = sparse.__qualname__ = f"{where}_{getattr(fun, '__name__', 'fun')}"
    sparse.__doc__ = fun.__doc__
    return sparse


def sparse_jacobian(fun: Callable, argnums: int | Sequence[int] = 0, *, mode: str = "auto",
                    dense: bool = False) -> Callable:
    """The Jacobian of `fun` from one jvp (or vjp) per colour of its detected sparsity pattern.

    Returns a function of `fun`'s arguments giving a scipy.sparse CSR matrix of shape
    (total output size, total size of the `argnums` inputs), leaves raveled and concatenated
    in pytree order (a dense Array with `dense=True`, which also works under jit and vmap).
    mode: "forward" colours columns (one jvp per colour), "reverse" colours rows (one vjp per
    colour), "auto" takes the side with fewer colours (forward on a tie)."""
    if mode not in _MODES:
        raise ValueError(f"sparse_jacobian: mode must be one of {_MODES}, got {mode!r}")
    return _transform(fun, argnums, "sparse_jacobian", bool(dense), lambda sig: _jacobian_plan(fun, sig, mode))


def sparse_hessian(fun: Callable, argnums: int | Sequence[int] = 0, *, dense: bool = False) -> Callable:
    """The Hessian of scalar `fun` from one Hessian-vector product (jvp of grad) per colour of a
    star colouring of its detected pattern; the result is symmetric in structure and value.

    Returns a function of `fun`'s arguments giving a scipy.sparse CSR matrix of shape (n, n),
    n the total size of the `argnums` inputs raveled in pytree order (dense Array with dense=True)."""
    return _transform(fun, argnums, "sparse_hessian", bool(dense), lambda sig: _hessian_plan(fun, sig))


def jacobian_sparsity(fun: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The boolean scipy.sparse CSR pattern `sparse_jacobian` uses: a superset of the nonzeros
    of the Jacobian for every argument value (only shapes and dtypes are read)."""

    @api_boundary
    def sparsity(*args):
        sig = _Signature("jacobian_sparsity", args, argnums)
        return _pattern(_flat_output(fun, sig, "jacobian_sparsity"), sig)[0]

    return sparsity


def hessian_sparsity(fun: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The symmetric boolean pattern `sparse_hessian` uses (a superset of the Hessian's nonzeros)."""

    @api_boundary
    def sparsity(*args):
        sig = _Signature("hessian_sparsity", args, argnums)
        return _hessian_plan(fun, sig).pattern

    return sparsity
