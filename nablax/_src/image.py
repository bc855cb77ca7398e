"""nablax.image: resize and scale_and_translate as jax.image.

Every method but nearest is separable resampling: for each spatial dimension a weight
matrix W[input, output] holds a kernel evaluated at the distance between each input
pixel centre and each output sample position (the kernel widened by 1/scale when
downsampling with antialias), normalised so each output's weights sum to one, and zero
for samples that fall outside the input. The image is contracted with each W in turn
(one einsum per dimension), so the result is differentiable, jittable and batchable
like any jnp code. When scale and translation are concrete the weights are computed
with NumPy (and cached for resize), so they enter a traced program as constants; when
they are traced (gradients with respect to them) the same formulas run on jnp.
"""
from __future__ import annotations

import enum
import functools
import operator
from collections.abc import Callable, Sequence

import numpy as np

from . import dtypes
from . import numpy as jnp
from .array import Array
from .core import Tracer
from .lax_api import check_precision
from .numpy.promotion import promote_args_inexact

__all__ = ["ResizeMethod", "resize", "scale_and_translate"]

_ARRAYS = (Array, Tracer, np.ndarray, np.generic, bool, int, float, complex)
# A weight column whose total is below this is treated as empty (all zeros), as in JAX.
_MIN_TOTAL = 1000.0 * float(np.finfo(np.float32).eps)


class ImageArgumentError(ValueError, AssertionError):
    """A malformed argument that JAX rejects with a bare `assert` (so `except ValueError`
    and `except AssertionError` both catch it)."""


class ResizeMethod(enum.Enum):
    """Resampling method of image.resize / image.scale_and_translate.

    NEAREST: nearest neighbour (resize only). LINEAR: triangle kernel. LANCZOS3/5:
    Lanczos windows of radius 3/5. CUBIC: Keys cubic (a = -0.5). CUBIC_PYTORCH: CUBIC with
    antialias, else the a = -0.75 cubic with replicated edges (PyTorch's bicubic). AREA:
    each output averages the input pixels its footprint overlaps.
    """

    NEAREST = 0
    LINEAR = 1
    LANCZOS3 = 2
    LANCZOS5 = 3
    CUBIC = 4
    CUBIC_PYTORCH = 5
    AREA = 6

    @staticmethod
    def from_string(s: str) -> ResizeMethod:
        """The method a name denotes ('linear', 'bilinear', 'lanczos3', 'bicubic', ...)."""
        try:
            return _NAMES[s]
        except (KeyError, TypeError):
            raise ValueError(f'Unknown resize method "{s}"; expected one of {", ".join(_NAMES)} '
                             "or a jax.image.ResizeMethod") from None


_NAMES = {
    "nearest": ResizeMethod.NEAREST,
    "linear": ResizeMethod.LINEAR, "bilinear": ResizeMethod.LINEAR, "trilinear": ResizeMethod.LINEAR,
    "triangle": ResizeMethod.LINEAR,
    "lanczos3": ResizeMethod.LANCZOS3, "lanczos5": ResizeMethod.LANCZOS5,
    "cubic": ResizeMethod.CUBIC, "bicubic": ResizeMethod.CUBIC, "tricubic": ResizeMethod.CUBIC,
    "cubic-pytorch": ResizeMethod.CUBIC_PYTORCH, "bicubic-pytorch": ResizeMethod.CUBIC_PYTORCH,
    "area": ResizeMethod.AREA,
}


# Kernels take the array namespace (np or jnp) and |distance| / kernel width.
def _triangle(xp, x):
    return xp.maximum(0, 1 - xp.abs(x))


def _cubic(a: float) -> Callable:
    """The cubic convolution kernel with parameter `a` (Keys: -0.5, OpenCV/PyTorch: -0.75)."""
    def kernel(xp, x):
        near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
        far = ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
        return xp.where(x >= 2.0, 0.0, xp.where(x >= 1.0, far, near))
    return kernel


def _lanczos(radius: float) -> Callable:
    """sinc(x) sinc(x / radius) inside the radius; exactly 1 near the centre."""
    def kernel(xp, x):
        num = radius * xp.sin(np.pi * x) * xp.sin(np.pi * x / radius)
        den = xp.where(x != 0, np.pi ** 2 * x ** 2, 1)
        return xp.where(x > radius, 0.0, xp.where(x > 1e-3, num / den, 1))
    return kernel


_AREA = "area"
# method -> (kernel radius, kernel)
_KERNELS = {
    ResizeMethod.LINEAR: (1, _triangle),
    ResizeMethod.LANCZOS3: (3, _lanczos(3.0)),
    ResizeMethod.LANCZOS5: (5, _lanczos(5.0)),
    ResizeMethod.CUBIC: (2, _cubic(-0.5)),
    ResizeMethod.CUBIC_PYTORCH: (2, _cubic(-0.75)),
    ResizeMethod.AREA: (1, _AREA),
}


