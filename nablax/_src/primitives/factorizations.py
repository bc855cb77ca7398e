"""Linear-algebra primitives that factor or solve: triangular_solve, cholesky, lu, lu_pivots_to_permutation.

Every primitive takes matrices with leading batch dimensions (..., m, n); all operands of one
call have the same batch dimensions (as in JAX: no broadcasting between them), and the vmap
rules move the mapped axis to the front and bind once. The kernels are LAPACK/BLAS through
NumPy and SciPy; where SciPy's kernel is not stacked, impl loops over the stack.
"""
from __future__ import annotations

import functools

import numpy as np
import scipy.linalg.blas as _blas
import scipy.linalg.lapack as _lapack

from .. import ad_util, dtypes, ops
from ..array import wrap
from ..avals import ShapedArray, Zero
from . import taylor, templates
from ._define import aval_of, define_primitive
from .factorizations_more import cholesky_update, symmetric_product, tridiagonal_solve
from .linalg_common import (
    adjoint,
    checked_eager,
    front_batch,
    is_complex,
    matmul,
    matrix_transpose,
    require_inexact,
    require_rank,
    require_same_batch,
    triangle,
)

# ---------------------------------------------------------------------- triangular_solve

_TRSM = {np.dtype(t): getattr(_blas, p + "trsm") for t, p in
         (("float32", "s"), ("float64", "d"), ("complex64", "c"), ("complex128", "z"))}


