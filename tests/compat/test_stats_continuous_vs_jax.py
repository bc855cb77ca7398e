"""nablax.scipy.stats' continuous distributions against real JAX: every function of every
module, on grids that cross the support edges and with invalid parameters, in float32,
float64 and float16, for Python scalars (weak types), integers and broadcast parameters,
and the gradients in x and in every parameter (as JAX differentiates them, including
where JAX refuses: beta's CDF in a and b).

Every grid has 8 points and every gradient batch 3, so JAX's per-operation compile cache
is shared across distributions and the file stays fast."""
from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.scipy.stats as jstats  # noqa: E402

import nablax  # noqa: E402
import nablax.scipy.stats as nstats  # noqa: E402
from tests.compat.same_as_jax import assert_same  # noqa: E402

Q = [-0.1, 0.0, 1e-3, 0.3, 0.5, 0.9, 1.0, 1.1]
LOC, SCALE = 0.5, 2.0

# dist: (shape parameters, 8 x values in standardized units, takes loc/scale, 3 interior
# x values for gradients, invalid shape parameters (nan/inf results, per JAX))
DISTS = {
    "beta": ((2.5, 1.5), [-0.5, 0.0, 0.2, 0.5, 0.7, 0.9, 1.0, 1.5], True, [0.2, 0.4, 0.6], (-1.0, 0.0)),
    "cauchy": ((), [-50.0, -1.0, 0.0, 0.3, 0.7, 2.0, 30.0, 1e3], True, [-1.0, 0.3, 2.0], ()),
    "chi2": ((3.0,), [-1.0, 0.0, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0], True, [0.5, 1.0, 2.0], (-1.0,)),
    "expon": ((), [-1.0, 0.0, 0.2, 0.5, 1.0, 3.0, 10.0, 30.0], True, [0.5, 1.0, 3.0], ()),
    "gamma": ((2.5,), [-1.0, 0.0, 0.2, 0.5, 1.0, 2.0, 5.0, 12.0], True, [0.5, 1.0, 2.0], (-1.0,)),
    "gennorm": ((1.5,), [-3.0, -1.0, -0.5, 0.0, 0.3, 0.7, 1.0, 2.0], False, [-0.5, 0.3, 0.7], (-1.0,)),
    "gumbel_l": ((), [-8.0, -3.0, -1.0, 0.0, 0.3, 0.5, 1.0, 2.5], True, [-1.0, 0.3, 0.5], ()),
    "gumbel_r": ((), [-2.5, -1.0, -0.5, 0.0, 0.3, 1.0, 3.0, 8.0], True, [-0.5, 0.3, 1.0], ()),
    "laplace": ((), [-5.0, -2.0, -0.5, 0.0, 0.3, 0.5, 2.0, 5.0], True, [-0.5, 0.3, 0.5], ()),
    "logistic": ((), [-40.0, -5.0, -2.0, 0.0, 0.5, 3.0, 10.0, 40.0], True, [-2.0, 0.5, 3.0], ()),
    "norm": ((), [-40.0, -10.0, -3.0, 0.0, 0.5, 1.0, 3.0, 10.0], True, [-3.0, 0.5, 1.0], ()),
    "pareto": ((3.0,), [0.0, 0.5, 1.0, 1.2, 1.5, 4.0, 10.0, 100.0], True, [1.2, 1.5, 4.0], (-1.0,)),
    "t": ((4.0,), [-30.0, -3.0, -1.0, 0.0, 0.5, 1.0, 3.0, 30.0], True, [-1.0, 0.5, 1.0], (-2.0,)),
    "truncnorm": ((-1.0, 1.5), [-2.0, -1.0, -0.3, 0.0, 0.8, 1.2, 1.5, 3.0], True, [-0.3, 0.0, 0.8], (1.0, -1.0)),
    "uniform": ((), [-0.5, 0.0, 0.1, 0.3, 0.7, 0.9, 1.0, 1.5], True, [0.1, 0.3, 0.7], ()),
    "vonmises": ((2.0,), [-4.0, -3.0, -1.0, 0.0, 0.5, 1.0, 3.0, 7.0], False, [-1.0, 0.5, 1.0], (0.0,)),
    "wrapcauchy": ((0.4,), [-0.5, 0.0, 0.5, 1.0, 3.0, 5.0, 6.0, 6.5], False, [0.5, 1.0, 3.0], (1.0,)),
}
QUANTILE = {"ppf", "isf"}
# (dist, fn, argument index) that JAX refuses to differentiate: betainc in a and b.
NOT_DIFFERENTIABLE = {("beta", f, i) for f in ("cdf", "logcdf", "sf", "logsf") for i in (1, 2)}
# JAX 0.10.2 fails (a float0 TypeError) on these derivatives: its Gumbel densities use
# xlogy(-1, scale) and its quantiles xlogy(-1, p) / xlog1py(-1, -p) with an integer -1.
# nablax differentiates them (checked against finite differences in tests/test_stats_continuous.py).
JAX_FLOAT0_BUG = ({(d, f, 2) for d in ("gumbel_l", "gumbel_r") for f in ("logpdf", "pdf")}
                  | {(d, "ppf", 0) for d in ("gumbel_l", "gumbel_r")})
