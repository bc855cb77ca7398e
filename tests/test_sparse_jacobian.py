"""nablax.experimental.sparse_jacobian / sparse_hessian: detected patterns, colourings, values.

Every value is checked against the dense jacfwd / jacrev / hessian of the same program; every
detected pattern against the true nonzeros at random points (a superset always, equal where
the structure is known exactly).
"""
import itertools

import numpy as np
import pytest
import scipy.sparse as sps

import nablax as jax
import nablax.numpy as jnp
from nablax import lax
from nablax._src import colouring
from nablax.experimental import hessian_sparsity, jacobian_sparsity, sparse_hessian, sparse_jacobian

RNG = np.random.default_rng(0)


def _dense(jac, x):
    return np.asarray(jac).reshape(-1, np.size(x))


def _check(f, x, exact=True, rtol=1e-5, atol=1e-5, modes=("auto", "forward", "reverse")):
    """sparse_jacobian in every mode equals jacfwd; the pattern covers (or equals) the nonzeros."""
    want = _dense(jax.jacfwd(f)(x), x)
    if "reverse" in modes:
        np.testing.assert_allclose(_dense(jax.jacrev(f)(x), x), want, rtol=rtol, atol=atol)
    pattern = jacobian_sparsity(f)(x).toarray()
    assert pattern.shape == want.shape
    assert np.all(pattern | (want == 0)), "the detected pattern misses a nonzero"
    if exact:
        np.testing.assert_array_equal(pattern, want != 0)
    for mode in modes:
        got = sparse_jacobian(f, mode=mode)(x)
        assert sps.issparse(got) and got.shape == want.shape
        np.testing.assert_allclose(got.toarray(), want, rtol=rtol, atol=atol)
    dense = sparse_jacobian(f, dense=True)(x)
    assert isinstance(dense, jax.Array)
    np.testing.assert_allclose(np.asarray(dense), want, rtol=rtol, atol=atol)
    return pattern


def _pad_residual(u):
    h = 1.0 / (u.shape[0] + 1)
    up = jnp.pad(u, 1)
    return (up[:-2] - 2 * up[1:-1] + up[2:]) / h ** 2 + u ** 3 - 1.0


def _slice_residual(u):
    """Boundary rows by concatenation, the interior by shifted slices (Bratu-like)."""
    inner = u[:-2] - 2 * u[1:-1] + u[2:] + 0.1 * jnp.exp(u[1:-1])
    return jnp.concatenate([u[:1] - 1.0, inner, u[-1:] + 2.0])


def _laplace_2d(u):
    g = u.reshape(6, 5)
    p = jnp.pad(g, 1)
    return (p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * g + g ** 2).ravel()


def _banded(u):
    return u * jnp.roll(u, 2) + jnp.sin(jnp.roll(u, -1))


def _arrowhead(u):
    return u ** 2 + u[0] * jnp.sum(u)


def _block_diagonal(u):
    blocks = u.reshape(4, 3)
    return jax.vmap(lambda b: jnp.tanh(jnp.outer(b, b) @ b))(blocks).ravel()


def _reductions(u):
    m = u.reshape(3, 4)
    return jnp.concatenate([m.sum(axis=0), jnp.prod(m, axis=1), jnp.mean(m ** 2, axis=0), jnp.cumsum(u)[::3]])


def _constant_matrix(u):
    a = np.diag(np.arange(1.0, 13.0)) + np.diag(np.ones(11), 3)[:12, :12]
    return jnp.dot(jnp.asarray(a, dtype=u.dtype), u) + u[::-1] ** 2


def _window_sum(u):
    """A convolution written with slices: width-3 moving sums of u**2."""
    v = u ** 2
    return v[:-2] + v[1:-1] + v[2:]


def _gather_scatter(u):
    idx = jnp.array([0, 3, 3, 7, 11])
    picked = u[idx] * 2.0
    mask = jnp.asarray(np.arange(12.0) % 3 != 0, u.dtype)
    return jnp.zeros(12, u.dtype).at[jnp.array([1, 2, 5, 6, 9])].set(picked) + u.at[2:5].add(3.0) * mask


def _stop_and_compare(u):
    return jnp.where(u > 0.5, u, 2 * u) + lax.stop_gradient(u) * u


