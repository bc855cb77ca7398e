"""Linear-algebra primitives for orthogonal decompositions: eigh, svd, qr (and qdwh on top).

Each impl calls NumPy's stacked LAPACK drivers (np.linalg.eigh: syevd/heevd, np.linalg.svd:
gesdd, np.linalg.qr: geqrf + orgqr/ungqr), the same drivers JAX's CPU backend calls, so the
signs and phases of the factors agree with JAX's. Leading axes are batch axes; the vmap rules
move the batch axis to the front and bind once. The JVPs are the standard perturbation
formulas, written with lax operations (through `ops`) so that they are differentiable again.
"""
from __future__ import annotations

import enum

import numpy as np
import scipy.linalg

from .. import dtypes, ops
from ..array import wrap
from ..avals import ShapedArray, Zero
from ..core import eager_args
from . import templates
from ._define import aval_of, define_primitive


class SvdAlgorithm(enum.Enum):
    """As jax.lax.linalg.SvdAlgorithm. Accepted and ignored: NumPy always calls LAPACK gesdd."""
    DEFAULT = "default"
    QR = "QR"
    JACOBI = "Jacobi"
    POLAR = "polar"
    DIVIDE_AND_CONQUER = "divide_and_conquer"


class EighImplementation(enum.Enum):
    """As jax.lax.linalg.EighImplementation. Accepted and ignored: NumPy calls LAPACK syevd/heevd."""
    QR = "qr"
    JACOBI = "jacobi"
    QDWH = "qdwh"


# ----------------------------------------------------------------------------- helpers

def _check_matrix(name: str, x: ShapedArray, square: bool = False) -> None:
    """TypeError (JAX's class) for rank < 2, non-square (when required) or non-inexact input."""
    if x.ndim < 2:
        raise TypeError(f"lax.linalg.{name} needs an input of rank at least 2, got shape {x.shape}")
    if square and x.shape[-1] != x.shape[-2]:
        raise TypeError(f"lax.linalg.{name} needs square matrices (..., n, n), got shape {x.shape}")
    if x.dtype.kind not in "fc":
        raise TypeError(f"lax.linalg.{name} does not accept dtype {x.dtype.name}; it needs a floating or "
                        "complex dtype (nablax.numpy.linalg promotes integers)")


def _real_dtype(dtype: np.dtype) -> np.dtype:
    return np.empty((), dtype).real.dtype


def _swap_last(x):
    nd = templates.ndim_of(x)
    return ops.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _H(x):
    """Conjugate transpose of the last two axes."""
    xt = _swap_last(x)
    return ops.conj(xt) if aval_of(x).dtype.kind == "c" else xt


def _mm(a, b):
    return ops.batch_matmul(a, b)


def _const(value: np.ndarray):
    return wrap(value, False)


def _eye(n: int, dtype):
    return _const(np.eye(n, dtype=dtype))


def _diag_part(x):
    """x[..., i, i] as a vector (a masked row sum, so it stays one lax expression)."""
    n = templates.shape_of(x)[-1]
    return ops.reduce_sum(ops.mul(x, _eye(n, aval_of(x).dtype)), (templates.ndim_of(x) - 1,))


def _tril_strict(x):
    m, n = templates.shape_of(x)[-2:]
    return ops.mul(x, _const(np.tri(m, n, -1, dtype=aval_of(x).dtype)))


def _as(x, dtype):
    return x if aval_of(x).dtype == dtype else ops.convert_element_type(x, dtype)


def _row(v):
    """A vector (..., k) as a row (..., 1, k)."""
    return ops.expand_dims(v, (templates.ndim_of(v) - 1,))


def _col(v):
    """A vector (..., k) as a column (..., k, 1)."""
    return ops.expand_dims(v, (templates.ndim_of(v),))


def _batch_front(prim, args, dims, params):
    x = templates.moveaxis(args[0], dims[0], 0)
    outs = prim.bind(x, **params)
    return outs, [0] * len(outs)


def _checked_eager(abstract_eval, impl):
    """Eager rule: validate as abstract_eval does (so eager and jit reject alike), then impl."""

    def eager(x, **params):
        (x,), (val,) = eager_args((x,))
        avals = abstract_eval(x.aval, **params)
        return [wrap(o, a.weak_type) for o, a in zip(impl(np, val, **params), avals)]

    return eager


