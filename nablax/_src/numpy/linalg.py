"""Products in nablax.numpy: dot, vdot, inner, outer, matmul (`@`), tensordot, einsum, trace, kron.

Every product is one or more `lax.dot_general`s (plus reshapes/transposes and sums), so
all of them are differentiable, batchable and jittable. Operands are promoted to their
common dtype first; `preferred_element_type` asks for another accumulation/output dtype.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..lax_api import check_precision
from ..primitives import elementwise as ew
from ..primitives import reductions
from ..primitives import shape as lax_shape
from ..primitives.linalg import dot_general_p
from ..primitives.misc import convert_element_type
from .methods import reflected
from .promotion import checked_axis, promote_args
from .reductions import sum_accumulation_dtype

_bind = dot_general_p.bind


def _pref(preferred_element_type):
    if preferred_element_type is None:
        return None
    return dtypes.check_user_dtype(preferred_element_type, "preferred_element_type")


def _promote(fname: str, a, b) -> tuple:
    if type(a) is Array and type(b) is Array and a._value.dtype == b._value.dtype:
        return a, b
    return promote_args(fname, a, b)


def _dg(a, b, lc, rc, lb=(), rb=(), pref=None):
    """dot_general with tuple axes (callers pass tuples: this is on the eager hot path)."""
    return _bind(a, b, dimension_numbers=((lc, rc), (lb, rb)), preferred_element_type=pref)


def _scalar_product(a, b, pref):
    out = ew.mul(a, b)
    return out if pref is None else convert_element_type(out, pref)


def _ravel(x):
    return x if x.ndim == 1 else lax_shape.reshape(x, (x.size,))


def dot(a, b, *, precision=None, preferred_element_type=None):
    """jnp.dot with NumPy's semantics for every rank.

    Scalars multiply; otherwise a's last axis is contracted with b's second-to-last axis
    (its only axis when b is 1-D), and the result's axes are a's free axes then b's.
    """
    if precision is not None:
        check_precision("jnp.dot", precision)
    a, b = _promote("dot", a, b)
    pref = _pref(preferred_element_type)
    ash, bsh = tuple(a.shape), tuple(b.shape)
    if not ash or not bsh:
        return _scalar_product(a, b, pref)
    bc = 0 if len(bsh) == 1 else len(bsh) - 2
    if ash[-1] != bsh[bc]:
        # a TypeError, as in JAX (contracted sizes differ)
        raise TypeError(f"jnp.dot: shapes {ash} and {bsh} are not aligned: "
                         f"{ash[-1]} (last axis of a) != {bsh[bc]} (axis {bc} of b)")
    return _dg(a, b, (len(ash) - 1,), (bc,), pref=pref)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    """jnp.vdot: the dot product of the flattened arrays, conjugating the first."""
    if precision is not None:
        check_precision("jnp.vdot", precision)
    a, b = _promote("vdot", a, b)
    a, b = _ravel(a), _ravel(b)
    if a.shape != b.shape:
        raise ValueError(f"jnp.vdot: arrays of different sizes {a.shape[0]} and {b.shape[0]}")
    if a.dtype.kind == "c":
        a = ew.conj(a)
    return _dg(a, b, (0,), (0,), pref=_pref(preferred_element_type))


def inner(a, b, *, precision=None, preferred_element_type=None):
    """jnp.inner: contracts the last axes of a and b (scalars multiply)."""
    if precision is not None:
        check_precision("jnp.inner", precision)
    a, b = _promote("inner", a, b)
    pref = _pref(preferred_element_type)
    if a.ndim == 0 or b.ndim == 0:
        return _scalar_product(a, b, pref)
    if a.shape[-1] != b.shape[-1]:
        # a TypeError, as in JAX (contracted sizes differ)
        raise TypeError(f"jnp.inner: shapes {tuple(a.shape)} and {tuple(b.shape)} have different last "
                         f"axes ({a.shape[-1]} != {b.shape[-1]})")
    return _dg(a, b, (a.ndim - 1,), (b.ndim - 1,), pref=pref)


def outer(a, b, out=None):
    """jnp.outer: outer product of the flattened arrays."""
    if out is not None:
        raise TypeError("jnp.outer: the 'out' argument is not supported (arrays are immutable)")
    a, b = _promote("outer", a, b)
    return _dg(_ravel(a), _ravel(b), (), ())


def matmul(a, b, *, precision=None, preferred_element_type=None):
    """jnp.matmul (`a @ b`): matrix product over the last two axes, leading axes broadcast.

    A 1-D a is a row vector and a 1-D b a column vector; their unit axis is dropped again.
    """
    if precision is not None:
        check_precision("jnp.matmul", precision)
    a, b = _promote("matmul", a, b)
    pref = _pref(preferred_element_type)
    ash, bsh = tuple(a.shape), tuple(b.shape)
    an, bn = len(ash), len(bsh)
    if an == 0 or bn == 0:
        raise ValueError(f"jnp.matmul: operands must have at least one dimension, got shapes "
                         f"{ash} and {bsh} (use * to multiply by a scalar)")
    bc = 0 if bn == 1 else bn - 2
    if ash[-1] != bsh[bc]:
        # a TypeError, as in JAX (contracted sizes differ)
        raise TypeError(f"jnp.matmul: shape mismatch: operands of shapes {ash} and {bsh}: contracted "
                         f"dimensions {ash[-1]} and {bsh[bc]} differ")
    if bn <= 2:
        return _dg(a, b, (an - 1,), (bc,), pref=pref)
    b_batch = bsh[:-2]
    if an <= 2:
        out = _dg(a, b, (an - 1,), (bc,), pref=pref)
        if an == 1:
            return out
        nb = len(b_batch)
        return lax_shape.transpose(out, tuple(range(1, nb + 1)) + (0, nb + 1))
    a_batch = ash[:-2]
    try:
        batch = tuple(np.broadcast_shapes(a_batch, b_batch))
    except ValueError:
        raise ValueError(f"jnp.matmul: batch dimensions of operands of shapes {ash} and {bsh} do not "
                         "broadcast") from None
    nb = len(batch)
    if a_batch != batch:
        a = _broadcast_batch(a, batch)
    if b_batch != batch:
        b = _broadcast_batch(b, batch)
    dims = tuple(range(nb))
    return _dg(a, b, (nb + 1,), (nb,), dims, dims, pref=pref)


def _broadcast_batch(x, batch: tuple):
    core = tuple(x.shape[-2:])
    shape = batch + core
    n = x.ndim
    return lax_shape.broadcast_in_dim(x, shape, tuple(range(len(shape) - n, len(shape))))


def _axes_list(x) -> list:
    if isinstance(x, (int, np.integer)):
        return [int(x)]
    return [operator.index(i) for i in x]


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    """jnp.tensordot: contract a's last `axes` axes with b's first ones, or the given axis pairs."""
    if precision is not None:
        check_precision("jnp.tensordot", precision)
    a, b = _promote("tensordot", a, b)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if not 0 <= n <= min(a.ndim, b.ndim):
            raise ValueError(f"jnp.tensordot: axes={n} is invalid for operands of shapes "
                             f"{tuple(a.shape)} and {tuple(b.shape)}")
        ax_a, ax_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        try:
            ax_a, ax_b = axes
        except (TypeError, ValueError):
            raise TypeError(f"jnp.tensordot: axes must be an int or a pair of axis sequences, got {axes!r}") from None
        ax_a, ax_b = _axes_list(ax_a), _axes_list(ax_b)
        if len(ax_a) != len(ax_b):
            raise ValueError(f"jnp.tensordot: axes {axes!r} give {len(ax_a)} axes of a but {len(ax_b)} of b")
        ax_a = [checked_axis("jnp.tensordot", i, a.ndim) for i in ax_a]
        ax_b = [checked_axis("jnp.tensordot", i, b.ndim) for i in ax_b]
    for i, j in zip(ax_a, ax_b):
        if a.shape[i] != b.shape[j]:
            # a TypeError, as in JAX (contracted sizes differ)
            raise TypeError(f"jnp.tensordot: shape mismatch: axis {i} of a {tuple(a.shape)} has size {a.shape[i]}, "
                             f"axis {j} of b {tuple(b.shape)} has size {b.shape[j]}")
    return _dg(a, b, tuple(ax_a), tuple(ax_b), pref=_pref(preferred_element_type))


def kron(a, b):
    """jnp.kron: the Kronecker product (block b scaled by each element of a)."""
    a, b = _promote("kron", a, b)
    nd = max(a.ndim, b.ndim)
    if nd == 0:
        return ew.mul(a, b)
    if a.ndim < nd:
        a = lax_shape.reshape(a, (1,) * (nd - a.ndim) + tuple(a.shape))
    if b.ndim < nd:
        b = lax_shape.reshape(b, (1,) * (nd - b.ndim) + tuple(b.shape))
    out = _dg(a, b, (), ())
    perm = tuple(p for i in range(nd) for p in (i, nd + i))
    out = lax_shape.transpose(out, perm)
    return lax_shape.reshape(out, tuple(a.shape[i] * b.shape[i] for i in range(nd)))


# ------------------------------------------------------------------------------ trace

def _diagonal_last(x, offset: int):
    """The offset diagonal of the last two axes of x, as its last axis (a strided slice)."""
    n, m = x.shape[-2], x.shape[-1]
    lead = tuple(x.shape[:-2])
    count = max(0, min(n, m - offset)) if offset >= 0 else max(0, min(n + offset, m))
    if count == 0:
        return None
    start = offset if offset >= 0 else -offset * m
    flat = lax_shape.reshape(x, lead + (n * m,))
    nd = len(lead)
    return lax_shape.slice(flat, (0,) * nd + (start,), lead + (start + (count - 1) * (m + 1) + 1,),
                           (1,) * nd + (m + 1,))


def trace(a, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out=None):
    """jnp.trace: sum along a diagonal (offset above/below the main one) of two axes."""
    if out is not None:
        raise TypeError("jnp.trace: the 'out' argument is not supported (arrays are immutable)")
    (a,) = promote_args("trace", a)
    if a.ndim < 2:
        raise ValueError(f"jnp.trace: needs an array of rank >= 2, got shape {tuple(a.shape)}")
    ax1, ax2 = checked_axis("jnp.trace", axis1, a.ndim), checked_axis("jnp.trace", axis2, a.ndim)
    if ax1 == ax2:
        raise ValueError(f"jnp.trace: axis1 and axis2 must differ, got {axis1} and {axis2}")
    out_dtype = sum_accumulation_dtype(a.dtype) if dtype is None else dtypes.check_user_dtype(dtype, "jnp.trace")
    a = convert_element_type(a, out_dtype)
    perm = tuple(i for i in range(a.ndim) if i not in (ax1, ax2)) + (ax1, ax2)
    if perm != tuple(range(a.ndim)):
        a = lax_shape.transpose(a, perm)
    diag = _diagonal_last(a, operator.index(offset))
    if diag is None:
        return wrap(np.zeros(a.shape[:-2], out_dtype), False)
    return reductions.reduce_sum(diag, (diag.ndim - 1,))


# ----------------------------------------------------------------------------- einsum

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _interleaved(args) -> tuple:
    """einsum(op0, sub0, op1, sub1, ..., [sub_out]) -> (subscripts string, operands)."""
    args = list(args)
    out_sub = args.pop() if len(args) % 2 == 1 else None
    ops, subs = args[0::2], args[1::2]

    def to_str(sub):
        s = []
        for i in sub:
            if i is Ellipsis:
                s.append("...")
            else:
                i = operator.index(i)
                if not 0 <= i < len(_LETTERS):
                    raise ValueError(f"jnp.einsum: subscript {i} is out of range [0, {len(_LETTERS)})")
                s.append(_LETTERS[i])
        return "".join(s)

    spec = ",".join(to_str(s) for s in subs)
    if out_sub is not None:
        spec += "->" + to_str(out_sub)
    return spec, ops


def _parse_term(term: str, spec: str) -> list:
    labels: list = []
    i = 0
    while i < len(term):
        if term.startswith("...", i):
            if Ellipsis in labels:
                raise ValueError(f"jnp.einsum: more than one ellipsis in term {term!r} of {spec!r}")
            labels.append(Ellipsis)
            i += 3
        elif term[i] in _LETTERS:
            labels.append(term[i])
            i += 1
        else:
            raise ValueError(f"jnp.einsum: invalid character {term[i]!r} in subscripts {spec!r}")
    return labels


def _expand_ellipsis(labels: list, n_ell: int, max_ell: int) -> list:
    """Replace Ellipsis by integer labels, right-aligned across operands (they broadcast)."""
    if Ellipsis not in labels:
        return labels
    k = labels.index(Ellipsis)
    return labels[:k] + list(range(max_ell - n_ell, max_ell)) + labels[k + 1:]


def _show(label) -> str:
    return repr(label) if isinstance(label, str) else "'...'"


class _Planner:
    """Plans an einsum on shapes alone: a list of steps, cached per (subscripts, shapes)."""

    def __init__(self, shapes, terms, out_labels):
        self.work = [(tuple(s), list(t)) for s, t in zip(shapes, terms)]
        self.out = out_labels
        self.ops: list = []

    def transpose(self, k: int, perm: tuple) -> None:
        if perm != tuple(range(len(perm))):
            shape, labels = self.work[k]
            self.ops.append(("T", k, perm))
            self.work[k] = (tuple(shape[i] for i in perm), [labels[i] for i in perm])

    def reduce(self, k: int, drop) -> None:
        shape, labels = self.work[k]
        axes = tuple(i for i, l in enumerate(labels) if l in drop)
        if axes:
            self.ops.append(("S", k, axes))
            self.work[k] = (tuple(d for i, d in enumerate(shape) if i not in axes),
                            [l for i, l in enumerate(labels) if i not in axes])

    def needed_except(self, *ks) -> set:
        return set(self.out).union(*[set(t) for j, (_, t) in enumerate(self.work) if j not in ks])

    def diagonals(self, k: int, spec: str) -> None:
        """Repeated labels within one operand select its diagonal ("ii->i")."""
        while True:
            shape, labels = self.work[k]
            seen: dict = {}
            pair = None
            for q, l in enumerate(labels):
                if l in seen:
                    pair = seen[l], q
                    break
                seen[l] = q
            if pair is None:
                return
            p, q = pair
            if shape[p] != shape[q]:
                raise ValueError(f"jnp.einsum: repeated subscript {_show(labels[p])} of {spec!r} labels axes of "
                                 f"different sizes {shape[p]} and {shape[q]}")
            if shape[p] == 0:
                raise ValueError(f"jnp.einsum: repeated subscript {_show(labels[p])} of {spec!r} labels empty axes")
            self.transpose(k, tuple(i for i in range(len(shape)) if i not in (p, q)) + (p, q))
            shape, labels = self.work[k]
            self.ops.append(("D", k))
            self.work[k] = (shape[:-2] + (shape[-1],), labels[:-1])

    def squeeze(self, k: int, sizes: dict) -> None:
        """Size-1 axes that broadcast against larger ones are dropped (the operand is constant there)."""
        shape, labels = self.work[k]
        drop = [i for i, l in enumerate(labels) if shape[i] == 1 and sizes[l] != 1]
        if drop:
            new = tuple(d for i, d in enumerate(shape) if i not in drop)
            self.ops.append(("R", k, new))
            self.work[k] = (new, [l for i, l in enumerate(labels) if i not in drop])

    def pick_pair(self, sizes: dict, greedy: bool) -> tuple:
        if not greedy or len(self.work) <= 2:
            return 0, 1
        best = None
        for i in range(len(self.work)):
            for j in range(i + 1, len(self.work)):
                kept = (set(self.work[i][1]) | set(self.work[j][1])) & self.needed_except(i, j)
                cost = 1
                for l in kept:
                    cost *= sizes[l]
                if best is None or cost < best[0]:
                    best = (cost, i, j)
        return best[1], best[2]

    def contract(self, i: int, j: int) -> None:
        """One pairwise step: shared labels still needed become batch axes, the others contract."""
        keep = self.needed_except(i, j)
        la, lb = self.work[i][1], self.work[j][1]
        self.reduce(i, {l for l in la if l not in lb and l not in keep})
        self.reduce(j, {l for l in lb if l not in la and l not in keep})
        (sa, la), (sb, lb) = self.work[i], self.work[j]
        shared = [l for l in la if l in lb]
        contract = [l for l in shared if l not in keep]
        batch = [l for l in shared if l in keep]
        dims = ((tuple(la.index(l) for l in contract), tuple(lb.index(l) for l in contract)),
                (tuple(la.index(l) for l in batch), tuple(lb.index(l) for l in batch)))
        self.ops.append(("G", i, j, dims))
        a_free = [n for n, l in enumerate(la) if l not in shared]
        b_free = [n for n, l in enumerate(lb) if l not in shared]
        shape = tuple(sa[la.index(l)] for l in batch) + tuple(sa[n] for n in a_free) + tuple(sb[n] for n in b_free)
        labels = batch + [la[n] for n in a_free] + [lb[n] for n in b_free]
        self.work = [w for k, w in enumerate(self.work) if k not in (i, j)] + [(shape, labels)]


def _plan_einsum(spec: str, shapes: tuple, greedy: bool) -> tuple:
    compact = spec.replace(" ", "")
    if compact.count("->") > 1:
        raise ValueError(f"jnp.einsum: subscripts {spec!r} contain more than one '->'")
    lhs, arrow, rhs = compact.partition("->")
    terms = [_parse_term(t, spec) for t in lhs.split(",")]
    if len(terms) != len(shapes):
        raise ValueError(f"jnp.einsum: subscripts {spec!r} name {len(terms)} operand(s) but "
                         f"{len(shapes)} were given")
    n_ells = []
    for k, (t, shape) in enumerate(zip(terms, shapes)):
        n_letters = len([l for l in t if l is not Ellipsis])
        n_ell = len(shape) - n_letters
        if n_ell < 0 or (Ellipsis not in t and n_ell != 0):
            shown = "".join("..." if l is Ellipsis else l for l in t)
            raise ValueError(f"jnp.einsum: operand {k} has shape {shape} (rank {len(shape)}) but its "
                             f"subscripts {shown!r} name {n_letters} axes")
        n_ells.append(n_ell)
    max_ell = max(n_ells)
    terms = [_expand_ellipsis(t, n, max_ell) for t, n in zip(terms, n_ells)]
    if arrow:
        out_terms = _parse_term(rhs, spec)
        if Ellipsis not in out_terms and max_ell:
            raise ValueError(f"jnp.einsum: the inputs of {spec!r} have '...' axes, so the output needs '...' too")
        out_labels = _expand_ellipsis(out_terms, max_ell, max_ell)
        if len(set(out_labels)) != len(out_labels):
            raise ValueError(f"jnp.einsum: output subscripts of {spec!r} repeat a label")
        present = set().union(*[set(t) for t in terms])
        for l in out_labels:
            if l not in present:
                raise ValueError(f"jnp.einsum: output subscript {_show(l)} of {spec!r} appears in no input")
    else:  # implicit output: broadcast axes, then the labels used exactly once, in alphabetical order
        counts: dict = {}
        for t in terms:
            for l in t:
                if isinstance(l, str):
                    counts[l] = counts.get(l, 0) + 1
        out_labels = list(range(max_ell)) + sorted((l for l, c in counts.items() if c == 1), key=_LETTERS.index)
    sizes: dict = {}
    for t, shape in zip(terms, shapes):
        for l, d in zip(t, shape):
            if sizes.get(l, 1) == 1:
                sizes[l] = d
            elif d not in (1, sizes[l]):
                raise ValueError(f"jnp.einsum: subscript {_show(l)} has incompatible sizes {sizes[l]} and {d} "
                                 f"(operand shapes {', '.join(map(str, shapes))}, subscripts {spec!r})")
    plan = _Planner(shapes, terms, out_labels)
    for k in range(len(shapes)):
        plan.diagonals(k, spec)
        plan.squeeze(k, sizes)
    for k in range(len(shapes)):  # labels of one operand only, not in the output: summed out first
        plan.reduce(k, set(plan.work[k][1]) - plan.needed_except(k))
    while len(plan.work) > 1:
        plan.contract(*plan.pick_pair(sizes, greedy))
    plan.reduce(0, {l for l in plan.work[0][1] if l not in out_labels})
    labels = plan.work[0][1]
    plan.transpose(0, tuple(labels.index(l) for l in out_labels))
    return tuple(plan.ops)


_EINSUM_PLANS: dict = {}


def einsum(subscripts, /, *operands, out=None, optimize: Any = "auto", precision=None,
           preferred_element_type=None):
    """jnp.einsum: Einstein summation, e.g. einsum('bij,bjk->bik', x, y).

    Supports implicit output (labels used once, sorted), '...' broadcasting, repeated
    labels within an operand (diagonals/traces) and the interleaved operand/sublist form.
    Contractions are pairwise dot_generals; with three or more operands the pair whose
    result is smallest goes first (greedy) unless optimize=False (left to right).
    The plan depends only on the subscripts and shapes and is cached.
    """
    if precision is not None:
        check_precision("jnp.einsum", precision)
    if out is not None:
        raise TypeError("jnp.einsum: the 'out' argument is not supported (arrays are immutable)")
    if not isinstance(subscripts, str):
        subscripts, operands = _interleaved((subscripts,) + operands)
    if not operands:
        raise ValueError("jnp.einsum: at least one operand is required")
    pref = _pref(preferred_element_type)
    if len(operands) == 2:
        arrays = list(_promote("einsum", *operands))
    else:
        arrays = list(promote_args("einsum", *operands))
    key = (subscripts, tuple(tuple(a.shape) for a in arrays), optimize is not False)
    ops = _EINSUM_PLANS.get(key)
    if ops is None:
        if len(_EINSUM_PLANS) > 1024:
            _EINSUM_PLANS.clear()
        ops = _EINSUM_PLANS[key] = _plan_einsum(subscripts, key[1], key[2])
    for op in ops:
        kind = op[0]
        if kind == "G":
            _, i, j, dims = op
            res = _bind(arrays[i], arrays[j], dimension_numbers=dims, preferred_element_type=pref)
            arrays = [a for k, a in enumerate(arrays) if k != i and k != j] + [res]
        elif kind == "T":
            arrays[op[1]] = lax_shape.transpose(arrays[op[1]], op[2])
        elif kind == "S":
            arrays[op[1]] = reductions.reduce_sum(arrays[op[1]], op[2])
        elif kind == "R":
            arrays[op[1]] = lax_shape.reshape(arrays[op[1]], op[2])
        else:  # "D"
            arrays[op[1]] = _diagonal_last(arrays[op[1]], 0)
    x = arrays[0]
    return x if pref is None or x.dtype == pref else convert_element_type(x, pref)


def einsum_path(subscripts: str, *operands, optimize: Any = "greedy") -> tuple:
    """jnp.einsum_path: NumPy's contraction path for the same subscripts (computed on shapes)."""
    dummies = [np.zeros(np.shape(o), dtype=np.float32) for o in operands]
    return np.einsum_path(subscripts, *dummies, optimize=optimize)


__all__ = ["dot", "vdot", "inner", "outer", "matmul", "tensordot", "einsum", "einsum_path", "trace", "kron"]

METHODS = {
    "dot": dot,
    "__matmul__": matmul,
    "__rmatmul__": reflected(matmul),
    "trace": trace,
}
