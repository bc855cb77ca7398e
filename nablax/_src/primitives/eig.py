"""Linear-algebra primitives for general (non-symmetric) matrices: eig and schur.

Both call SciPy's LAPACK once per matrix of the stack (its wrappers are not stacked): eig
its geev (the call scipy.linalg.eig makes), schur `scipy.linalg.schur` (gees). Outputs are
LAPACK's, as on JAX's CPU backend (which links the same LAPACK): eigenvectors of unit 2-norm
whose largest-magnitude component is real.

The condensed forms (hessenberg, tridiagonal, householder_product, ormqr) live in
eig_householder.py and the symmetric tridiagonal eigensolver in eig_tridiagonal.py; their
wrappers are re-exported here, so `nablax.lax.linalg` has them all.
"""
from __future__ import annotations

import enum
import warnings
from typing import Any, Callable

import numpy as np
import scipy.linalg
from scipy.linalg import lapack

from .. import ops
from ..ad_util import instantiate
from ..avals import ShapedArray, Zero
from ._define import aval_of, define_primitive
from .eig_householder import *  # noqa: F403
from .eig_householder import __all__ as _householder_all
from .eig_util import (
    COMPLEX_OF,
    checked_eager,
    diagonal,
    front_batch,
    gap_reciprocals,
    matmul,
    mH,
    nan_on_failure,
    not_differentiable,
    per_matrix,
    require_inexact,
    require_square,
)


class EigImplementation(enum.Enum):
    """Which eig kernel to use (only LAPACK exists on the CPU, as in JAX)."""

    CUSOLVER = "cusolver"
    MAGMA = "magma"
    LAPACK = "lapack"


# ------------------------------------------------------------------------------------ eig

_GEEV: dict = {}


def _geev_kernel(m, left: bool, right: bool):
    """SciPy's geev for m's dtype and its optimal workspace size (as scipy.linalg.eig queries it),
    cached per (dtype, n, flags): the per-matrix call is the cost of a stacked eig."""
    key = (m.dtype.char, m.shape[0], left, right)
    hit = _GEEV.get(key)
    if hit is None:
        geev, geev_lwork = lapack.get_lapack_funcs(("geev", "geev_lwork"), (m,))
        work, _ = geev_lwork(m.shape[0], compute_vl=left, compute_vr=right)
        # (a float32 workspace size may be rounded down: round up past it)
        lwork = max(1, int(np.ceil(np.float64(np.real(work)) * (1 + 2 ** -20))))
        hit = _GEEV[key] = (geev, lwork)
    return hit


def _paired_eigvecs(wi, v, cdt):
    """Real geev packs a complex pair's eigenvectors as (re, im) in columns j, j+1 (wi_j > 0)."""
    out = v.astype(cdt)
    first = np.flatnonzero(wi > 0)
    if first.size:
        out[:, first] = v[:, first] + 1j * v[:, first + 1]
        out[:, first + 1] = np.conj(out[:, first])
    return out


def _eig_one(m, left: bool, right: bool):
    geev, lwork = _geev_kernel(m, left, right)
    if m.dtype.kind == "c":
        w, vl, vr, info = geev(m, compute_vl=left, compute_vr=right, lwork=lwork)
    else:
        wr, wi, vl, vr, info = geev(m, compute_vl=left, compute_vr=right, lwork=lwork)
        w = wr + 1j * wi
        cdt = COMPLEX_OF[m.dtype]
        vl = _paired_eigvecs(wi, vl, cdt) if left else vl
        vr = _paired_eigvecs(wi, vr, cdt) if right else vr
    if info != 0:
        return None
    return (w,) + (vl,) * left + (vr,) * right


_eig_one_safe = nan_on_failure(_eig_one)


def _eig_impl(xp, x, *, compute_left_eigenvectors, compute_right_eigenvectors, enable_eigvec_derivs,
              implementation):
    """geev once per matrix of the stack, through SciPy's wrapper: its LAPACK is the one JAX's CPU backend
    calls (NumPy's stacked np.linalg.eig links another build, whose single-precision
    eigenvector signs and eigenvalue order can differ)."""
    cdt = COMPLEX_OF[x.dtype]
    left, right = compute_left_eigenvectors, compute_right_eigenvectors
    n = x.shape[-1]
    shapes = [(n,)] + [(n, n)] * (left + right)
    return per_matrix(lambda m: _eig_one_safe(m, left, right), [x], x.shape[:-2], shapes, [cdt] * len(shapes))