# d/dq of norm's quantiles is ndtri's derivative, which belongs to scipy.special (JAX's
# polynomial ndtri gives 0 at q = 0 and 1): compared inside (0, 1) only.
INTERIOR_ONLY_GRADS = {("norm", "ppf"), ("norm", "isf")}


# JAX jits truncnorm's functions, so each new argument signature costs a compile: its
# derived functions (pdf = exp(logpdf), cdf = exp(logcdf), sf and logsf = the mirrored
# logcdf) get the float32 grid and first derivatives only; logpdf and logcdf get everything.
FULL_ONLY = {"truncnorm": {"logpdf", "logcdf"}}


def _reduced(dist, fn):
    return dist in FULL_ONLY and fn not in FULL_ONLY[dist]


def _fns(dist):
    return [n for n in getattr(nstats, dist).__all__ if hasattr(getattr(jstats, dist), n)]


ALL = [(d, f) for d in DISTS for f in _fns(d)]
ALL_FULL = [(d, f) for d, f in ALL if not _reduced(d, f)]


def _call(mod, dist, fn, *args):
    return getattr(getattr(mod, dist), fn)(*args)


def _points(dist, fn, dtype=np.float32):
    shape_params, xs, takes_loc, _, _ = DISTS[dist]
    return np.array(Q if fn in QUANTILE else xs, dtype), shape_params, takes_loc


def _check(dist, fn, args, rtol=2e-5, atol=2e-6):
    """Same values, dtype, shape and weak type as JAX, or the same exception class."""
    out = []
    for mod in (nstats, jstats):
        try:
            out.append(_call(mod, dist, fn, *args))
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            out.append(type(e))
    got, want = out
    if isinstance(want, type):
        assert isinstance(got, type) and issubclass(got, want), (got, want)
        return
    assert not isinstance(got, type), f"nablax raised {got}, JAX gave {want}"
    assert_same(want, got, rtol=rtol, atol=atol, path=f"{dist}.{fn}{args}")


@pytest.mark.parametrize("dist,fn", ALL)
def test_values(dist, fn):
    """float32 grids (with and without loc/scale), Python scalars, ints and float16."""
    pts, params, takes_loc = _points(dist, fn)
    _check(dist, fn, (pts, *params))
    if _reduced(dist, fn):
        return
    if takes_loc:
        _check(dist, fn, (pts if fn in QUANTILE else pts * SCALE + LOC, *params, LOC, SCALE))
        _check(dist, fn, (float(pts[4]), *params, 0, 1))
    _check(dist, fn, (float(pts[4]), *params))
    _check(dist, fn, (int(round(float(pts[4]))), *(int(round(p)) for p in params)))
    _check(dist, fn, (pts.astype(np.float16), *params), rtol=4e-3, atol=4e-3)


