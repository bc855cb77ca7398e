"""The fast paths of random_bits.py give the same bits as straightforward references.

Threefry runs on packed Python integers for a few lanes and on in-place NumPy rounds above;
the float32 log / log1p / erf_inv / erf kernels run block by block with in-place fused steps,
stacked polynomials and both log1p branches on every lane. Every result here is compared bit
for bit (NaN payloads included) with a plain implementation of the same arithmetic: the
Threefry scalar reference of the primitive cases, and below the kernels as first written
(whole arrays, one polynomial at a time, boolean-indexed branches), which tests/compat checks
against JAX.
"""
import numpy as np
import pytest

import nablax as jax
from nablax._src.primitives import random_bits as rb
from nablax._src.primitives import random_native

from .primitives.cases_random import scalar_reference

U32, F32, F64 = np.uint32, np.float32, np.float64
RNG = np.random.default_rng(15)


@pytest.fixture(autouse=True)
def numpy_path_only(monkeypatch):
    """These tests are about the NumPy kernels: the compiled tier (test_random_native.py) stays out."""
    monkeypatch.setattr(random_native, "_ready", {})
    monkeypatch.setattr(random_native, "_states", dict.fromkeys(random_native.NAMES, "off"))


def words(n):
    return RNG.integers(0, 2**32, n, dtype=np.uint64).astype(U32)


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    same_layout = a.shape == b.shape and a.dtype == b.dtype
    return same_layout and np.array_equal(a.reshape(-1).view(np.uint8), b.reshape(-1).view(np.uint8))


# ------------------------------------------------------------------------- Threefry

@pytest.mark.parametrize("n", [1, 2, 5, 64, rb._SWAR_LANES, rb._SWAR_LANES + 1, 300])
@pytest.mark.parametrize("per_lane_keys", [False, True])
def test_threefry_matches_scalar_reference(n, per_lane_keys):
    k0, k1 = (words(n) if per_lane_keys else U32(words(1)[0]) for _ in range(2))
    x0, x1 = words(n), words(n)
    got = rb._threefry_impl(np, k0, k1, x0, x1)
    ref = scalar_reference(k0, k1, x0, x1)
    assert same_bits(got[0], ref[0]) and same_bits(got[1], ref[1])


@pytest.mark.parametrize("shapes", [((8, 1), (8, 1), (), (3,)),        # a vmapped split: 24 lanes
                                    ((1000, 1), (1000, 1), (), (2,)),  # 2000 lanes
                                    ((3, 1), (1, 5), (1, 5), (3, 1)),
                                    ((), (), (), (4, 70))])
def test_threefry_broadcasting(shapes):
    args = [words(int(np.prod(s, dtype=int))).reshape(s) for s in shapes]
    got = rb._threefry_impl(np, *args)
    ref = scalar_reference(*args)
    assert same_bits(got[0], ref[0]) and same_bits(got[1], ref[1])


@pytest.mark.parametrize("n", [3, 200])
def test_threefry_carries_in_all_ones_words(n):
    ones = np.full(n, 0xFFFFFFFF, U32)
    got = rb._threefry_impl(np, ones, ones, ones, ones)
    ref = scalar_reference(ones, ones, ones, ones)
    assert same_bits(got[0], ref[0]) and same_bits(got[1], ref[1])


def test_threefry_packed_and_numpy_rounds_agree():
    """The two round implementations, one on packed integers, one on arrays, on the same lanes."""
    n = 100
    k0, k1, x0, x1 = words(n), U32(7), words(n), words(n)
    packed = rb._rounds_swar(n, k0, k1, x0, x1)
    arrays = rb._rounds_numpy(n, k0, np.asarray(k1), x0, x1)
    assert same_bits(packed[0], arrays[0]) and same_bits(packed[1], arrays[1])


@pytest.mark.parametrize("per_lane_keys", [False, True])
def test_threefry_blocks_of_lanes(monkeypatch, per_lane_keys):
    """Many lanes run in blocks (shrunk here to 64 lanes): per-lane key words are sliced too."""
    monkeypatch.setattr(rb, "_THREEFRY_BLOCK", 64)
    n = 300
    k0, k1 = (words(n) if per_lane_keys else U32(words(1)[0]) for _ in range(2))
    x0, x1 = U32(0), words(n)
    got = rb._threefry_impl(np, k0, k1, x0, x1)
    ref = scalar_reference(k0, k1, x0, x1)
    assert same_bits(got[0], ref[0]) and same_bits(got[1], ref[1])


