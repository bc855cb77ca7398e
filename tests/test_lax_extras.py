"""lax_extras: the *_p names bind to the right values, the shape helpers, XLA-style
gather/scatter, ragged dots, associative_scan and custom_root give known answers, agree
eagerly and under jit, and differentiate (check_grads) where JAX's do. No JAX needed."""
from __future__ import annotations

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax._src.lax_extras_prims import __all__ as P_NAMES
from nablax.test_util import check_grads

RNG = np.random.default_rng(0)
F = RNG.uniform(0.2, 0.9, (2, 3)).astype(np.float32)
G = RNG.uniform(0.2, 0.9, (2, 3)).astype(np.float32)
I = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
B = np.array([[True, False, True], [False, False, True]])
C = (F + 1j * G).astype(np.complex64)

UNARY_F = ("abs acos acosh asin asinh atan atanh bessel_i0e bessel_i1e cbrt ceil conj cos cosh digamma erf erf_inv erfc "
           "exp exp2 expm1 floor imag is_finite lgamma log1p log logistic neg real round rsqrt sign sin sinh sqrt "
           "square tan tanh stop_gradient").split()
BINARY_F = "add sub mul div rem max min pow atan2 nextafter eq ne lt le gt ge complex".split()
BINARY_I = "and or xor shift_left shift_right_logical shift_right_arithmetic".split()

# name -> (lax function of the arrays, arrays): the function's Jaxpr ends in the primitive.
CALLS = {
    **{n: (getattr(lax, n), (F + 1.0 if n == "acosh" else C if n in ("imag", "real", "conj") else F,)) for n in UNARY_F},
    **{n: (getattr(lax, n), (F + 1.0, G)) for n in BINARY_F},
    **{n: (getattr(lax, "bitwise_" + n if n in ("and", "or", "xor") else n), (I, I)) for n in BINARY_I},
    "polygamma": (lambda x: lax.polygamma(np.float32(1), x), (F,)), "not": (lax.bitwise_not, (I,)),
    "population_count": (lax.population_count, (I,)),
    "integer_pow": (lambda x: lax.integer_pow(x, 3), (F,)), "clamp": (lax.clamp, (np.float32(0.3), F, np.float32(0.6))),
    "select_n": (lax.select_n, (B, F, G)), "convert_element_type": (lambda x: lax.convert_element_type(x, jnp.int32), (F * 9,)),
    "broadcast_in_dim": (lambda x: lax.broadcast_in_dim(x, (4, 2, 3), (1, 2)), (F,)),
    "reshape": (lambda x: lax.reshape(x, (3, 2)), (F,)), "transpose": (lambda x: lax.transpose(x, (1, 0)), (F,)),
    "rev": (lambda x: lax.rev(x, (1,)), (F,)), "squeeze": (lambda x: lax.squeeze(x, (0,)), (F[:1],)),
    "slice": (lambda x: lax.slice(x, (0, 1), (2, 3)), (F,)),
    "pad": (lambda x: lax.pad(x, np.float32(0), ((1, 0, 1), (0, 2, 0))), (F,)),
    "concatenate": (lambda x, y: lax.concatenate([x, y], 1), (F, G)),
    "iota": (lambda: lax.iota(jnp.int32, 5), ()),
    "dot_general": (lambda x, y: lax.dot_general(x, y, (((1,), (1,)), ((), ()))), (F, G)),
    "conv_general_dilated": (lambda x, w: lax.conv_general_dilated(x, w, (1,), "SAME"),
                             (RNG.standard_normal((1, 2, 6)).astype(np.float32),
                              RNG.standard_normal((3, 2, 3)).astype(np.float32))),
    "dynamic_slice": (lambda x, i: lax.dynamic_slice(x, (0, i), (2, 2)), (F, np.int32(1))),
    "dynamic_update_slice": (lambda x, u, i: lax.dynamic_update_slice(x, u, (0, i)), (F, G[:, :2], np.int32(1))),
    "gather": (lambda x, i: x[i], (F, np.array([1, 0, 1], np.int32))),
    **{n: (lambda x, u, n=n: getattr(jnp.asarray(x).at[np.array([1, 1])], n.replace("scatter_", "").replace("scatter", "set"))(u),
           (F, G)) for n in ("scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max")},
    **{n: (lambda x, n=n: getattr(lax, n)(x, (1,)), (F,)) for n in ("reduce_sum", "reduce_prod", "reduce_max", "reduce_min")},
    **{n: (lambda x, n=n: getattr(lax, n)(x, (1,)), (B,)) for n in ("reduce_and", "reduce_or")},
    "argmax": (lambda x: lax.argmax(x, 1, jnp.int32), (F,)), "argmin": (lambda x: lax.argmin(x, 1, jnp.int32), (F,)),
    **{n: (lambda x, n=n: getattr(lax, n)(x, 1), (F,)) for n in ("cumsum", "cumprod", "cummax", "cummin")},
    "sort": (lambda x: lax.sort(x, 1), (F,)),
    "cond_p": (lambda p, x: lax.cond(p, jnp.sin, jnp.cos, x), (np.bool_(True), F)),
    "while_p": (lambda x: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * 2), (0, x))[1], (F,)),
    "scan_p": (lambda x: lax.scan(lambda c, r: (c + r, c * r), np.zeros(3, np.float32), x), (F,)),
    "linear_solve_p": (lambda b: lax.custom_linear_solve(lambda x: 2.0 * x, b, lambda mv, r: r / 2.0), (F,)),
}
COLLECTIVES = {"psum": lambda x: lax.psum(x, "i"), "pmax": lambda x: lax.pmax(x, "i"),
               "pmin": lambda x: lax.pmin(x, "i"), "all_gather": lambda x: lax.all_gather(x, "i"),
               "axis_index": lambda x: lax.axis_index("i") + 0 * x.astype(jnp.int32)}


