"""jnp.fft and jax.scipy.fft's dct family against real JAX: values, dtypes, weak types, shapes and
gradients of real losses, with n/s/axes/norm variants."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402
import jax.scipy.fft as jsf  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
import nablax.scipy.fft as nsf  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(3)
XR = RNG.standard_normal((4, 6)).astype(np.float32)
XC = (RNG.standard_normal((4, 6)) + 1j * RNG.standard_normal((4, 6))).astype(np.complex64)
XI = np.arange(24, dtype=np.int32).reshape(4, 6)
REAL_ONLY = {"rfft", "rfft2", "rfftn", "ihfft"}
NAMES = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
         "fftn", "ifftn", "rfftn", "irfftn"]
KW = {1: [{}, {"n": 5}, {"n": 8, "axis": 0}], 2: [{}, {"s": (3, 5)}, {"axes": (1, 0)}],
      0: [{}, {"s": (3, 7)}, {"axes": (0,)}]}


def _kind(name):
    return 2 if name.endswith("2") else 0 if name.endswith("n") else 1


def _loss(f):
    def loss(x):
        y = f(x)
        return (abs(y) ** 2).sum() + (y.real ** 3).sum() + (y.imag.sum() if y.dtype.kind == "c" else 0)
    return loss


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_jnp_fft(name, norm):
    for x in ([XR, XI] if name in REAL_ONLY else [XR, XC, XI]):
        for kw in KW[_kind(name)]:
            jf = lambda a: getattr(jjnp.fft, name)(a, norm=norm, **kw)  # noqa: E731
            nf = lambda a: getattr(njnp.fft, name)(a, norm=norm, **kw)  # noqa: E731
            assert_same(jf(x), nf(x), rtol=2e-4, atol=2e-4)
            if x.dtype != np.int32:
                assert_same(jax.grad(_loss(jf))(x), nablax.grad(_loss(nf))(x), path="grad", rtol=2e-3, atol=2e-3)


def test_freqs_shifts():
    for n, d in [(5, 1.0), (8, 0.1)]:
        assert_same(jjnp.fft.fftfreq(n, d), njnp.fft.fftfreq(n, d))
        assert_same(jjnp.fft.rfftfreq(n, d), njnp.fft.rfftfreq(n, d))
    assert_same(jjnp.fft.fftfreq(6, dtype=np.int32), njnp.fft.fftfreq(6, dtype=np.int32))
    for axes in [None, 0, (1,)]:
        assert_same(jjnp.fft.fftshift(XR, axes), njnp.fft.fftshift(XR, axes))
        assert_same(jjnp.fft.ifftshift(XR, axes), njnp.fft.ifftshift(XR, axes))


def test_x64(x64):
    x = XR.astype(np.float64)
    assert_same(jjnp.fft.rfft(x), njnp.fft.rfft(x), rtol=1e-10, atol=1e-10)
    assert_same(jjnp.fft.fft(XI), njnp.fft.fft(XI), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["dct", "idct", "dctn", "idctn"])
@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dct(name, norm):
    kws = [{}, {"n": 4}, {"axis": 0}] if name in ("dct", "idct") else [{}, {"s": (3, 8)}, {"axes": (0,)}]
    for x in [XR, XC, XI]:
        for kw in kws:
            jf = lambda a: getattr(jsf, name)(a, norm=norm, **kw)  # noqa: E731
            nf = lambda a: getattr(nsf, name)(a, norm=norm, **kw)  # noqa: E731
            assert_same(jf(x), nf(x), rtol=2e-4, atol=2e-4)
            if x.dtype == np.float32:
                assert_same(jax.grad(_loss(jf))(x), nablax.grad(_loss(nf))(x), path="grad", rtol=2e-3, atol=2e-3)
