"""nablax.scipy.cluster.vq: vq, as jax.scipy.cluster.vq.

Each observation gets the index of its nearest code (Euclidean distance, first index on
ties, as argmin) and that distance; the distance is differentiable in both arrays.
"""
from __future__ import annotations

from typing import Any

from . import numpy as jnp
from .numpy import linalg_module as jnp_linalg
from .numpy.promotion import check_arraylike, promote_args_inexact

__all__ = ["vq"]


def vq(obs: Any, code_book: Any, check_finite: bool = True) -> tuple:
    """(code, dist): for each row of `obs` (M, N), the index of the nearest row of
    `code_book` (K, N) and the distance to it. 1-D inputs are N = 1. `check_finite` is
    accepted for SciPy's signature and, as in JAX, not used."""
    del check_finite
    check_arraylike("scipy.cluster.vq.vq", obs, code_book)
    obs, code_book = promote_args_inexact("scipy.cluster.vq.vq", obs, code_book)
    if obs.ndim != code_book.ndim:
        raise ValueError("Observation and code_book should have the same rank")
    if obs.ndim == 1:
        obs, code_book = obs[:, None], code_book[:, None]
    if obs.ndim != 2:
        raise ValueError("ndim different than 1 or 2 are not supported")
    dist = jnp_linalg.norm(obs[:, None, :] - code_book[None, :, :], axis=-1)
    code = jnp.argmin(dist, axis=-1)
    return code, jnp.take_along_axis(dist, code[:, None], axis=-1)[:, 0]
