"""Matrix functions of jax.scipy.linalg: expm, expm_frechet, funm, sqrtm, polar, rsf2csf, solve_sylvester.

All are compositions of lax/jnp operations and the linalg primitives, so they trace under
jit and vmap and are differentiable where their pieces are. expm is Padé approximation with
scaling and squaring (Higham 2005, the degrees and thresholds JAX uses), written with
lax.switch/scan/cond so that autodiff goes through it; expm_frechet is its JVP (as JAX).
The triangular recurrences of funm (Schur–Parlett, Golub & Van Loan alg. 11.1.1) and sqrtm
(Björck & Hammarling) fill one superdiagonal at a time, vectorized along the diagonal.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import dtypes
from . import numpy as jnp
from .api import jvp, vmap
from .control_flow.cond import cond, switch
from .control_flow.loops import scan
from .core import Tracer
from .numpy import linalg_module as jnp_linalg
from .numpy.promotion import promote_args_inexact
from .primitives import eig as eig_prims
from .primitives import spectral
from .scipy_linalg_solve import schur, solve_triangular

__all__ = ["expm", "expm_frechet", "funm", "polar", "rsf2csf", "solve_sylvester", "sqrtm"]


def _mH(x):
    return jnp.conj(jnp.swapaxes(x, -1, -2))


def _over_batch(fn, x, core: int = 2):
    """fn on the (..., core dims) array x: fn itself when x has no batch dims, else vmap over them."""
    batch = x.shape[:x.ndim - core]
    if not batch:
        return fn(x)
    flat = jnp.reshape(x, (-1,) + x.shape[x.ndim - core:])
    out = vmap(fn)(flat)
    return jnp.reshape(out, batch + out.shape[1:])


# expm: Padé approximants r_m = (V - U)^{-1} (V + U) of degree m (Higham 2005, table 2.3).

_PADE_COEFFS = {
    3: (120.0, 60.0, 12.0, 1.0),
    5: (30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0),
    7: (17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0),
    9: (17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0, 110880.0,
        3960.0, 90.0, 1.0),
    13: (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
         129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
         40840800.0, 960960.0, 16380.0, 182.0, 1.0),
}
# theta_m: the largest 1-norm for which degree m is accurate, and the norm scaled down to.
_THETAS = {
    np.dtype("float64"): ((0.01495585217958292, 0.253939833006323, 0.9504178996162932,
                           2.097847961257068), 5.371920351148152, (3, 5, 7, 9, 13)),
    np.dtype("float32"): ((0.4258730016922831, 1.880152677804762), 3.92572478313866, (3, 5, 7)),
}


def _pade(m: int):
    """(U, V) of the degree-m Padé approximant: U the odd part, V the even part."""
    b = _PADE_COEFFS[m]

    def uv(a):
        eye = jnp.eye(a.shape[-1], dtype=a.dtype)
        a2 = a @ a
        if m == 13:
            a4 = a2 @ a2
            a6 = a4 @ a2
            u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
            v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
            return u, v
        powers = [eye, a2]
        for _ in range(2, m // 2 + 1):
            powers.append(powers[-1] @ a2)
        odd = sum(b[2 * i + 1] * p for i, p in enumerate(powers))
        even = sum(b[2 * i] * p for i, p in enumerate(powers))
        return a @ odd, even
    return uv


def _real_dtype(dtype: np.dtype) -> np.dtype:
    return np.finfo(dtype).dtype


def _expm_2d(a, upper_triangular: bool, max_squarings: int):
    try:
        conds, maxnorm, degrees = _THETAS[_real_dtype(a.dtype)]
    except KeyError:
        raise TypeError(f"A.dtype={a.dtype} is not supported.") from None
    norm1 = jnp.max(jnp.sum(jnp.abs(a), axis=-2), axis=-1)
    n_squarings = jnp.maximum(0, jnp.floor(jnp.log2(norm1 / maxnorm)))
    a = a / (2 ** n_squarings).astype(a.dtype)
    idx = jnp.sum(jnp.asarray(np.asarray(conds, norm1.dtype)) <= norm1).astype(np.int32)
    # Eagerly (concrete values) the degree and the number of squarings are known: plain Python
    # control flow, no switch/scan dispatch. Traced (jit, vmap, autodiff), lax control flow.
    concrete = not isinstance(a, Tracer)
    if concrete:
        u, v = _pade(degrees[int(idx)])(a)
    else:
        u, v = switch(idx, [_pade(m) for m in degrees], a)
    p, q = v + u, v - u
    r = solve_triangular(q, p) if upper_triangular else jnp_linalg.solve(q, p)
    if concrete:
        for _ in range(min(int(n_squarings), max_squarings)):
            r = r @ r
    else:
        def step(x, i):
            return cond(i < n_squarings, lambda y: y @ y, lambda y: y, x), None
        r, _ = scan(step, r, jnp.arange(max_squarings, dtype=n_squarings.dtype))
    return jnp.where(n_squarings > max_squarings, jnp.full_like(r, np.nan), r)


def expm(A, *, upper_triangular: bool = False, max_squarings: int = 16):
    """The matrix exponential of the (batched) square A; NaN where more than max_squarings are needed."""
    A, = promote_args_inexact("expm", A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"Expected A to be a (batched) square matrix, got A.shape={A.shape}.")
    return _over_batch(lambda x: _expm_2d(x, upper_triangular, max_squarings), A)


def expm_frechet(A, E, *, method: str | None = None, compute_expm: bool = True):
    """(expm(A), L(A, E)): the Fréchet derivative of expm at A in direction E (the JVP of expm)."""
    del method
    A, E = jnp.asarray(A), jnp.asarray(E)
    if A.ndim < 2 or A.shape[-2] != A.shape[-1]:
        raise ValueError(f"expected A to be a (batched) square matrix, got A.shape={A.shape}")
    if E.ndim < 2 or E.shape[-2] != E.shape[-1]:
        raise ValueError(f"expected E to be a (batched) square matrix, got E.shape={E.shape}")
    if A.shape != E.shape:
        raise ValueError(f"expected A and E to be the same shape, got A.shape={A.shape} E.shape={E.shape}")
    expm_a, frechet = jvp(expm, (A,), (E,))
    return (expm_a, frechet) if compute_expm else frechet


# Triangular recurrences, one superdiagonal p at a time: entry (i, i + p) for all i at once.

def _superdiag_sums(x, y, p: int):
    """sum_k x[i, k] y[k, i + p] for i = 0 .. n-p-1."""
    n = x.shape[-1]
    return jnp.sum(x[:n - p, :] * jnp.swapaxes(y[:, p:], 0, 1), axis=1)


def _set_superdiag(f, values, p: int):
    return f + jnp.diag(values, k=p)


def _schur_parlett(t, fdiag):
    """F = f(T) for upper-triangular T from f of its diagonal; and min |t_jj - t_ii| (for disp=False)."""
    n = t.shape[-1]
    f = jnp.diag(fdiag)
    d = jnp.diagonal(t)
    minden = jnp.abs(t[0, 0])
    for p in range(1, n):
        s = _superdiag_sums(t, f, p) - _superdiag_sums(f, t, p)
        den = d[p:] - d[:n - p]
        s = jnp.where(den != 0, s / jnp.where(den != 0, den, 1), s)
        f = _set_superdiag(f, s, p)
        minden = jnp.minimum(minden, jnp.min(jnp.abs(den)))
    return f, minden


def funm(A, func: Callable, disp: bool = True):
    """f(A) for a scalar function f by the Schur–Parlett recurrence (complex Schur form of A).

    With disp=False returns (F, err), err an estimate of the relative error (as SciPy/JAX).
    """
    A = jnp.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError("expected square array_like input")
    t, z = rsf2csf(*schur(A))
    fdiag = jnp.asarray(func(jnp.diagonal(t))).astype(t.dtype)
    f, minden = _schur_parlett(t, fdiag)
    f = z @ f @ _mH(z)
    if disp:
        return f
    tol = float(np.finfo(_real_dtype(f.dtype)).eps)
    minden = jnp.where(minden == 0.0, tol, minden)
    strict = jnp.triu(t, 1)
    norm1 = jnp.max(jnp.sum(jnp.abs(strict), axis=0))
    err = jnp.where(jnp.any(jnp.isinf(f)), np.inf, jnp.minimum(1, jnp.maximum(tol, tol / minden * norm1)))
    return f, err


def _sqrtm_triu(t):
    """The upper-triangular square root U of upper-triangular T (U @ U = T)."""
    n = t.shape[-1]
    root = jnp.sqrt(jnp.diagonal(t))
    u = jnp.diag(root)
    for p in range(1, n):
        s = _superdiag_sums(u, u, p)
        tij = jnp.diagonal(t, offset=p)
        val = jnp.where(tij == s, 0.0, (tij - s) / (root[:n - p] + root[p:]))
        u = _set_superdiag(u, val, p)
    return u


def sqrtm(A, blocksize: int = 1):
    """The principal square root of the square matrix A (complex result, via the complex Schur form)."""
    if blocksize > 1:
        raise NotImplementedError("Blocked version is not implemented yet.")
    t, z = schur(A, output="complex")
    return z @ _sqrtm_triu(t) @ _mH(z)


def polar(a, side: str = "right", *, method: str = "qdwh", eps: float | None = None,
          max_iterations: int | None = None):
    """(u, p) with a = u p (side 'right') or a = p u ('left'); u unitary, p Hermitian PSD.

    Both methods compute the factors from the SVD (u = U Vh, p = V S Vh or U S Uh). The polar
    factors of a full-rank matrix are unique, so method='qdwh' agrees with JAX's QDWH
    iteration to rounding; its shape restrictions (JAX's) are kept. eps and max_iterations
    (QDWH's controls) are accepted and unused.
    """
    del eps, max_iterations
    a = jnp.asarray(a)
    if a.ndim < 2:
        raise ValueError("The input `a` must be at least a 2-D array.")
    if side not in ("right", "left"):
        raise ValueError("The argument `side` must be either 'right' or 'left'.")
    if method not in ("qdwh", "svd"):
        raise ValueError(f"Unknown polar decomposition method {method}.")
    m, n = a.shape[-2:]
    if method == "qdwh" and ((side == "right" and m < n) or (side == "left" and m >= n)):
        raise NotImplementedError(
            "method='qdwh' only supports mxn matrices where m < n where side='right' and m >= n "
            f"side='left', got {a.shape} with side={side!r}")
    u, s, vh = spectral.svd(a, full_matrices=False)
    s = s.astype(u.dtype)
    if side == "right":
        return u @ vh, (_mH(vh) * s[..., None, :]) @ vh
    return u @ vh, (u * s[..., None, :]) @ _mH(u)


def _rsf2csf_step(t, z, m: int, eps):
    """One Givens rotation of rsf2csf, zeroing t[..., m, m-1] where it is not negligible."""
    n = t.shape[-1]
    block = t[..., m - 1:m + 1, m - 1:m + 1]
    mu = eig_prims.eig(block, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]
    mu0 = mu[..., 0] - t[..., m, m]
    sub = t[..., m, m - 1]
    r = jnp.sqrt(jnp.abs(mu0) ** 2 + jnp.abs(sub) ** 2).astype(t.dtype)
    r_safe = jnp.where(r == 0, 1, r)
    c, s = mu0 / r_safe, sub / r_safe
    g = jnp.stack([jnp.stack([jnp.conj(c), s], -1), jnp.stack([-s, c], -1)], -2)
    gh = _mH(g)
    col = np.arange(n) >= m - 1
    rows = jnp.where(col, g @ t[..., m - 1:m + 1, :], t[..., m - 1:m + 1, :])
    t_new = jnp.concatenate([t[..., :m - 1, :], rows, t[..., m + 1:, :]], axis=-2)
    row = (np.arange(n) < m + 1)[:, None]
    cols = jnp.where(row, t_new[..., :, m - 1:m + 1] @ gh, t_new[..., :, m - 1:m + 1])
    t_new = jnp.concatenate([t_new[..., :, :m - 1], cols, t_new[..., :, m + 1:]], axis=-1)
    z_new = jnp.concatenate([z[..., :, :m - 1], z[..., :, m - 1:m + 1] @ gh, z[..., :, m + 1:]], axis=-1)
    apply = (jnp.abs(sub) > eps * (jnp.abs(t[..., m - 1, m - 1]) + jnp.abs(t[..., m, m])))[..., None, None]
    t = jnp.where(apply, t_new, t)
    z = jnp.where(apply, z_new, z)
    zero_sub = np.zeros((n, n), bool)
    zero_sub[m, m - 1] = True
    return jnp.where(zero_sub, jnp.zeros_like(t), t), z


def rsf2csf(T, Z, check_finite: bool = True):
    """The complex Schur form (T, Z) from the real Schur form (T, Z) of a real matrix."""
    del check_finite
    T, Z = jnp.asarray(T), jnp.asarray(Z)
    if T.ndim < 2 or T.shape[-1] != T.shape[-2]:
        raise ValueError("Input 'T' must be square.")
    if Z.ndim < 2 or Z.shape[-1] != Z.shape[-2]:
        raise ValueError("Input 'Z' must be square.")
    if T.shape[-1] != Z.shape[-1]:
        raise ValueError(f"Input array shapes must match: Z: {Z.shape} vs. T: {T.shape}")
    cdt = jnp.promote_types(jnp.result_type(T, Z), np.complex64)
    T, Z = T.astype(cdt), Z.astype(cdt)
    batch = np.broadcast_shapes(T.shape[:-2], Z.shape[:-2])
    T = jnp.broadcast_to(T, batch + T.shape[-2:])
    Z = jnp.broadcast_to(Z, batch + Z.shape[-2:])
    eps = float(np.finfo(_real_dtype(cdt)).eps)
    for m in range(T.shape[-1] - 1, 0, -1):
        T, Z = _rsf2csf_step(T, Z, m, eps)
    return T, Z


def _sylvester_triangular(r, sh, f):
    """Y with R Y + Y Sh = F for upper-triangular R and lower-triangular Sh, column by column from the right."""
    n = f.shape[-1]
    cols = [None] * n
    eye = jnp.eye(r.shape[-1], dtype=r.dtype)
    for j in range(n - 1, -1, -1):
        rhs = f[:, j]
        for k in range(j + 1, n):
            rhs = rhs - cols[k] * sh[k, j]
        cols[j] = solve_triangular(r + sh[j, j] * eye, rhs)
    return jnp.stack(cols, axis=-1)


def _eigvals(a):
    return eig_prims.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


def _sylvester_2d(a, b, c, method: str, tol: float):
    if method == "schur":
        r, u = schur(a, output="complex")
        s, v = schur(_mH(b), output="complex")
        f = _mH(u) @ c.astype(r.dtype) @ v
        x = u @ _sylvester_triangular(r, _mH(s), f) @ _mH(v)
    elif method == "eigen":
        ra, ua = jnp_linalg.eig(a)
        rb, ub = jnp_linalg.eig(b)
        f = jnp_linalg.solve(ua, c.astype(ra.dtype) @ ub)
        x = ua @ (f / (ra[:, None] + rb[None, :])) @ jnp_linalg.inv(ub)
    else:
        raise ValueError(
            f'Unrecognized method {method}. The two valid methods are either "schur" or "eigen".')
    if not dtypes.issubdtype(c.dtype, np.complexfloating):
        x = jnp.real(x)
    near_singular = jnp.any(jnp.abs(_eigvals(a)[:, None] + _eigvals(b)[None, :]) < tol)
    return jnp.where(near_singular, jnp.full_like(x, np.nan), x)


def solve_sylvester(A, B, C, *, method: str = "schur", tol: float = 1e-8):
    """X with A X + X B = C (Bartels–Stewart by default, or 'eigen'); NaN when eig(A)_i + eig(B)_j ~ 0."""
    A, B, C = jnp.asarray(A), jnp.asarray(B), jnp.asarray(C)
    m, n = C.shape[-2:]
    if A.shape[-2:] != (m, m) or B.shape[-2:] != (n, n):
        raise ValueError(f"Incompatible shapes for Sylvester equation:\nA: {A.shape}\nB: {B.shape}\nC: {C.shape}")
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2], C.shape[:-2])
    one = lambda abc: _sylvester_2d(*abc, method, tol)  # noqa: E731
    if not batch:
        return one((A, B, C))
    A, B, C = (jnp.reshape(jnp.broadcast_to(x, batch + x.shape[-2:]), (-1,) + x.shape[-2:]) for x in (A, B, C))
    out = vmap(one)((A, B, C))
    return jnp.reshape(out, batch + out.shape[1:])
