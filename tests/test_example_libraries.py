"""nablax.example_libraries.optimizers and .stax, without JAX.

Known values (JAX 0.10.2's, hard-coded: five optimizer steps, parameters drawn from
PRNGKey(0)), hand-computed schedules and layer outputs, NumPy references, training runs
whose loss must fall, jit against eager, vmap against a loop, and finite-difference
gradients through a stax network.
"""
import math

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax.example_libraries import optimizers, stax
from nablax.test_util import check_grads

# ---------------------------------------------------------------- optimizers: known trajectories

# x0 = [1, -2, 0.5], five steps on f(x) = sum(x**2) (gradient 2x); JAX 0.10.2's parameters.
JAX_FIVE_STEPS = {
    "sgd": ((0.1,), [0.32767996191978455, -0.6553599238395691, 0.16383998095989227]),
    "momentum": ((0.1, 0.9), [-0.5804200172424316, 1.1608400344848633, -0.2902100086212158]),
    "nesterov": ((0.1, 0.9), [-0.41571754217147827, 0.8314350843429565, -0.20785877108573914]),
    "adagrad": ((0.1,), [0.9058893322944641, -1.905497431755066, 0.4066969156265259]),
    "rmsprop": ((0.1,), [0.19979512691497803, -1.0489271879196167, 0.0021746265701949596]),
    "rmsprop_momentum": ((0.1,), [-0.785420298576355, 0.5357428789138794, -0.2593667805194855]),
    "adam": ((0.1,), [0.5079683065414429, -1.5029605627059937, 0.027818523347377777]),
    "adamax": ((0.1,), [0.5515539646148682, -1.5257775783538818, 0.10018382966518402]),
    "sm3": ((0.1,), [0.9058893322944641, -1.905497431755066, 0.4066969156265259]),
}


def _run(opt, x0, steps=5, jit=False):
    init, update, get_params = opt
    update = jax.jit(update) if jit else update
    state = init(x0)
    for i in range(steps):
        state = update(i, 2 * get_params(state), state)
    return state


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("name", sorted(JAX_FIVE_STEPS))
def test_five_steps_match_jax(name, jit):
    args, expected = JAX_FIVE_STEPS[name]
    opt = getattr(optimizers, name)(*args)
    x = opt.params_fn(_run(opt, jnp.array([1.0, -2.0, 0.5]), jit=jit))
    assert x.dtype == np.float32 and x.shape == (3,)
    np.testing.assert_allclose(np.asarray(x), expected, rtol=2e-6, atol=2e-6)


def test_adam_matches_the_formula_in_float64():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    x, m, v = np.array([1.0, -2.0, 0.5]), 0.0, 0.0
    for i in range(5):
        g = 2 * x
        m, v = (1 - b1) * g + b1 * m, (1 - b2) * g**2 + b2 * v
        x = x - lr * (m / (1 - b1 ** (i + 1))) / (np.sqrt(v / (1 - b2 ** (i + 1))) + eps)
    np.testing.assert_allclose(JAX_FIVE_STEPS["adam"][1], x, rtol=1e-5, atol=1e-5)  # float32 cancellation near 0


def test_sm3_keeps_one_accumulator_per_axis():
    opt = optimizers.sm3(0.1)
    state = _run(opt, jnp.array([[1.0, -2.0], [0.5, 3.0]]))
    np.testing.assert_allclose(np.asarray(opt.params_fn(state)),
                               [[0.9058893322944641, -1.905497431755066], [0.42806315422058105, 2.9053683280944824]],
                               rtol=2e-6)
    x, m, row_acc, col_acc, *shape = state.packed_state[0]
    assert shape == [2, 2]  # the original shape rides along as leaves, as in JAX
    np.testing.assert_allclose(np.asarray(row_acc), [77.60498809814453, 176.3898162841797], rtol=2e-6)
    np.testing.assert_allclose(np.asarray(col_acc), [18.820098876953125, 176.3898162841797], rtol=2e-6)


