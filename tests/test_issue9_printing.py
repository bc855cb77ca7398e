"""Printed forms (tracers, jaxprs) as JAX 0.10.2 prints them; expected strings measured there."""
from __future__ import annotations

import types

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import lax


def _seen(transform, fun_args):
    """The repr and str of the tracer a function sees under `transform`."""
    seen = []

    def f(x):
        seen.append((repr(x), str(x)))
        return x

    transform(f)(*fun_args)
    assert seen[0][0] == seen[0][1]
    return seen[0][0]


@pytest.mark.parametrize("transform, args, expected", [
    (jax.jit, (1.0,), "JitTracer(~float32[])"),
    (jax.jit, (np.ones(3, np.float32),), "JitTracer(float32[3])"),
    (jax.jit, (np.int32(3),), "JitTracer(int32[])"),
    (jax.make_jaxpr, (1.0,), "JitTracer(~float32[])"),
    (jax.grad, (1.0,), "GradTracer(primal=1.0, typeof(tangent)=f32[])"),
    (jax.vmap, (np.ones(3, np.float32),), "VmapTracer(aval=float32[], batched=float32[3])"),
    (lambda f: jax.vmap(f, in_axes=1), (np.ones((3, 4), np.float32),),
     "VmapTracer(aval=float32[3], batched=float32[3,4])"),
    (lambda f: jax.jit(jax.grad(f)), (1.0,), "GradTracer(primal=JitTracer(~float32[]), typeof(tangent)=f32[])"),
    (lambda f: jax.vmap(jax.grad(f)), (np.ones(3, np.float32),),
     "GradTracer(primal=VmapTracer(aval=float32[], batched=float32[3]), typeof(tangent)=f32[])"),
    (jax.jacfwd, (np.ones(2, np.float32),),
     "JVPTracer(primal=[1. 1.], tangent=VmapTracer(aval=float32[2], batched=float32[2,2]))"),
    (jax.hessian, (1.0,),
     "GradTracer(primal=JVPTracer(primal=1.0, tangent=VmapTracer(aval=~float32[], batched=~float32[1])), "
     "typeof(tangent)=f32[])"),
])
def test_tracer_repr_matches_jax(transform, args, expected):
    assert _seen(transform, args) == expected


def test_jvp_tracer_repr_shows_primal_and_tangent():
    seen = []
    jax.jvp(lambda x: seen.append(repr(x)) or x, (jnp.ones(3),), (jnp.ones(3),))
    assert seen == ["JVPTracer(primal=[1. 1. 1.], tangent=[1. 1. 1.])"]


def test_intermediate_tracers_show_weak_type():
    seen = []

    def f(x):
        seen.extend([repr(x * 2), repr(jnp.sum(jnp.ones(3) * x)), repr(x > 0), repr(x.astype(jnp.float16))])
        return x

    jax.jit(f)(1.0)
    assert seen == ["JitTracer(~float32[])", "JitTracer(float32[])", "JitTracer(~bool[])", "JitTracer(float16[])"]


def test_control_flow_bodies_see_jit_tracers():
    seen = []
    lax.scan(lambda c, x: (seen.append(repr(c)) or c, seen.append(repr(x)) or x), 0.0, jnp.ones(3))
    assert seen == ["JitTracer(~float32[])", "JitTracer(float32[])"]


def test_shaped_array_str_marks_weak_type():
    from nablax._src.avals import ShapedArray

    a = ShapedArray((), np.float32, True)
    assert str(a) == "~float32[]"
    assert repr(a) == "ShapedArray(float32[], weak_type=True)"
    assert str(ShapedArray((2, 3), np.int32)) == "int32[2,3]"


# ------------------------------------------------------------------ make_jaxpr text (JAX 0.10.2's)
# Programs are functions of a namespace L (L.jax, L.jnp, L.lax); tests/compat runs each under
# JAX too. `exact`: nablax prints exactly JAX's text (see tests/compat/test_printing_vs_jax.py).

x3 = np.arange(3, dtype=np.float32)
m23 = np.ones((2, 3), np.float32)
C3 = np.array([1.0, 2.0, 3.0], np.float32)
big = [np.ones((100, 100), np.float32)] * 12


def _custom_jvp(L):
    @L.jax.custom_jvp
    def smooth(x):
        return L.jnp.sin(x)

    @smooth.defjvp
    def smooth_jvp(p, t):
        return smooth(p[0]), L.jnp.cos(p[0]) * t[0]

    return lambda x: smooth(x) + 1


