"""Each jit pass on small traced or hand-made Jaxprs: what it removes or rewrites, and that
the program still computes the same values. The checker runs on every result here.

Programs run through codegen (`compile_program`, the code jit runs) and are compared with
`eval_jaxpr` of the program before the pass.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax._src.array import wrap
from nablax._src.avals import ShapedArray
from nablax._src.ir import Eqn, Jaxpr, Literal, Var, eval_jaxpr, typecheck_jaxpr
from nablax._src.jit import passes
from nablax._src.jit.codegen import compile_program
from nablax._src.primitives import elementwise

F32 = np.dtype(np.float32)


def _program(f, *args) -> passes.Program:
    closed = nablax.make_jaxpr(f)(*args)
    return passes.Program(closed.jaxpr, list(closed.consts))


def _inline(prog: passes.Program) -> passes.Program:
    return passes.inline_calls(prog)


def _optimize(prog: passes.Program) -> passes.Program:
    return passes.optimize(prog)


def _prims(prog: passes.Program) -> list[str]:
    return [e.prim.name for e in prog.jaxpr.eqns]


def _apply(pass_fn, prog: passes.Program, *args) -> passes.Program:
    """Run one pass; check the result is well formed and computes what `prog` computed."""
    out = pass_fn(prog)
    typecheck_jaxpr(out.jaxpr, out.consts, context=f"after {pass_fn.__name__}", weak_types=False)
    vals = [np.asarray(a, F32) if np.ndim(a) else np.float32(a) for a in args]
    before = [np.asarray(v) for v in eval_jaxpr(prog.jaxpr, prog.consts, *[wrap(v) for v in vals])]
    fn, _ = compile_program(out, np)
    after = [np.asarray(v) for v in fn(*vals)]
    assert len(before) == len(after)
    for b, a in zip(before, after):
        assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
        np.testing.assert_array_equal(a, b)
    return out


def _var(shape_=(), dtype=F32) -> Var:
    return Var(ShapedArray(tuple(shape_), np.dtype(dtype)))


def _lit(value, dtype=F32) -> Literal:
    return Literal(wrap(np.asarray(value, dtype)[()]))


X3 = np.array([0.5, -1.25, 2.0], np.float32)


# ----------------------------------------------------------------------------- inline_calls

def test_inline_calls_replaces_a_nested_jit_by_its_body():
    prog = _program(lambda x: nablax.jit(jnp.sin)(x) * 2, X3)
    assert _prims(prog) == ["jit", "mul"]
    out = _apply(_inline, prog, X3)
    assert _prims(out) == ["sin", "mul"]


def test_inline_calls_inlines_custom_jvp_and_checkpoint_bodies():
    @nablax.custom_jvp
    def f(x):
        return jnp.exp(x)

    f.defjvp(lambda primals, tangents: (f(primals[0]), tangents[0] * 3.0))
    prog = _program(lambda x: nablax.checkpoint(jnp.cos)(f(x)), X3)
    assert "exp" not in _prims(prog) and "cos" not in _prims(prog)
    out = _apply(_inline, prog, X3)
    assert _prims(out) == ["exp", "cos"]


def test_inline_calls_keeps_a_program_without_calls():
    prog = _program(jnp.sin, X3)
    assert _inline(prog) is prog


# ------------------------------------------------------------------------- propagate_splats

def test_propagate_splats_computes_elementwise_ops_on_the_scalar():
    prog = _program(lambda s: jnp.sin(lax.broadcast_in_dim(s, (3,), ())) * 2.0, 0.5)
    assert _prims(prog) == ["broadcast_in_dim", "sin", "mul"]
    out = passes.dce(_apply(passes.propagate_splats, prog, 0.5))
    assert _prims(out) == ["sin", "mul", "broadcast_in_dim"]
    sin, mul, _ = out.jaxpr.eqns
    assert sin.outvars[0].aval.shape == () and mul.outvars[0].aval.shape == ()


def test_propagate_splats_reads_the_scalar_next_to_a_full_operand():
    prog = _program(lambda x, s: x * lax.broadcast_in_dim(s, (3,), ()), X3, 2.0)
    out = passes.dce(_apply(passes.propagate_splats, prog, X3, 2.0))
    assert _prims(out) == ["mul"]
    assert [a.aval.shape for a in out.jaxpr.eqns[0].invars] == [(3,), ()]


# --------------------------------------------------------------------------- fold_constants

def test_fold_constants_evaluates_scalar_and_array_constants():
    c = _var((3,))
    x = _var((3,))
    s, t, y, z = _var(), _var(), _var((3,)), _var((3,))
    jaxpr = Jaxpr([c], [x], [z, s], [
        Eqn(elementwise.sin_p, [_lit(2.0)], [s], {}),  # scalar of a literal: becomes a Literal
        Eqn(elementwise.mul_p, [s, _lit(3.0)], [t], {}),
        Eqn(elementwise.cos_p, [c], [y], {}),  # array of a constant: becomes a new constvar
        Eqn(elementwise.add_p, [x, y], [z], {}),
    ])
    prog = passes.Program(jaxpr, [wrap(np.array([0.0, 1.0, 2.0], F32))])
    out = _apply(passes.fold_constants, prog, X3)
    assert _prims(out) == ["add"]
    z_out, s_out = out.jaxpr.outvars
    assert type(s_out) is Literal and s_out.val._value == np.sin(np.float32(2.0))
    folded = out.jaxpr.eqns[0].invars[1]
    assert folded in out.jaxpr.constvars
    np.testing.assert_array_equal(np.asarray(out.consts[out.jaxpr.constvars.index(folded)]),
                                  np.cos(np.array([0.0, 1.0, 2.0], F32)))


def test_fold_constants_leaves_equations_that_read_inputs():
    prog = _program(lambda x: jnp.sin(x) + 1.0, X3)
    assert _prims(_apply(passes.fold_constants, prog, X3)) == ["sin", "add"]


# ---------------------------------------------------------------------------------- simplify

def test_simplify_drops_exact_identities():
    prog = _program(lambda x: jnp.negative(jnp.negative(x * 1.0 + 0.0)), X3)
    assert _prims(prog) == ["mul", "add", "neg", "neg"]
    out = _apply(passes.simplify, prog, X3)
    assert _prims(out) == ["neg"]  # kept for dce: nothing reads it
    assert out.jaxpr.outvars == prog.jaxpr.invars
    assert _prims(passes.dce(out)) == []


def test_simplify_drops_no_op_shape_changes():
    prog = _program(lambda x: jnp.transpose(jnp.transpose(x)).reshape(2, 3).astype(jnp.float32),
                    np.ones((2, 3), F32))
    out = passes.dce(_apply(passes.simplify, prog, np.ones((2, 3), F32)))
    assert _prims(out) == []


def test_simplify_keeps_inexact_identities():
    # x * 0 is not 0 for inf or nan; x - x neither.
    prog = _program(lambda x: x * 0.0 + (x - x), X3)
    assert _prims(_apply(passes.simplify, prog, X3)) == ["mul", "sub", "add"]


def test_simplify_rewrites_negations_into_cheaper_equations():
    prog = _program(lambda x, y: (x + -y, x - -y, -(2.0 * x)), X3, X3[::-1].copy())
    out = passes.dce(_apply(passes.simplify, prog, X3, X3[::-1].copy()))
    assert sorted(_prims(out)) == ["add", "mul", "sub"]
    mul = next(e for e in out.jaxpr.eqns if e.prim.name == "mul")
    assert mul.invars[0].val._value == -2.0


# --------------------------------------------------------------------- fold_broadcasts

def test_fold_broadcasts_lets_numpy_broadcast():
    prog = _program(lambda x, s: x + lax.broadcast_in_dim(s, (3,), ()), X3, 2.0)
    out = _apply(passes.fold_broadcasts, prog, X3, 2.0)
    assert _prims(out) == ["add"]
    assert [a.aval.shape for a in out.jaxpr.eqns[0].invars] == [(3,), ()]


def test_fold_broadcasts_keeps_a_broadcast_that_is_returned_or_needed():
    prog = _program(lambda s: (lax.broadcast_in_dim(s, (3,), ()), jnp.sin(lax.broadcast_in_dim(s, (3,), ()))), 2.0)
    assert _prims(_apply(passes.fold_broadcasts, prog, 2.0)) == _prims(prog)


def test_fold_broadcasts_drops_only_one_of_two_broadcasts_feeding_one_op():
    """u + v, both broadcasts of (1,) to (1, 1, 2): dropping both would add two (1,) arrays
    (found by the randomized suite: jacrev of minimum(sum(x), mean(x)) under jit)."""
    y = np.array([0.5, 2.0], np.float32)[:1]
    f = lambda t, s: lax.broadcast_in_dim(t, (1, 1, 2), (0,)) + lax.broadcast_in_dim(s, (1, 1, 2), (0,))  # noqa: E731
    prog = _program(f, y, y * 3)
    out = _apply(passes.fold_broadcasts, prog, y, y * 3)
    assert out.jaxpr.outvars[0].aval.shape == (1, 1, 2)
    assert _prims(out).count("broadcast_in_dim") == 1
    np.testing.assert_array_equal(nablax.jit(f)(y, y * 3), np.full((1, 1, 2), 2.0, np.float32))


# --------------------------------------------------------------------------------------- cse

def test_cse_computes_identical_equations_once():
    prog = _program(lambda x: jnp.sin(x) + jnp.sin(x) * jnp.sin(x + 1.0), X3)
    assert _prims(prog).count("sin") == 3
    out = _apply(passes.cse, prog, X3)
    assert _prims(out).count("sin") == 2


def test_cse_tells_literals_of_different_dtypes_apart():
    x = _var((3,), np.int32)
    a, b = _var((3,), np.int32), _var((3,), np.int32)
    jaxpr = Jaxpr([], [x], [a, b], [Eqn(elementwise.add_p, [x, _lit(1, np.int32)], [a], {}),
                                    Eqn(elementwise.add_p, [x, Literal(wrap(np.int32(1), True))], [b], {})])
    out = passes.cse(passes.Program(jaxpr, []))
    assert _prims(out) == ["add", "add"]


def test_cse_merges_commutative_operands_in_either_order():
    prog = _program(lambda x, y: (x * y) - (y * x) + (x + y) * (y + x) + (x == y).astype(F32) + (y == x), X3, X3 + 1)
    out = _apply(passes.cse, prog, X3, X3 + 1)
    assert _prims(out).count("mul") == 2 and _prims(out).count("add") == _prims(prog).count("add") - 1
    assert _prims(out).count("eq") == 1


def test_doubling_after_cse_becomes_one_multiply():
    x = np.array([1.5, -0.0, 0.0, np.inf, -np.inf, np.nan], np.float32)
    f = lambda x: -(jnp.sin(x) * x + x * jnp.sin(x))  # noqa: E731  (CSE makes it -(h + h))
    out = _optimize(_program(f, x))
    assert _prims(out) == ["sin", "mul", "mul"]
    got = np.asarray(nablax.jit(f)(x))
    np.testing.assert_array_equal(got, np.asarray(f(x)))
    real = ~np.isnan(got)  # (a NaN's sign bit means nothing)
    np.testing.assert_array_equal(np.signbit(got[real]), np.signbit(np.asarray(f(x))[real]))


def test_cse_keeps_order_dependent_operations_apart():
    # max/min are not marked commutative, sub and div depend on the order, x * x is one operand twice
    prog = _program(lambda x, y: (jnp.maximum(x, y), jnp.maximum(y, x), x - y, y - x, x * x, x / y, y / x),
                    X3, X3 + 1)
    out = passes.cse(prog)
    assert _prims(out) == _prims(prog)


# ---------------------------------------------------------------------------- negations

@pytest.mark.parametrize("form, prims", [
    (lambda x, a, b: x + (-a) * b, ["mul", "sub"]),
    (lambda x, a, b: (-a) * b + x, ["mul", "sub"]),
    (lambda x, a, b: x + b * (-a), ["mul", "sub"]),
    (lambda x, a, b: x - (-a) * b, ["mul", "add"]),
])
def test_sink_negations_turns_the_sum_into_a_difference(form, prims):
    x, a, b = (np.array(v, np.float32) for v in ([1.0, -0.0, 2.0], [3.0, 0.0, -np.inf], [0.5, -0.0, 1.0]))
    prog = _program(form, x, a, b)
    out = _apply(passes.sink_negations, prog, x, a, b)
    assert [p for p in _prims(passes.dce(out))] == prims
    got = np.asarray(nablax.jit(form)(x, a, b))
    np.testing.assert_array_equal(got, np.asarray(form(x, a, b)))
    np.testing.assert_array_equal(np.signbit(got), np.signbit(np.asarray(form(x, a, b))))


@pytest.mark.parametrize("form", [
    lambda x, a, b: (x + (-a) * b, (-a) * b),   # the product is read twice (and returned)
    lambda x, a, b: x - b - (-a) * b * 2.0,     # the negated product feeds a multiply, not the sum
])
def test_sink_negations_leaves_products_read_elsewhere(form):
    x = a = b = X3
    prog = passes.cse(_program(form, x, a, b))  # one product, read by the sum and as an output
    out = passes.sink_negations(prog)
    assert _prims(out) == _prims(prog)


def test_sink_negations_keeps_integers():
    x = np.arange(3, dtype=np.int32)
    prog = _program(lambda x: x + (-x) * x, x)
    assert _prims(passes.sink_negations(prog)) == _prims(prog)


# --------------------------------------------------------------------------------------- dce

def test_dce_drops_dead_equations_and_constants():
    c = jnp.asarray(np.arange(3.0, dtype=F32))
    prog = _program(lambda x: (jnp.cos(x), jnp.exp(x + c))[0], X3)
    assert _prims(prog) == ["cos", "add", "exp"] and len(prog.consts) == 1
    out = _apply(passes.dce, prog, X3)
    assert _prims(out) == ["cos"] and out.consts == [] and out.jaxpr.constvars == []


# --------------------------------------------------------------------------------- optimize

def test_optimize_runs_the_whole_pipeline():
    prog = _program(lambda x, s: nablax.jit(lambda y: jnp.negative(jnp.negative(y)) * 1.0)(x) + lax.broadcast_in_dim(s, (3,), ()),
                    X3, 2.0)
    out = _apply(_optimize, prog, X3, 2.0)
    assert _prims(out) == ["add"]


# ----------------------------------------------------------------------------- the checker

def _sin_program():
    x, y = _var((3,)), _var((3,))
    return x, y, Jaxpr([], [x], [y], [Eqn(elementwise.sin_p, [x], [y], {})])


def test_checker_accepts_a_well_formed_jaxpr():
    typecheck_jaxpr(_sin_program()[2])
    typecheck_jaxpr(nablax.make_jaxpr(lambda x: lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x))(X3).jaxpr)


def test_checker_names_an_undefined_variable():
    x, y, jaxpr = _sin_program()
    stray = _var((3,))
    jaxpr.eqns[0].invars = [stray]
    with pytest.raises(TypeError, match=r"equation 0 `b:f32\[3\] = sin c`: reads c, which is not defined before it\n"):
        typecheck_jaxpr(jaxpr)


def test_checker_names_a_wrong_aval():
    x, _, jaxpr = _sin_program()
    bad = _var((3,), np.float64)
    jaxpr.eqns[0].outvars, jaxpr.outvars = [bad], [bad]
    with pytest.raises(TypeError, match=r"outvar 0 is declared f64\[3\] but sin's abstract_eval gives f32\[3\]"):
        typecheck_jaxpr(jaxpr, context="after pass test")
    weak = Var(ShapedArray((3,), F32, True))
    jaxpr.eqns[0].outvars, jaxpr.outvars = [weak], [weak]
    with pytest.raises(TypeError, match=r"declared f32\[3\] \(weak\) but sin's abstract_eval gives f32\[3\]\n"):
        typecheck_jaxpr(jaxpr)
    typecheck_jaxpr(jaxpr, weak_types=False)


def test_checker_finds_double_bindings_bad_consts_and_rejected_operands():
    x, y, jaxpr = _sin_program()
    twice = Jaxpr([], [x], [x], [Eqn(elementwise.sin_p, [x], [x], {})])
    with pytest.raises(TypeError, match="outvar a is bound twice"):
        typecheck_jaxpr(twice)
    c = _var((2,))
    with pytest.raises(TypeError, match=r"const 0 is f32\[3\] but its constvar is f32\[2\]"):
        typecheck_jaxpr(Jaxpr([c], [], [c], []), [np.zeros(3, F32)])
    i = _var((3,), np.int32)
    with pytest.raises(TypeError, match="sin's abstract_eval rejects its operands"):
        typecheck_jaxpr(Jaxpr([], [i], [y], [Eqn(elementwise.sin_p, [i], [y], {})]))


def test_checker_looks_inside_nested_jaxprs():
    closed = nablax.make_jaxpr(lambda x: lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x))(X3)
    cond = next(e for e in closed.jaxpr.eqns if e.prim.name == "cond")
    branch = cond.params["branches"][1].jaxpr
    branch.eqns[0].outvars[0].aval = ShapedArray((4,), F32)
    with pytest.raises(TypeError, match=r"cond\[branches\] equation 0 .*: outvar 0 is declared f32\[4\]"):
        typecheck_jaxpr(closed.jaxpr)


def test_optimize_names_the_pass_that_broke_the_program(monkeypatch):
    def broken_cse(prog):  # forgets the first equation
        j = prog.jaxpr
        return passes.Program(Jaxpr(j.constvars, j.invars, j.outvars, j.eqns[1:]), prog.consts)

    monkeypatch.setattr(passes, "cse", broken_cse)
    with nablax.config.override("nablax_check_jaxprs", True):
        with pytest.raises(TypeError, match="jaxpr typecheck failed after pass broken_cse: equation 0 `b:f32\\[3\\] = cos c`"):
            nablax.jit(lambda x: jnp.cos(jnp.sin(x)))(X3)


def test_the_checker_costs_nothing_when_the_flag_is_off(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("typecheck_jaxpr ran with the flag off")

    monkeypatch.setattr(passes, "typecheck_jaxpr", fail)
    with nablax.config.override("nablax_check_jaxprs", False):
        np.testing.assert_array_equal(np.asarray(nablax.jit(lambda x: jnp.sin(x) * 2.0)(X3)), np.sin(X3) * 2)
    with nablax.config.override("nablax_check_jaxprs", True):
        with pytest.raises(AssertionError, match="flag off"):
            nablax.jit(lambda x: jnp.cos(x) * 2.0)(X3)


@pytest.mark.parametrize("env,expected", [("1", True), ("0", False), ("", False)])
def test_the_flag_reads_its_environment_variable(env, expected):
    code = "import nablax; print(nablax.config.read('nablax_check_jaxprs'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, NABLAX_CHECK_JAXPRS=env, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.stdout.strip() == str(expected), out.stderr


def test_a_large_product_of_constants_is_folded_at_compile_time():
    import nablax as jax
    import nablax.numpy as jnp

    a = np.random.RandomState(0).rand(300, 300).astype(np.float32)  # 90,000 elements: above the plain fold limit
    ca = jnp.asarray(a)

    def f(x):
        return (ca @ ca) @ x + jnp.broadcast_to(x[0], (300, 300)).sum(0)

    x = np.arange(300, dtype=np.float32) / 300
    src = jax.jit(f).lower(x).as_text()
    assert src.count(".dot(") + src.count("matmul") == 1  # only the product with x runs per call
    assert "broadcast_to" in src  # a large broadcast (cheap to redo) is not folded
    np.testing.assert_allclose(np.asarray(jax.jit(f)(x)), (a @ a) @ x + 300 * x[0], rtol=1e-5)
