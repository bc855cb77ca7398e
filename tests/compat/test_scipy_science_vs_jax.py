"""nablax.scipy.{optimize, integrate, interpolate, ndimage, cluster.vq, spatial.transform}
against JAX 0.10: values, dtypes, weak types, shapes, pytree structures, gradients, and for
minimize the iterates themselves (the same algorithm: identical counts, and in 64-bit the
same x to rounding)."""
from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
import jax.scipy.cluster.vq as j_vq  # noqa: E402
import jax.scipy.integrate as j_integrate  # noqa: E402
import jax.scipy.interpolate as j_interpolate  # noqa: E402
import jax.scipy.ndimage as j_ndimage  # noqa: E402
import jax.scipy.optimize as j_optimize  # noqa: E402
import jax.scipy.spatial.transform as j_transform  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
import nablax.scipy.cluster.vq as n_vq  # noqa: E402
import nablax.scipy.integrate as n_integrate  # noqa: E402
import nablax.scipy.interpolate as n_interpolate  # noqa: E402
import nablax.scipy.ndimage as n_ndimage  # noqa: E402
import nablax.scipy.optimize as n_optimize  # noqa: E402
import nablax.scipy.spatial.transform as n_transform  # noqa: E402

from . import same_as_jax  # noqa: E402
from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(1414)
LBFGS = "l-bfgs-experimental-do-not-rely-on-this"


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def both(jf, nf, *args, rtol=2e-5, atol=2e-6, jit=True, path="out"):
    """jf(*args) against nf(*args), eager and under nablax.jit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        j_out = jf(*args)
        assert_same(j_out, nf(*args), rtol=rtol, atol=atol, path=path)
        if jit:
            assert_same(j_out, nablax.jit(nf)(*args), rtol=rtol, atol=atol, path=path + " (jit)")
    return j_out


def _weighted_sum(lib, out):
    """A weighted sum of every output element (distinct weights, so no gradient cancels)."""
    return lib.sum(lib.cos(lib.arange(out.size, dtype=out.dtype)).reshape(out.shape) * out)


grads_agree = functools.partial(same_as_jax.grads_agree, loss=_weighted_sum)


# ----------------------------------------------------------------------------- optimize

def rosen(lib):
    return lambda x: lib.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def himmelblau(lib):
    return lambda x: (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2


@functools.lru_cache(maxsize=None)
def _jax_minimize(fun, method: str, options: tuple):
    """JAX's minimize, jitted once per problem so that several starting points share a compile."""
    return jax.jit(lambda x: j_optimize.minimize(fun(jjnp), x, method=method, options=dict(options)))


CASES_64 = [(rosen, [[-1.2, 1.0], [0.5, 0.5], [2.0, 2.0], [1.5, 2.0]], ()),
            (himmelblau, [[0.0, 0.0], [-1.0, 2.0]], (("maxiter", 5),))]


@pytest.mark.parametrize("method", ["BFGS", LBFGS])
@pytest.mark.parametrize("fun, x0s, options", CASES_64)
def test_minimize_same_iterates_x64(x64, method, fun, x0s, options):
    for x0 in x0s:
        x0 = np.array(x0)
        j = _jax_minimize(fun, method, options)(x0)
        n = n_optimize.minimize(fun(njnp), x0, method=method, options=dict(options))
        assert_same(j, n, rtol=1e-6, atol=1e-7, path=f"minimize {method} from {x0}")


@pytest.mark.parametrize("method, fun, x0s", [("BFGS", rosen, [[-1.2, 1.0], [0.5, 0.5]]),
                                              (LBFGS, himmelblau, [[0.0, 0.0]])])
def test_minimize_float32(method, fun, x0s):
    # float32 rounding differs between XLA and NumPy, so only cases that stay on one path are compared.
    for x0 in x0s:
        x0 = np.array(x0, np.float32)
        j = _jax_minimize(fun, method, ())(x0)
        n = n_optimize.minimize(fun(njnp), x0, method=method)
        assert_same(j, n, rtol=2e-3, atol=2e-4, path=f"minimize {method}")
        jitted = nablax.jit(lambda x: n_optimize.minimize(fun(njnp), x, method=method))(x0)
        assert_same(j, jitted, rtol=2e-3, atol=2e-4, path=f"minimize {method} (jit)")


def test_minimize_errors_as_jax():
    x0 = np.zeros(2, np.float32)
    for kwargs, error in ((dict(method="Nelder-Mead"), ValueError), (dict(method="BFGS", args=[1]), TypeError),
                          (dict(method="BFGS", options=dict(bogus=1)), TypeError)):
        with pytest.raises(error):
            j_optimize.minimize(rosen(jjnp), x0, **kwargs)
        with pytest.raises(error):
            n_optimize.minimize(rosen(njnp), x0, **kwargs)


