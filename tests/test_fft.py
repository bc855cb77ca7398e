"""jnp.fft, lax.fft and scipy.fft (dct family) against numpy.fft/scipy.fft, known answers, gradients."""
import numpy as np
import pytest
import scipy.fft as sf

import nablax
import nablax.numpy as jnp
import nablax.scipy.fft as nsf
from nablax import lax
from nablax.test_util import check_grads

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 6))
C = np.fft.rfft2(X)


def test_known_answer():
    np.testing.assert_allclose(np.asarray(jnp.fft.fft(np.array([1.0, 0, 0, 0]))), np.ones(4))
    assert jnp.fft.fft(np.ones(4, np.float32)).dtype == np.complex64


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "fft2", "ifft2", "rfft2", "fftn", "ifftn", "rfftn", "ihfft"])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_forward_vs_numpy(name, norm):
    np.testing.assert_allclose(np.asarray(getattr(jnp.fft, name)(X.astype(np.float32), norm=norm)),
                               getattr(np.fft, name)(X, norm=norm), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["irfft", "irfft2", "irfftn", "hfft"])
def test_inverse_vs_numpy(name):
    np.testing.assert_allclose(np.asarray(getattr(jnp.fft, name)(C.astype(np.complex64))),
                               getattr(np.fft, name)(C), rtol=1e-4, atol=1e-5)


def test_lengths_and_axes():
    got = jnp.fft.irfftn(C.astype(np.complex64), s=(5, 7), axes=(1, 0), norm="ortho")
    np.testing.assert_allclose(np.asarray(got), np.fft.irfftn(C, s=(5, 7), axes=(1, 0), norm="ortho"),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.fft.fft(X, n=3, axis=0)), np.fft.fft(X, n=3, axis=0), rtol=1e-5)


def test_freqs_and_shifts():
    np.testing.assert_allclose(np.asarray(jnp.fft.fftfreq(5, 0.1)), np.fft.fftfreq(5, 0.1), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jnp.fft.rfftfreq(6)), np.fft.rfftfreq(6), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(jnp.fft.ifftshift(jnp.fft.fftshift(np.arange(7)))), np.arange(7))


@pytest.mark.parametrize("name", ["dct", "idct", "dctn", "idctn"])
@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dct_vs_scipy(name, norm):
    x = RNG.standard_normal((3, 5, 4))
    np.testing.assert_allclose(np.asarray(getattr(nsf, name)(x.astype(np.float32), norm=norm)),
                               getattr(sf, name)(x, norm=norm), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("f", [lambda x: jnp.fft.rfft(x, norm="ortho"), lambda x: jnp.fft.irfft(jnp.fft.rfft(x), n=6),
                               lambda x: jnp.fft.fft2(x), lambda x: nsf.dctn(x, norm="ortho"), lambda x: nsf.idct(x)])
def test_grads(f):
    with nablax.config.enable_x64(True):
        check_grads(f, (X,), order=2, modes=("fwd", "rev"))


def test_errors():
    with pytest.raises(ValueError):
        lax.fft(np.ones(4, np.complex64), "rfft", (4,))
    with pytest.raises(ValueError):
        jnp.fft.fft(X, norm="bad")
    with pytest.raises(NotImplementedError):
        nsf.dct(X, type=3)
