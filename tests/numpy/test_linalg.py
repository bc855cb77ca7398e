"""jnp products (dot, matmul, einsum, ...) and jnp.linalg: values/dtypes vs NumPy, grads, vmap."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads


def _rand(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _same(actual, expected, rtol=1e-5, dtype=None):
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    if dtype is not None:
        assert a.dtype == np.dtype(dtype), (a.dtype, dtype)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=1e-5)


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


# ---------------------------------------------------------------------- must-show

def test_dot_prints_like_jax():
    assert repr(jnp.dot(jnp.array([1., 2., 3.]), jnp.array([1., 2., 3.]))) == "Array(14., dtype=float32)"
    with nablax.config.enable_x64(True):
        assert repr(jnp.dot(jnp.array([1., 2., 3.]), jnp.array([1., 2., 3.]))) == "Array(14., dtype=float64)"


# ------------------------------------------------------------------------- dot & co

@pytest.mark.parametrize("sa,sb", [
    ((), ()), ((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((2, 5, 3), (3, 4)), ((2, 3), (4, 3, 5)), ((2, 2, 3), (4, 3, 5)),
])
def test_dot_matches_numpy_for_all_ranks(sa, sb, x64):
    a, b = _rand(*sa), _rand(*sb, seed=1)
    _same(jnp.dot(a, b), np.dot(a, b), dtype=np.float64)
    _same(jnp.asarray(a).dot(b) if sa else jnp.dot(a, b), np.dot(a, b))


@pytest.mark.parametrize("sa,sb", [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4)), ((6, 1, 2, 3), (5, 3, 4)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)),
])
def test_matmul_matches_numpy(sa, sb, x64):
    a, b = _rand(*sa), _rand(*sb, seed=1)
    _same(jnp.matmul(a, b), np.matmul(a, b), dtype=np.float64)
    _same(jnp.asarray(a) @ jnp.asarray(b), a @ b)
    _same(a @ jnp.asarray(b), a @ b)  # __rmatmul__


def test_matmul_errors_name_both_shapes():
    with pytest.raises(TypeError, match=r"\(2, 3\).*\(4, 5\)"):  # contracted sizes differ: TypeError (JAX)
        jnp.matmul(jnp.ones((2, 3)), jnp.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\(2, 2, 3\).*\(3, 3, 4\)"):
        jnp.ones((2, 2, 3)) @ jnp.ones((3, 3, 4))
    with pytest.raises(ValueError, match="at least one dimension"):
        jnp.matmul(jnp.ones(()), jnp.ones(3))
    with pytest.raises(TypeError, match=r"\(2, 3\) and \(2,\)"):
        jnp.dot(jnp.ones((2, 3)), jnp.ones(2))
    with pytest.raises(TypeError, match="not a valid dtype"):
        jnp.matmul(jnp.ones((2, 2)), jnp.ones((2, 2)), preferred_element_type="float33")
    # As in JAX, lax.dot of different dtypes promotes them; mismatched sizes are a ValueError.
    out = lax.dot(jnp.ones(2, jnp.float32), jnp.ones(2, jnp.int32))
    assert out.dtype == np.float32 and float(out) == 2.0
    assert lax.dot(jnp.ones((2, 3), jnp.int8), jnp.ones(3, jnp.int32)).dtype == np.int32
    with pytest.raises(ValueError, match="inner sizes"):
        lax.dot(jnp.ones((2, 3)), jnp.ones((2, 3)))


def test_promotion_and_dtypes():
    i = jnp.arange(3)
    f = jnp.ones(3, dtype=jnp.float16)
    assert jnp.dot(i, i).dtype == np.int32 and int(jnp.dot(i, i)) == 5
    assert jnp.dot(i, f).dtype == np.float16
    assert jnp.matmul(jnp.ones((2, 2)), np.ones((2, 2))).dtype == np.float32
    assert (jnp.ones(2) @ jnp.ones(2)).dtype == np.float32
    out = jnp.dot(jnp.ones(3, jnp.int8), jnp.ones(3, jnp.int8), preferred_element_type=jnp.int32)
    assert out.dtype == np.int32 and int(out) == 3
    c = jnp.array([1 + 2j, 3 - 1j])
    _same(jnp.dot(c, c), np.dot(np.asarray(c), np.asarray(c)), dtype=np.complex64)
    with nablax.config.enable_x64(True):
        assert jnp.dot(jnp.arange(3), jnp.arange(3)).dtype == np.int64
        assert jnp.dot(jnp.arange(3), 2.0).dtype == np.float64


def test_vdot_inner_outer_tensordot_kron(x64):
    a, b = _rand(2, 3), _rand(2, 3, seed=1)
    _same(jnp.vdot(a, b), np.vdot(a, b))
    ca = a + 1j * _rand(2, 3, seed=2)
    cb = b - 1j * _rand(2, 3, seed=3)
    _same(jnp.vdot(ca, cb), np.vdot(ca, cb))
    _same(jnp.inner(a, b), np.inner(a, b))
    _same(jnp.inner(_rand(4, 2, 3), b), np.inner(_rand(4, 2, 3), b))
    _same(jnp.inner(2.0, b), np.inner(2.0, b))
    _same(jnp.outer(a, _rand(4)), np.outer(a, _rand(4)))
    x, y = _rand(2, 3, 4), _rand(3, 4, 5, seed=1)
    _same(jnp.tensordot(x, y), np.tensordot(x, y))
    _same(jnp.tensordot(x, y, axes=0), np.tensordot(x, y, axes=0))
    _same(jnp.tensordot(x, y, axes=([1, 2], [0, 1])), np.tensordot(x, y, axes=([1, 2], [0, 1])))
    _same(jnp.tensordot(x, _rand(4, 2, seed=4), axes=([2, 0], [0, 1])),
          np.tensordot(x, _rand(4, 2, seed=4), axes=([2, 0], [0, 1])))
    _same(jnp.tensordot(x, _rand(4, seed=4), axes=(-1, 0)), np.tensordot(x, _rand(4, seed=4), axes=(-1, 0)))
    with pytest.raises(TypeError, match="shape mismatch"):  # a TypeError, as in JAX
        jnp.tensordot(x, y, axes=([0], [0]))
    for sa, sb in [((2, 3), (4, 5)), ((3,), (2, 2)), ((2, 1, 3), (3, 2)), ((), (2,))]:
        p, q = _rand(*sa), _rand(*sb, seed=1)
        _same(jnp.kron(p, q), np.kron(p, q))


@pytest.mark.parametrize("shape,offset,a1,a2", [
    ((3, 3), 0, 0, 1), ((3, 4), 1, 0, 1), ((4, 3), -2, 0, 1), ((3, 4), 5, 0, 1),
    ((2, 3, 4), 0, 1, 2), ((2, 3, 4), 1, 2, 0), ((2, 3, 4), -1, -1, -3),
])
def test_trace_matches_numpy(shape, offset, a1, a2, x64):
    a = _rand(*shape)
    _same(jnp.trace(a, offset, a1, a2), np.trace(a, offset, a1, a2))


def test_trace_dtypes_and_method():
    assert jnp.trace(jnp.eye(3, dtype=jnp.int8)).dtype == np.int32
    assert int(jnp.trace(jnp.eye(3, dtype=bool))) == 3
    assert jnp.trace(jnp.eye(3), dtype=jnp.int16).dtype == np.int16
    assert float(jnp.eye(4).trace(offset=1)) == 0.0
    assert float(jnp.ones((3, 3)).trace()) == 3.0


# --------------------------------------------------------------------------- einsum

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("i,i->", [(5,), (5,)]),
    ("i,i", [(5,), (5,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij->ji", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("bij,bjk->bik", [(4, 2, 3), (4, 3, 5)]),
    ("bij,bjk->kib", [(4, 2, 3), (4, 3, 5)]),
    ("ijk,kj->i", [(2, 3, 4), (4, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ab,cd,bc->ad", [(2, 3), (4, 5), (3, 4)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,ij->", [(2, 3), (2, 3)]),
    ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (5, 3, 4)]),
    ("...ij,jk->...ik", [(6, 5, 2, 3), (3, 4)]),
    ("...ij,...jk", [(1, 2, 3), (5, 3, 4)]),
    ("i...->...", [(3, 2, 4)]),
    ("...i,...i->...", [(2, 1, 3), (5, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("ij,jj->i", [(2, 3), (3, 3)]),
    ("iji->ij", [(3, 2, 3)]),
    ("abc,cda,bd->", [(2, 3, 4), (4, 5, 2), (3, 5)]),
    ("i,i", [(3,), (1,)]),
    ("Ab,bC->AC", [(2, 3), (3, 4)]),
    (" ij , jk -> ik ", [(2, 3), (3, 4)]),
]


@pytest.mark.parametrize("spec,shapes", EINSUM_CASES, ids=[c[0].replace(" ", "_") for c in EINSUM_CASES])
def test_einsum_matches_numpy(spec, shapes, x64):
    ops = [_rand(*s, seed=i) for i, s in enumerate(shapes)]
    _same(jnp.einsum(spec, *ops), np.einsum(spec, *ops), dtype=np.float64)
    _same(jnp.einsum(spec, *ops, optimize=False), np.einsum(spec, *ops))


def test_einsum_interleaved_dtypes_and_errors():
    a, b = _rand(2, 3), _rand(3, 4, seed=1)
    _same(jnp.einsum(a, [0, 1], b, [1, 2], [0, 2]), np.einsum(a, [0, 1], b, [1, 2], [0, 2]))
    _same(jnp.einsum(a, [Ellipsis, 1], b, [1, 2]), np.einsum(a, [Ellipsis, 1], b, [1, 2]))
    assert jnp.einsum("i,i", jnp.arange(3), jnp.ones(3)).dtype == np.float32
    assert jnp.einsum("i,i", jnp.arange(3), jnp.arange(3)).dtype == np.int32
    out = jnp.einsum("i,i->", jnp.ones(3, jnp.int8), jnp.ones(3, jnp.int8), preferred_element_type=jnp.int32)
    assert out.dtype == np.int32 and int(out) == 3
    with pytest.raises(ValueError, match="operand"):
        jnp.einsum("ij,jk->ik", jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="incompatible sizes"):
        jnp.einsum("ij,jk->ik", jnp.ones((2, 3)), jnp.ones((4, 5)))
    with pytest.raises(ValueError, match="appears in no input"):
        jnp.einsum("ij->iz", jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="rank"):
        jnp.einsum("ijk->i", jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="invalid character"):
        jnp.einsum("i1->i", jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="'...'"):
        jnp.einsum("...ij->ij", jnp.ones((2, 3, 4)))


# ------------------------------------------------------------------ transformations

def test_grads_of_products(x64):
    a, b, c = _rand(2, 3), _rand(3, 4, seed=1), _rand(4, seed=2)
    check_grads(jnp.matmul, (a, b), order=2)
    check_grads(lambda x, y: x @ y, (_rand(5, 2, 3), b), order=2)
    check_grads(lambda x, y: jnp.matmul(x, y), (_rand(3), _rand(2, 3, 4, seed=1)), order=2)
    check_grads(jnp.dot, (_rand(2, 5, 3), b), order=2)
    check_grads(lambda x, y, z: jnp.einsum("ij,jk,k->i", x, y, z), (a, b, c), order=2)
    check_grads(lambda x: jnp.einsum("ii->", x), (_rand(3, 3),), order=2)
    check_grads(lambda x, y: jnp.einsum("bij,bjk->bki", x, y), (_rand(2, 2, 3), _rand(2, 3, 4, seed=1)), order=2)
    check_grads(lambda x: jnp.trace(x, 1), (_rand(3, 4),), order=2)
    check_grads(jnp.kron, (_rand(2, 2), _rand(3, 1, seed=1)), order=1)
    check_grads(jnp.vdot, (a, _rand(2, 3, seed=5)), order=2)
    check_grads(lambda x, y: jnp.tensordot(x, y, axes=([0, 1], [1, 0])), (a, _rand(3, 2, seed=1)), order=2)


def test_grad_of_matmul_has_known_value():
    a = jnp.array([[1.0, 2.0], [3.0, 4.0]])
    b = jnp.array([[5.0], [6.0]])
    g = nablax.grad(lambda a: jnp.sum(a @ b))(a)
    _same(g, np.array([[5.0, 6.0], [5.0, 6.0]]), dtype=np.float32)


def test_vmap_of_products(x64):
    xs, w = _rand(4, 2, 3), _rand(3, 5, seed=1)
    _same(nablax.vmap(jnp.dot, in_axes=(0, None))(xs, w), np.stack([x @ w for x in xs]))
    ws = _rand(4, 3, 5, seed=2)
    _same(nablax.vmap(jnp.matmul)(xs, ws), np.stack([x @ w for x, w in zip(xs, ws)]))
    _same(nablax.vmap(jnp.dot, in_axes=(None, 0))(xs[0], ws), np.stack([xs[0] @ w for w in ws]))
    ws2 = _rand(3, 5, 2, seed=4)
    _same(nablax.vmap(jnp.dot, in_axes=(1, 2))(xs, ws2), np.stack([xs[:, i] @ ws2[:, :, i] for i in range(2)]))
    v = _rand(4, 3, seed=3)
    _same(nablax.vmap(lambda a, b: jnp.einsum("i,i->", a, b))(v, v), np.einsum("bi,bi->b", v, v))
    _same(nablax.vmap(nablax.vmap(jnp.vdot))(xs, xs), np.einsum("bij,bij->bi", xs, xs))
    _same(nablax.vmap(jnp.trace)(_rand(4, 3, 3)), np.trace(_rand(4, 3, 3), axis1=1, axis2=2))
    _same(nablax.jit(nablax.vmap(jnp.matmul))(xs, ws), np.stack([x @ w for x, w in zip(xs, ws)]))


def test_lax_wrappers(x64):
    a, b = _rand(2, 3), _rand(3, 4, seed=1)
    _same(lax.dot(a, b), a @ b)
    _same(lax.dot(b[:, 0], b), b[:, 0] @ b)
    _same(lax.dot_general(a, b, (((1,), (0,)), ((), ()))), a @ b)
    with pytest.raises(TypeError, match="nonnegative"):  # negative dimension numbers: a TypeError, as in JAX
        lax.dot_general(a, b, (((-1,), (0,)), ((), ())))
    x, y = _rand(4, 2, 3), _rand(4, 3, 5, seed=1)
    _same(lax.batch_matmul(x, y), x @ y)
    _same(lax.iota(jnp.int32, 4), np.arange(4))
    _same(lax.broadcasted_iota("float32", (2, 3), 1), np.broadcast_to(np.arange(3.0), (2, 3)))
    with pytest.raises(ValueError, match="rank 1 or 2"):  # a ValueError, as in JAX
        lax.dot(x, y)
    with pytest.raises(TypeError, match="contracting axes have different sizes"):
        lax.dot_general(a, a, (((1,), (0,)), ((), ())))


# ---------------------------------------------------------------------- jnp.linalg

@pytest.mark.parametrize("ord", [None, 1, 2, np.inf, -np.inf, 0, 3, 0.5, -1])
def test_vector_norms(ord, x64):
    x = _rand(5)
    x[2] = 0.0
    with np.errstate(divide="ignore"):  # ord < 0 with a zero entry: 1 / 0 inside, as in NumPy
        _same(jnp.linalg.norm(x, ord), np.linalg.norm(x, ord))
    m = _rand(3, 4)
    for axis in (0, 1, -1):
        _same(jnp.linalg.norm(m, ord, axis=axis), np.linalg.norm(m, ord, axis=axis))
        _same(jnp.linalg.norm(m, ord, axis=axis, keepdims=True), np.linalg.norm(m, ord, axis=axis, keepdims=True))


@pytest.mark.parametrize("ord", [None, "fro", 1, -1, np.inf, -np.inf])
def test_matrix_norms(ord, x64):
    m = _rand(3, 4)
    _same(jnp.linalg.norm(m, ord), np.linalg.norm(m, ord))
    t = _rand(2, 3, 4)
    for axis in ((1, 2), (2, 0), (-1, -2)):
        _same(jnp.linalg.norm(t, ord, axis=axis), np.linalg.norm(t, ord, axis=axis))
        _same(jnp.linalg.norm(t, ord, axis=axis, keepdims=True), np.linalg.norm(t, ord, axis=axis, keepdims=True))


def test_norm_defaults_dtypes_complex_and_errors():
    assert jnp.linalg.norm(jnp.array([3.0, 4.0])).dtype == np.float32
    assert float(jnp.linalg.norm(jnp.array([3, 4]))) == 5.0
    t = _rand(2, 3, 4)
    _same(jnp.linalg.norm(t), np.linalg.norm(t))
    _same(jnp.linalg.norm(t, keepdims=True), np.linalg.norm(t, keepdims=True))
    c = np.array([3 + 4j, 1 - 1j], np.complex64)
    n = jnp.linalg.norm(c)
    assert n.dtype == np.float32
    _same(n, np.linalg.norm(c))
    _same(jnp.linalg.norm(c, 1), np.linalg.norm(c, 1))
    _same(jnp.linalg.norm(jnp.ones((2, 2)), "nuc"), 2.0)
    with pytest.raises(ValueError, match="invalid norm order"):
        jnp.linalg.norm(jnp.ones(3), "fro")
    with pytest.raises(ValueError, match="1-D or 2-D"):
        jnp.linalg.norm(jnp.ones((2, 2, 2)), 1)


def test_norm_grads_and_vmap(x64):
    check_grads(jnp.linalg.norm, (_rand(4),), order=2)
    check_grads(lambda m: jnp.linalg.norm(m, "fro"), (_rand(2, 3),), order=2)
    check_grads(lambda v: jnp.linalg.norm(v, 3), (_rand(4) + 3.0,), order=1)
    g = nablax.grad(jnp.linalg.norm)(jnp.array([3.0, 4.0]))
    _same(g, [0.6, 0.8])
    m = _rand(4, 3)
    _same(nablax.vmap(jnp.linalg.norm)(m), np.linalg.norm(m, axis=1))


def test_linalg_namespace_products(x64):
    a, b = _rand(2, 3, 4), _rand(2, 4, 3, seed=1)
    _same(jnp.linalg.matmul(a, b), a @ b)
    _same(jnp.linalg.tensordot(a, b[0], axes=1), np.tensordot(a, b[0], axes=1))
    _same(jnp.linalg.outer(a[0, 0], b[0, 0]), np.outer(a[0, 0], b[0, 0]))
    _same(jnp.linalg.trace(a[:, :, :3], offset=1), np.trace(a[:, :, :3], offset=1, axis1=-2, axis2=-1))
    _same(jnp.linalg.vecdot(a, a[0]), np.sum(a * a[0], axis=-1))
    _same(jnp.linalg.vector_norm(a), np.linalg.norm(a.ravel()))
    _same(jnp.linalg.vector_norm(a, axis=(1, 2), ord=1), np.abs(a).sum(axis=(1, 2)))
    _same(jnp.linalg.matrix_norm(a, ord=1), np.linalg.norm(a, 1, axis=(-2, -1)))
    import nablax.numpy.linalg as jla

    assert jla.norm is jnp.linalg.norm


def test_products_without_contraction_keep_the_sign_of_zero():
    """outer / dot_general with no contracting axes multiply, as XLA and NumPy's outer do: a BLAS
    matmul over a size-1 axis would add -0.0 * 0.0 to +0.0 and print 0. where JAX prints -0."""
    import nablax
    a, b = np.array([-0.0, 2.0], np.float32), np.array([0.0, -3.0, 1.5], np.float32)
    want = np.outer(a, b)
    for got in (jnp.outer(a, b), nablax.jit(jnp.outer)(a, b), jnp.einsum("i,j->ij", a, b),
                nablax.lax.dot_general(a[None], b[None], (((), ()), ((0,), (0,))))[0]):
        np.testing.assert_array_equal(np.asarray(got), want)
        np.testing.assert_array_equal(np.signbit(np.asarray(got)), np.signbit(want))
    assert np.signbit(np.asarray(nablax.lax.dot_general(a[:1], b[:1], (((), ()), ((), ())))))[0, 0]