EXACT = [_pad_residual, _slice_residual, _laplace_2d, _banded, _arrowhead, _block_diagonal,
         _reductions, _constant_matrix, _window_sum, _gather_scatter, _stop_and_compare]


@pytest.mark.parametrize("f", EXACT, ids=lambda f: f.__name__)
def test_exact_patterns_and_values(f):
    x = jnp.asarray(RNG.uniform(0.1, 1.0, 30 if f is _laplace_2d else 12), jnp.float32)
    _check(f, x)


def _with_cond(u):
    return lax.cond(u[0] > 0.5, lambda v: v * jnp.roll(v, 1), lambda v: jnp.sin(v), u)


def _with_scan(u):
    def step(c, x):
        return c * 0.5 + x, jnp.sin(c) * x
    return lax.scan(step, 1.0, u)[1]


def _with_while(u):
    def body(s):
        i, v = s
        return i + 1, v + 0.1 * jnp.roll(v, 1) ** 2
    return lax.while_loop(lambda s: s[0] < 2, body, (0, u))[1]


def _with_fori_dynamic(u):
    return lax.fori_loop(1, 12, lambda i, v: v.at[i].set(v[i] * v[i - 1]), u)


def _with_jit_and_vmap(u):
    inner = jax.jit(lambda a: jax.vmap(lambda r: jnp.sum(r * r[::-1]))(a.reshape(4, 3)))
    return jnp.repeat(inner(u), 3) * u


CONSERVATIVE = [_with_cond, _with_scan, _with_while, _with_fori_dynamic, _with_jit_and_vmap]


@pytest.mark.parametrize("f", CONSERVATIVE, ids=lambda f: f.__name__)
def test_control_flow_patterns_cover_and_values(f):
    for _ in range(2):   # two points (each cond branch): one cached pattern serves both
        x = jnp.asarray(RNG.uniform(0.0, 1.0, 12), jnp.float32)
        # (reverse mode through while_loop is not available yet)
        modes = ("forward",) if f is _with_while else ("auto", "forward", "reverse")
        _check(f, x, exact=f is not _with_cond, modes=modes)


def test_loop_patterns_are_tight():
    x = jnp.ones(12)
    # The while loop's counter starts from a literal: it is run twice, exactly (each element
    # reads itself and two neighbours); with a traced bound, the fixpoint reaches all of them.
    np.testing.assert_array_equal(jacobian_sparsity(_with_while)(x).toarray(),
                                  sum(np.roll(np.eye(12, dtype=bool), k, axis=0) for k in range(3)) > 0)
    bounded = lambda u, n: lax.while_loop(lambda s: s[0] < n, lambda s: (s[0] + 1, s[1] * jnp.roll(s[1], 1)),  # noqa: E731
                                          (0, u))[1]
    assert jacobian_sparsity(bounded)(x, 3).nnz == 12 * 12
    # A scan with a carried sum: ys[t] reads x[0..t] (lower triangle), unrolled exactly.
    np.testing.assert_array_equal(jacobian_sparsity(_with_scan)(x).toarray(), np.tril(np.ones((12, 12), bool)))


def test_unknown_primitive_is_conservative():
    f = lambda u: jnp.sort(u) * u  # noqa: E731  (sort: data-dependent permutation)
    pattern = _check(f, jnp.asarray(RNG.uniform(size=6), jnp.float32), exact=False)
    assert pattern.all()


def test_jit_compiled_function_and_float64(x64):
    f = jax.jit(_pad_residual)
    x = jnp.asarray(RNG.uniform(size=20))
    assert x.dtype == jnp.float64
    got = sparse_jacobian(f)(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.toarray(), _dense(jax.jacfwd(f)(x), x), rtol=1e-12)
    h = sparse_hessian(lambda u: jnp.sum(u[1:] * u[:-1] ** 3))(x)
    assert h.dtype == np.float64


def test_float32_result_dtype():
    got = sparse_jacobian(_pad_residual)(jnp.ones(8, jnp.float32))
    assert got.dtype == np.float32 and got.format == "csr"