def test_sm3_on_a_scalar_keeps_its_shape():
    opt = optimizers.sm3(0.1)
    state = opt.update_fn(0, jnp.float32(1.0), opt.init_fn(jnp.float32(2.0)))
    x = opt.params_fn(state)
    assert x.shape == () and np.isclose(float(x), 1.99)
    assert [np.asarray(a).tolist() for a in state.packed_state[0]] == [[np.float32(1.99)], [np.float32(0.1)], [1.0]]


def test_the_optimizer_decorator_lifts_a_single_array_optimizer():
    @optimizers.optimizer
    def halve():
        return (lambda x: (x, 0.0)), (lambda i, g, s: (s[0] / 2, s[1] + i)), (lambda s: s[0])

    opt = halve()
    assert isinstance(opt, optimizers.Optimizer) and halve.__name__ == "halve"
    params = {"a": jnp.ones(2), "b": (jnp.float32(4.0), jnp.zeros(3))}
    state = opt.update_fn(3, params, opt.init_fn(params))
    assert isinstance(state, optimizers.OptimizerState)
    out = opt.params_fn(state)
    assert jax.tree_util.tree_structure(out) == jax.tree_util.tree_structure(params)
    np.testing.assert_array_equal(np.asarray(out["b"][0]), 2.0)
    assert [float(s[1]) for s in state.packed_state] == [3.0, 3.0, 3.0]


def test_update_rejects_a_gradient_of_another_structure():
    init, update, _ = optimizers.sgd(0.1)
    state = init({"a": jnp.ones(2)})
    with pytest.raises(TypeError, match="gradient tree"):
        update(0, {"b": jnp.ones(2)}, state)


def test_update_rejects_a_state_that_changes_structure():
    @optimizers.optimizer
    def grows():
        return (lambda x: (x,)), (lambda i, g, s: (s[0], s[0])), (lambda s: s[0])

    init, update, _ = grows()
    with pytest.raises(TypeError, match="structure"):
        update(0, jnp.ones(2), init(jnp.ones(2)))


def test_optimizer_state_is_a_pytree_that_jit_and_vmap_carry():
    init, update, get_params = optimizers.momentum(0.1, 0.9)
    state = init({"w": jnp.ones((2, 2)), "b": jnp.zeros(2)})
    leaves, tree = jax.tree_util.tree_flatten(state)
    assert len(leaves) == 4
    rebuilt = jax.tree_util.tree_unflatten(tree, leaves)
    assert isinstance(rebuilt, optimizers.OptimizerState) and rebuilt.tree_def == state.tree_def
    grads = {"w": jnp.full((2, 2), 0.5), "b": jnp.ones(2)}
    eager, jitted = update(2, grads, state), jax.jit(update)(2, grads, state)
    for a, b in zip(jax.tree_util.tree_leaves(eager), jax.tree_util.tree_leaves(jitted)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)
    # One optimizer per row: vmap over stacked parameters equals a loop.
    xs = jnp.array([[1.0, 2.0], [3.0, -1.0]])
    opt = optimizers.adam(0.1)
    batched = jax.vmap(lambda x: opt.params_fn(_run(opt, x, steps=2)))(xs)
    looped = [opt.params_fn(_run(opt, x, steps=2)) for x in xs]
    np.testing.assert_allclose(np.asarray(batched), np.asarray(jnp.stack(looped)), rtol=1e-6)


def test_a_schedule_as_step_size():
    init, update, get_params = optimizers.sgd(optimizers.piecewise_constant([1], [1.0, 0.5]))
    state = init(jnp.float32(0.0))
    for i in range(3):
        state = update(i, jnp.float32(1.0), state)
    assert float(get_params(state)) == -2.5  # steps of 1 (i = 0, 1: not past the boundary), then 0.5


# ---------------------------------------------------------------- schedules

