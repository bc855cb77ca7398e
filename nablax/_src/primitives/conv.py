"""Convolution: the conv_general_dilated primitive and the lax convolution wrappers.

The impl dilates and pads lhs once, takes a strided view of every window (im2col without a
Python loop) and contracts it with the kernel in one BLAS matmul. `_plan` picks one of three
kernels from the static shapes: im2col with channels innermost (the only one for feature or
batch groups: a batched matmul), im2col with the spatial axes innermost (few channels, wide
images), or `taps`, the kernel first and then one shifted add per tap (when O is well under
C: an input gradient, which is a transposed convolution). The primitive is bilinear: its
JVP is two convolutions, and each operand's transpose is again a conv_general_dilated (the
kernel flipped, for lhs; lhs against the cotangent, for rhs), so derivatives of any order
are convolutions too.
"""
from __future__ import annotations

import functools
import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import ad_util, dtypes, ops
from ..array import wrap
from ..avals import ShapedArray, Zero
from ..core import eager_args
from . import shape
from ._define import aval_of, define_primitive
from .conv_util import (
    ConvDimensionNumbers,
    check_spec,
    conv_dimension_numbers,
    conv_general_permutations,
    conv_general_shape_tuple,
    conv_shape_tuple,
    conv_transpose_padding,
    conv_transpose_shape_tuple,
    int_tuple,
    normalize_padding,
    out_spatial,
)
from .window_util import dilate_dim

# ----------------------------------------------------------------------------- the kernel