def test_threefry_leaves_operands_unchanged():
    ops = [words(500) for _ in range(4)]
    before = [o.copy() for o in ops]
    rb._threefry_impl(np, *ops)
    assert all(same_bits(a, b) for a, b in zip(ops, before))


def test_threefry_few_lanes_take_the_packed_path(monkeypatch):
    calls = []
    monkeypatch.setattr(rb, "_rounds_numpy", lambda *a: calls.append("numpy"))
    rb._threefry_impl(np, U32(1), U32(2), U32(0), np.arange(16, dtype=U32))
    assert calls == []


# --------------------------------------------------- the float32 kernels, as first written

def ref_horner(coeffs, x64):
    p = np.full(x64.shape, np.float32(coeffs[0]), F32)
    for c in coeffs[1:]:
        np.add(p * x64, float(np.float32(c)), out=p, casting="same_kind")
    return p


def ref_fma(a, b, c):
    return (np.multiply(a, b, dtype=F64) + c).astype(F32)


def ref_log(x):
    with np.errstate(all="ignore"):
        v = np.maximum(x, F32(1.17549435e-38))
        bits = v.view(np.int32)
        e = ((bits >> 23) - 126).astype(F32)
        m = ((bits & 0x007FFFFF) | 0x3F000000).view(F32)
        small = m < F32(0.707106781186547524)
        e -= small
        r = (m - F32(1)) + np.where(small, m, F32(0))
        r2 = r * r
        r3 = (r2 * r).astype(F64)
        r64 = r.astype(F64)
        p = rb._LOG_P
        y, y1, y2 = ref_horner(p[0:3], r64), ref_horner(p[3:6], r64), ref_horner(p[6:9], r64)
        y = ((y * r3 + y1).astype(F32) * r3 + y2).astype(F32)
        y = (y * r3 + e * F32(-2.12194440e-4)).astype(F32)
        out = ref_fma(e, F32(0.693359375), ref_fma(r2, F32(-0.5), r) + y)
        out[x < F32(1.17549435e-38)] = -np.inf
        out[x == np.inf] = np.inf
        out[(x < 0) | np.isnan(x)] = np.nan
        return out


def ref_log1p(x):
    with np.errstate(all="ignore"):
        near0 = np.abs(x) < F32(0.41421356237309504880)
        out = np.empty_like(x)
        out[~near0] = ref_log(x[~near0] + F32(1))
        xs = x[near0]
        xs64 = xs.astype(F64)
        x2 = xs * xs
        ratio = (ref_horner(rb._LOG1P_NUM, xs64) / ref_horner(rb._LOG1P_DEN, xs64)).astype(F32)
        out[near0] = xs + ref_fma(F32(-0.5), x2, (xs * x2) * ratio)
        return out


def ref_erf_inv(x):
    with np.errstate(all="ignore"):
        w = -ref_log1p(-(x * x))
        far = w >= F32(5)
        p = ref_horner(rb._ERFINV_SMALL, (w - F32(2.5)).astype(F64))
        p[far] = ref_horner(rb._ERFINV_LARGE, (np.sqrt(w[far]) - F32(3)).astype(F64))
        out = p * x
        edge = np.abs(x) == 1
        out[edge] = x[edge] * F32(np.inf)
        return out


def ref_erf(x):
    with np.errstate(all="ignore"):
        x = np.clip(x, F32(-3.832506856900711), F32(3.832506856900711))
        x2 = (x * x).astype(F64)
        return ((x * ref_horner(rb._ERF_NUM, x2)) / ref_horner(rb._ERF_DEN, x2)).astype(F32)


REFERENCES = {"log": ref_log, "log1p": ref_log1p, "erf_inv": ref_erf_inv, "erf": ref_erf}
SPECIAL = np.array([0, -0.0, 1e-40, -1e-40, 1.17549435e-38, -1, 1, -0.5, 0.5, np.inf, -np.inf, np.nan,
                    2, 3.4e38, -0.41421356, 0.41421356, 0.99999994, -0.99999994, 0.9966, 5, -5, 3.9], F32)


def normal_uniforms(n):
    """The (-1, 1) uniforms random.normal feeds erf_inv: 23-bit mantissas scaled by an fma."""
    mant = RNG.integers(0, 2**23, n).astype(F32) * F32(2.0**-23)
    return np.maximum(F32(-0.99999994), ref_fma(mant, F32(2), F32(-0.99999994)))


