"""nablax.scipy.fft: dct, dctn, idct, idctn (type 2, as jax.scipy.fft), on the fft primitive.

The DCT-II of N real samples is one complex FFT of length N (Makhoul's reordering): with
v = (x0, x2, x4, ..., x5, x3, x1), y_k = 2 Re(exp(-i pi k / 2N) V_k). The inverse undoes each
step: V_k = exp(i pi k / 2N) (y_k - i y_{N-k}) / 2 (y_N = 0), v = ifft(V), and the samples come
back from v's two halves. Everything is lax slicing, padding and jnp.fft, so it differentiates,
batches and compiles. The n-D transforms apply the 1-D one along each axis.
"""
from __future__ import annotations

import functools
import operator
from typing import Sequence

import numpy as np

from . import dtypes
from .numpy import fft as jnp_fft
from .numpy.promotion import as_array, check_arraylike, checked_axis
from .primitives import elementwise as ew
from .primitives import shape as lax_shape
from .primitives.fft import complex_dtype
from .primitives.misc import convert_element_type


def _check(fname: str, x, type_: int, norm):
    check_arraylike(f"scipy.fft.{fname}", x)
    if type_ != 2:
        raise NotImplementedError(f"nablax.scipy.fft.{fname}: only the type 2 DCT is implemented (as in JAX), "
                                  f"got type={type_!r}")
    if norm not in (None, "backward", "ortho"):
        raise ValueError(f"nablax.scipy.fft.{fname}: norm={norm!r} is not implemented; use None, "
                         "'backward' or 'ortho'")
    return as_array(x)


def _on_parts(fn, x, **kw):
    """A real-linear transform of a complex array: applied to its real and imaginary parts."""
    return ew.complex(fn(ew.real(x), **kw), fn(ew.imag(x), **kw))


def _along(values: np.ndarray, axis: int, ndim: int, dtype) -> object:
    """A constant vector laid along `axis` of an `ndim`-D array (size 1 elsewhere)."""
    shape = [1] * ndim
    shape[axis] = len(values)
    return as_array(values.astype(dtype).reshape(shape))


@functools.lru_cache(maxsize=64)
def _ortho_scale(n: int) -> np.ndarray:
    """SciPy's orthonormal DCT-II factors: sqrt(1 / 4N) for k = 0, sqrt(1 / 2N) otherwise."""
    s = np.full(n, np.sqrt(1 / (2 * n)))
    s[0] = np.sqrt(1 / (4 * n))
    return s


def _resize(x, axis: int, n: int | None):
    if n is None or n == x.shape[axis]:
        return x
    if n < 1:
        raise ValueError(f"nablax.scipy.fft: the length n={n} must be positive")
    config = [(0, 0, 0)] * x.ndim
    config[axis] = (0, n - x.shape[axis], 0)  # a negative high padding crops, as lax.pad
    return lax_shape.pad(x, as_array(np.zeros((), x.dtype)), config)


def _interleave(x, axis: int):
    """(x0, x2, x4, ..., x5, x3, x1) along axis."""
    n = x.shape[axis]
    evens = lax_shape.slice_in_dim(x, 0, n, 2, axis)
    odds = lax_shape.rev(lax_shape.slice_in_dim(x, 1, n, 2, axis), (axis,))
    return lax_shape.concatenate([evens, odds], axis)


def _deinterleave(v, axis: int):
    """The inverse of _interleave: x_{2j} = v_j for the first half, x_{2j+1} = v_{N-1-j}."""
    n = v.shape[axis]
    h = (n + 1) // 2
    zero = as_array(np.zeros((), v.dtype))

    def spread(part, low):  # part's entries at every other position from `low`
        config = [(0, 0, 0)] * v.ndim
        m = part.shape[axis]
        config[axis] = (low, n - low - (2 * m - 1), 1)
        return lax_shape.pad(part, zero, config)

    first = lax_shape.slice_in_dim(v, 0, h, 1, axis)
    second = lax_shape.rev(lax_shape.slice_in_dim(v, h, n, 1, axis), (axis,))
    return ew.add(spread(first, 0), spread(second, 1)) if n > 1 else first


