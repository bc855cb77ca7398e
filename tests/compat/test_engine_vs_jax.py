"""Callbacks, jax.debug printing, checkpoint policies and the custom-derivative conveniences
against real JAX: the same program run on both libraries gives the same values, dtypes,
printed text, saved residuals and error classes."""
import types

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402
from jax.ad_checkpoint import checkpoint_name as j_name  # noqa: E402
from jax.ad_checkpoint import print_saved_residuals as j_saved  # noqa: E402
from jax.custom_derivatives import linear_call as j_linear_call  # noqa: E402
from jax.experimental import io_callback as j_io  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from nablax.ad_checkpoint import checkpoint_name as n_name  # noqa: E402
from nablax.ad_checkpoint import print_saved_residuals as n_saved  # noqa: E402
from nablax.custom_derivatives import linear_call as n_linear_call  # noqa: E402
from nablax.experimental import io_callback as n_io  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

J = types.SimpleNamespace(jax=jax, jnp=jjnp, name=j_name, saved=j_saved, linear_call=j_linear_call, io=j_io,
                          barrier=jax.effects_barrier)
N = types.SimpleNamespace(jax=nablax, jnp=njnp, name=n_name, saved=n_saved, linear_call=n_linear_call, io=n_io,
                          barrier=lambda: None)
X = np.array([0.5, -1.0, 2.0], np.float32)


def both(program, *args):
    """(JAX's result, nablax's result) of `program(L, *args)`."""
    return program(J, *args), program(N, *args)


def printed(program, capsys):
    """The text each library prints running `program(L)` (JAX's effects waited for)."""
    out = []
    for L in (J, N):
        program(L)
        L.barrier()
        out.append(capsys.readouterr().out)
    return out


@pytest.mark.parametrize("method", ["sequential", "broadcast_all"])
def test_pure_callback_values_under_jit_and_vmap(method):
    def program(L):
        cb = lambda a, b: np.asarray(a) * np.asarray(b) + 1  # noqa: E731
        sds = L.jax.ShapeDtypeStruct((), L.jnp.float32)
        f = L.jax.vmap(lambda x, y: L.jax.pure_callback(cb, sds, x, y, vmap_method=method), in_axes=(0, None))
        return f(X, np.float32(3.0)), L.jax.jit(f)(X, np.float32(3.0)), L.jax.pure_callback(np.cos, sds, 1.0)

    assert_same(*both(program))


def test_io_callback_values_and_tree_results():
    def program(L):
        sds = L.jax.ShapeDtypeStruct((3,), L.jnp.float32)
        cb = lambda x: {"a": np.asarray(x) * 2, "b": (np.asarray(x).sum(),)}  # noqa: E731
        spec = {"a": sds, "b": (L.jax.ShapeDtypeStruct((), L.jnp.float32),)}
        return L.io(cb, spec, X), L.jax.jit(lambda x: L.io(cb, spec, x, ordered=True))(X)

    assert_same(*both(program), rtol=1e-6)


@pytest.mark.parametrize("which", ["grad", "vmap-none", "io-ordered-vmap", "io-grad", "bad-shape", "x64-spec"])
def test_errors_have_jax_classes(which):
    def program(L):
        sds = L.jax.ShapeDtypeStruct((), L.jnp.float32)
        run = {
            "grad": lambda: L.jax.grad(lambda x: L.jax.pure_callback(np.sin, sds, x))(1.0),
            "vmap-none": lambda: L.jax.vmap(lambda x: L.jax.pure_callback(np.sin, sds, x))(X),
            "io-ordered-vmap": lambda: L.jax.vmap(lambda x: L.io(np.sin, sds, x, ordered=True))(X),
            "io-grad": lambda: L.jax.grad(lambda x: L.io(np.sin, sds, x))(1.0),
            "bad-shape": lambda: L.jax.pure_callback(lambda v: np.zeros(2, np.float32), sds, 1.0),
            "x64-spec": lambda: L.jax.pure_callback(np.sin, L.jax.ShapeDtypeStruct((), np.float64), 1.0),
        }[which]
        try:
            run()
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            return e
        raise AssertionError(f"{which}: no error")

    j_err, n_err = both(program)
    assert isinstance(n_err, type(j_err).__mro__[1] if type(j_err).__name__ == "JaxRuntimeError" else type(j_err))
    if type(j_err).__name__ != "JaxRuntimeError":
        assert str(n_err).split(".")[0] == str(j_err).split(".")[0] or which == "grad"


def _f(L, x):
    L.jax.debug.print("x={x} 2x={}", x * 2, x=x, ordered=True)
    y = x ** 3
    L.jax.debug.print("y={y} s={s}", y=y, s=L.jnp.sum(y), ordered=True)
    return y * x


def test_debug_print_inside_jit_vmap_grad(capsys):
    j, n = printed(lambda L: L.jax.jit(L.jax.vmap(L.jax.grad(lambda x: _f(L, x))))(L.jnp.arange(3.0)), capsys)
    assert n == j and j.count("\n") == 6


