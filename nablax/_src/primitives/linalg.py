"""Linear-algebra primitives: dot_general (and the lax wrappers dot, batch_matmul).

dot_general contracts `lhs_contract` axes of lhs with `rhs_contract` axes of rhs, pairs
`lhs_batch` with `rhs_batch`, and lays the output out as (batch dims, lhs free dims,
rhs free dims), free dims in their operand order. It is bilinear: its JVP is the sum
of two dot_generals, and its transpose contracts the cotangent with the other operand.
"""
from __future__ import annotations

import numpy as np

from .. import ad_util, dtypes
from ..array import wrap
from ..avals import ShapedArray, Zero
from ..core import eager_args
from . import shape, taylor, templates
from ._define import aval_of, define_primitive
from .misc import convert_element_type

# ------------------------------------------------------------------------ dimension plumbing


def _free_axes(ndim: int, contract, batch) -> list:
    used = set(contract) | set(batch)
    return [i for i in range(ndim) if i not in used]


def _prod(xs) -> int:
    n = 1
    for x in xs:
        n *= x
    return n


def _argsort(xs) -> tuple:
    return tuple(sorted(range(len(xs)), key=xs.__getitem__))


# --------------------------------------------------------------------------- dot_general

_PLANS: dict = {}


def _make_plan(dimension_numbers, lshape: tuple, rshape: tuple) -> tuple:
    """How to compute one dot_general with a single matmul: (lhs perm, lhs matrix shape, rhs perm,
    rhs matrix shape, output shape), each None when that step is not needed. Cached per shapes."""
    (lc, rc), (lb, rb) = dimension_numbers
    lf = _free_axes(len(lshape), lc, lb)
    rf = _free_axes(len(rshape), rc, rb)
    batch_shape = tuple(lshape[i] for i in lb)
    lf_shape = tuple(lshape[i] for i in lf)
    rf_shape = tuple(rshape[i] for i in rf)
    out_shape = batch_shape + lf_shape + rf_shape
    k = _prod(lshape[i] for i in lc)
    m, n = _prod(lf_shape), _prod(rf_shape)
    # Bring lhs to (batch, free, contract) and rhs to (batch, contract, free), then one matmul.
    lperm = tuple(lb) + tuple(lf) + tuple(lc)
    rperm = tuple(rb) + tuple(rc) + tuple(rf)
    if lb:
        b = _prod(batch_shape)
        lmat, rmat, mm_shape = (b, m, k), (b, k, n), (b, m, n)
    else:  # operands without free axes stay vectors, so matmul returns the right rank directly
        lmat = (m, k) if lf else (k,)
        rmat = (k, n) if rf else (k,)
        mm_shape = ((m,) if lf else ()) + ((n,) if rf else ())
    ident_l, ident_r = tuple(range(len(lshape))), tuple(range(len(rshape)))
    return (
        None if lperm == ident_l else lperm,
        None if lmat == tuple(lshape[i] for i in lperm) else lmat,
        None if rperm == ident_r else rperm,
        None if rmat == tuple(rshape[i] for i in rperm) else rmat,
        None if mm_shape == out_shape else out_shape,
    )


def _plan(dimension_numbers, lshape: tuple, rshape: tuple) -> tuple:
    key = (dimension_numbers, lshape, rshape)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 4096:
            _PLANS.clear()
        plan = _PLANS[key] = _make_plan(dimension_numbers, lshape, rshape)
    return plan


def _outer_product(xp, lhs, rhs):
    """matmul's result for a contraction of size 1 (no contracting axes), as a broadcast
    multiply: BLAS would add each product to +0.0 and lose the sign of -0.0 * 0.0 (XLA keeps it)."""
    if lhs.ndim == 1:
        lhs, rhs = xp.reshape(lhs, ()), (rhs[..., 0, :] if rhs.ndim >= 2 else xp.reshape(rhs, ()))
    elif rhs.ndim == 1:
        lhs, rhs = lhs[..., 0], xp.reshape(rhs, ())
    return xp.multiply(lhs, rhs)