def _check_subset(name: str, subset, k: int) -> None:
    if subset is not None:
        lo, hi = subset
        if not 0 <= lo <= hi <= k:
            raise ValueError(f"lax.linalg.{name}: subset_by_index {tuple(subset)} must satisfy "
                             f"0 <= start <= end <= {k}")


# -------------------------------------------------------------------------------- eigh

def _single(x) -> bool:
    return x.dtype == np.float32 or x.dtype == np.complex64


def _per_matrix(fn, x, n_out: int) -> list:
    """Apply `fn` (matrix -> n_out arrays) to each matrix of a stack: SciPy is not stacked."""
    batch = x.shape[:-2]
    if not batch:
        return list(fn(x))
    flat = x.reshape((-1,) + x.shape[-2:])
    if not len(flat):  # an empty stack: the shapes of one result, with no matrices
        return [np.empty(batch + r.shape, r.dtype) for r in fn(np.zeros(x.shape[-2:], x.dtype))][:n_out]
    results = [fn(xi) for xi in flat]
    return [np.stack([r[j] for r in results]).reshape(batch + results[0][j].shape) for j in range(n_out)]


def _syevd(dtype: np.dtype, lower: bool):
    """SciPy's LAPACK ?syevd / ?heevd on one matrix: (w, v), NaNs where LAPACK fails (as JAX)."""
    driver = scipy.linalg.lapack.cheevd if dtype.kind == "c" else scipy.linalg.lapack.ssyevd
    low = int(lower)

    def one(a):
        w, v, info = driver(a, compute_v=1, lower=low)
        if info:
            w, v = np.full_like(w, np.nan), np.full_like(v, np.nan)
        return w, v

    return one


def _eigh_impl(xp, x, *, lower, sort_eigenvalues, subset_by_index):
    # Ascending either way. In single precision NumPy's bundled ssyevd/cheevd can return other
    # eigenvector signs than JAX's; SciPy's (a loop over the stack) returns JAX's.
    if _single(x):
        w, v = _per_matrix(_syevd(x.dtype, lower), x, 2)
    else:
        w, v = np.linalg.eigh(x, UPLO="L" if lower else "U")
    if subset_by_index is not None:
        lo, hi = subset_by_index
        w, v = w[..., lo:hi], v[..., :, lo:hi]
    return [v, w]


def _eigh_abstract(x: ShapedArray, *, lower, sort_eigenvalues, subset_by_index) -> list:
    _check_matrix("eigh", x, square=True)
    n = x.shape[-1]
    _check_subset("eigh", subset_by_index, n)
    d = n if subset_by_index is None else subset_by_index[1] - subset_by_index[0]
    return [ShapedArray(x.shape[:-1] + (d,), x.dtype, x.weak_type),
            ShapedArray(x.shape[:-2] + (d,), _real_dtype(x.dtype), x.weak_type)]


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues, subset_by_index):
    (x,), (dx,) = primals, tangents
    v, w = eigh_p.bind(x, lower=lower, sort_eigenvalues=sort_eigenvalues, subset_by_index=subset_by_index)
    n = aval_of(x).shape[-1]
    if subset_by_index is not None and tuple(subset_by_index) != (0, n):
        raise NotImplementedError("lax.linalg.eigh: derivatives of a partial eigendecomposition "
                                  "(subset_by_index) are not defined")
    if type(dx) is Zero:
        return [v, w], [Zero(aval_of(v).to_tangent_aval()), Zero(aval_of(w).to_tangent_aval())]
    dtype = aval_of(x).dtype
    # dW = diag(Vᴴ Ẋ V); dV = V (F ∘ Vᴴ Ẋ V) with F_ij = 1/(w_j − w_i) off the diagonal, 0 on it
    # (non-degenerate perturbation theory; the identity keeps the diagonal division finite).
    eye = _eye(n, dtype)
    wc = _as(w, dtype)
    f = ops.sub(ops.div(_const(np.ones((), dtype)), ops.add(eye, ops.sub(_row(wc), _col(wc)))), eye)
    vhxv = _mm(_mm(_H(v), dx), v)
    dv = _mm(v, ops.mul(f, vhxv))
    dw = _diag_part(ops.real(vhxv) if dtype.kind == "c" else vhxv)
    return [v, w], [dv, dw]