def _name(p_name: str) -> str:
    return p_name if p_name in CALLS else p_name[:-2]


def _bind_last(fn, args):
    """fn's Jaxpr evaluated by binding every equation with its printed params; returns
    (the last equation's primitive, the outputs)."""
    closed = nablax.make_jaxpr(fn)(*args)
    jaxpr = closed.jaxpr
    env = dict(zip(jaxpr.constvars, closed.consts))
    env.update(zip(jaxpr.invars, args))
    read = lambda v: env[v] if v in env else v.val  # noqa: E731
    for eqn in jaxpr.eqns:
        out = eqn.primitive.bind(*map(read, eqn.invars), **eqn.params)
        env.update(zip(eqn.outvars, out if eqn.primitive.multiple_results else [out]))
    return jaxpr.eqns[-1].primitive, [read(v) for v in jaxpr.outvars]


def test_every_p_name_has_a_call():
    assert set(P_NAMES) == {f"{_name(n)}_p" if not n.endswith(("cond_p", "while_p", "scan_p", "linear_solve_p")) else n
                            for n in P_NAMES}
    assert {_name(n) for n in P_NAMES} <= set(CALLS) | set(COLLECTIVES)


@pytest.mark.parametrize("p_name", [n for n in P_NAMES if _name(n) in CALLS])
def test_p_bind_gives_the_functions_value(p_name):
    fn, args = CALLS[_name(p_name)]
    prim, outs = _bind_last(fn, args)
    assert prim is getattr(lax, p_name)
    expected = nablax.tree_util.tree_leaves(fn(*args))
    for o, e in zip(outs, expected):
        np.testing.assert_allclose(np.asarray(o), np.asarray(e), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(COLLECTIVES))
def test_collective_p_bind_under_vmap(name):
    p = getattr(lax, f"{name}_p")
    seen = {}

    def body(x):
        j = nablax.make_jaxpr(COLLECTIVES[name])(x).jaxpr
        (eqn,) = [e for e in j.eqns if e.primitive is p]
        seen["params"] = eqn.params
        return p.bind(*([x] if eqn.invars else []), **eqn.params)

    xs = jnp.asarray(F)
    out = nablax.vmap(body, axis_name="i")(xs)
    ref = nablax.vmap(lambda x: COLLECTIVES[name](x) if name != "axis_index" else lax.axis_index("i"),
                      axis_name="i")(xs)
    np.testing.assert_allclose(np.asarray(out), np.asarray(ref))


