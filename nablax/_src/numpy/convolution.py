"""jnp.convolve and jnp.correlate of 1-D arrays, as one lax.conv_general_dilated each.

Written on the convolution primitive (as JAX's are), so they differentiate, batch and
compile through its rules; NumPy's argument order and output sizes are kept: the longer
operand slides under the shorter, and correlate conjugates its second operand.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..primitives import conv as lax_conv
from ..primitives import elementwise as ew
from .promotion import check_arraylike, promote_args, promote_args_inexact

__all__ = ["convolve", "correlate"]
METHODS: dict = {}

_MODES = ("full", "same", "valid")


def _conv1d(fname: str, a, v, mode: str, precision, preferred_element_type):
    """The 1-D convolution (fname='convolve') or correlation of a and v in `mode`."""
    check_arraylike(fname, a, v)
    if np.ndim(a) != 1 or np.ndim(v) != 1:
        raise ValueError(f"jnp.{fname} only supports 1-dimensional inputs, got shapes "
                         f"{np.shape(a)} and {np.shape(v)}")
    if preferred_element_type is None:
        # NumPy's convolve of integers is a float result: promote to inexact first.
        x, y = promote_args_inexact(fname, a, v)
    else:
        x, y = promote_args(fname, a, v)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise ValueError(f"jnp.{fname}: inputs cannot be empty, got shapes {x.shape} and {y.shape}")
    if mode not in _MODES:
        raise ValueError(f"jnp.{fname}: mode must be one of {list(_MODES)}, got {mode!r}")
    reverse = False
    if fname == "correlate":
        if dtypes.is_complex(y.dtype):
            y = ew.conj(y)
        if x.shape[0] < y.shape[0]:
            # corr(a, v)[k] = conj-free corr(v, a) read backwards.
            x, y, reverse = y, x, True
    else:
        if x.shape[0] < y.shape[0]:
            x, y = y, x
        y = y[::-1]
    k = y.shape[0]
    pad = {"valid": (0, 0), "same": (k // 2, k - k // 2 - 1), "full": (k - 1, k - 1)}[mode]
    out = lax_conv.conv_general_dilated(x[None, None, :], y[None, None, :], (1,), [pad],
                                        precision=precision, preferred_element_type=preferred_element_type)
    out = out[0, 0]
    return out[::-1] if reverse else out


def convolve(a: Any, v: Any, mode: str = "full", *, precision=None, preferred_element_type=None):
    """jnp.convolve: c[k] = sum_j a[k - j] v[j], output 'full' (default), 'same' (len(a)) or 'valid'."""
    return _conv1d("convolve", a, v, mode, precision, preferred_element_type)


def correlate(a: Any, v: Any, mode: str = "valid", *, precision=None, preferred_element_type=None):
    """jnp.correlate: c[k] = sum_j a[k + j] conj(v[j]), output 'valid' (default), 'same' or 'full'."""
    return _conv1d("correlate", a, v, mode, precision, preferred_element_type)