@pytest.mark.parametrize("wrap", ["vmap-jit", "checkpoint", "checkpoint-dots", "scan"])
def test_debug_print_text(wrap, capsys):
    def program(L):
        f = lambda x: _f(L, x)  # noqa: E731
        if wrap == "vmap-jit":
            L.jax.vmap(L.jax.jit(f))(L.jnp.array([1.0, 2.0]))
        elif wrap == "checkpoint":
            L.jax.grad(L.jax.checkpoint(f))(1.5)
        elif wrap == "checkpoint-dots":
            L.jax.grad(L.jax.checkpoint(f, policy=L.jax.checkpoint_policies.dots_saveable))(1.5)
        else:
            L.jax.jit(lambda xs: L.jax.lax.scan(lambda c, x: (c + f(x), c), 0.0, xs))(L.jnp.arange(3.0))

    j, n = printed(program, capsys)
    assert n == j


def test_debug_print_formatting(capsys):
    def program(L):
        jnp = L.jnp
        L.jax.debug.print("{a} | {b} | {c:.3f} | {d} | {e}", a=jnp.arange(6, dtype=jnp.int32).reshape(2, 3),
                          b=jnp.float32(0.1), c=jnp.float32(2.71828), d=jnp.array([True, False]), e="text")
        L.jax.debug.print("{}", {"k": jnp.ones(2), "n": 3})
        L.jax.debug.print("plain")
        with np.printoptions(precision=3):
            L.jax.jit(lambda x: L.jax.debug.print("{}", x))(jnp.array([1 / 3, 2 / 3]))
        L.jax.debug.callback(lambda v, *, w: print("cb", v, w), jnp.arange(2.0), w=jnp.float32(4.0))

    j, n = printed(program, capsys)
    assert n == j


def _mlp(L, x, w1, w2):
    z1 = L.name(x @ w1, "z1")
    z2 = L.name(L.jnp.tanh(z1) @ w2, "z2")
    return L.jnp.sum(L.jnp.sin(z2))


RNG = np.random.default_rng(1)
ARGS = (RNG.standard_normal((2, 3)).astype(np.float32), RNG.standard_normal((3, 4)).astype(np.float32),
        RNG.standard_normal((4, 2)).astype(np.float32))


@pytest.mark.parametrize("policy", ["nothing_saveable", "dots_with_no_batch_dims_saveable", "any_but_z2", "both"])
def test_checkpoint_policies_grads_and_saved_residuals(policy, capsys):
    def program(L):
        P = L.jax.checkpoint_policies
        pol = {"only_z1": lambda: P.save_only_these_names("z1"), "any_but_z2": lambda: P.save_any_names_but_these("z2"),
               "both": lambda: P.save_from_both_policies(P.dots_saveable, P.save_only_these_names("z2"))}.get(
            policy, lambda: getattr(P, policy))()
        f = L.jax.checkpoint(lambda *a: _mlp(L, *a), policy=pol)
        L.saved(f, *ARGS)
        lines = [line.split(" from ")[0] for line in capsys.readouterr().out.splitlines()]
        return L.jax.grad(f, argnums=(0, 1, 2))(*ARGS), L.jax.jit(L.jax.grad(f, argnums=(1, 2)))(*ARGS), lines

    (jg, jjg, jl), (ng, njg, nl) = both(program)
    assert_same((jg, jjg), (ng, njg), rtol=1e-5, atol=1e-6)
    assert nl == jl


def test_custom_gradient_closure_convert_linear_call():
    def program(L):
        @L.jax.custom_gradient
        def f(x, y):
            return x * L.jnp.sin(y), lambda g: (g * 3.0, g * x)

        def outer(x):
            conv, consts = L.jax.closure_convert(lambda y: y * x + 1.0, 1.0)
            return conv(2.0, *consts)

        lin = lambda x, r: L.linear_call(lambda r, x: x / r, lambda r, t: 2 * t / r, r, x)  # noqa: E731
        return (f(2.0, 0.5), L.jax.grad(f, argnums=(0, 1))(2.0, 0.5), L.jax.vmap(L.jax.grad(f))(X, X),
                outer(3.0), L.jax.grad(outer)(3.0), lin(6.0, 2.0), L.jax.grad(lin)(6.0, 2.0),
                L.jax.linear_transpose(lambda x: lin(x, 4.0), 1.0)(1.0))

    assert_same(*both(program), rtol=1e-6)


def test_ensure_compile_time_eval_and_named():
    def program(L):
        @L.jax.jit
        def f(x):
            with L.jax.ensure_compile_time_eval():
                k = int(L.jnp.sum(L.jnp.arange(4)))
            with L.jax.named_scope("s"):
                return L.jax.named_call(lambda v: v * k, name="m")(x)

        return f(2.0), L.jax.grad(f)(2.0)

    assert_same(*both(program))


def test_visualize_sharding_text(capsys):
    pytest.importorskip("rich")
    sharding = jjnp.ones(3).sharding
    for shape, kw in [((4, 6), {}), ((2, 8), {}), ((8, 2), {}), ((4, 6), {"scale": 0.5}), ((4, 4), {"max_width": 20}),
                      ((100,), {})]:
        jax.debug.visualize_sharding(shape, sharding, **kw)
        j = capsys.readouterr().out
        nablax.debug.visualize_sharding(shape, sharding, **kw)
        assert capsys.readouterr().out == j, (shape, kw)