def test_schedule_values():
    assert optimizers.constant(0.3)(7) == 0.3
    assert optimizers.exponential_decay(0.1, 10, 0.5)(20) == pytest.approx(0.025)
    assert optimizers.exponential_decay(0.1, 10, 0.5)(5) == pytest.approx(0.1 * 0.5**0.5)
    assert optimizers.inverse_time_decay(0.1, 4, 0.5)(2) == pytest.approx(0.1 / 1.25)
    stair = optimizers.inverse_time_decay(0.1, 4, 0.5, staircase=True)
    assert [float(stair(i)) for i in (0, 3, 4, 9)] == pytest.approx([0.1, 0.1, 0.1 / 1.5, 0.05])
    poly = optimizers.polynomial_decay(0.1, 4, 0.01, power=2.0)
    assert [float(poly(i)) for i in (0, 2, 4, 10)] == pytest.approx([0.1, 0.25 * 0.09 + 0.01, 0.01, 0.01])
    pw = optimizers.piecewise_constant([2, 5], [1.0, 0.5, 0.1])
    assert [float(pw(i)) for i in (0, 2, 3, 5, 6, 100)] == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.1, 0.1])


def test_schedule_dtypes_are_jaxs():
    assert isinstance(optimizers.exponential_decay(0.1, 10, 0.5)(3), float)  # Python arithmetic on a Python step
    stair = optimizers.inverse_time_decay(0.1, 4, 0.5, staircase=True)(3)
    assert stair.dtype == np.float32 and stair.weak_type
    poly = optimizers.polynomial_decay(0.1, 4, 0.01)(3)
    assert poly.dtype == np.float32 and poly.weak_type
    pw = optimizers.piecewise_constant([2], [1.0, 0.5])(3)
    assert pw.dtype == np.float32 and not pw.weak_type


def test_schedules_jit():
    for sched in (optimizers.exponential_decay(0.1, 10, 0.5), optimizers.polynomial_decay(0.1, 4, 0.01),
                  optimizers.piecewise_constant([2, 5], [1.0, 0.5, 0.1]),
                  optimizers.inverse_time_decay(0.1, 4, 0.5, staircase=True)):
        for i in (0, 3, 7):
            np.testing.assert_allclose(float(jax.jit(sched)(i)), float(sched(i)), rtol=1e-6)


def test_make_schedule():
    f = lambda i: i  # noqa: E731
    assert optimizers.make_schedule(f) is f
    assert optimizers.make_schedule(0.5)(3) == 0.5
    assert float(optimizers.make_schedule(jnp.float32(0.25))(1)) == 0.25
    with pytest.raises(TypeError):
        optimizers.make_schedule([0.1, 0.2])


@pytest.mark.parametrize("boundaries,values", [([1, 2], [1.0, 2.0]), ([[1]], [[1.0, 2.0]]), (1, [1.0, 2.0])])
def test_piecewise_constant_rejects_mismatched_sequences(boundaries, values):
    with pytest.raises(ValueError, match="boundaries"):
        optimizers.piecewise_constant(boundaries, values)


# ---------------------------------------------------------------- utilities and serialization

def test_l2_norm_and_clip_grads():
    tree = {"a": jnp.array([3.0, 0.0]), "b": [jnp.float32(4.0)]}
    assert float(optimizers.l2_norm(tree)) == 5.0
    empty = optimizers.l2_norm({})
    assert float(empty) == 0.0 and empty.weak_type
    clipped = optimizers.clip_grads(tree, 1.0)
    np.testing.assert_allclose(np.asarray(clipped["a"]), [0.6, 0.0], rtol=1e-6)
    assert float(optimizers.l2_norm(clipped)) == pytest.approx(1.0)
    kept = optimizers.clip_grads(tree, 10.0)
    np.testing.assert_array_equal(np.asarray(kept["b"][0]), 4.0)
    check_grads(lambda a: optimizers.l2_norm({"x": a}), (np.array([1.0, -2.0, 0.5]),), order=2)