HESSIAN_FUNS = [
    lambda u: jnp.sum(jnp.sin(u[1:] * u[:-1])) + jnp.sum(u ** 4),
    lambda u: jnp.sum(u ** 2) * u[0] + jnp.sum(jnp.exp(u)),               # arrowhead
    lambda u: jnp.sum(jax.vmap(lambda b: jnp.prod(b))(u.reshape(4, 3))),  # block diagonal
    lambda u: jnp.sum((_pad_residual(u)) ** 2),                            # pentadiagonal
    lambda u: jnp.sum(jnp.cos(u)),                                         # diagonal
]


@pytest.mark.parametrize("k", range(len(HESSIAN_FUNS)))
def test_sparse_hessian_values(k):
    f = HESSIAN_FUNS[k]
    x = jnp.asarray(RNG.uniform(0.1, 1.0, 12), jnp.float32)
    want = np.asarray(jax.hessian(f)(x))
    pattern = hessian_sparsity(f)(x).toarray()
    assert np.all(pattern | (want == 0))
    got = sparse_hessian(f)(x)
    np.testing.assert_allclose(got.toarray(), want, rtol=2e-4, atol=2e-4)
    np.testing.assert_allclose(np.asarray(sparse_hessian(f, dense=True)(x)), want, rtol=2e-4, atol=2e-4)


def test_hessian_arrowhead_uses_two_colours():
    n = 50
    pattern = sps.lil_matrix((n, n), dtype=bool)
    pattern.setdiag(True)
    pattern[0, :] = True
    pattern[:, 0] = True
    colours = colouring.star_colouring(pattern.tocsr())
    assert colours.max() + 1 == 2
    assert colouring.column_colouring(pattern.tocsr()).max() + 1 == n


def _random_pattern(n, density, symmetric):
    p = sps.random(n, n, density=density, random_state=int(RNG.integers(1 << 30)), format="csr") != 0
    p = p + sps.identity(n, dtype=bool, format="csr")
    return (p + p.T).tocsr() if symmetric else p.tocsr()


@pytest.mark.parametrize("seed", range(4))
def test_column_and_row_colourings_are_valid(seed):
    p = _random_pattern(40, 0.08, symmetric=False)
    cols = colouring.column_colouring(p)
    for i in range(p.shape[0]):
        row = p.indices[p.indptr[i]:p.indptr[i + 1]]
        assert len(set(cols[row])) == row.size
    rows = colouring.row_colouring(p)
    pc = p.tocsc()
    for j in range(p.shape[1]):
        col = pc.indices[pc.indptr[j]:pc.indptr[j + 1]]
        assert len(set(rows[col])) == col.size


def _bicoloured_p4(adj, colours):
    n = len(adj)
    for a in range(n):
        for b in adj[a]:
            for c in adj[b]:
                if c == a:
                    continue
                for d in adj[c]:
                    if d in (a, b) or colours[a] != colours[c] or colours[b] != colours[d]:
                        continue
                    return (a, b, c, d)
    return None


@pytest.mark.parametrize("seed", range(4))
def test_star_colouring_is_a_star_colouring(seed):
    p = _random_pattern(30, 0.06, symmetric=True)
    colours = colouring.star_colouring(p)
    adj = [set(p.indices[p.indptr[i]:p.indptr[i + 1]]) - {i} for i in range(p.shape[0])]
    assert all(colours[i] != colours[j] for i in range(len(adj)) for j in adj[i])
    assert _bicoloured_p4(adj, colours) is None
    # Every entry is then read from one side of the compressed product (raises otherwise).
    rows, cols = colouring.star_sources(p, colours)
    assert rows.size == p.nnz
    # A distance-1 colouring that is not a star colouring is refused.
    path = sps.diags([1, 1, 1], [-1, 0, 1], shape=(4, 4), format="csr", dtype=bool)
    with pytest.raises(ValueError, match="star"):
        colouring.star_sources(path, np.array([0, 1, 0, 1]))


def test_tridiagonal_10000_colours():
    n = 10_000
    p = sps.diags([1, 1, 1], [-1, 0, 1], shape=(n, n), format="csr", dtype=bool)
    assert colouring.column_colouring(p).max() + 1 == 3
    assert colouring.row_colouring(p).max() + 1 == 3
    assert colouring.star_colouring(p).max() + 1 == 3