def _dilate_pad(x: np.ndarray, pads, dilation, first: int = 1) -> np.ndarray:
    """x with `dilation - 1` zeros between elements and (lo, hi) padding (negative: cropping)
    on its spatial axes, which start at axis `first`; x itself when nothing changes."""
    if all(d == 1 for d in dilation) and all(lo == hi == 0 for lo, hi in pads):
        return x
    nsp = len(pads)
    sizes, src, dst = [], [], []
    for n, (lo, hi), d in zip(x.shape[first:first + nsp], pads, dilation):
        size = max(0, dilate_dim(n, d) + lo + hi)
        first_kept = max(0, -(lo // d))  # the first element not cropped away: ceil(-lo / d)
        last = max(first_kept, min(n, (size - 1 - lo) // d + 1))  # one past the last element kept
        start = lo + first_kept * d
        sizes.append(size)
        src.append(slice(first_kept, last))
        dst.append(slice(start, start + (last - first_kept - 1) * d + 1, d) if last > first_kept else slice(0, 0))
    lead, tail = (slice(None),) * first, (slice(None),) * (x.ndim - first - nsp)
    out = np.zeros((*x.shape[:first], *sizes, *x.shape[first + nsp:]), x.dtype)
    out[(*lead, *dst, *tail)] = x[(*lead, *src, *tail)]
    return out


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    """Half-precision floats accumulate in float32 (NumPy's float16 matmul is slow and inexact)."""
    return np.dtype(np.float32) if dtype in (np.float16, dtypes.bfloat16) else dtype


def _windows(x: np.ndarray, first: int, ksz, strides, rhs_dilation) -> np.ndarray:
    """The read-only view (x's axes before `first`, out spatial..., kernel spatial..., the rest)
    of every window of x, whose spatial axes start at axis `first` (im2col without a copy)."""
    nsp = len(ksz)
    sp, st = x.strides[first:first + nsp], x.strides
    osz = out_spatial(x.shape[first:first + nsp], ksz, strides, [(0, 0)] * nsp, [1] * nsp, rhs_dilation)
    return as_strided(x, (*x.shape[:first], *osz, *ksz, *x.shape[first + nsp:]),
                      (*st[:first], *(s * t for s, t in zip(sp, strides)), *(s * r for s, r in zip(sp, rhs_dilation)),
                       *st[first + nsp:]), writeable=False)


def _channels_last(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                   feature_group_count, batch_group_count):
    """im2col with channels innermost: windows (N, out..., kernel..., C) against the kernel as
    (kernel..., I, O), one matmul (batched over feature or batch groups). Its copy reads runs
    of kw * C contiguous elements, the best layout when C is large."""
    ls, rs, os_ = dimension_numbers
    nsp = len(ls) - 2
    x = _dilate_pad(np.transpose(lhs, (ls[0], *ls[2:], ls[1])), padding, lhs_dilation)
    w = np.transpose(rhs, (*rs[2:], rs[1], rs[0]))
    ksz = w.shape[:nsp]
    view = _windows(x, 1, ksz, window_strides, rhs_dilation)
    n, osz, c, o = x.shape[0], view.shape[1:1 + nsp], x.shape[-1], w.shape[-1]
    p, k = math.prod(osz), math.prod(ksz)
    g, b = feature_group_count, batch_group_count
    if g == 1 and b == 1:
        out = np.matmul(view.reshape(n * p, k * c), w.reshape(k * c, o)).reshape(n, *osz, o)
    elif g > 1:  # lhs channels (g, c/g) meet the kernel's out features (g, o/g)
        cols = view.reshape(n * p, k, g, c // g).transpose(2, 0, 1, 3).reshape(g, n * p, k * (c // g))
        wg = w.reshape(k, c // g, g, o // g).transpose(2, 0, 1, 3).reshape(g, k * (c // g), o // g)
        out = np.matmul(cols, wg).transpose(1, 0, 2).reshape(n, *osz, o)
    else:  # lhs batch (b, n/b) meets the kernel's out features (b, o/b)
        cols = view.reshape(b, (n // b) * p, k * c)
        wb = w.reshape(k * c, b, o // b).transpose(1, 0, 2)
        out = np.matmul(cols, wb).transpose(1, 0, 2).reshape(n // b, *osz, o)
    return out, (os_[0], *os_[2:], os_[1])


def _free_order(a: np.ndarray, spec) -> str:
    """'ck' when `a` (axes (O, I, kernel...) at `spec`) holds I before its kernel axes in memory
    (so (I, kernel...) reshapes to one axis without a copy), else 'kc'."""
    o, i, *k = spec
    ck = np.transpose(a, (i, *k, o))
    return "ck" if ck.flags.c_contiguous or np.transpose(a, (o, i, *k)).flags.c_contiguous else "kc"


def _planar(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
            feature_group_count, batch_group_count):
    """im2col with the spatial axes innermost: the copy reads runs along the last spatial axis
    (of the output window positions, or of the kernel when the kernel holds I before its
    spatial axes), the better layout when channels are few and images wide. The contraction
    follows the kernel's memory order, so a large kernel (a filter gradient's cotangent) is
    reshaped without a copy."""
    ls, rs, os_ = dimension_numbers
    nsp = len(ls) - 2
    x = _dilate_pad(np.transpose(lhs, ls), padding, lhs_dilation, first=2)  # (N, C, spatial...)
    ksz = tuple(rhs.shape[d] for d in rs[2:])
    view = _windows(x, 2, ksz, window_strides, rhs_dilation)  # (N, C, out..., kernel...)
    n, osz, o = x.shape[0], view.shape[2:2 + nsp], rhs.shape[rs[0]]
    ct = x.shape[1] * math.prod(ksz)  # the contraction: C times the kernel's positions
    out_sp, k_sp = tuple(range(2, 2 + nsp)), tuple(range(2 + nsp, 2 + 2 * nsp))
    m_axes = (0, *out_sp) if os_[0] < min(os_[2:]) else (*out_sp, 0)
    m = n * math.prod(osz)
    if _free_order(rhs, rs) == "ck":  # windows (M, (C, kernel...)): the kernel's last axis innermost
        cols = view.transpose(*m_axes, 1, *k_sp).reshape(m, ct)
        w = np.transpose(rhs, (rs[1], *rs[2:], rs[0])).reshape(ct, o)
    else:  # windows ((kernel..., C), M): the output's last spatial axis innermost
        cols = view.transpose(*k_sp, 1, *m_axes).reshape(ct, m).T
        w = np.transpose(rhs, (*rs[2:], rs[1], rs[0])).reshape(ct, o)
    m_shape = tuple(view.shape[a] for a in m_axes)
    m_phys = tuple(os_[0] if a == 0 else os_[a] for a in m_axes)
    if os_[1] == min(os_):  # features first in memory: (O, M)
        return np.matmul(w.T, cols.T).reshape(o, *m_shape), (os_[1], *m_phys)
    return np.matmul(cols, w).reshape(*m_shape, o), (*m_phys, os_[1])


def _taps(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
          feature_group_count, batch_group_count, planar: bool = True):
    """Kernel first, then shifted sums: every input position times every tap of the kernel
    (one matmul), then each tap's slice added into the output at its offset. It touches
    kernel * O values per input position where im2col copies kernel * C per output position:
    the cheaper one when O < C (an input gradient: a transposed convolution). Needs no lhs
    dilation. `planar` lays the products out (kernel..., O, N, spatial...), so each add runs
    along the last spatial axis; else (N, spatial..., kernel..., O), runs of O elements."""
    ls, rs, os_ = dimension_numbers
    nsp = len(ls) - 2
    x = np.transpose(lhs, (ls[1], ls[0], *ls[2:]))  # (C, N, spatial...)
    c, n, in_sp = x.shape[0], x.shape[1], x.shape[2:]
    ksz = tuple(rhs.shape[d] for d in rs[2:])
    o = rhs.shape[rs[0]]
    w = np.transpose(rhs, (*rs[2:], rs[0], rs[1])).reshape(math.prod(ksz) * o, c)  # ((kernel..., O), C)
    p = n * math.prod(in_sp)
    if planar and x.flags.c_contiguous:
        z = np.matmul(w, x.reshape(c, p))
    else:
        cols = np.transpose(lhs, (ls[0], *ls[2:], ls[1])).reshape(p, c)
        z = np.matmul(w, cols.T) if planar else np.matmul(cols, w.T)
    osz = out_spatial(in_sp, ksz, window_strides, padding, [1] * nsp, rhs_dilation)
    z = z.reshape(*ksz, o, n, *in_sp) if planar else z.reshape(n, *in_sp, *ksz, o)
    moves = []  # (tap, output slices, input slices) of every tap that reaches the output
    for tap in itertools.product(*(range(k) for k in ksz)):
        dst, src = [], []
        for t, r, s, (lo, _), size, m in zip(tap, rhs_dilation, window_strides, padding, in_sp, osz):
            q = t * r - lo  # output h reads input position h * s + q
            h0, h1 = max(0, -(q // s)), min(m, (size - 1 - q) // s + 1)
            if h1 <= h0:
                break
            dst.append(slice(h0, h1))
            src.append(slice(h0 * s + q, (h1 - 1) * s + q + 1, s))
        else:
            moves.append((tap, dst, src))
    # a tap that covers the whole output (the centre of a SAME kernel) is written, not added to zeros
    full = [i for i, (_, dst, _) in enumerate(moves) if all(d.stop - d.start == m for d, m in zip(dst, osz))]
    if full:
        moves.insert(0, moves.pop(full[0]))
    out = (np.empty if full else np.zeros)((o, n, *osz) if planar else (n, *osz, o), z.dtype)
    every = slice(None)
    for i, (tap, dst, src) in enumerate(moves):
        at, part = ((every, every, *dst), z[(*tap, every, every, *src)]) if planar else \
            ((every, *dst, every), z[(every, *src, *tap, every)])
        if i == 0 and full:
            out[at] = part
        else:
            out[at] += part
    return out, ((os_[1], os_[0], *os_[2:]) if planar else (os_[0], *os_[2:], os_[1]))


def _taps_channels_last(lhs, rhs, **params):
    """`_taps` with the products laid out channels-last (runs of O, for small images)."""
    return _taps(lhs, rhs, **params, planar=False)


_KERNELS = {"channels_last": _channels_last, "planar": _planar, "taps": _taps, "taps_channels_last": _taps_channels_last}


@functools.lru_cache(maxsize=512)
def _plan(lhs_shape, rhs_shape, rhs_order: str, *, window_strides, padding, lhs_dilation, rhs_dilation,
          dimension_numbers, feature_group_count, batch_group_count) -> str:
    """Which kernel computes this convolution (cached: a jitted program asks at every call).
    `taps` when its products are fewer than half the im2col columns (measured: at half, on
    (32, 4, 4, 32) -> 16 channels, im2col's one long copy still wins, 84 vs 113 us); else the
    im2col layout whose copy reads the longer contiguous runs (counted up to a cache line of
    float32)."""
    ls, rs, _ = dimension_numbers
    nsp = len(ls) - 2
    if nsp == 0 or feature_group_count > 1 or batch_group_count > 1:
        return "channels_last"
    c, o = lhs_shape[ls[1]], rhs_shape[rs[0]]
    in_sp, ksz = [lhs_shape[d] for d in ls[2:]], [rhs_shape[d] for d in rs[2:]]
    osz = out_spatial(in_sp, ksz, window_strides, padding, lhs_dilation, rhs_dilation)
    if all(d == 1 for d in lhs_dilation) and 2 * o * math.prod(in_sp) < c * math.prod(osz):
        return "taps" if min(osz[-1], 16) >= min(o, 16) else "taps_channels_last"
    kw = ksz[-1] if rhs_dilation[-1] == 1 else 1
    run_channels = kw * c
    run_planar = kw if rhs_order == "ck" else (osz[-1] if window_strides[-1] == 1 else 1)
    return "planar" if min(run_planar, 16) >= min(run_channels, 16) else "channels_last"


def _conv_impl(xp, lhs, rhs, *, preferred_element_type, **params):
    lhs, rhs = np.asarray(lhs), np.asarray(rhs)
    out_dtype = np.dtype(preferred_element_type or lhs.dtype)
    work = _compute_dtype(out_dtype)
    if lhs.dtype != work:
        lhs = lhs.astype(work)
    if rhs.dtype != work:
        rhs = rhs.astype(work)
    order = _free_order(rhs, params["dimension_numbers"].rhs_spec)
    try:
        plan = _plan(lhs.shape, rhs.shape, order, **params)
    except TypeError:  # parameters bound as lists (not hashable): plan without the cache
        plan = _plan.__wrapped__(lhs.shape, rhs.shape, order, **params)
    out, where = _KERNELS[plan](lhs, rhs, **params)
    if out.dtype != out_dtype:
        out = out.astype(out_dtype)
    return out.transpose(sorted(range(out.ndim), key=where.__getitem__))  # axis `where[i]` of the result


# ------------------------------------------------------------------------ shape checking


def _where(lhs: ShapedArray, rhs: ShapedArray, dnums) -> str:
    return f"(lhs shape {lhs.shape}, rhs shape {rhs.shape}, dimension_numbers {tuple(dnums)})"


def _conv_abstract(lhs: ShapedArray, rhs: ShapedArray, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count, preferred_element_type):
    ls, rs, os_ = dimension_numbers
    where = _where(lhs, rhs, dimension_numbers)
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise TypeError(f"lax.conv_general_dilated needs lhs and rhs of equal rank >= 2 {where}")
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"lax.conv_general_dilated requires arguments to have the same dtypes, got "
                        f"{lhs.dtype.name}, {rhs.dtype.name}. (nablax.numpy functions promote automatically.)")
    g, b = feature_group_count, batch_group_count
    for name, v in (("feature_group_count", g), ("batch_group_count", b)):
        if not isinstance(v, int) or v < 1:
            raise ValueError(f"conv_general_dilated {name} must be a positive integer, got {v!r}.")
    if g > 1 and b > 1:
        raise ValueError(f"conv_general_dilated feature_group_count {g} and batch_group_count {b} cannot "
                         f"both be greater than 1 {where}")
    n, c = lhs.shape[ls[0]], lhs.shape[ls[1]]
    o, i = rhs.shape[rs[0]], rhs.shape[rs[1]]
    if c % g:
        raise ValueError(f"conv_general_dilated feature_group_count must divide lhs feature dimension size, "
                         f"but {g} does not divide {c} {where}")
    if c // g != i:
        raise ValueError(f"conv_general_dilated lhs feature dimension size divided by feature_group_count must "
                         f"equal the rhs input feature dimension size, but {c} // {g} != {i} {where}")
    if o % g:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size must be a multiple of "
                         f"feature_group_count, but {o} is not a multiple of {g} {where}")
    if n % b:
        raise ValueError(f"conv_general_dilated batch_group_count must divide lhs batch dimension size, but "
                         f"{b} does not divide {n} {where}")
    if o % b:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size must be a multiple of "
                         f"batch_group_count, but {o} is not a multiple of {b} {where}")
    lsp = [lhs.shape[d] for d in ls[2:]]
    ksp = [rhs.shape[d] for d in rs[2:]]
    for (lo, hi), size, d in zip(padding, lsp, lhs_dilation):
        if dilate_dim(size, d) + lo + hi < 0:
            raise ValueError(f"Negative padding is larger than the size of the corresponding dimension: got "
                             f"padding={tuple(padding)} for lhs spatial shape {tuple(lsp)} {where}")
    dtype = lhs.dtype if preferred_element_type is None else preferred_element_type
    if not (lhs.dtype.kind in "biufc" or lhs.dtype == dtypes.bfloat16):
        raise TypeError(f"lax.conv_general_dilated does not accept dtype {lhs.dtype.name}")
    space = out_spatial(lsp, ksp, window_strides, padding, lhs_dilation, rhs_dilation)
    canonical = (n // b, o, *space)
    out = [0] * lhs.ndim
    for axis, size in zip(os_, canonical):
        out[axis] = size
    weak = preferred_element_type is None and lhs.weak_type and rhs.weak_type
    return ShapedArray(tuple(out), dtype, weak)


def _conv_eager(lhs, rhs, **params):
    (lhs, rhs), (lv, rv) = eager_args((lhs, rhs))
    aval = _conv_abstract(lhs.aval, rhs.aval, **params)
    return wrap(_conv_impl(np, lv, rv, **params), aval.weak_type)


# ----------------------------------------------------------------------------- calculus


def _conv_jvp(primals, tangents, **params):
    lhs, rhs = primals
    tl, tr = tangents
    out = conv_general_dilated_p.bind(lhs, rhs, **params)
    total = Zero(aval_of(out).to_tangent_aval())
    if type(tl) is not Zero:
        total = ad_util.add_tangents(total, conv_general_dilated_p.bind(tl, rhs, **params))
    if type(tr) is not Zero:
        total = ad_util.add_tangents(total, conv_general_dilated_p.bind(lhs, tr, **params))
    return out, total


def _split_axis(x, axis: int, parts: int, inner: bool):
    """Axis `axis` of size parts*m as two axes (parts, m), or (m, parts) when inner."""
    s = list(x.shape)
    m = s[axis] // parts
    return shape.reshape(x, tuple(s[:axis] + ([m, parts] if inner else [parts, m]) + s[axis + 1:]))


def _move_group(x, src: int, dst: int, parts: int):
    """Split `parts` (major) out of axis src and merge it as the major factor of axis dst."""
    nd = len(x.shape)
    y = _split_axis(x, src, parts, inner=False)  # axes: ..., src -> (parts, m) at src, src+1
    dst_y = dst if dst < src else dst + 1
    perm = [a for a in range(nd + 1) if a != src]
    perm.insert(perm.index(dst_y), src)
    y = shape.transpose(y, tuple(perm))
    s = list(y.shape)
    at = perm.index(src)
    return shape.reshape(y, tuple(s[:at] + [s[at] * s[at + 1]] + s[at + 2:]))


def _as_dtype(x, dtype):
    return x if aval_of(x).dtype == dtype else ops.convert_element_type(x, dtype)


def _conv_transpose(ct, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                    feature_group_count, batch_group_count, preferred_element_type):
    if type(ct) is Zero:
        return [None, None]
    ls, rs, os_ = dimension_numbers
    ct_shape = aval_of(ct).shape
    if ad_util.is_undefined(lhs):
        aval = lhs.aval
        other = _as_dtype(rhs, aval_of(ct).dtype)
        g = max(feature_group_count, batch_group_count)
        if g > 1:  # out features (g, o/g) -> in features; the kernel's I axis gains the group factor
            other = _move_group(other, rs[0], rs[1], g)
        other = shape.rev(other, tuple(rs[2:]))
        lsp = [aval.shape[d] for d in ls[2:]]
        ksp = [aval_of(rhs).shape[d] for d in rs[2:]]
        osp = [ct_shape[d] for d in os_[2:]]
        pads = []
        for n, k, m, (lo, _), s, t, r in zip(lsp, ksp, osp, padding, lhs_dilation, window_strides, rhs_dilation):
            kd = dilate_dim(k, r)
            pads.append((kd - 1 - lo, dilate_dim(n, s) + kd - 1 - dilate_dim(m, t) - (kd - 1 - lo)))
        dn = ConvDimensionNumbers(os_, (rs[1], rs[0], *rs[2:]), ls)
        res = conv_general_dilated_p.bind(
            ct, other, window_strides=lhs_dilation, padding=tuple(pads), lhs_dilation=window_strides,
            rhs_dilation=rhs_dilation, dimension_numbers=dn, feature_group_count=g, batch_group_count=1,
            preferred_element_type=None)
        if batch_group_count > 1:  # the result's features (b, c) -> lhs batch (b, n/b)
            res = _move_group(res, ls[1], ls[0], batch_group_count)
        return [_as_dtype(res, aval.dtype), None]
    aval = rhs.aval
    other = _as_dtype(lhs, aval_of(ct).dtype)
    lsp = [aval_of(lhs).shape[d] for d in ls[2:]]
    ksp = [aval.shape[d] for d in rs[2:]]
    osp = [ct_shape[d] for d in os_[2:]]
    pads = []
    for n, k, m, (lo, _), s, t, r in zip(lsp, ksp, osp, padding, lhs_dilation, window_strides, rhs_dilation):
        pads.append((lo, dilate_dim(m, t) - dilate_dim(n, s) + dilate_dim(k, r) - 1 - lo))
    dn = ConvDimensionNumbers((ls[1], ls[0], *ls[2:]), (os_[1], os_[0], *os_[2:]), (rs[1], rs[0], *rs[2:]))
    res = conv_general_dilated_p.bind(
        other, ct, window_strides=rhs_dilation, padding=tuple(pads), lhs_dilation=lhs_dilation,
        rhs_dilation=window_strides, dimension_numbers=dn, feature_group_count=batch_group_count,
        batch_group_count=feature_group_count, preferred_element_type=None)
    return [None, _as_dtype(res, aval.dtype)]


def _conv_batch(args, dims, **params):
    lhs, rhs = args
    dl, dr = dims
    ls, rs, os_ = params["dimension_numbers"]
    g, b = params["feature_group_count"], params["batch_group_count"]
    if dl is not None and dr is not None:
        # The mapped axis becomes the outermost group: of features, or of batch groups.
        size = lhs.shape[dl]
        if b > 1:
            lhs = _merge_outer(lhs, dl, ls[0])
            rhs = _merge_outer(rhs, dr, rs[0])
            new = dict(params, batch_group_count=b * size)
        else:
            lhs = _merge_outer(lhs, dl, ls[1])
            rhs = _merge_outer(rhs, dr, rs[0])
            new = dict(params, feature_group_count=g * size)
        out = conv_general_dilated_p.bind(lhs, rhs, **new)
        return _split_out(out, os_[1], size, 1), os_[1]
    if dl is not None:  # folded into the batch, inside any batch groups
        size = lhs.shape[dl]
        lhs = _merge_inner(lhs, dl, ls[0], b)
        out = conv_general_dilated_p.bind(lhs, rhs, **params)
        return _split_out(out, os_[0], size, 1), os_[0]
    size = rhs.shape[dr]  # folded into the kernel's out features, inside any groups
    rhs = _merge_inner(rhs, dr, rs[0], max(g, b))
    out = conv_general_dilated_p.bind(lhs, rhs, **params)
    return _split_out(out, os_[1], size, max(g, b)), os_[1]


def _merge_outer(x, src: int, axis: int):
    """Move axis src in front of `axis` and merge the two (src major); `axis` counts without src."""
    x = _move_to(x, src, axis)
    s = list(x.shape)
    return shape.reshape(x, tuple(s[:axis] + [s[axis] * s[axis + 1]] + s[axis + 2:]))


def _merge_inner(x, src: int, axis: int, groups: int):
    """Merge axis src into `axis` (counted without src) as (groups, src, rest)."""
    x = _move_to(x, src, axis)  # (v, groups * m) at axis, axis + 1
    s = list(x.shape)
    v, m = s[axis], s[axis + 1] // groups
    x = shape.reshape(x, tuple(s[:axis] + [v, groups, m] + s[axis + 2:]))
    perm = list(range(len(s) + 1))
    perm[axis], perm[axis + 1] = axis + 1, axis
    x = shape.transpose(x, tuple(perm))
    return shape.reshape(x, tuple(s[:axis] + [v * groups * m] + s[axis + 2:]))


def _move_to(x, src: int, axis: int):
    """Move axis src to position `axis` of the array without src."""
    nd = len(x.shape)
    perm = [a for a in range(nd) if a != src]
    perm.insert(axis, src)
    return x if perm == list(range(nd)) else shape.transpose(x, tuple(perm))


def _split_out(out, axis: int, size: int, groups: int):
    """Axis `axis` laid out (groups, size, m): split `size` off and leave it at `axis`."""
    s = list(out.shape)
    m = s[axis] // (groups * size)
    y = shape.reshape(out, tuple(s[:axis] + [groups, size, m] + s[axis + 1:]))
    perm = list(range(len(s) + 2))
    perm[axis], perm[axis + 1] = axis + 1, axis
    y = shape.transpose(y, tuple(perm))
    return shape.reshape(y, tuple(s[:axis] + [size, groups * m] + s[axis + 1:]))


conv_general_dilated_p = define_primitive(
    "conv_general_dilated",
    impl=_conv_impl,
    abstract_eval=_conv_abstract,
    eager=_conv_eager,
    jvp=_conv_jvp,
    linear=True,
    transpose=_conv_transpose,
    batch=_conv_batch,
    sparsity="conv",
)


# ------------------------------------------------------------------------- lax wrappers

_PRECISIONS = {None, "default", "high", "highest", "fastest", "float32", "bfloat16", "bfloat16_3x",
               "tensorfloat32"}


def _check_precision(precision) -> None:
    """Precision is accepted as JAX spells it and has no effect (NumPy computes at full precision)."""
    items = precision if isinstance(precision, (tuple, list)) else (precision,)
    for p in items:
        name = getattr(p, "name", p)
        if not (isinstance(name, str) and name.lower() in _PRECISIONS or name is None):
            raise ValueError(f"lax.conv_general_dilated: unknown precision {precision!r}; use None, "
                             "'default', 'high', 'highest' or a lax.Precision")


def _preferred(pref, dtype: np.dtype):
    if pref is None:
        return None
    pref = dtypes.canonicalize_dtype(pref)
    ok = (dtype.kind in "iu" and (pref.kind in "iuf" or pref == dtypes.bfloat16)) or (
        dtypes.is_float(dtype) and dtypes.is_float(pref)) or (dtype.kind == "c" and pref.kind == "c") or (
        dtype.kind == "b" and pref.kind == "b")
    if not ok:
        raise TypeError("Input type is incompatible with `preferred_element_type`: the compatible combinations "
                        "of (input_type, preferred_element_type) are (integral, integral), (integral, floating), "
                        f"(floating, floating), (complex, complex); got ({dtype.name}, {pref.name})")
    if pref.kind == dtype.kind and pref.itemsize < dtype.itemsize:
        raise TypeError(f"`preferred_element_type` must not be narrower than the original type: {pref.name} "
                        f"for inputs of {dtype.name}")
    return pref


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count: int = 1, batch_group_count: int = 1,
                         precision=None, preferred_element_type=None):
    """lax.conv_general_dilated: an N-d correlation with strides, padding, input and kernel
    dilation, any layout and grouped features or batches, as JAX defines it."""
    lshape, rshape = tuple(aval_of(lhs).shape), tuple(aval_of(rhs).shape)
    dnums = conv_dimension_numbers(lshape, rshape, dimension_numbers)
    nd = len(lshape)
    if not len(dnums.lhs_spec) == len(dnums.rhs_spec) == len(dnums.out_spec) == nd == len(rshape):
        raise TypeError(f"lax.conv_general_dilated: dimension_numbers {tuple(dnums)} do not match operands of "
                        f"shapes {lshape} and {rshape}")
    check_spec(dnums, nd)
    nsp = nd - 2
    try:
        strides = tuple(int(s) for s in window_strides)
    except TypeError:
        raise TypeError(f"lax.conv_general_dilated: window_strides must be a sequence of ints, got "
                        f"{window_strides!r}") from None
    if len(strides) != nsp:
        raise ValueError(f"conv_general_dilated window and window_strides must have the same number of "
                         f"dimensions, but got {nsp} and {len(strides)}")
    if any(s <= 0 for s in strides):
        raise ValueError(f"lax.conv_general_dilated: window_strides must be positive, got {strides}")
    ldil = int_tuple("lhs_dilation", lhs_dilation, nsp)
    rdil = int_tuple("rhs_dilation", rhs_dilation, nsp)
    if isinstance(padding, str) and any(d != 1 for d in ldil):
        raise ValueError("String padding is not implemented for transposed convolution using this op. Please "
                         "either exactly specify the required padding or use conv_transpose.")
    pads = normalize_padding(padding, [lshape[d] for d in dnums.lhs_spec[2:]],
                             [rshape[d] for d in dnums.rhs_spec[2:]], strides, rdil)
    _check_precision(precision)
    pref = _preferred(preferred_element_type, aval_of(lhs).dtype)
    return conv_general_dilated_p.bind(
        lhs, rhs, window_strides=strides, padding=pads, lhs_dilation=ldil, rhs_dilation=rdil,
        dimension_numbers=dnums, feature_group_count=_index(feature_group_count),
        batch_group_count=_index(batch_group_count), preferred_element_type=pref)


def _index(v) -> int:
    try:
        return v.__index__()
    except AttributeError:
        raise TypeError(f"conv_general_dilated group counts must be integers, got {v!r}") from None


def conv(lhs, rhs, window_strides, padding: str, precision=None, preferred_element_type=None):
    """lax.conv: NCHW/OIHW convolution with a padding string or pairs."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, precision=None,
                              preferred_element_type=None):
    """lax.conv_with_general_padding: NCHW/OIHW convolution with both dilations."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


_TRANSPOSE_DEFAULTS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"), 4: ("NHWC", "HWIO", "NHWC"),
                       5: ("NHWDC", "HWDIO", "NHWDC")}


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel: bool = False, precision=None, preferred_element_type=None,
                   use_consistent_padding: bool = False):
    """lax.conv_transpose: a fractionally strided convolution (lhs dilated by `strides`);
    'SAME'/'VALID' name the padding of the forward conv it inverts, as in JAX."""
    lshape, rshape = tuple(aval_of(lhs).shape), tuple(aval_of(rhs).shape)
    nd = len(lshape)
    if nd != len(rshape) or nd < 2:
        raise TypeError(f"lax.conv_transpose needs lhs and rhs of equal rank >= 2, got shapes {lshape} and {rshape}")
    if dimension_numbers is None:
        if nd not in _TRANSPOSE_DEFAULTS:
            raise ValueError(f"lax.conv_transpose has no default dimension_numbers for rank {nd}; pass them")
        dimension_numbers = _TRANSPOSE_DEFAULTS[nd]
    dn = conv_dimension_numbers(lshape, rshape, dimension_numbers)
    ksp = [rshape[d] for d in dn.rhs_spec[2:]]
    rdil = int_tuple("rhs_dilation", rhs_dilation, nd - 2)
    if use_consistent_padding or padding in ("SAME", "VALID"):
        per_dim = [padding] * len(strides) if isinstance(padding, str) else list(padding)
        pads = tuple(conv_transpose_padding(dilate_dim(k, r), s, p)
                     for k, r, s, p in zip(ksp, rdil, strides, per_dim))
    else:
        pads = padding
    if transpose_kernel:
        rhs = shape.rev(rhs, tuple(dn.rhs_spec[2:]))
        perm = list(range(nd))
        perm[dn.rhs_spec[0]], perm[dn.rhs_spec[1]] = dn.rhs_spec[1], dn.rhs_spec[0]
        rhs = shape.transpose(rhs, tuple(perm))
    return conv_general_dilated(lhs, rhs, (1,) * (nd - 2), pads, strides, rdil, dn, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                                 dimension_numbers=None, precision=None, preferred_element_type=None):
    """lax.conv_general_dilated_patches: every window of lhs as features, ordered (channel,
    filter position) — a depthwise convolution with one-hot kernels."""
    lshape = tuple(aval_of(lhs).shape)
    nd = len(lshape)
    dn = conv_dimension_numbers(lshape, (1,) * nd, dimension_numbers)
    c = lshape[dn.lhs_spec[1]]
    filter_shape = tuple(int(k) for k in filter_shape)
    k = math.prod(filter_shape)
    dtype = aval_of(lhs).dtype
    eye = np.eye(k, dtype=dtype).reshape((k, 1) + filter_shape)
    eye = np.tile(eye, (c,) + (1,) * (nd - 1))  # (c * k, 1, *filter) in canonical OIHW order
    kernel = np.transpose(eye, np.argsort(dn.rhs_spec))
    return conv_general_dilated(lhs, wrap(np.ascontiguousarray(kernel)), window_strides, padding, lhs_dilation,
                                rhs_dilation, dn, feature_group_count=c, precision=precision,
                                preferred_element_type=preferred_element_type)


__all__ = ["conv_general_dilated", "conv", "conv_with_general_padding", "conv_transpose",
           "conv_general_dilated_patches", "conv_dimension_numbers", "conv_general_permutations",
           "conv_shape_tuple", "conv_general_shape_tuple", "conv_transpose_shape_tuple", "ConvDimensionNumbers"]