eigh_p = define_primitive(
    "eigh",
    impl=_eigh_impl,
    abstract_eval=_eigh_abstract,
    eager=_checked_eager(_eigh_abstract, _eigh_impl),
    jvp=_eigh_jvp,
    batch=lambda args, dims, **p: _batch_front(eigh_p, args, dims, p),
    multiple_results=True,
)


def _symmetrize(x):
    """(x + xᴴ) / 2; integers become the default float, as JAX's true division makes them."""
    if aval_of(x).dtype.kind not in "fc":
        x = ops.convert_element_type(x, dtypes.canonicalize_dtype(np.float64))
    dtype = aval_of(x).dtype
    return ops.div(ops.add(x, _H(x)), _const(np.array(2, dtype)))


def eigh(x, *, lower: bool = True, symmetrize_input: bool = True, sort_eigenvalues: bool = True,
         subset_by_index: tuple[int, int] | None = None, implementation: EighImplementation | None = None):
    """lax.linalg.eigh: (v, w), eigenvectors v[..., :, i] for ascending eigenvalues w[..., i].

    With `symmetrize_input` the input is replaced by (x + xᴴ)/2 (so integers are promoted, as
    in JAX); otherwise only the `lower` (or upper) triangle is read. `subset_by_index=(lo, hi)`
    keeps eigenpairs lo..hi-1 (computed in full, then sliced; not differentiable).
    `implementation` is accepted and ignored (NumPy calls LAPACK syevd/heevd).
    """
    if templates.ndim_of(x) < 2:
        raise TypeError(f"lax.linalg.eigh needs an input of rank at least 2, got shape {templates.shape_of(x)}")
    if symmetrize_input:
        shape = templates.shape_of(x)
        if shape[-1] != shape[-2]:
            raise TypeError(f"lax.linalg.eigh needs square matrices (..., n, n), got shape {shape}")
        x = _symmetrize(x)
    subset = None if subset_by_index is None else (int(subset_by_index[0]), int(subset_by_index[1]))
    v, w = eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues), subset_by_index=subset)
    return v, w


# --------------------------------------------------------------------------------- svd

def _svd_scipy(x, full_matrices, compute_uv) -> list:
    """SciPy's gesdd per matrix: in single precision it returns JAX's signs, NumPy's may not."""
    def one(a):
        out = scipy.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv, check_finite=False,
                               lapack_driver="gesdd")
        return out if compute_uv else (out,)
    return _per_matrix(one, x, 3 if compute_uv else 1)


def _svd_impl(xp, x, *, full_matrices, compute_uv, subset_by_index):
    if _single(x):
        outs = _svd_scipy(x, full_matrices, compute_uv)
    elif compute_uv:
        outs = np.linalg.svd(x, full_matrices=full_matrices)
    else:
        outs = [np.linalg.svd(x, compute_uv=False)]
    if not compute_uv:
        s = outs[0]
        return [s if subset_by_index is None else s[..., subset_by_index[0]:subset_by_index[1]]]
    u, s, vh = outs
    if subset_by_index is not None:
        lo, hi = subset_by_index
        u, s, vh = u[..., :, lo:hi], s[..., lo:hi], vh[..., lo:hi, :]
    return [s, u, vh]