def _weights(xp, m: int, n: int, inv_scale, translation, dtype, method: ResizeMethod, antialias: bool):
    """The (m, n) matrix taking m input pixels to n output samples along one dimension.

    `inv_scale` and `translation` are 0-d values of `dtype` (NumPy scalars, or jnp values
    when they are traced). Output j samples the input at (j + 0.5 - translation) / scale
    in pixel-centre coordinates.
    """
    if m == 0:
        return xp.zeros((0, n), dtype)
    radius, kernel = _KERNELS[method]
    edge = method is ResizeMethod.CUBIC_PYTORCH and not antialias  # replicate edge pixels
    out_pos = xp.arange(n, dtype=dtype)
    sample = (out_pos + 0.5) * inv_scale - translation * inv_scale - 0.5
    if kernel is _AREA:
        lo = out_pos * inv_scale - translation * inv_scale  # output footprint [lo, lo + 1/scale)
        left = xp.arange(m, dtype=dtype)[:, None]
        w = xp.maximum(0.0, xp.minimum((lo + inv_scale)[None, :], left + 1.0) - xp.maximum(lo[None, :], left))
    else:
        pad = radius if edge else 0
        width = xp.maximum(inv_scale, 1.0) if antialias else 1.0
        w = kernel(xp, xp.abs(sample[None, :] - xp.arange(-pad, m + pad, dtype=dtype)[:, None]) / width)
        if edge:  # fold the weights of the 2 * pad virtual pixels onto the edge rows
            fold = np.zeros((m, m + 2 * pad), dtype)
            fold[np.clip(np.arange(-pad, m + pad), 0, m - 1), np.arange(m + 2 * pad)] = 1
            w = xp.matmul(fold, w)
    total = xp.sum(w, axis=0, keepdims=True)
    w = xp.where(xp.abs(total) > _MIN_TOTAL, w / xp.where(total != 0, total, 1), 0)
    if not edge:  # samples outside the input get nothing
        inside = xp.logical_and(sample >= -0.5, sample <= m - 0.5)
        w = xp.where(inside[None, :], w, 0)
    return w


@functools.lru_cache(maxsize=256)
def _resize_weights(m: int, n: int, dtype: np.dtype, method: ResizeMethod, antialias: bool) -> np.ndarray:
    """resize's weights (scale n/m, no translation), read-only so Arrays share them."""
    inv_scale = dtype.type(1.0 / (n / m))
    w = np.asarray(_weights(np, m, n, inv_scale, dtype.type(0), dtype, method, antialias))
    w.flags.writeable = False
    return w


def _contract(x, mats: dict, precision):
    """x with each axis d replaced by x's contraction with mats[d] (shape (x.shape[d], n))."""
    # Shrinking dimensions first keeps the intermediate results small.
    for d in sorted(mats, key=lambda d: mats[d].shape[1] / max(mats[d].shape[0], 1)):
        w = mats[d].astype(x.dtype)
        idx = list(range(x.ndim))
        out = idx.copy()
        out[d] = x.ndim
        x = jnp.einsum(x, idx, w, [d, x.ndim], out, precision=precision)
    return x


def _check_image(fname: str, image):
    if not isinstance(image, _ARRAYS):
        raise TypeError(f"image.{fname}: image must be an array, got {type(image).__name__}"
                        + (" (wrap it with jnp.array(...))" if isinstance(image, (list, tuple)) else ""))
    return jnp.asarray(image)


def _check_shape(fname: str, shape, image) -> tuple[int, ...]:
    try:
        out = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"image.{fname}: shape must be a sequence of concrete integers, got {shape!r}") from None
    if len(out) != image.ndim:
        raise ValueError(f"image.{fname}: shape must have length equal to the number of dimensions of the image "
                         f"({image.ndim}); got {out} for an image of shape {tuple(image.shape)}")
    if any(s < 0 for s in out):
        raise ValueError(f"image.{fname}: shape must be non-negative, got {out}")
    return out


def _check_method(fname: str, method) -> ResizeMethod:
    if isinstance(method, str):
        return ResizeMethod.from_string(method)
    if not isinstance(method, ResizeMethod):
        raise ImageArgumentError(f"image.{fname}: method must be a string or a jax.image.ResizeMethod, "
                                 f"got {method!r}")
    return method


def _check_nonempty(fname: str, image, shape, dims) -> None:
    for d in dims:
        if image.shape[d] == 0 and shape[d] != 0:
            raise ValueError(f"image.{fname}: cannot resample dimension {d} of size 0 to size {shape[d]} "
                             f"(image shape {tuple(image.shape)})")


