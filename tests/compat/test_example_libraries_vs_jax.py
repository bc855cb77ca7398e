"""nablax.example_libraries (optimizers, stax) against jax.example_libraries: the same program in both.

The same key gives the same parameters and output shapes, the same inputs the same layer
outputs, and the optimizers follow the same trajectories (five steps, eager and under jit),
to float32 rounding; schedules agree in value, dtype and weak type.
"""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax.example_libraries import optimizers as j_opt  # noqa: E402
from jax.example_libraries import stax as j_stax  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from nablax.example_libraries import optimizers as n_opt  # noqa: E402
from nablax.example_libraries import stax as n_stax  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402


def test_the_public_names_are_jaxs():
    for n_mod, j_mod in [(n_opt, j_opt), (n_stax, j_stax)]:
        j_names = {k for k in dir(j_mod) if not k.startswith("_") and not isinstance(getattr(j_mod, k), type(np))}
        assert j_names <= set(dir(n_mod)), sorted(j_names - set(dir(n_mod)))


# ---------------------------------------------------------------- stax

def _layers(stax):
    """(name, layer, input shape) for each layer, built from one library's stax."""
    return [
        ("dense", stax.Dense(5), (3, 4)),
        ("dense_inits", stax.Dense(3, W_init=stax.randn(0.5), b_init=stax.zeros), (2, 4)),
        ("conv_valid", stax.Conv(3, (3, 3)), (2, 6, 6, 2)),
        ("conv_same_strided", stax.Conv(4, (2, 3), strides=(2, 1), padding="SAME"), (1, 7, 5, 3)),
        ("conv_nchw", stax.GeneralConv(("NCHW", "OIHW", "NCHW"), 3, (2, 2)), (2, 2, 5, 5)),
        ("conv_transpose", stax.ConvTranspose(2, (3, 3), strides=(2, 2), padding="SAME"), (1, 4, 4, 3)),
        ("conv1d_transpose", stax.Conv1DTranspose(2, (3,), padding="VALID"), (2, 6, 3)),
        ("conv_pad_pairs", stax.serial(stax.Conv(2, (3, 3), padding=((1, 0), (2, 1))),
                                       stax.ConvTranspose(1, (2, 2), strides=(2, 1), padding=((0, 1), (1, 1)))),
         (1, 5, 5, 2)),
        ("batchnorm", stax.BatchNorm(), (4, 3, 3, 2)),
        ("batchnorm_axis0_noscale", stax.BatchNorm(axis=0, scale=False), (5, 3)),
        ("batchnorm_nocenter", stax.BatchNorm(axis=(0,), center=False, gamma_init=stax.randn()), (5, 3)),
        ("maxpool", stax.MaxPool((2, 2)), (2, 5, 5, 3)),
        ("maxpool_same", stax.MaxPool((3, 3), strides=(2, 2), padding="SAME"), (1, 5, 6, 2)),
        ("sumpool", stax.SumPool((2, 2), strides=(2, 2)), (2, 4, 4, 1)),
        ("avgpool_same", stax.AvgPool((3, 3), strides=(1, 1), padding="SAME"), (2, 4, 5, 2)),
        ("avgpool_spec", stax.AvgPool((2, 2), padding="SAME", spec="NCHW"), (2, 3, 5, 5)),
        ("flatten", stax.Flatten, (2, 3, 4)),
        ("identity", stax.Identity, (3,)),
        ("elementwise", stax.serial(*[getattr(stax, n) for n in
                                      ["Tanh", "Relu", "Exp", "Softplus", "Sigmoid", "Elu", "LeakyRelu",
                                       "Selu", "Gelu", "Softmax", "LogSoftmax"]]), (2, 5)),
        ("elementwise_kwargs", stax.elementwise(stax.leaky_relu, negative_slope=0.2), (4,)),
        ("residual", stax.serial(stax.FanOut(2), stax.parallel(stax.Dense(4), stax.Identity), stax.FanInSum),
         (3, 4)),
        ("concat", stax.serial(stax.FanOut(3), stax.parallel(stax.Dense(2), stax.Dense(3), stax.Tanh),
                               stax.FanInConcat()), (2, 4)),
        ("concat_axis0", stax.serial(stax.FanOut(2), stax.FanInConcat(axis=0)), (2, 3)),
        ("shape_dependent", stax.shape_dependent(lambda shape: stax.Dense(shape[-1] * 2)), (2, 3)),
        ("cnn", stax.serial(stax.Conv(4, (3, 3), padding="SAME"), stax.BatchNorm(), stax.Relu,
                            stax.MaxPool((2, 2), strides=(2, 2)), stax.Flatten, stax.Dense(10), stax.Dropout(0.8),
                            stax.LogSoftmax), (2, 8, 8, 3)),
    ]


