"""lax_extras against real JAX: shape helpers and constructors (values, dtypes, weak types),
XLA-style gather/scatter with dimension numbers and modes, ragged_dot(_general),
scaled_dot, associative_scan and custom_root (values and gradients), the enums' printing."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.lax as jl  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.lax as nl  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 3, 4)).astype(np.float32)
XI = np.arange(24, dtype=np.int32).reshape(2, 3, 4)

# name -> fn(lax module, numpy module) evaluated in both libraries
CALLS = {
    "full": lambda L: (L.full((2, 3), 1.5), L.full(3, 2), L.full((2,), np.int8(3)), L.full((2,), 1, np.float32)),
    "full_like": lambda L: (L.full_like(X, 2), L.full_like(3.0, 1), L.full_like(XI, 1.5, shape=(2,)),
                            L.full_like(X, 1, np.int16)),
    "empty": lambda L: L.empty((2, 2), np.int32),
    "broadcast": lambda L: (L.broadcast_to_rank(1.0, 3), L.broadcast_to_rank(X, 2),
                            L.broadcast_like(np.arange(4, dtype=np.int32), X)),
    "reciprocal": lambda L: (L.reciprocal(X), L.reciprocal(2.0)),
    "split": lambda L: L.split(X, (1, 0, 3), axis=-1),
    "tile": lambda L: L.tile(XI, (2, 1, 3)),
    "stack": lambda L: (L.stack([X, X * 2], axis=-1), L.stack([1.0, 2.0]), L.unstack(X, 1)),
    "collapse": lambda L: (L.collapse(X, 1), L.collapse(X, -2), L.collapse(X, 0, 2)),
    "in_dim": lambda L: (L.index_in_dim(X, -1, 1, False), L.index_in_dim(X, 0, 2),
                         L.dynamic_slice_in_dim(X, -1, 2, 2), L.dynamic_index_in_dim(X, np.int32(2), 1, False),
                         L.dynamic_update_index_in_dim(X, np.ones((2, 4), np.float32), -1, 1)),
    "shape_as_value": lambda L: (L.shape_as_value((2, 3)), L.shape_as_value(())),
    "index_take": lambda L: L.index_take(XI, (np.array([0, 1, -1]), np.array([3, 5, 1])), (0, 2)),
    "sort_key_val": lambda L: L.sort_key_val(X[0], XI[0], 1),
    "platform": lambda L: L.platform_dependent(X, cpu=lambda x: x + 1, default=lambda x: x - 1),
    "composite": lambda L: L.composite(lambda x, *, k: x * k, name="my.scale")(X, k=2.0),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_values_dtypes_weak_types(name):
    assert_same(CALLS[name](jl), CALLS[name](nl))


def test_dtype_and_enums():
    for v in (1.0, 1, True, X, np.int8(1), "float32"):
        assert nl.dtype(v) == jl.dtype(v)
    for s in ("default", "fastest", "bfloat16", "high", "bfloat16_3x", "tensorfloat32", "highest", "float32"):
        assert repr(nl.Precision(s)) == repr(jl.Precision(s)) and str(nl.Precision(s)) == str(jl.Precision(s))
    assert list(nl.DotAlgorithmPreset.__members__) == list(jl.DotAlgorithmPreset.__members__)
    for m in jl.DotAlgorithmPreset:
        ours = nl.DotAlgorithmPreset[m.name]
        assert str(ours) == str(m) and ours.accumulation_type == m.accumulation_type
    assert nl.DotAlgorithm._fields == jl.DotAlgorithm._fields
    assert nl.GatherDimensionNumbers._fields == jl.GatherDimensionNumbers._fields
    assert nl.ScatterDimensionNumbers._fields == jl.ScatterDimensionNumbers._fields
    for s in (None, "clip", "fill", "drop", "promise_in_bounds"):
        assert nl.GatherScatterMode.from_any(s).name == jl.GatherScatterMode.from_any(s).name


# (dimension numbers, slice sizes, indices) for gather; the scatter cases mirror them
GATHERS = [
    (dict(offset_dims=(1, 2), collapsed_slice_dims=(0,), start_index_map=(0,)), (1, 3, 4),
     np.array([[1], [0], [5], [-2]], np.int32)),
    (dict(offset_dims=(1,), collapsed_slice_dims=(0, 1), start_index_map=(0, 1)), (1, 1, 4),
     np.array([[1, 2], [0, 0], [1, 3]], np.int32)),
    (dict(offset_dims=(0, 3), collapsed_slice_dims=(1,), start_index_map=(2, 1)), (2, 1, 2),
     np.array([[[3, 1], [0, 2]], [[1, 0], [2, 2]]], np.int32)),
    (dict(offset_dims=(2,), collapsed_slice_dims=(1,), start_index_map=(1,), operand_batching_dims=(0,),
          start_indices_batching_dims=(0,)), (1, 1, 4), np.array([[[2], [0]], [[1], [4]]], np.int32)),
]


def _nansum_sq(L, y):
    y = y.astype(np.float32)
    return (L.select(y == y, y, L.full_like(y, 0.0)) ** 2).sum()


@pytest.mark.parametrize("case", range(len(GATHERS)))
def test_xla_gather(case):
    dn, sizes, idx = GATHERS[case]

    def run(L, grad):
        def modes(x, xi, mode):
            gather = lambda x: L.gather(x, idx, L.GatherDimensionNumbers(**dn), sizes, mode=mode)  # noqa: E731
            return gather(x), gather(xi), grad(lambda x: _nansum_sq(L, gather(x)))(x)
        return lambda x, xi: [modes(x, xi, m) for m in (None, "fill", "clip")[:3 if case == 0 else 2]]

    assert_same(jax.jit(run(jl, jax.grad))(X, XI), run(nl, nablax.grad)(X, XI))


SCATTERS = [
    (dict(update_window_dims=(1, 2), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,)), (3, 3, 4),
     np.array([[1], [1], [5]], np.int32)),
    (dict(update_window_dims=(1,), inserted_window_dims=(0, 1), scatter_dims_to_operand_dims=(0, 1)), (3, 4),
     np.array([[1, 2], [1, 2], [0, 3]], np.int32)),
    (dict(update_window_dims=(1,), inserted_window_dims=(1,), scatter_dims_to_operand_dims=(1,),
          operand_batching_dims=(0,), scatter_indices_batching_dims=(0,)), (2, 4), np.array([[2], [0]], np.int32)),
]


# every combiner on the first case (gradients where JAX has them: mul needs unique indices,
# a set's winner among duplicates is unspecified); scatter_add on the others, clipped too
@pytest.mark.parametrize("case", range(len(SCATTERS)))
def test_xla_scatter(case):
    dn, ushape, idx = SCATTERS[case]
    u = RNG.standard_normal(ushape).astype(np.float32)
    ops = ("scatter_add", "scatter_sub", "scatter_mul", "scatter_max", "scatter") if case == 0 else ("scatter_add",)

    def run(L, grad):
        def one(x, u, op, mode):
            f = lambda x, u: getattr(L, op)(x, idx, u, L.ScatterDimensionNumbers(**dn), mode=mode)  # noqa: E731
            if op in ("scatter", "scatter_mul"):
                return f(x, u)
            return f(x, u), grad(lambda x, u: (f(x, u) ** 2).sum(), (0, 1))(x, u)
        return lambda x, u: [one(x, u, op, m) for op in ops for m in ((None,) if case == 0 else (None, "clip"))]

    assert_same(jax.jit(run(jl, jax.grad))(X, u), run(nl, nablax.grad)(X, u), rtol=1e-4, atol=1e-5)


def test_scatter_apply():
    dn = dict(update_window_dims=(), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))
    v = np.arange(5.0, dtype=np.float32)
    for idx, mode in ((np.array([[1], [1], [3]]), None), (np.array([[1], [7]]), None), (np.array([[1], [7]]), "clip")):
        outs = [L.scatter_apply(v, idx, lambda e: e * 2 + 1, L.ScatterDimensionNumbers(**dn), mode=mode,
                                update_shape=(len(idx),)) for L in (jl, nl)]
        assert_same(*outs)


def test_ragged_dot():
    lhs = RNG.standard_normal((6, 3)).astype(np.float32)
    rhs = RNG.standard_normal((3, 3, 2)).astype(np.float32)
    sizes = [np.array(s, np.int32) for s in ([2, 2, 1], [4, 3, 0], [0, 0, 6])]

    def run(L, grad):
        def one(a, b, gs):
            loss = lambda a, b: (L.ragged_dot(a, b, gs) ** 2).sum()  # noqa: E731
            return (L.ragged_dot(a, b, gs), grad(loss, (0, 1))(a, b),
                    L.ragged_dot(a.astype(np.int8), b.astype(np.int8), gs))
        return lambda a, b: [one(a, b, gs) for gs in sizes]

    assert_same(jax.jit(run(jl, jax.grad))(lhs, rhs), run(nl, nablax.grad)(lhs, rhs), rtol=1e-4)


def test_ragged_dot_general_modes():
    gs = np.array([1, 3], np.int32)
    cases = [  # (lhs, rhs, dimension numbers, ragged dim, group dims)
        (RNG.standard_normal((2, 4, 3)), RNG.standard_normal((2, 2, 3, 5)), (((2,), (2,)), ((0,), (1,))), 1, (0,)),
        (RNG.standard_normal((4, 3)), RNG.standard_normal((4, 5)), (((0,), (0,)), ((), ())), 0, ()),
        (RNG.standard_normal((4, 2, 3)), RNG.standard_normal((4, 3, 5)), (((2,), (1,)), ((0,), (0,))), 0, ()),
    ]
    for lhs, rhs, dot_dn, ragged, group in cases:
        lhs, rhs = lhs.astype(np.float32), rhs.astype(np.float32)
        outs = [L.ragged_dot_general(lhs, rhs, gs, L.RaggedDotDimensionNumbers(dot_dn, [ragged], list(group)))
                for L in (jl, nl)]
        assert_same(*outs, rtol=1e-5, atol=1e-5)


def test_scaled_dot():
    lhs = RNG.standard_normal((2, 3, 64)).astype(np.float32)
    rhs = RNG.standard_normal((2, 64, 5)).astype(np.float32)
    ls = np.exp2(RNG.integers(-2, 3, (2, 3, 2))).astype(np.float32)
    rs = np.exp2(RNG.integers(-2, 3, (2, 2, 5))).astype(np.float32)
    def run(L):
        return lambda *a: [L.scaled_dot(*a[:2], lhs_scale=a[2], rhs_scale=a[3], preferred_element_type=t)
                           for t in (None, np.float32)]

    assert_same(jax.jit(run(jl))(lhs, rhs, ls, rs), run(nl)(lhs, rhs, ls, rs), rtol=1e-2, atol=1e-4)


def _affine(p, q):
    return (q[0] * p[0], q[0] * p[1] + q[1])


def test_associative_scan():
    n = 6  # 6 -> 3 -> 1: even and odd lengths in the recursion
    a = RNG.standard_normal((3, n)).astype(np.float32)
    b = RNG.standard_normal((3, n)).astype(np.float32)

    def run(L, grad):
        loss = lambda a, b: (L.associative_scan(_affine, (a, b), axis=1)[1] ** 2).sum()  # noqa: E731
        return lambda a, b: (L.associative_scan(_affine, (a, b), axis=1), grad(loss, (0, 1))(a, b),
                             L.associative_scan(_affine, (a, b), reverse=True, axis=1))

    assert_same(jax.jit(run(jl, jax.grad))(a, b), run(nl, nablax.grad)(a, b), rtol=1e-4, atol=1e-5)


def _sqrt_with(L, np_mod):
    def solve(f, x0):
        x = x0
        for _ in range(25):
            x = x - f(x) / (2 * x)
        return x

    def sqrt(a):
        return L.custom_root(lambda x: x * x - a, np_mod.ones_like(a), solve, lambda g, y: y / g(np_mod.ones_like(a)))
    return sqrt


def test_custom_root():
    a = np.array([2.0, 5.0], np.float32)

    def run(L, np_mod, grad, jacfwd):
        f = _sqrt_with(L, np_mod)
        g = grad(lambda a: f(a).sum())
        return lambda a: (f(a), g(a), jacfwd(g)(a))

    assert_same(jax.jit(run(jl, jjnp, jax.grad, jax.jacfwd))(a), run(nl, nablax.numpy, nablax.grad, nablax.jacfwd)(a),
                rtol=1e-4)
