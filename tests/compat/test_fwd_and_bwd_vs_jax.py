"""jax.fwd_and_bwd against JAX: outputs, aux and cotangents (structure, dtype, values)."""
import numpy as np
import pytest

from tests.compat.same_as_jax import assert_same

jax = pytest.importorskip("jax")
import nablax  # noqa: E402

X = np.arange(6.0, dtype=np.float32).reshape(2, 3) / 5
W = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)


@pytest.mark.parametrize("argnums", [0, (1,), (0, 1)])
@pytest.mark.parametrize("has_aux", [False, True])
def test_fwd_and_bwd(argnums, has_aux):
    def f(lib):
        def fun(x, w):
            y = lib.numpy.sin(x @ w)
            return (y, {"s": lib.numpy.sum(x)}) if has_aux else y
        return fun

    jf, jb = jax.fwd_and_bwd(f(jax), argnums, has_aux=has_aux)
    nf, nb = nablax.fwd_and_bwd(f(nablax), argnums, has_aux=has_aux)
    jout, nout = jf(X, W), nf(X, W)
    assert len(jout) == len(nout)
    assert_same(jout[0], nout[0])
    if has_aux:
        assert_same(jout[2], nout[2])
    ct = np.ones((2, 4), np.float32)
    assert_same(jb(jout[1], ct), nb(nout[1], ct))
