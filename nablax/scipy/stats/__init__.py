"""nablax.scipy.stats: probability distributions and statistics, as jax.scipy.stats."""
from nablax._src import stats_misc as _misc
from nablax._src.stats_misc import *  # noqa: F403
from nablax.scipy.stats import (  # noqa: F401
    bernoulli,
    beta,
    betabinom,
    binom,
    cauchy,
    chi2,
    dirichlet,
    expon,
    gamma,
    gennorm,
    geom,
    gumbel_l,
    gumbel_r,
    laplace,
    logistic,
    multinomial,
    multivariate_normal,
    nbinom,
    norm,
    pareto,
    poisson,
    t,
    truncnorm,
    uniform,
    vonmises,
    wrapcauchy,
)

__all__ = list(_misc.__all__)
