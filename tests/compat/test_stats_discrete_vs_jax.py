"""nablax.scipy.stats' discrete and multivariate distributions against JAX 0.10: values at
and off the support edges, dtypes, weak types, shapes, gradients, and the errors raised."""
from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.scipy.stats as jst  # noqa: E402

import nablax  # noqa: E402
import nablax.scipy.stats as nst  # noqa: E402
from tests.compat.same_as_jax import assert_same  # noqa: E402

K = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 7.0], np.float32)
KI = np.array([-1, 0, 1, 2, 3, 7], np.int32)
P = np.array([0.0, 0.25, 0.5, 1.0, 1.5, -0.1, np.nan], np.float32)[:, None]

# (module, function, argument tuples): each argument tuple runs in both libraries.
CASES = [
    ("bernoulli", "logpmf", [(K, P), (KI, 0.3), (1, 0.3), (0.0, 0.2, 1.0), (K, P, 1)]),
    ("bernoulli", "pmf", [(K, P), (KI, 0.3), (1, 0.3), (K, P, -1.0)]),
    ("bernoulli", "cdf", [(K, P), (KI, 0.3), (0.5, 0.3), (np.nan, 0.3)]),
    ("bernoulli", "ppf", [(np.array([-0.1, 0, 0.3, 0.7, 1, 1.1, np.nan], np.float32), P), (0.5, 0.3)]),
    ("betabinom", "logpmf", [(K, 6.0, 2.5, 1.5), (KI, 6, 2, 3), (2, 5, 0.5, 0.7),
                             (K, np.array([-1, 0, 3, 10], np.float32)[:, None], 2.0, 3.0),
                             (K, 5.0, np.array([-1, 0, 0.5, 4], np.float32)[:, None], 1.0), (K, 5.0, 2.0, 0.0),
                             (K, 5.0, 2.0, 3.0, 1.0)]),
    ("betabinom", "pmf", [(K, 6.0, 2.5, 1.5), (KI, 6, 2, 3), (0, 0, 1.0, 1.0)]),
    ("binom", "logpmf", [(K, 6.0, P), (KI, 6, 0.4), (2, 5, 0.3), (0.0, 0.0, 0.3), (K, 6.0, 0.4, 1.0),
                         (K, np.array([0, 1, 3, 10], np.float32)[:, None], 0.3)]),
    ("binom", "pmf", [(K, 6.0, P), (KI, 6, 0.4), (3, 3, 1.0)]),
    ("geom", "logpmf", [(K, P), (KI, 0.3), (1, 0.3), (K, 0.3, 1.0)]),
    ("geom", "pmf", [(K, P), (KI, 0.3), (2, 0.5)]),
    ("nbinom", "logpmf", [(K, 3.0, P), (KI, 2, 0.4), (2, 5, 0.3), (K, 2.5, 0.4, 1.0)]),
    ("nbinom", "pmf", [(K, 3.0, P), (KI, 2, 0.4)]),
    ("poisson", "logpmf", [(K, 2.5), (KI, 3), (2, 1.5), (K, np.array([0.0, 1.0, 30.0], np.float32)[:, None]),
                           (K, 2.0, 1.0)]),
    ("poisson", "pmf", [(K, 2.5), (KI, 3), (2, 1.5), (K, 2.0, -1)]),
    ("poisson", "cdf", [(K, 2.5), (KI, 3), (2, 1.5), (K, 2.0, 1.0), (K, 0.0)]),
    ("poisson", "entropy", [(np.array([0.0, 0.5, 3.0, 9.9, 10.0, 45.0, 99.0, 100.0, 1e4], np.float32),),
                            (2.0,), (3,), (np.array([1.0, 50.0], np.float32), np.zeros((3, 1), np.float32))]),
]


def _run(lib, module, name, args):
    """fn(*args); JAX's under jit (one compile per case instead of one per operation keeps
    the file faster; jit keeps weak types, and the 0-d-ness its constants depend on)."""
    fn = getattr(getattr(lib, module), name)
    if lib is jst:
        return jax.jit(fn)(*args)
    return fn(*[nablax.numpy.asarray(a) if isinstance(a, np.ndarray) else a for a in args])


