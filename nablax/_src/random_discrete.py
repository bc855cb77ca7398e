"""Discrete and multivariate samplers (poisson, binomial, geometric, multinomial,
multivariate_normal, ...) on JAX's constructions, so the same key gives JAX's samples.

The rejection samplers (poisson for lam >= 10, binomial for n * min(p, 1-p) > 10) run
one vectorised `lax.while_loop` over every element at once, as JAX does: each round
draws fresh uniforms for all elements, and the loop stops when every element has
accepted. A lane that accepted keeps being overwritten by later acceptances until the
whole array is done (JAX's loop does the same), so the number of rounds is part of the
result and is reproduced exactly; under vmap each key's lane runs as if alone.

Values equal JAX's bit for bit where the arithmetic is exact or reproduced: log, log1p,
lgamma (PTRS's acceptance test, where lgamma(k + 1) ~ 1e7 cancels against k log(lam))
and the multiply-adds XLA's CPU backend fuses. Known differences, all in the last bits:
lognormal (NumPy's exp, not XLA's); double_sided_maxwell on small arrays (below ~2000
draws XLA fuses it in another order); multivariate_normal for n = 1 or n > 7 and for
small batches (XLA's dot accumulates in orders that depend on the sizes).
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from . import numpy as jnp
from .array import Array
from .control_flow.loops import scan, while_loop
from .core import Tracer
from .errors import TypePromotionError
from .numpy import linalg_decomp
from .numpy.promotion import promote_args_inexact
from .primitives import elementwise as ew
from .primitives import misc, special
from .primitives.random_bits import xla_fma
from .prng import KEY_DTYPE, KeyDtype, canonical_shape, split_data
from .random import (
    _check_shape,
    _const,
    _float_dtype,
    _key,
    _log,
    _log1p,
    _normal_real,
    _param_shape,
    _shape_of,
    _uniform,
    maxwell,
    normal,
    rademacher,
)

_F32 = np.dtype(np.float32)
_ONE = np.float32(1)  # lognormal's default sigma, as JAX's


def key_dtype(impl_spec=None) -> KeyDtype:
    """The dtype of typed keys of a PRNG implementation (nablax has threefry2x32 only)."""
    if impl_spec is not None and impl_spec not in ("threefry2x32", "threefry", KEY_DTYPE):
        if not isinstance(impl_spec, str):
            raise TypeError(f"unrecognized type {type(impl_spec)} for specifying PRNG implementation.")
        raise ValueError(f'unrecognized PRNG implementation "{impl_spec}". Did you mean one of: '
                         '"threefry2x32"?')
    return KEY_DTYPE


def _int_dtype(fname: str, dtype) -> np.dtype:
    dtype = dtypes.check_user_dtype(int if dtype is None else dtype, f"random.{fname}", stacklevel=4)
    if dtype.kind not in "iu":
        raise ValueError(f"dtype argument to `{fname}` must be an int dtype, got {dtype.name}")
    return dtype


def _check_arraylike(fname: str, *args) -> None:
    for i, a in enumerate(args):
        if not isinstance(a, (Array, Tracer, np.ndarray, np.generic, bool, int, float, complex)):
            raise TypeError(f"{fname} requires ndarray or scalar arguments, got {type(a).__name__} "
                            f"at position {i}.")


def _check_safe_cast(fname: str, dtype: np.dtype, *args) -> None:
    """JAX's rule: each parameter must promote with the sample dtype to the sample dtype."""
    for a in args:
        src = dtypes.result_type(a)
        if src != dtype and dtypes.result_type(a, dtype) != dtype:
            raise TypePromotionError(f"In arguments to {fname}, cannot safely cast argument of type "
                                     f"{src.name} to {dtype.name}")


def _split(data, n: int):
    keys = split_data(data, (n,))
    return [keys[i] for i in range(n)]


def _sqrt(x):
    return special.sqrt(x)


def _fma(a, b, c):
    """a * b + c rounded once, in the operands' promoted dtype: where XLA's CPU backend contracts
    a multiply feeding an add, so must we to get its bits."""
    dtype = dtypes.result_type(a, b, c)
    return xla_fma(*(misc.convert_element_type(jnp.asarray(v), dtype) for v in (a, b, c)))


