"""nablax.scipy.signal: convolutions, detrending, STFTs and spectral estimates, as jax.scipy.signal.

Direct convolutions are one lax.conv_general_dilated (so they differentiate and batch
through its rules); fftconvolve, stft, istft, csd and welch are jnp.fft calls around
static-index framing (a gather) and overlap-add (pads and adds). Window names become
constants at trace time (scipy.signal.get_window); a window given as an array may be
traced and is differentiated. Where JAX departs from SciPy (nperseg defaults to the
whole signal in csd/welch; a callable detrend sees JAX's axis order; istft's time
vector has x.shape[0] entries), JAX's behaviour is kept.
"""
from __future__ import annotations

import operator
import warnings
from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np
import scipy.signal as sp_signal

from . import dtypes
from . import numpy as jnp
from .numpy import fft as jnp_fft
from .numpy.promotion import check_arraylike, checked_axis, promote_args_inexact
from .primitives import conv as lax_conv

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d", "csd", "detrend", "fftconvolve",
           "istft", "stft", "welch"]

_MODES = ("full", "same", "valid")


def _check_mode(fname: str, mode: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"scipy.signal.{fname}: mode must be one of {list(_MODES)}, got {mode!r}")


def _arrays(fname: str, *xs) -> list:
    check_arraylike(fname, *xs)
    return [jnp.asarray(x) for x in xs]


def _larger_first(fname: str, s1: Sequence[int], s2: Sequence[int]) -> bool:
    """Whether the operands must swap so that the first is at least as large in every dimension
    (equal shapes swap, as in JAX); a ValueError when neither operand is."""
    no_swap = all(a >= b for a, b in zip(s1, s2))
    swap = all(a <= b for a, b in zip(s1, s2))
    if not (no_swap or swap):
        raise ValueError(f"scipy.signal.{fname}: one input must be at least as large as the other in every "
                         f"dimension, got shapes {tuple(s1)} and {tuple(s2)}")
    return swap


# Direct convolutions.

def _convolve_nd(fname: str, in1, in2, mode: str, precision):
    """The n-d convolution of in1 and in2 cropped to `mode` ('same': in1's shape), one conv op."""
    _check_mode(fname, mode)
    if in1.ndim != in2.ndim:
        raise ValueError(f"scipy.signal.{fname}: in1 and in2 must have the same number of dimensions, "
                         f"got shapes {in1.shape} and {in2.shape}")
    if in1.size == 0 or in2.size == 0:
        raise ValueError(f"scipy.signal.{fname}: zero-size arrays are not supported, got shapes "
                         f"{in1.shape} and {in2.shape}")
    in1, in2 = promote_args_inexact(fname, in1, in2)
    other = in2.shape
    if _larger_first(fname, in1.shape, in2.shape):
        in1, in2 = in2, in1
    if mode == "valid":
        pads = [(0, 0)] * in2.ndim
    elif mode == "full":
        pads = [(k - 1, k - 1) for k in in2.shape]
    else:
        # 'same' crops the full result to the first operand's shape, starting (o - 1) // 2 in,
        # where o is the (unswapped) second operand's size.
        pads = [(k - 1 - (o - 1) // 2, k - 1 - (o - 1 - (o - 1) // 2)) for k, o in zip(in2.shape, other)]
    # A negative pad (a 'same' output smaller than the swapped first operand) is a crop afterwards.
    out = lax_conv.conv_general_dilated(in1[None, None], jnp.flip(in2)[None, None], (1,) * in1.ndim,
                                        [(max(lo, 0), max(hi, 0)) for lo, hi in pads], precision=precision)
    crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pads, out.shape[2:]))
    return out[(0, 0) + crop]


def convolve(in1, in2, mode: str = "full", method: str = "auto", precision=None):
    """scipy.signal.convolve: n-d convolution; method 'auto'/'direct' (one conv op) or 'fft'."""
    if method == "fft":
        return fftconvolve(in1, in2, mode=mode)
    if method not in ("auto", "direct"):
        raise ValueError(f"scipy.signal.convolve: got method={method!r}; expected 'auto', 'fft', or 'direct'")
    in1, in2 = _arrays("convolve", in1, in2)
    return _convolve_nd("convolve", in1, in2, mode, precision)


def correlate(in1, in2, mode: str = "full", method: str = "auto", precision=None):
    """scipy.signal.correlate: n-d cross-correlation, the convolution with conj(in2) reversed."""
    in1, in2 = _arrays("correlate", in1, in2)
    return convolve(in1, jnp.flip(jnp.conj(in2)), mode, method=method, precision=precision)


