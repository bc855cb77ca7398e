"""nablax.scipy.stats' continuous distributions against real JAX: every function of every
module, on grids that cross the support edges and with invalid parameters, in float32 and
float64, for Python scalars (weak types), integers and broadcast parameters, and the
gradients in x and in every parameter (as JAX differentiates them, including where JAX
refuses: beta's CDF in a and b)."""
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

# dist: (shape parameters, x grid in standardized units, loc/scale taken, interior x for
# gradients, interior parameters for gradients)
DISTS = {
    "beta": ((2.5, 1.5), [-0.5, 0.0, 0.2, 0.5, 0.9, 1.0, 1.5], True, [0.2, 0.6], (2.5, 1.5)),
    "cauchy": ((), [-50.0, -1.0, 0.0, 0.3, 2.0, 1e3], True, [-1.0, 0.3, 2.0], ()),
    "chi2": ((3.0,), [-1.0, 0.0, 0.5, 2.0, 10.0], True, [0.5, 2.0], (3.0,)),
    "expon": ((), [-1.0, 0.0, 0.5, 3.0, 30.0], True, [0.5, 3.0], ()),
    "gamma": ((2.5,), [-1.0, 0.0, 0.5, 2.0, 12.0], True, [0.5, 2.0], (2.5,)),
    "gennorm": ((1.5,), [-3.0, -0.5, 0.0, 0.7, 2.0], False, [-0.5, 0.7, 2.0], (1.5,)),
    "gumbel_l": ((), [-8.0, -1.0, 0.0, 0.5, 2.5], True, [-1.0, 0.5], ()),
    "gumbel_r": ((), [-2.5, -0.5, 0.0, 1.0, 8.0], True, [-0.5, 1.0], ()),
    "laplace": ((), [-5.0, -0.5, 0.0, 0.5, 5.0], True, [-0.5, 0.5], ()),
    "logistic": ((), [-40.0, -2.0, 0.0, 0.5, 3.0, 40.0], True, [-2.0, 0.5], ()),
    "norm": ((), [-40.0, -3.0, 0.0, 0.5, 3.0, 10.0], True, [-3.0, 0.5], ()),
    "pareto": ((3.0,), [0.5, 1.0, 1.5, 4.0, 100.0], True, [1.5, 4.0], (3.0,)),
    "t": ((4.0,), [-30.0, -1.0, 0.0, 0.5, 3.0], True, [-1.0, 0.5], (4.0,)),
    "truncnorm": ((-1.0, 1.5), [-2.0, -1.0, -0.3, 0.0, 0.8, 1.5, 3.0], True, [-0.3, 0.8], (-1.0, 1.5)),
    "uniform": ((), [-0.5, 0.0, 0.3, 0.7, 1.0, 1.5], True, [0.3, 0.7], ()),
    "vonmises": ((2.0,), [-4.0, -1.0, 0.0, 0.5, 3.0, 7.0], False, [-1.0, 0.5], (2.0,)),
    "wrapcauchy": ((0.4,), [-0.5, 0.0, 1.0, 3.0, 6.0, 6.5], False, [1.0, 3.0], (0.4,)),
}
# Parameters outside the valid range (nan or inf results, per JAX).
BAD_PARAMS = {
    "beta": [(-1.0, 2.0), (2.0, 0.0)], "chi2": [(-1.0,)], "gamma": [(-1.0,)], "gennorm": [(-1.0,)],
    "pareto": [(-1.0,)], "t": [(-2.0,)], "truncnorm": [(1.0, -1.0), (2.0, 2.0)],
    "vonmises": [(0.0,), (-1.0,)], "wrapcauchy": [(0.0,), (1.0,), (-0.5,)],
}
QUANTILE = {"ppf", "isf"}
# (dist, fn, argument index) that JAX refuses to differentiate.
NOT_DIFFERENTIABLE = {("beta", f, i) for f in ("cdf", "logcdf", "sf", "logsf") for i in (1, 2)}


def _fns(dist):
    return [n for n in dir(getattr(jstats, dist)) if not n.startswith("_") and n in getattr(nstats, dist).__all__]


ALL = [(d, f) for d in DISTS for f in _fns(d)]


def _grid(dist, fn, dtype, with_loc_scale):
    shape_params, xs, takes_loc, _, _ = DISTS[dist]
    if fn in QUANTILE:
        pts = np.array(Q, dtype)
        return pts, shape_params
    pts = np.array(xs, dtype)
    if takes_loc and with_loc_scale:
        pts = pts * SCALE + LOC
    return pts, shape_params


def _call(mod, dist, fn, *args):
    return getattr(getattr(mod, dist), fn)(*args)


def _both(dist, fn, *args):
    """nablax's and JAX's results, or the exception class each raised."""
    out = []
    for mod in (nstats, jstats):
        try:
            out.append(_call(mod, dist, fn, *args))
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            out.append(type(e))
    return out


def _check(dist, fn, args, rtol=2e-5, atol=2e-6):
    got, want = _both(dist, fn, *args)
    if isinstance(want, type):
        assert got is want or (isinstance(got, type) and issubclass(got, want)), (got, want)
        return
    assert not isinstance(got, type), f"nablax raised {got}, JAX gave {want}"
    assert_same(want, got, rtol=rtol, atol=atol, path=f"{dist}.{fn}")


def _q_is_ppf_arg(fn):
    return fn in QUANTILE