_LANCZOS = (676.520368121885098567009190444019, -1259.13921672240287047156078755283,
            771.3234287776530788486528258894, -176.61502916214059906584551354,
            12.507343278686904814458936853, -0.13857109526572011689554707,
            9.984369578019570859563e-6, 1.50563273514931155834e-7)


def _lgamma_xla(x):
    """lgamma(x) for float32 x >= 0.5 exactly as XLA's CPU backend computes it (Lanczos,
    g = 7, n = 9, every operation rounded to float32 as XLA does), so PTRS's acceptance
    test, where lgamma(k + 1) ~ 1e7 cancels against k log(lam), decides as JAX's does."""
    z = x - 1.0
    a = _const(0.99999999999980993227684700473478, _F32)
    for i, c in enumerate(_LANCZOS):
        a = a + _const(c, _F32) / (z + float(i + 1))
    t = z + 7.5
    log_t = _log1p(z * _const(1 / 7.5, _F32)) + _const(np.log(7.5), _F32)
    r = (z + 0.5) - t / log_t
    return xla_fma(r, log_t, _const((np.log(2) + np.log(np.pi)) / 2, _F32)) + _log(a)


# ------------------------------------------------------------------------- poisson

def _poisson_knuth(data, lam, shape: tuple, dtype: np.dtype, max_iters: int):
    """Knuth: count uniforms until their product drops below exp(-lam) (log space)."""
    neg_lam = ew.neg(lam)

    def body(carry):
        i, k, rng, log_prod = carry
        rng, sub = _split(rng, 2)
        k = jnp.where(ew.gt(log_prod, neg_lam), k + 1, k)
        u = _uniform(sub, shape, _F32, 0.0, 1.0)
        return i + 1, k, rng, ew.add(log_prod, _log(u))

    def cond(carry):
        i, _, _, log_prod = carry
        return jnp.logical_and(jnp.any(ew.gt(log_prod, neg_lam)), i < max_iters)

    init = (0, jnp.zeros(shape, dtype), data, jnp.zeros(shape, _F32))
    k = while_loop(cond, body, init)[1]
    return misc.convert_element_type(k - 1, dtype)


def _poisson_rejection(data, lam, shape: tuple, dtype: np.dtype, max_iters: int):
    """Hoermann's transformed rejection (PTRS) for lam >= 10."""
    log_lam = _log(lam)
    b = _fma(_sqrt(lam), 2.53, 0.931)
    a = _fma(b, 0.02483, -0.059)
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def body(carry):
        i, k_out, accepted, rng = carry
        rng, sub0, sub1 = _split(rng, 3)
        u = _uniform(sub0, shape, _F32, 0.0, 1.0) - 0.5
        v = _uniform(sub1, shape, _F32, 0.0, 1.0)
        us = 0.5 - jnp.abs(u)
        k = special.floor(_fma(2 * a / us + b, u, lam) + 0.43)
        s = _log(v * inv_alpha / (a / (us * us) + b))
        t = _fma(k, log_lam, -lam) - _lgamma_xla(k + 1)
        accept1 = (us >= 0.07) & (v <= v_r)
        reject = (k < 0) | ((us < 0.013) & (v > us))
        accept = accept1 | (~reject & (s <= t))
        return i + 1, jnp.where(accept, k, k_out), accepted | accept, rng

    def cond(carry):
        i, _, accepted, _ = carry
        return jnp.logical_and(jnp.any(~accepted), i < max_iters)

    init = (0, jnp.full(shape, -1.0, _F32), jnp.zeros(shape, bool), data)
    return misc.convert_element_type(while_loop(cond, body, init)[1], dtype)


def poisson(key, lam, shape=None, dtype=None):
    """Poisson(lam) counts (int32; int64 under x64): Knuth's method for lam < 10, transformed
    rejection above, each run over all elements and the result picked per element."""
    data = _key("poisson", key)
    dtype = _int_dtype("poisson", dtype)
    shape = tuple(np.shape(lam)) if shape is None else canonical_shape("poisson", shape)
    _check_arraylike("poisson", lam)
    lam = misc.convert_element_type(jnp.broadcast_to(jnp.asarray(lam), shape), _F32)
    use_knuth = jnp.isnan(lam) | (lam < 10)
    lam_knuth = jnp.where(use_knuth, lam, _const(0.0, _F32))
    lam_rejection = jnp.where(use_knuth, _const(1e5, _F32), lam)
    max_iters = int(np.iinfo(dtype).max)
    out = jnp.where(use_knuth, _poisson_knuth(data, lam_knuth, shape, dtype, max_iters),
                    _poisson_rejection(data, lam_rejection, shape, dtype, max_iters))
    return jnp.where(lam == 0, jnp.zeros_like(out), out)


