"""nablax.numpy.fft: every name of jax.numpy.fft, written on lax.fft.

Each transform moves its axes to the end (the primitive works on the last axes), crops or
zero-pads them to the requested lengths, applies one fft primitive and scales for `norm`, so
grad, vmap and jit come from the primitive's rules.
"""
from __future__ import annotations

import math
import operator
from typing import Any, Sequence

import numpy as np

from .. import dtypes
from ..primitives import elementwise as ew
from ..primitives import shape as lax_shape
from ..primitives.fft import FftType, fft_nd
from . import creation, ufuncs
from .promotion import as_array, check_arraylike
from .shape import astype, moveaxis, roll

_NORMS = (None, "backward", "ortho", "forward")


def _array(fname: str, a):
    check_arraylike(f"fft.{fname}", a)
    return as_array(a)


def _check_norm(fname: str, norm) -> None:
    if norm not in _NORMS:
        raise ValueError(f"jnp.fft.{fname}: invalid norm {norm!r}; use None, 'backward', 'ortho' or "
                         "'forward'")


def _norm_factor(fname: str, norm, lengths: Sequence[int]) -> float | None:
    """The scale `norm` applies on top of the unnormalized forward / 1/N inverse transform."""
    if norm in (None, "backward"):
        return None
    size = math.prod(lengths)
    inverse = fname.startswith("i")
    if norm == "ortho":
        return math.sqrt(size) if inverse else 1 / math.sqrt(size)
    return float(size) if inverse else 1 / size


def _scale(x, factor: float | None):
    if factor is None:
        return x
    real = dtypes.complex_to_real(x.dtype)
    return ew.mul(x, creation.asarray(np.asarray(factor, real).astype(x.dtype)))


def _resize(x, axis: int, size: int):
    """Crop or zero-pad `x` along `axis` to `size` entries."""
    have = x.shape[axis]
    if have == size:
        return x
    if have > size:
        return lax_shape.slice_in_dim(x, 0, size, 1, axis)
    config = [(0, 0, 0)] * x.ndim
    config[axis] = (0, size - have, 0)
    return lax_shape.pad(x, creation.asarray(np.zeros((), x.dtype)), config)


def _fft_core(fname: str, fft_type: FftType, a, s, axes, norm):
    arr = _array(fname, a)
    _check_norm(fname, norm)
    if s is not None:
        s = tuple(operator.index(n) for n in s)
        if any(n <= 0 for n in s):
            raise ValueError(f"jnp.fft.{fname}: the lengths s={s} must be positive")
        if axes is not None and len(s) != len(axes):
            raise ValueError(f"jnp.fft.{fname}: s={s} and axes={tuple(axes)} need the same length")
    given_axes = axes
    if axes is None:
        axes = tuple(range(arr.ndim - (arr.ndim if s is None else len(s)), arr.ndim))
    axes = tuple(operator.index(ax) for ax in axes)
    if len(set(ax % arr.ndim if arr.ndim else ax for ax in axes)) != len(axes):
        raise ValueError(f"jnp.fft.{fname} does not support repeated axes, got axes={axes}")
    last = tuple(range(arr.ndim - len(axes), arr.ndim))
    if given_axes is not None:
        arr = moveaxis(arr, axes, last)
    if s is None:
        lengths = [arr.shape[ax] for ax in last]
        if fft_type == FftType.IRFFT and lengths:
            lengths[-1] = max(0, 2 * (lengths[-1] - 1))
        s = tuple(lengths)
    else:
        arr = _resize_for(arr, fft_type, s, last)
    out = fft_nd(arr, fft_type, s)
    out = _scale(out, _norm_factor(fname, norm, s))
    if given_axes is not None:
        out = moveaxis(out, last, axes)
    return out


def _resize_for(arr, fft_type: FftType, s: tuple, last: tuple):
    """Crop or pad the transformed axes to the lengths s (IRFFT reads s[-1] // 2 + 1 bins)."""
    for i, (ax, n) in enumerate(zip(last, s)):
        arr = _resize(arr, ax, n // 2 + 1 if fft_type == FftType.IRFFT and i == len(s) - 1 else n)
    return arr


def _one_axis(fname: str, axis) -> list:
    if isinstance(axis, (list, tuple)):
        raise ValueError(f"jnp.fft.{fname} takes one axis, got axis={axis!r}; use jnp.fft.{fname}n for "
                         "several")
    return [axis]


def _two_axes(fname: str, axes) -> Sequence[int]:
    if len(axes) != 2:
        raise ValueError(f"jnp.fft.{fname} takes exactly 2 axes, got axes={tuple(axes)!r}")
    return axes


def _n_to_s(n):
    return None if n is None else [n]


# ------------------------------------------------------------------- the transforms

def fft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """jnp.fft.fft: the 1-D discrete Fourier transform along `axis` (cropped/zero-padded to n)."""
    return _fft_core("fft", FftType.FFT, a, _n_to_s(n), _one_axis("fft", axis), norm)


def ifft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """jnp.fft.ifft: the 1-D inverse discrete Fourier transform along `axis`."""
    return _fft_core("ifft", FftType.IFFT, a, _n_to_s(n), _one_axis("ifft", axis), norm)


def rfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """jnp.fft.rfft: the 1-D transform of a real signal (the n // 2 + 1 non-negative frequencies)."""
    return _fft_core("rfft", FftType.RFFT, a, _n_to_s(n), _one_axis("rfft", axis), norm)


def irfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """jnp.fft.irfft: the inverse of rfft; a real signal of n (default 2 * (m - 1)) samples."""
    return _fft_core("irfft", FftType.IRFFT, a, _n_to_s(n), _one_axis("irfft", axis), norm)


def hfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """jnp.fft.hfft: the transform of a Hermitian-symmetric signal given by its first half (real output)."""
    arr = _array("hfft", a)
    _one_axis("hfft", axis)
    size = 2 * (arr.shape[axis] - 1) if n is None else n
    return ew.mul(_fft_core("hfft", FftType.IRFFT, ufuncs.conj(arr), _n_to_s(n), [axis], norm), size)


def ihfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """jnp.fft.ihfft: the inverse of hfft (the first half of a Hermitian spectrum of a real signal)."""
    arr = _array("ihfft", a)
    _one_axis("ihfft", axis)
    size = arr.shape[axis] if n is None else n
    out = _fft_core("ihfft", FftType.RFFT, arr, _n_to_s(n), [axis], norm)
    return ew.mul(ufuncs.conj(out), 1 / size)


def fft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None):
    """jnp.fft.fft2: the 2-D discrete Fourier transform over `axes`."""
    return _fft_core("fft2", FftType.FFT, a, s, _two_axes("fft2", axes), norm)