def _custom_vjp(L):
    @L.jax.custom_vjp
    def f(x, y):
        return x * y

    def f_fwd(x, y):
        return f(x, y), (x, y)

    def f_bwd(r, g):
        return r[1] * g, r[0] * g

    f.defvjp(f_fwd, f_bwd)
    return lambda x: f(x, x) + 1


def _double(y):
    return y * 2


def _eleven_sins(L):
    def body(x):  # the smallest body over the 10 equations above which a jaxpr prints once, by name
        for _ in range(11):
            x = L.jnp.sin(x)
        return x

    g = L.jax.jit(body)
    return lambda x: g(x) + g(x)


# name -> (program builder, args, exact?)
PROGRAMS = {
    "elementwise": (lambda L: lambda x: L.jnp.sin(x) * 2.0 + 1, (x3,), True),
    "weak_literals": (lambda L: lambda x: x * 2 + 1, (1.0,), True),
    "int_literals": (lambda L: lambda i: i * 2 + 1, (np.int32(3),), True),
    "np_scalar_literal": (lambda L: lambda x: x * np.float32(0.1), (x3,), True),
    "inf_and_bool_literals": (lambda L: lambda x: L.jnp.logical_and(L.jnp.minimum(x, L.jnp.inf) > 0, True),
                              (x3,), True),
    "exp_log_div": (lambda L: lambda x: L.jnp.log(L.jnp.exp(x)) / 3.0, (x3,), True),
    "long_chain": (lambda L: lambda x: L.jnp.sin(L.jnp.cos(L.jnp.tan(L.jnp.exp(L.jnp.sqrt(x))))),
                   (np.ones((10, 20, 30), np.float32),), True),
    "many_inputs_wrap": (lambda L: lambda *xs: sum(xs), tuple(big), True),
    "dot": (lambda L: lambda a, b: L.jnp.dot(a, b), (m23, x3), False),
    "matmul_transpose": (lambda L: lambda a, b: a @ b.T, (m23, m23), False),
    "reduce_sum_all": (lambda L: lambda x: L.jnp.sum(x), (m23,), False),
    "reduce_max_axis": (lambda L: lambda x: L.jnp.max(x, axis=0), (m23,), True),
    "mean": (lambda L: lambda x: L.jnp.mean(x), (x3,), False),
    "broadcast_to": (lambda L: lambda x: L.jnp.broadcast_to(x, (4, 3)), (x3,), True),
    "reshape_transpose": (lambda L: lambda x: x.reshape(3, 2).T, (m23,), False),
    "astype": (lambda L: lambda x: x.astype(L.jnp.int32), (x3,), True),
    "concatenate": (lambda L: lambda x: L.jnp.concatenate([x, x]), (x3,), True),
    "closure_const": (lambda L: lambda x: x * C3, (x3,), True),
    "closure_numpy_const": (lambda L: lambda x: x + np.arange(3.0, dtype=np.float32), (1.0,), True),
    "unused_output": (lambda L: lambda x: (L.jnp.sin(x), x)[1] * 2, (x3,), True),
    "identity_and_literal_out": (lambda L: lambda x: (x, 1.0), (x3,), True),
    "bfloat16": (lambda L: lambda x: x.astype(L.jnp.bfloat16) * 2, (np.ones(2, np.float32),), True),
    "pytree_in_out": (lambda L: lambda d: {"s": d["a"] + d["b"], "p": (d["a"] * d["b"],)},
                      ({"a": x3, "b": x3},), True),
    "cond": (lambda L: lambda x: L.lax.cond(x > 0, lambda y: y * 2, lambda y: y - 1, x), (1.0,), True),
    "cond_two_outputs": (lambda L: lambda p, x, y: L.lax.cond(p, lambda a, b: (a + b, a),
                                                              lambda a, b: (a - b, b), x, y),
                         (True, x3, x3), True),
    "switch": (lambda L: lambda i, x: L.lax.switch(i, [L.jnp.sin, L.jnp.cos, lambda z: z], x), (1, x3), True),
    "while": (lambda L: lambda x: L.lax.while_loop(lambda c: c < 10, lambda c: c * 2, x), (1.0,), True),
    "fori_loop": (lambda L: lambda x: L.lax.fori_loop(0, 3, lambda i, c: c + i, x), (1.0,), False),
    "scan": (lambda L: lambda xs: L.lax.scan(lambda c, x: (c + x, c * x), np.float32(0), xs), (x3,), False),
    "nested_jit": (lambda L: lambda x: L.jax.jit(lambda y: L.jnp.cos(y) + 1)(x) * 2, (x3,), True),
    "nested_jit_swapped_outputs": (lambda L: lambda x: L.jax.jit(lambda y, z: (z, y))(x, x), (1.0,), True),
    "vmap_of_jit": (lambda L: L.jax.vmap(L.jax.jit(_double)), (x3,), True),
    "jvp_of_jit": (lambda L: lambda x: L.jax.jvp(L.jax.jit(_double), (x,), (x,)), (1.0,), True),
    "shared_jit_body": (_eleven_sins, (x3,), True),
    "custom_jvp": (_custom_jvp, (x3,), True),
    "custom_vjp": (_custom_vjp, (x3,), True),
    "grad_of_custom_jvp": (lambda L: L.jax.grad(lambda x: _custom_jvp(L)(x).sum()), (x3,), False),
}