# ------------------------------------------------------------------------ binomial

_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                  0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                  0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k):
    """log(k!) minus its Stirling approximation: a table for k <= 9, the series beyond."""
    table = _const(_STIRLING_TAIL, k.dtype)
    small = k <= 9
    kc = jnp.clip(k, 0.0, 9.0)
    kp1sq = (kc + 1) * (kc + 1)
    approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (kc + 1)
    idx = misc.convert_element_type(special.floor(kc), np.dtype(np.int32))
    return jnp.where(small, jnp.take(table, idx), approx)


def _binomial_inversion(data, count, prob, shape: tuple, max_iters):
    """Sum geometric waiting times until they pass count (for count * prob <= 10)."""
    log1mp = _log1p(ew.neg(prob))

    def body(carry):
        i, num_geom, geom_sum, rng = carry
        sub, rng = _split(rng, 2)
        num_geom = jnp.where(geom_sum <= count, num_geom + 1, num_geom)
        u = _uniform(sub, shape, prob.dtype, 0.0, 1.0)
        geom = special.ceil(ew.div(_log(u), log1mp))
        return i + 1, num_geom, geom_sum + geom, rng

    def cond(carry):
        i, _, geom_sum, _ = carry
        return jnp.logical_and(jnp.any(geom_sum <= count), i < max_iters)

    zeros = jnp.zeros(shape, prob.dtype)
    return while_loop(cond, body, (0, zeros, zeros, data))[1] - 1


def _btrs(data, count, prob, shape: tuple, max_iters):
    """Hoermann's BTRS transformed rejection for count * prob > 10."""
    stddev = _sqrt(count * prob * (1 - prob))
    b = _fma(stddev, 2.53, 1.15)
    a = _fma(prob, 0.01, _fma(b, 0.0248, -0.0873))
    c = _fma(count, prob, 0.5)
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = special.floor((count + 1) * prob)
    m_term = (m + 0.5) * _log((m + 1) / (r * (count - m + 1)))

    def body(carry):
        i, k_out, accepted, rng = carry
        rng, sub0, sub1 = _split(rng, 3)
        u = _uniform(sub0, shape, prob.dtype, 0.0, 1.0) - 0.5
        v = _uniform(sub1, shape, prob.dtype, 0.0, 1.0)
        us = 0.5 - jnp.abs(u)
        accept1 = (us >= 0.07) & (v <= v_r)
        k = special.floor(_fma(2 * a / us + b, u, c))
        reject = (k < 0) | (k > count)
        lv = _log(v * alpha / (a / (us * us) + b))
        ub = _fma(count + 1, _log((count - m + 1) / (count - k + 1)), m_term)
        ub = _fma(k + 0.5, _log(r * (count - k + 1) / (k + 1)), ub)
        ub = ub + _stirling_tail(m) + _stirling_tail(count - m) - _stirling_tail(k) - _stirling_tail(count - k)
        accept = accept1 | (~reject & (lv <= ub))
        return i + 1, jnp.where(accept, k, k_out), accepted | accept, rng

    def cond(carry):
        i, _, accepted, _ = carry
        return jnp.logical_and(jnp.any(~accepted), i < max_iters)

    init = (0, jnp.full(shape, -1.0, prob.dtype), jnp.zeros(shape, bool), data)
    return while_loop(cond, body, init)[1]


