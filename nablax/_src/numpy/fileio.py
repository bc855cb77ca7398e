"""jnp's input/output and printing: save/load, from* constructors, array_repr/array_str, print options.

Files use NumPy's formats (.npy/.npz): saving goes through NumPy (Arrays convert without a
copy), loading returns Arrays. Arrays print with NumPy's print options, so jnp's print-option
functions are NumPy's, as in JAX.
"""
from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from .. import dtypes
from .creation import asarray

# NumPy's own functions, as JAX exports them: they read Arrays through __array__.
save = np.save
savez = np.savez
array_repr = np.array_repr
array_str = np.array_str
iterable = np.iterable
ComplexWarning = np.exceptions.ComplexWarning


def load(file, *args: Any, **kwargs: Any):
    """jnp.load: np.load, with an array result returned as an Array. bfloat16 arrays, which
    np.save writes as 2-byte void data, come back as bfloat16; .npz archives stay NumPy's."""
    out = np.load(file, *args, **kwargs)
    if isinstance(out, np.ndarray):
        if out.dtype == np.dtype("V2"):
            out = out.view(dtypes.bfloat16)
        try:
            out = asarray(out)
        except TypeError:  # (a dtype Arrays cannot hold, e.g. object or strings: left as NumPy's)
            pass
    return out


def frombuffer(buffer, dtype=float, count: int = -1, offset: int = 0):
    """jnp.frombuffer: the bytes of `buffer` read as `dtype` (default float: float32 unless x64)."""
    return asarray(np.frombuffer(buffer=buffer, dtype=dtype, count=count, offset=offset))


def fromstring(string: str, dtype=float, count: int = -1, *, sep: str):
    """jnp.fromstring: numbers parsed from text separated by `sep`."""
    return asarray(np.fromstring(string, dtype=dtype, count=count, sep=sep))


def _impure(name: str, what: str) -> NotImplementedError:
    return NotImplementedError(
        f"jnp.{name}() is not implemented because it may be non-pure and thus unsafe for use with jit and other "
        f"transformations (it consumes the {what}). Use jnp.asarray(np.{name}(...)) outside transformed code instead.")


def fromfile(*args, **kwargs):
    """jnp.fromfile: not provided, as in JAX (reading a file is a side effect); use np.fromfile."""
    raise _impure("fromfile", "file object")


def fromiter(*args, **kwargs):
    """jnp.fromiter: not provided, as in JAX (iterating consumes the iterable); use np.fromiter."""
    raise _impure("fromiter", "iterable object")


def printoptions(*args, **kwargs) -> contextlib.AbstractContextManager:
    """jnp.printoptions: a context manager setting NumPy's print options, which Arrays print with."""
    return np.printoptions(*args, **kwargs)


def get_printoptions() -> dict:
    """jnp.get_printoptions: NumPy's current print options."""
    return np.get_printoptions()


def set_printoptions(*args, **kwargs) -> None:
    """jnp.set_printoptions: set NumPy's print options (Arrays print with them)."""
    np.set_printoptions(*args, **kwargs)


__all__ = ["save", "savez", "load", "frombuffer", "fromfile", "fromiter", "fromstring", "iterable",
           "ComplexWarning", "array_repr", "array_str", "printoptions", "get_printoptions", "set_printoptions"]

METHODS: dict = {}  # (Array methods this area provides)
