"""nablax.debug: print / log / callback / breakpoint from inside jit, vmap, grad, checkpoint and
control flow, in program order, with JAX's formatting. The expected texts are JAX 0.10.2's
output for the same programs (tests/compat/test_engine_vs_jax.py runs them against JAX)."""
import io
import logging

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp


def _f(x):
    jax.debug.print("x={x} 2x={}", x * 2, x=x, ordered=True)
    y = x ** 3
    jax.debug.print("y={y}", y=y, ordered=True)
    return y * x


def test_print_inside_jit_vmap_grad_prints_each_value_once_in_order(capsys):
    out = jax.jit(jax.vmap(jax.grad(_f)))(jnp.arange(3.0))
    np.testing.assert_allclose(np.asarray(out), [0.0, 4.0, 32.0])
    assert capsys.readouterr().out == (
        "x=0.0 2x=0.0\nx=1.0 2x=2.0\nx=2.0 2x=4.0\ny=0.0\ny=1.0\ny=8.0\n")
    jax.jit(jax.vmap(jax.grad(_f)))(jnp.arange(3.0))  # compiled: prints again, the same
    assert capsys.readouterr().out == "x=0.0 2x=0.0\nx=1.0 2x=2.0\nx=2.0 2x=4.0\ny=0.0\ny=1.0\ny=8.0\n"


def test_print_under_grad_jvp_and_eager(capsys):
    jax.grad(_f)(1.5)
    assert capsys.readouterr().out == "x=1.5 2x=3.0\ny=3.375\n"  # forward pass only
    jax.jvp(_f, (2.0,), (1.0,))
    assert capsys.readouterr().out == "x=2.0 2x=4.0\ny=8.0\n"
    _f(jnp.array([1.0, 2.0]))
    assert capsys.readouterr().out == "x=[1. 2.] 2x=[2. 4.]\ny=[1. 8.]\n"


def test_print_in_checkpoint_follows_the_policy(capsys):
    jax.grad(jax.checkpoint(_f))(1.5)  # recomputed in the backward pass: printed again
    assert capsys.readouterr().out == "x=1.5 2x=3.0\ny=3.375\nx=1.5 2x=3.0\ny=3.375\n"
    jax.grad(jax.checkpoint(_f, policy=jax.checkpoint_policies.everything_saveable))(1.5)
    assert capsys.readouterr().out == "x=1.5 2x=3.0\ny=3.375\n"


def test_print_in_scan_and_cond(capsys):
    def body(c, x):
        jax.debug.print("c={} x={}", c, x)
        return c + x, c

    jax.lax.scan(body, 0.0, jnp.arange(3.0))
    jax.jit(lambda: jax.lax.scan(body, 0.0, jnp.arange(3.0)))()
    jax.jit(lambda p: jax.lax.cond(p, lambda: jax.debug.print("T"), lambda: jax.debug.print("F")))(True)
    jax.jit(lambda xs: (jax.lax.scan(body, 0.0, xs), 1.0)[1])(jnp.arange(3.0))  # unused scan: kept for its print
    rows = "c=0.0 x=0.0\nc=0.0 x=1.0\nc=1.0 x=2.0\n"
    assert capsys.readouterr().out == rows + rows + "T\n" + rows


def test_formatting_matches_jax(capsys):
    jax.debug.print("{a} | {b} | {c:.2f} | {d}", a=jnp.arange(4, dtype=jnp.int32).reshape(2, 2), b=jnp.float32(0.1),
                    c=jnp.float32(3.14159), d=True)
    jax.debug.print("{}", jnp.linspace(0, 1, 5))
    jax.debug.print("value {}", 3)
    jax.debug.print("")
    with np.printoptions(precision=2):
        jax.debug.print("{}", jnp.array([1 / 3, 2 / 3]))  # the options at the call are used
    jax.jit(lambda x: jax.debug.print("{}", x))(jnp.array([1 / 3, 2 / 3]))
    jax.debug.print("{}", {"a": jnp.ones(2)})
    jax.debug.print(ordered=True)("two {}", 1)
    assert capsys.readouterr().out == (
        "[[0 1]\n [2 3]] | 0.10000000149011612 | 3.14 | True\n"
        "[0.   0.25 0.5  0.75 1.  ]\n"
        "value 3\n"
        "\n"
        "[0.33 0.67]\n"
        "[0.33333334 0.6666667 ]\n"
        "{'a': Array([1., 1.], dtype=float32)}\n"
        "two 1\n")


def test_format_errors_as_jax():
    with pytest.raises(ValueError, match=r"Unused positional arguments to `jax.debug.print`: \[2\]"):
        jax.debug.print("{}", 1, 2)
    with pytest.raises(ValueError, match=r"Unused keyword arguments to `jax.debug.print`: \['y'\]"):
        jax.debug.print("{x}", x=1, y=2)
    with pytest.raises(IndexError):
        jax.debug.print("{}")
    with pytest.raises(TypeError, match="two-call form"):
        jax.debug.print(ordered=True, x=1)


def test_print_is_kept_by_jit_and_not_merged(capsys):
    @jax.jit
    def f(x):
        jax.debug.print("{}", x)
        jax.debug.print("{}", x)
        return x + 1

    f(1.0)
    assert capsys.readouterr().out == "1.0\n1.0\n"
    assert "debug_callback" in f.lower(1.0).as_text()


