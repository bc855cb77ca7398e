"""Cases for the incomplete gamma/beta and zeta primitives (special_more.py)."""
import numpy as np
import scipy.special as sps

from nablax import lax
from nablax._src.primitives import special_more as sm

from .case import Case

A = np.array([0.5, 1.0, 2.5, 10.0, 3.0, 0.2])
X = np.array([0.3, 2.0, 1.0, 12.0, 7.0, 4.0])  # both the series (x <= a or x < 1) and the fraction


def _d_da(a, x, h=1e-5):
    """Central difference of SciPy's gammainc in a (float64; the rule tests' reference)."""
    return (sps.gammainc(a + h, x) - sps.gammainc(a - h, x)) / (2 * h)


def _density(a, x):
    return np.exp((a - 1) * np.log(x) - x - sps.gammaln(a))


CASES = [
    Case(sm.igamma_p, (A, X), reference=sps.gammainc, order=1),
    Case(sm.igamma_p, (A, X), reference=sps.gammainc, diff_argnums=(1,), name="dx"),
    Case(sm.igammac_p, (A, X), reference=sps.gammaincc, order=1),
    Case(sm.igammac_p, (A, X), reference=sps.gammaincc, diff_argnums=(1,), name="dx"),
    Case(sm.igamma_grad_a_p, (A, X), reference=_d_da, order=0, tol=1e-8),
    Case(sm.random_gamma_grad_p, (A, X), reference=lambda a, x: -_d_da(a, x) / _density(a, x), order=0, tol=1e-7),
    Case(sm.regularized_incomplete_beta_p, (A, A[::-1] + 0.5, np.array([0.1, 0.3, 0.5, 0.7, 0.9, 0.45])),
         reference=sps.betainc, diff_argnums=(2,)),
    Case(sm.zeta_p, (np.array([2.0, 3.5, 1.5, 6.0]), np.array([1.0, 0.5, 2.0, 3.0])), reference=sps.zeta, order=0),
]

_F = np.array([1.0, 2.0])
BAD_CASES = [
    Case(sm.igamma_p, (np.array([1, 2], np.int32), np.array([1, 2], np.int32)), bind=lax.igamma, name="int"),
    Case(sm.igammac_p, (_F, _F.astype(np.float32)), bind=lax.igammac, name="dtypes"),
    Case(sm.zeta_p, (_F, np.ones((2, 2))), bind=lax.zeta, name="ranks"),
    Case(sm.regularized_incomplete_beta_p, (_F, _F, np.array([1, 0], np.int32)), bind=lax.betainc, name="int"),
]