def _binomial(data, n, p, shape, dtype: np.dtype):
    if shape is None:
        shape = np.broadcast_shapes(_shape_of(n), _shape_of(p))
    else:
        _check_shape("binomial", shape, _shape_of(n), _shape_of(p))
    (prob,) = promote_args_inexact("random.binomial", p)
    fdt = prob.dtype
    count = jnp.broadcast_to(misc.convert_element_type(jnp.asarray(n), fdt), shape)
    prob = jnp.broadcast_to(prob, shape)
    p_lt_half = prob < 0.5
    q = jnp.where(p_lt_half, prob, 1.0 - prob)
    count_bad = jnp.isnan(count) | (count < 0.0)
    count_inf = jnp.isinf(count)
    q_nan, q_neg = jnp.isnan(q), q < 0.0
    q = jnp.where(q_nan | q_neg, _const(0.01, fdt), q)
    use_inversion = count_bad | (count * q <= 10.0)
    count = special.floor(count)
    count_inv = jnp.where(use_inversion, count, _const(0.0, fdt))
    count_btrs = jnp.where(use_inversion, _const(1e4, fdt), count)
    q_btrs = jnp.where(use_inversion, _const(0.5, fdt), q)
    max_iters = float(dtypes.finfo(dtype).max)
    samples = jnp.where(use_inversion, _binomial_inversion(data, count_inv, q, shape, max_iters),
                        _btrs(data, count_btrs, q_btrs, shape, max_iters))
    samples = misc.convert_element_type(samples, dtype)
    invalid = q_neg | q_nan | count_bad
    samples = jnp.where(invalid, _const(np.nan, dtype), samples)
    samples = jnp.where(count_inf & ~invalid, _const(np.inf, dtype), samples)
    flipped = misc.convert_element_type(count, dtype) - samples
    return jnp.where(p_lt_half | count_bad | q_nan | count_inf, samples, flipped)


def binomial(key, n, p, shape=None, dtype=None):
    """Binomial(n, p) counts as floats (float32 by default): inversion by geometric waiting
    times when n * min(p, 1 - p) <= 10, BTRS rejection above (p > 1/2 by symmetry)."""
    data = _key("binomial", key)
    _check_arraylike("binomial", n, p)
    dtype = _float_dtype("binomial", dtype)
    if shape is not None:
        shape = canonical_shape("binomial", shape)
    return _binomial(data, n, p, shape, dtype)


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
    """Counts of n trials over the categories on p's last axis: a binomial draw per
    category, from the trials left over and p renormalized over the categories left."""
    data = _key("multinomial", key)
    _check_arraylike("multinomial", n, p)
    out_dtype = dtypes.check_user_dtype(float if dtype is None else dtype, "random.multinomial")
    n, p = promote_args_inexact("random.multinomial", n, p)
    shape = tuple(p.shape) if shape is None else canonical_shape("multinomial", shape)
    if not shape:
        raise ValueError("multinomial: p must have at least one dimension (the categories)")
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.moveaxis(jnp.broadcast_to(p, shape), -1, 0)
    remaining = jnp.flip(jnp.cumsum(jnp.flip(p, 0), axis=0), 0)
    ratios = p / jnp.where(remaining == 0, 1, remaining)
    keys = split_data(data, (shape[-1],))

    def step(remainder, ratio_key):
        ratio, k = ratio_key
        count = _binomial(k, remainder, jnp.clip(ratio, 0, 1), None, remainder.dtype)
        return remainder - count, count

    _, counts = scan(step, n, (ratios, keys), unroll=unroll)
    return misc.convert_element_type(jnp.moveaxis(counts, 0, -1), out_dtype)


# -------------------------------------------------------------------- continuous

def geometric(key, p, shape=None, dtype=None):
    """Geometric(p) trial counts (support 1, 2, ...): floor(log u / log1p(-p)) + 1."""
    data = _key("geometric", key)
    dtype = _int_dtype("geometric", dtype)
    shape = _param_shape("geometric", shape, p)
    _check_arraylike("geometric", p)
    (p,) = promote_args_inexact("random.geometric", p)
    u = _uniform(data, shape, p.dtype, 0.0, 1.0)
    u = jnp.where(u == 0, _const(1, p.dtype), u)  # JAX maps u = 0 to 1 (no infinite draw)
    g = special.floor(ew.div(_log(u), jnp.broadcast_to(_log1p(ew.neg(p)), shape))) + 1
    return misc.convert_element_type(g, dtype)


def lognormal(key, sigma=_ONE, shape=None, dtype=None):
    """exp(sigma * z), z standard normal (complex dtypes: a complex normal's exp)."""
    _key("lognormal", key)
    dtype = _float_dtype("lognormal", dtype, "fc")
    shape = _param_shape("lognormal", shape, sigma)
    _check_safe_cast("lognormal", dtype, sigma)
    return jnp.exp(normal(key, shape, dtype) * misc.convert_element_type(jnp.asarray(sigma), dtype))