@pytest.mark.parametrize("dist,fn", ALL_FULL)
def test_values_float64(dist, fn, x64):
    pts, params, takes_loc = _points(dist, fn, np.float64)
    if takes_loc:
        xs = pts if fn in QUANTILE else pts * SCALE + LOC
        _check(dist, fn, (xs, *params, LOC, SCALE), rtol=1e-10, atol=1e-12)
    else:
        _check(dist, fn, (pts, *params), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dist,fn", ALL_FULL)
def test_broadcast_and_invalid_parameters(dist, fn):
    """x of shape (8, 1) against parameter vectors of shape (4,): two valid values, then the
    invalid ones, and loc/scale vectors with scale 0 and -1."""
    pts, params, takes_loc = _points(dist, fn)
    bad = DISTS[dist][4]
    vecs = []
    for k, p in enumerate(params):
        b = bad[k] if bad else p
        vecs.append(np.array([p, p * 1.25 if p > 0 else p * 0.75, b, b if k else p], np.float32))
    extra = (np.array([0.0, 0.5, 0.0, 0.0], np.float32), np.array([1.0, 2.0, 0.0, -1.0], np.float32)) \
        if takes_loc else ()
    _check(dist, fn, (pts[:, None], *vecs, *extra))


def _grad_fn(lib, mod, dist, fn, argnums):
    return lib.vmap(lib.grad(lambda *a: _call(mod, dist, fn, *a), argnums=argnums))


@pytest.mark.parametrize("dist,fn", ALL)
def test_gradients(dist, fn):
    """d/d(every argument) at 3 interior points, d2/dx2 there, and d/dx on the whole grid
    (support edges included: inf/nan/0 as JAX gives them)."""
    _, params, takes_loc = _points(dist, fn)
    inner = [0.01, 0.3, 0.6] if fn in QUANTILE else DISTS[dist][3]
    extra = (LOC, SCALE) if takes_loc else ()
    args = [np.array(inner, np.float32)] + [np.full(3, p, np.float32) for p in (*params, *extra)]
    skip = NOT_DIFFERENTIABLE | JAX_FLOAT0_BUG
    argnums = tuple(i for i in range(len(args)) if (dist, fn, i) not in skip)
    got = _grad_fn(nablax, nstats, dist, fn, argnums)(*args)
    want = _grad_fn(jax, jstats, dist, fn, argnums)(*args)
    for i, g, w in zip(argnums, got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=2e-4, atol=2e-5,
                                   err_msg=f"{dist}.{fn} d/darg{i} at {inner}")
    for i in range(len(args)):
        if (dist, fn, i) in NOT_DIFFERENTIABLE:
            for mod, lib in ((nstats, nablax), (jstats, jax)):
                with pytest.raises(ValueError):
                    _grad_fn(lib, mod, dist, fn, i)(*args)
    if (dist, fn, 0) in JAX_FLOAT0_BUG or _reduced(dist, fn):
        return
    second = [lib.vmap(lib.grad(lib.grad(lambda *a, m=mod: _call(m, dist, fn, *a))))(*args)
              for lib, mod in ((nablax, nstats), (jax, jstats))]
    np.testing.assert_allclose(np.asarray(second[0]), np.asarray(second[1]), rtol=1e-3, atol=1e-4,
                               err_msg=f"{dist}.{fn} d2/dx2 at {inner}")
    pts, _, _ = _points(dist, fn)
    if (dist, fn) in INTERIOR_ONLY_GRADS:
        pts = np.array(Q[2:6] * 2, np.float32)
    grid = [np.full(8, p, np.float32) for p in params]
    g = _grad_fn(nablax, nstats, dist, fn, 0)(pts, *grid)
    w = _grad_fn(jax, jstats, dist, fn, 0)(pts, *grid)
    np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=2e-4, atol=2e-5,
                               err_msg=f"{dist}.{fn} d/dx on {pts}")