# ------------------------------------------------------------------------ shapes and constructors

def test_full_family():
    assert lax.full((2,), 1.0).weak_type and lax.full((2,), np.int8(3)).dtype == np.int8
    assert lax.full(3, 1).shape == (3,)
    with pytest.raises(TypeError, match="scalar fill_value"):
        lax.full((2,), [1.0, 2.0])
    y = lax.full_like(F, 2, shape=(4,))
    assert y.shape == (4,) and y.dtype == np.float32 and not y.weak_type
    assert lax.full_like(2.0, 3).weak_type and lax.full_like(F, 1, jnp.int8).dtype == np.int8
    np.testing.assert_array_equal(lax.empty((2, 2), jnp.int32), np.zeros((2, 2), np.int32))
    assert lax.broadcast_shapes((3, 1), (1, 4), (5, 1, 1)) == (5, 3, 4)
    with pytest.raises(ValueError, match="Incompatible"):
        lax.broadcast_shapes((3, 1), (4, 1))
    assert lax.broadcast_to_rank(1.0, 2).shape == (1, 1) and lax.broadcast_to_rank(F, 1).shape == (2, 3)
    np.testing.assert_array_equal(lax.broadcast_like(np.arange(3), np.zeros((2, 3))), np.tile(np.arange(3), (2, 1)))
    np.testing.assert_array_equal(lax.shape_as_value((2, 3)), [2, 3])
    assert lax.dtype(1.0) == np.float32 and lax.dtype("int8") == np.int8
    np.testing.assert_allclose(lax.reciprocal(F), 1 / F, rtol=1e-6)
    with pytest.raises(TypeError):
        lax.reciprocal(I)


def test_split_tile_stack_collapse():
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    parts = lax.split(x, (1, 3), axis=-1)
    np.testing.assert_array_equal(parts[1], x[..., 1:])
    with pytest.raises(ValueError, match="Sum of sizes"):
        lax.split(x, (1, 1), axis=2)
    np.testing.assert_array_equal(lax.tile(x, (1, 2, 3)), np.tile(x, (1, 2, 3)))
    with pytest.raises(TypeError, match="reps length"):
        lax.tile(x, (2,))
    np.testing.assert_array_equal(lax.stack([x, x + 1], axis=-1), np.stack([x, x + 1], -1))
    np.testing.assert_array_equal(lax.unstack(x, 1)[2], x[:, 2])
    assert lax.collapse(x, 1).shape == (2, 12) and lax.collapse(x, 0, 2).shape == (6, 4)
    with pytest.raises(ValueError, match="collapse"):
        lax.collapse(x, 2, 1)
    check_grads(lambda a: (lax.stack(lax.split(a, (2, 2), 2)[::-1], 0) ** 2, lax.tile(a, (1, 2, 1)) ** 3), (x / 10,),
                order=2, modes=("fwd", "rev"))


def test_in_dim_helpers():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(lax.index_in_dim(x, -1, 1, False), x[:, 2])
    with pytest.raises(IndexError):
        lax.index_in_dim(x, 3, 1)
    np.testing.assert_array_equal(lax.dynamic_slice_in_dim(x, -1, 2, 1), x[:, 1:])
    with pytest.raises(ValueError, match="allow_negative_indices"):
        lax.dynamic_slice_in_dim(x, -1, 2, 1, allow_negative_indices=False)
    f = nablax.jit(lambda x, i: lax.dynamic_index_in_dim(x, i, 1, False, allow_negative_indices=False))
    np.testing.assert_array_equal(f(x, -2), x[:, 0])  # traced negative: clamped at 0
    np.testing.assert_array_equal(lax.dynamic_update_index_in_dim(x, np.ones(2, np.float32), -1, 1)[:, 2], [1, 1])


