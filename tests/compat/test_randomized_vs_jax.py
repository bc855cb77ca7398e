"""Random programs under random transformation stacks, run by nablax and by JAX.

The programs and stacks are those of tests/randomized (one description, built once over
each library's namespace). Outputs must agree in kind (array or Python scalar), dtype,
shape, weak type and value (float32 tolerances); eagerly and under an outer jit. When JAX
rejects a program, nablax must reject it too.
"""
import numpy as np
import pytest
from hypothesis import given

jax = pytest.importorskip("jax")

import nablax  # noqa: E402
from tests.randomized.cases import assert_close, assume_tame, cases, count  # noqa: E402
from tests.randomized.programs import NX, namespace  # noqa: E402

JX = namespace(jax)
RTOL = 1e-4  # of the larger magnitude: XLA's float32 transcendental functions are not NumPy's


def _kind(x):
    return "scalar" if isinstance(x, (float, int)) else "array"


def _compare(n_out, j_out, what):
    assert _kind(n_out) == _kind(j_out), f"{what}: nablax gave a {_kind(n_out)}, JAX a {_kind(j_out)}"
    assert isinstance(n_out, (float, int, nablax.Array)), f"{what}: nablax returned {type(n_out).__name__}"
    n_dtype, j_dtype = np.asarray(n_out).dtype, np.asarray(j_out).dtype
    assert n_dtype == j_dtype, f"{what}: dtype {n_dtype} != JAX {j_dtype}"
    assert_close(n_out, np.asarray(j_out), RTOL, what, types=False)
    if _kind(j_out) == "array":
        assert bool(n_out.weak_type) == bool(j_out.weak_type), f"{what}: weak_type {n_out.weak_type} != JAX {j_out.weak_type}"


@given(cases())
def test_random_programs_match_jax(case):
    xs = case.inputs()
    assume_tame(case, xs)
    count("vs_jax")
    fj, fn = case.function(JX), case.function(NX)
    try:
        j_out = fj(*xs)
    except Exception:  # whatever JAX rejects, nablax must reject
        with pytest.raises(Exception):  # noqa: B017
            fn(*xs)
        return
    _compare(fn(*xs), j_out, "eager")
    _compare(nablax.jit(fn)(*xs), jax.jit(fj)(*xs), "under jit")
