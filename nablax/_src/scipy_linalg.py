"""nablax.scipy.linalg: SciPy's dense linear algebra on nablax arrays, as jax.scipy.linalg.

The names live in modules by job: special matrices (scipy_linalg_special), factorizations
and solves (scipy_linalg_solve), matrix functions (scipy_linalg_matfun).
"""
from __future__ import annotations

from . import scipy_linalg_matfun, scipy_linalg_solve, scipy_linalg_special
from .scipy_linalg_matfun import *  # noqa: F403
from .scipy_linalg_solve import *  # noqa: F403
from .scipy_linalg_special import *  # noqa: F403

__all__ = sorted(scipy_linalg_special.__all__ + scipy_linalg_solve.__all__ + scipy_linalg_matfun.__all__)