def test_identity_like_functions():
    assert lax.with_sharding_constraint(F, object()) is F
    with pytest.raises(ValueError):
        lax.with_sharding_constraint(F, None)
    assert lax.pcast(F, (), to="varying") is F
    with pytest.raises(ValueError, match="shard_map"):
        lax.pcast(F, "i", to="varying")
    assert lax.dce_sink((F, G)) is None
    assert lax.stage(3.0).weak_type
    np.testing.assert_allclose(lax.composite(lambda x, *, k: x * k, name="my.scale")(F, k=2.0), 2 * F)
    assert float(lax.platform_dependent(1.0, cpu=lambda v: v + 1, default=lambda v: v - 1)) == 2.0
    assert float(lax.platform_dependent(1.0, tpu=lambda v: v + 1, default=lambda v: v - 1)) == 0.0
    with pytest.raises(NotImplementedError):
        lax.platform_dependent(1.0, tpu=lambda v: v)


def test_precision_types():
    assert lax.Precision("float32") is lax.Precision.HIGHEST and lax.Precision("bfloat16_3x") is lax.Precision.HIGH
    assert repr(lax.Precision.HIGH) == "Precision.HIGH" and str(lax.Precision.HIGH) == "HIGH"
    with pytest.raises(ValueError):
        lax.Precision("x")
    for p in (lax.Precision.HIGHEST, (lax.Precision.HIGH, lax.Precision.DEFAULT), ("high", "default"),
              lax.DotAlgorithmPreset.F32_F32_F32,
              lax.DotAlgorithm(np.float32, np.float32, np.float32), "BF16_BF16_F32"):
        np.testing.assert_allclose(lax.dot(F, G.T, precision=p), F @ G.T, rtol=1e-6)
        np.testing.assert_allclose(jnp.matmul(F, G.T, precision=p), F @ G.T, rtol=1e-6)
    x, w = np.ones((1, 2, 6), np.float32), np.ones((3, 2, 3), np.float32)
    np.testing.assert_array_equal(lax.conv_general_dilated(x, w, (1,), "SAME", precision="F32_F32_F32"),
                                  lax.conv_general_dilated(x, w, (1,), "SAME"))
    for bad in ("fast", (lax.Precision.HIGH, "default"), 1):
        with pytest.raises(ValueError, match="precision"):
            lax.dot_general(F, G, (((1,), (1,)), ((), ())), precision=bad)
        with pytest.raises(ValueError, match="precision"):
            lax.dot(F, G.T, bad)
        with pytest.raises(ValueError, match="precision"):
            lax.conv_general_dilated(x, w, (1,), "SAME", precision=bad)
    assert lax.GatherScatterMode.from_any("drop") is lax.GatherScatterMode.FILL_OR_DROP
    with pytest.raises(ValueError):
        lax.GatherScatterMode.from_any("wrap")
    with pytest.raises(ValueError):
        lax.Tolerance()
    dn = lax.RaggedDotDimensionNumbers([[[1], [1]], [[], []]], [0], [0])
    assert dn.dot_dimension_numbers == (((1,), (1,)), ((), ())) and dn.lhs_ragged_dimensions == (0,)


# ------------------------------------------------------------------------ gather / scatter

DG = lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
DS = lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))


def test_xla_gather_rows_and_modes():
    x = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    idx = np.array([[2], [0], [7], [-1]], np.int32)
    np.testing.assert_array_equal(lax.gather(x, idx, DG, (1, 3)), x[[2, 0, 3, 0]])  # promise: clamped
    filled = np.asarray(lax.gather(x, idx, DG, (1, 3), mode="fill", fill_value=-1.0))
    np.testing.assert_array_equal(filled, np.stack([x[2], x[0], -np.ones(3), -np.ones(3)]))
    # a window (2 x 2) partly out of range: clipped start vs filled window
    dn = lax.GatherDimensionNumbers(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=(0, 1))
    start = np.array([[3, 2]], np.int32)
    np.testing.assert_array_equal(lax.gather(x, start, dn, (2, 2), mode="clip")[0], x[2:4, 1:3])
    assert np.isnan(np.asarray(lax.gather(x, start, dn, (2, 2), mode=lax.GatherScatterMode.FILL_OR_DROP))).all()
    f = nablax.jit(lambda x, i: lax.gather(x, i, DG, (1, 3)))
    np.testing.assert_array_equal(f(x, idx), lax.gather(x, idx, DG, (1, 3)))
    check_grads(lambda x: lax.gather(x, np.array([[1], [1], [3]], np.int32), DG, (1, 3), mode="clip"), (x,), order=2,
                modes=("fwd", "rev"))