EXPECTED_JAXPRS = {
    "jvp_of_jit": """\
{ lambda ; a:f32[]. let
    b:f32[] c:f32[] = jit[
      name=_double
      jaxpr={ lambda ; a:f32[] d:f32[]. let
          b:f32[] = mul a 2.0:f32[]
          c:f32[] = mul d 2.0:f32[]
        in (b, c) }
    ] a a
  in (b, c) }""",
    "bfloat16": """\
{ lambda ; a:f32[2]. let
    b:bf16[2] = convert_element_type[new_dtype=bfloat16 weak_type=False] a
    c:bf16[2] = mul b 2.0:bf16[]
  in (c,) }""",
    'elementwise': """\
{ lambda ; a:f32[3]. let
    b:f32[3] = sin a
    c:f32[3] = mul b 2.0:f32[]
    d:f32[3] = add c 1.0:f32[]
  in (d,) }""",
    'weak_literals': """\
{ lambda ; a:f32[]. let
    b:f32[] = mul a 2.0:f32[]
    c:f32[] = add b 1.0:f32[]
  in (c,) }""",
    'closure_const': """\
{ lambda a:f32[3]; b:f32[3]. let c:f32[3] = mul b a in (c,) }""",
    'unused_output': """\
{ lambda ; a:f32[3]. let _:f32[3] = sin a; b:f32[3] = mul a 2.0:f32[] in (b,) }""",
    'identity_and_literal_out': """\
{ lambda ; a:f32[3]. let  in (a, 1.0:f32[]) }""",
    'cond': """\
{ lambda ; a:f32[]. let
    b:bool[] = gt a 0.0:f32[]
    c:i32[] = convert_element_type[new_dtype=int32 weak_type=False] b
    d:f32[] = cond[
      branches=(
        { lambda ; e:f32[]. let f:f32[] = sub e 1.0:f32[] in (f,) }
        { lambda ; g:f32[]. let h:f32[] = mul g 2.0:f32[] in (h,) }
      )
    ] c a
  in (d,) }""",
    'while': """\
{ lambda ; a:f32[]. let
    b:f32[] = while[
      body_jaxpr={ lambda ; c:f32[]. let d:f32[] = mul c 2.0:f32[] in (d,) }
      body_nconsts=0
      cond_jaxpr={ lambda ; e:f32[]. let f:bool[] = lt e 10.0:f32[] in (f,) }
      cond_nconsts=0
    ] a
  in (b,) }""",
    'nested_jit': """\
{ lambda ; a:f32[3]. let
    b:f32[3] = jit[
      name=<lambda>
      jaxpr={ lambda ; a:f32[3]. let
          c:f32[3] = cos a
          b:f32[3] = add c 1.0:f32[]
        in (b,) }
    ] a
    d:f32[3] = mul b 2.0:f32[]
  in (d,) }""",
    'nested_jit_swapped_outputs': """\
{ lambda ; a:f32[]. let
    b:f32[] c:f32[] = jit[
      name=<lambda>
      jaxpr={ lambda ; a:f32[] b:f32[]. let  in (b, a) }
    ] a a
  in (b, c) }""",
    'shared_jit_body': """\
let body = { lambda ; a:f32[3]. let
    b:f32[3] = sin a
    c:f32[3] = sin b
    d:f32[3] = sin c
    e:f32[3] = sin d
    f:f32[3] = sin e
    g:f32[3] = sin f
    h:f32[3] = sin g
    i:f32[3] = sin h
    j:f32[3] = sin i
    k:f32[3] = sin j
    l:f32[3] = sin k
  in (l,) } in
{ lambda ; m:f32[3]. let
    n:f32[3] = jit[name=body jaxpr=body] m
    o:f32[3] = jit[name=body jaxpr=body] m
    p:f32[3] = add n o
  in (p,) }""",
    'custom_jvp': """\
{ lambda ; a:f32[3]. let
    b:f32[3] = custom_jvp_call[
      name=smooth
      call_jaxpr={ lambda ; c:f32[3]. let d:f32[3] = sin c in (d,) }
      jvp=smooth_jvp
      symbolic_zeros=False
    ] a
    e:f32[3] = add b 1.0:f32[]
  in (e,) }""",
    'custom_vjp': """\
{ lambda ; a:f32[3]. let
    b:f32[3] = custom_vjp_call[
      name=f
      bwd=f_bwd
      call_jaxpr={ lambda ; c:f32[3] d:f32[3]. let e:f32[3] = mul c d in (e,) }
      fwd=f_fwd
      symbolic_zeros=False
    ] a a
    f:f32[3] = add b 1.0:f32[]
  in (f,) }""",
    'many_inputs_wrap': """\
{ lambda ; a:f32[100,100] b:f32[100,100] c:f32[100,100] d:f32[100,100] e:f32[100,100]
    f:f32[100,100] g:f32[100,100] h:f32[100,100] i:f32[100,100] j:f32[100,100] k:f32[100,100]
    l:f32[100,100]. let
    m:f32[100,100] = add 0.0:f32[] a
    n:f32[100,100] = add m b
    o:f32[100,100] = add n c
    p:f32[100,100] = add o d
    q:f32[100,100] = add p e
    r:f32[100,100] = add q f
    s:f32[100,100] = add r g
    t:f32[100,100] = add s h
    u:f32[100,100] = add t i
    v:f32[100,100] = add u j
    w:f32[100,100] = add v k
    x:f32[100,100] = add w l
  in (x,) }""",
    'reduce_max_axis': """\
{ lambda ; a:f32[2,3]. let b:f32[3] = reduce_max[axes=(0,)] a in (b,) }""",
    'inf_and_bool_literals': """\
{ lambda ; a:f32[3]. let
    b:f32[3] = min a inf:f32[]
    c:bool[3] = gt b 0.0:f32[]
    d:bool[3] = and c True:bool[]
  in (d,) }""",
    'switch': """\
{ lambda ; a:i32[] b:f32[3]. let
    c:i32[] = convert_element_type[new_dtype=int32 weak_type=False] a
    d:i32[] = clamp 0:i32[] c 2:i32[]
    e:f32[3] = cond[
      branches=(
        { lambda ; f:f32[3]. let g:f32[3] = sin f in (g,) }
        { lambda ; h:f32[3]. let i:f32[3] = cos h in (i,) }
        { lambda ; j:f32[3]. let  in (j,) }
      )
    ] d b
  in (e,) }""",
}