@pytest.mark.parametrize("dist,fn", ALL)
def test_values_float32(dist, fn):
    takes_loc = DISTS[dist][2]
    pts, params = _grid(dist, fn, np.float32, with_loc_scale=False)
    _check(dist, fn, (pts, *params))
    if takes_loc:
        pts, params = _grid(dist, fn, np.float32, with_loc_scale=True)
        _check(dist, fn, (pts, *params, LOC, SCALE))


@pytest.mark.parametrize("dist,fn", ALL)
def test_values_float64(dist, fn, x64):
    takes_loc = DISTS[dist][2]
    pts, params = _grid(dist, fn, np.float64, with_loc_scale=True)
    extra = (LOC, SCALE) if takes_loc else ()
    _check(dist, fn, (pts, *params, *extra), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dist,fn", ALL)
def test_python_scalars_and_ints(dist, fn):
    """Python floats stay weak, ints become float32 (or raise where JAX raises)."""
    takes_loc = DISTS[dist][2]
    pts, params = _grid(dist, fn, np.float64, with_loc_scale=False)
    x = float(pts[len(pts) // 2])
    _check(dist, fn, (x, *params))
    _check(dist, fn, (int(round(x)), *(int(round(p)) for p in params)))
    if takes_loc:
        _check(dist, fn, (x, *params, 0, 1))
        _check(dist, fn, (np.float32(x), *params, 0.5, 2))


@pytest.mark.parametrize("dist,fn", ALL)
def test_float16(dist, fn):
    pts, params = _grid(dist, fn, np.float16, with_loc_scale=False)
    _check(dist, fn, (pts, *params), rtol=4e-3, atol=4e-3)


@pytest.mark.parametrize("dist,fn", ALL)
def test_broadcast_params(dist, fn):
    """x of shape (n, 1) against a parameter vector of shape (2,) (the valid one and a
    second valid one), loc and scale as arrays."""
    shape_params, _, takes_loc, _, _ = DISTS[dist]
    pts, _ = _grid(dist, fn, np.float32, with_loc_scale=False)
    params = [np.array([p, p * 1.25 if p > 0 else p * 0.75], np.float32) for p in shape_params]
    extra = (np.array([0.0, 0.5], np.float32), np.array([1.0, 2.0], np.float32)) if takes_loc else ()
    _check(dist, fn, (pts[:, None], *params, *extra))


@pytest.mark.parametrize("dist", sorted(BAD_PARAMS))
def test_invalid_parameters(dist):
    pts, _ = _grid(dist, "pdf", np.float32, with_loc_scale=False)
    for params in BAD_PARAMS[dist]:
        for fn in _fns(dist):
            if fn not in QUANTILE:
                _check(dist, fn, (pts, *params))


@pytest.mark.parametrize("dist", [d for d in DISTS if DISTS[d][2]])
def test_nonpositive_scale(dist):
    pts, params = _grid(dist, "pdf", np.float32, with_loc_scale=False)
    for fn in _fns(dist):
        if fn not in QUANTILE:
            _check(dist, fn, (pts, *params, 0.0, -1.0))
            _check(dist, fn, (pts, *params, 0.0, 0.0))


def _grad_args(dist, fn):
    shape_params, _, takes_loc, inner, inner_params = DISTS[dist]
    xs = [0.01, 0.3, 0.6] if fn in QUANTILE else inner
    extra = (LOC, SCALE) if takes_loc else ()
    if takes_loc and fn not in QUANTILE:
        xs = [x * SCALE + LOC for x in xs]
    return xs, (*inner_params, *extra)


@pytest.mark.parametrize("dist,fn", ALL)
def test_gradients(dist, fn):
    """d/d(each argument) at interior points, first order (second order in x too)."""
    xs, params = _grad_args(dist, fn)
    nargs = 1 + len(params)
    for x in xs:
        args = (np.float32(x), *(np.float32(p) for p in params))
        for i in range(nargs):
            if (dist, fn, i) in NOT_DIFFERENTIABLE:
                for mod, lib in ((nstats, nablax), (jstats, jax)):
                    with pytest.raises(ValueError):
                        lib.grad(lambda *a, m=mod: _call(m, dist, fn, *a), argnums=i)(*args)
                continue
            got = nablax.grad(lambda *a: _call(nstats, dist, fn, *a), argnums=i)(*args)
            want = jax.grad(lambda *a: _call(jstats, dist, fn, *a), argnums=i)(*args)
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=2e-4, atol=2e-5,
                                       err_msg=f"{dist}.{fn} d/darg{i} at {args}")
        got2 = nablax.grad(nablax.grad(lambda *a: _call(nstats, dist, fn, *a)))(*args)
        want2 = jax.grad(jax.grad(lambda *a: _call(jstats, dist, fn, *a)))(*args)
        np.testing.assert_allclose(np.asarray(got2), np.asarray(want2), rtol=1e-3, atol=1e-4,
                                   err_msg=f"{dist}.{fn} second derivative at {args}")


@pytest.mark.parametrize("dist,fn", ALL)
def test_gradients_at_grid(dist, fn):
    """d/dx on the whole grid, support edges included (inf/nan/0 as JAX gives them)."""
    pts, params = _grid(dist, fn, np.float32, with_loc_scale=False)
    got = nablax.vmap(nablax.grad(lambda x: _call(nstats, dist, fn, x, *params)))(pts)
    want = jax.vmap(jax.grad(lambda x: _call(jstats, dist, fn, x, *params)))(pts)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=2e-4, atol=2e-5,
                               err_msg=f"{dist}.{fn} d/dx on {pts}")