def test_xla_gather_batching_dims():
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)  # batch 2: pick one row per (batch, k)
    idx = np.array([[[2], [0]], [[1], [1]]], np.int32)
    dn = lax.GatherDimensionNumbers(offset_dims=(2,), collapsed_slice_dims=(1,), start_index_map=(1,),
                                    operand_batching_dims=(0,), start_indices_batching_dims=(0,))
    out = lax.gather(x, idx, dn, (1, 1, 4))
    np.testing.assert_array_equal(out, np.stack([x[0, [2, 0]], x[1, [1, 1]]]))


def test_xla_scatters():
    x = np.zeros((4, 3), np.float32)
    idx = np.array([[1], [1], [9]], np.int32)
    u = np.arange(9.0, dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(lax.scatter_add(x, idx, u, DS)[1], u[0] + u[1])  # index 9 dropped
    np.testing.assert_array_equal(lax.scatter_add(x, idx, u, DS, mode="clip")[3], u[2])
    np.testing.assert_array_equal(lax.scatter_sub(x, idx, u, DS)[1], -(u[0] + u[1]))
    np.testing.assert_array_equal(lax.scatter_max(x - 1, idx, u, DS)[1], np.maximum(u[0], u[1]))
    np.testing.assert_array_equal(lax.scatter_mul(x + 2, idx, u, DS)[1], 2 * u[0] * u[1])
    np.testing.assert_array_equal(lax.scatter(x, idx[:1], u[:1], DS)[1], u[0])
    check_grads(lambda x, u: lax.scatter_mul(x, idx, u, DS), (x + 1.5, u / 9 + 0.5), order=2, modes=("fwd", "rev"))
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))
    v = np.arange(5.0, dtype=np.float32)
    out = lax.scatter_apply(v, np.array([[1], [1], [3]], np.int32), lambda e: e * 2 + 1, dn, update_shape=(3,))
    np.testing.assert_array_equal(out, [0, 7, 2, 7, 4])  # index 1 twice: applied twice, as XLA
    taken = lax.index_take(np.arange(24).reshape(2, 3, 4), (np.array([0, 1, -1]), np.array([3, 5, 1])), (0, 2))
    np.testing.assert_array_equal(taken, [[3, 7, 11], [13, 17, 21], [13, 17, 21]])


def test_numpy_style_forms_still_work():
    np.testing.assert_array_equal(lax.gather(F, (np.array([1, 0]),)), F[[1, 0]])
    np.testing.assert_array_equal(lax.scatter_add(F, (np.array([1, 1]),), np.ones((2, 3), np.float32))[1], F[1] + 2)


# ------------------------------------------------------------------------ dots, scans, roots

def _ragged_reference(lhs, rhs, sizes):
    out = np.zeros((lhs.shape[0], rhs.shape[2]), np.float32)
    start = 0
    for g, n in enumerate(sizes):
        out[start:start + n] = lhs[start:start + n] @ rhs[g]
        start += n
    return out


def test_ragged_dot():
    lhs = RNG.standard_normal((6, 3)).astype(np.float32)
    rhs = RNG.standard_normal((3, 3, 2)).astype(np.float32)
    sizes = np.array([2, 0, 3], np.int32)
    np.testing.assert_allclose(lax.ragged_dot(lhs, rhs, sizes), _ragged_reference(lhs, rhs, sizes), atol=1e-6)
    np.testing.assert_allclose(nablax.jit(lax.ragged_dot)(lhs, rhs, sizes), _ragged_reference(lhs, rhs, sizes),
                               atol=1e-6)
    check_grads(lambda a, b: lax.ragged_dot(a, b, sizes), (lhs, rhs), order=2, modes=("fwd", "rev"))
    dn = lax.RaggedDotDimensionNumbers((((0,), (0,)), ((), ())), [0], [])  # ragged contracting dim
    r2 = RNG.standard_normal((6, 2)).astype(np.float32)
    out = lax.ragged_dot_general(lhs, r2, sizes, dn)
    np.testing.assert_allclose(out[2], lhs[2:5].T @ r2[2:5], atol=1e-6)
    with pytest.raises(TypeError, match="group_sizes"):
        lax.ragged_dot(lhs, rhs, np.array([1, 2], np.int32))