def test_pack_unpack_round_trip():
    params = {"w": jnp.ones((2, 3)), "layers": [jnp.zeros(2), jnp.float32(1.0)]}
    init, update, get_params = optimizers.adam(0.1)
    state = update(0, params, init(params))
    marked = optimizers.unpack_optimizer_state(state)
    points = jax.tree_util.tree_leaves(marked)
    assert len(points) == 3 and all(isinstance(p, optimizers.JoinPoint) for p in points)
    assert [len(p.subtree) for p in points] == [3, 3, 3] and list(points[0]) == [points[0].subtree]
    packed = optimizers.pack_optimizer_state(marked)
    assert packed.tree_def == state.tree_def and packed.subtree_defs == state.subtree_defs
    for a, b in zip(jax.tree_util.tree_leaves(packed), jax.tree_util.tree_leaves(state)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    again = update(1, params, packed)
    np.testing.assert_allclose(np.asarray(get_params(again)["w"]), np.asarray(get_params(update(1, params, state))["w"]))
    with pytest.raises(AssertionError, match="JoinPoint"):
        optimizers.pack_optimizer_state({"w": jnp.ones(2)})


def test_safe_helpers():
    assert optimizers.safe_map(lambda a, b: a + b, [1, 2], (3, 4)) == [4, 6]
    assert optimizers.safe_zip("ab", [1, 2]) == [("a", 1), ("b", 2)]
    assert optimizers.map is optimizers.safe_map and optimizers.zip is optimizers.safe_zip
    assert optimizers.unzip2([]) == ((), ())
    assert optimizers.unzip2(iter([(1, 2), (3, 4)])) == ((1, 3), (2, 4))
    with pytest.raises(ValueError):
        optimizers.safe_zip([1], [1, 2])
    with pytest.raises(ValueError):
        optimizers.safe_map(max, [1, 2], [1])
    with pytest.raises(TypeError):
        optimizers.safe_zip()


# ---------------------------------------------------------------- stax: parameters JAX draws

KEY = jax.random.PRNGKey(0)


def test_dense_parameters_are_jaxs():
    out_shape, (W, b) = stax.Dense(3)[0](KEY, (2, 4))
    assert out_shape == (2, 3) and W.shape == (4, 3) and b.shape == (3,)
    np.testing.assert_allclose(float(W.sum()), -2.1040134, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(W[0]), [0.5720340609550476, -0.5183408856391907, -0.42999786138534546],
                               rtol=1e-6)
    np.testing.assert_allclose(np.asarray(b), [-0.024424556642770767, -0.020356804132461548, 0.0020554421935230494],
                               rtol=1e-6)


def test_conv_parameters_are_jaxs():
    out_shape, (W, b) = stax.Conv(2, (3, 3))[0](KEY, (1, 5, 5, 1))
    assert out_shape == (1, 3, 3, 2) and W.shape == (3, 3, 1, 2) and b.shape == (1, 1, 1, 2)
    np.testing.assert_allclose(float(W.sum()), -0.6712628, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(W).ravel()[:3], [0.29126548767089844, -0.26392629742622375,
                                                           -0.2189442217350006], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(b).ravel(), [-2.442455752316164e-06, -2.0356806089694146e-06], rtol=1e-6)


def test_serial_splits_keys_as_jax():
    _, params = stax.serial(stax.Dense(2), stax.Relu, stax.Dense(1))[0](KEY, (3,))
    assert params[1] == ()
    expected = [[0.1364275962114334, -0.5234276652336121, -0.8373956680297852, -0.2810562551021576,
                 -0.6779015064239502, 0.19641567766666412], [-0.013356249779462814, -0.0035256301052868366],
                [0.03280113264918327, -1.1987627744674683], [-0.000604900240432471]]
    for leaf, want in zip(jax.tree_util.tree_leaves(params), expected):
        np.testing.assert_allclose(np.asarray(leaf).ravel(), want, rtol=1e-6)


def test_dropout_keeps_jaxs_entries():
    out = stax.Dropout(0.5)[1]((), jnp.arange(1.0, 9.0), rng=KEY)
    np.testing.assert_array_equal(np.asarray(out), [0.0, 0.0, 6.0, 8.0, 0.0, 12.0, 14.0, 0.0])
    assert stax.Dropout(0.5, mode="test")[1]((), jnp.ones(3), rng=KEY).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="PRNG key"):
        stax.Dropout(0.5)[1]((), jnp.ones(3))


