"""random_gamma_p: Gamma(a, 1) samples by Marsaglia and Tsang's rejection method, as JAX draws them.

`random_gamma_p.bind(key_data, a, log_space=...)` takes the uint32 data of a batch of keys
(shape `kshape + (2,)`) and concentrations `a` whose shape starts with `kshape`. As JAX
does, each key is split into one key per remaining element of `a`, and every element runs
its own rejection loop from its own key (Marsaglia & Tsang, "A simple method for generating
gamma variables", ACM TOMS 2000):

    a' = a if a >= 1 else a + 1;  d = a' - 1/3;  c = (1/3) / sqrt(d)
    repeat: key, kx, ku = split(key, 3)
            repeat: kx, k = split(kx); x = normal(k); v = 1 + x c   until v > 0
            X = x^2, V = v^3, U = uniform(ku)
    until U < 1 - 0.0331 X^2  or  log U < X/2 + d (1 - V + log V)
    sample = d V (a < 1: times u^(1/a), u = 1 - uniform(split(key)[1]));
    log_space: log d + log V + log(u) / a, with log u from log1p (precise for tiny a).

The implementation is one set of NumPy array operations over all elements: each round draws
for the elements still rejected (a shrinking index set) until every one is accepted, so the
values are those of the per-element loops, and so bit for bit JAX's draws up to the float
functions named in random_gamma.py. The derivative in `a` is JAX's implicit
reparameterisation, d sample / d a = -(dF/da) / pdf at the sample (`lax.random_gamma_grad`);
the key has none. Under vmap a batch of keys and/or of `a` becomes one more leading key axis.
"""
from __future__ import annotations

import math

import numpy as np

from ..array import wrap
from ..avals import ShapedArray, Zero
from ..core import eager_args
from ..dtypes import finfo, is_float
from . import templates
from ._define import aval_of, define_primitive
from .elementwise import div, eq, exp, mul, select
from .random_bits import threefry2x32_p, xla_fma_p, xla_math_p
from .shape import broadcast_in_dim
from .special_more import random_gamma_grad_p

_U32 = np.dtype(np.uint32)
_ZERO32 = np.zeros((), _U32)


# ------------------------------------------------------------ per-lane keys and draws

def _block(k0, k1, counter):
    """threefry(key, (0, counter)) for each lane's key (k0, k1): the key split(key)[counter];
    counter 0 is also the block that key's random bits of shape () come from."""
    return threefry2x32_p.impl(np, k0, k1, _ZERO32, counter)


def _unit_uniform(block, dtype: np.dtype):
    """JAX's uniform on [0, 1) of shape () from a key's bits block: the top mantissa bits
    of its random bits times 2**-nmant (8 random bits for formats with < 8 mantissa bits)."""
    y0, y1 = block
    info = finfo(dtype)
    nbits, nmant = info.bits, int(info.nmant)
    rng_bits = 8 if nmant < 8 else nbits
    if rng_bits == 64:
        b = (y0.astype(np.uint64) << np.uint64(32)) | y1.astype(np.uint64)
    else:
        b = (y0 ^ y1).astype(np.dtype(f"uint{rng_bits}")).astype(np.dtype(f"uint{nbits}"))
    mant = b >> np.array(rng_bits - nmant, b.dtype)
    return mant.astype(dtype) * np.array(2.0 ** -nmant, dtype)


def _normal(block, dtype: np.dtype):
    """JAX's standard normal of shape () from a key's bits block: sqrt(2) erf_inv(u), u
    uniform on (-1, 1) (XLA's fused multiply-add and erf_inv)."""
    lo = np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype))
    u = np.maximum(lo, xla_fma_p.impl(np, _unit_uniform(block, dtype), np.array(1.0, dtype) - lo, lo))
    return np.array(np.sqrt(2), dtype) * xla_math_p.impl(np, u, fn="erf_inv")


