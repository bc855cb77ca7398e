"""nablax.scipy.special: special functions (logsumexp, erf, gammaln, xlogy, hyp1f1, ...), as jax.scipy.special."""
from nablax._src import scipy_special as _core
from nablax._src import scipy_special_more as _more
from nablax._src.scipy_special import *  # noqa: F403
from nablax._src.scipy_special_more import *  # noqa: F403

__all__ = [*_core.__all__, *_more.__all__]