def triangular(key, left, mode, right, shape=None, dtype=None):
    """Triangular(left, mode, right) samples by inverting the piecewise-quadratic CDF."""
    data = _key("triangular", key)
    dtype = _float_dtype("triangular", dtype)
    shape = _param_shape("triangular", shape, left, mode, right)
    _check_safe_cast("triangular", dtype, left, mode, right)
    left, mode, right = (jnp.broadcast_to(misc.convert_element_type(jnp.asarray(x), dtype), shape)
                         for x in (left, mode, right))
    fc = (mode - left) / (right - left)
    u = _uniform(data, shape, dtype, 0.0, 1.0)
    out1 = left + _sqrt(u * (right - left) * (mode - left))
    out2 = right - _sqrt((1 - u) * (right - left) * (right - mode))
    return jnp.where(u < fc, out1, out2)


def wald(key, mean, shape=None, dtype=None):
    """Wald (inverse Gaussian, scale 1) samples: Michael, Schucany and Haas' transformation
    of a squared normal, with a uniform choosing between the two roots."""
    data = _key("wald", key)
    dtype = _float_dtype("wald", dtype)
    shape = _param_shape("wald", shape, mean)
    _check_safe_cast("wald", dtype, mean)
    k1, k2 = _split(data, 2)
    mean = jnp.broadcast_to(misc.convert_element_type(jnp.asarray(mean), dtype), shape)
    v = _normal_real(k1, shape, dtype)
    z = _uniform(k2, shape, dtype, 0.0, 1.0)
    y = v * v
    mean_sq = mean * mean
    x = _fma(-(mean / 2), _sqrt(_fma(4 * mean, y, mean_sq * (y * y))), mean + mean_sq * y / 2)
    return jnp.where(z <= mean / (mean + x), x, mean_sq / x)


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """loc + scale * (random sign) * Maxwell; `shape` is prepended to loc and scale's shape."""
    data = _key("double_sided_maxwell", key)
    dtype = _float_dtype("double_sided_maxwell", dtype)
    shape = canonical_shape("double_sided_maxwell", shape)
    params = np.broadcast_shapes(_shape_of(loc), _shape_of(scale))
    shape = (shape or params) + params
    k1, k2 = _split(data, 2)
    sign = rademacher(k2, shape, dtype)
    return _fma(sign * maxwell(k1, shape, dtype), scale, loc)


# ----------------------------------------------------------- multivariate_normal

def multivariate_normal(key, mean, cov, shape=None, dtype=None, method: str = "cholesky"):
    """mean + A z with A A^T = cov (Cholesky; or eigh / svd, which allow singular cov)."""
    data = _key("multivariate_normal", key)
    mean, cov = promote_args_inexact("random.multivariate_normal", mean, cov)
    if method not in {"svd", "eigh", "cholesky"}:
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    dtype = mean.dtype if dtype is None else _float_dtype("multivariate_normal", dtype)
    if not dtypes.is_float(dtype):
        raise ValueError(f"dtype argument to `multivariate_normal` must be a float dtype, got {dtype.name}")
    if shape is not None:
        shape = canonical_shape("multivariate_normal", shape)
    if mean.ndim < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {mean.ndim}")
    if cov.ndim < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {cov.ndim}")
    n = mean.shape[-1]
    if tuple(cov.shape[-2:]) != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, "
                         f"but got cov.shape == {tuple(cov.shape)}.")
    batch = (tuple(mean.shape[:-1]), tuple(cov.shape[:-2]))
    if shape is None:
        shape = np.broadcast_shapes(*batch)
    else:
        _check_shape("normal", shape, *batch)
    if method == "svd":
        u, s, _ = linalg_decomp.svd(cov)
        factor = u * _sqrt(s[..., None, :])
    elif method == "eigh":
        w, v = linalg_decomp.eigh(cov)
        factor = v * _sqrt(w[..., None, :])
    else:
        factor = linalg_decomp.cholesky(cov)
    z = _normal_real(data, shape + (n,), dtype)
    return mean + _pairwise_sum([factor[..., j] * z[..., j:j + 1] for j in range(n)])


def _pairwise_sum(terms: list):
    """t0 + t1 + ... summed as a balanced tree of adjacent pairs: the order in which XLA's
    CPU backend reduces a short dot product (so multivariate_normal's bits are JAX's for
    2 <= n <= 7; longer contractions XLA vectorizes in orders that depend on n)."""
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


__all__ = ["poisson", "binomial", "geometric", "multinomial", "multivariate_normal",
           "double_sided_maxwell", "lognormal", "triangular", "wald", "key_dtype"]
