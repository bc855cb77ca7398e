"""nablax.scipy.special: special functions (logsumexp, erf, gammaln, xlogy, ...), as jax.scipy.special."""
from nablax._src.scipy_special import *  # noqa: F403
from nablax._src.scipy_special import __all__  # noqa: F401
