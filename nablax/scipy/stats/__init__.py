"""nablax.scipy.stats: probability distributions (only `norm` so far)."""
from nablax.scipy.stats import norm  # noqa: F401
