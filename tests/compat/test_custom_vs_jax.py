"""The programs of tests/test_issue9_custom.py under real JAX: JAX's numbers are the ones
written down there, nablax's outputs match JAX's leaf by leaf (dtype and weak type
included), and every error program raises the same builtin class in JAX."""
import types

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax import lax as jlax  # noqa: E402

import nablax  # noqa: E402

from ..issue9_custom_expected import EXPECTED  # noqa: E402
from ..test_issue9_custom import ERRORS, PROGRAMS, N, assert_matches, flat_outputs  # noqa: E402

J = types.SimpleNamespace(jax=jax, jnp=jjnp, lax=jlax)


def _weak_types(out) -> list:
    return [getattr(leaf, "weak_type", None) for leaf in nablax.tree_util.tree_leaves(out)]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_recorded_numbers_are_jax_numbers(name):
    assert_matches(flat_outputs(PROGRAMS[name](J)), EXPECTED[name], name)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_weak_types_match_jax(name):
    j_out, n_out = PROGRAMS[name](J), PROGRAMS[name](N)
    for i, (jw, nw) in enumerate(zip(_weak_types(j_out), _weak_types(n_out))):
        if jw is not None and nw is not None:  # JAX hands back some Python scalars and NumPy arrays
            assert jw == nw, f"{name} leaf {i}: weak_type {nw}, JAX {jw}"


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_jax_raises_the_same_class(name):
    fn, exc, _ = ERRORS[name]
    with pytest.raises(exc):
        fn(J)


def test_vjp_function_leaves_are_jax_residuals():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    j_leaves = jax.tree.leaves(jax.vjp(lambda x: x * x, jjnp.asarray(x))[1])
    n_leaves = nablax.tree.leaves(nablax.vjp(lambda x: x * x, nablax.numpy.asarray(x))[1])
    assert len(j_leaves) == len(n_leaves) == 1
    np.testing.assert_array_equal(np.asarray(n_leaves[0]), np.asarray(j_leaves[0]))
