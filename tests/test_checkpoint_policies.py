"""checkpoint(policy=...): the policy decides what reverse mode saves and what the backward
pass recomputes. Counted on the Jaxpr of the gradient: forward equations, recomputed
equations and the transposed linear ones all appear in it."""
import collections

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax.ad_checkpoint import checkpoint_name, print_saved_residuals
from nablax.test_util import check_grads

P = jax.checkpoint_policies
RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3)).astype(np.float32)
W1 = RNG.standard_normal((3, 4)).astype(np.float32)
W2 = RNG.standard_normal((4, 2)).astype(np.float32)


def mlp(x, w1, w2):
    z1 = checkpoint_name(x @ w1, "z1")
    z2 = checkpoint_name(jnp.tanh(z1) @ w2, "z2")
    return jnp.sum(jnp.sin(z2))


def _counts(policy) -> collections.Counter:
    f = jax.checkpoint(mlp, policy=policy)
    jaxpr = jax.make_jaxpr(jax.grad(f, argnums=(1, 2)))(X, W1, W2)
    return collections.Counter(e.prim.name for e in jaxpr.eqns)


# Without checkpoint: the forward pass has 2 dots, 1 tanh, 1 sin; the backward pass 4 dots
# (two per matmul) and no tanh or sin (their residuals are saved).
def test_everything_saveable_recomputes_nothing():
    c = _counts(P.everything_saveable)
    assert (c["dot_general"], c["tanh"], c["sin"]) == (6, 1, 1)


def test_dots_saveable_recomputes_only_the_elementwise_ops():
    c = _counts(P.dots_saveable)
    # no dot is recomputed; tanh and sin (and cos, the residual of sin) run again
    assert (c["dot_general"], c["tanh"], c["sin"]) == (6, 2, 1)
    assert c["cos"] == 1
    assert _counts(P.checkpoint_dots) == c
    assert _counts(P.dots_with_no_batch_dims_saveable) == c


def test_nothing_saveable_recomputes_the_matmuls_too():
    c = _counts(P.nothing_saveable)
    assert (c["dot_general"], c["tanh"]) == (8, 2)


def test_names_decide_with_name_policies():
    both = _counts(P.save_only_these_names("z1", "z2"))
    assert (both["dot_general"], both["tanh"]) == (6, 2)  # as dots_saveable: the named values are the dots
    first = _counts(P.save_only_these_names("z1"))
    assert (first["dot_general"], first["tanh"]) == (7, 2)  # z2 = tanh(z1) @ w2 is recomputed
    assert _counts(P.save_any_names_but_these("z2")) == first
    assert _counts(P.save_any_names_but_these("z1", "z2"))["dot_general"] == 8
    assert _counts(P.save_from_both_policies(P.dots_saveable, P.save_only_these_names("z1")))["dot_general"] == 6
    # As in JAX 0.10.2, save_anything_except_these_names saves everything.
    assert _counts(P.save_anything_except_these_names("z1")) == _counts(P.everything_saveable)


def test_offload_policies_save_on_the_one_memory():
    assert _counts(P.offload_dot_with_no_batch_dims("device", "pinned_host")) == _counts(P.dots_saveable)
    policy = P.save_and_offload_only_these_names(names_which_can_be_saved=[], names_which_can_be_offloaded=["z1"],
                                                 offload_src="device", offload_dst="pinned_host")
    assert _counts(policy) == _counts(P.save_only_these_names("z1"))
    with pytest.raises(ValueError, match="should not intersect"):
        P.save_and_offload_only_these_names(names_which_can_be_saved=["a"], names_which_can_be_offloaded=["a"],
                                            offload_src="device", offload_dst="pinned_host")


@pytest.mark.parametrize("policy", [P.nothing_saveable, P.dots_saveable, P.save_only_these_names("z2")])
def test_gradients_are_the_same_under_every_transformation(policy):
    f = jax.checkpoint(mlp, policy=policy)
    want = jax.grad(mlp, argnums=(0, 1, 2))(X, W1, W2)
    for got in (jax.grad(f, argnums=(0, 1, 2))(X, W1, W2), jax.jit(jax.grad(f, argnums=(0, 1, 2)))(X, W1, W2)):
        for g, w in zip(got, want):
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-5, atol=1e-6)
    per_example = jax.vmap(jax.grad(f), in_axes=(0, None, None))(X[:, None], W1, W2)
    np.testing.assert_allclose(np.asarray(per_example[:, 0]), np.asarray(want[0]), rtol=1e-5, atol=1e-6)


def test_second_order_through_a_policy():
    x64 = RNG.standard_normal(3)
    f = jax.checkpoint(lambda x: jnp.sum(jnp.tanh(x) * jnp.sin(x)), policy=P.dots_saveable)
    check_grads(f, (x64,), order=2, modes=("fwd", "rev"))
    check_grads(jax.grad(f), (x64,), order=1, modes=("rev",))


def test_checkpoint_name_is_identity_and_named():
    x = jnp.arange(3.0)
    tree = checkpoint_name({"a": x, "b": 2.0}, "n")
    np.testing.assert_array_equal(np.asarray(tree["a"]), np.asarray(x))
    assert str(jax.make_jaxpr(lambda v: checkpoint_name(v, "a"))(1.0)) == \
        "{ lambda ; a:f32[]. let b:f32[] = name[name=a] a in (b,) }"
    np.testing.assert_allclose(np.asarray(jax.grad(lambda v: checkpoint_name(v, "a") ** 2)(3.0)), 6.0)
    assert "name" not in jax.jit(lambda v: checkpoint_name(v, "a") * 2).lower(1.0).as_text()


def test_print_saved_residuals(capsys):
    print_saved_residuals(mlp, X, W1, W2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["f32[2,3] from the argument x", "f32[3,4] from the argument w1", "f32[4,2] from the argument w2"]
    assert [line.split(" from")[0] for line in lines[3:]] == ["f32[2,4] output of tanh", "f32[2,4] output of sub",
                                                              "f32[2,2] output of cos"]
    print_saved_residuals(jax.checkpoint(mlp, policy=P.dots_saveable), X, W1, W2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" from")[0] for line in lines[3:]] == ["f32[2,4] output of dot_general",
                                                              "f32[2,2] output of dot_general"]


def test_bad_policy_results_are_errors():
    with pytest.raises(TypeError, match="policy must be a callable"):
        jax.checkpoint(mlp, policy=3)
    with pytest.raises(TypeError, match="must return a bool"):
        jax.grad(jax.checkpoint(lambda x: jnp.sin(x), policy=lambda *a, **k: "yes"))(1.0)


def test_static_argnames():
    def f(x, n):
        for _ in range(n):
            x = jnp.sin(x)
        return x

    g = jax.checkpoint(f, static_argnames="n", policy=P.nothing_saveable)
    np.testing.assert_allclose(np.asarray(jax.grad(g)(0.5, n=2)), np.cos(np.sin(0.5)) * np.cos(0.5), rtol=1e-6)
    with pytest.raises(ValueError, match="static_argnames"):
        jax.checkpoint(f, static_argnames="m")
