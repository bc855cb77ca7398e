"""Printed forms (tracers, jaxprs) as JAX 0.10.2 prints them; expected strings measured there."""
from __future__ import annotations

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
