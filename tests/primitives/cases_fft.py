"""Cases for the fft primitive (primitives/fft.py): the four transform types over 1, 2 and 3
trailing axes, in float64/complex128, odd and even last lengths (the RFFT/IRFFT transposes weight
the Nyquist bin only for even lengths). References are numpy.fft (a different kernel's call)."""
import numpy as np

from nablax import lax
from nablax._src.primitives import fft as fft_mod

from .case import Case, randn

FFT, IFFT, RFFT, IRFFT = (lax.FftType.FFT, lax.FftType.IFFT, lax.FftType.RFFT, lax.FftType.IRFFT)


def _crandn(*shape, seed: int = 0):
    return randn(*shape, seed=seed) + 1j * randn(*shape, seed=seed + 1)


def _ref(x, *, fft_type, fft_lengths):
    axes = tuple(range(-len(fft_lengths), 0))
    if fft_type == FFT:
        return np.fft.fftn(x, axes=axes)
    if fft_type == IFFT:
        return np.fft.ifftn(x, axes=axes)
    if fft_type == RFFT:
        return np.fft.rfftn(x, axes=axes)
    return np.fft.irfftn(x, s=fft_lengths, axes=axes)


def _case(x, fft_type, lengths, name):
    return Case(fft_mod.fft_p, (x,), {"fft_type": fft_type, "fft_lengths": lengths}, reference=_ref,
                name=name)


def _half(lengths):
    return lengths[:-1] + (lengths[-1] // 2 + 1,)


CASES = []
for _lengths, _tag in [((6,), "1d-even"), ((5,), "1d-odd"), ((3, 4), "2d"), ((2, 3, 5), "3d")]:
    _batch = (2,) if len(_lengths) < 3 else ()
    CASES += [
        _case(_crandn(*_batch, *_lengths), FFT, _lengths, f"fft-{_tag}"),
        _case(_crandn(*_batch, *_lengths, seed=2), IFFT, _lengths, f"ifft-{_tag}"),
        _case(randn(*_batch, *_lengths, seed=3), RFFT, _lengths, f"rfft-{_tag}"),
        _case(_crandn(*_batch, *_half(_lengths), seed=4), IRFFT, _lengths, f"irfft-{_tag}"),
    ]
CASES.append(_case(_crandn(2, 4), FFT, (4,), "fft-batch-axis"))

BAD_CASES = [
    Case(fft_mod.fft_p, (_crandn(4),), {"fft_type": "rfft", "fft_lengths": (4,)}, bind=lax.fft,
         name="rfft-complex"),
    Case(fft_mod.fft_p, (_crandn(4),), {"fft_type": "fft", "fft_lengths": (5,)}, bind=lax.fft,
         name="wrong-length"),
    Case(fft_mod.fft_p, (_crandn(4),), {"fft_type": "fft", "fft_lengths": (4, 4)}, bind=lax.fft,
         name="too-many-lengths"),
    Case(fft_mod.fft_p, (_crandn(5),), {"fft_type": "irfft", "fft_lengths": (4,)}, bind=lax.fft,
         name="irfft-wrong-bins"),
    Case(fft_mod.fft_p, (_crandn(4),), {"fft_type": "hfft", "fft_lengths": (4,)}, bind=lax.fft,
         name="unknown-type"),
    Case(fft_mod.fft_p, (_crandn(2, 2, 2, 2),), {"fft_type": FFT, "fft_lengths": (2, 2, 2, 2)},
         bind=lax.fft, name="four-axes"),
    Case(fft_mod.fft_p, (np.ones(4, np.float16),), {"fft_type": RFFT, "fft_lengths": (4,)},
         bind=lambda x, **p: fft_mod.fft_p.bind(x, **p), name="rfft-float16"),
]
