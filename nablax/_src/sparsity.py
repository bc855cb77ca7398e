"""Sparsity patterns of traced programs: which output elements can depend on which inputs.

Each variable of a Jaxpr carries a boolean scipy.sparse CSR matrix (rows: the variable's
flattened elements, columns: the flattened differentiated inputs), or None when it depends
on no input. The pattern of the outputs is a superset of the Jacobian's nonzeros for every
input value (so it can be cached per shape): conservative wherever a primitive's structure
is not known, and exact for the structures primitives declare (their `sparsity` fact, see
primitives/_define.py) and for elementwise ones (NumPy broadcasting).

Integer and bool values carry no dependency (their derivative is zero, as in jvp); values
computed from constants alone are evaluated, so constant indices and predicates give exact
patterns for gathers, dynamic slices and selects (loops with a static trip count are
unrolled for this when small).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sps

from . import dtypes
from .control_flow.cond import cond_p
from .control_flow.loops import scan_p, while_p
from .core import Tracer
from .ir import ClosedJaxpr, Jaxpr, Literal

_FOLD_LIMIT = 1 << 22        # constants computed while analysing: at most this many elements
_UNROLL_LIMIT = 20_000       # a scan is unrolled when length * body equations is at most this
_FIXPOINT_STEPS = 64         # loop carries: iterations before giving up to the dense union
_CONV_CLASSES = 512          # conv probes: at most this many impl calls per operand


def pattern_of(closed: ClosedJaxpr, in_columns: Sequence[int | None], n: int) -> sps.csr_matrix:
    """The (total output size, n) boolean pattern of `closed`: input k's elements are the
    columns `in_columns[k] + arange(size)` (None: not differentiated)."""
    deps = []
    for v, start in zip(closed.jaxpr.invars, in_columns):
        if start is None or not _is_float(v.aval.dtype):
            deps.append(None)
        else:
            size = v.aval.size
            deps.append(sps.csr_matrix((np.ones(size, bool), (np.arange(size), start + np.arange(size))),
                                       shape=(size, n)))
    consts = [_concrete(c) for c in closed.consts]
    outs, _ = _Analysis(n).run(closed.jaxpr, consts, deps, [None] * len(deps))
    rows = [_empty(a.aval.size, n) if d is None else d for d, a in zip(outs, closed.jaxpr.outvars)]
    out = sps.vstack(rows, format="csr") if rows else _empty(0, n)
    out.sum_duplicates()   # canonical: sorted column indices in each row
    return out


def _concrete(c):
    if isinstance(c, Tracer):
        return None
    return np.asarray(c)


def _is_float(dtype) -> bool:
    return dtypes.is_inexact(np.dtype(dtype))


def _empty(rows: int, n: int) -> sps.csr_matrix:
    return sps.csr_matrix((rows, n), dtype=bool)


def _union(mats: list) -> sps.csr_matrix | None:
    mats = [m for m in mats if m is not None]
    if not mats:
        return None
    out = mats[0]
    for m in mats[1:]:
        out = out + m
    return out


def _select(dep: sps.csr_matrix, src: np.ndarray) -> sps.csr_matrix:
    """Rows `dep[src[i]]` (an empty row where src[i] < 0)."""
    keep = src >= 0
    rows = np.flatnonzero(keep)
    sel = sps.csr_matrix((np.ones(rows.size, bool), (rows, src[keep])), shape=(src.size, dep.shape[0]))
    return sel @ dep


def _gather_rows(dep: sps.csr_matrix, groups: np.ndarray, count: int) -> sps.csr_matrix:
    """Row g of the result: the union of the rows i of `dep` with groups[i] == g."""
    sel = sps.csr_matrix((np.ones(groups.size, bool), (groups, np.arange(groups.size))),
                         shape=(count, groups.size))
    return sel @ dep


def _dense_rows(deps: list, rows: int, n: int) -> sps.csr_matrix | None:
    """Every one of `rows` rows depends on everything `deps` depend on (the conservative rule)."""
    cols = [np.unique(d.indices) for d in deps if d is not None and d.nnz]
    if not cols:
        return None
    cols = np.unique(np.concatenate(cols))
    indptr = np.arange(rows + 1, dtype=np.int64) * cols.size
    return sps.csr_matrix((np.ones(rows * cols.size, bool), np.tile(cols, rows), indptr), shape=(rows, n))


def _broadcast_rows(dep: sps.csr_matrix, shape: tuple, out_shape: tuple) -> sps.csr_matrix:
    if tuple(shape) == tuple(out_shape):
        return dep
    ids = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    return _select(dep, np.broadcast_to(ids, out_shape).ravel())


class _Analysis:
    """One dependency analysis: `n` input columns; `run` walks a Jaxpr."""

    def __init__(self, n: int):
        self.n = n

    def run(self, jaxpr: Jaxpr, consts: Sequence, deps: Sequence, vals: Sequence) -> tuple[list, list]:
        dep_env: dict = {}
        val_env: dict = {}
        for v, c in zip(jaxpr.constvars, consts):
            val_env[v] = c
        for v, d, x in zip(jaxpr.invars, deps, vals):
            dep_env[v] = d
            val_env[v] = x

        def dep(a):
            return None if type(a) is Literal else dep_env.get(a)

        def val(a):
            return np.asarray(a.val._value) if type(a) is Literal else val_env.get(a)

        for eqn in jaxpr.eqns:
            in_deps = [dep(a) for a in eqn.invars]
            in_vals = [val(a) for a in eqn.invars]
            if all(d is None for d in in_deps):
                outs = [None] * len(eqn.outvars)
                for v, x in zip(eqn.outvars, self._fold(eqn, in_vals)):
                    val_env[v] = x
            else:
                outs = self.rule(eqn, in_deps, in_vals)
            for v, d in zip(eqn.outvars, outs):
                dep_env[v] = d if d is not None and d.nnz and _is_float(v.aval.dtype) else None
        return [dep(a) for a in jaxpr.outvars], [val(a) for a in jaxpr.outvars]

    # ------------------------------------------------------------------ constants

    @staticmethod
    def _fold(eqn, vals: list) -> list:
        """The outputs' values when every operand is a known constant (else Nones)."""
        nothing = [None] * len(eqn.outvars)
        if eqn.prim.higher_order or not eqn.prim.fold or "effect" in eqn.params or any(x is None for x in vals):
            return nothing   # (callbacks and collectives are never run by the analysis)
        if sum(x.size for x in vals) > _FOLD_LIMIT or sum(v.aval.size for v in eqn.outvars) > _FOLD_LIMIT:
            return nothing
        try:
            out = eqn.prim.impl(np, *vals, **eqn.params)
        except Exception:  # a constant the analysis cannot compute is simply unknown
            return nothing
        return [np.asarray(o) for o in out] if eqn.prim.multiple_results else [np.asarray(out)]

    # ------------------------------------------------------------------ rules

    def rule(self, eqn, deps: list, vals: list) -> list:
        prim = eqn.prim
        if prim.sparsity == "zero":
            return [None] * len(eqn.outvars)
        if prim is cond_p:
            return self._cond(eqn, deps, vals)
        if prim is scan_p:
            return self._scan(eqn, deps, vals)
        if prim is while_p:
            return self._while(eqn, deps, vals)
        if prim.inline is not None:
            body, consts = prim.inline(eqn)
            return self.run(body, [_concrete(c) for c in consts], deps, vals)[0]
        if prim.sparsity == "move":
            out = self._move(eqn, deps, vals)
            if out is not None:
                return out
        if prim.elementwise:
            return [self._elementwise(eqn, deps, vals)]
        if prim.sparsity == "reduce":
            return [self._reduce(deps[0], eqn.invars[0].aval.shape, eqn.params["axes"])]
        if prim.sparsity == "cumulative":
            return [self._cumulative(deps[0], eqn.invars[0].aval.shape, **eqn.params)]
        if prim.sparsity == "contract":
            return [self._contract(eqn, deps, vals)]
        if prim.sparsity in ("window", "window_scatter"):
            return [self._window(eqn, deps)]
        if prim.sparsity == "conv":
            out = self._conv(eqn, deps, vals)
            if out is not None:
                return [out]
        return self._dense(eqn, deps)

    @staticmethod
    def _elementwise(eqn, deps: list, vals: list) -> sps.csr_matrix | None:
        """Each output element reads the same element of each operand (NumPy broadcasting);
        for a product, not where another operand is a known constant zero."""
        shape = eqn.outvars[0].aval.shape
        parts = []
        for k, (d, a) in enumerate(zip(deps, eqn.invars)):
            if d is None:
                continue
            d = _broadcast_rows(d, a.aval.shape, shape)
            if eqn.prim.sparsity == "product":
                zero = np.zeros(shape, bool)
                for i, x in enumerate(vals):
                    if i != k and x is not None:
                        zero |= np.broadcast_to(x == 0, shape)
                if zero.any():
                    d = _select(d, np.where(zero.ravel(), -1, np.arange(zero.size)))
            parts.append(d)
        return _union(parts)

    def _dense(self, eqn, deps: list) -> list:
        return [_dense_rows(deps, v.aval.size, self.n) for v in eqn.outvars]

    def _move(self, eqn, deps: list, vals: list) -> list | None:
        """Data movement, found by applying impl to element ids (1, 2, ...) of the float operands
        (the other float operands zero) and again to the ids shifted by K: an output element
        that moved by exactly K is the one element with that id; one that did not move reads
        none of them (a fill); any other is a sum of several. All dependent operands are
        probed at once (disjoint ids) first; if some element is a sum, one operand at a time,
        where a sum reads the whole operand. None: an integer operand is unknown."""
        args = []
        for a, x in zip(eqn.invars, vals):
            if _is_float(a.aval.dtype):
                args.append(np.zeros(a.aval.shape))
            elif x is None:
                return None
            else:
                args.append(x)
        live = [k for k, d in enumerate(deps) if d is not None]
        try:
            joint = self._probe(eqn, args, live, deps, exact_only=True)
            if joint is not None:
                return joint
            outs = [None] * len(eqn.outvars)
            for k in live:
                outs = [_union([o, p]) for o, p in zip(outs, self._probe(eqn, args, [k], deps, exact_only=False))]
            return outs
        except Exception:  # impl refused float64 ids: fall back to the conservative rule
            return None

    def _probe(self, eqn, args: list, which: list, deps: list, exact_only: bool) -> list | None:
        """The outputs' dependencies on the operands `which` (see _move); with `exact_only`,
        None when some output element is a sum of several."""
        first, second = list(args), list(args)
        start = 1
        for k in which:
            a = eqn.invars[k].aval
            first[k] = np.arange(start, start + a.size, dtype=np.float64).reshape(a.shape)
            start += a.size
        total, shift = start - 1, float(start)
        for k in which:
            second[k] = first[k] + shift
        stacked = deps[which[0]] if len(which) == 1 else sps.vstack([deps[k] for k in which], format="csr")
        outs = [None] * len(eqn.outvars)
        for j, (o1, o2) in enumerate(zip(self._impl(eqn, first), self._impl(eqn, second))):
            if not _is_float(eqn.outvars[j].aval.dtype):
                continue
            o1 = np.real(o1).ravel()
            moved = np.real(o2).ravel() - o1
            single = (moved == shift) & (o1 >= 1) & (o1 <= total) & (o1 == np.round(o1))
            several = ~single & ~((moved == 0) | (np.isnan(o1) & np.isnan(moved)))
            if several.any() and exact_only:
                return None
            part = _select(stacked, np.where(single, np.nan_to_num(o1, nan=0.0).astype(np.int64) - 1, -1))
            if several.any():
                part = part + _select(_dense_rows([stacked], 1, self.n), np.where(several, 0, -1))
            outs[j] = part
        return outs

    @staticmethod
    def _impl(eqn, args: list) -> list:
        out = eqn.prim.impl(np, *args, **eqn.params)
        return list(out) if eqn.prim.multiple_results else [out]

    @staticmethod
    def _reduce(dep, shape: tuple, axes) -> sps.csr_matrix:
        axes = {a % len(shape) for a in axes}
        kept = tuple(1 if i in axes else s for i, s in enumerate(shape))
        groups = np.broadcast_to(np.arange(int(np.prod(kept, dtype=np.int64))).reshape(kept), shape).ravel()
        return _gather_rows(dep, groups, int(np.prod(kept, dtype=np.int64)))

    @staticmethod
    def _cumulative(dep, shape: tuple, *, axis, reverse, **_) -> sps.csr_matrix:
        length = shape[axis]
        pre = int(np.prod(shape[:axis], dtype=np.int64))
        post = int(np.prod(shape[axis + 1:], dtype=np.int64))
        tri = np.triu(np.ones((length, length), bool)) if reverse else np.tril(np.ones((length, length), bool))
        step = sps.kron(sps.identity(pre, dtype=bool), sps.kron(sps.csr_matrix(tri), sps.identity(post, dtype=bool)))
        return sps.csr_matrix(step, dtype=bool) @ dep

    def _contract(self, eqn, deps: list, vals: list) -> sps.csr_matrix | None:
        """dot_general: out[b, i, j] reads lhs[b, i, :] and rhs[b, :, j]; where the other operand
        is a known constant, only the contraction indices where it is nonzero."""
        (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
        lhs, rhs = (a.aval.shape for a in eqn.invars)
        lf = [d for d in range(len(lhs)) if d not in lc and d not in lb]
        rf = [d for d in range(len(rhs)) if d not in rc and d not in rb]
        size = lambda shape, dims: int(np.prod([shape[d] for d in dims], dtype=np.int64))  # noqa: E731
        nb, m, k, nn = size(lhs, lb), size(lhs, lf), size(lhs, lc), size(rhs, rf)
        lperm, rperm = list(lb) + lf + list(lc), list(rb) + list(rc) + rf
        parts = []
        if deps[0] is not None:   # canonical lhs rows (b, i, k)
            d = _select(deps[0], np.arange(deps[0].shape[0]).reshape(lhs).transpose(lperm).ravel())
            if vals[1] is not None:
                nz = (np.transpose(vals[1], rperm).reshape(nb, k, nn) != 0)
                step = sps.block_diag([sps.kron(sps.identity(m, dtype=bool), sps.csr_matrix(nz[b].T))
                                       for b in range(nb)], format="csr")
                parts.append(sps.csr_matrix(step, dtype=bool) @ d)
            else:
                rows = _gather_rows(d, np.repeat(np.arange(nb * m), k), nb * m)
                parts.append(_select(rows, np.repeat(np.arange(nb * m), nn)))
        if deps[1] is not None:   # canonical rhs rows (b, k, j)
            d = _select(deps[1], np.arange(deps[1].shape[0]).reshape(rhs).transpose(rperm).ravel())
            if vals[0] is not None:
                nz = (np.transpose(vals[0], lperm).reshape(nb, m, k) != 0)
                step = sps.block_diag([sps.kron(sps.csr_matrix(nz[b]), sps.identity(nn, dtype=bool))
                                       for b in range(nb)], format="csr")
                parts.append(sps.csr_matrix(step, dtype=bool) @ d)
            else:
                groups = (np.arange(nb)[:, None, None] * nn + np.arange(nn)[None, None, :]) + 0 * np.arange(k)[None, :, None]
                rows = _gather_rows(d, groups.ravel(), nb * nn)
                out = (np.arange(nb)[:, None, None] * nn + np.arange(nn)[None, None, :]) + 0 * np.arange(m)[None, :, None]
                parts.append(_select(rows, out.ravel()))
        return _union(parts)

    def _conv(self, eqn, deps: list, vals: list) -> sps.csr_matrix | None:
        """conv_general_dilated, probed one class of an operand's elements at a time: elements
        of one input feature (lhs) whose positions agree modulo the dilated kernel extent
        never share an output element, nor do kernel elements of one input feature and tap
        (rhs). Applying impl to the class's element ids (zero elsewhere) and the other
        operand's nonzero mask (ones if unknown) gives each output the id of the one element
        of the class it reads, or zero. None (the conservative rule): too many classes."""
        p = eqn.params
        if p["batch_group_count"] != 1:
            return None
        lspec, rspec = p["dimension_numbers"][0], p["dimension_numbers"][1]
        lhs, rhs = (a.aval.shape for a in eqn.invars)
        taps = [rhs[d] for d in rspec[2:]]
        extent = [(k - 1) * r + 1 for k, r in zip(taps, p["rhs_dilation"])]
        plans = ((lhs, lspec[1], lspec[2:], extent), (rhs, rspec[1], rspec[2:], taps))
        masks = [np.ones(lhs) if vals[0] is None else (vals[0] != 0).astype(np.float64),
                 np.ones(rhs) if vals[1] is None else (vals[1] != 0).astype(np.float64)]
        parts = []
        for k, (shape, feature, spatial, period) in enumerate(plans):
            if deps[k] is None:
                continue
            index = np.indices(shape)
            key = index[feature]
            for axis, m in zip(spatial, period):
                key = key * m + index[axis] % m
            classes = shape[feature] * int(np.prod(period, dtype=np.int64))
            if classes > _CONV_CLASSES or key.size >= 1 << 52:
                return None
            ids = np.arange(1, key.size + 1, dtype=np.float64).reshape(shape)
            for c in range(classes):
                args = list(masks)
                args[k] = np.where(key == c, ids, 0.0)
                out = np.asarray(eqn.prim.impl(np, *args, **p)).ravel()
                hit = out != 0
                if np.any(out[hit] != np.round(out[hit])) or np.any((out[hit] < 1) | (out[hit] > key.size)):
                    return None
                rows = np.flatnonzero(hit)
                parts.append(_select(deps[k], np.where(hit, out.astype(np.int64) - 1, -1)) if rows.size else None)
        return _union(parts)

    def _window(self, eqn, deps: list) -> sps.csr_matrix | None:
        """Window operations: A[o, q] = 1 when operand element q lies in window o (index
        arithmetic over the window offsets); "window": A @ D for every operand, "window_scatter":
        Aᵀ @ D for the windows-shaped source and Aᵀ @ A @ D for the operand (its selection)."""
        p = eqn.params
        operand = eqn.invars[-1].aval.shape
        scatter = eqn.prim.sparsity == "window_scatter"
        windows = eqn.invars[0].aval.shape if scatter else eqn.outvars[0].aval.shape
        at = np.indices(windows).reshape(len(windows), -1)
        rows, cols = [], []
        for offset in np.ndindex(*p["window_dimensions"]):
            lo = np.array([w * d - pad[0] for w, d, pad in zip(offset, p["window_dilation"], p["padding"])])
            q = at * np.array(p["window_strides"])[:, None] + lo[:, None]
            base = np.array(p["base_dilation"])[:, None]
            ok = np.all((q >= 0) & (q % base == 0) & (q // base < np.array(operand)[:, None]), axis=0)
            rows.append(np.flatnonzero(ok))
            cols.append(np.ravel_multi_index(tuple(q[:, ok] // base), operand))
        rows, cols = np.concatenate(rows), np.concatenate(cols)
        a = sps.csr_matrix((np.ones(rows.size, bool), (rows, cols)), shape=(int(np.prod(windows)), int(np.prod(operand))))
        if not scatter:
            return _union([a @ d for d in deps if d is not None])
        at_ = a.T.tocsr()
        return _union([None if deps[0] is None else at_ @ deps[0],
                       None if deps[-1] is None else at_ @ (a @ deps[-1])])

    # ------------------------------------------------------------------ control flow

    def _body(self, closed: ClosedJaxpr, deps: list, vals: list) -> tuple[list, list]:
        return self.run(closed.jaxpr, [_concrete(c) for c in closed.consts], deps, vals)

    def _cond(self, eqn, deps: list, vals: list) -> list:
        branches = eqn.params["branches"]
        if vals[0] is not None:   # a constant index: only that branch runs
            branches = [branches[int(np.clip(vals[0], 0, len(branches) - 1))]]
        return [_union(list(outs)) for outs in zip(*[self._body(b, deps[1:], vals[1:])[0] for b in branches])]

    def _scan(self, eqn, deps: list, vals: list) -> list:
        p = eqn.params
        body, nc, ncarry, length = p["jaxpr"], p["num_consts"], p["num_carry"], p["length"]
        consts_d, carry_d, xs_d = deps[:nc], deps[nc:nc + ncarry], deps[nc + ncarry:]
        consts_v, carry_v, xs_v = vals[:nc], vals[nc:nc + ncarry], vals[nc + ncarry:]
        xs_avals = [a.aval for a in eqn.invars[nc + ncarry:]]
        y_avals = [v.aval for v in eqn.outvars[ncarry:]]
        if length * max(len(body.jaxpr.eqns), 1) <= _UNROLL_LIMIT:
            ys = [[None] * length for _ in y_avals]
            for t in (reversed(range(length)) if p["reverse"] else range(length)):
                x_d = [None if d is None else d[t * (a.size // length):(t + 1) * (a.size // length)]
                       for d, a in zip(xs_d, xs_avals)]
                x_v = [None if x is None else x[t] for x in xs_v]
                outs, out_v = self._body(body, consts_d + carry_d + x_d, consts_v + carry_v + x_v)
                carry_d, carry_v = outs[:ncarry], out_v[:ncarry]
                for i, y in enumerate(outs[ncarry:]):
                    ys[i][t] = y
            stacked = [None if all(y is None for y in col) else
                       sps.vstack([_empty(a.size // length, self.n) if y is None else y for y in col], format="csr")
                       for col, a in zip(ys, y_avals)]
            return carry_d + stacked
        x_d = [None if d is None else _gather_rows(d, np.tile(np.arange(a.size // length), length), a.size // length)
               for d, a in zip(xs_d, xs_avals)]
        step = lambda c: self._body(body, consts_d + c + x_d, [None] * len(deps))[0]  # noqa: E731
        carry_d, outs = self._fixpoint(carry_d, step, deps, eqn)
        return carry_d + [None if y is None else _select(y, np.tile(np.arange(y.shape[0]), length))
                          for y in outs[ncarry:]]

    def _while(self, eqn, deps: list, vals: list) -> list:
        """While the predicate is a known constant (a counter from a literal start), the loop is
        run step by step, exactly; from the first unknown predicate on, a fixpoint."""
        p = eqn.params
        nc, nb = p["cond_nconsts"], p["body_nconsts"]
        cond_v, body_d, body_v = vals[:nc], deps[nc:nc + nb], vals[nc:nc + nb]
        carry_d, carry_v = deps[nc + nb:], vals[nc + nb:]
        budget = _UNROLL_LIMIT // max(len(p["body_jaxpr"].jaxpr.eqns), 1)
        for _ in range(budget):
            pred = self._body(p["cond_jaxpr"], [None] * (nc + len(carry_d)), cond_v + carry_v)[1][0]
            if pred is None:
                break
            if not bool(pred):
                return carry_d
            carry_d, carry_v = self._body(p["body_jaxpr"], body_d + carry_d, body_v + carry_v)
        step = lambda c: self._body(p["body_jaxpr"], body_d + c, [None] * (nb + len(c)))[0]  # noqa: E731
        return self._fixpoint(carry_d, step, deps, eqn)[0]

    def _fixpoint(self, carry: list, step, reads: list, eqn) -> tuple[list, list]:
        """Carries after any number of steps: the union of the iterates (monotone, so it ends;
        after too many steps, every carry element reads everything the loop reads)."""
        carry = list(carry)
        for _ in range(_FIXPOINT_STEPS):
            outs = step(carry)
            new = [_union([c, o]) for c, o in zip(carry, outs[:len(carry)])]
            if all(_nnz(c) == _nnz(m) for c, m in zip(carry, new)):
                return carry, outs
            carry = new
        carry = [_dense_rows(reads, v.aval.size, self.n) for v in eqn.outvars[:len(carry)]]
        return carry, step(carry)


def _nnz(dep) -> int:
    return 0 if dep is None else dep.nnz