def _check_2d(fname: str, in1, in2, boundary: str, fillvalue) -> list:
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(f"scipy.signal.{fname} only supports boundary='fill' and fillvalue=0, got "
                                  f"boundary={boundary!r}, fillvalue={fillvalue!r}")
    in1, in2 = _arrays(fname, in1, in2)
    if in1.ndim != 2 or in2.ndim != 2:
        raise ValueError(f"scipy.signal.{fname} only supports 2-dimensional inputs, got shapes "
                         f"{in1.shape} and {in2.shape}")
    return [in1, in2]


def convolve2d(in1, in2, mode: str = "full", boundary: str = "fill", fillvalue: float = 0, precision=None):
    """scipy.signal.convolve2d with zero fill (the only boundary JAX supports)."""
    in1, in2 = _check_2d("convolve2d", in1, in2, boundary, fillvalue)
    return _convolve_nd("convolve2d", in1, in2, mode, precision)


def correlate2d(in1, in2, mode: str = "full", boundary: str = "fill", fillvalue: float = 0, precision=None):
    """scipy.signal.correlate2d with zero fill; which operand slides (and so the 'valid' and
    conjugation conventions when in2 is the larger) follows JAX."""
    in1, in2 = _check_2d("correlate2d", in1, in2, boundary, fillvalue)
    swap = all(a <= b for a, b in zip(in1.shape, in2.shape))
    if mode == "same" or not swap or (mode == "valid" and in1.shape == in2.shape):
        return jnp.flip(_convolve_nd("correlate2d", jnp.flip(in1), jnp.conj(in2), mode, precision))
    out = _convolve_nd("correlate2d", jnp.flip(in2), jnp.conj(in1), mode, precision)
    return out if mode == "valid" else jnp.conj(out)


# FFT convolution.

def _axes_tuple(fname: str, axes, ndim: int) -> tuple[int, ...]:
    if axes is None:
        return tuple(range(ndim))
    axes = (axes,) if np.ndim(axes) == 0 else tuple(axes)
    return tuple(checked_axis(f"scipy.signal.{fname}", a, ndim) for a in axes)