def _cases(step=1):
    for module, name, arglists in CASES:
        for i, args in list(enumerate(arglists))[::step]:
            yield pytest.param(module, name, args, id=f"{module}.{name}-{i}")


@pytest.mark.parametrize("module,name,args", list(_cases()))
def test_values_dtypes_weak_types(module, name, args):
    assert_same(_run(jst, module, name, args), _run(nst, module, name, args), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("module,name,args", list(_cases(step=3)))
def test_values_float64(module, name, args, x64):
    wide = {np.dtype(np.float32): np.float64, np.dtype(np.int32): np.int64}
    args64 = tuple(a.astype(wide[a.dtype]) if isinstance(a, np.ndarray) else a for a in args)
    # JAX's betaln is Stirling-based when an argument is >= 8 and carries ~3e-7 relative
    # error in float64 there (betaln(8.5, 1.5)); nablax's is as accurate as SciPy's.
    rtol = 3e-6 if module == "betabinom" else 1e-11
    assert_same(_run(jst, module, name, args64), _run(nst, module, name, args64), rtol=rtol, atol=1e-13)


def test_eager_and_jitted_like_jax():
    for module, name, arglists in CASES[::4]:
        args = arglists[0]
        fn, ours = getattr(getattr(jst, module), name), getattr(getattr(nst, module), name)
        assert_same(fn(*args), ours(*args), path=f"eager {module}.{name}")
        assert_same(fn(*args), nablax.jit(ours)(*args), path=f"jit {module}.{name}")


# Gradients in every continuous argument, at interior points of the support.
GRAD_CASES = [
    ("bernoulli", "logpmf", (1.0, 0.3), (1,)),
    ("bernoulli", "logpmf", (0.0, 0.3), (1,)),
    ("betabinom", "logpmf", (2.0, 6.0, 2.5, 1.5), (1, 2, 3)),
    ("binom", "logpmf", (2.0, 6.0, 0.35), (0, 1, 2)),
    ("binom", "pmf", (2.0, 6.0, 0.35), (0, 1, 2)),
    ("geom", "logpmf", (3.0, 0.3), (0, 1)),
    ("nbinom", "logpmf", (3.0, 2.5, 0.4), (0, 1, 2)),
    ("nbinom", "pmf", (3.0, 2.5, 0.4), (0, 1, 2)),
    ("poisson", "logpmf", (3.0, 2.5), (0, 1)),
    ("poisson", "pmf", (3.0, 2.5), (1,)),
    ("poisson", "cdf", (3.0, 2.5), (0, 1)),
    ("poisson", "entropy", (3.0,), (0,)),
    ("poisson", "entropy", (40.0,), (0,)),
    ("poisson", "entropy", (400.0,), (0,)),
]


@pytest.mark.parametrize("module,name,args,argnums", GRAD_CASES, ids=[f"{m}.{n}-{i}" for i, (m, n, _, _) in
                                                                      enumerate(GRAD_CASES)])
def test_gradients(module, name, args, argnums):
    want = jax.jit(jax.grad(getattr(getattr(jst, module), name), argnums))(*args)
    got = nablax.grad(getattr(getattr(nst, module), name), argnums)(*args)
    assert_same(want, got, rtol=2e-4, atol=1e-6)


# ----------------------------------------------------------------------- multinomial

def test_multinomial():
    x = np.array([[1, 2, 3], [0, 0, 6], [2, 2, 2]], np.int32)
    p = np.array([0.2, 0.3, 0.5], np.float32)
    for fname in ("logpmf", "pmf"):
        for args in [(x[0], 6, p), (x, 18, p), (x[0], 5, p), (np.array([0, 0, 0], np.int32), 0, p)]:
            assert_same(getattr(jst.multinomial, fname)(*args), getattr(nst.multinomial, fname)(*args))
    want = jax.grad(lambda p: jst.multinomial.logpmf(x[0], 6, p))(p)
    got = nablax.grad(lambda p: nst.multinomial.logpmf(x[0], 6, p))(p)
    assert_same(want, got)


def test_multinomial_rejects_float_counts():
    for lib in (jst, nst):
        with pytest.raises(ValueError):
            lib.multinomial.logpmf(np.array([1.0, 2.0]), 3, np.array([0.5, 0.5]))


# -------------------------------------------------------------------------- dirichlet

ALPHA = np.array([1.5, 0.7, 3.0], np.float32)
XS = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.5, 0.6, -0.1], [0.3, 0.3, 0.3]], np.float32)


