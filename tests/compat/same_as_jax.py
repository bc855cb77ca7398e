"""The leaf-by-leaf comparison of a nablax output with JAX's, shared by the compat suites.

Outputs agree in pytree structure (`str(treedef)`), leaf kind (array / Python scalar /
None / float0), dtype, shape, weak type and values (float32 tolerances by default).
"""
import warnings

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402


def _kind(x) -> str:
    if x is None:
        return "none"
    if isinstance(x, (bool, int, float, complex)):
        return type(x).__name__
    if getattr(x, "dtype", None) == jax.dtypes.float0:
        # JAX hands float0 values back as NumPy arrays, nablax as its own arrays: only
        # the dtype and shape are compared.
        return "float0"
    if isinstance(x, (jax.Array, nablax.Array)):
        return "array"
    if isinstance(x, (np.ndarray, np.generic)):
        return "numpy"
    return type(x).__name__


def assert_same(j_out, n_out, rtol=2e-5, atol=2e-6, path="out"):
    """Fail, naming the leaf under `path`, where nablax's `n_out` differs from JAX's `j_out`."""
    j_leaves, j_tree = jax.tree_util.tree_flatten(j_out)
    n_leaves, n_tree = nablax.tree_util.tree_flatten(n_out)
    assert str(n_tree) == str(j_tree), f"{path}: structure {n_tree} != JAX {j_tree}"
    for i, (jl, nl) in enumerate(zip(j_leaves, n_leaves)):
        where = f"{path} leaf {i}"
        assert _kind(nl) == _kind(jl), f"{where}: kind {_kind(nl)} != JAX {_kind(jl)}"
        ja, na = np.asarray(jl), np.asarray(nl)
        assert na.dtype == ja.dtype, f"{where}: dtype {na.dtype} != JAX {ja.dtype}"
        assert na.shape == ja.shape, f"{where}: shape {na.shape} != JAX {ja.shape}"
        if hasattr(jl, "weak_type") and ja.dtype != jax.dtypes.float0:
            assert nl.weak_type == jl.weak_type, f"{where}: weak_type {nl.weak_type} != JAX {jl.weak_type}"
        if ja.dtype == jax.dtypes.float0:
            continue
        if ja.dtype.kind in "fc":
            np.testing.assert_allclose(na, ja, rtol=rtol, atol=atol, err_msg=where)
        else:
            np.testing.assert_array_equal(na, ja, err_msg=where)


def grads_agree(jf, nf, *args, loss, rtol=2e-4, atol=2e-5):
    """Gradients of `loss(lib, f(*args))` (a scalar; `lib` is jax.numpy or nablax.numpy) with
    respect to every argument, JAX's against nablax's."""
    argnums = tuple(range(len(args)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jg = jax.grad(lambda *a: loss(jjnp, jf(*a)), argnums=argnums)(*args)
        ng = nablax.grad(lambda *a: loss(njnp, nf(*a)), argnums=argnums)(*args)
    assert_same(jg, ng, rtol=rtol, atol=atol, path="grad")