def fftconvolve(in1, in2, mode: str = "full", axes=None):
    """scipy.signal.fftconvolve: convolution over `axes` (default all) by real or complex FFTs;
    the other axes are mapped and must agree."""
    check_arraylike("fftconvolve", in1, in2)
    in1, in2 = promote_args_inexact("fftconvolve", in1, in2)
    if in1.ndim != in2.ndim:
        raise ValueError(f"scipy.signal.fftconvolve: in1 and in2 should have the same dimensionality, got "
                         f"shapes {in1.shape} and {in2.shape}")
    _check_mode("fftconvolve", mode)
    axes = _axes_tuple("fftconvolve", axes, in1.ndim)
    if any(in1.shape[i] != in2.shape[i] for i in range(in1.ndim) if i not in axes):
        raise ValueError(f"scipy.signal.fftconvolve: mapped axes must have the same size; got shapes "
                         f"{in1.shape} and {in2.shape} with axes={axes}")
    s1, s2 = [in1.shape[a] for a in axes], [in2.shape[a] for a in axes]
    if mode == "valid" and _larger_first("fftconvolve", s1, s2):
        in1, in2, s1, s2 = in2, in1, s2, s1
    full = [a + b - 1 for a, b in zip(s1, s2)]
    if all(a == 1 or b == 1 for a, b in zip(s1, s2)):
        conv = in1 * in2      # an outer product: exact, no transform needed
    elif dtypes.is_complex(in1.dtype):
        conv = jnp_fft.ifftn(jnp_fft.fftn(in1, full, axes) * jnp_fft.fftn(in2, full, axes), full, axes)
    else:
        conv = jnp_fft.irfftn(jnp_fft.rfftn(in1, full, axes) * jnp_fft.rfftn(in2, full, axes), full, axes)
    out = {"full": full, "same": s1, "valid": [a - b + 1 for a, b in zip(s1, s2)]}[mode]
    index = [slice(None)] * conv.ndim
    for a, f, o in zip(axes, full, out):
        index[a] = slice((f - o) // 2, (f - o) // 2 + o)
    return conv[tuple(index)]


# Detrending.

@lru_cache(maxsize=64)
def _linear_basis(breaks: tuple[int, ...]) -> np.ndarray:
    """An orthonormal basis (n, k) of the piecewise-linear functions with the given breakpoints:
    per piece a constant and a centred ramp. Removing the projection on it is a least-squares
    linear fit per piece."""
    n = breaks[-1]
    cols = []
    for lo, hi in zip(breaks[:-1], breaks[1:]):
        const = np.zeros(n)
        const[lo:hi] = 1 / np.sqrt(hi - lo)
        cols.append(const)
        if hi - lo > 1:
            ramp = np.zeros(n)
            ramp[lo:hi] = np.arange(hi - lo) - (hi - lo - 1) / 2
            cols.append(ramp / np.linalg.norm(ramp))
    return np.stack(cols, axis=1)


def detrend(data, axis: int = -1, type: str = "linear", bp=0, overwrite_data: None = None):
    """scipy.signal.detrend: remove the mean ('constant') or a least-squares line ('linear',
    piecewise between the static breakpoints `bp`) along `axis`."""
    if overwrite_data is not None:
        raise NotImplementedError("scipy.signal.detrend: overwrite_data is not supported (arrays are immutable)")
    if type not in ("constant", "linear"):
        raise ValueError(f"scipy.signal.detrend: trend type must be 'linear' or 'constant', got {type!r}")
    check_arraylike("detrend", data)
    (data,) = promote_args_inexact("detrend", data)
    axis = checked_axis("scipy.signal.detrend", axis, data.ndim)
    if type == "constant":
        return data - jnp.mean(data, axis, keepdims=True)
    n = data.shape[axis]
    breaks = np.unique(np.r_[0, np.asarray(bp).ravel(), n].astype(np.int64))
    if breaks[0] < 0 or breaks[-1] > n:
        raise ValueError(f"scipy.signal.detrend: breakpoints must lie in [0, {n}] (the length along axis "
                         f"{axis}), got bp={bp!r}")
    basis = jnp.asarray(_linear_basis(tuple(int(b) for b in breaks)).astype(dtypes.finfo(data.dtype).dtype))
    d = jnp.moveaxis(data, axis, -1)
    d = d - jnp.matmul(jnp.matmul(d, basis), basis.T)
    return jnp.moveaxis(d, -1, axis)


# Windowed FFTs.

def _static_int(what: str, value) -> int:
    try:
        return int(value)
    except TypeError as err:
        raise TypeError(f"scipy.signal: {what} must be a static integer, got {value!r}") from err


def _complex_dtype(dtype) -> np.dtype:
    return np.result_type(dtype, np.complex64)


def _named_window(window, n: int, dtype):
    """A window given by name or (name, params) tuple, as a constant of `dtype`."""
    return jnp.asarray((sp_signal.get_window(window, n) if n else np.zeros(0)).astype(dtype))


def _window(window, nperseg: int | None, length: int, dtype) -> tuple[Any, int]:
    """The window array and the segment length, from a window name/tuple or array (SciPy's rules;
    with nperseg=None a named window spans the whole signal, as in JAX)."""
    if isinstance(window, (str, tuple)):
        n = length if nperseg is None else nperseg
        if n > length:
            warnings.warn(f"nperseg={n} is greater than input_length={length}, using nperseg={length}", stacklevel=4)
            n = length
        return _named_window(window, n, dtype), n
    win = jnp.asarray(window, dtype=dtype)
    if win.ndim != 1:
        raise ValueError(f"scipy.signal: window must be 1-D, got shape {win.shape}")
    if length < win.size:
        raise ValueError(f"scipy.signal: window (length {win.size}) is longer than the input signal ({length})")
    if nperseg is not None and nperseg != win.size:
        raise ValueError(f"scipy.signal: nperseg={nperseg} differs from the length of window ({win.size})")
    return win, win.size


def _odd_extension(x, n: int):
    """x extended by n points at each end of its last axis, point-reflected about the end values."""
    if n < 1:
        return x
    if n > x.shape[-1] - 1:
        raise ValueError(f"scipy.signal: the extension length {n} must not exceed x.shape[axis] - 1 = "
                         f"{x.shape[-1] - 1}")
    left = 2 * x[..., :1] - jnp.flip(x[..., 1:n + 1], -1)
    right = 2 * x[..., -1:] - jnp.flip(x[..., -n - 1:-1], -1)
    return jnp.concatenate((left, x, right), axis=-1)


def _pad_last(x, before: int, after: int, mode: str = "constant"):
    return jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(before, after)], mode)