def test_large_tridiagonal_values_and_auto_mode():
    n = 2000
    x = jnp.asarray(RNG.uniform(size=n), jnp.float32)
    got = sparse_jacobian(_pad_residual)(x)
    assert got.nnz == 3 * n - 2
    xs = np.asarray(x, np.float64)
    h = 1.0 / (n + 1)
    main = -2 / h ** 2 + 3 * xs ** 2
    want = sps.diags([np.full(n - 1, 1 / h ** 2), main, np.full(n - 1, 1 / h ** 2)], [-1, 0, 1])
    np.testing.assert_allclose(got.toarray(), want.toarray(), rtol=1e-5)


def test_pytrees_argnums_and_undifferentiated_arguments():
    def f(params, data, scale):
        a, b = params["a"], params["b"]
        return {"r": a * data + jnp.roll(b, 1) * scale, "s": jnp.sum(a * b)[None]}

    params = {"a": jnp.arange(1.0, 5.0), "b": jnp.arange(2.0, 6.0)}
    data, scale = jnp.linspace(0.0, 1.0, 4), jnp.asarray(3.0)
    got = sparse_jacobian(f)(params, data, scale).toarray()
    assert got.shape == (5, 8)
    jac = jax.jacfwd(f)(params, data, scale)
    want = np.concatenate([np.concatenate([np.asarray(jac[k]["a"]).reshape(-1, 4),
                                           np.asarray(jac[k]["b"]).reshape(-1, 4)], axis=1) for k in ("r", "s")])
    np.testing.assert_allclose(got, want)
    both = sparse_jacobian(f, argnums=(1, 2))(params, data, scale).toarray()
    jac = jax.jacfwd(f, argnums=(1, 2))(params, data, scale)
    want = np.block([[np.asarray(jac[k][0]).reshape(-1, 4), np.asarray(jac[k][1]).reshape(-1, 1)] for k in ("r", "s")])
    np.testing.assert_allclose(both, want)


def test_cache_traces_once_per_signature():
    traces = []

    def f(u):
        traces.append(u.shape)
        return _pad_residual(u)

    sj = sparse_jacobian(f)
    for _ in range(3):
        sj(jnp.ones(8))
    first = len(traces)
    for _ in range(3):
        sj(jnp.ones(8) * 2.0)
    assert len(traces) == first
    sj(jnp.ones(9))
    assert len(traces) > first


def test_dense_under_jit_and_vmap():
    xs = jnp.asarray(RNG.uniform(size=(3, 10)), jnp.float32)
    got = jax.vmap(sparse_jacobian(_banded, dense=True))(xs)
    np.testing.assert_allclose(np.asarray(got), np.asarray(jax.vmap(jax.jacfwd(_banded))(xs)), rtol=1e-6)
    got = jax.jit(sparse_hessian(HESSIAN_FUNS[0], dense=True))(xs[0])
    np.testing.assert_allclose(np.asarray(got), np.asarray(jax.hessian(HESSIAN_FUNS[0])(xs[0])), rtol=2e-4, atol=2e-4)


def test_errors():
    x = jnp.ones(4)
    with pytest.raises(ValueError, match="mode"):
        sparse_jacobian(_banded, mode="sideways")
    with pytest.raises(TypeError, match="floating-point inputs"):
        sparse_jacobian(_banded)(jnp.arange(4))
    with pytest.raises(TypeError, match="dense=True"):
        jax.jit(sparse_jacobian(_banded))(x)
    with pytest.raises(TypeError, match="scalar"):
        sparse_hessian(_banded)(x)
    with pytest.raises(ValueError, match="argnums"):
        sparse_jacobian(_banded, argnums=3)(x)
    with pytest.raises(TypeError, match="floating-point arrays"):
        sparse_jacobian(lambda u: jnp.argmax(u))(x)