def _dot_general_impl(xp, lhs, rhs, *, dimension_numbers, preferred_element_type):
    if preferred_element_type is not None:
        if lhs.dtype != preferred_element_type:
            lhs = lhs.astype(preferred_element_type)
        if rhs.dtype != preferred_element_type:
            rhs = rhs.astype(preferred_element_type)
    lperm, lmat, rperm, rmat, out_shape = _plan(dimension_numbers, np.shape(lhs), np.shape(rhs))
    if lperm is not None:
        lhs = xp.transpose(lhs, lperm)
    if lmat is not None:
        lhs = xp.reshape(lhs, lmat)
    if rperm is not None:
        rhs = xp.transpose(rhs, rperm)
    if rmat is not None:
        rhs = xp.reshape(rhs, rmat)
    out = _outer_product(xp, lhs, rhs) if not dimension_numbers[0][0] else xp.matmul(lhs, rhs)
    if out.dtype != lhs.dtype:  # (ml_dtypes' bfloat16 matmul accumulates and returns float32)
        out = out.astype(lhs.dtype)
    if out_shape is not None:
        return xp.reshape(out, out_shape)
    return out if type(out) is np.ndarray else xp.asarray(out)


def _check_axes(what: str, axes, ndim: int, shape) -> None:
    for a in axes:
        if not 0 <= a < ndim:
            raise ValueError(f"lax.dot_general: {what} axis {a} is out of bounds for an operand of shape {shape}")
    if len(set(axes)) != len(axes):
        raise ValueError(f"lax.dot_general: {what} axes {tuple(axes)} repeat an axis")


_AVALS: dict = {}


def _dot_general_abstract(lhs: ShapedArray, rhs: ShapedArray, *, dimension_numbers,
                          preferred_element_type) -> ShapedArray:
    """The output aval, from a cache keyed by what decides it: the checks below cost ~20 Python
    calls per staged dot_general (every tangent contraction under grad), a lookup none."""
    key = (lhs.shape, lhs.dtype, lhs.weak_type, rhs.shape, rhs.dtype, rhs.weak_type, dimension_numbers,
           preferred_element_type)
    try:
        out = _AVALS.get(key)
    except TypeError:  # unhashable parameters (lists): no cache
        return _dot_general_aval(lhs, rhs, dimension_numbers, preferred_element_type)
    if out is None:
        if len(_AVALS) > 4096:
            _AVALS.clear()
        out = _AVALS[key] = _dot_general_aval(lhs, rhs, dimension_numbers, preferred_element_type)
    return out


def _dot_general_aval(lhs: ShapedArray, rhs: ShapedArray, dimension_numbers, preferred_element_type) -> ShapedArray:
    (lc, rc), (lb, rb) = dimension_numbers
    shown = f"(lhs shape {lhs.shape}, rhs shape {rhs.shape}, dimension_numbers {dimension_numbers})"
    if len(lc) != len(rc):
        raise TypeError(f"lax.dot_general: lhs and rhs need the same number of contracting axes {shown}")
    if len(lb) != len(rb):
        raise TypeError(f"lax.dot_general: lhs and rhs need the same number of batch axes {shown}")
    _check_axes("lhs contracting", lc, lhs.ndim, lhs.shape)
    _check_axes("rhs contracting", rc, rhs.ndim, rhs.shape)
    _check_axes("lhs batch", lb, lhs.ndim, lhs.shape)
    _check_axes("rhs batch", rb, rhs.ndim, rhs.shape)
    if set(lc) & set(lb) or set(rc) & set(rb):
        raise ValueError(f"lax.dot_general: an axis cannot be both contracting and batch {shown}")
    for a, b in zip(lc, rc):
        if lhs.shape[a] != rhs.shape[b]:
            raise TypeError(
                f"lax.dot_general: contracting axes have different sizes: lhs axis {a} has size "
                f"{lhs.shape[a]}, rhs axis {b} has size {rhs.shape[b]} {shown}")
    for a, b in zip(lb, rb):
        if lhs.shape[a] != rhs.shape[b]:
            raise TypeError(
                f"lax.dot_general: batch axes have different sizes: lhs axis {a} has size "
                f"{lhs.shape[a]}, rhs axis {b} has size {rhs.shape[b]} {shown}")
    if preferred_element_type is None:
        if lhs.dtype != rhs.dtype:
            raise TypeError(
                f"lax.dot_general requires operands of the same dtype, got {lhs.dtype.name} and "
                f"{rhs.dtype.name} (pass preferred_element_type, or use nablax.numpy, which promotes)")
        dtype, weak = lhs.dtype, lhs.weak_type and rhs.weak_type
    else:
        dtype, weak = preferred_element_type, False
    if not (lhs.dtype.kind in "biufc" or lhs.dtype == dtypes.bfloat16) or not (
            rhs.dtype.kind in "biufc" or rhs.dtype == dtypes.bfloat16):
        raise TypeError(f"lax.dot_general does not accept dtypes {lhs.dtype.name}, {rhs.dtype.name}")
    lf = _free_axes(lhs.ndim, lc, lb)
    rf = _free_axes(rhs.ndim, rc, rb)
    shape = tuple(lhs.shape[i] for i in lb) + tuple(lhs.shape[i] for i in lf) + tuple(rhs.shape[i] for i in rf)
    return ShapedArray(shape, dtype, weak)


