"""The plumbing every interpreter shares (core.run_new_trace, core.call_under), the Jaxpr
transforms the interpreters publish, and arguments that used to be accepted and ignored."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import lax
from nablax._src import core, errors
from nablax._src.interpreters import batching, jvp, linearize, staging
from nablax._src.ir import eval_jaxpr


class _Trace(core.Trace):
    __slots__ = ()


def test_run_new_trace_collects_under_the_trace_then_invalidates_it():
    trace = _Trace(core.current_trace())
    seen = {}

    def collect(outs):
        seen["current"] = core.current_trace()
        return [o * 10 for o in outs]

    assert core.run_new_trace(trace, lambda a, b: [a + b, core.current_trace() is trace], (1, 2), collect) == [30, 10]
    assert seen["current"] is trace
    assert core.current_trace() is None and not trace._valid


def test_run_new_trace_restores_and_invalidates_when_the_function_raises():
    trace = _Trace(None)

    def boom():
        raise KeyError("x")

    with pytest.raises(KeyError):
        core.run_new_trace(trace, boom, (), list)
    assert core.current_trace() is None and not trace._valid


def test_call_under_switches_and_restores():
    trace = _Trace(None)
    assert core.call_under(trace, lambda k=0: (core.current_trace(), k), k=3) == (trace, 3)
    assert core.current_trace() is None
    with pytest.raises(ZeroDivisionError):
        core.call_under(trace, lambda: 1 / 0)
    assert core.current_trace() is None


def _closed(fn, *avals):
    return staging.trace_to_jaxpr(fn, [jax.ShapeDtypeStruct(a, np.float32) for a in avals])


def _sin_times(x, y):
    return [jnp.sin(x) * y, x + 1.0]


def test_jvp_jaxpr_groups_primals_and_tangents():
    closed = staging.trace_to_jaxpr(_sin_times, [core.lift_aval(np.ones(3, np.float32))] * 2)
    x, y, tx = np.array([0.1, 0.2, 0.3], np.float32), np.array([2.0, 3.0, 4.0], np.float32), np.ones(3, np.float32)
    # only x has a tangent; both outputs get one (the second's is dx)
    new = jvp.jvp_jaxpr(closed, [True, False], [True, True], [2], [2], "test")
    out, out2, t_out, t_out2 = eval_jaxpr(new.jaxpr, new.consts, x, y, tx)
    np.testing.assert_allclose(np.asarray(out), np.sin(x) * y, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(t_out), np.cos(x) * y, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(t_out2), tx)
    with pytest.raises(AssertionError, match="nonzero tangent"):
        jvp.jvp_jaxpr(closed, [True, False], [True, False], [2], [2], "test")


def test_batch_jaxpr_reports_which_outputs_are_batched():
    closed = staging.trace_to_jaxpr(_sin_times, [core.lift_aval(np.ones(3, np.float32))] * 2)
    xs = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.full(3, 2.0, np.float32)
    new, flags = batching.batch_jaxpr(closed, 4, [False, True], [False, False], "test")
    assert flags == [True, False]  # x + 1 does not read the batched y
    out, out2 = eval_jaxpr(new.jaxpr, new.consts, y, xs)
    np.testing.assert_allclose(np.asarray(out), np.sin(y) * xs, rtol=1e-6)
    assert np.asarray(out2).shape == (3,)
    _, forced = batching.batch_jaxpr(closed, 4, [False, True], [False, True], "test")
    assert forced == [True, True]


def test_linearize_jaxpr_splits_into_primal_and_linear_parts():
    closed = staging.trace_to_jaxpr(_sin_times, [core.lift_aval(np.ones(3, np.float32))] * 2)
    x, y = np.array([0.1, 0.2, 0.3], np.float32), np.array([2.0, 3.0, 4.0], np.float32)
    primal, lin, n_res = linearize.linearize_jaxpr(closed, [True, False], [True, True], "test")
    outs = eval_jaxpr(primal.jaxpr, primal.consts, x, y)
    np.testing.assert_allclose(np.asarray(outs[0]), np.sin(x) * y, rtol=1e-6)
    assert len(outs) == 2 + n_res and n_res >= 1
    t_out, t_out2 = eval_jaxpr(lin.jaxpr, lin.consts, *outs[2:], np.full(3, 2.0, np.float32))
    np.testing.assert_allclose(np.asarray(t_out), 2 * np.cos(x) * y, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(t_out2), np.full(3, 2.0))
    with pytest.raises(AssertionError, match="nonzero tangent"):  # x + 1 has a tangent
        linearize.linearize_jaxpr(closed, [True, False], [True, False], "test")


def test_hoist_consts_turns_selected_constants_into_leading_inputs():
    c = jnp.array([1.0, 2.0])
    closed = staging.trace_to_jaxpr(lambda x: [x * c], [core.lift_aval(np.ones(2, np.float32))])
    assert len(closed.consts) == 1
    same, none = staging.hoist_consts(closed)  # no tracer constants: unchanged
    assert same is closed and none == []
    converted, hoisted = staging.hoist_consts(closed, lambda _: True)
    assert hoisted == [c] and converted.consts == [] and len(converted.jaxpr.invars) == 2
    (out,) = eval_jaxpr(converted.jaxpr, [], c, jnp.array([3.0, 4.0]))
    np.testing.assert_allclose(np.asarray(out), [3.0, 8.0])


def test_linearize_tracer_is_the_jvp_tracer_with_its_own_printed_form():
    seen = []
    jax.grad(lambda x: seen.append(repr(x)) or x * 2.0)(1.0)
    assert seen[0].startswith("GradTracer(primal=1.0")
    assert issubclass(linearize.LinearizeTracer, jvp.JVPTracer)
    assert issubclass(linearize.LinearizeTrace, jvp.JVPTrace)


# ------------------------------------------------------------ arguments that must work or raise

def test_lax_map_batch_size_vmaps_chunks_and_matches_the_plain_map():
    xs = jnp.arange(14.0).reshape(7, 2)
    calls = []

    def f(x):
        calls.append(type(x).__name__)
        return jnp.sin(x) * 2

    want = np.sin(np.arange(14.0).reshape(7, 2)) * 2
    for size in (1, 3, 7, 10):
        calls.clear()
        np.testing.assert_allclose(np.asarray(lax.map(f, xs, batch_size=size)), want, rtol=1e-6)
        assert "BatchTracer" in calls  # f ran vectorized over a chunk
    for bad in (0, -2, True, 1.5):
        with pytest.raises(ValueError, match="batch_size"):
            lax.map(f, xs, batch_size=bad)


def test_fori_loop_unroll():
    assert float(lax.fori_loop(0, 4, lambda i, c: c * 2 + i, 1.0, unroll=2)) == 27.0
    with pytest.raises(ValueError, match="unroll"):
        jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + i, 0.0, unroll=2))(3)
    assert float(jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + i, 0.0, unroll=1))(4)) == 6.0


@pytest.mark.parametrize("transform", [jax.grad, jax.value_and_grad])
def test_grad_reduce_axes_is_refused_as_in_jax(transform):
    with pytest.raises(NotImplementedError, match="reduce_axes"):
        transform(lambda x: x * 2.0, reduce_axes=("i",))
    assert float(jax.grad(lambda x: x * 2.0, reduce_axes=())(1.0)) == 2.0


def test_an_escaped_tracer_returned_from_jvp_is_caught():
    leaked = []
    jax.jvp(lambda x: leaked.append(x) or x, (1.0,), (1.0,))
    with pytest.raises(errors.UnexpectedTracerError):
        jax.jvp(lambda x: leaked[0], (1.0,), (1.0,))