# ----------------------------------------------------------------------------- integrate

@pytest.mark.parametrize("kwargs", [{}, dict(dx=0.25), dict(axis=0), dict(dx=2.0, axis=0), dict(x="x"),
                                    dict(x="x0", axis=0)])
def test_trapezoid(kwargs):
    y = rand(4, 5)
    xs = {"x": np.sort(rand(5)), "x0": np.sort(rand(4))}
    kw = {k: xs[v] if k == "x" else v for k, v in kwargs.items()}
    both(lambda y: j_integrate.trapezoid(y, **kw), lambda y: n_integrate.trapezoid(y, **kw), y)
    if "x" in kw:
        grads_agree(lambda y, x: j_integrate.trapezoid(y, x, axis=kw.get("axis", -1)),
                    lambda y, x: n_integrate.trapezoid(y, x, axis=kw.get("axis", -1)), y, kw["x"])
    else:
        grads_agree(lambda y: j_integrate.trapezoid(y, **kw), lambda y: n_integrate.trapezoid(y, **kw), y)


def test_trapezoid_ints_and_known_value():
    y, x = np.array([1, 2, 3, 2, 3, 2, 1]), np.array([0, 2, 5, 7, 10, 15, 20])
    both(j_integrate.trapezoid, n_integrate.trapezoid, y)
    both(j_integrate.trapezoid, n_integrate.trapezoid, y, x)


# ----------------------------------------------------------------------------- interpolate

GRID = (np.array([0.0, 1.0, 2.5, 4.0], np.float32), np.array([-1.0, 0.0, 2.0], np.float32))


@pytest.mark.parametrize("method, fill_value, trailing", [("linear", np.nan, ()), ("linear", None, (2,)),
                                                          ("linear", 0.5, ()), ("nearest", np.nan, (2,)),
                                                          ("nearest", None, ()), ("nearest", 0.5, ())])
def test_regular_grid_interpolator(method, fill_value, trailing):
    values = rand(4, 3, *trailing)
    xi = RNG.uniform(-1.5, 4.5, (7, 2)).astype(np.float32)

    def make(mod):
        return lambda v, x: mod.RegularGridInterpolator(GRID, v, method=method, fill_value=fill_value)(x)

    both(make(j_interpolate), make(n_interpolate), values, xi)
    if fill_value is None:
        inside = RNG.uniform(0.1, 1.9, (7, 2)).astype(np.float32)
        grads_agree(make(j_interpolate), make(n_interpolate), values, inside)


def test_regular_grid_interpolator_pytree_and_inputs():
    values = rand(4, 3)
    j = j_interpolate.RegularGridInterpolator(GRID, values)
    n = n_interpolate.RegularGridInterpolator(GRID, values)
    assert str(nablax.tree_util.tree_structure(n)) == str(jax.tree_util.tree_structure(j))
    assert_same(jax.tree_util.tree_leaves(j), nablax.tree_util.tree_leaves(n), path="leaves")
    xa, xb = RNG.uniform(0, 4, (2, 3)).astype(np.float32), RNG.uniform(-1, 2, (2, 3)).astype(np.float32)
    assert_same(j((xa, xb)), n((xa, xb)), path="tuple xi")
    assert_same(j(np.array([1.2, 0.3], np.float32)), n(np.array([1.2, 0.3], np.float32)), path="1-D xi")
    pts = np.stack([xa, xb], -1)
    assert_same(jax.jit(lambda r, x: r(x))(j, pts), nablax.jit(lambda r, x: r(x))(n, pts), path="jit")
    ints = np.arange(12).reshape(4, 3)
    assert_same(j_interpolate.RegularGridInterpolator(GRID, ints)(xa[..., None].repeat(2, -1)),
                n_interpolate.RegularGridInterpolator(GRID, ints)(xa[..., None].repeat(2, -1)), path="int values")


def test_regular_grid_interpolator_errors_as_jax():
    values = rand(4, 3)
    for args, kwargs in (((GRID, values), dict(method="cubic")), ((GRID, values), dict(bounds_error=True)),
                         ((GRID * 2, values), {}), ((GRID, values), dict(fill_value=1j))):
        with pytest.raises(Exception) as je:
            j_interpolate.RegularGridInterpolator(*args, **kwargs)
        with pytest.raises(je.type):
            n_interpolate.RegularGridInterpolator(*args, **kwargs)


# ----------------------------------------------------------------------------- ndimage