def test_patterns_on_random_points_of_many_shapes():
    """Superset checks of the rules one by one, on shapes that broadcast and transpose."""
    funs = [
        lambda u: (u.reshape(3, 4).T * jnp.arange(3.0)).ravel(),
        lambda u: (u.reshape(3, 4) + u.reshape(3, 4)[:, :1]).ravel(),
        lambda u: jnp.einsum("ij,jk->ik", u.reshape(3, 4), u.reshape(4, 3)).ravel(),
        lambda u: jnp.einsum("bij,bj->bi", u.reshape(2, 2, 3), u.reshape(2, 6)[:, :3]).ravel(),
        lambda u: jnp.flip(jnp.expand_dims(u, 0), 1).squeeze() ** 2,
        lambda u: lax.dynamic_slice(u, (3,), (4,)) * lax.dynamic_update_slice(u, u[:2] ** 2, (5,))[3:7],
        lambda u: jnp.take_along_axis(u.reshape(3, 4), jnp.array([[1], [0], [3]]), axis=1).ravel(),
    ]
    for f, _ in itertools.product(funs, range(2)):
        _check(f, jnp.asarray(RNG.uniform(0.1, 1.0, 12), jnp.float32))


_KERNEL = RNG.standard_normal((4, 3, 3, 3))
_KERNEL[:, :, 0, 0] = 0.0   # taps that are zero in a constant kernel are not dependencies
_IMAGES = RNG.standard_normal((2, 3, 6, 6))

CONVS = [
    (lambda x: lax.conv_general_dilated(x.reshape(2, 3, 6, 6), jnp.asarray(_KERNEL, x.dtype), (1, 1), "SAME"), 216),
    (lambda x: lax.conv_general_dilated(x.reshape(2, 3, 6, 6), jnp.asarray(_KERNEL, x.dtype), (2, 1), "VALID",
                                        rhs_dilation=(1, 2)), 216),
    (lambda x: lax.conv_general_dilated(x.reshape(1, 6, 6, 6), jnp.asarray(_KERNEL.reshape(6, 2, 3, 3)[:, :2], x.dtype),
                                        (1, 1), ((1, 1), (0, 1)), feature_group_count=3, lhs_dilation=(2, 1)), 216),
    (lambda k: lax.conv_general_dilated(jnp.asarray(_IMAGES, k.dtype), k.reshape(4, 3, 3, 3), (1, 1), "SAME"), 108),
    (lambda x: jnp.sum(x[:4]) * lax.conv_general_dilated(x.reshape(1, 1, 6, 6), x[:9].reshape(1, 1, 3, 3), (1, 1),
                                                         "SAME"), 36),
]


@pytest.mark.parametrize("k", range(len(CONVS)))
def test_convolution_patterns_are_exact(k):
    f, n = CONVS[k]
    _check(lambda x: f(x).ravel(), jnp.asarray(RNG.uniform(0.1, 1.0, n), jnp.float32), modes=("auto",))


def test_the_analysis_runs_no_callbacks():
    calls = []

    def f(u):
        jax.debug.callback(lambda v: calls.append(1), jnp.ones(2))
        return u * 2.0

    assert jacobian_sparsity(f)(jnp.ones(3)).nnz == 3
    assert calls == []


WINDOWS = [  # (function, exact): sums are structural, max/min pick one element per window
    (lambda x: lax.reduce_window(x.reshape(4, 6), 0.0, lax.add, (2, 3), (1, 2), "SAME"), True),
    (lambda x: lax.reduce_window(x.reshape(4, 6), 0.0, lax.add, (2, 2), (2, 1), ((1, 1), (0, 1)),
                                 base_dilation=(2, 1), window_dilation=(1, 2)), True),
    (lambda x: lax.reduce_window(x.reshape(4, 6), -jnp.inf, lax.max, (2, 2), (1, 2), ((0, 1), (1, 1)),
                                 window_dilation=(1, 2)), False),
    (lambda x: jax.grad(lambda v: jnp.sum(lax.reduce_window(v.reshape(4, 6), jnp.inf, lax.min, (2, 2), (2, 2),
                                                            "VALID") ** 2))(x), False),
    (lambda x: jax.jvp(lambda v: lax.reduce_window(v.reshape(4, 6), -jnp.inf, lax.max, (2, 2), (1, 1), "VALID"),
                       (x,), (x * x,))[1], False),
]


@pytest.mark.parametrize("k", range(len(WINDOWS)))
def test_window_patterns(k):
    f, exact = WINDOWS[k]
    _check(lambda x: f(x).ravel(), jnp.asarray(RNG.uniform(0.1, 1.0, 24), jnp.float32), exact=exact, modes=("auto",))