_N = types.SimpleNamespace(jax=jax, jnp=jnp, lax=lax)


@pytest.mark.parametrize("name", sorted(EXPECTED_JAXPRS))
def test_make_jaxpr_text_is_jaxs(name):
    build, args, exact = PROGRAMS[name]
    assert exact
    assert str(jax.make_jaxpr(build(_N))(*args)) == EXPECTED_JAXPRS[name]


def test_variable_names_continue_past_z_as_jax_does():
    from nablax._src.ir import _var_name

    # JAX 0.10.2 (core._encode_digits_alphabetic): base 26 with "a" as the zero digit.
    assert [_var_name(i) for i in (0, 25, 26, 27, 51, 52, 676, 701)] == ["a", "z", "ba", "bb", "bz", "ca", "baa", "baz"]


# ------------------------------------------------------------------ traceback filtering and source lines

def _frames(e: BaseException) -> list:
    import traceback

    return [(f.f_code.co_filename, f.f_code.co_name) for f, _ in traceback.walk_tb(e.__traceback__)]


def _internal(frames) -> list:
    import os

    pkg = os.path.dirname(jax.__file__) + os.sep
    return [f for f in frames if f[0].startswith(pkg) or f[0].startswith("<nablax-")]


def _shape_error(x):
    return jnp.sin(x) + jnp.ones(4)  # the user's line the traceback must show