def test_log_goes_to_logging(caplog):
    with caplog.at_level(logging.INFO, logger="nablax._src.debugging"):
        jax.jit(lambda x: jax.debug.log("v={}", x))(2.0)
    assert [r.getMessage() for r in caplog.records] == ["v=2.0"]
    assert caplog.records[0].pathname == __file__


def test_callback_gets_arrays_and_static_leaves():
    seen = []
    cb = lambda a, tag, *, b: seen.append((type(a).__name__, np.asarray(a).tolist(), tag, float(b)))  # noqa: E731
    assert jax.debug.callback(cb, jnp.ones(2), "eager", b=3) is None
    jax.jit(lambda x: jax.debug.callback(cb, x, "jit", b=x[0]))(jnp.ones(2))
    jax.vmap(lambda x: jax.debug.callback(cb, x, "vmap", b=x))(jnp.array([1.0, 2.0]))
    jax.debug.callback(ordered=True)(cb, jnp.zeros(1), "two-call", b=0)
    assert seen == [("Array", [1.0, 1.0], "eager", 3.0), ("Array", [1.0, 1.0], "jit", 1.0),
                    ("Array", 1.0, "vmap", 1.0), ("Array", 2.0, "vmap", 2.0), ("Array", [0.0], "two-call", 0.0)]
    with pytest.raises(TypeError, match="two-call form"):
        jax.debug.callback(None, 1)


def test_breakpoint_cli_on_patched_stdin(monkeypatch, capsys):
    @jax.jit
    def f(x):
        y = x * 2
        jax.debug.breakpoint()
        return y

    monkeypatch.setattr("sys.stdin", io.StringIO("p y\npp x + 1\ny.shape\nnope\nc\n"))
    out = f(jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(out), [2.0, 4.0])
    text = capsys.readouterr().out
    assert "Array([2., 4.], dtype=float32)" in text and "Array([2., 3.], dtype=float32)" in text
    assert "(2,)" in text and "*** NameError" in text and "jax.debug.breakpoint()" in text
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # end of input continues
    f(jnp.array([1.0, 2.0]))


def test_breakpoint_backend_is_pluggable():
    from nablax._src.debugging import register_debugger
    got = []
    register_debugger("record", lambda frames, **kw: got.append((frames[0].function, frames[0].locals["x"], kw)))

    def g(x):
        jax.debug.breakpoint(backend="record", num_frames=1, tag=1)
        return x

    jax.vmap(g)(jnp.array([3.0, 4.0]))
    assert [(fn, float(x), kw) for fn, x, kw in got] == [("g", 3.0, {"tag": 1}), ("g", 4.0, {"tag": 1})]
    with pytest.raises(ValueError, match="unknown backend"):
        jax.debug.breakpoint(backend="nope")


def test_sharding_helpers_without_sharding_or_rich():
    try:  # rich is optional, as in JAX
        import rich  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="requires `rich`"):
            jax.debug.visualize_sharding((4,), None)
    if getattr(jnp.ones(2), "sharding", None) is None:
        with pytest.raises(NotImplementedError, match="Array.sharding"):
            jax.debug.inspect_array_sharding(jnp.ones(2), callback=print)
    else:
        got = []
        jax.debug.inspect_array_sharding(jnp.ones(2), callback=got.append)
        assert got == [jnp.ones(2).sharding]
    assert jax.debug.DebugEffect is not jax.debug.OrderedDebugEffect


def test_print_inside_custom_rules(capsys):
    @jax.custom_vjp
    def f(x):
        jax.debug.print("primal {}", x)
        return jnp.sin(x)

    def fwd(x):
        jax.debug.print("fwd {}", x)
        return jnp.sin(x), x

    def bwd(x, g):
        jax.debug.print("bwd {} {}", x, g)
        return (g * jnp.cos(x),)

    f.defvjp(fwd, bwd)

    @jax.custom_jvp
    def h(x):
        jax.debug.print("h primal {}", x)
        return x ** 2

    @h.defjvp
    def _(p, t):
        jax.debug.print("h jvp {} {}", p[0], t[0])  # staged with the tangent: transposed away under grad
        return h(p[0]), 2 * p[0] * t[0]

    jax.jit(jax.vmap(jax.grad(f)))(jnp.array([1.0, 2.0]))
    jax.grad(h)(3.0)
    jax.jvp(h, (3.0,), (1.0,))
    assert capsys.readouterr().out == ("fwd 1.0\nfwd 2.0\nbwd 1.0 1.0\nbwd 2.0 1.0\n"
                                       "h primal 3.0\nh jvp 3.0 1.0\nh primal 3.0\n")


def test_visualize_sharding_draws_one_box_as_jax(capsys):
    pytest.importorskip("rich")
    jax.debug.visualize_sharding((4, 6), None)
    jax.debug.visualize_sharding((100,), None)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "\u250c" + "\u2500" * 35 + "\u2510" and lines[5] == "\u2502" + " " * 15 + "CPU 0" + " " * 15 + "\u2502"
    assert len(lines) == 14 and lines[12] == "\u2502 CPU 0 \u2502"
    with pytest.raises(ValueError, match="only works for shapes with 1 and 2 dimensions"):
        jax.debug.visualize_sharding((2, 2, 2), None)
