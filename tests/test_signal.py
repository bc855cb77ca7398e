"""jnp.convolve/correlate and nablax.scipy.signal against NumPy and SciPy (no JAX needed),
with derivative checks, jit and vmap."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss

import nablax
import nablax.numpy as jnp
import nablax.scipy.signal as nss
from nablax.test_util import check_grads

RNG = np.random.default_rng(3)


def rand(*shape, dtype=np.float64):
    x = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


# jnp.convolve / jnp.correlate.

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("na,nv", [(7, 3), (3, 7), (4, 4), (6, 1), (1, 1), (5, 2)])
def test_convolve_correlate_match_numpy(x64, mode, na, nv):
    for dtype in (np.float64, np.complex128):
        a, v = rand(na, dtype=dtype), rand(nv, dtype=dtype)
        np.testing.assert_allclose(jnp.convolve(a, v, mode), np.convolve(a, v, mode), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(jnp.correlate(a, v, mode), np.correlate(a, v, mode), rtol=1e-12, atol=1e-12)


def test_convolve_known_values_and_dtypes():
    x, y = np.array([1, 2, 3, 2, 1], np.int32), np.array([4, 1, 2], np.int32)
    out = jnp.convolve(x, y)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [4, 9, 16, 15, 12, 5, 2])
    np.testing.assert_array_equal(jnp.convolve(x, y, "same"), [9, 16, 15, 12, 5])
    np.testing.assert_array_equal(jnp.correlate(x, np.array([4, 5, 6])), [32, 35, 28])
    np.testing.assert_array_equal(jnp.correlate(x, np.array([4, 5, 6]), "full"), [6, 17, 32, 35, 28, 13, 4])
    assert jnp.convolve(x.astype(np.float32), y.astype(np.float16)).dtype == np.float32
    assert jnp.correlate(x, y.astype(np.complex64)).dtype == np.complex64
    assert jnp.convolve(x, y, preferred_element_type=np.int32).dtype == np.int32


def test_convolve_rejects_bad_input():
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.convolve(np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.correlate(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="empty"):
        jnp.convolve(np.ones(3), np.ones(0))
    with pytest.raises(ValueError, match="mode"):
        jnp.correlate(np.ones(3), np.ones(2), "middle")
    with pytest.raises(ValueError, match="mode"):
        nablax.jit(lambda a: jnp.convolve(a, a, "middle"))(np.ones(3))


def test_convolve_transforms(x64):
    a, v = rand(8), rand(3)
    jitted = nablax.jit(lambda a, v: jnp.convolve(a, v, "same"))
    np.testing.assert_allclose(jitted(a, v), np.convolve(a, v, "same"), rtol=1e-12)
    batch = rand(4, 8)
    out = nablax.vmap(lambda a: jnp.correlate(a, v, "full"))(batch)
    np.testing.assert_allclose(out, np.stack([np.correlate(b, v, "full") for b in batch]), rtol=1e-12)
    for mode in ("full", "same", "valid"):
        check_grads(lambda a, v, mode=mode: jnp.convolve(a, v, mode), (a, v), order=2)
        check_grads(lambda a, v, mode=mode: jnp.correlate(a, v, mode), (rand(3), rand(6)), order=1)
    check_grads(lambda a, v: jnp.correlate(a, v), (rand(5, dtype=np.complex128), rand(2, dtype=np.complex128)),
                order=1)


# scipy.signal convolutions.

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_nd_convolve_correlate_match_scipy(x64, mode):
    pairs = [(rand(9), rand(4)), (rand(4), rand(9)), (rand(5, 6), rand(2, 3)), (rand(2, 3), rand(5, 4)),
             (rand(3, 4, 5), rand(2, 2, 3)), (rand(6, 5, dtype=np.complex128), rand(3, 2, dtype=np.complex128))]
    for a, b in pairs:
        for method in ("direct", "fft"):
            np.testing.assert_allclose(nss.convolve(a, b, mode, method), ss.convolve(a, b, mode, "direct"),
                                       rtol=1e-10, atol=1e-10)
            np.testing.assert_allclose(nss.correlate(a, b, mode, method), ss.correlate(a, b, mode, "direct"),
                                       rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(nss.fftconvolve(a, b, mode), ss.fftconvolve(a, b, mode), rtol=1e-10, atol=1e-10)
        if a.ndim == 2:
            np.testing.assert_allclose(nss.convolve2d(a, b, mode), ss.convolve2d(a, b, mode), rtol=1e-10, atol=1e-10)
            np.testing.assert_allclose(nss.correlate2d(a, b, mode), ss.correlate2d(a, b, mode), rtol=1e-10, atol=1e-10)


def test_fftconvolve_axes(x64):
    a, b = rand(3, 10, 4), rand(3, 5, 4)
    for mode in ("full", "same", "valid"):
        np.testing.assert_allclose(nss.fftconvolve(a, b, mode, axes=1), ss.fftconvolve(a, b, mode, axes=1),
                                   rtol=1e-10, atol=1e-10)
    c = rand(3, 1, 4)   # length 1 along the axis: a product, no transform
    np.testing.assert_allclose(nss.fftconvolve(a, c, axes=(1,)), ss.fftconvolve(a, c, axes=1), rtol=1e-12)
    with pytest.raises(ValueError, match="mapped axes"):
        nss.fftconvolve(rand(3, 4), rand(2, 4), axes=1)


def test_signal_convolutions_reject_bad_input():
    with pytest.raises(ValueError, match="method"):
        nss.convolve(np.ones(3), np.ones(2), method="winograd")
    with pytest.raises(ValueError, match="mode"):
        nss.convolve(np.ones(3), np.ones(2), mode="middle")
    with pytest.raises(ValueError, match="same number of dimensions"):
        nss.convolve(np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="at least as large"):
        nss.convolve(np.ones((3, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="zero-size"):
        nss.correlate(np.ones(3), np.ones(0))
    with pytest.raises(ValueError, match="2-dimensional"):
        nss.convolve2d(np.ones(3), np.ones(2))
    with pytest.raises(NotImplementedError, match="boundary"):
        nss.correlate2d(np.ones((3, 3)), np.ones((2, 2)), boundary="wrap")
    with pytest.raises(ValueError, match="dimensionality"):
        nss.fftconvolve(np.ones(3), np.ones((2, 2)))


def test_signal_convolution_grads(x64):
    a, b = rand(5, 4), rand(2, 3)
    for mode in ("full", "same", "valid"):
        check_grads(lambda a, b, mode=mode: nss.convolve2d(a, b, mode), (a, b), order=1)
        check_grads(lambda a, b, mode=mode: nss.correlate2d(a, b, mode), (a, b), order=1)
        check_grads(lambda a, b, mode=mode: nss.fftconvolve(a, b, mode), (a, b), order=1)
    out = nablax.vmap(lambda a: nss.convolve(a, b, "same"))(rand(3, 5, 4))
    assert out.shape == (3, 5, 4)


# Detrend.

def test_detrend_matches_scipy(x64):
    x = rand(4, 30)
    for kw in ({}, {"type": "constant"}, {"bp": [7, 20]}, {"axis": 0}, {"axis": 0, "bp": 2}, {"bp": 29}):
        np.testing.assert_allclose(nss.detrend(x, **kw), ss.detrend(x, **kw), rtol=1e-10, atol=1e-10)
    assert nss.detrend(np.arange(6)).dtype == np.float64
    check_grads(lambda x: nss.detrend(x, bp=[5]), (x,), order=2)
    with pytest.raises(ValueError, match="breakpoints"):
        nss.detrend(x, bp=[40])
    with pytest.raises(ValueError, match="trend type"):
        nss.detrend(x, type="quadratic")
    with pytest.raises(NotImplementedError):
        nss.detrend(x, overwrite_data=True)


# Spectral estimates.

@pytest.mark.parametrize("kw", [
    {"nperseg": 32},
    {"nperseg": 31, "noverlap": 10, "nfft": 40, "window": "hamming"},
    {"nperseg": 16, "detrend": "linear", "scaling": "spectrum", "return_onesided": False},
    {"nperseg": 20, "window": ("tukey", 0.3), "average": "median", "detrend": False},
])
def test_welch_csd_match_scipy(x64, kw):
    x, y = rand(2, 200), rand(2, 200)
    f, p = nss.welch(x, **kw)
    fs_, ps_ = ss.welch(x, **kw)
    np.testing.assert_allclose(f, fs_, rtol=1e-12)
    np.testing.assert_allclose(p, ps_, rtol=1e-9, atol=1e-12)
    f, p = nss.csd(x, y, fs=3.0, **kw)
    fs_, ps_ = ss.csd(x, y, fs=3.0, **kw)
    np.testing.assert_allclose(f, fs_, rtol=1e-12)
    np.testing.assert_allclose(p, ps_, rtol=1e-9, atol=1e-12)


def test_welch_axis_and_whole_signal_default(x64):
    x = rand(100, 3)
    f, p = nss.welch(x, nperseg=25, axis=0)
    np.testing.assert_allclose(p, ss.welch(x, nperseg=25, axis=0)[1], rtol=1e-9)
    f, p = nss.welch(x[:, 0])   # nperseg=None: one segment spanning the signal (as JAX)
    assert p.shape == (51,)
    np.testing.assert_allclose(p, ss.welch(x[:, 0], nperseg=100)[1], rtol=1e-9)


@pytest.mark.parametrize("kw", [
    {"nperseg": 32},
    {"nperseg": 33, "noverlap": 20, "window": "blackman"},
    {"nperseg": 16, "nfft": 24, "boundary": "even", "padded": False},
    {"nperseg": 16, "boundary": "odd", "detrend": "constant"},
    {"nperseg": 16, "boundary": None, "return_onesided": False},
])
def test_stft_istft_match_scipy(x64, kw):
    x = rand(3, 150)
    f, t, z = nss.stft(x, fs=2.0, **kw)
    fs_, ts_, zs_ = ss.stft(x, fs=2.0, **kw)
    np.testing.assert_allclose(f, fs_, rtol=1e-12)
    np.testing.assert_allclose(t, ts_, rtol=1e-12)
    np.testing.assert_allclose(z, zs_, rtol=1e-9, atol=1e-12)
    inv = {k: v for k, v in kw.items() if k in ("nperseg", "noverlap", "window", "nfft")}
    inv["input_onesided"] = kw.get("return_onesided", True)
    inv["boundary"] = kw.get("boundary", "zeros") is not None
    _, xr = nss.istft(z, fs=2.0, **inv)
    _, xs = ss.istft(zs_, fs=2.0, **inv)
    np.testing.assert_allclose(xr, xs, rtol=1e-9, atol=1e-12)


def test_stft_round_trip_and_grads(x64):
    x = rand(128)
    _, _, z = nss.stft(x, nperseg=32)
    _, xr = nss.istft(z, nperseg=32)
    np.testing.assert_allclose(xr[:128], x, rtol=1e-10, atol=1e-12)
    check_grads(lambda x: nss.stft(x, nperseg=16)[2], (rand(40),), order=1)
    check_grads(lambda x: nss.welch(x, nperseg=16)[1], (rand(50),), order=2)
    check_grads(lambda x, y: nss.csd(x, y, nperseg=16, average="median")[1], (rand(50), rand(50)), order=1)
    check_grads(lambda z: nss.istft(z, nperseg=16)[1], (rand(9, 6, dtype=np.complex128),), order=1)
    check_grads(lambda x: nss.istft(nss.stft(x, nperseg=16)[2], nperseg=16)[1], (rand(40),), order=1)
    signal = rand(60)  # (drawn once: the function differentiated must not change between calls)
    check_grads(lambda w: nss.welch(signal, window=w)[1], (np.hanning(20),), order=1)
    jitted = nablax.jit(lambda x: nss.welch(x, nperseg=16))
    np.testing.assert_allclose(jitted(x)[1], ss.welch(x, nperseg=16)[1], rtol=1e-9)


def test_spectral_defaults_dtypes_and_errors():
    x = rand(64).astype(np.float32)
    f, t, z = nss.stft(x, nperseg=16)
    assert (f.dtype, t.dtype, z.dtype) == (np.float32, np.float32, np.complex64)
    f, p = nss.welch(x.astype(np.int32), nperseg=16)
    assert p.dtype == np.float32
    with pytest.warns(UserWarning, match="complex"):
        f, p = nss.welch(x + 1j * x, nperseg=16)
    assert p.shape == (16,)
    with pytest.warns(UserWarning, match="nperseg"):
        nss.welch(x, nperseg=100)
    for bad in ({"noverlap": 16}, {"nfft": 8}, {"scaling": "power"}, {"average": "mode"}, {"nperseg": 0},
                {"window": np.ones((4, 4))}, {"window": np.ones(8), "nperseg": 16}, {"detrend": True}):
        with pytest.raises(ValueError):
            nss.welch(x, **({"nperseg": 16} | bad))
    with pytest.raises(ValueError, match="boundary"):
        nss.stft(x, boundary="wrap")
    with pytest.raises(ValueError, match="2-d"):
        nss.istft(np.ones(5))
    with pytest.raises(ValueError, match="differ"):
        nss.istft(np.ones((5, 5)), time_axis=0, freq_axis=0)
    f, p = nss.welch(np.zeros((0,), np.float32))
    assert f.shape == p.shape == (0,)
