"""jnp.convolve/correlate and nablax.scipy.signal against JAX: values, dtypes, weak types,
shapes (eager and jit) and gradients."""
from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
import jax.scipy.signal as jss  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
import nablax.scipy.signal as nss  # noqa: E402

from . import same_as_jax  # noqa: E402
from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(5)


def rand(*shape, dtype=np.float32):
    x = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


def both(jf, nf, *args, rtol=2e-5, atol=2e-5, jit=True, **kwargs):
    """jf(*args, **kwargs) against nf(...), eager and under nablax.jit (arrays traced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        j_out = jf(*args, **kwargs)
        assert_same(j_out, nf(*args, **kwargs), rtol=rtol, atol=atol, path=nf.__name__)
        if jit:
            assert_same(j_out, nablax.jit(lambda *a: nf(*a, **kwargs))(*args), rtol=rtol, atol=atol,
                        path=nf.__name__ + " (jit)")
    return j_out


def _weighted_power(lib, out):
    """sum(|f|^2 weighted) of the last output (a tuple's last element)."""
    out = out[-1] if isinstance(out, tuple) else out
    return lib.sum(lib.cos(lib.arange(out.size, dtype=np.float32)).reshape(out.shape) * lib.abs(out) ** 2)


grads_agree = functools.partial(same_as_jax.grads_agree, loss=_weighted_power, atol=2e-4)


# jnp.convolve / jnp.correlate.

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("na,nv", [(7, 3), (3, 8), (4, 4), (5, 1)])
def test_convolve_correlate_modes(mode, na, nv):
    for dtype in (np.float32, np.complex64):
        a, v = rand(na, dtype=dtype), rand(nv, dtype=dtype)
        both(jjnp.convolve, njnp.convolve, a, v, mode=mode)
        both(jjnp.correlate, njnp.correlate, a, v, mode=mode)
    grads_agree(lambda a, v: jjnp.convolve(a, v, mode), lambda a, v: njnp.convolve(a, v, mode), rand(na), rand(nv))
    grads_agree(lambda a, v: jjnp.correlate(a, v, mode), lambda a, v: njnp.correlate(a, v, mode),
                rand(na), rand(nv))


def test_convolve_dtypes_and_errors(x64):
    i = np.arange(5, dtype=np.int32)
    both(jjnp.convolve, njnp.convolve, i, i[:3])
    both(jjnp.correlate, njnp.correlate, i, np.float32([1.5, 2.0]))
    both(jjnp.convolve, njnp.convolve, i, i[:3], preferred_element_type=np.int64)
    both(jjnp.convolve, njnp.convolve, rand(6, dtype=np.float64), rand(3, dtype=np.complex128), mode="same")
    for a, v, mode in ((np.ones((2, 2)), np.ones(2), "full"), (np.ones(3), np.ones(0), "full"),
                       (np.ones(3), np.ones(2), "middle")):
        with pytest.raises(ValueError):
            jjnp.convolve(a, v, mode)
        with pytest.raises(ValueError):
            njnp.convolve(a, v, mode)


# scipy.signal convolutions.

PAIRS = [((9,), (4,)), ((4,), (9,)), ((5, 6), (2, 3)), ((2, 3), (5, 4)), ((3, 3), (3, 3)), ((3, 4, 5), (2, 2, 3))]


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("s1,s2", PAIRS)
def test_scipy_convolve_correlate(mode, s1, s2):
    a, b = rand(*s1), rand(*s2)
    for method in ("auto", "direct", "fft"):
        tol = 2e-5 if method != "fft" else 1e-4
        both(jss.convolve, nss.convolve, a, b, mode=mode, method=method, rtol=tol, atol=tol)
        both(jss.correlate, nss.correlate, a, b, mode=mode, method=method, rtol=tol, atol=tol)
    both(jss.fftconvolve, nss.fftconvolve, a, b, mode=mode, rtol=1e-4, atol=1e-4)
    if len(s1) == 2:
        for dtype in (np.float32, np.complex64):
            a, b = rand(*s1, dtype=dtype), rand(*s2, dtype=dtype)
            both(jss.convolve2d, nss.convolve2d, a, b, mode=mode)
            both(jss.correlate2d, nss.correlate2d, a, b, mode=mode)
        grads_agree(lambda a, b: jss.correlate2d(a, b, mode), lambda a, b: nss.correlate2d(a, b, mode),
                    rand(*s1), rand(*s2))
    grads_agree(lambda a, b: jss.fftconvolve(a, b, mode), lambda a, b: nss.fftconvolve(a, b, mode),
                rand(*s1), rand(*s2), rtol=1e-3, atol=1e-3)


def test_fftconvolve_axes_complex_and_int():
    a, b = rand(3, 10, 4), rand(3, 5, 4)
    for mode in ("full", "same", "valid"):
        both(jss.fftconvolve, nss.fftconvolve, a, b, mode=mode, axes=1, rtol=1e-4, atol=1e-4)
        both(jss.fftconvolve, nss.fftconvolve, a, b, mode=mode, axes=(0, 1), rtol=1e-4, atol=1e-4)
    both(jss.fftconvolve, nss.fftconvolve, a, rand(3, 1, 4), axes=[-2])
    both(jss.fftconvolve, nss.fftconvolve, rand(6, dtype=np.complex64), rand(3, dtype=np.complex64), rtol=1e-4,
         atol=1e-4)
    both(jss.convolve, nss.convolve, np.arange(6), np.arange(3))
    for bad in (lambda m: m.fftconvolve(rand(3, 4), rand(2, 4), axes=1),
                lambda m: m.fftconvolve(rand(3), rand(2, 2)),
                lambda m: m.convolve(rand(3), rand(2), method="winograd"),
                lambda m: m.convolve(rand(3, 2), rand(2, 3)),
                lambda m: m.convolve2d(rand(3), rand(2))):
        for m in (jss, nss):
            with pytest.raises(ValueError):
                bad(m)
    for m in (jss, nss):
        with pytest.raises(NotImplementedError):
            m.convolve2d(rand(3, 3), rand(2, 2), fillvalue=1.0)


# Detrend.

def test_detrend():
    x = rand(4, 30)
    for kw in ({}, {"type": "constant"}, {"bp": [7, 20]}, {"axis": 0}, {"axis": 0, "bp": 2}):
        both(jss.detrend, nss.detrend, x, **kw, atol=1e-5)
    both(jss.detrend, nss.detrend, np.arange(12, dtype=np.int32).reshape(3, 4), atol=1e-5)
    both(jss.detrend, nss.detrend, rand(10, dtype=np.complex64), bp=4, atol=1e-5)
    grads_agree(lambda x: jss.detrend(x, bp=[5]), lambda x: nss.detrend(x, bp=[5]), x)
    for m in (jss, nss):
        with pytest.raises(ValueError):
            m.detrend(x, bp=[40])
        with pytest.raises(ValueError):
            m.detrend(x, type="quadratic")


# Spectral estimates.

SPECTRAL = [
    {"nperseg": 31, "noverlap": 10, "nfft": 40, "window": "hamming"},
    {"nperseg": 16, "detrend": "linear", "scaling": "spectrum", "return_onesided": False},
    {"nperseg": 20, "window": ("tukey", 0.3), "average": "median", "detrend": False},
    {"nperseg": 24, "axis": 0, "detrend": lambda d: d - d.mean(axis=-1, keepdims=True)},
]


@pytest.mark.parametrize("kw", SPECTRAL)
def test_welch_csd(kw):
    x, y = rand(120, 2), rand(120, 2)
    kw = {"axis": -2} | kw
    both(jss.welch, nss.welch, x, **kw)
    both(jss.csd, nss.csd, x, y, **kw)
    both(jss.csd, nss.csd, x, None, **kw)
    both(jss.csd, nss.csd, x, y[:100, :1], **kw)
    grads_agree(lambda x, y: jss.csd(x, y, **kw), lambda x, y: nss.csd(x, y, **kw), x, y)


def test_welch_complex_window_array_and_empty():
    x = rand(2, 80, dtype=np.complex64)
    both(jss.welch, nss.welch, x, nperseg=16)
    w = np.hanning(16).astype(np.float32)
    both(jss.welch, nss.welch, rand(80), window=w)
    signal = rand(80)
    grads_agree(lambda w: jss.welch(signal, window=w), lambda w: nss.welch(signal, window=w), w)
    both(jss.welch, nss.welch, np.zeros((0,), np.float32), jit=False)
    for kw in ({"noverlap": 16}, {"nfft": 8}, {"scaling": "power"}, {"average": "mode"}, {"window": np.ones(8)}):
        for m in (jss, nss):
            with pytest.raises(ValueError):
                m.welch(rand(40), **({"nperseg": 16} | kw))


STFTS = [
    {"nperseg": 33, "noverlap": 20, "window": "blackman", "fs": 2.0},
    {"nperseg": 16, "nfft": 24, "boundary": "even", "padded": False},
    {"nperseg": 16, "boundary": "constant", "detrend": "linear"},
    {"nperseg": 16, "boundary": None, "return_onesided": False, "axis": 0},
]


@pytest.mark.parametrize("kw", STFTS)
def test_stft_istft(kw):
    x = rand(100, 3) if kw.get("axis") == 0 else rand(3, 100)
    _, _, z = both(jss.stft, nss.stft, x, **kw)
    grads_agree(lambda x: jss.stft(x, **kw), lambda x: nss.stft(x, **kw), x)
    inv = {k: v for k, v in kw.items() if k in ("nperseg", "noverlap", "window", "nfft", "fs")}
    inv["input_onesided"] = kw.get("return_onesided", True)
    inv["boundary"] = kw.get("boundary", "zeros") is not None
    if kw.get("axis") == 0:
        inv |= {"time_axis": -1, "freq_axis": 0}
    if kw.get("nperseg") == 33 and "nfft" not in kw:
        inv["nfft"] = 33     # JAX fails on an odd nperseg without nfft
    z = np.asarray(z)
    both(jss.istft, nss.istft, z, **inv, atol=1e-4)
    grads_agree(lambda z: jss.istft(z, **inv), lambda z: nss.istft(z, **inv), z)


def test_stft_defaults_and_complex():
    both(jss.stft, nss.stft, rand(300))
    both(jss.stft, nss.stft, rand(50), nperseg=16)     # nperseg > length: clipped with a warning
    both(jss.stft, nss.stft, rand(2, 60, dtype=np.complex64), nperseg=16)
    both(jss.istft, nss.istft, rand(2, 9, 7, dtype=np.complex64), atol=1e-4)
    both(jss.istft, nss.istft, rand(16, 7, dtype=np.complex64), input_onesided=False, atol=1e-4)
    for m in (jss, nss):
        with pytest.raises(ValueError):
            m.stft(rand(40), boundary="wrap")
        with pytest.raises(ValueError):
            m.istft(rand(5))
        with pytest.raises(ValueError):
            m.istft(rand(5, 5), time_axis=0, freq_axis=0)