@pytest.mark.parametrize("x", [XS[0], XS[0, :2], XS.T, XS.T[:2], XS[1]], ids=["point", "short", "batch",
                                                                             "batch-short", "other"])
def test_dirichlet(x):
    for fname in ("logpdf", "pdf"):
        assert_same(getattr(jst.dirichlet, fname)(x, ALPHA), getattr(nst.dirichlet, fname)(x, ALPHA))


def test_dirichlet_off_simplex_and_ints():
    for x in (XS[2], XS[3]):
        assert_same(jst.dirichlet.logpdf(x, ALPHA), nst.dirichlet.logpdf(x, ALPHA))
    a = np.array([1, 2, 3], np.int32)
    assert_same(jst.dirichlet.logpdf(XS[0], a), nst.dirichlet.logpdf(XS[0], a))


def test_dirichlet_gradients():
    for argnums in (0, 1):
        want = jax.grad(jst.dirichlet.logpdf, argnums)(XS[0], ALPHA)
        got = nablax.grad(nst.dirichlet.logpdf, argnums)(XS[0], ALPHA)
        assert_same(want, got, rtol=1e-4)


@pytest.mark.parametrize("x,alpha", [(XS[0], ALPHA[:, None]), (XS[0, :1], ALPHA)])
def test_dirichlet_shape_errors(x, alpha):
    for lib in (jst, nst):
        with pytest.raises(ValueError):
            lib.dirichlet.logpdf(x, alpha)


# ---------------------------------------------------------------- multivariate_normal

_R = np.random.RandomState(0)
MEAN = np.array([0.3, -0.2, 1.0], np.float32)
_A = _R.randn(3, 3).astype(np.float32)
COV = (_A @ _A.T + np.eye(3, dtype=np.float32)).astype(np.float32)
XM = _R.randn(4, 3).astype(np.float32)


@pytest.mark.parametrize("args", [
    (XM, MEAN, COV), (XM[0], MEAN, COV), (XM, MEAN, 2.0), (XM[:, 0], 0.5, 2.0), (1.0, 0.0, 1.0),
    (XM, np.zeros((2, 1, 3), np.float32), COV), (XM, MEAN, np.stack([COV, 2 * COV])[:, None]),
    (np.array([1, 2, 3], np.int32), MEAN, COV),
], ids=["batch", "point", "isotropic", "univariate", "scalars", "batched-mean", "batched-cov", "int-x"])
def test_multivariate_normal(args):
    for fname in ("logpdf", "pdf"):
        assert_same(getattr(jst.multivariate_normal, fname)(*args),
                    getattr(nst.multivariate_normal, fname)(*args), rtol=1e-5, atol=1e-6)


def test_multivariate_normal_gradients():
    for argnums in (0, 1, 2):
        want = jax.grad(lambda *a: jst.multivariate_normal.logpdf(*a).sum(), argnums)(XM, MEAN, COV)
        got = nablax.grad(lambda *a: nst.multivariate_normal.logpdf(*a).sum(), argnums)(XM, MEAN, COV)
        assert_same(want, got, rtol=1e-4, atol=1e-5)


def test_multivariate_normal_errors():
    for lib in (jst, nst):
        with pytest.raises(ValueError):
            lib.multivariate_normal.logpdf(XM, MEAN, COV[:2, :2])
        with pytest.raises(NotImplementedError):
            lib.multivariate_normal.logpdf(XM, MEAN, COV, allow_singular=True)