# ---------------------------------------------------------------- stax: shapes and values

SHAPES = [
    (stax.Dense(7), (5, 3), (5, 7)),
    (stax.Conv(4, (3, 3), strides=(2, 2), padding="SAME"), (2, 9, 8, 3), (2, 5, 4, 4)),
    (stax.GeneralConv(("NCHW", "OIHW", "NCHW"), 6, (2, 3)), (1, 2, 5, 5), (1, 6, 4, 3)),
    (stax.ConvTranspose(3, (3, 3), strides=(2, 2), padding="SAME"), (1, 4, 5, 2), (1, 8, 10, 3)),
    (stax.Conv1DTranspose(2, (3,)), (2, 6, 3), (2, 8, 2)),
    (stax.MaxPool((2, 2), strides=(2, 2)), (1, 5, 5, 3), (1, 2, 2, 3)),
    (stax.AvgPool((3, 3), padding="SAME"), (1, 5, 4, 2), (1, 5, 4, 2)),
    (stax.SumPool((2, 2), spec="NCHW"), (1, 3, 4, 4), (1, 3, 3, 3)),
    (stax.BatchNorm(), (4, 3, 3, 2), (4, 3, 3, 2)),
    (stax.Flatten, (2, 3, 4, 5), (2, 60)),
    (stax.Identity, (4,), (4,)),
    (stax.serial(stax.FanOut(2), stax.parallel(stax.Dense(3), stax.Dense(5)), stax.FanInConcat()), (2, 4), (2, 8)),
    (stax.serial(stax.FanOut(2), stax.parallel(stax.Dense(4), stax.Identity), stax.FanInSum), (3, 4), (3, 4)),
    (stax.shape_dependent(lambda s: stax.Dense(s[-1] + 1)), (2, 3), (2, 4)),
]


@pytest.mark.parametrize("k", range(len(SHAPES)))
def test_init_shapes_are_the_apply_shapes(k):
    (init, apply), in_shape, out_shape = SHAPES[k]
    shape, params = init(KEY, in_shape)
    assert tuple(shape) == out_shape
    y = apply(params, jnp.ones(in_shape), rng=KEY)
    assert y.shape == out_shape and y.dtype == np.float32


def test_pools_match_numpy():
    x = np.arange(2 * 4 * 4 * 1, dtype=np.float32).reshape(2, 4, 4, 1) % 7
    windows = x.reshape(2, 2, 2, 2, 2, 1).transpose(0, 1, 3, 2, 4, 5).reshape(2, 2, 2, 4, 1)
    for layer, ref in [(stax.MaxPool, windows.max(3)), (stax.SumPool, windows.sum(3)), (stax.AvgPool, windows.mean(3))]:
        out = layer((2, 2), strides=(2, 2))[1]((), jnp.asarray(x))
        np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-6)


def test_avg_pool_same_divides_by_the_real_window_size():
    out = stax.AvgPool((3, 3), padding="SAME")[1]((), jnp.ones((1, 3, 3, 1)))
    np.testing.assert_allclose(np.asarray(out), np.ones((1, 3, 3, 1)), rtol=1e-6)
    summed = stax.SumPool((3, 3), padding="SAME")[1]((), jnp.ones((1, 3, 3, 1)))
    np.testing.assert_array_equal(np.asarray(summed)[0, :, :, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])
    # spec puts the channel axis second: the counts broadcast along it
    nchw = stax.AvgPool((2, 2), padding="SAME", spec="NCHW")[1]((), jnp.ones((1, 2, 3, 3)))
    np.testing.assert_allclose(np.asarray(nchw), np.ones((1, 2, 3, 3)), rtol=1e-6)


