"""More factor/solve primitives: tridiagonal_solve, cholesky_update, symmetric_product.

Same conventions as factorizations.py (leading batch dimensions shared by all operands, vmap
rules that move the mapped axis to the front and bind once, LAPACK kernels).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as _sl
import scipy.linalg.lapack as _lapack

from .. import ad_util, ops
from ..array import wrap
from ..avals import ShapedArray, Zero
from . import templates
from ._define import aval_of, define_primitive
from .factorizations_common import (
    checked_eager,
    matrix_transpose,
    require_inexact,
    require_rank,
    require_same_batch,
    triangle,
)


def _same_dtypes(opname: str, avals) -> None:
    if len({a.dtype for a in avals}) != 1:
        raise TypeError(f"lax.linalg.{opname} requires arguments to have the same dtypes, got "
                        f"{', '.join(a.dtype.name for a in avals)}")


def _not_differentiable(name: str):
    """The JVP of a primitive JAX has no derivative for: a NotImplementedError naming it."""

    def jvp(primals, tangents, **params):
        raise NotImplementedError(f"Differentiation rule for lax.linalg.{name} is not implemented (nor is it in JAX)")

    return jvp


# --------------------------------------------------------------------- tridiagonal_solve

_GTSV = {np.dtype(t): getattr(_lapack, p + "gtsv") for t, p in
         (("float32", "s"), ("float64", "d"), ("complex64", "c"), ("complex128", "z"))}


def _tridiagonal_solve_impl(xp, dl, d, du, b, *, perturb_singular):
    """LAPACK gtsv per system (a loop over the stack: SciPy's gtsv is not stacked); a singular
    system gives NaNs, as JAX on CPU."""
    if perturb_singular:
        raise NotImplementedError("lax.linalg.tridiagonal_solve: perturb_singular=True is not implemented "
                                  "in nablax (LAPACK's gtsv has no pivot perturbation)")
    m = b.shape[-2]
    out = np.empty(b.shape, b.dtype)
    if b.size == 0:
        return out
    if m == 1:
        return b / d[..., None]
    gtsv = _GTSV[b.dtype]
    flat = [x.reshape(-1, x.shape[-1]) for x in (dl, d, du)]
    flat_b, flat_out = b.reshape((-1,) + b.shape[-2:]), out.reshape((-1,) + b.shape[-2:])
    for i in range(flat_b.shape[0]):
        *_, x, info = gtsv(flat[0][i, 1:], flat[1][i], flat[2][i, :-1], flat_b[i])
        flat_out[i] = x if info == 0 else np.nan
    return out


def _tridiagonal_solve_abstract(dl, d, du, b, *, perturb_singular):
    for i, a in enumerate((dl, d, du)):
        require_rank("tridiagonal_solve", a, 1, i)
    require_rank("tridiagonal_solve", b, 2, 3)
    for i, a in enumerate((dl, d, du, b)):
        require_inexact("tridiagonal_solve", a, i)
    _same_dtypes("tridiagonal_solve", (dl, d, du, b))
    if not dl.shape == d.shape == du.shape:
        raise TypeError(f"lax.linalg.tridiagonal_solve requires the three diagonals to have the same shape, "
                        f"got {dl.shape}, {d.shape}, {du.shape}")
    if b.shape[:-1] != d.shape:
        raise TypeError(f"lax.linalg.tridiagonal_solve requires b's leading ndim-1 dimensions to equal the "
                        f"diagonals' shape, got b shape {b.shape} and diagonals shape {d.shape}")
    return ShapedArray(b.shape, b.dtype, all(a.weak_type for a in (dl, d, du, b)))


def _tridiagonal_product(dl, d, du, x):
    """T x for the tridiagonal T = (dl, d, du) and x of shape (..., m, k)."""
    nd = templates.ndim_of(x)
    m = templates.shape_of(x)[-2]
    zero = wrap(np.zeros((), aval_of(x).dtype))
    keep = [(0, 0, 0)] * (nd - 2) + [None, (0, 0, 0)]

    def col(v):
        return ops.expand_dims(v, (nd - 1,))

    y = ops.mul(col(d), x)
    if m > 1:
        keep[nd - 2] = (1, 0, 0)
        below = ops.mul(col(ops.slice_in_dim(dl, 1, m, axis=nd - 2)), ops.slice_in_dim(x, 0, m - 1, axis=nd - 2))
        y = ops.add(y, ops.pad(below, zero, keep))
        keep[nd - 2] = (0, 1, 0)
        above = ops.mul(col(ops.slice_in_dim(du, 0, m - 1, axis=nd - 2)), ops.slice_in_dim(x, 1, m, axis=nd - 2))
        y = ops.add(y, ops.pad(above, zero, keep))
    return y


def _tridiagonal_solve_jvp(primals, tangents, *, perturb_singular):
    """T x = b gives T ẋ = ḃ - Ṫ x."""
    dl, d, du, b = primals
    tdl, td, tdu, tb = tangents
    out = tridiagonal_solve_p.bind(dl, d, du, b, perturb_singular=perturb_singular)
    rhs = tb
    if not all(type(t) is Zero for t in (tdl, td, tdu)):
        diags = [ad_util.instantiate(t) for t in (tdl, td, tdu)]
        rhs = ad_util.add_tangents(rhs, ops.neg(_tridiagonal_product(*diags, out)))
    if type(rhs) is Zero:
        return out, Zero(aval_of(out).to_tangent_aval())
    return out, tridiagonal_solve_p.bind(dl, d, du, rhs, perturb_singular=perturb_singular)


def _tridiagonal_solve_transpose(ct, dl, d, du, b, *, perturb_singular):
    """Linear in b: the transpose solves with Tᵀ, whose sub-diagonal is T's super-diagonal."""
    if type(ct) is Zero:
        return [None] * 4
    nd = templates.ndim_of(d)
    zero = wrap(np.zeros((), aval_of(d).dtype))
    keep = [(0, 0, 0)] * (nd - 1)
    dl_t = ops.pad(du, zero, keep + [(1, -1, 0)])  # [0, du[:-1]]
    du_t = ops.pad(dl, zero, keep + [(-1, 1, 0)])  # [dl[1:], 0]
    return [None, None, None, tridiagonal_solve_p.bind(dl_t, d, du_t, ct, perturb_singular=perturb_singular)]


def _tridiagonal_solve_batch(args, dims, *, perturb_singular):
    dl, d, du, b = args
    if all(dim is None for dim in dims[:3]):
        # One system for the whole batch: the mapped axis of b becomes more right-hand sides.
        nd = templates.ndim_of(b)
        b = templates.moveaxis(b, dims[3], nd - 1)
        s = templates.shape_of(b)
        out = tridiagonal_solve_p.bind(dl, d, du, ops.reshape(b, s[:-2] + (s[-2] * s[-1],)),
                                       perturb_singular=perturb_singular)
        return ops.reshape(out, s), nd - 1
    size = templates.batch_size(args, dims)
    args = [templates.bdim_to_front(a, dim, size) for a, dim in zip(args, dims)]
    return tridiagonal_solve_p.bind(*args, perturb_singular=perturb_singular), 0


tridiagonal_solve_p = define_primitive(
    "tridiagonal_solve",
    impl=_tridiagonal_solve_impl,
    abstract_eval=_tridiagonal_solve_abstract,
    eager=checked_eager(_tridiagonal_solve_impl, _tridiagonal_solve_abstract),
    jvp=_tridiagonal_solve_jvp,
    batch=_tridiagonal_solve_batch,
    linear=True,
    transpose=_tridiagonal_solve_transpose,
)


def tridiagonal_solve(dl, d, du, b, *, perturb_singular: bool = False):
    """lax.linalg.tridiagonal_solve: X with T X = B, T tridiagonal with sub-diagonal dl
    (dl[..., 0] = 0 is not read), diagonal d and super-diagonal du (du[..., -1] is not read);
    b is (..., m, k). A singular T gives NaNs. perturb_singular=True is not implemented."""
    return tridiagonal_solve_p.bind(dl, d, du, b, perturb_singular=bool(perturb_singular))


# ------------------------------------------------------------------------ cholesky_update


def _cholesky_update_impl(xp, r, w):
    """Rᵀ R + w wᵀ = R'ᵀ R' with R' the R of [R; wᵀ] (SciPy's O(n²) Givens qr_insert on Q = I,
    one matrix at a time), rows signed for a positive diagonal."""
    n = r.shape[-1]
    out = np.empty(r.shape, r.dtype)
    flat_r, flat_w, flat_out = r.reshape(-1, n, n), w.reshape(-1, n), out.reshape(-1, n, n)
    eye = np.eye(n, dtype=r.dtype)
    for i in range(flat_r.shape[0]):
        _, new = _sl.qr_insert(eye, np.triu(flat_r[i]), flat_w[i], n, which="row", check_finite=False)
        new = new[:n]
        flat_out[i] = new * np.where(np.diagonal(new) < 0, -1, 1).astype(r.dtype)[:, None]
    return out


def _cholesky_update_abstract(r, w):
    require_rank("cholesky_update", r, 2, 0)
    require_rank("cholesky_update", w, 1, 1)
    for i, a in enumerate((r, w)):
        if a.dtype.kind != "f":
            raise TypeError(f"lax.linalg.cholesky_update does not accept dtype {a.dtype.name} at position {i}; "
                            "it needs a real floating array")
    _same_dtypes("cholesky_update", (r, w))
    if r.shape[-1] != r.shape[-2] or w.shape[-1] != r.shape[-1]:
        raise ValueError(f"lax.linalg.cholesky_update takes a square matrix and a vector of its size, got "
                         f"shapes {r.shape} and {w.shape}")
    require_same_batch("cholesky_update", (r, w), (2, 1))
    return ShapedArray(r.shape, r.dtype, r.weak_type and w.weak_type)


def _cholesky_update_batch(args, dims):
    size = templates.batch_size(args, dims)
    r, w = (templates.bdim_to_front(a, dim, size) for a, dim in zip(args, dims))
    return cholesky_update_p.bind(r, w), 0


cholesky_update_p = define_primitive(
    "cholesky_update",
    impl=_cholesky_update_impl,
    abstract_eval=_cholesky_update_abstract,
    eager=checked_eager(_cholesky_update_impl, _cholesky_update_abstract),
    jvp=_not_differentiable("cholesky_update"),
    batch=_cholesky_update_batch,
)


def cholesky_update(r_matrix, w_vector):
    """lax.linalg.cholesky_update: the upper Cholesky factor of Rᵀ R + w wᵀ, in O(n²), from the
    upper factor R (n, n) and w (n,). Real floating inputs of rank exactly 2 and 1, as JAX (vmap
    works); not differentiable, as in JAX."""
    ra, wa = aval_of(r_matrix), aval_of(w_vector)
    if ra.ndim != 2 or wa.ndim != 1:
        raise TypeError(f"lax.linalg.cholesky_update takes a matrix of rank 2 and a vector of rank 1, got "
                        f"shapes {ra.shape} and {wa.shape}")
    return cholesky_update_p.bind(r_matrix, w_vector)


# ---------------------------------------------------------------------- symmetric_product


def _symmetric_product_impl(xp, a, c, *, alpha, beta):
    """alpha A Aᵀ + beta C, the whole matrix (as JAX on CPU)."""
    out = np.matmul(a, np.swapaxes(a, -1, -2))
    out *= alpha
    if beta != 0:
        out += beta * c
    return out


def _symmetric_product_abstract(a, c, *, alpha, beta):
    require_rank("symmetric_product", a, 2, 0)
    require_rank("symmetric_product", c, 2, 1)
    for i, x in enumerate((a, c)):
        if x.dtype.kind != "f":
            raise TypeError(f"lax.linalg.symmetric_product does not accept dtype {x.dtype.name} at position "
                            f"{i}; it needs a real floating array")
    _same_dtypes("symmetric_product", (a, c))
    if a.shape[-2] != c.shape[-1] or c.shape[-1] != c.shape[-2]:
        raise ValueError(f"lax.linalg.symmetric_product expects a matrix of shape (m, n) and a square matrix "
                         f"of shape (m, m), got shapes {a.shape} and {c.shape}")
    require_same_batch("symmetric_product", (a, c), (2, 2))
    return ShapedArray(c.shape, c.dtype, a.weak_type and c.weak_type)


def _symmetric_product_batch(args, dims, **params):
    size = templates.batch_size(args, dims)
    a, c = (templates.bdim_to_front(x, dim, size) for x, dim in zip(args, dims))
    return symmetric_product_p.bind(a, c, **params), 0


symmetric_product_p = define_primitive(
    "symmetric_product",
    impl=_symmetric_product_impl,
    abstract_eval=_symmetric_product_abstract,
    eager=checked_eager(_symmetric_product_impl, _symmetric_product_abstract),
    jvp=_not_differentiable("symmetric_product"),
    batch=_symmetric_product_batch,
)


def symmetric_product(a_matrix, c_matrix, *, alpha: float = 1.0, beta: float = 0.0,
                      symmetrize_output: bool = False):
    """lax.linalg.symmetric_product: alpha A Aᵀ + beta C for A (..., m, n), C (..., m, m); real
    floating only and not differentiable, as in JAX. symmetrize_output mirrors the lower
    triangle into the upper one."""
    out = symmetric_product_p.bind(a_matrix, c_matrix, alpha=float(alpha), beta=float(beta))
    if symmetrize_output:
        out = ops.add(triangle(out, True), matrix_transpose(triangle(out, True, -1)))
    return out


__all__ = ["tridiagonal_solve", "cholesky_update", "symmetric_product"]