@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("mode", ["constant", "nearest", "wrap", "mirror", "reflect"])
def test_map_coordinates(order, mode):
    image = rand(5, 6)
    coords = np.stack([RNG.uniform(-4, 9, 10), RNG.uniform(-4, 10, 10)]).astype(np.float32)
    coords[:, :2] = [[0.5, 2.5], [-0.5, 1.5]]  # ties of nearest rounding

    def make(mod):
        return lambda im, c: mod.map_coordinates(im, [c[0], c[1]], order, mode, 1.5)

    both(make(j_ndimage), make(n_ndimage), image, coords)
    smooth = coords + 0.01
    grads_agree(make(j_ndimage), make(n_ndimage), image, smooth)


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float64])
def test_map_coordinates_dtypes(dtype):
    image = (np.arange(24).reshape(2, 3, 4) * 3).astype(dtype)
    coords = [RNG.uniform(-1, 2, (2, 3)), RNG.uniform(-1, 3, (2, 3)), RNG.uniform(-1, 4, (2, 3))]
    for order in (0, 1):
        both(lambda *c, order=order: j_ndimage.map_coordinates(image, c, order),
             lambda *c, order=order: n_ndimage.map_coordinates(image, c, order),
             *[c.astype(np.float32) for c in coords], path=f"order {order}")


def test_map_coordinates_errors_as_jax():
    image = rand(3, 4)
    for args in ((image, [np.zeros(2)], 1), (image, [np.zeros(2)] * 2, 1, "grid-wrap"), (image, [np.zeros(2)] * 2, 2)):
        with pytest.raises(Exception) as je:
            j_ndimage.map_coordinates(*args)
        with pytest.raises(je.type):
            n_ndimage.map_coordinates(*args)


# ----------------------------------------------------------------------------- cluster.vq

@pytest.mark.parametrize("shapes", [((8, 3), (4, 3)), ((6,), (3,)), ((5, 1), (5, 1))])
def test_vq(shapes):
    obs, book = rand(*shapes[0]), rand(*shapes[1])
    both(j_vq.vq, n_vq.vq, obs, book)
    grads_agree(lambda o, b: j_vq.vq(o, b)[1], lambda o, b: n_vq.vq(o, b)[1], obs, book)
    both(j_vq.vq, n_vq.vq, np.arange(4), np.arange(2) * 2, path="ints")


# ----------------------------------------------------------------------------- spatial.transform

QUATS = rand(6, 4)
SEQS = ["xyz", "ZXZ", "yzy", "YXZ"]


def _pair(quat):
    return j_transform.Rotation.from_quat(quat), n_transform.Rotation.from_quat(quat)


@pytest.mark.parametrize("quat", [QUATS, QUATS[0]], ids=["many", "one"])
def test_rotation_conversions(quat):
    j, n = _pair(quat)
    assert_same(j.quat, n.quat, path="quat")
    assert j.single == n.single
    for name in ("as_matrix", "as_mrp", "as_rotvec", "magnitude"):
        assert_same(getattr(j, name)(), getattr(n, name)(), path=name)
    assert_same(j.as_rotvec(degrees=True), n.as_rotvec(degrees=True), rtol=1e-5, atol=1e-4, path="rotvec deg")
    for kwargs in (dict(canonical=True), dict(scalar_first=True), dict(canonical=True, scalar_first=True)):
        assert_same(j.as_quat(**kwargs), n.as_quat(**kwargs), path=f"as_quat {kwargs}")
    for seq in SEQS if j.single else SEQS[:2]:
        assert_same(j.as_euler(seq), n.as_euler(seq), atol=2e-6, path=f"as_euler {seq}")
    assert_same(j.as_euler("zyx", degrees=True), n.as_euler("zyx", degrees=True), rtol=1e-5, atol=2e-4)
    assert_same(j.inv().quat, n.inv().quat, path="inv")


def test_rotation_constructors():
    angles, vec = RNG.uniform(-3, 3, (6, 3)).astype(np.float32), rand(6, 3)
    mats = np.asarray(j_transform.Rotation.from_quat(QUATS).as_matrix())
    for seq in SEQS + ["x", "ZY"]:
        a = angles[:, :len(seq)]
        assert_same(j_transform.Rotation.from_euler(seq, a).quat, n_transform.Rotation.from_euler(seq, a).quat,
                    path=f"from_euler {seq}")
    assert_same(j_transform.Rotation.from_euler("xzy", angles[0] * 50, degrees=True).quat,
                n_transform.Rotation.from_euler("xzy", angles[0] * 50, degrees=True).quat, path="degrees")
    assert_same(j_transform.Rotation.from_euler("z", 90, degrees=True).quat,
                n_transform.Rotation.from_euler("z", 90, degrees=True).quat, path="scalar angle")
    for name, arg in (("from_matrix", mats), ("from_matrix", mats[0]), ("from_rotvec", vec), ("from_mrp", vec),
                      ("from_rotvec", np.zeros(3, np.float32))):
        assert_same(getattr(j_transform.Rotation, name)(arg).quat, getattr(n_transform.Rotation, name)(arg).quat,
                    path=name)
    assert_same(j_transform.Rotation.identity().quat, n_transform.Rotation.identity().quat, path="identity")
    # Gimbal lock: middle angle 0 or pi.
    # (At exactly pi, float32 rounding of arctan2 decides between the two answers: not compared.)
    locked = np.array([[0.3, 0.0, 0.2], [0.1, np.pi / 2, 0.4]], np.float32)
    for seq in ("zxz", "xyz"):
        j, n = _pair(np.asarray(j_transform.Rotation.from_euler(seq, locked).quat))
        assert_same(j.as_euler(seq), n.as_euler(seq), atol=2e-6, path=f"gimbal {seq}")