def _eig_abstract(x: ShapedArray, *, compute_left_eigenvectors, compute_right_eigenvectors,
                  enable_eigvec_derivs, implementation):
    require_inexact("eig", x)
    require_square("eig", x)
    if implementation is not None and implementation != EigImplementation.LAPACK:
        raise ValueError("lax.linalg.eig: only the LAPACK implementation is supported on the CPU, "
                         f"got {implementation}")
    cdt = COMPLEX_OF[x.dtype]
    count = compute_left_eigenvectors + compute_right_eigenvectors
    return [ShapedArray(x.shape[:-1], cdt, x.weak_type)] + [ShapedArray(x.shape, cdt, x.weak_type)] * count


def _eigvec_tangent(w, v, p):
    """Tangent of LAPACK-normalised eigenvectors v (columns) of a matrix whose perturbation in
    the eigenbasis is p = V⁻¹ dA V (non-degenerate perturbation theory, e.g. Giles 2008 §3.1):
    dv_j = u_j + c_j v_j with u = V (F ∘ p), c_j fixed by the two real constraints of geev's
    normalisation: |v_j| = 1 and v_j's largest-magnitude component (row k_j) stays real."""
    u = matmul(v, ops.mul(gap_reciprocals(w), p))
    rows = aval_of(v).ndim - 2
    k = ops.argmax(ops.abs(v), rows, np.int32)
    mask = ops.convert_element_type(
        ops.eq(ops.broadcasted_iota(np.int32, aval_of(v).shape, rows), ops.expand_dims(k, (rows,))),
        aval_of(v).dtype)
    re = ops.neg(ops.real(ops.reduce_sum(ops.mul(ops.conj(v), u), (rows,))))
    im = ops.neg(ops.div(ops.imag(ops.reduce_sum(ops.mul(mask, u), (rows,))),
                         ops.real(ops.reduce_sum(ops.mul(mask, v), (rows,)))))
    return ops.add(u, ops.mul(v, ops.expand_dims(ops.complex(re, im), (rows,))))


def _eig_jvp(primals, tangents, *, compute_left_eigenvectors, compute_right_eigenvectors,
             enable_eigvec_derivs, implementation):
    """Eigenvalues: dw_i = (V⁻¹ dA V)_ii. V⁻¹ is read off the left eigenvectors (Vlᴴ Vr is
    diagonal for distinct eigenvalues), so no solve is needed, and the rule is differentiable
    again (the inner eig has eigenvector derivatives on). Eigenvectors: see _eigvec_tangent,
    only with enable_eigvec_derivs=True, as in JAX (the normalisation it differentiates through
    is only smooth for distinct eigenvalues and an untied largest component)."""
    (x,), (dx,) = primals, tangents
    left, right = compute_left_eigenvectors, compute_right_eigenvectors
    if (left or right) and not enable_eigvec_derivs:
        raise NotImplementedError(
            "Derivatives of eigenvectors of lax.linalg.eig are only valid for inputs with distinct "
            "eigenvalues and eigenvectors whose largest-magnitude component is not tied, which cannot "
            "be checked; pass enable_eigvec_derivs=True to opt in (as in JAX).")
    w, vl, vr = eig_p.bind(x, compute_left_eigenvectors=True, compute_right_eigenvectors=True,
                           enable_eigvec_derivs=True, implementation=implementation)
    primal = [w] + [vl] * left + [vr] * right
    if type(dx) is Zero:
        return primal, [Zero(aval_of(o).to_tangent_aval()) for o in primal]
    cdt = aval_of(w).dtype
    dx = instantiate(dx)
    if aval_of(dx).dtype != cdt:
        dx = ops.convert_element_type(dx, cdt)
    nd = aval_of(x).ndim
    m = matmul(matmul(mH(vl), dx), vr)  # Vlᴴ dA Vr = D (V⁻¹ dA V), D = diag(vl_iᴴ vr_i)
    d = ops.reduce_sum(ops.mul(ops.conj(vl), vr), (nd - 2,))
    p = ops.div(m, ops.expand_dims(d, (nd - 1,)))
    tangent = [diagonal(p)]
    if left:  # vl are the right eigenvectors of Aᴴ (eigenvalues conj(w)); Vl⁻¹ dAᴴ Vl = (m / d_j)ᴴ
        pl = mH(ops.div(m, ops.expand_dims(d, (nd - 2,))))
        tangent.append(_eigvec_tangent(ops.conj(w), vl, pl))
    if right:
        tangent.append(_eigvec_tangent(w, vr, p))
    return primal, tangent