def _dot_general_eager(lhs, rhs, *, dimension_numbers, preferred_element_type):
    (lhs, rhs), (lv, rv) = eager_args((lhs, rhs))
    key = (dimension_numbers, lv.shape, rv.shape)
    if key not in _PLANS or (preferred_element_type is None and lv.dtype != rv.dtype):
        # First use of these shapes (or mixed dtypes): abstract_eval raises the explanatory error.
        _dot_general_abstract(lhs.aval, rhs.aval, dimension_numbers=dimension_numbers,
                              preferred_element_type=preferred_element_type)
    out = _dot_general_impl(np, lv, rv, dimension_numbers=dimension_numbers,
                            preferred_element_type=preferred_element_type)
    return wrap(out, preferred_element_type is None and lhs._weak and rhs._weak)


def _dot_general_jvp(primals, tangents, *, dimension_numbers, preferred_element_type):
    lhs, rhs = primals
    tl, tr = tangents
    params = dict(dimension_numbers=dimension_numbers, preferred_element_type=preferred_element_type)
    out = dot_general_p.bind(lhs, rhs, **params)
    total = Zero(aval_of(out).to_tangent_aval())
    if type(tl) is not Zero:
        total = ad_util.add_tangents(total, dot_general_p.bind(tl, rhs, **params))
    if type(tr) is not Zero:
        total = ad_util.add_tangents(total, dot_general_p.bind(lhs, tr, **params))
    return out, total


def _dot_general_transpose(ct, lhs, rhs, *, dimension_numbers, preferred_element_type):
    if type(ct) is Zero:
        return [None, None]
    (lc, rc), (lb, rb) = dimension_numbers
    nb = len(lb)
    if ad_util.is_undefined(lhs):
        aval = lhs.aval
        rnd = len(templates.shape_of(rhs))
        lf = _free_axes(aval.ndim, lc, lb)
        rf = _free_axes(rnd, rc, rb)
        ct_free_r = tuple(range(nb + len(lf), nb + len(lf) + len(rf)))
        dims = ((ct_free_r, tuple(rf)), (tuple(range(nb)), tuple(rb)))
        # result axes: batch, lhs free (from ct), rhs contracting axes in rhs order
        order = sorted(range(len(rc)), key=rc.__getitem__)
        src = list(lb) + lf + [lc[i] for i in order]
        res = _dot_for_transpose(ct, rhs, dims, aval)
        return [_to_layout(res, src), None]
    aval = rhs.aval
    lnd = len(templates.shape_of(lhs))
    lf = _free_axes(lnd, lc, lb)
    rf = _free_axes(aval.ndim, rc, rb)
    ct_free_l = tuple(range(nb, nb + len(lf)))
    dims = ((tuple(lf), ct_free_l), (tuple(lb), tuple(range(nb))))
    # result axes: batch, lhs contracting axes in lhs order (their rhs partners), rhs free
    order = sorted(range(len(lc)), key=lc.__getitem__)
    src = list(rb) + [rc[i] for i in order] + rf
    res = _dot_for_transpose(lhs, ct, dims, aval)
    return [None, _to_layout(res, src)]


def _dot_for_transpose(a, b, dims, target: ShapedArray):
    da, db = aval_of(a).dtype, aval_of(b).dtype
    pref = None if da == db == target.dtype else target.dtype
    return dot_general_p.bind(a, b, dimension_numbers=dims, preferred_element_type=pref)