def _input(shape, seed=0):
    x = np.random.default_rng(seed).normal(size=shape).astype(np.float32)
    return [x, x[::-1].copy() * 0.5] if isinstance(shape, list) else x


def _jax_init_shapes(init, shape):
    """JAX's output shape and parameter ShapeDtypeStructs, by tracing only (its initializers compile per shape)."""
    box = {}

    def params_of(key):
        box["shape"], params = init(key, shape)
        return params

    structs = jax.eval_shape(params_of, jax.random.PRNGKey(7))
    return box["shape"], structs


@pytest.mark.parametrize("k", range(len(_layers(n_stax))), ids=[name for name, *_ in _layers(n_stax)])
def test_shapes_and_apply_agree(k):
    """Output shapes and parameter shapes as JAX's; JAX's apply on nablax's parameters gives nablax's outputs."""
    _, (j_init, j_apply), shape = _layers(j_stax)[k]
    _, (n_init, n_apply), _ = _layers(n_stax)[k]
    n_shape, n_params = n_init(nablax.random.PRNGKey(7), shape)
    j_shape, j_structs = _jax_init_shapes(j_init, shape)
    assert tuple(n_shape) == tuple(j_shape)
    assert str(nablax.tree_util.tree_structure(n_params)) == str(jax.tree_util.tree_structure(j_structs))
    for n_leaf, j_leaf in zip(nablax.tree_util.tree_leaves(n_params), jax.tree_util.tree_leaves(j_structs)):
        assert (n_leaf.shape, n_leaf.dtype) == (j_leaf.shape, j_leaf.dtype)
    x = _input(shape)
    j_params = jax.tree_util.tree_map(lambda a: jjnp.asarray(np.asarray(a)), n_params)
    j_out = j_apply(j_params, jjnp.asarray(x), rng=jax.random.PRNGKey(3))
    n_out = n_apply(n_params, njnp.asarray(x), rng=nablax.random.PRNGKey(3))
    assert_same(j_out, n_out, rtol=2e-5, atol=1e-5, path="apply")
    assert tuple(n_out.shape) == tuple(n_shape)


# One layer per way stax draws and splits keys; the shapes repeat because JAX's initializers
# compile once per shape.
PARAM_CASES = [
    ("dense", lambda stax: stax.Dense(5), (3, 5)),
    ("serial", lambda stax: stax.serial(stax.Dense(5), stax.Relu, stax.Dense(5)), (3, 5)),
    ("parallel", lambda stax: stax.parallel(stax.Dense(5), stax.Dense(5)), [(3, 5), (3, 5)]),
    ("batchnorm_randn", lambda stax: stax.BatchNorm(axis=(0,), beta_init=stax.randn(0.5)), (3, 5)),
    ("conv_oihw", lambda stax: stax.GeneralConv(("NCHW", "OIHW", "NCHW"), 3, (2, 2)), (2, 2, 5, 5)),
]


@pytest.mark.parametrize("name,make,shape", PARAM_CASES, ids=[c[0] for c in PARAM_CASES])
def test_same_key_same_parameters(name, make, shape):
    j_shape, j_params = make(j_stax)[0](jax.random.PRNGKey(7), shape)
    n_shape, n_params = make(n_stax)[0](nablax.random.PRNGKey(7), shape)
    assert nablax.tree_util.tree_map(int, n_shape) == jax.tree_util.tree_map(int, j_shape)
    assert_same(j_params, n_params, path="params")


def test_dropout_without_key_is_the_same_error():
    for stax in (j_stax, n_stax):
        _, apply = stax.Dropout(0.5, mode="test")
        with pytest.raises(ValueError, match="PRNG key"):
            apply((), np.ones(3, np.float32))