eig_p = define_primitive(
    "eig",
    impl=_eig_impl,
    abstract_eval=_eig_abstract,
    jvp=_eig_jvp,
    batch=None,
    eager=checked_eager(_eig_impl, _eig_abstract),
    multiple_results=True,
)
eig_p.batch = front_batch(eig_p)


def eig(x: Any, *, compute_left_eigenvectors: bool = True, compute_right_eigenvectors: bool = True,
        enable_eigvec_derivs: bool = False, implementation: EigImplementation | None = None,
        use_magma: bool | None = None) -> list:
    """lax.linalg.eig: [w, vl?, vr?] of a (stack of) square matrices, complex outputs.

    vl holds left eigenvectors (vl_jᴴ A = w_j vl_jᴴ), vr right ones (A vr_j = w_j vr_j), as
    columns. Eigenvalues are differentiable; eigenvectors only with enable_eigvec_derivs=True.
    A matrix LAPACK cannot decompose (NaNs, no convergence) gives NaN outputs."""
    if use_magma is not None:
        warnings.warn("use_magma is deprecated; pass implementation=EigImplementation.MAGMA instead",
                      DeprecationWarning, stacklevel=2)
        implementation = EigImplementation.MAGMA if use_magma else EigImplementation.LAPACK
    return eig_p.bind(x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
                      compute_right_eigenvectors=bool(compute_right_eigenvectors),
                      enable_eigvec_derivs=bool(enable_eigvec_derivs), implementation=implementation)


# ---------------------------------------------------------------------------------- schur

def _schur_one(m, output: str):
    return scipy.linalg.schur(m, output=output, check_finite=False)


_schur_one_safe = nan_on_failure(_schur_one)


def _schur_impl(xp, x, *, compute_schur_vectors, sort_eig_vals, select_callable):
    """gees once per matrix of the stack (SciPy's kernel is not stacked): the real Schur form
    (2×2 blocks for complex pairs) for real input, the triangular one for complex input."""
    output = "complex" if x.dtype.kind == "c" else "real"
    n = x.shape[-1]
    t, z = per_matrix(lambda m: _schur_one_safe(m, output), [x], x.shape[:-2], [(n, n)] * 2, [x.dtype] * 2)
    return [t, z] if compute_schur_vectors else [t]


def _schur_abstract(x: ShapedArray, *, compute_schur_vectors, sort_eig_vals, select_callable):
    require_inexact("schur", x)
    require_square("schur", x)
    return [ShapedArray(x.shape, x.dtype, x.weak_type)] * (1 + bool(compute_schur_vectors))


schur_p = define_primitive(
    "schur",
    impl=_schur_impl,
    abstract_eval=_schur_abstract,
    jvp=not_differentiable("schur"),
    batch=None,
    eager=checked_eager(_schur_impl, _schur_abstract),
    multiple_results=True,
)
schur_p.batch = front_batch(schur_p)


def schur(x: Any, *, compute_schur_vectors: bool = True, sort_eig_vals: bool = False,
          select_callable: Callable[..., Any] | None = None) -> list:
    """lax.linalg.schur: [T, Z] with A = Z T Zᴴ ([T] without Schur vectors).

    As in JAX, `sort_eig_vals` and `select_callable` are accepted and unused (no reordering).
    Not differentiable (JAX has no rule)."""
    return schur_p.bind(x, compute_schur_vectors=bool(compute_schur_vectors), sort_eig_vals=sort_eig_vals,
                        select_callable=select_callable)


__all__ = ["eig", "EigImplementation", "schur", *_householder_all]