@pytest.mark.parametrize("call", [
    lambda: jax.jit(_shape_error)(jnp.ones(3)),
    lambda: jax.grad(lambda x: _shape_error(x).sum())(jnp.ones(3)),
    lambda: jax.vmap(_shape_error)(jnp.ones((2, 3))),
    lambda: jax.jvp(_shape_error, (jnp.ones(3),), (jnp.ones(3),)),
    lambda: jax.vjp(_shape_error, jnp.ones(3)),
    lambda: jax.jit(jax.grad(lambda x: _shape_error(x).sum()))(jnp.ones(3)),
    lambda: jax.make_jaxpr(_shape_error)(jnp.ones(3)),
    lambda: jax.jacrev(_shape_error)(jnp.ones(3)),
    lambda: jax.eval_shape(_shape_error, jnp.ones(3)),
])
def test_tracebacks_leave_out_nablax_frames(call):
    with pytest.raises(TypeError, match="incompatible for broadcasting") as info:
        call()
    frames = _frames(info.value)
    assert _internal(frames) == []
    assert frames[-1] == (__file__, "_shape_error")  # the line inside the traced function
    assert any("NABLAX_TRACEBACK_FILTERING=off" in n for n in info.value.__notes__)
    # NumPy's error (eager), caught and replaced inside nablax, is not shown
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_traceback_filtering_off_shows_everything():
    from nablax._src.config import config

    with config.override("jax_traceback_filtering", "off"):
        with pytest.raises(TypeError) as info:
            jax.jit(_shape_error)(jnp.ones(3))
    assert len(_internal(_frames(info.value))) >= 3
    assert not getattr(info.value, "__notes__", None)


def test_traceback_filtering_remove_frames_chains_the_full_traceback():
    from nablax._src.config import config
    from nablax._src.traceback_util import UnfilteredStackTrace

    with config.override("jax_traceback_filtering", "remove_frames"):
        with pytest.raises(TypeError) as info:
            jax.grad(lambda x: _shape_error(x).sum())(jnp.ones(3))
    assert _internal(_frames(info.value)) == []
    cause = info.value.__cause__
    assert type(cause) is UnfilteredStackTrace and "incompatible for broadcasting" in str(cause)
    assert _internal(_frames(cause))


def test_uncaught_eager_errors_are_filtered_when_printed(tmp_path):
    import os
    import subprocess
    import sys

    script = tmp_path / "user_script.py"
    script.write_text("import nablax.numpy as jnp\n\ndef f(x):\n    return jnp.sin(x) + jnp.ones(4)\n\nf(jnp.ones(3))\n")
    root = os.path.dirname(os.path.dirname(jax.__file__))
    env = dict(os.environ, PYTHONPATH=root)
    env.pop("NABLAX_TRACEBACK_FILTERING", None)
    env.pop("JAX_TRACEBACK_FILTERING", None)
    run = subprocess.run([sys.executable, "-W", "ignore", str(script)], env=env, capture_output=True, text=True)
    assert "incompatible for broadcasting" in run.stderr
    assert 'user_script.py", line 4, in f' in run.stderr
    assert "nablax" + os.sep + "_src" not in run.stderr
    env["NABLAX_TRACEBACK_FILTERING"] = "off"
    run = subprocess.run([sys.executable, "-W", "ignore", str(script)], env=env, capture_output=True, text=True)
    assert "nablax" + os.sep + "_src" in run.stderr


def test_staged_equations_record_the_users_line():
    import inspect

    def f(x):
        y = jnp.sin(x)
        return y * 2

    line = inspect.getsourcelines(f)[1]
    eqns = jax.make_jaxpr(f)(1.0).eqns
    assert [(e.primitive.name, e.source.line, e.source.function) for e in eqns] == [
        ("sin", line + 1, "f"), ("mul", line + 2, "f")]
    assert str(eqns[0].source) == f"{__file__}:{line + 1} (f)"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_errors_while_re_running_an_equation_name_its_source_line():
    import inspect

    def f(x):
        y = jnp.sin(x)
        return jnp.log(y - 3)

    line = inspect.getsourcelines(f)[1]
    with jax.debug_nans():
        with pytest.raises(FloatingPointError, match="encountered in log") as info:
            jax.jit(f)(1.0)
    assert info.value.__notes__[0] == f"(raised by log, traced at {__file__}:{line + 2} (f))"


def test_checkpoint_prints_the_body_it_recomputes():
    text = str(jax.make_jaxpr(jax.checkpoint(lambda y: jnp.sin(jnp.sin(y))))(1.0))
    assert text == (
        "{ lambda ; a:f32[]. let\n"
        "    b:f32[] = checkpoint[\n"
        "      jaxpr={ lambda ; c:f32[]. let d:f32[] = sin c; e:f32[] = sin d in (e,) }\n"
        "    ] a\n"
        "  in (b,) }"
    )
