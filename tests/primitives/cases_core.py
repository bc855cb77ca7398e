"""Cases for the primitives written with the core (a few of each family)."""
import numpy as np

from nablax import lax
from nablax._src.primitives import misc, reductions

from .case import Case, randn

CASES = [
    Case(misc.convert_element_type_p, (randn(4),), {"new_dtype": np.dtype("float32"), "weak_type": False},
         reference=lambda x, **p: x.astype(np.float32), tol=1e-3),
    Case(misc.stop_gradient_p, (randn(4),), reference=lambda x: x, order=0),
    Case(reductions.reduce_sum_p, (randn(2, 3),), {"axes": (1,)}, reference=lambda x, axes: x.sum(axis=axes)),
]

# Misuse: eager and jit raise the same class (test_rules.py), through the public lax functions.
BAD_CASES = [
    Case(misc.convert_element_type_p, (randn(3),), {"new_dtype": np.dtype("U3")}, bind=lax.convert_element_type,
         name="string"),
    Case(misc.convert_element_type_p, (randn(3),), {"new_dtype": "not a dtype"}, bind=lax.convert_element_type,
         name="unknown"),
    Case(reductions.reduce_sum_p, (randn(3),), {"axes": (1,)}, bind=lax.reduce_sum, name="range"),
]