def _to_layout(res, src):
    """Transpose `res`, whose axis j is operand axis src[j], into the operand's axis order."""
    perm = _argsort(src)
    return res if perm == tuple(range(len(perm))) else shape.transpose(res, perm)


def _shift(axes, d):
    return tuple(a + (a >= d) for a in axes)


def _dot_general_batch(args, dims, *, dimension_numbers, preferred_element_type):
    lhs, rhs = args
    dl, dr = dims
    (lc, rc), (lb, rb) = dimension_numbers
    if dl is not None and dr is not None:
        new = ((_shift(lc, dl), _shift(rc, dr)), ((dl,) + _shift(lb, dl), (dr,) + _shift(rb, dr)))
        return dot_general_p.bind(lhs, rhs, dimension_numbers=new,
                                  preferred_element_type=preferred_element_type), 0
    if dl is not None:
        # The batch axis of lhs becomes one of its free axes.
        lc2, lb2 = _shift(lc, dl), _shift(lb, dl)
        new = ((lc2, rc), (lb2, rb))
        lf = _free_axes(len(templates.shape_of(lhs)), lc2, lb2)
        out_dim = len(lb) + lf.index(dl)
    else:
        rc2, rb2 = _shift(rc, dr), _shift(rb, dr)
        new = ((lc, rc2), (lb, rb2))
        lnd = len(templates.shape_of(lhs))
        rf = _free_axes(len(templates.shape_of(rhs)), rc2, rb2)
        out_dim = len(lb) + (lnd - len(lc) - len(lb)) + rf.index(dr)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=new,
                              preferred_element_type=preferred_element_type), out_dim


def _to_matrix(x: str, shape: tuple, perm, mat) -> str:
    """Source of `x` permuted by `perm` and reshaped to `mat` (either may be None). A rotation
    of the axes merged into two is a transposed reshape, `x.reshape((B, A)).T`: a view for
    BLAS to read transposed, where transpose-then-reshape copies the whole operand."""
    if perm is not None and mat is not None and len(mat) == 2:
        j = perm[0]
        if perm == tuple(range(j, len(shape))) + tuple(range(j)) \
                and tuple(mat) == (_prod(shape[j:]), _prod(shape[:j])):
            return f"{x}.reshape(({mat[1]}, {mat[0]})).T"
    if perm is not None:
        x = f"{x}.transpose({perm!r})"
    if mat is not None:
        x = f"{x}.reshape({tuple(mat)!r})"
    return x


_NARROW, _TALL = 4, 4096  # an outer product this narrow and this tall is written column-major


def _dot_general_emit(args, params, src, avals):
    """The impl's transpose/reshape/matmul plan, resolved at compile time for these shapes."""
    if params["preferred_element_type"] is not None or avals[0].dtype == dtypes.bfloat16:
        return None
    lhs, rhs = args
    (lc, rc), (lb, rb) = params["dimension_numbers"]
    lshape, rshape = tuple(avals[0].shape), tuple(avals[1].shape)
    nb = len(lb)
    if not lc and not rc and tuple(lb) == tuple(rb) == tuple(range(nb)):
        # No contraction: an outer product per batch entry is a broadcasting multiply.
        nlf, nrf = len(lshape) - nb, len(rshape) - nb
        left = lhs if nrf == 0 else f"{lhs}.reshape({lshape + (1,) * nrf!r})"
        right = rhs if nlf == 0 else f"{rhs}.reshape({rshape[:nb] + (1,) * nlf + rshape[nb:]!r})"
        out_shape = lshape + rshape[nb:]
        if len(out_shape) == 2 and out_shape[1] <= _NARROW and out_shape[0] >= _TALL:
            # A tall, narrow result (per-example gradients of a few parameters): NumPy would
            # run its inner loop over the few columns; column-major output runs it down the
            # rows instead, 2x faster at 65536x3 (the same products, so the same values).
            return f"xp.multiply({left}, {right}, order='F')"
        return f"({left} * {right})"
    lperm, lmat, rperm, rmat, out_shape = _plan(params["dimension_numbers"], avals[0].shape, avals[1].shape)
    # Array methods, not xp.transpose/xp.reshape: NumPy's function forms cost 0.3-1 µs more a call.
    lhs, rhs = _to_matrix(lhs, lshape, lperm, lmat), _to_matrix(rhs, rshape, rperm, rmat)
    # Without batch axes both operands are now matrices or vectors: ndarray.dot is the same
    # BLAS call as matmul (bit-identical) with ~0.5 µs less dispatch overhead.
    out = f"{lhs}.dot({rhs})" if not lb and avals[0].dtype.kind == "f" else f"xp.matmul({lhs}, {rhs})"
    if out_shape is not None:
        out = f"{out}.reshape({tuple(out_shape)!r})"
    return out