def test_rotation_operations():
    j, n = _pair(QUATS)
    v = rand(6, 3)
    for inverse in (False, True):
        assert_same(j.apply(v, inverse), n.apply(v, inverse), path="apply")
        assert_same(j[1].apply(v, inverse), n[1].apply(v, inverse), path="apply one to many")
        assert_same(j.apply(v[0], inverse), n.apply(v[0], inverse), path="apply many to one")
    assert_same((j * j[::-1]).quat, (n * n[::-1]).quat, path="compose")
    assert_same((j[0] * j).quat, (n[0] * n).quat, path="compose one with many")
    assert_same(j[2:4].quat, n[2:4].quat, path="slice")
    assert len(j) == len(n)
    assert_same(j.mean().quat, n.mean().quat, rtol=1e-4, atol=1e-5, path="mean")
    w = np.arange(1.0, 7.0, dtype=np.float32)
    assert_same(j.mean(w).quat, n.mean(w).quat, rtol=1e-4, atol=1e-5, path="weighted mean")
    assert_same(j_transform.Rotation.concatenate([j[:2], j[3:]]).quat,
                n_transform.Rotation.concatenate([n[:2], n[3:]]).quat, path="concatenate")
    assert str(nablax.tree_util.tree_structure(n)) == str(jax.tree_util.tree_structure(j))


def test_rotation_grads():
    q, v = QUATS[1], rand(3)
    grads_agree(lambda q, v: j_transform.Rotation.from_quat(q).apply(v),
                lambda q, v: n_transform.Rotation.from_quat(q).apply(v), q, v)
    grads_agree(lambda q: j_transform.Rotation.from_quat(q).as_euler("zxz"),
                lambda q: n_transform.Rotation.from_quat(q).as_euler("zxz"), q)
    grads_agree(lambda w: j_transform.Rotation.from_rotvec(w).as_rotvec(),
                lambda w: n_transform.Rotation.from_rotvec(w).as_rotvec(), v)
    grads_agree(lambda m: j_transform.Rotation.from_matrix(m).as_quat(),
                lambda m: n_transform.Rotation.from_matrix(m).as_quat(),
                np.asarray(j_transform.Rotation.from_quat(q).as_matrix()))


def test_slerp():
    times = np.array([0.0, 1.0, 2.5, 4.0], np.float32)
    js = j_transform.Slerp.init(times, j_transform.Rotation.from_quat(QUATS[:4]))
    ns = n_transform.Slerp.init(times, n_transform.Rotation.from_quat(QUATS[:4]))
    assert str(nablax.tree_util.tree_structure(ns)) == str(jax.tree_util.tree_structure(js))
    assert_same(jax.tree_util.tree_leaves(js), nablax.tree_util.tree_leaves(ns), path="slerp leaves")
    query = np.array([0.0, 0.4, 1.0, 2.2, 3.9, 4.0], np.float32)
    assert_same(js(query).quat, ns(query).quat, path="slerp")
    assert_same(js(1.7).quat, ns(1.7).quat, path="slerp scalar")


def test_rotation_errors_as_jax():
    j, n = _pair(QUATS)
    calls = [lambda m: len(m.Rotation.from_quat(QUATS[0])), lambda m: m.Rotation.from_quat(QUATS[0])[0],
             lambda m: m.Rotation.from_euler("xyzx", np.zeros(4)), lambda m: m.Rotation.from_euler("xYz", np.zeros(3)),
             lambda m: m.Rotation.from_euler("xxy", np.zeros(3)), lambda m: m.Rotation.from_quat(QUATS).as_euler("xy"),
             lambda m: m.Rotation.from_quat(QUATS).mean(np.ones(2)),
             lambda m: m.Slerp.init([0.0, 1.0], QUATS[:2]),
             lambda m: m.Slerp.init([0.0], m.Rotation.from_quat(QUATS[:1])),
             lambda m: m.Slerp.init([0.0, 1.0, 2.0], m.Rotation.from_quat(QUATS[:2]))]
    for call in calls:
        with pytest.raises(Exception) as je:
            call(j_transform)
        with pytest.raises(je.type):
            call(n_transform)
