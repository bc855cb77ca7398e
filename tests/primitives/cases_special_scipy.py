"""Cases for the SciPy-kernel special-function primitives (special_scipy.py)."""
import numpy as np
import scipy.special as sps

from nablax._src.primitives import special_scipy as ss

from .case import Case

X = np.array([0.3, 1.2, 2.5, 4.0, 7.5])
SIGNED = np.array([-3.0, -0.7, 0.4, 1.5, 6.0])
NZ = np.array([-3.0, -0.7, 0.4, 1.5, 6.0])   # no zero: expi, sici's Ci
Z = np.array([0.5 + 0.2j, -1.0 + 1.5j, 2.0 - 0.3j])


def _hyp_grad(fn, args, wrt, h=1e-6):
    """Central difference of a SciPy hypergeometric function in parameter `wrt`."""
    up = [np.array(a, float) for a in args]
    down = [np.array(a, float) for a in args]
    up[wrt] = up[wrt] + h
    down[wrt] = down[wrt] - h
    return (fn(*up) - fn(*down)) / (2 * h)


A1, B1, X1 = np.array([0.5, 1.5, -0.4, 2.0]), np.array([1.5, 2.5, 1.2, 0.7]), np.array([0.3, -1.2, 2.0, 0.8])
C2, X2 = np.array([2.5, 3.5, 1.7, 4.0]), np.array([0.3, -0.6, 0.5, 0.1])
N_DEG, M_ORD = np.array([0, 1, 2, 3, 3], np.int32), np.array([0, -1, 1, -2, 3], np.int32)
THETA, PHI = np.array([0.3, 0.9, 1.7, 2.4, 0.5]), np.array([0.2, 1.1, -0.6, 3.0, 2.2])

CASES = [
    Case(ss.expi_p, (NZ,), reference=sps.expi),
    Case(ss.expn_p, (np.array([1.0, 2.0, 3.0, 4.0, 6.0]), X), reference=sps.expn, diff_argnums=(1,), order=1),
    Case(ss.sici_p, (NZ,), reference=lambda x: sps.sici(x)),
    Case(ss.fresnel_p, (SIGNED,), reference=lambda x: sps.fresnel(x)),
    Case(ss.spence_p, (X,), reference=sps.spence),
    Case(ss.dawsn_p, (SIGNED,), reference=sps.dawsn),
    Case(ss.erfcx_p, (SIGNED,), reference=sps.erfcx),
    Case(ss.wofz_p, (Z,), reference=sps.wofz),
    Case(ss.owens_t_p, (SIGNED, np.array([0.3, -2.0, 1.0, 0.6, 3.0])), reference=sps.owens_t),
    Case(ss.poch_p, (X, np.array([0.0, 1.5, -0.5, 2.0, 1.0])), reference=sps.poch),
    Case(ss.bessel_jv_p, (np.array([0.0, 1.0, 2.0, 3.0, 4.0]), SIGNED), reference=sps.jv, diff_argnums=(1,)),
    Case(ss.hyp1f1_p, (A1, B1, X1), reference=sps.hyp1f1, diff_argnums=(2,)),
    Case(ss.hyp1f1_p, (A1, B1, X1), reference=sps.hyp1f1, order=1, tol=1e-6, name="params"),
    Case(ss.hyp1f1_grad_p, (A1, B1, X1), {"wrt": 0}, reference=lambda a, b, x, wrt: _hyp_grad(sps.hyp1f1, (a, b, x), wrt),
         order=0, tol=1e-6),
    Case(ss.hyp2f1_p, (A1, B1, C2, X2), reference=sps.hyp2f1, diff_argnums=(3,)),
    Case(ss.hyp2f1_p, (A1, B1, C2, X2), reference=sps.hyp2f1, order=1, tol=1e-6, name="params"),
    Case(ss.hyp2f1_grad_p, (A1, B1, C2, X2), {"wrt": 2},
         reference=lambda a, b, c, x, wrt: _hyp_grad(sps.hyp2f1, (a, b, c, x), wrt), order=0, tol=1e-6),
    Case(ss.sph_harm_y_p, (N_DEG, M_ORD, THETA, PHI), reference=sps.sph_harm_y),
    Case(ss.loggamma_complex_p, (Z,), reference=sps.loggamma, order=1),
    Case(ss.complex_digamma_p, (Z,), reference=sps.psi, order=0),
]

_F = np.array([1.0, 2.0])
BAD_CASES = [
    Case(ss.expi_p, (np.array([1, 2], np.int32),), name="int"),
    Case(ss.hyp1f1_p, (_F, _F, _F.astype(np.float32)), name="dtypes"),
    Case(ss.sph_harm_y_p, (_F, _F, _F, _F), name="float-degree"),
    Case(ss.wofz_p, (_F,), name="real"),
]
