"""Cases for jit_call, the primitive a jitted function binds under transformations."""
import numpy as np

import nablax
import nablax.numpy as jnp
from nablax._src.jit.call import jit_call_p

from .case import Case, randn

_jitted = nablax.jit(lambda x, y: jnp.sin(x) * y + jnp.exp(y))

CASES = [
    Case(jit_call_p, (randn(4), randn(4, seed=1)), bind=_jitted,
         reference=lambda x, y: np.sin(x) * y + np.exp(y)),
]

# Misuse: eager and jit raise the same class (test_rules.py).
BAD_CASES = [
    Case(jit_call_p, (randn(4), randn(3, seed=1)), bind=_jitted, name="shapes"),
    Case(jit_call_p, (randn(4),), bind=nablax.jit(lambda x: x.reshape(3)), name="reshape"),
]