def test_scaled_dot_blocks():
    lhs = np.ones((2, 4), np.float32)
    rhs = np.ones((4, 3), np.float32)
    scale = np.array([[1.0, 2.0], [4.0, 8.0]], np.float32)  # (2, 4 // 2): one scale per 2 columns
    out = lax.scaled_dot(lhs, rhs, lhs_scale=scale, preferred_element_type=jnp.float32)
    np.testing.assert_array_equal(out, [[6.0] * 3, [24.0] * 3])
    assert lax.scaled_dot(lhs, rhs).dtype == jnp.bfloat16


def test_associative_scan():
    x = RNG.standard_normal((7, 2)).astype(np.float32)
    np.testing.assert_allclose(lax.associative_scan(lax.add, x), np.cumsum(x, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(lax.associative_scan(lax.add, x, reverse=True), np.cumsum(x[::-1], 0)[::-1], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(lax.associative_scan(lax.max, x, axis=-2), np.maximum.accumulate(x, 0))

    def compose(p, q):  # affine maps t -> a t + b, applied left to right: not commutative
        return {"a": q["a"] * p["a"], "b": q["a"] * p["b"] + q["b"]}

    a, b = x[:, 0], x[:, 1]
    out = lax.associative_scan(compose, {"a": a, "b": b})
    ref_b, t = [], 0.0
    for ai, bi in zip(a, b):
        t = ai * t + bi
        ref_b.append(t)
    np.testing.assert_allclose(out["b"], ref_b, rtol=1e-5, atol=1e-6)
    check_grads(lambda v: lax.associative_scan(lax.mul, v, axis=0), (x[:5],), order=2, modes=("fwd", "rev"))
    batched = nablax.vmap(lambda v: lax.associative_scan(lax.add, v))(x.T)
    np.testing.assert_allclose(batched, np.cumsum(x, 0).T, rtol=1e-5, atol=1e-6)


def _newton_solve(f, x0):
    x = x0
    for _ in range(25):
        x = x - f(x) / (2 * x)
    return x


def _sqrt(a):
    return lax.custom_root(lambda x: x * x - a, 1.0, _newton_solve, lambda g, y: y / g(1.0))


def test_custom_root_implicit_derivatives():
    np.testing.assert_allclose(_sqrt(2.0), np.sqrt(2.0), rtol=1e-6)
    np.testing.assert_allclose(nablax.grad(_sqrt)(2.0), 0.5 / np.sqrt(2.0), rtol=1e-5)
    np.testing.assert_allclose(nablax.grad(nablax.grad(_sqrt))(2.0), -0.25 * 2.0 ** -1.5, rtol=1e-4)
    np.testing.assert_allclose(nablax.jit(nablax.grad(_sqrt))(4.0), 0.25, rtol=1e-5)
    np.testing.assert_allclose(nablax.vmap(nablax.grad(_sqrt))(jnp.array([4.0, 9.0])), [0.25, 1 / 6], rtol=1e-5)
    check_grads(_sqrt, (3.0,), order=2, modes=("fwd", "rev"))

    def solve_aux(f, x0):  # has_aux: the solver also reports its iteration count
        return _newton_solve(f, x0), jnp.int32(25)

    sol, its = lax.custom_root(lambda x: x * x - 9.0, 1.0, solve_aux, lambda g, y: y / g(1.0), has_aux=True)
    assert int(its) == 25 and abs(float(sol) - 3.0) < 1e-6