def resize(image, shape: Sequence[int], method: str | ResizeMethod, antialias: bool = True,
           precision="highest"):
    """Resize `image` to `shape` (every dimension; equal sizes are left untouched).

    Nearest keeps the dtype and ignores antialias and precision; other methods promote to
    floating point and, when antialias is set, widen the kernel by the inverse scale on
    downsampled dimensions (a low-pass filter).
    """
    image = _check_image("resize", image)
    shape = _check_shape("resize", shape, image)
    method = _check_method("resize", method)
    dims = [d for d in range(image.ndim) if image.shape[d] != shape[d]]
    _check_nonempty("resize", image, shape, dims)
    if method is ResizeMethod.NEAREST:
        for d in dims:
            m, n = image.shape[d], shape[d]
            pos = (np.arange(n, dtype=np.float32) + np.float32(0.5)) * np.float32(m) / np.float32(n)
            image = jnp.take(image, np.floor(pos).astype(np.int32), axis=d)
        return image
    check_precision("image.resize", precision)
    (image,) = promote_args_inexact("image.resize", image)
    if method is ResizeMethod.CUBIC_PYTORCH and antialias:
        method = ResizeMethod.CUBIC
    dtype = dtypes.default_float_dtype()
    mats = {d: _resize_weights(image.shape[d], shape[d], dtype, method, bool(antialias)) if shape[d]
            else np.zeros((image.shape[d], 0), dtype) for d in dims}
    return _contract(image, mats, precision)


def _check_vector(name: str, v, k: int):
    if not isinstance(v, _ARRAYS) or isinstance(v, (bool, int, float, complex)) or np.ndim(v) == 0:
        raise TypeError(f"image.scale_and_translate: {name} must be a 1-D array with one entry per spatial "
                        f"dimension ({k}), got {type(v).__name__}"
                        + (f" of shape {np.shape(v)}" if isinstance(v, _ARRAYS) else ""))
    if np.shape(v) != (k,):
        raise ImageArgumentError(f"image.scale_and_translate: {name} must have shape ({k},), one entry per "
                                 f"spatial dimension, got shape {tuple(np.shape(v))}")


def scale_and_translate(image, shape: Sequence[int], spatial_dims: Sequence[int], scale, translation,
                        method: str | ResizeMethod, antialias: bool = True, precision="highest"):
    """Resample `image` into `shape` so that input location x maps to x * scale + translation
    along each of `spatial_dims` (pixel centres at i + 0.5); output samples whose source falls
    outside the input are zero. Differentiable in image, scale and translation.
    """
    image = _check_image("scale_and_translate", image)
    shape = _check_shape("scale_and_translate", shape, image)
    dims = [operator.index(d) for d in spatial_dims]
    for i, d in enumerate(dims):
        if not -image.ndim <= d < image.ndim:
            raise ValueError(f"image.scale_and_translate: spatial dimension {d} is out of bounds for an image "
                             f"of rank {image.ndim}")
        dims[i] = d % image.ndim
    if len(set(dims)) != len(dims):
        raise ValueError(f"image.scale_and_translate: spatial_dims has repeated dimensions: {tuple(spatial_dims)}")
    _check_vector("scale", scale, len(dims))
    _check_vector("translation", translation, len(dims))
    fixed = [d for d in range(image.ndim) if d not in dims and image.shape[d] != shape[d]]
    if fixed:
        raise ValueError(f"image.scale_and_translate: shape {shape} changes dimension(s) {fixed} of the image "
                         f"(shape {tuple(image.shape)}), which are not in spatial_dims {tuple(spatial_dims)}")
    method = _check_method("scale_and_translate", method)
    if method is ResizeMethod.NEAREST:
        raise ValueError("image.scale_and_translate: nearest-neighbour resampling is not supported here "
                         "(use image.resize, or method='linear')")
    check_precision("image.scale_and_translate", precision)
    (image,) = promote_args_inexact("image.scale_and_translate", image)
    scale, translation = promote_args_inexact("image.scale_and_translate", scale, translation)
    if not dims:
        return image
    if method is ResizeMethod.CUBIC_PYTORCH and antialias:
        method = ResizeMethod.CUBIC
    dtype = scale.dtype
    if isinstance(scale, Tracer) or isinstance(translation, Tracer):
        xp, inv, shift = jnp, 1.0 / scale, translation
    else:
        xp, inv, shift = np, 1.0 / np.asarray(scale), np.asarray(translation)
    mats = {d: _weights(xp, image.shape[d], shape[d], inv[i], shift[i], dtype, method, bool(antialias))
            for i, d in enumerate(dims)}
    return _contract(image, mats, precision)