def _triangular_solve_impl(xp, a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    """BLAS trsm per matrix (a loop over the stack: SciPy's trsm is not stacked).

    C-ordered arrays are Fortran-ordered transposes, so trsm solves the transposed system
    Xᵀ op(A)ᵀ = Bᵀ (or op(A)ᵀ Xᵀ = Bᵀ) on A's memory directly, and writes into one copy of b.
    """
    out = np.array(b, order="C")
    if out.size == 0:
        return out
    at = np.ascontiguousarray(a)
    # op(A)ᵀ in terms of M = Aᵀ (what trsm sees): A -> M; Aᵀ -> trans(M); Aᴴ -> conj-trans(M);
    # conj(A) -> conj(M), a conjugated copy.
    if transpose_a:
        trans = 2 if conjugate_a else 1
    elif conjugate_a:
        at, trans = np.conj(at), 0
    else:
        trans = 0
    trsm = _TRSM[out.dtype]
    side = 1 if left_side else 0
    lo = 0 if lower else 1
    diag = 1 if unit_diagonal else 0
    m, n = a.shape[-2:]
    flat_a = at.reshape(-1, m, n)
    flat_b = out.reshape((-1,) + out.shape[-2:])
    for i in range(flat_b.shape[0]):
        trsm(1.0, flat_a[i].T, flat_b[i].T, side=side, lower=lo, trans_a=trans, diag=diag, overwrite_b=1)
    return out


def _triangular_solve_abstract(a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    require_rank("triangular_solve", a, 2, 0)
    require_rank("triangular_solve", b, 2, 1)
    require_inexact("triangular_solve", a, 0)
    require_inexact("triangular_solve", b, 1)
    if a.dtype != b.dtype:
        raise TypeError(f"lax.linalg.triangular_solve requires arguments to have the same dtypes, got "
                        f"{a.dtype.name}, {b.dtype.name}")
    if a.shape[-1] != a.shape[-2]:
        raise ValueError(f"lax.linalg.triangular_solve: the first input must be a square matrix, got "
                         f"shape {a.shape}")
    common = b.shape[-2] if left_side else b.shape[-1]
    if a.shape[-1] != common:
        raise ValueError(f"lax.linalg.triangular_solve: incompatible shapes {a.shape} and {b.shape} "
                         f"(left_side={left_side})")
    require_same_batch("triangular_solve", (a, b), (2, 2))
    return ShapedArray(b.shape, b.dtype, a.weak_type and b.weak_type)


def _triangular_solve_jvp(primals, tangents, **params):
    a, b = primals
    ta, tb = tangents
    out = triangular_solve_p.bind(a, b, **params)
    total = Zero(aval_of(out).to_tangent_aval())
    if type(tb) is not Zero:
        total = ad_util.add_tangents(total, triangular_solve_p.bind(a, tb, **params))
    if type(ta) is not Zero:
        total = ad_util.add_tangents(total, _triangular_solve_da(ta, out, a, **params))
    return out, total


def _triangular_solve_da(ta, x, a, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    """Tangent of X from dA: op(A) X = B gives dX = -op(A)⁻¹ op(dA) X (X op(A) = B:
    dX = -X op(dA) op(A)⁻¹), dA restricted to the triangle the solve reads."""
    params = dict(left_side=left_side, lower=lower, transpose_a=transpose_a, conjugate_a=conjugate_a,
                  unit_diagonal=unit_diagonal)
    d = triangle(ta, lower, (-1 if lower else 1) if unit_diagonal else 0)
    if transpose_a:
        d = matrix_transpose(d)
    if conjugate_a and is_complex(d):
        d = ops.conj(d)
    d = ops.neg(d)
    m, n = aval_of(x).shape[-2:]
    # Solve against whichever of dA and X is smaller.
    if left_side:
        if m > n:
            return triangular_solve_p.bind(a, matmul(d, x), **params)
        return matmul(triangular_solve_p.bind(a, d, **params), x)
    if m < n:
        return triangular_solve_p.bind(a, matmul(x, d), **params)
    return matmul(x, triangular_solve_p.bind(a, d, **params))


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    """X = op(A)⁻¹ B is linear in B; its transpose is op(A)⁻ᵀ applied to the cotangent."""
    if type(ct) is Zero:
        return [None, None]
    return [None, triangular_solve_p.bind(a, ct, left_side=left_side, lower=lower,
                                          transpose_a=not transpose_a, conjugate_a=conjugate_a,
                                          unit_diagonal=unit_diagonal)]


def _triangular_solve_batch(args, dims, **params):
    a, b = args
    da, db = dims
    if da is None:
        return _triangular_solve_batch_b(a, b, db, params)
    size = templates.batch_size(args, dims)
    a = templates.bdim_to_front(a, da, size)
    b = templates.bdim_to_front(b, db, size)
    return triangular_solve_p.bind(a, b, **params), 0


def _triangular_solve_batch_b(a, b, db, params):
    """One matrix for the whole batch: fold the mapped axis of b into the axis the solve keeps
    independent (columns when solving from the left, rows from the right), one solve."""
    nd = templates.ndim_of(b)
    if params["left_side"]:
        b = templates.moveaxis(b, db, nd - 1)
        s = templates.shape_of(b)
        out = triangular_solve_p.bind(a, ops.reshape(b, s[:-3] + (s[-3], s[-2] * s[-1])), **params)
        return ops.reshape(out, s), nd - 1
    b = templates.moveaxis(b, db, nd - 3)
    s = templates.shape_of(b)
    out = triangular_solve_p.bind(a, ops.reshape(b, s[:-3] + (s[-3] * s[-2], s[-1])), **params)
    return ops.reshape(out, s), nd - 3


def _triangular_solve_jet(primals, series, **params):
    """X_k = op(A_0)⁻¹ B_k - sum_j op(A_0)⁻¹ op(A_j) X_{k-j} (the JVP's two terms, coefficient-wise)."""
    (a, b), (sa, sb) = primals, series
    xs = [triangular_solve_p.bind(a, b, **params)]
    for k in range(1, taylor.order_of(series) + 1):
        terms = [] if sb is None else [triangular_solve_p.bind(a, sb[k - 1], **params)]
        if sa is not None:
            terms += [_triangular_solve_da(sa[j - 1], xs[k - j], a, **params) for j in range(1, k + 1)]
        xs.append(taylor.add_all(terms))
    return xs[0], xs[1:]


triangular_solve_p = define_primitive(
    "triangular_solve",
    impl=_triangular_solve_impl,
    abstract_eval=_triangular_solve_abstract,
    eager=checked_eager(_triangular_solve_impl, _triangular_solve_abstract),
    jvp=_triangular_solve_jvp,
    batch=_triangular_solve_batch,
    linear=True,
    transpose=_triangular_solve_transpose,
    fresh_result=True,
    jet=_triangular_solve_jet,
)


def triangular_solve(a, b, *, left_side: bool = False, lower: bool = False, transpose_a: bool = False,
                     conjugate_a: bool = False, unit_diagonal: bool = False):
    """lax.linalg.triangular_solve: solve op(A) X = B (left_side) or X op(A) = B for X, A triangular.

    Only the `lower` (or upper) triangle of `a` is read; op(A) is A, Aᵀ (transpose_a), conj(A)
    (conjugate_a) or Aᴴ (both). A `b` with one axis fewer than `a` is a single vector.
    """
    conjugate_a = bool(conjugate_a) and aval_of(a).dtype.kind == "c"
    singleton = templates.ndim_of(b) == templates.ndim_of(a) - 1
    if singleton:
        b = ops.expand_dims(b, (templates.ndim_of(b) if left_side else templates.ndim_of(b) - 1,))
    out = triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                  transpose_a=bool(transpose_a), conjugate_a=conjugate_a,
                                  unit_diagonal=bool(unit_diagonal))
    if singleton:
        nd = templates.ndim_of(out)
        out = ops.squeeze(out, (nd - 1,) if left_side else (nd - 2,))
    return out





# ------------------------------------------------------------------------------ cholesky


_POTRF = {np.dtype(t): getattr(_lapack, p + "potrf") for t, p in
          (("float32", "s"), ("float64", "d"), ("complex64", "c"), ("complex128", "z"))}


def _cholesky_impl(xp, x):
    """LAPACK potrf per matrix, in place in one C-ordered copy of x (a loop over the stack:
    NumPy's stacked np.linalg.cholesky measured 10-20x slower here, see the notes). The C copy
    is the Fortran-ordered transpose, whose upper triangle is x's lower one, so potrf(upper)
    leaves Lᵀ in Fortran order, which is L in C order. A matrix that is not positive definite
    gives NaNs in its lower triangle, as JAX."""
    out = np.array(x, order="C")
    n = x.shape[-1]
    if out.size == 0:
        return out
    potrf = _POTRF[out.dtype]
    flat = out.reshape(-1, n, n)
    for i in range(flat.shape[0]):
        c, info = potrf(flat[i].T, lower=0, clean=1, overwrite_a=1)
        if info != 0:
            flat[i] = np.where(np.tri(n, dtype=bool), np.nan, 0)
        elif not np.may_share_memory(c, flat):  # (f2py copied after all)
            flat[i] = c.T
    return out


def _cholesky_abstract(x):
    require_rank("cholesky", x, 2)
    require_inexact("cholesky", x)
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"lax.linalg.cholesky: the input must be a square matrix, got shape {x.shape}")
    return x


@functools.lru_cache(maxsize=256)
def _phi_mask(n: int, dtype: np.dtype) -> np.ndarray:
    return (np.tri(n) - 0.5 * np.eye(n)).astype(dtype)


def _cholesky_jvp(primals, tangents):
    """Murray (2016): L̇ = L Φ(L⁻¹ Ȧ L⁻ᴴ), Φ the lower triangle with halved diagonal.

    The primitive reads only the lower triangle of its input (and the real part of its
    diagonal), so Ȧ is the Hermitian matrix that triangle of the input tangent defines."""
    (x,), (t,) = primals, tangents
    chol = cholesky_p.bind(x)
    if type(t) is Zero:
        return chol, Zero(aval_of(chol).to_tangent_aval())
    n = aval_of(chol).shape[-1]
    half = wrap(_phi_mask(n, aval_of(chol).dtype))
    low = ops.mul(t, half)  # (potrf reads the real part of the diagonal)
    sym = ops.add(low, adjoint(low))
    tmp = triangular_solve_p.bind(chol, sym, left_side=False, lower=True, transpose_a=True,
                                  conjugate_a=is_complex(chol), unit_diagonal=False)
    inner = triangular_solve_p.bind(chol, tmp, left_side=True, lower=True, transpose_a=False,
                                    conjugate_a=False, unit_diagonal=False)
    phi = ops.mul(inner, half)
    return chol, matmul(chol, phi)


cholesky_p = define_primitive(
    "cholesky",
    impl=_cholesky_impl,
    abstract_eval=_cholesky_abstract,
    eager=checked_eager(_cholesky_impl, _cholesky_abstract),
    jvp=_cholesky_jvp,
    batch=None,
    fresh_result=True,
)
cholesky_p.batch = front_batch(cholesky_p)


def symmetrize(x):
    """(x + xᴴ) / 2 over the last two axes; integer and bool input becomes the default float
    dtype (JAX's true division does the same)."""
    aval = aval_of(x)
    if aval.ndim < 2 or aval.shape[-1] != aval.shape[-2]:
        raise TypeError(f"lax.linalg.cholesky: symmetrize_input needs square matrices, got shape {aval.shape}")
    if aval.dtype.kind not in "fc":
        x = ops.convert_element_type(x, dtypes.canonicalize_dtype(np.float64))
        aval = aval_of(x)
    return ops.mul(ops.add(x, adjoint(x)), wrap(np.array(0.5, aval.dtype), True))


def cholesky(x, *, symmetrize_input: bool = True):
    """lax.linalg.cholesky: the lower factor L of A = L Lᴴ for (..., n, n) Hermitian positive
    definite A. symmetrize_input uses (A + Aᴴ)/2, else only A's lower triangle is read.
    A matrix that is not positive definite gives NaNs (no exception), as JAX. As in JAX,
    integer input is promoted by the symmetrization, and rejected without it."""
    if symmetrize_input:
        x = symmetrize(x)
    return cholesky_p.bind(x)


# ------------------------------------------------------------------------------------ lu

_GETRF = {np.dtype(t): getattr(_lapack, p + "getrf") for t, p in
          (("float32", "s"), ("float64", "d"), ("complex64", "c"), ("complex128", "z"))}


def _lu_impl(xp, x):
    """LAPACK getrf per matrix (a loop over the stack: SciPy's getrf is not stacked), on a
    Fortran-ordered copy; 0-based pivots, and the permutation they make."""
    m, n = x.shape[-2:]
    k = min(m, n)
    lu = np.empty(x.shape, x.dtype)
    pivots = np.zeros(x.shape[:-2] + (k,), np.int32)
    if x.size:
        getrf = _GETRF[x.dtype]
        flat_x = x.reshape(-1, m, n)
        flat_lu, flat_piv = lu.reshape(-1, m, n), pivots.reshape(flat_x.shape[0], k)
        for i in range(flat_x.shape[0]):
            flat_lu[i], flat_piv[i], _ = getrf(np.array(flat_x[i], order="F"), overwrite_a=1)  # a copy: never the input
    return lu, pivots, _pivots_to_permutation(pivots, m)


def _lu_abstract(x):
    require_rank("lu", x, 2)
    require_inexact("lu", x)
    m, n = x.shape[-2:]
    batch, weak = x.shape[:-2], x.weak_type
    return [x, ShapedArray(batch + (min(m, n),), np.int32, weak), ShapedArray(batch + (m,), np.int32, weak)]


def _permutation_matrix(perm, dtype):
    """P with P[..., i, j] = (perm[..., i] == j), so P @ A is A's rows in `perm` order."""
    m = aval_of(perm).shape[-1]
    onehot = ops.eq(ops.expand_dims(perm, (templates.ndim_of(perm),)), wrap(np.arange(m, dtype=np.int32)))
    return ops.convert_element_type(onehot, dtype)


def _lu_jvp(primals, tangents):
    """De Hoog, Anderssen & Lukas: with P A = L U and X = L⁻¹ P Ȧ U⁻¹, L̇ = L tril(X, -1) and
    U̇ = triu(X) U; the packed tangent is their sum. Rectangular L and U are padded to square
    unit-triangular matrices."""
    (x,), (t,) = primals, tangents
    lu, pivots, perm = lu_p.bind(x)
    aval = aval_of(lu)
    int_zeros = [Zero(aval_of(pivots).to_tangent_aval()), Zero(aval_of(perm).to_tangent_aval())]
    if type(t) is Zero:
        return [lu, pivots, perm], [Zero(aval.to_tangent_aval())] + int_zeros
    m, n = aval.shape[-2:]
    k = min(m, n)
    nd = aval.ndim
    keep = [(0, 0, 0)] * (nd - 2)
    zero = wrap(np.zeros((), aval.dtype))
    l_part = triangle(ops.slice_in_dim(lu, 0, k, axis=nd - 1), True, -1)
    l_mat = ops.add(ops.pad(l_part, zero, keep + [(0, 0, 0), (0, m - k, 0)]), wrap(np.eye(m, dtype=aval.dtype)))
    u_part = triangle(ops.slice_in_dim(lu, 0, k, axis=nd - 2), False)
    u_eye = np.zeros((n, n), aval.dtype)
    u_eye[k:, k:] = np.eye(n - k, dtype=aval.dtype)
    u_mat = ops.add(ops.pad(u_part, zero, keep + [(0, n - k, 0), (0, 0, 0)]), wrap(u_eye))
    pt = matmul(_permutation_matrix(perm, aval.dtype), t)
    solve = dict(transpose_a=False, conjugate_a=False)
    la = triangular_solve_p.bind(l_mat, pt, left_side=True, lower=True, unit_diagonal=True, **solve)
    lau = triangular_solve_p.bind(u_mat, la, left_side=False, lower=False, unit_diagonal=False, **solve)
    lu_dot = ops.add(matmul(l_mat, triangle(lau, True, -1)), matmul(triangle(lau, False), u_mat))
    return [lu, pivots, perm], [lu_dot] + int_zeros


lu_p = define_primitive(
    "lu",
    impl=_lu_impl,
    abstract_eval=_lu_abstract,
    eager=checked_eager(_lu_impl, _lu_abstract),
    jvp=_lu_jvp,
    batch=None,
    multiple_results=True,
)
lu_p.batch = front_batch(lu_p)


def lu(x):
    """lax.linalg.lu: (lu, pivots, permutation) with P A = L U, L unit lower (below lu's
    diagonal), U upper; pivots are LAPACK's 0-based row swaps (int32, min(m, n) of them) and
    permutation the row order they produce (int32, m)."""
    return lu_p.bind(x)


# ---------------------------------------------------------------------- lu_pivots_to_permutation


def _pivots_to_permutation(pivots: np.ndarray, size: int) -> np.ndarray:
    """Apply the row swaps i <-> pivots[..., i] in order to 0..size-1: a Python loop over the
    swaps of each matrix (few matrices), or over swap steps vectorized across the stack."""
    batch, k = pivots.shape[:-1], pivots.shape[-1]
    count = int(np.prod(batch, dtype=np.int64))
    perm = np.empty(batch + (size,), np.int32)
    flat_perm, flat_piv = perm.reshape(count, size), pivots.reshape(count, k)
    if flat_perm.shape[0] <= k:
        for row, piv in zip(flat_perm, flat_piv.tolist()):
            order = list(range(size))
            for i, j in enumerate(piv):
                order[i], order[j] = order[j], order[i]
            row[:] = order
        return perm
    flat_perm[...] = np.arange(size, dtype=np.int32)
    rows = np.arange(flat_perm.shape[0])
    for i in range(k):
        j = flat_piv[:, i]
        swapped = flat_perm[rows, j]
        flat_perm[rows, j] = flat_perm[:, i]
        flat_perm[:, i] = swapped
    return perm


def _lu_pivots_to_permutation_impl(xp, pivots, *, permutation_size):
    return _pivots_to_permutation(pivots, permutation_size)


def _lu_pivots_to_permutation_abstract(pivots, *, permutation_size):
    require_rank("lu_pivots_to_permutation", pivots, 1)
    if pivots.dtype != np.int32:
        raise TypeError(f"lax.linalg.lu_pivots_to_permutation needs int32 pivots, got {pivots.dtype.name}")
    if permutation_size < pivots.shape[-1]:
        raise ValueError(f"lax.linalg.lu_pivots_to_permutation: permutation_size {permutation_size} is "
                         f"smaller than the number of pivots {pivots.shape[-1]} (pivots shape {pivots.shape})")
    return ShapedArray(pivots.shape[:-1] + (permutation_size,), np.int32, pivots.weak_type)


lu_pivots_to_permutation_p = define_primitive(
    "lu_pivots_to_permutation",
    impl=_lu_pivots_to_permutation_impl,
    abstract_eval=_lu_pivots_to_permutation_abstract,
    eager=checked_eager(_lu_pivots_to_permutation_impl, _lu_pivots_to_permutation_abstract),
    differentiable=False,
    batch=None,
)
lu_pivots_to_permutation_p.batch = front_batch(lu_pivots_to_permutation_p)


def lu_pivots_to_permutation(pivots, permutation_size: int):
    """lax.linalg.lu_pivots_to_permutation: the permutation (int32, (..., permutation_size))
    that LU's row swaps `pivots` (int32, (..., k)) make of the identity order."""
    return lu_pivots_to_permutation_p.bind(pivots, permutation_size=int(permutation_size))


# (factorizations_more's wrappers are listed here too, so nablax.lax.linalg has them.)
__all__ = ["triangular_solve", "cholesky", "lu", "lu_pivots_to_permutation", "tridiagonal_solve",
           "cholesky_update", "symmetric_product"]
