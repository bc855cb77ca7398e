"""nablax.image without JAX: known answers (identity, constants, linear ramps, nearest
indices), gradients by finite differences, jit and vmap agreement, errors."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.image import ResizeMethod, resize, scale_and_translate
from nablax.test_util import check_grads

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("method", ["linear", "cubic", "lanczos3", "lanczos5", "area", "cubic-pytorch"])
def test_identity_and_constant(method):
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_allclose(resize(x, (4, 5), method), x)
    s, t = np.ones(2, np.float32), np.zeros(2, np.float32)
    np.testing.assert_allclose(scale_and_translate(x, (4, 5), (0, 1), s, t, method), x, atol=1e-6)
    c = np.full((6, 7), 3.0, np.float32)
    for shape in [(11, 3), (2, 13)]:
        np.testing.assert_allclose(resize(c, shape, method), np.full(shape, 3.0), rtol=1e-6)


def test_linear_upsample_ramp():
    # pixel centres at i + 0.5: doubling a ramp samples it at (j + 0.5) / 2 - 0.5, clamped at the edges
    y = resize(np.arange(4.0, dtype=np.float32), (8,), "linear")
    np.testing.assert_allclose(y, [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.0], rtol=1e-6)
    assert y.dtype == np.float32


def test_nearest_keeps_dtype_and_indices():
    x = np.arange(6, dtype=np.int8)
    y = resize(x, (3,), "nearest")
    assert y.dtype == np.int8
    np.testing.assert_array_equal(y, [1, 3, 5])  # floor((i + 0.5) * 6 / 3)
    np.testing.assert_array_equal(resize(x, (12,), ResizeMethod.NEAREST), np.repeat(x, 2))
    assert resize(x, (12,), "linear").dtype == np.float32


def test_grads_image_scale_translation():
    x = RNG.standard_normal((5, 6))
    s, t = np.array([1.7, 0.6]), np.array([0.3, -0.4])
    f = lambda x, s, t: scale_and_translate(x, (7, 4), (0, 1), s, t, "cubic")  # noqa: E731
    with nablax.config.override("jax_enable_x64", True):
        check_grads(f, (x, s, t), order=1, modes=("fwd", "rev"))
        check_grads(lambda x: resize(x, (9, 3), "lanczos3"), (x,), order=1, modes=("fwd", "rev"))


def test_jit_vmap_agree():
    x = RNG.standard_normal((3, 4, 5)).astype(np.float32)
    f = lambda x: resize(x, (6, 2), "linear")  # noqa: E731
    np.testing.assert_allclose(nablax.jit(nablax.vmap(f))(x), np.stack([f(a) for a in x]), rtol=1e-6)


def test_errors():
    x = jnp.ones((3, 4))
    with pytest.raises(ValueError, match="Unknown resize method"):
        resize(x, (3, 5), "foo")
    with pytest.raises(ValueError, match="length equal"):
        resize(x, (3,), "linear")
    with pytest.raises(AssertionError):
        resize(x, (3, 5), 3)
    with pytest.raises(ValueError, match="nearest"):
        scale_and_translate(x, (6, 8), (0, 1), jnp.ones(2), jnp.zeros(2), "nearest")
    with pytest.raises(ValueError, match="not in spatial_dims"):
        scale_and_translate(x, (6, 8), (1,), jnp.ones(1), jnp.zeros(1), "linear")