def _svd_abstract(x: ShapedArray, *, full_matrices, compute_uv, subset_by_index) -> list:
    _check_matrix("svd", x)
    *batch, m, n = x.shape
    batch = tuple(batch)
    k = min(m, n)
    _check_subset("svd", subset_by_index, k)
    if subset_by_index is not None:
        if full_matrices and compute_uv:
            raise ValueError("lax.linalg.svd: full_matrices and subset_by_index cannot both be set")
        k = subset_by_index[1] - subset_by_index[0]
    s = ShapedArray(batch + (k,), _real_dtype(x.dtype), x.weak_type)
    if not compute_uv:
        return [s]
    ku, kv = (m, n) if full_matrices else (k, k)
    return [s, ShapedArray(batch + (m, ku), x.dtype, x.weak_type),
            ShapedArray(batch + (kv, n), x.dtype, x.weak_type)]


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, subset_by_index):
    (a,), (da,) = primals, tangents
    m, n = aval_of(a).shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("lax.linalg.svd: the JVP with full_matrices=True of a non-square "
                                  f"matrix (shape {aval_of(a).shape}) is not implemented (as in JAX)")
    s, u, vh = svd_p.bind(a, full_matrices=False, compute_uv=True, subset_by_index=subset_by_index)
    outs = [s, u, vh] if compute_uv else [s]
    if type(da) is Zero:
        return outs, [Zero(aval_of(o).to_tangent_aval()) for o in outs]
    dtype = aval_of(a).dtype
    uh, v = _H(u), _H(vh)
    ds_mat = _mm(_mm(uh, da), v)                     # Uᴴ dA V
    ds = _diag_part(ops.real(ds_mat) if dtype.kind == "c" else ds_mat)
    if not compute_uv:
        return outs, [ds]
    k = aval_of(s).shape[-1]
    rdt = aval_of(s).dtype
    eye = _eye(k, rdt)
    srow = _row(s)
    # F_ij = 1/(s_j² − s_i²) off the diagonal, 0 on it.
    f = _as(ops.sub(ops.div(_const(np.ones((), rdt)),
                            ops.add(ops.mul(ops.add(srow, _swap_last(srow)), ops.sub(srow, _swap_last(srow))),
                                    eye)), eye), dtype)
    zero_s = _as(ops.eq(s, _const(np.zeros((), rdt))), rdt)
    s_inv = ops.sub(ops.div(_const(np.ones((), rdt)), ops.add(s, zero_s)), zero_s)  # 1/s, 0 where s = 0
    sc_row = _as(srow, dtype)
    dss = ops.mul(sc_row, ds_mat)                    # dS diag(s)
    sds = ops.mul(_swap_last(sc_row), ds_mat)        # diag(s) dS
    # The imaginary part of diag(Uᴴ dA V) goes to U's phases: i Im(dS_ii) / s_i.
    diag_term = ops.mul(ops.mul(_const(np.array(0.5, dtype)), ops.sub(ds_mat, _H(ds_mat))),
                        _as(ops.mul(eye, _row(s_inv)), dtype))
    du = _mm(u, ops.add(ops.mul(f, ops.add(dss, _H(dss))), diag_term))
    dv = _mm(v, ops.mul(f, ops.add(sds, _H(sds))))
    sc_inv = _as(_row(s_inv), dtype)
    if m > n:   # the part of dA V outside span(U)
        dav = _mm(da, v)
        du = ops.add(du, ops.mul(ops.sub(dav, _mm(u, _mm(uh, dav))), sc_inv))
    if n > m:   # the part of dAᴴ U outside span(V)
        dahu = _mm(_H(da), u)
        dv = ops.add(dv, ops.mul(ops.sub(dahu, _mm(v, _mm(vh, dahu))), sc_inv))
    return outs, [ds, du, _H(dv)]


svd_p = define_primitive(
    "svd",
    impl=_svd_impl,
    abstract_eval=_svd_abstract,
    eager=_checked_eager(_svd_abstract, _svd_impl),
    jvp=_svd_jvp,
    batch=lambda args, dims, **p: _batch_front(svd_p, args, dims, p),
    multiple_results=True,
)


def svd(x, *, full_matrices: bool = True, compute_uv: bool = True,
        subset_by_index: tuple[int, int] | None = None, algorithm: SvdAlgorithm | None = None):
    """lax.linalg.svd: (u, s, vh) with x = u diag(s) vh and s descending, or s alone.

    `subset_by_index=(lo, hi)` keeps singular triplets lo..hi-1 (computed in full, then
    sliced; JAX's CPU backend refuses it). `algorithm` is accepted and ignored (LAPACK gesdd).
    """
    subset = None if subset_by_index is None else (int(subset_by_index[0]), int(subset_by_index[1]))
    outs = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv), subset_by_index=subset)
    if compute_uv:
        s, u, vh = outs
        return u, s, vh
    return outs[0]


# ---------------------------------------------------------------------------------- qr

def _qr_impl(xp, x, *, pivoting, full_matrices):
    if not pivoting and not _single(x):
        return list(np.linalg.qr(x, mode="complete" if full_matrices else "reduced"))
    # SciPy per matrix: geqp3 for pivoting (NumPy has none); in single precision SciPy's
    # geqrf/orgqr are several times faster here than NumPy's bundled ones.
    mode = "full" if full_matrices else "economic"
    outs = _per_matrix(lambda a: scipy.linalg.qr(a, mode=mode, pivoting=pivoting, check_finite=False), x,
                       3 if pivoting else 2)
    if pivoting:
        outs[2] = outs[2].astype(np.int32)
    return outs


