"""nablax.image against real JAX: every resize method up and down, with and without antialias,
1-D to 4-D (NHWC) images, float/int/bool/complex inputs (values, dtypes, shapes, weak types),
scale_and_translate at several scales and translations, derivatives in image, scale and
translation (forward and reverse), jit and vmap, 64-bit mode, and error classes."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as jnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(12)
METHODS = ["nearest", "linear", "cubic", "lanczos3", "lanczos5", "cubic-pytorch", "area"]
SHAPES = [  # (input, output): up, down, mixed, unchanged dims
    ((13,), (4,)), ((6, 9), (11, 4)), ((5, 5), (5, 12)), ((2, 6, 7, 3), (2, 11, 4, 3)),
]


def _img(shape, dtype=np.float32):
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(0, 100, shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return RNG.random(shape) > 0.5
    x = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_resize(method, antialias, shapes):
    x = _img(shapes[0])
    assert_same(jax.image.resize(x, shapes[1], method, antialias=antialias),
                nablax.image.resize(x, shapes[1], method, antialias=antialias))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.bool_, np.float16, np.complex64])
@pytest.mark.parametrize("method", ["nearest", "linear", "lanczos3"])
def test_resize_dtypes(dtype, method):
    x = _img((5, 6), dtype)
    tol = dict(rtol=2e-3, atol=2e-3) if dtype == np.float16 else {}
    assert_same(jax.image.resize(x, (8, 3), method), nablax.image.resize(x, (8, 3), method), **tol)
    assert_same(jax.image.resize(x, (5, 6), method), nablax.image.resize(x, (5, 6), method))


def test_resize_enum_names_scalars_and_numpy_inputs():
    x = _img((4, 5))
    for name in ["bilinear", "trilinear", "triangle", "bicubic", "tricubic", "bicubic-pytorch"]:
        assert_same(jax.image.resize(x, (7, 3), name), nablax.image.resize(x, (7, 3), name))
    for m in nablax.image.ResizeMethod:
        jm = jax.image.ResizeMethod[m.name]
        assert jm.value == m.value
        assert_same(jax.image.resize(x, (7, 3), jm), nablax.image.resize(x, (7, 3), m))
    assert_same(jax.image.resize(1.5, (), "linear"), nablax.image.resize(1.5, (), "linear"))
    x64 = x.astype(np.float64)
    assert_same(jax.image.resize(x64, (7, 3), "cubic"), nablax.image.resize(x64, (7, 3), "cubic"))
    assert_same(jax.image.resize(x, [0, 3], "linear"), nablax.image.resize(x, [0, 3], "linear"))


@pytest.mark.xfail(strict=True, reason="JAX's jitted nearest lets XLA fold (i + 0.5) * m / n into one multiply; "
                   "the folded constant's rounding is not yet reproduced (about 2% of size pairs differ by one index)")
def test_nearest_index_rule_many_sizes():
    # float32 (i + 0.5) * m / n, floored: checked exactly where rounding decides the index
    for m in [3, 7, 10, 31, 100]:
        x = np.arange(m, dtype=np.int32)
        for n in [1, 2, 3, 6, 9, 29, 64, 301]:
            assert_same(jax.image.resize(x, (n,), "nearest"), nablax.image.resize(x, (n,), "nearest"))


SAT = [([2.3, 0.6], [0.4, -1.2]), ([0.37, 3.1], [2.0, 0.5])]  # (down and up, then mixed with shifts)


@pytest.mark.parametrize("method", METHODS[1:])
@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("st", SAT, ids=str)
def test_scale_and_translate(method, antialias, st):
    x = _img((6, 8, 2))
    s, t = (np.asarray(v, np.float32) for v in st)
    jf = lambda x, s, t: jax.image.scale_and_translate(x, (9, 5, 2), (0, 1), s, t, method, antialias)  # noqa: E731
    nf = lambda x, s, t: nablax.image.scale_and_translate(x, (9, 5, 2), (0, 1), s, t, method, antialias)  # noqa: E731
    assert_same(jf(x, s, t), nf(x, s, t))
    ct = _img((9, 5, 2))
    jout, jpull = jax.vjp(jf, x, s, t)
    nout, npull = nablax.vjp(nf, x, s, t)
    assert_same(jpull(ct), npull(ct), rtol=2e-4, atol=2e-4, path="vjp")


def test_scale_and_translate_forward_mode_jit_vmap():
    x = _img((5, 7))
    s, t = np.array([1.7, 0.45], np.float32), np.array([0.3, 1.1], np.float32)
    tangents = (_img((5, 7)), np.array([0.2, -0.1], np.float32), np.array([0.5, 0.3], np.float32))

    def f(img):
        return lambda x, s, t: img.scale_and_translate(x, (8, 4), (0, 1), s, t, "cubic")
    assert_same(jax.jvp(f(jax.image), (x, s, t), tangents), nablax.jvp(f(nablax.image), (x, s, t), tangents),
                rtol=2e-4, atol=2e-4, path="jvp")
    assert_same(jax.jit(f(jax.image))(x, s, t), nablax.jit(f(nablax.image))(x, s, t))
    ss = np.array([[1.7, 0.45], [0.8, 2.0], [1.0, 1.0]], np.float32)
    assert_same(jax.vmap(f(jax.image), (None, 0, None))(x, ss, t),
                nablax.vmap(f(nablax.image), (None, 0, None))(x, ss, t))


def test_scale_and_translate_dtypes_and_spatial_dims():
    x = _img((2, 5, 6, 3))
    s, t = np.array([1.6], np.float32), np.array([0.25], np.float32)
    for dims, shape in [((1,), (2, 8, 6, 3)), ((-2,), (2, 5, 9, 3)), ((), (2, 5, 6, 3))]:
        sv, tv = s[:len(dims)], t[:len(dims)]
        assert_same(jax.image.scale_and_translate(x, shape, dims, sv, tv, "linear"),
                    nablax.image.scale_and_translate(x, shape, dims, sv, tv, "linear"))
    xi = _img((5, 6), np.int32)
    for sv, tv in [(np.array([2, 1]), np.array([0, 1])), (np.array([1.5, 0.5], np.float64), np.array([0.0, 1.0]))]:
        assert_same(jax.image.scale_and_translate(xi, (7, 4), (0, 1), sv, tv, "lanczos3"),
                    nablax.image.scale_and_translate(xi, (7, 4), (0, 1), sv, tv, "lanczos3"))
    e = np.ones((0, 3), np.float32)
    assert_same(jax.image.scale_and_translate(e, (4, 3), (0,), s, t, "linear"),
                nablax.image.scale_and_translate(e, (4, 3), (0,), s, t, "linear"))


def test_resize_grad_jit_vmap():
    x = _img((3, 6, 5, 2))
    for method in ["linear", "lanczos5", "nearest"]:
        def f(img, method=method):
            return lambda x: (img.resize(x, (3, 4, 9, 2), method) ** 2).sum()
        assert_same(jax.grad(f(jax.image))(x), nablax.grad(f(nablax.image))(x), rtol=1e-4, atol=1e-5)
        assert_same(jax.jit(f(jax.image))(x), nablax.jit(f(nablax.image))(x), rtol=1e-5)
        assert_same(jax.vmap(f(jax.image))(x[None] + np.zeros((2, 1, 1, 1, 1), np.float32)),
                    nablax.vmap(f(nablax.image))(x[None] + np.zeros((2, 1, 1, 1, 1), np.float32)), rtol=1e-5)


@pytest.mark.usefixtures("x64")
def test_x64():
    x = _img((6, 7), np.float64)
    for method in ["linear", "cubic", "lanczos3", "area"]:
        assert_same(jax.image.resize(x, (9, 4), method), nablax.image.resize(x, (9, 4), method),
                    rtol=1e-12, atol=1e-13)
    x32 = x.astype(np.float32)  # weights are computed in float64 and cast, as JAX does
    assert_same(jax.image.resize(x32, (9, 4), "lanczos5"), nablax.image.resize(x32, (9, 4), "lanczos5"))
    xi = _img((6, 7), np.int64)
    assert_same(jax.image.resize(xi, (9, 4), "linear"), nablax.image.resize(xi, (9, 4), "linear"),
                rtol=1e-12)
    s, t = np.array([1.3, 0.7]), np.array([0.2, -0.4])
    jf = lambda s, t: jax.image.scale_and_translate(x, (8, 5), (0, 1), s, t, "cubic").sum()  # noqa: E731
    nf = lambda s, t: nablax.image.scale_and_translate(x, (8, 5), (0, 1), s, t, "cubic").sum()  # noqa: E731
    assert_same(jax.grad(jf, (0, 1))(s, t), nablax.grad(nf, (0, 1))(s, t), rtol=1e-10, atol=1e-12)


def _raises_alike(jcall, ncall):
    with pytest.raises(Exception) as je:
        jcall()
    with pytest.raises(Exception) as ne:
        ncall()
    assert isinstance(ne.value, type(je.value)), f"nablax raised {ne.value!r}, JAX {je.value!r}"


@pytest.mark.parametrize("case", [
    ("resize", ((3,), "linear"), {}),
    ("resize", ((3, 5), "foo"), {}),
    ("resize", ((3, 5), 3), {}),
    ("resize", ((3, 5.0), "linear"), {}),
    ("resize", ((3, 5), "linear"), {"precision": "bogus"}),
    ("sat", ((6, 8), (0, 1), "s1", "t2", "linear"), {}),
    ("sat", ((6, 8), (0, 1), "s2", "t2", "nearest"), {}),
    ("sat", ((6, 8), (2,), "s1", "t1", "linear"), {}),
    ("sat", ((6,), (0,), "s1", "t1", "linear"), {}),
    ("sat", ((6, 8), (0, 1), "s2", "t2", "bicubic2"), {}),
    ("sat", ((6, 8), (0,), 2.0, 0.0, "linear"), {}),
    ("sat", ((6, 8), (0, 1), [2.0, 2.0], [0.0, 0.0], "linear"), {}),
], ids=lambda c: f"{c[0]}{c[1][:1]}-{c[1][-1]}")
def test_errors(case):
    fname, args, kw = case
    vec = {"s1": np.array([2.0], np.float32), "s2": np.array([2.0, 2.0], np.float32),
           "t1": np.array([0.0], np.float32), "t2": np.array([0.0, 0.0], np.float32)}
    args = tuple(vec.get(a, a) if isinstance(a, str) else a for a in args)
    x = np.ones((3, 4), np.float32)

    def call(mod, jit):
        fn = mod.image.resize if fname == "resize" else mod.image.scale_and_translate
        def g(x):
            return fn(x, *args, **kw)
        return lambda: (mod.jit(g) if jit else g)(x)
    for jit in (False, True):
        _raises_alike(call(jax, jit), call(nablax, jit))
    _raises_alike(lambda: jax.image.ResizeMethod.from_string("LINEAR"),
                  lambda: nablax.image.ResizeMethod.from_string("LINEAR"))


def test_weak_type_passthrough():
    x = jjnp.asarray(2.0) * jjnp.ones(())
    assert_same(jax.image.resize(x, (), "cubic"), nablax.image.resize(jnp.asarray(2.0) * jnp.ones(()), (), "cubic"))