dot_general_p = define_primitive(
    "dot_general",
    emit=_dot_general_emit,
    fresh_result=True,  # xp.matmul allocates its result
    costly=True,  # a product of two constants (A @ A.T in a Hessian) is folded at compile time
    impl=_dot_general_impl,
    abstract_eval=_dot_general_abstract,
    jvp=_dot_general_jvp,
    batch=_dot_general_batch,
    linear=True,
    transpose=_dot_general_transpose,
    eager=_dot_general_eager,
    sparsity="contract",
    jet=taylor.bilinear(lambda x, y, **params: dot_general_p.bind(x, y, **params)),
)


def _normalize_dimension_numbers(dimension_numbers, lnd: int, rnd: int) -> tuple:
    try:
        (lc, rc), (lb, rb) = dimension_numbers
    except (TypeError, ValueError):
        raise TypeError(
            "lax.dot_general: dimension_numbers must be ((lhs_contracting, rhs_contracting), "
            f"(lhs_batch, rhs_batch)), got {dimension_numbers!r}") from None

    def norm(axes, nd):
        if isinstance(axes, (int, np.integer)):
            axes = (axes,)
        return tuple(int(a) + nd if int(a) < 0 else int(a) for a in axes)

    return (norm(lc, lnd), norm(rc, rnd)), (norm(lb, lnd), norm(rb, rnd))


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """lax.dot_general: contract and batch the given axes; output is (batch, lhs free, rhs free).

    `precision` is accepted for compatibility and ignored (NumPy computes at full precision).
    """
    dims = _normalize_dimension_numbers(dimension_numbers, templates.ndim_of(lhs), templates.ndim_of(rhs))
    pref = None if preferred_element_type is None else dtypes.canonicalize_dtype(preferred_element_type)
    if pref is None:
        la, ra = aval_of(lhs), aval_of(rhs)
        if la.dtype != ra.dtype:  # as in JAX: operands of different dtypes give their promoted dtype
            dt = dtypes.result_type(la.dtype, ra.dtype)
            lhs = convert_element_type(lhs, dt, la.weak_type)
            rhs = convert_element_type(rhs, dt, ra.weak_type)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=dims, preferred_element_type=pref)


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    """lax.dot: vector·vector, matrix·vector, matrix·matrix (lhs's last axis with rhs's first)."""
    lnd, rnd = templates.ndim_of(lhs), templates.ndim_of(rhs)
    lshape, rshape = templates.shape_of(lhs), templates.shape_of(rhs)
    if not (1 <= lnd <= 2 and 1 <= rnd <= 2) or lshape[-1] != rshape[0]:  # a ValueError, as in JAX
        raise ValueError(
            f"lax.dot needs operands of rank 1 or 2 whose inner sizes agree, got shapes {lshape} and "
            f"{rshape}; use lax.dot_general for other contractions")
    return dot_general(lhs, rhs, (((lnd - 1,), (0,)), ((), ())), precision, preferred_element_type)


def batch_matmul(lhs, rhs, precision=None, preferred_element_type=None):
    """lax.batch_matmul: matmul over the last two axes, all leading axes are batch axes."""
    lshape, rshape = templates.shape_of(lhs), templates.shape_of(rhs)
    if len(lshape) < 2 or len(lshape) != len(rshape) or lshape[:-2] != rshape[:-2]:
        raise TypeError(
            f"lax.batch_matmul needs operands of equal rank >= 2 with equal batch dims, got shapes "
            f"{lshape} and {rshape}")
    nd = len(lshape)
    batch = tuple(range(nd - 2))
    return dot_general(lhs, rhs, (((nd - 1,), (nd - 2,)), (batch, batch)), precision, preferred_element_type)


__all__ = ["dot_general", "dot", "batch_matmul"]