def _qr_abstract(x: ShapedArray, *, pivoting, full_matrices) -> list:
    _check_matrix("qr", x)
    *batch, m, n = x.shape
    batch = tuple(batch)
    k = m if full_matrices else min(m, n)
    outs = [ShapedArray(batch + (m, k), x.dtype, x.weak_type), ShapedArray(batch + (k, n), x.dtype, x.weak_type)]
    if pivoting:
        outs.append(ShapedArray(batch + (n,), np.dtype(np.int32), False))
    return outs


def _thin_qr_jvp(q, r, dx):
    """dQ, dR of X = QR for Q (m, n) with orthonormal columns and R (n, n) upper triangular.

    With C = Qᴴ dX R⁻¹ and Ω = tril(C, -1) − tril(C, -1)ᴴ + i·Im(diag C) (skew-Hermitian):
    dR = (C − Ω) R and dQ = dX R⁻¹ − Q (C − Ω).
    """
    dtype = aval_of(q).dtype
    dx_rinv = ops.triangular_solve(r, dx, left_side=False, lower=False)
    c = _mm(_H(q), dx_rinv)
    low = _tril_strict(c)
    omega = ops.sub(low, _H(low))
    if dtype.kind == "c":
        n = templates.shape_of(c)[-1]
        omega = ops.add(omega, ops.mul(_eye(n, dtype), ops.sub(c, _as(ops.real(c), dtype))))
    c_om = ops.sub(c, omega)
    return ops.sub(dx_rinv, _mm(q, c_om)), _mm(c_om, r)


def _solve_adjoint(a, b):
    """X with aᴴ X = b, a square, through lu: P a = L U, so aᴴ = Uᴴ Lᴴ P."""
    lu, _, perm = ops.lu(a)
    y = ops.triangular_solve(lu, b, left_side=True, lower=False, transpose_a=True, conjugate_a=True)
    z = ops.triangular_solve(lu, y, left_side=True, lower=True, transpose_a=True, conjugate_a=True,
                             unit_diagonal=True)
    n = templates.shape_of(a)[-1]
    pt = _as(ops.eq(ops.broadcasted_iota(np.int32, (n, n), 0), _row(perm)), aval_of(a).dtype)  # Pᵀ
    return _mm(pt, z)


def _full_tall_qr_jvp(q, r, dx):
    """dQ (m, m), dR (m, n) of the complete QR of a tall X (m > n), following Roberts & Roberts
    (arXiv:2409.13374, eqs. 32-33): the thin JVP gives dQ's first n columns; with p = m − n,
    Z = Q_pn (Q_nn − I)⁻¹, the last p columns are dQ_mn Zᴴ − (Q_mn + Q_mp Z)(dQ_pn − Z dQ_nn)ᴴ.
    """
    nd = templates.ndim_of(q)
    rows, cols = nd - 2, nd - 1
    m, n = templates.shape_of(r)[-2:]
    q_mn, q_mp = ops.slice_in_dim(q, 0, n, axis=cols), ops.slice_in_dim(q, n, m, axis=cols)
    dq_mn, dr_nn = _thin_qr_jvp(q_mn, ops.slice_in_dim(r, 0, n, axis=rows), dx)
    q_nn, q_pn = ops.slice_in_dim(q_mn, 0, n, axis=rows), ops.slice_in_dim(q_mn, n, m, axis=rows)
    dq_nn, dq_pn = ops.slice_in_dim(dq_mn, 0, n, axis=rows), ops.slice_in_dim(dq_mn, n, m, axis=rows)
    z_h = _solve_adjoint(ops.sub(q_nn, _eye(n, aval_of(q).dtype)), _H(q_pn))
    z = _H(z_h)
    dq_mp = ops.sub(_mm(dq_mn, z_h), _mm(ops.add(q_mn, _mm(q_mp, z)), _H(ops.sub(dq_pn, _mm(z, dq_nn)))))
    zeros = ops.mul(ops.slice_in_dim(r, n, m, axis=rows), _const(np.zeros((), aval_of(r).dtype)))
    return ops.concatenate([dq_mn, dq_mp], cols), ops.concatenate([dr_nn, zeros], rows)