def test_typed_keys_give_the_same_parameters_and_dropout_masks():
    def run(lib, stax):
        init, apply = stax.serial(stax.Dense(5), stax.Dropout(0.6), stax.Dense(5), stax.Dropout(0.3))
        _, params = init(lib.random.key(1), (3, 5))
        return params, apply(params, np.ones((3, 5), np.float32), rng=lib.random.key(2))
    assert_same(run(jax, j_stax), run(nablax, n_stax))


# ---------------------------------------------------------------- optimizers

OPTIMIZERS = [
    ("sgd", (0.1,), {}),
    ("sgd", (lambda i: 0.1 / (i + 1),), {}),
    ("momentum", (0.05, 0.9), {}),
    ("nesterov", (0.05, 0.8), {}),
    ("adagrad", (0.3,), {}),
    ("adagrad", (0.3,), {"momentum": 0.5}),
    ("rmsprop", (0.01,), {"gamma": 0.8}),
    ("rmsprop_momentum", (0.01,), {"momentum": 0.7}),
    ("adam", (0.05,), {}),
    ("adam", ("exp",), {"b1": 0.8, "b2": 0.99, "eps": 1e-6}),
    ("adamax", (0.05,), {}),
    ("sm3", (0.2,), {}),
    ("sm3", ("poly",), {"momentum": 0.5}),
]


def _schedule(opt, name):
    return {"exp": opt.exponential_decay(0.05, 2, 0.5), "poly": opt.polynomial_decay(0.2, 3, 0.01)}.get(name, name)


def _trajectory(lib, opt, name, args, kwargs, jit=False):
    """get_params after each of five steps fed the same gradients, and the final packed state."""
    jnp = lib.numpy
    init, update, get_params = getattr(opt, name)(*[_schedule(opt, a) for a in args], **kwargs)
    rng = np.random.default_rng(0)
    params = {"w": jnp.asarray(rng.normal(size=(3, 2)).astype(np.float32)), "s": jnp.float32(1.5)}
    grads = [{"w": rng.normal(size=(3, 2)).astype(np.float32), "s": np.float32(rng.normal())} for _ in range(5)]
    grads[0]["w"][0] = grads[1]["w"][0] = 0.0  # first gradients that vanish (adagrad's and sm3's where branch)
    step = lib.jit(update) if jit else update
    state, path = init(params), []
    for i, g in enumerate(grads):
        state = step(i, lib.tree_util.tree_map(jnp.asarray, g), state)
        path.append(get_params(state))
    return path, state.packed_state


@pytest.mark.parametrize("name,args,kwargs", OPTIMIZERS, ids=[f"{n}{k}" for k, (n, *_) in enumerate(OPTIMIZERS)])
def test_trajectories_agree(name, args, kwargs):
    """nablax eager and under jit against JAX eager (JAX's jit agrees with its eager to rounding)."""
    j_path, j_state = _trajectory(jax, j_opt, name, args, kwargs)
    for jit in (False, True):
        n_path, n_state = _trajectory(nablax, n_opt, name, args, kwargs, jit)
        if jit:  # sm3's shape leaves come back from jit as (weak int32) arrays, in JAX too
            j_state = jax.tree_util.tree_map(jjnp.asarray, j_state)
        assert_same(j_path, n_path, rtol=1e-5, atol=1e-6, path=f"params (jit={jit})")
        assert_same(j_state, n_state, rtol=1e-5, atol=1e-6, path=f"state (jit={jit})")


def test_stax_training_step_agrees():
    """A CNN's loss after three Adam steps under jit, from the same (nablax-drawn) parameters and data."""
    n_params = n_stax.serial(n_stax.Conv(3, (3, 3)), n_stax.Flatten, n_stax.Dense(4))[0](
        nablax.random.PRNGKey(0), (4, 6, 6, 1))[1]
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6, 6, 1)).astype(np.float32)
    labels = np.eye(4, dtype=np.float32)

    def run(lib, stax, opt):
        jnp = lib.numpy
        _, apply = stax.serial(stax.Conv(3, (3, 3)), stax.Relu, stax.Flatten, stax.Dense(4), stax.LogSoftmax)
        params = lib.tree_util.tree_map(lambda a: jnp.asarray(np.asarray(a)), [n_params[0], (), (), n_params[2], ()])
        loss = lambda p: -jnp.mean(jnp.sum(apply(p, jnp.asarray(x)) * labels, axis=-1))  # noqa: E731
        o_init, o_update, o_params = opt.adam(0.01)
        step = lib.jit(lambda i, s: o_update(i, lib.grad(loss)(o_params(s)), s))
        state = o_init(params)
        for i in range(3):
            state = step(i, state)
        return loss(o_params(state)), o_params(state)

    assert_same(run(jax, j_stax, j_opt), run(nablax, n_stax, n_opt), rtol=1e-5, atol=1e-6)


