"""nablax.scipy.{optimize, integrate, interpolate, ndimage, cluster.vq, spatial.transform}
against SciPy, with known answers (JAX's, where JAX departs from SciPy), finite-difference
gradients, jit against eager and vmap against a loop. Runs without JAX."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.cluster.vq as sp_vq
import scipy.integrate as sp_integrate
import scipy.interpolate as sp_interpolate
import scipy.ndimage as sp_ndimage
import scipy.optimize as sp_optimize
from scipy.spatial.transform import Rotation as SpRotation
from scipy.spatial.transform import Slerp as SpSlerp

import nablax
import nablax.numpy as jnp
from nablax.scipy import integrate, interpolate, ndimage, optimize
from nablax.scipy.cluster import vq as cluster_vq
from nablax.scipy.spatial.transform import Rotation, Slerp
from nablax.test_util import check_grads

RNG = np.random.default_rng(14)
LBFGS = "l-bfgs-experimental-do-not-rely-on-this"


def rosen(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def quadratic(x, a, b):
    return 0.5 * jnp.dot(x, jnp.dot(a, x)) - jnp.dot(b, x)


QA = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
QB = np.array([1.0, -2.0, 0.5])


# ----------------------------------------------------------------------------- optimize

@pytest.mark.parametrize("method", ["BFGS", "bfgs", LBFGS])
def test_minimize_quadratic_matches_scipy(method):
    r = optimize.minimize(quadratic, np.zeros(3, np.float32), args=(QA.astype(np.float32), QB.astype(np.float32)),
                          method=method)
    assert isinstance(r, optimize.OptimizeResults)
    assert r.x.dtype == np.float32 and r.nit.dtype == np.int32
    assert bool(r.success) and int(r.status) == 0
    ref = sp_optimize.minimize(lambda x: 0.5 * x @ QA @ x - QB @ x, np.zeros(3), method="BFGS")
    np.testing.assert_allclose(r.x, ref.x, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(r.x, np.linalg.solve(QA, QB), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(r.jac, QA @ np.asarray(r.x) - QB, atol=1e-5)
    if method == LBFGS:
        assert r.hess_inv is None
    else:
        np.testing.assert_allclose(r.hess_inv, np.linalg.inv(QA), atol=0.05)


# JAX 0.10.2's results on Rosenbrock in 64-bit (the same algorithm: every count must agree).
@pytest.mark.parametrize("x0, method, x, nit, nfev, status", [
    ([0.5, 0.5], "BFGS", [0.99999996, 0.99999989], 14, 23, 0),
    ([2.0, 2.0], "BFGS", [0.99999999, 0.99999999], 24, 37, 0),
    ([-1.2, 1.0], "BFGS", [-0.27780696, 0.04333878], 8, 17, 3),
    ([1.5, 2.0], LBFGS, [0.99999964, 0.99999924], 23, 35, 4),
    ([0.5, 0.5], LBFGS, [0.86280829, 0.73714314], 11, 19, 5),
])
def test_minimize_rosenbrock_as_jax(x64, x0, method, x, nit, nfev, status):
    r = optimize.minimize(rosen, np.array(x0), method=method)
    np.testing.assert_allclose(r.x, x, rtol=1e-7, atol=1e-8)
    assert (int(r.nit), int(r.nfev), int(r.njev), int(r.status)) == (nit, nfev, nfev, status)
    assert bool(r.success) == (status == 0)
    if status == 0:
        np.testing.assert_allclose(r.x, sp_optimize.minimize(sp_optimize.rosen, x0, method="BFGS").x, atol=1e-5)
        np.testing.assert_allclose(r.fun, 0.0, atol=1e-12)


def test_minimize_options(x64):
    r = optimize.minimize(rosen, np.array([0.5, 0.5]), method="BFGS", options=dict(maxiter=3))
    assert int(r.nit) == 3 and int(r.status) == 1 and not bool(r.success)
    loose = optimize.minimize(rosen, np.array([0.5, 0.5]), method="BFGS", options=dict(gtol=1e-2))
    assert int(loose.nit) < 14 and float(jnp.max(jnp.abs(loose.jac))) < 1e-2
    lim = optimize.minimize(rosen, np.array([1.5, 2.0]), method=LBFGS, options=dict(maxfun=10))
    assert int(lim.status) == 2 and int(lim.nfev) >= 10


@pytest.mark.parametrize("method", ["BFGS", LBFGS])
def test_minimize_jit_and_vmap(x64, method):
    x0s = np.array([[0.5, 0.5], [2.0, 2.0], [1.2, 0.8]])
    loop = [optimize.minimize(rosen, x0, method=method) for x0 in x0s]
    jitted = nablax.jit(lambda x: optimize.minimize(rosen, x, method=method))(x0s[0])
    np.testing.assert_allclose(jitted.x, loop[0].x, rtol=1e-10)
    assert int(jitted.nit) == int(loop[0].nit)
    batched = nablax.vmap(lambda x: optimize.minimize(rosen, x, method=method))(x0s)
    np.testing.assert_allclose(batched.x, np.stack([r.x for r in loop]), rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(batched.nit, [int(r.nit) for r in loop])


def test_minimize_bad_input():
    x0 = np.zeros(2, np.float32)
    with pytest.raises(ValueError, match="not recognized"):
        optimize.minimize(rosen, x0, method="Nelder-Mead")
    with pytest.raises(TypeError, match="must be a tuple"):
        optimize.minimize(quadratic, x0, args=[1], method="BFGS")
    with pytest.raises(TypeError):
        optimize.minimize(rosen, x0, method="BFGS", options=dict(not_an_option=1))
    with pytest.raises(TypeError):
        optimize.minimize(rosen, x0)  # method is required


# ----------------------------------------------------------------------------- integrate

def test_trapezoid_known_values_and_scipy():
    y = np.array([1, 2, 3, 2, 3, 2, 1])
    assert float(integrate.trapezoid(y)) == 13.0
    assert float(integrate.trapezoid(y, np.array([0, 2, 5, 7, 10, 15, 20]))) == 43.0
    y2, x2 = RNG.standard_normal((4, 6)).astype(np.float32), np.sort(RNG.uniform(0, 3, 6)).astype(np.float32)
    for kw in (dict(x=x2), dict(dx=0.3), dict(dx=0.3, axis=0), dict(x=x2[:4], axis=0)):
        out = integrate.trapezoid(y2, **kw)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, sp_integrate.trapezoid(y2, **kw), rtol=1e-5, atol=1e-6)
    xs = jnp.linspace(0, 2 * np.pi, 1000)
    np.testing.assert_allclose(integrate.trapezoid(jnp.sin(xs) ** 2, xs), np.pi, rtol=1e-5)


def test_trapezoid_grads_jit_vmap():
    y, x = RNG.standard_normal((3, 5)), np.sort(RNG.uniform(0, 2, 5))
    check_grads(lambda y, x: integrate.trapezoid(y, x), (y, x), order=2)
    check_grads(lambda y, d: integrate.trapezoid(y, dx=d, axis=0), (y, 0.7), order=2)
    y32 = y.astype(np.float32)
    np.testing.assert_allclose(nablax.jit(integrate.trapezoid)(y32), integrate.trapezoid(y32), rtol=1e-6)
    np.testing.assert_allclose(nablax.vmap(integrate.trapezoid)(y32), [integrate.trapezoid(r) for r in y32],
                               rtol=1e-6)


# ----------------------------------------------------------------------------- interpolate

GRID = (np.array([0.0, 1.0, 2.5, 4.0]), np.array([-1.0, 0.0, 2.0]))
GRID_VALUES = RNG.standard_normal((4, 3))


@pytest.mark.parametrize("method", ["linear", "nearest"])
@pytest.mark.parametrize("fill_value", [np.nan, None, 0.5])
def test_regular_grid_interpolator_matches_scipy(method, fill_value):
    xi = RNG.uniform(-1.5, 4.5, (9, 2))
    ours = interpolate.RegularGridInterpolator(GRID, GRID_VALUES.astype(np.float32), method=method,
                                               fill_value=fill_value)(xi.astype(np.float32))
    ref = sp_interpolate.RegularGridInterpolator(GRID, GRID_VALUES, method=method, bounds_error=False,
                                                 fill_value=fill_value)(xi)
    assert ours.dtype == np.float32 and ours.shape == (9,)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_regular_grid_interpolator_shapes_and_known_value():
    points = (jnp.array([1, 2, 3]), jnp.array([4, 5, 6]))
    values = jnp.array([[10, 20, 30], [40, 50, 60], [70, 80, 90]])
    out = interpolate.RegularGridInterpolator(points, values)(jnp.array([[1.5, 4.5], [2.2, 5.8]]))
    np.testing.assert_allclose(out, [30.0, 64.0], rtol=1e-6)
    # Trailing value axes, a tuple of coordinate arrays, and a per-call method.
    vals = RNG.standard_normal((4, 3, 2))
    interp = interpolate.RegularGridInterpolator(GRID, vals)
    xa, xb = RNG.uniform(0, 4, (2, 3)), RNG.uniform(-1, 2, (2, 3))
    ref = sp_interpolate.RegularGridInterpolator(GRID, vals, method="nearest")((xa, xb))
    np.testing.assert_allclose(interp((xa.astype(np.float32), xb.astype(np.float32)), method="nearest"), ref,
                               rtol=1e-5)
    assert interp(np.stack([xa, xb], -1).astype(np.float32)).shape == (2, 3, 2)


def test_regular_grid_interpolator_grads_pytree_jit():
    xi = RNG.uniform(0.1, 3.9, (5, 2))
    xi[:, 1] = RNG.uniform(-0.9, 1.9, 5)

    def f(values, xi):
        return interpolate.RegularGridInterpolator(GRID, values)(xi)

    check_grads(f, (GRID_VALUES, xi), order=1)
    interp = interpolate.RegularGridInterpolator(GRID, GRID_VALUES.astype(np.float32))
    leaves, tree = nablax.tree_util.tree_flatten(interp)
    assert len(leaves) == 4 and "RegularGridInterpolator" in str(tree)
    xi32 = xi.astype(np.float32)
    np.testing.assert_allclose(nablax.jit(lambda r, x: r(x))(interp, xi32), interp(xi32), rtol=1e-6)
    np.testing.assert_allclose(nablax.vmap(lambda p: interp(p[None])[0])(xi32), interp(xi32), rtol=1e-6)


def test_regular_grid_interpolator_bad_input():
    with pytest.raises(ValueError, match="not defined"):
        interpolate.RegularGridInterpolator(GRID, GRID_VALUES, method="cubic")
    with pytest.raises(NotImplementedError):
        interpolate.RegularGridInterpolator(GRID, GRID_VALUES, bounds_error=True)
    with pytest.raises(ValueError, match="point arrays"):
        interpolate.RegularGridInterpolator(GRID * 2, GRID_VALUES)
    with pytest.raises(ValueError, match="fill_value"):
        interpolate.RegularGridInterpolator(GRID, GRID_VALUES, fill_value=1j)
    with pytest.raises(ValueError, match="dimension"):
        interpolate.RegularGridInterpolator(GRID, GRID_VALUES)(np.zeros((2, 3)))


# ----------------------------------------------------------------------------- ndimage

# JAX's 'constant' and 'wrap' are SciPy's 'grid-constant' and 'grid-wrap'.
SCIPY_MODE = {"constant": "grid-constant", "nearest": "nearest", "wrap": "grid-wrap", "mirror": "mirror",
              "reflect": "reflect"}


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("mode", sorted(SCIPY_MODE))
def test_map_coordinates_matches_scipy(order, mode):
    image = RNG.standard_normal((5, 6))
    coords = [RNG.uniform(-4, 9, 12) + 0.013, RNG.uniform(-4, 10, 12) + 0.017]  # no exact .5 ties
    ours = ndimage.map_coordinates(image.astype(np.float32), [c.astype(np.float32) for c in coords], order, mode, 0.7)
    ref = sp_ndimage.map_coordinates(image, coords, order=order, mode=SCIPY_MODE[mode], cval=0.7, prefilter=False)
    assert ours.dtype == np.float32 and ours.shape == (12,)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_map_coordinates_known_values_and_ints():
    image = jnp.arange(12.0).reshape(3, 4)
    out = ndimage.map_coordinates(image, [jnp.array([0.5, 1.5]), jnp.array([1.5, 2.5])], order=1)
    np.testing.assert_allclose(out, [3.5, 8.5])
    ints = ndimage.map_coordinates(np.arange(12).reshape(3, 4), [np.array([0.5, 1.5]), np.array([1.5, 2.5])], 1)
    assert ints.dtype == np.int32
    np.testing.assert_array_equal(ints, [4, 9])  # 3.5 and 8.5 round half away from zero
    # Order 0 rounds half away from zero: (1.5, 2.5) reads [2, 3]; -0.5 goes to -1, outside (cval).
    np.testing.assert_array_equal(ndimage.map_coordinates(image, [np.array([1.5, 1.0]), np.array([2.5, -0.5])], 0,
                                                          cval=-1.0), [11.0, -1.0])


def test_map_coordinates_grads_jit_vmap():
    image = RNG.standard_normal((4, 5))
    coords = np.stack([RNG.uniform(-1, 4, 6) + 0.01, RNG.uniform(-1, 5, 6) + 0.01])
    for mode in ("constant", "wrap", "reflect"):
        check_grads(lambda im, c, mode=mode: ndimage.map_coordinates(im, c, 1, mode, 0.3), (image, coords), order=1)
    im32, c32 = image.astype(np.float32), coords.astype(np.float32)
    eager = ndimage.map_coordinates(im32, c32, 1, "mirror")
    np.testing.assert_allclose(nablax.jit(lambda i, c: ndimage.map_coordinates(i, c, 1, "mirror"))(im32, c32), eager,
                               rtol=1e-6)
    batched = nablax.vmap(lambda c: ndimage.map_coordinates(im32, c, 1), in_axes=1)(c32)
    np.testing.assert_allclose(batched, ndimage.map_coordinates(im32, c32, 1), rtol=1e-6)


def test_map_coordinates_bad_input():
    image = np.zeros((3, 4), np.float32)
    with pytest.raises(ValueError, match="length input.ndim"):
        ndimage.map_coordinates(image, [np.zeros(2)], 1)
    with pytest.raises(NotImplementedError, match="mode"):
        ndimage.map_coordinates(image, [np.zeros(2)] * 2, 1, mode="grid-wrap")
    with pytest.raises(NotImplementedError, match="order"):
        ndimage.map_coordinates(image, [np.zeros(2)] * 2, 3)


# ----------------------------------------------------------------------------- cluster.vq

def test_vq_matches_scipy():
    obs, book = RNG.standard_normal((8, 3)), RNG.standard_normal((4, 3))
    code, dist = cluster_vq.vq(obs.astype(np.float32), book.astype(np.float32))
    ref_code, ref_dist = sp_vq.vq(obs, book)
    assert code.dtype == np.int32 and dist.dtype == np.float32
    np.testing.assert_array_equal(code, ref_code)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-5)
    code1, dist1 = cluster_vq.vq(np.arange(3), np.arange(2))  # 1-D: scalar observations; ties pick the first
    np.testing.assert_array_equal(code1, [0, 1, 1])
    np.testing.assert_allclose(dist1, [0.0, 0.0, 1.0])


def test_vq_grads_jit_vmap():
    obs, book = RNG.standard_normal((5, 2)), RNG.standard_normal((3, 2))
    check_grads(lambda o, b: cluster_vq.vq(o, b)[1], (obs, book), order=2)
    o32, b32 = obs.astype(np.float32), book.astype(np.float32)
    eager = cluster_vq.vq(o32, b32)
    jitted = nablax.jit(cluster_vq.vq)(o32, b32)
    np.testing.assert_array_equal(jitted[0], eager[0])
    np.testing.assert_allclose(jitted[1], eager[1], rtol=1e-6)
    batched = nablax.vmap(cluster_vq.vq, in_axes=(None, 0))(o32, np.stack([b32, b32[::-1]]))
    np.testing.assert_array_equal(batched[0][1], cluster_vq.vq(o32, b32[::-1])[0])


def test_vq_bad_input():
    with pytest.raises(ValueError, match="same rank"):
        cluster_vq.vq(np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="ndim"):
        cluster_vq.vq(np.zeros((2, 3, 1)), np.zeros((2, 3, 1)))
    with pytest.raises(TypeError):
        cluster_vq.vq([[1.0]], [[1.0]])


# ----------------------------------------------------------------------------- spatial.transform

QUATS = RNG.standard_normal((6, 4))
EULER_SEQS = ["xyz", "ZYX", "zxz", "XYX", "yzy", "xzy"]


def _sp(quat):
    return SpRotation.from_quat(np.asarray(quat, np.float64))


def test_rotation_conversions_match_scipy(x64):
    r, ref = Rotation.from_quat(QUATS.astype(np.float32)), SpRotation.from_quat(QUATS)
    assert r.quat.dtype == np.float32 and len(r) == 6 and not r.single
    np.testing.assert_allclose(r.as_matrix(), ref.as_matrix(), atol=1e-6)
    np.testing.assert_allclose(r.as_rotvec(), ref.as_rotvec(), atol=2e-6)
    np.testing.assert_allclose(r.as_rotvec(degrees=True), ref.as_rotvec(degrees=True), atol=2e-4)
    np.testing.assert_allclose(r.as_mrp(), ref.as_mrp(), atol=2e-6)
    np.testing.assert_allclose(r.magnitude(), ref.magnitude(), atol=2e-6)
    np.testing.assert_allclose(r.as_quat(canonical=True), ref.as_quat(canonical=True), atol=1e-6)
    np.testing.assert_allclose(r.as_quat(scalar_first=True), np.roll(ref.as_quat(), 1, -1), atol=1e-6)
    for seq in EULER_SEQS:
        np.testing.assert_allclose(r.as_euler(seq), ref.as_euler(seq), atol=3e-6, err_msg=seq)
        angles = RNG.uniform(-3, 3, (6, 3))
        np.testing.assert_allclose(_sp(Rotation.from_euler(seq, angles).quat).as_matrix(),
                                   SpRotation.from_euler(seq, angles).as_matrix(), atol=1e-12, err_msg=seq)
    mats, vecs = ref.as_matrix(), QUATS[:, :3]
    np.testing.assert_allclose(_sp(Rotation.from_matrix(mats).quat).as_matrix(), mats, atol=1e-12)
    np.testing.assert_allclose(_sp(Rotation.from_rotvec(vecs).quat).as_matrix(),
                               SpRotation.from_rotvec(vecs).as_matrix(), atol=1e-12)
    np.testing.assert_allclose(_sp(Rotation.from_mrp(vecs).quat).as_matrix(),
                               SpRotation.from_mrp(vecs).as_matrix(), atol=1e-12)
    np.testing.assert_allclose(Rotation.from_rotvec(np.array([0.0, 90.0, 0.0]), degrees=True).as_matrix(),
                               [[0, 0, 1], [0, 1, 0], [-1, 0, 0]], atol=1e-6)


def test_rotation_euler_gimbal_lock(x64):
    # Middle angle 0 or pi: the third angle is 0 and the first carries the rotation (as SciPy).
    for seq, angles in (("xyz", [0.3, np.pi / 2, 0.2]), ("zxz", [0.4, 0.0, 0.1]), ("zxz", [0.4, np.pi, 0.1])):
        quat = SpRotation.from_euler(seq, angles).as_quat()
        ours = Rotation.from_quat(quat).as_euler(seq)
        np.testing.assert_allclose(_sp(Rotation.from_euler(seq, ours).quat).as_matrix(),
                                   SpRotation.from_quat(quat).as_matrix(), atol=1e-5)
        assert abs(float(ours[2])) < 1e-6


def test_rotation_operations_match_scipy(x64):
    r, ref = Rotation.from_quat(QUATS), SpRotation.from_quat(QUATS)
    v = RNG.standard_normal((6, 3))
    np.testing.assert_allclose(r.apply(v), ref.apply(v), atol=1e-12)
    np.testing.assert_allclose(r.apply(v, inverse=True), ref.apply(v, inverse=True), atol=1e-12)
    np.testing.assert_allclose(r[2].apply(v), ref[2].apply(v), atol=1e-12)  # one rotation, many vectors
    np.testing.assert_allclose(r.apply(v[0]), ref.apply(v[0]), atol=1e-12)  # many rotations, one vector
    np.testing.assert_allclose((r * r[::-1]).as_matrix(), (ref * ref[::-1]).as_matrix(), atol=1e-12)
    np.testing.assert_allclose(r.inv().as_matrix(), ref.inv().as_matrix(), atol=1e-12)
    w = np.arange(1.0, 7.0)
    for ours, theirs in ((r.mean(), ref.mean()), (r.mean(w), ref.mean(w))):
        np.testing.assert_allclose(ours.as_matrix(), theirs.as_matrix(), atol=1e-10)
    np.testing.assert_array_equal(Rotation.identity().quat, [0.0, 0.0, 0.0, 1.0])
    assert Rotation.identity().quat.dtype == np.float64  # dtype=float: 64-bit here, as x64 is on
    assert Rotation.identity(3).quat.shape == (3, 4)
    both = Rotation.concatenate([r[:2], r[4]])
    np.testing.assert_allclose(both.quat, np.asarray(r.quat)[[0, 1, 4]])
    sampled = Rotation.random(nablax.random.key(0), 500)
    np.testing.assert_allclose(jnp.linalg.norm(sampled.quat, axis=-1), 1.0, rtol=1e-6)
    # Haar measure on SO(3): E[trace R] = 0 and E[trace^2] = 1.
    trace = np.trace(np.asarray(sampled.as_matrix()), axis1=-2, axis2=-1)
    assert abs(trace.mean()) < 4 / np.sqrt(500) and abs((trace ** 2).mean() - 1) < 4 * np.sqrt(2 / 500) * 2


def test_slerp_matches_scipy(x64):
    times, ref_rot = [0.0, 1.0, 2.5, 4.0], SpRotation.from_quat(QUATS[:4])
    slerp = Slerp.init(times, Rotation.from_quat(QUATS[:4]))
    query = np.array([0.0, 0.4, 1.0, 2.2, 3.9, 4.0])
    np.testing.assert_allclose(slerp(query).as_matrix(), SpSlerp(times, ref_rot)(query).as_matrix(), atol=1e-12)
    one = slerp(1.7)
    assert one.single
    np.testing.assert_allclose(one.as_matrix(), SpSlerp(times, ref_rot)(1.7).as_matrix(), atol=1e-12)


def test_rotation_grads_jit_vmap(x64):
    q, v = QUATS[0], RNG.standard_normal(3)
    check_grads(lambda q, v: Rotation.from_quat(q).apply(v), (q, v), order=2)
    check_grads(lambda q: Rotation.from_quat(q).as_euler("zyx"), (q,), order=1)
    check_grads(lambda q: Rotation.from_quat(q).as_rotvec(), (q,), order=1)
    check_grads(lambda w: Rotation.from_rotvec(w).as_matrix(), (v,), order=2)
    check_grads(lambda m: Rotation.from_mrp(m).as_quat(), (v,), order=2)
    many = Rotation.from_quat(QUATS.astype(np.float32))
    np.testing.assert_allclose(nablax.jit(lambda r: r.as_euler("xyz"))(many), many.as_euler("xyz"), atol=1e-6)
    out = nablax.jit(lambda r: r.inv())(many)
    assert isinstance(out, Rotation)
    np.testing.assert_allclose(out.quat, many.inv().quat)
    np.testing.assert_allclose(nablax.vmap(lambda q: Rotation.from_quat(q).as_matrix())(QUATS.astype(np.float32)),
                               many.as_matrix(), atol=1e-6)


def test_rotation_bad_input():
    single = Rotation.from_quat(QUATS[0])
    with pytest.raises(TypeError, match="no len"):
        len(single)
    with pytest.raises(TypeError, match="not subscriptable"):
        single[0]
    for bad in ("xyzx", "", "xYz", "xxz", "abc"):
        with pytest.raises(ValueError):
            Rotation.from_euler(bad, np.zeros(3))
    with pytest.raises(ValueError, match="3 axes"):
        single.as_euler("xy")
    with pytest.raises(ValueError):
        Rotation.from_euler("xy", np.zeros(3))
    many = Rotation.from_quat(QUATS)
    with pytest.raises(ValueError, match="weights"):
        many.mean(np.ones(3))
    with pytest.raises(TypeError, match="Rotation"):
        Slerp.init([0, 1], QUATS[:2])
    with pytest.raises(ValueError, match="at least 2"):
        Slerp.init([0], many[:1])
    with pytest.raises(ValueError, match="timestamps"):
        Slerp.init([0, 1, 2], many[:2])


def test_slerp_grads(x64):
    slerp = Slerp.init([0.0, 1.0, 2.5], Rotation.from_quat(QUATS[:3]))
    check_grads(lambda t: slerp(t).as_rotvec(), (np.array([0.3, 1.4, 2.2]),), order=1)
    check_grads(lambda q: Slerp.init([0.0, 1.0, 2.5], Rotation.from_quat(q))(np.array([0.5, 2.0])).as_quat(),
                (QUATS[:3],), order=1)


# A single Rotation overrides len() and [] (as JAX's, they raise TypeError), and
# nablax._src.tree flattens namedtuples with len(): the two-line fix (tuple(x) for a
# namedtuple's children) is in /work/wt/notes/science.md for the lead.
def test_single_rotation_is_a_pytree():
    one = Rotation.from_quat(QUATS[0].astype(np.float32))
    np.testing.assert_allclose(nablax.jit(lambda r: r.as_matrix())(one), one.as_matrix(), rtol=1e-6)
    stacked = nablax.vmap(Rotation.from_quat)(QUATS.astype(np.float32))
    np.testing.assert_allclose(stacked.quat, Rotation.from_quat(QUATS.astype(np.float32)).quat, rtol=1e-6)