def test_batchnorm_standardizes_and_applies_gamma_beta():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(8, 3)).astype(np.float32)
    init, apply = stax.BatchNorm(axis=0)
    shape, (beta, gamma) = init(KEY, (8, 3))
    assert shape == (8, 3) and beta.shape == gamma.shape == (3,)
    z = np.asarray(apply((beta, gamma), jnp.asarray(x)))
    np.testing.assert_allclose(z.mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(z, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-4, atol=1e-5)
    shifted = apply((jnp.full(3, 1.0), jnp.full(3, 2.0)), jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(shifted), 2 * z + 1, rtol=1e-5, atol=1e-5)
    init, apply = stax.BatchNorm(axis=0, center=False, scale=False)
    _, params = init(KEY, (8, 3))
    assert params == ((), ())
    np.testing.assert_allclose(np.asarray(apply(params, jnp.asarray(x))), z, rtol=1e-5, atol=1e-5)


def test_elementwise_layers():
    x = jnp.array([[-1.0, 0.0, 2.0]])
    for layer, ref in [(stax.Relu, np.maximum(x, 0)), (stax.Tanh, np.tanh(x)), (stax.Exp, np.exp(x)),
                       (stax.Sigmoid, 1 / (1 + np.exp(-np.asarray(x)))), (stax.Softplus, np.log1p(np.exp(x))),
                       (stax.Softmax, np.exp(x) / np.exp(x).sum()), (stax.LogSoftmax, x - np.log(np.exp(x).sum())),
                       (stax.LeakyRelu, np.where(x > 0, x, 0.01 * np.asarray(x))),
                       (stax.Elu, np.where(x > 0, x, np.expm1(x)))]:
        assert layer[0](KEY, (1, 3)) == ((1, 3), ())
        np.testing.assert_allclose(np.asarray(layer[1]((), x)), ref, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(float(stax.Selu[1]((), jnp.float32(-1.0))), 1.0507009873554805 * 1.6732632423543772
                               * math.expm1(-1.0), rtol=1e-6)
    np.testing.assert_allclose(float(stax.Gelu[1]((), jnp.float32(1.0))), 0.8411920071, rtol=1e-6)
    leaky = stax.elementwise(stax.leaky_relu, negative_slope=0.5)[1]((), x)
    np.testing.assert_array_equal(np.asarray(leaky), [[-0.5, 0.0, 2.0]])
    assert stax.glorot is stax.glorot_normal and stax.randn is stax.normal and stax.logsoftmax is stax.log_softmax


def test_fan_layers():
    x = jnp.arange(6.0).reshape(2, 3)
    assert stax.FanOut(3)[1]((), x) == [x, x, x]
    assert stax.FanOut(2)[0](KEY, (2, 3)) == ([(2, 3), (2, 3)], ())
    assert stax.FanInSum[1]((), [x, x]).tolist() == (2 * np.arange(6.0).reshape(2, 3)).tolist()
    assert stax.FanInConcat(0)[0](KEY, [(2, 3), (4, 3)]) == ((6, 3), ())
    assert stax.FanInConcat()[1]((), [x, x]).shape == (2, 6)


def test_serial_and_parallel_hand_distinct_keys_to_layers():
    init, apply = stax.serial(stax.Dropout(0.5), stax.Dropout(0.5))
    _, params = init(KEY, (50,))
    once = np.asarray(apply(params, jnp.ones(50), rng=KEY))
    assert set(np.unique(once)) <= {0.0, 4.0} and 0 < (once == 4.0).sum() < 50
    np.testing.assert_array_equal(np.asarray(apply(params, jnp.ones(50), rng=KEY)), once)  # deterministic
    init, apply = stax.parallel(stax.Dropout(0.5), stax.Dropout(0.5))
    shapes, params = init(KEY, [(40,), (40,)])
    assert shapes == ((40,), (40,)) and params == ((), ())
    a, b = apply(params, [jnp.ones(40), jnp.ones(40)], rng=KEY)
    assert not np.array_equal(np.asarray(a), np.asarray(b))


def test_apply_jit_vmap_and_grad():
    init, apply = stax.serial(stax.Dense(4), stax.Tanh, stax.Dense(2), stax.LogSoftmax)
    _, params = init(KEY, (-1, 3))
    x = jnp.asarray(np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32))
    eager = apply(params, x)
    np.testing.assert_allclose(np.asarray(jax.jit(apply)(params, x)), np.asarray(eager), rtol=1e-6)
    per_row = jax.vmap(lambda row: apply(params, row))(x)
    np.testing.assert_allclose(np.asarray(per_row), np.asarray(eager), rtol=1e-6)
    p64 = jax.tree_util.tree_map(lambda a: np.asarray(a, np.float64), params)
    check_grads(lambda p: apply(p, np.asarray(x, np.float64)), (p64,), order=1, modes=["rev"])


def test_conv_apply_matches_a_direct_sum():
    x = np.random.default_rng(2).normal(size=(1, 4, 4, 2)).astype(np.float32)
    _, (W, b) = stax.Conv(3, (2, 2))[0](KEY, x.shape)
    out = np.asarray(stax.Conv(3, (2, 2))[1]((W, b), jnp.asarray(x)))
    Wn = np.asarray(W)
    ref = np.stack([[np.einsum("hwi,hwio->o", x[0, r:r + 2, c:c + 2], Wn) for c in range(3)] for r in range(3)])
    np.testing.assert_allclose(out[0], ref + np.asarray(b)[0, 0], rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- training: the loss falls

def _mlp_problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    labels = (x[:, 0] + x[:, 1] > 0).astype(np.int32)
    return jnp.asarray(x), jnp.asarray(np.eye(2, dtype=np.float32)[labels])


def _train(net, input_shape, x, targets, opt, steps):
    init, apply = net
    _, params = init(KEY, input_shape)
    o_init, o_update, o_params = opt

    def loss(p):
        return -jnp.mean(jnp.sum(apply(p, x) * targets, axis=-1))

    # get_params stays outside jit: sm3's state carries the parameter shape as leaves, which
    # jit would trace (JAX fails the same way).
    value_and_grad, update = jax.jit(jax.value_and_grad(loss)), jax.jit(o_update)
    state, losses = o_init(params), []
    for i in range(steps):
        value, grads = value_and_grad(o_params(state))
        state = update(i, grads, state)
        losses.append(float(value))
    return losses + [float(loss(o_params(state)))]


OPTS = {
    "sgd": lambda: optimizers.sgd(0.5),
    "momentum": lambda: optimizers.momentum(0.2, 0.9),
    "nesterov": lambda: optimizers.nesterov(0.2, 0.9),
    "adagrad": lambda: optimizers.adagrad(0.3),
    "rmsprop": lambda: optimizers.rmsprop(0.02),
    "rmsprop_momentum": lambda: optimizers.rmsprop_momentum(0.01),
    "adam": lambda: optimizers.adam(0.05),
    "adamax": lambda: optimizers.adamax(0.05),
    "sm3": lambda: optimizers.sm3(0.3),
    "adam_scheduled": lambda: optimizers.adam(optimizers.exponential_decay(0.05, 10, 0.5)),
}


@pytest.mark.parametrize("name", sorted(OPTS))
def test_mlp_loss_decreases(name):
    net = stax.serial(stax.Dense(8), stax.Relu, stax.Dense(2), stax.LogSoftmax)
    x, targets = _mlp_problem()
    losses = _train(net, (-1, 4), x, targets, OPTS[name](), steps=6)
    assert losses[-1] < losses[0] - 0.02, losses


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_cnn_loss_decreases(name):
    net = stax.serial(stax.Conv(4, (3, 3), padding="SAME"), stax.BatchNorm(), stax.Relu,
                      stax.MaxPool((2, 2), strides=(2, 2)), stax.Flatten, stax.Dense(2), stax.LogSoftmax)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 6, 6, 1)).astype(np.float32)
    labels = (x[:, :3].sum((1, 2, 3)) > x[:, 3:].sum((1, 2, 3))).astype(np.int32)
    targets = jnp.asarray(np.eye(2, dtype=np.float32)[labels])
    opt = optimizers.sgd(0.1) if name == "sgd" else optimizers.adam(0.02)
    losses = _train(net, (8, 6, 6, 1), jnp.asarray(x), targets, opt, steps=4)
    assert losses[-1] < losses[0] - 0.01, losses