def _log(x):
    return xla_math_p.impl(np, x, fn="log")


def _pow(x, y):
    """x ** y; below float64 rounded once from float64 (XLA's float32 pow is correctly rounded
    in all but ~0.2% of cases; NumPy's own float32 power in ~80%)."""
    if x.dtype.itemsize >= 8:
        return np.power(x, y)
    return np.power(x.astype(np.float64), y.astype(np.float64)).astype(x.dtype)


# ------------------------------------------------------------------ Marsaglia-Tsang

def _positive_v(kx, first, c):
    """Per lane: x = normal(s) with kx, s = split(kx), repeated until v = 1 + x c > 0; `first`
    is the first s. Returns (x, v)."""
    x = _normal(_block(*first, 0), c.dtype)
    one = np.ones((), c.dtype)
    v = xla_fma_p.impl(np, x, c, one)
    lanes = np.flatnonzero(v <= 0)  # (NaN, from a < -2/3, ends the loop as in JAX)
    k0, k1, c = kx[0][lanes], kx[1][lanes], c[lanes]
    while lanes.size:
        k0, k1 = _block(k0, k1, 0)
        xs = _normal(_block(*_block(k0, k1, 1), 0), c.dtype)
        vs = xla_fma_p.impl(np, xs, c, one)
        x[lanes], v[lanes] = xs, vs
        again = vs <= 0
        lanes, k0, k1, c = lanes[again], k0[again], k1[again], c[again]
    return x, v


def _rejected(X, V, U, d):
    """Marsaglia-Tsang's loop condition: the squeeze test and the log test both fail (the
    logs only where the squeeze test fails). XLA fuses 1 - 0.0331 X X into one multiply-add;
    X / 2 is exact, so the other sum is the same fused or not."""
    dt = d.dtype
    one = np.ones((), dt)
    out = U >= xla_fma_p.impl(np, -(X * X), np.array(0.0331, dt), one)
    lanes = np.flatnonzero(out)
    if lanes.size:
        Vl = V[lanes]
        out[lanes] = _log(U[lanes]) >= X[lanes] * np.array(0.5, dt) + d[lanes] * ((one - Vl) + _log(Vl))
    return out


_KX_KU = np.array([[1, 2]], _U32)


def _gamma_lanes(k0, k1, alpha, log_space: bool):
    """One Gamma(alpha_i) sample (or its log) per lane i from key (k0_i, k1_i).

    JAX's loop state is (key, X, V, U); the keys a lane never uses (the next round's key of
    an accepted lane, the boost draw of a >= 1) are not computed."""
    dt = alpha.dtype
    one, third = np.ones((), dt), np.array(1 / 3, dt)
    with np.errstate(all="ignore"):
        boost = alpha >= one
        d = np.where(boost, alpha, alpha + one) - third
        c = third / np.sqrt(d)
        V = np.ones_like(alpha)
        # key, subkey = split(key). The loop starts from X, V, U = 0, 1, 2, which fails
        # both tests unless d * 0 is NaN.
        lanes = np.flatnonzero(np.isfinite(d))
        key = _block(k0[lanes], k1[lanes], 0)
        while lanes.size:  # key, kx, ku = split(key, 3) for the lanes still rejected
            n = lanes.size
            y0, y1 = _block(key[0][:, None], key[1][:, None], _KX_KU)
            kx = (y0[:, 0], y1[:, 0])
            first0, first1 = _block(np.concatenate([kx[0], y0[:, 1]]), np.concatenate([kx[1], y1[:, 1]]),
                                    np.repeat(np.array([1, 0], _U32), n))  # split(kx)[1], bits(ku)
            x, v = _positive_v(kx, (first0[:n], first1[:n]), c[lanes])
            X, Vl, U = x * x, v * v * v, _unit_uniform((first0[n:], first1[n:]), dt)
            V[lanes] = Vl
            again = _rejected(X, Vl, U, d[lanes])
            lanes = lanes[again]
            key = _block(key[0][again], key[1][again], 0)
        small = np.flatnonzero(~boost)
        u = _unit_uniform(_block(*_block(k0[small], k1[small], 1), 0), dt)  # uniform(subkey)
        inv = one / alpha[small]
        if log_space:
            out = _log(d) + _log(V)
            log_u = xla_math_p.impl(np, -u, fn="log1p")  # -Exponential, as JAX's exponential
            out[small] += np.where(log_u == 0, np.zeros((), dt), log_u * inv)
            return out
        out = d * V
        out[small] *= _pow(one - u, inv)
        return out