SCHEDULES = [
    ("constant", (0.3,), {}),
    ("exponential_decay", (0.1, 10, 0.5), {}),
    ("inverse_time_decay", (0.1, 4, 0.5), {}),
    ("inverse_time_decay", (0.1, 4, 0.5), {"staircase": True}),
    ("polynomial_decay", (0.1, 6, 0.01), {}),
    ("polynomial_decay", (0.1, 6, 0.01), {"power": 2.0}),
    ("piecewise_constant", ([2, 5], [1.0, 0.5, 0.1]), {}),
]


@pytest.mark.parametrize("name,args,kwargs", SCHEDULES, ids=[f"{n}{k}" for k, (n, *_) in enumerate(SCHEDULES)])
def test_schedules_agree(name, args, kwargs):
    j_s, n_s = getattr(j_opt, name)(*args, **kwargs), getattr(n_opt, name)(*args, **kwargs)
    for i in [0, 1, 3, 5, 9]:
        assert_same(j_s(i), n_s(i), path=f"step {i}")
        assert_same(j_s(jjnp.int32(i)), n_s(njnp.int32(i)), path=f"int32 step {i}")
    assert_same(jax.jit(j_s)(4), nablax.jit(n_s)(4), path="jit")


def test_utilities_agree():
    tree = {"a": np.arange(3, dtype=np.float32), "b": [np.float32(-2.0), np.ones((2, 2), np.float32)]}
    assert_same(j_opt.l2_norm(tree), n_opt.l2_norm(tree))
    assert_same(j_opt.l2_norm({}), n_opt.l2_norm({}))
    for max_norm in (1.0, 10.0):
        assert_same(j_opt.clip_grads(tree, max_norm), n_opt.clip_grads(tree, max_norm))


def test_unpack_is_the_same_marked_tree():
    params = {"w": np.ones((2, 2), np.float32), "v": [np.zeros(3, np.float32)]}
    j_marked = j_opt.unpack_optimizer_state(j_opt.momentum(0.1, 0.9)[0](params))
    n_marked = n_opt.unpack_optimizer_state(n_opt.momentum(0.1, 0.9)[0](params))
    j_sub = [p.subtree for p in jax.tree_util.tree_leaves(j_marked)]
    n_sub = [p.subtree for p in nablax.tree_util.tree_leaves(n_marked)]
    assert_same(j_sub, n_sub)


@pytest.mark.parametrize("bad,cls", [([1.0, 2.0], TypeError), (np.ones(2), TypeError)])
def test_make_schedule_errors_agree(bad, cls):
    for opt in (j_opt, n_opt):
        with pytest.raises(cls):
            opt.make_schedule(bad)


@pytest.mark.parametrize("boundaries,values", [([1, 2], [1.0, 2.0]), ([[1]], [[1.0, 2.0]])])
def test_piecewise_constant_errors_agree(boundaries, values):
    for opt in (j_opt, n_opt):
        with pytest.raises(ValueError):
            opt.piecewise_constant(boundaries, values)


def test_helpers_agree():
    from jax._src import util
    assert n_opt.safe_zip([1, 2], "ab") == util.safe_zip([1, 2], "ab")
    assert n_opt.safe_map(lambda a, b: a * b, [1, 2], [3, 4]) == util.safe_map(lambda a, b: a * b, [1, 2], [3, 4])
    assert n_opt.unzip2([(1, "a"), (2, "b")]) == util.unzip2([(1, "a"), (2, "b")])
    for f, args in [(n_opt.safe_zip, ([1], [1, 2])), (util.safe_zip, ([1], [1, 2])),
                    (n_opt.safe_map, (max, [1], [1, 2])), (util.safe_map, (max, [1], [1, 2]))]:
        with pytest.raises(ValueError):
            f(*args)