_BOUNDARIES: dict[Any, Callable] = {
    "even": lambda x, n: _pad_last(x, n, n, "reflect"),
    "odd": _odd_extension,
    "constant": lambda x, n: _pad_last(x, n, n, "edge"),
    "zeros": lambda x, n: _pad_last(x, n, n),
    None: lambda x, n: x,
}


def _frames(x, nperseg: int, nstep: int):
    """The segments of x's last axis, (..., nseg, nperseg), as one gather with a static index."""
    starts = np.arange(0, x.shape[-1] - nperseg + 1, nstep)
    return x[..., starts[:, None] + np.arange(nperseg)]


def _overlap_add(frames, nstep: int):
    """The sum of frames (..., n, t) placed nstep apart: (..., nstep * (n - 1) + t)."""
    n, t = frames.shape[-2:]
    s = -(-t // nstep)                 # blocks of nstep a frame spans
    blocks = _pad_last(frames, 0, s * nstep - t).reshape(frames.shape[:-1] + (s, nstep))
    pad = [(0, 0)] * (frames.ndim - 2)
    out = sum(jnp.pad(blocks[..., j, :], pad + [(j, s - 1 - j), (0, 0)]) for j in range(s))
    return out.reshape(frames.shape[:-2] + ((n + s - 1) * nstep,))[..., :nstep * (n - 1) + t]


def _detrend_function(detrend_type, axis: int) -> Callable:
    if isinstance(detrend_type, str):
        return lambda d: detrend(d, type=detrend_type, axis=-1)
    if callable(detrend_type):
        # As JAX: the function sees the segments with axis `axis` (of the segment array) last.
        return lambda d: jnp.moveaxis(detrend_type(jnp.moveaxis(d, axis, -1)), -1, axis)
    if not detrend_type:
        return lambda d: d
    raise ValueError(f"scipy.signal: unsupported detrend type {detrend_type!r}")


def _spectral(fname: str, x, y, fs, window, nperseg, noverlap, nfft, detrend_type, return_onesided: bool,
              scaling: str, axis: int, mode: str, boundary, padded: bool):
    """(freqs, times, result): the scaled windowed FFTs of x (mode 'stft'), or the per-segment
    periodograms of x, or cross-periodograms of x and y (mode 'psd'), frequency axis at `axis`."""
    if boundary not in _BOUNDARIES:
        raise ValueError(f"scipy.signal.{fname}: unknown boundary option {boundary!r}, must be one of "
                         f"{list(_BOUNDARIES)}")
    if y is None:
        check_arraylike(fname, x)
        (x,) = promote_args_inexact(fname, x)
    else:
        check_arraylike(fname, x, y)
        x, y = promote_args_inexact(fname, x, y)
        if x.ndim != y.ndim:
            raise ValueError(f"scipy.signal.{fname}: x and y must have the same rank, got shapes {x.shape} "
                             f"and {y.shape}")
    axis = checked_axis(f"scipy.signal.{fname}", operator.index(axis), x.ndim)
    if y is not None:
        try:
            outer = np.broadcast_shapes(x.shape[:axis] + x.shape[axis + 1:], y.shape[:axis] + y.shape[axis + 1:])
        except ValueError as err:
            raise ValueError(f"scipy.signal.{fname}: x and y cannot be broadcast together, got shapes "
                             f"{x.shape} and {y.shape} (axis {axis})") from err
    result_dtype = _complex_dtype(x.dtype)
    freq_dtype = dtypes.finfo(result_dtype).dtype
    if nperseg is not None:
        nperseg = _static_int("nperseg", nperseg)
        if nperseg < 1:
            raise ValueError(f"scipy.signal.{fname}: nperseg must be a positive integer, got {nperseg}")
    win, nperseg = _window(window, nperseg, x.shape[axis], x.dtype)
    noverlap = nperseg // 2 if noverlap is None else _static_int("noverlap", noverlap)
    nfft = nperseg if nfft is None else _static_int("nfft", nfft)

    if x.size == 0 or (y is not None and y.size == 0):
        shape = x.shape if y is None else outer[:axis] + (min(x.shape[axis], y.shape[axis]),) + outer[axis:]
        return jnp.zeros(shape, freq_dtype), jnp.zeros(shape, freq_dtype), jnp.zeros(shape, result_dtype)

    x = jnp.moveaxis(x, axis, -1)
    if y is not None:
        y = jnp.moveaxis(y, axis, -1)
        longest = max(x.shape[-1], y.shape[-1])
        x, y = (_pad_last(v, 0, longest - v.shape[-1]) for v in (x, y))
    if nfft < nperseg:
        raise ValueError(f"scipy.signal.{fname}: nfft ({nfft}) must be greater than or equal to nperseg ({nperseg})")
    if noverlap >= nperseg:
        raise ValueError(f"scipy.signal.{fname}: noverlap ({noverlap}) must be less than nperseg ({nperseg})")
    nstep = nperseg - noverlap
    signals = [x] if y is None else [x, y]
    signals = [_BOUNDARIES[boundary](v, nperseg // 2) for v in signals]
    if padded:
        extra = (-(signals[0].shape[-1] - nperseg) % nstep) % nperseg
        signals = [_pad_last(v, 0, extra) for v in signals]
    length = signals[0].shape[-1]

    if scaling == "density":
        scale = 1.0 / (fs * jnp.sum(win * win))
    elif scaling == "spectrum":
        scale = 1.0 / jnp.sum(win) ** 2
    else:
        raise ValueError(f"scipy.signal.{fname}: unknown scaling {scaling!r}; use 'density' or 'spectrum'")
    if mode == "stft":
        scale = jnp.sqrt(scale)
    onesided = bool(return_onesided)
    if onesided and any(dtypes.is_complex(v.dtype) for v in signals):
        onesided = False
        warnings.warn("Input data is complex, switching to return_onesided=False", stacklevel=3)
    freqs = (jnp_fft.rfftfreq if onesided else jnp_fft.fftfreq)(nfft, 1 / fs, dtype=freq_dtype)

    detrend_func = _detrend_function(detrend_type, axis)

    def spectrum(v):
        segments = win * detrend_func(_frames(v, nperseg, nstep))
        return jnp_fft.rfft(jnp.real(segments), n=nfft) if onesided else jnp_fft.fft(segments, n=nfft)

    result = spectrum(signals[0])
    if y is not None:
        result = jnp.conj(result) * spectrum(signals[1])
    elif mode == "psd":
        result = jnp.conj(result) * result
    result = result * scale
    if onesided and mode == "psd":
        # The one-sided density counts each interior frequency twice (DC and Nyquist once).
        double = np.full(result.shape[-1], 2.0)
        double[0] = 1.0
        if nfft % 2 == 0:
            double[-1] = 1.0
        result = result * jnp.asarray(double.astype(freq_dtype))
    times = jnp.asarray(np.arange(nperseg / 2, length - nperseg / 2 + 1, nstep, dtype=freq_dtype)) / fs
    if boundary is not None:
        times = times - (nperseg / 2) / fs
    result = result.astype(result_dtype)
    if y is None and mode != "stft":
        result = jnp.real(result)
    return freqs, times, jnp.moveaxis(result, -1, axis)


def stft(x, fs=1.0, window="hann", nperseg: int = 256, noverlap: int | None = None, nfft: int | None = None,
         detrend=False, return_onesided: bool = True, boundary: str | None = "zeros", padded: bool = True,
         axis: int = -1):
    """scipy.signal.stft: (f, t, Zxx), the windowed FFTs of x's segments, 'spectrum'-scaled."""
    return _spectral("stft", x, None, fs, window, nperseg, noverlap, nfft, detrend, return_onesided,
                     "spectrum", axis, "stft", boundary, padded)


def csd(x, y, fs=1.0, window="hann", nperseg: int | None = None, noverlap: int | None = None,
        nfft: int | None = None, detrend="constant", return_onesided: bool = True, scaling: str = "density",
        axis: int = -1, average: str = "mean"):
    """scipy.signal.csd: (f, Pxy), Welch's estimate of the cross spectral density (y=None: of x alone)."""
    freqs, _, pxy = _spectral("csd", x, y, fs, window, nperseg, noverlap, nfft, detrend, return_onesided,
                              scaling, axis, "psd", None, False)
    if pxy.ndim >= 2 and pxy.size > 0:
        if pxy.shape[-1] == 1:
            pxy = pxy.reshape(pxy.shape[:-1])
        elif average == "mean":
            pxy = jnp.mean(pxy, axis=-1)
        elif average == "median":
            pxy = _median(pxy) / jnp.asarray(_median_bias(pxy.shape[-1]), pxy.dtype)
        else:
            raise ValueError(f"scipy.signal.csd: average must be 'median' or 'mean', got {average!r}")
    return freqs, pxy


def _median(p):
    """The median over the last axis, of the real and imaginary parts separately."""
    if dtypes.is_complex(p.dtype):
        return jnp.median(jnp.real(p), axis=-1) + 1j * jnp.median(jnp.imag(p), axis=-1)
    return jnp.median(p, axis=-1)


def _median_bias(n: int) -> float:
    """The median of n periodograms over their mean (Allen et al. 2012, appendix B)."""
    even = np.arange(2.0, n, 2.0)
    return 1.0 + float(np.sum(1.0 / (even + 1) - 1.0 / even))


def welch(x, fs=1.0, window="hann", nperseg: int | None = None, noverlap: int | None = None,
          nfft: int | None = None, detrend="constant", return_onesided: bool = True, scaling: str = "density",
          axis: int = -1, average: str = "mean"):
    """scipy.signal.welch: (f, Pxx), Welch's estimate of the power spectral density of x."""
    freqs, pxx = csd(x, None, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap, nfft=nfft,
                     detrend=detrend, return_onesided=return_onesided, scaling=scaling, axis=axis,
                     average=average)
    return freqs, jnp.real(pxx)


def istft(Zxx, fs=1.0, window="hann", nperseg: int | None = None, noverlap: int | None = None,
          nfft: int | None = None, input_onesided: bool = True, boundary: bool = True, time_axis: int = -1,
          freq_axis: int = -2):
    """scipy.signal.istft: (t, x), the signal whose stft is Zxx, by windowed overlap-add."""
    check_arraylike("istft", Zxx)
    Zxx = jnp.asarray(Zxx)
    if Zxx.ndim < 2:
        raise ValueError(f"scipy.signal.istft: input stft must be at least 2-d, got shape {Zxx.shape}")
    freq_axis = checked_axis("scipy.signal.istft", freq_axis, Zxx.ndim)
    time_axis = checked_axis("scipy.signal.istft", time_axis, Zxx.ndim)
    if freq_axis == time_axis:
        raise ValueError("scipy.signal.istft: time_axis and freq_axis must differ")
    Zxx = Zxx.astype(_complex_dtype(Zxx.dtype))
    nfreq = Zxx.shape[freq_axis]
    n_default = 2 * (nfreq - 1) if input_onesided else nfreq
    # As JAX, 0 for nperseg or noverlap means "the default".
    nperseg = _static_int("nperseg", nperseg or n_default)
    if nperseg < 1:
        raise ValueError(f"scipy.signal.istft: nperseg must be a positive integer, got {nperseg}")
    if nfft is None:
        nfft = n_default + 1 if input_onesided and nperseg == n_default + 1 else n_default
    else:
        nfft = _static_int("nfft", nfft)
    if nfft < nperseg:
        raise ValueError(f"scipy.signal.istft: FFT length ({nfft}) must be longer than nperseg ({nperseg})")
    noverlap = _static_int("noverlap", noverlap or nperseg // 2)
    if noverlap >= nperseg:
        raise ValueError(f"scipy.signal.istft: noverlap ({noverlap}) must be less than nperseg ({nperseg})")
    nstep = nperseg - noverlap

    outer = tuple(i for i in range(Zxx.ndim) if i not in (time_axis, freq_axis))
    Zxx = jnp.transpose(Zxx, outer + (freq_axis, time_axis))
    inverse = jnp_fft.irfft if input_onesided else jnp_fft.ifft
    segments = inverse(Zxx, n=nfft, axis=-2)[..., :nperseg, :]       # (..., nperseg, nframes)
    if isinstance(window, (str, tuple)):
        win = _named_window(window, nperseg, segments.dtype)
    else:
        win = jnp.asarray(window, dtype=segments.dtype)
        if win.shape != (nperseg,):
            raise ValueError(f"scipy.signal.istft: window must be 1-D of length {nperseg}, got shape {win.shape}")
    segments = segments * jnp.sum(win)     # undoes stft's 'spectrum' scaling
    frames = jnp.swapaxes(segments * win[:, None], -2, -1)
    x = _overlap_add(frames, nstep)
    norm = _overlap_add(jnp.broadcast_to(win * win, frames.shape[-2:]), nstep)
    if boundary:
        half = nperseg // 2
        x, norm = x[..., half:-half], norm[..., half:-half]
    x = x / jnp.where(jnp.real(norm) > 1e-10, norm, 1.0)
    if x.ndim > 1 and time_axis != Zxx.ndim - 1:
        x = jnp.moveaxis(x, -1, time_axis - 1 if freq_axis < time_axis else time_axis)
    # As JAX: the times count x.shape[0] samples.
    times = jnp.asarray(np.arange(x.shape[0], dtype=dtypes.finfo(x.dtype).dtype)) / fs
    return times, x