def _qr_jvp(primals, tangents, *, pivoting, full_matrices):
    (x,), (dx,) = primals, tangents
    outs = qr_p.bind(x, pivoting=pivoting, full_matrices=full_matrices)
    q, r = outs[:2]
    zero_p = [Zero(aval_of(outs[2]).to_tangent_aval())] if pivoting else []
    if type(dx) is Zero:
        return outs, [Zero(aval_of(q).to_tangent_aval()), Zero(aval_of(r).to_tangent_aval())] + zero_p
    *_, m, n = aval_of(x).shape
    if pivoting:  # X P = Q R: permute dX's columns as X's (dX[..., :, p] as a product with P)
        pmat = _as(ops.eq(ops.broadcasted_iota(np.int32, (n, n), 0), _row(outs[2])), aval_of(x).dtype)
        dx = _mm(dx, pmat)
    if m < n:
        # X = Q [R1 R2]: the square block X1 = Q R1 as above, then R2 = Qᴴ X2 gives dR2.
        x2 = ops.slice_in_dim(x, m, n, axis=templates.ndim_of(x) - 1)
        if pivoting:
            x2 = ops.slice_in_dim(_mm(x, pmat), m, n, axis=templates.ndim_of(x) - 1)
        last = templates.ndim_of(x) - 1
        dq, dr1 = _thin_qr_jvp(q, ops.slice_in_dim(r, 0, m, axis=last), ops.slice_in_dim(dx, 0, m, axis=last))
        dr2 = ops.add(_mm(_H(dq), x2), _mm(_H(q), ops.slice_in_dim(dx, m, n, axis=last)))
        dr = ops.concatenate([dr1, dr2], last)
    elif full_matrices and m > n:
        dq, dr = _full_tall_qr_jvp(q, r, dx)
    else:
        dq, dr = _thin_qr_jvp(q, r, dx)
    return outs, [dq, dr] + zero_p


def _qr_batch(args, dims, **params):
    return _batch_front(qr_p, args, dims, params)


qr_p = define_primitive(
    "qr",
    impl=_qr_impl,
    abstract_eval=_qr_abstract,
    eager=_checked_eager(_qr_abstract, _qr_impl),
    jvp=_qr_jvp,
    batch=_qr_batch,
    multiple_results=True,
)


def qr(x, *, pivoting: bool = False, full_matrices: bool = True, use_magma: bool | None = None):
    """lax.linalg.qr: (q, r), or (q, r, p) with column pivoting (x[..., :, p] = q r, p int32).

    `full_matrices` gives q (m, m) and r (m, n); otherwise q (m, k), r (k, n), k = min(m, n).
    `use_magma` is accepted and ignored (GPU only in JAX).
    """
    outs = qr_p.bind(x, pivoting=bool(pivoting), full_matrices=bool(full_matrices))
    return tuple(outs)


# -------------------------------------------------------------------------------- qdwh

def _qdwh_schedule(eps: float, max_iterations: int) -> list:
    """The dynamically weighted Halley coefficients (a, b, c) of Nakatsukasa, Bai & Gygi (2010).

    They depend only on the lower bound l₀ = eps of the smallest scaled singular value, not
    on the matrix, so the sequence is computed here, in Python, until l reaches 1.
    """
    coefs, low, tol = [], eps, 5.0 * eps
    while low + tol < 1 and len(coefs) < max_iterations:
        l2 = low * low
        d = (4.0 * (1.0 / l2 - 1.0) / l2) ** (1.0 / 3.0)
        sqd = (1.0 + d) ** 0.5
        a = sqd + (2.0 - d + 2.0 * (2.0 - l2) / (l2 * sqd)) ** 0.5
        b = (a - 1.0) ** 2 / 4.0
        c = a + b - 1.0
        low = low * (a + b * l2) / (1.0 + c * l2)
        coefs.append((a, b, c))
    return coefs


def _halley_step(u, a: float, b: float, c: float):
    """One weighted Halley step in its QR form: with [√c U; I] = [Q1; Q2] R,
    U ← (b/c) U + (a − b/c)/√c · Q1 Q2ᴴ (no inverse is formed)."""
    dtype = aval_of(u).dtype
    m, n = aval_of(u).shape
    e = b / c
    sqrt_c = c ** 0.5
    y = ops.concatenate([ops.mul(u, _const(np.array(sqrt_c, dtype))), _eye(n, dtype)], 0)
    q, _ = qr(y, full_matrices=False)
    q1, q2 = ops.slice_in_dim(q, 0, m, axis=0), ops.slice_in_dim(q, m, m + n, axis=0)
    step = ops.mul(ops.dot(q1, _H(q2)), _const(np.array((a - e) / sqrt_c, dtype)))
    return ops.add(ops.mul(u, _const(np.array(e, dtype))), step)