INPUTS = {
    "normal_uniforms": lambda n: normal_uniforms(n),
    "any_bits": lambda n: words(n).view(F32),
    "signed_unit": lambda n: RNG.random(n, dtype=F32) * 2 - 1,
    "wide": lambda n: RNG.standard_normal(n).astype(F32) * 4,
}


@pytest.mark.parametrize("fn", sorted(REFERENCES))
@pytest.mark.parametrize("inputs", sorted(INPUTS))
@pytest.mark.parametrize("n", [1, 17, rb._BLOCK + 1, 3 * rb._BLOCK + 5])
def test_float32_kernels_bit_identical(fn, inputs, n):
    x = np.concatenate([SPECIAL, INPUTS[inputs](n)])
    assert same_bits(rb._xla_math_impl(x, fn=fn), REFERENCES[fn](x.copy()))


def test_float32_kernels_run_in_blocks(monkeypatch):
    sizes = []
    kernel = rb._XLA_MATH["erf_inv"]
    monkeypatch.setitem(rb._XLA_MATH, "erf_inv", lambda x: sizes.append(x.size) or kernel(x))
    x = normal_uniforms(2 * rb._BLOCK + 3)
    assert same_bits(rb._xla_math_impl(x, fn="erf_inv"), ref_erf_inv(x))
    assert sizes == [rb._BLOCK, rb._BLOCK, 3]


def test_float32_kernels_keep_shape_and_dtype():
    assert rb._xla_math_impl(np.zeros((0, 3), F32), fn="log").shape == (0, 3)
    out = rb._xla_math_impl(np.float16([[0.25, 0.5]]), fn="erf_inv")
    assert out.dtype == np.float16 and same_bits(out, ref_erf_inv(np.float32([[0.25, 0.5]])).astype(np.float16))


def test_normal_draws_are_sqrt2_erf_inv_of_uniforms():
    """random.normal end to end (jit), 10**5 draws: the blocked kernel on JAX's uniforms."""
    key = jax.random.PRNGKey(3)
    z = np.asarray(jax.jit(lambda k: jax.random.normal(k, (10**5,)))(key))
    u = np.asarray(jax.random.uniform(key, (10**5,), minval=np.nextafter(F32(-1), F32(0)), maxval=1.0))
    assert same_bits(z, F32(np.sqrt(2)) * ref_erf_inv(u))


# ------------------------------------------------------------------------------ xla_fma

@pytest.mark.parametrize("dtype", [F32, np.float16])
@pytest.mark.parametrize("shapes", [((), (), ()), ((50,), (), ()), ((50,), (50,), (50,)), ((), (), (50,)),
                                    ((5, 1), (1, 4), ()), ((3 * rb._BLOCK + 5,), (), ())])
def test_fma_single_rounding(dtype, shapes):
    a, b, c = (np.asarray(RNG.standard_normal(s) * 10, dtype) for s in shapes)
    ref = (np.asarray(a, F64) * np.asarray(b, F64) + np.asarray(c, F64)).astype(F32).astype(dtype)
    assert same_bits(np.asarray(rb._fma_impl(np, a, b, c)), ref)


# ------------------------------------------------------------- uniform's bounds, as traced

@pytest.mark.parametrize("bounds", [(-1.0, 1.0), (0.5, 0.5), (-3e38, 3e38), (2.0, 1.0)])
def test_uniform_drops_the_max_that_cannot_clamp(bounds):
    """floats * (hi - lo) + lo >= lo when hi >= lo: JAX's max(lo, .) is left out then, and
    kept where it clamps (hi < lo); the samples are the same either way."""
    lo, hi = bounds
    key = jax.random.PRNGKey(5)
    f = jax.jit(lambda k: jax.random.uniform(k, (1000,), minval=lo, maxval=hi))
    src = f.lower(key).as_text()
    assert ("_max" in src or "xp.maximum(" in src) == (hi < lo)  # (the impl, or its emit for a literal bound)
    mant = (np.asarray(jax.random.bits(key, (1000,))) >> U32(9)).astype(F32) * F32(2.0**-23)
    with np.errstate(all="ignore"):
        expected = np.maximum(F32(lo), ref_fma(mant, F32(hi) - F32(lo), F32(lo)))
    assert same_bits(np.asarray(f(key)), expected)