def _dct1(x, axis: int, n: int | None, norm):
    x = _resize(x, axis, n)
    size = x.shape[axis]
    spec = jnp_fft.fft(_interleave(x, axis), axis=axis)
    k = np.arange(size)
    twiddle = _along(np.exp(-0.5j * np.pi * k / size), axis, x.ndim, spec.dtype)
    out = ew.mul(ew.real(ew.mul(spec, twiddle)), 2)
    if norm == "ortho":
        out = ew.mul(out, _along(_ortho_scale(size), axis, x.ndim, out.dtype))
    return out


def _idct1(x, axis: int, n: int | None, norm):
    x = _resize(x, axis, n)
    size = x.shape[axis]
    cdtype = complex_dtype(x.dtype)
    c = convert_element_type(x, cdtype)
    # spec_k = rot_k (y_k - i y_{N-k}), y undone of the ortho factors first.
    unscale = 1 / _ortho_scale(size) if norm == "ortho" else np.ones(size)
    rot = np.exp(0.5j * np.pi * np.arange(size) / size) / 2
    mirror_scale = np.concatenate([[0.0], unscale[:0:-1]])
    mirrored = lax_shape.pad(lax_shape.rev(lax_shape.slice_in_dim(c, 1, size, 1, axis), (axis,)),
                             as_array(np.zeros((), cdtype)), _low_one(axis, c.ndim))
    spec = ew.add(ew.mul(c, _along(rot * unscale, axis, c.ndim, cdtype)),
                  ew.mul(mirrored, _along(-1j * rot * mirror_scale, axis, c.ndim, cdtype)))
    return _deinterleave(ew.real(jnp_fft.ifft(spec, axis=axis)), axis)


def _low_one(axis: int, ndim: int) -> list:
    config = [(0, 0, 0)] * ndim
    config[axis] = (1, 0, 0)
    return config


def dct(x, type: int = 2, n: int | None = None, axis: int = -1, norm: str | None = None):  # noqa: A002
    """scipy.fft.dct: the type-2 discrete cosine transform along `axis` (cropped/zero-padded to n)."""
    x = _check("dct", x, type, norm)
    if dtypes.is_complex(x.dtype):
        return _on_parts(_dct1, x, axis=checked_axis("scipy.fft.dct", axis, x.ndim), n=n, norm=norm)
    return _dct1(x, checked_axis("scipy.fft.dct", axis, x.ndim), n, norm)


def idct(x, type: int = 2, n: int | None = None, axis: int = -1, norm: str | None = None):  # noqa: A002
    """scipy.fft.idct: the inverse of the type-2 DCT (idct(dct(x)) == x for either norm)."""
    x = _check("idct", x, type, norm)
    if dtypes.is_complex(x.dtype):
        return _on_parts(_idct1, x, axis=checked_axis("scipy.fft.idct", axis, x.ndim), n=n, norm=norm)
    return _idct1(x, checked_axis("scipy.fft.idct", axis, x.ndim), n, norm)


def _axes_and_lengths(fname: str, x, s, axes) -> list:
    if s is not None:
        try:
            s = [operator.index(n) for n in s]
        except TypeError:
            s = [operator.index(s)]
        if len(s) > x.ndim:
            raise ValueError(f"nablax.scipy.fft.{fname}: s={s} has more entries than x has dimensions ({x.ndim})")
    if axes is None:
        axes = range(x.ndim - (x.ndim if s is None else len(s)), x.ndim)
    axes = [checked_axis(f"scipy.fft.{fname}", ax, x.ndim) for ax in axes]
    if len(set(axes)) != len(axes):
        raise ValueError(f"nablax.scipy.fft.{fname}: repeated axes {tuple(axes)}")
    return list(zip(axes, [None] * len(axes) if s is None else s))


def dctn(x, type: int = 2, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,  # noqa: A002
         norm: str | None = None):
    """scipy.fft.dctn: the type-2 DCT over several axes (default all, or the last len(s))."""
    x = _check("dctn", x, type, norm)
    for axis, n in _axes_and_lengths("dctn", x, s, axes):
        x = dct(x, n=n, axis=axis, norm=norm)
    return x


def idctn(x, type: int = 2, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,  # noqa: A002
          norm: str | None = None):
    """scipy.fft.idctn: the inverse of dctn."""
    x = _check("idctn", x, type, norm)
    for axis, n in _axes_and_lengths("idctn", x, s, axes):
        x = idct(x, n=n, axis=axis, norm=norm)
    return x


__all__ = ["dct", "dctn", "idct", "idctn"]