def _fro(x):
    return ops.sqrt(ops.reduce_sum(ops.real(ops.mul(x, ops.conj(x))) if aval_of(x).dtype.kind == "c"
                                   else ops.mul(x, x), (0, 1)))


def qdwh(x, *, is_hermitian: bool = False, max_iterations: int | None = None, eps: float | None = None,
         dynamic_shape: tuple[int, int] | None = None):
    """lax.linalg.qdwh: the polar decomposition x = u h (u with orthonormal columns, h Hermitian
    positive semidefinite) by the QR-based dynamically weighted Halley iteration.

    Returns (u, h, num_iters, is_converged), as JAX. x is (m, n) with m >= n. The weighted
    steps run first (at most `max_iterations`, default 10); then plain Halley steps (a, b, c)
    = (3, 1, 3) until ‖uₖ − uₖ₋₁‖_F <= (5 eps)^(1/3) or `max_iterations` steps in all. Every
    step is the QR form (JAX switches to an equivalent Cholesky form once c <= 100).
    `is_hermitian` is accepted and unused (as in JAX); `dynamic_shape` (padded inputs) is not
    implemented, except as the full shape.
    """
    from ..control_flow.loops import while_loop

    shape = templates.shape_of(x)
    if len(shape) != 2 or shape[0] < shape[1]:
        raise ValueError(f"lax.linalg.qdwh needs a matrix of shape (m, n) with m >= n, got shape {shape}")
    if dynamic_shape is not None and tuple(dynamic_shape) != tuple(shape):
        raise NotImplementedError("lax.linalg.qdwh: dynamic_shape smaller than the input's shape (padded "
                                  "inputs) is not implemented in nablax")
    _check_matrix("qdwh", aval_of(x))
    dtype = aval_of(x).dtype
    rdt = _real_dtype(dtype)
    max_iterations = 10 if max_iterations is None else int(max_iterations)
    eps = float(np.finfo(rdt).eps) if eps is None else float(eps)
    tol = _const(np.array((5.0 * eps) ** (1.0 / 3.0), rdt))
    absx = ops.abs(x)
    one_norm = ops.reduce_max(ops.reduce_sum(absx, (0,)), (0,))
    inf_norm = ops.reduce_max(ops.reduce_sum(absx, (1,)), (0,))
    zero = ops.eq(one_norm, _const(np.zeros((), rdt)))
    scale = ops.select(zero, _const(np.ones((), rdt)), ops.mul(ops.rsqrt(one_norm), ops.rsqrt(inf_norm)))
    u = ops.mul(x, _as(scale, dtype))
    not_converged = _const(np.array(True))
    schedule = _qdwh_schedule(eps, max_iterations)
    for a, b, c in schedule:
        u_prev, u = u, _halley_step(u, a, b, c)
        if c <= 100:  # where JAX tests convergence (its Cholesky-form steps)
            not_converged = ops.gt(_fro(ops.sub(u, u_prev)), tol)

    int_dtype = dtypes.canonicalize_dtype(np.int64)  # the iteration count is a weak Python-int counter

    def cond(state):
        k, _, going = state
        return ops.bitwise_and(going, ops.lt(k, wrap(np.array(max_iterations, int_dtype), True)))

    def body(state):
        k, u, _ = state
        u_next = _halley_step(u, 3.0, 1.0, 3.0)
        return ops.add(k, wrap(np.array(1, int_dtype), True)), u_next, ops.gt(_fro(ops.sub(u_next, u)), tol)

    k0 = wrap(np.array(len(schedule), int_dtype), True)
    num_iters, u, not_converged = while_loop(cond, body, (k0, u, not_converged))
    # One Newton–Schulz step polishes the orthogonality; then h = uᴴ x, symmetrized.
    u = ops.sub(ops.mul(u, _const(np.array(1.5, dtype))),
                ops.mul(ops.dot(u, ops.dot(_H(u), u)), _const(np.array(0.5, dtype))))
    h = ops.dot(_H(u), x)
    h = ops.mul(ops.add(h, _H(h)), _const(np.array(0.5, dtype)))
    return u, h, num_iters, ops.bitwise_not(not_converged)


__all__ = ["eigh", "svd", "qr", "qdwh", "SvdAlgorithm", "EighImplementation", "eigh_p", "svd_p", "qr_p"]