# ------------------------------------------------------------------------- the rules

def _gamma_impl(xp, key, a, *, log_space: bool):
    key, a = np.asarray(key), np.asarray(a)
    if a.size == 0:
        return np.zeros(a.shape, a.dtype)
    kdim = key.ndim - 1
    per_key = math.prod(a.shape[kdim:])
    keys = key.reshape(-1, 2)
    y0, y1 = _block(keys[:, :1], keys[:, 1:], np.arange(per_key, dtype=_U32)[None, :])
    out = _gamma_lanes(y0.reshape(-1), y1.reshape(-1), a.reshape(-1), log_space)
    return out.reshape(a.shape)


def _gamma_abstract(key: ShapedArray, a: ShapedArray, *, log_space: bool) -> ShapedArray:
    if key.dtype != _U32 or tuple(key.shape[-1:]) != (2,):
        raise TypeError("random_gamma: the key operand must be threefry key data (uint32[..., 2]), "
                        f"got {key.dtype.name}{list(key.shape)}")
    if not is_float(a.dtype):
        raise TypeError(f"random_gamma: the concentration must have a floating dtype, got {a.dtype.name}")
    kshape = tuple(key.shape[:-1])
    if tuple(a.shape[:len(kshape)]) != kshape:
        raise ValueError(f"random_gamma: the keys' shape {kshape} must lead the concentration's shape "
                         f"{tuple(a.shape)}")
    return ShapedArray(tuple(a.shape), a.dtype, a.weak_type)


def _gamma_eager(key, a, *, log_space: bool):
    arrays, vals = eager_args((key, a))
    aval = _gamma_abstract(*[x.aval for x in arrays], log_space=log_space)
    return wrap(_gamma_impl(np, *vals, log_space=log_space), aval.weak_type)


def _sample_grad(sample, a, log_space: bool):
    """d sample / d a for Gamma(a) samples (log_space: d log sample / d a)."""
    if not log_space:
        return random_gamma_grad_p.bind(a, sample)
    s = exp(sample)
    tiny = broadcast_in_dim(np.array(finfo(aval_of(s).dtype).tiny, aval_of(s).dtype), aval_of(s).shape, ())
    s = select(eq(s, np.zeros((), aval_of(s).dtype)), tiny, s)
    return div(random_gamma_grad_p.bind(a, s), s)


def _gamma_jvp(primals, tangents, *, log_space: bool):
    key, a = primals
    out = random_gamma_p.bind(key, a, log_space=log_space)
    ta = tangents[1]
    if type(ta) is Zero:
        return out, Zero(aval_of(out).to_tangent_aval())
    return out, mul(ta, _sample_grad(out, a, log_space))


def _gamma_batch(args, dims, *, log_space: bool):
    size = templates.batch_size(args, dims)
    key, a = (templates.bdim_to_front(x, d, size) for x, d in zip(args, dims))
    return random_gamma_p.bind(key, a, log_space=log_space), 0


random_gamma_p = define_primitive(
    "random_gamma",
    impl=_gamma_impl,
    abstract_eval=_gamma_abstract,
    eager=_gamma_eager,
    jvp=_gamma_jvp,
    batch=_gamma_batch,
    weak_rule=lambda arrays, params: arrays[1]._weak,
)

__all__ = ["random_gamma_p"]