def ifft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None):
    """jnp.fft.ifft2: the 2-D inverse discrete Fourier transform over `axes`."""
    return _fft_core("ifft2", FftType.IFFT, a, s, _two_axes("ifft2", axes), norm)


def rfft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None):
    """jnp.fft.rfft2: the 2-D transform of a real array (half of the last axis' frequencies)."""
    return _fft_core("rfft2", FftType.RFFT, a, s, _two_axes("rfft2", axes), norm)


def irfft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None):
    """jnp.fft.irfft2: the inverse of rfft2."""
    return _fft_core("irfft2", FftType.IRFFT, a, s, _two_axes("irfft2", axes), norm)


def fftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None):
    """jnp.fft.fftn: the N-D discrete Fourier transform over `axes` (default: all, or the last len(s))."""
    return _fft_core("fftn", FftType.FFT, a, s, axes, norm)


def ifftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None):
    """jnp.fft.ifftn: the N-D inverse discrete Fourier transform."""
    return _fft_core("ifftn", FftType.IFFT, a, s, axes, norm)


def rfftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None):
    """jnp.fft.rfftn: the N-D transform of a real array (half of the last axis' frequencies)."""
    return _fft_core("rfftn", FftType.RFFT, a, s, axes, norm)


def irfftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None):
    """jnp.fft.irfftn: the inverse of rfftn."""
    return _fft_core("irfftn", FftType.IRFFT, a, s, axes, norm)


# --------------------------------------------------------------- frequencies and shifts

def _check_freq_args(fname: str, n, d, device) -> None:
    if isinstance(n, (list, tuple)):
        raise ValueError(f"jnp.fft.{fname}: n must be one int, got {list(n)}")
    if isinstance(d, (list, tuple)):
        raise ValueError(f"jnp.fft.{fname}: d must be one value, got {list(d)}")
    if device is not None:
        raise NotImplementedError(f"jnp.fft.{fname}: device={device!r} is not supported; nablax has one "
                                  "device, the CPU (pass device=None)")


def _freq_dtype(fname: str, dtype) -> np.dtype:
    return dtypes.default_float_dtype() if dtype is None else dtypes.check_user_dtype(dtype, f"jnp.fft.{fname}")


def fftfreq(n: int, d: Any = 1.0, *, dtype: Any = None, device: Any = None):
    """jnp.fft.fftfreq: the sample frequencies [0, 1, ..., -1] / (d * n) of an n-point transform."""
    _check_freq_args("fftfreq", n, d, device)
    out_dtype = _freq_dtype("fftfreq", dtype)
    real = dtypes.finfo(dtypes.to_inexact_dtype(out_dtype)).dtype
    n = operator.index(n)
    k = (np.arange(n) + n // 2) % max(n, 1) - n // 2
    freqs = ufuncs.true_divide(creation.asarray(k.astype(real)), creation.asarray(d * n, dtype=real))
    return astype(freqs, out_dtype)


def rfftfreq(n: int, d: Any = 1.0, *, dtype: Any = None, device: Any = None):
    """jnp.fft.rfftfreq: the n // 2 + 1 non-negative sample frequencies of an n-point real transform."""
    _check_freq_args("rfftfreq", n, d, device)
    dtype = _freq_dtype("rfftfreq", dtype)
    n = operator.index(n)
    k = creation.arange(0, n // 2 + 1, dtype=dtype)
    return ufuncs.true_divide(k, creation.asarray(d * n, dtype=dtype))


def _shifted(fname: str, x, axes, sign: int):
    x = _array(fname, x)
    if axes is None:
        axes = tuple(range(x.ndim))
        shift = [sign * (size // 2) for size in x.shape]
    elif isinstance(axes, int):
        shift = sign * (x.shape[axes] // 2)
    else:
        shift = [sign * (x.shape[ax] // 2) for ax in axes]
    return roll(x, shift, axes)


def fftshift(x, axes: None | int | Sequence[int] = None):
    """jnp.fft.fftshift: move the zero frequency to the centre of `axes` (default all)."""
    return _shifted("fftshift", x, axes, 1)


def ifftshift(x, axes: None | int | Sequence[int] = None):
    """jnp.fft.ifftshift: the inverse of fftshift."""
    return _shifted("ifftshift", x, axes, -1)


__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn",
           "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]
