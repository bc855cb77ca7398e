"""Randomised internal-consistency checks of nablax (no JAX needed).

Each test draws a random program and a random stack of transformations on top (see
programs.py / stacks.py) and checks one identity that must hold whatever the program:
jit vs eager, vmap vs a Python loop, derivatives vs central finite differences in
float64, jvp vs vjp by the dot-product test, jacfwd vs jacrev and hessian symmetry, and
custom_jvp / custom_vjp rules being the ones used. The example budget comes from the
hypothesis profile (tests/conftest.py): `ci` by default, `--hypothesis-profile=long`.
"""
import numpy as np
from hypothesis import assume, example, given
from hypothesis import strategies as st

import nablax
import nablax.numpy as jnp

from .cases import Case, assert_close, assume_tame, cases, count, inner, weak_type
from .programs import Node, Program, programs
from .stacks import Stage, order, stacks, vmap_axes

EPS = 1e-5
FD_RTOL = 1e-6
KINK_MARGIN = 1e-3


@given(cases())
def test_jit_matches_eager(case):
    xs = case.inputs()
    assume_tame(case, xs)
    count("jit_vs_eager")
    f = case.function()
    eager = f(*xs)
    jitted = nablax.jit(f)(*xs)
    # float32: types exactly, values loosely (rounding differences grow through loops of cubes);
    # float64: values tightly
    assert_close(jitted, eager, 1e-3, "jit vs eager")
    with nablax.config.enable_x64(True):
        xs64 = case.inputs(np.float64)
        f64 = case.function(dtype=np.float64)
        assert_close(nablax.jit(f64)(*xs64), f64(*xs64), 1e-10, "jit vs eager (float64)")


@given(cases(), st.data())
def test_vmap_matches_loop(case, data):
    shapes = case.top_in_shapes
    axes = vmap_axes(data.draw, shapes, case.prog.py_floats)
    assume(axes is not None)
    size = 3
    slices = [case.inputs(seed=case.seed + b) for b in range(size)]
    batched = [x if a is None else np.stack([s[i] for s in slices], axis=a)
               for i, (x, a) in enumerate(zip(slices[0], axes))]
    assume_tame(case, batched, outer_axes=axes, outer_size=size)
    count("vmap_vs_loop")
    f = case.function()
    looped = [f(*[x if a is None else s[i] for i, (x, a) in enumerate(zip(slices[0], axes))]) for s in slices]
    out = nablax.vmap(f, in_axes=axes)(*batched)
    assert_close(out, np.stack([np.asarray(y) for y in looped]), 2e-5, "vmap vs loop", types=False)
    assert np.asarray(out).dtype == jnp.asarray(looped[0]).dtype
    assert weak_type(out) == weak_type(looped[0]), "vmap changed the weak type"


def _tangents(case, xs, seed):
    rng = np.random.default_rng(seed)
    return [float(rng.standard_normal()) if isinstance(x, float) else rng.standard_normal(np.shape(x)) for x in xs]


def _central_difference(f, xs, ts, eps):
    plus = f(*[x + eps * t for x, t in zip(xs, ts)])
    minus = f(*[x - eps * t for x, t in zip(xs, ts)])
    return (np.asarray(plus) - np.asarray(minus)) / (2 * eps)


def _vmapped_fori_program(fori_args: tuple, body: tuple, tail: tuple, n_vmaps: int) -> Case:
    """The programs hypothesis found failing: matmul, sin, a fori_loop of the unary chain `body`
    over `fori_args`, then the `tail` nodes, under `n_vmaps` vmaps over axis 0."""
    nodes = (Node(op="matmul", args=(0, 0)), Node(op="sin", args=(1,)),
             Node(op="fori_loop", args=fori_args, sub=(body,))) + tail
    vmap0 = Stage(kind="vmap", params=(("in_axes", (0,)), ("out_axes", 0)))
    return Case(prog=Program(in_shapes=((2,),), nodes=nodes, out_shape=()), stack=(vmap0,) * n_vmaps, seed=0)


@given(cases())
@example(case=_vmapped_fori_program((1, 1), ("expm1", "expm1", "sin"), (Node(op="minimum", args=(1, 3)),), 2)
         ).via("discovered failure")
@example(case=_vmapped_fori_program((2, 1), ("cube", "cube", "cos"), (), 1)).via("discovered failure")
def test_derivatives_match_finite_differences(case):
    """jvp vs central differences, vjp vs central differences (dot-product form), jvp vs vjp (exact)."""
    with nablax.config.enable_x64(True):
        xs = case.inputs(np.float64)
        margin = assume_tame(case, xs)
        assume(margin > KINK_MARGIN)
        count("derivatives_vs_fd")
        f = case.function(dtype=np.float64)
        ts = _tangents(case, xs, case.seed + 1)
        fd1, fd2 = _central_difference(f, xs, ts, EPS), _central_difference(f, xs, ts, 2 * EPS)
        fd = fd1 + (fd1 - fd2) / 3  # Richardson extrapolation; |fd1 - fd2| bounds its error
        noise = np.abs(fd1 - fd2)
        fwd, rev = case.prog.fwd_ok, case.rev_ok
        if fwd:
            out, tout = nablax.jvp(f, tuple(xs), tuple(np.float64(t) if isinstance(t, float) else t for t in ts))
            assert_close(tout, fd, FD_RTOL, "jvp vs finite differences", types=False, atol=float(np.max(noise, initial=0)))
        if rev:
            out, pullback = nablax.vjp(f, *xs)
            ct = np.random.default_rng(case.seed + 2).standard_normal(np.shape(out))
            cts = pullback(ct)
            lhs, rhs = inner([ct], [fd]), inner(cts, ts)
            scale = max(1.0, abs(lhs), abs(rhs), float(np.sum(np.abs(ct) * np.abs(fd))))
            bound = FD_RTOL * 10 * scale + inner([np.abs(ct)], [noise])
            assert abs(lhs - rhs) <= bound, f"vjp vs finite differences: <ct, fd> = {lhs}, <vjp(ct), t> = {rhs}"
            if fwd:
                exact = inner([ct], [tout])
                assert abs(exact - rhs) <= 1e-9 * scale, f"dot-product test: <ct, jvp> = {exact}, <vjp(ct), t> = {rhs}"


@given(cases(max_depth=2), st.data())
def test_jacfwd_matches_jacrev_and_hessian_is_symmetric(case, data):
    prog = case.prog
    assume(prog.fwd_ok and case.rev_ok)
    with nablax.config.enable_x64(True):
        xs = case.inputs(np.float64)
        assume_tame(case, xs)
        count("jacfwd_jacrev_hessian")
        f = case.function(dtype=np.float64)
        k = data.draw(st.integers(0, len(xs) - 1))
        jf, jr = nablax.jacfwd(f, argnums=k)(*xs), nablax.jacrev(f, argnums=k)(*xs)
        # (weak types may differ: JAX's jacfwd of a function independent of a strong input is weak, jacrev's is not)
        assert_close(jf, jr, 1e-9, "jacfwd vs jacrev", types=False)
        assert np.asarray(jf).dtype == np.asarray(jr).dtype
        w = np.random.default_rng(case.seed).standard_normal(case.top_out_shape)

        def scalar(*a):
            return jnp.sum(f(*a) * w)

        h = np.asarray(nablax.hessian(scalar, argnums=k)(*xs))
        n = int(np.size(xs[k]))
        h = h.reshape(n, n)
        assert_close(h, h.T, 1e-9, "hessian symmetry", types=False)


@st.composite
def custom_cases(draw):
    """A random program wrapped whole in custom_jvp or custom_vjp, and a stack legal for the wrapper."""
    prog = draw(programs(allow=()))
    kind = draw(st.sampled_from(["custom_jvp", "custom_vjp"]))
    inner_prog = Program(prog.in_shapes, prog.nodes, prog.out_shape)
    wrapped = Program(prog.in_shapes, (Node(kind, tuple(range(len(prog.in_shapes))), (), (inner_prog,)),),
                      prog.out_shape, prog.py_floats)
    # Known defect (custom_derivatives.py): reverse mode through a custom_jvp rule containing
    # control flow or a jit fails ("Cannot transpose atan", "Cannot transpose jit", "lax.cond is
    # not linear in its predicate", UndefinedPrimal), e.g. jit(grad(lambda v: f(v).sum())) for
    # f = custom_jvp(sin(cond(...))) or grad(lambda v: custom_jvp(jit(sin))(v).sum()).
    rev_ok = None if kind == "custom_vjp" or not (prog.has_control_flow or prog.has_jit) else False
    return Case(wrapped, draw(stacks(wrapped, rev_ok=rev_ok)), draw(st.integers(0, 2**32 - 1)))


@given(custom_cases(), st.sampled_from([2.0, -0.5]))
@example(
    case=Case(prog=Program(in_shapes=((),),
      nodes=(Node(op='custom_jvp',
        args=(0,),
        params=(),
        sub=(Program(in_shapes=((),),
          nodes=(Node(op='add', args=(0, 0), params=(), sub=()),),
          out_shape=(),
          py_floats=()),)),),
      out_shape=(),
      py_floats=(0,)),
     stack=(),
     seed=0),
    c=2.0,  # or any other generated value
).via('discovered failure')
def test_custom_rules_are_obeyed(case, c):
    """Every derivative of custom_jvp/vjp(g) with rules scaled by c is c times g's: the rule is what gets used."""
    xs = case.inputs()
    assume_tame(case, xs)
    count("custom_rules")
    sub = case.prog.nodes[0].sub[0]
    plain = Case(Program(sub.in_shapes, sub.nodes, sub.out_shape, case.prog.py_floats), case.stack, case.seed)
    expected = plain.function()(*xs)
    got = case.function(rule_scale=c)(*xs)
    # (a Python float, e.g. `x + x` of a Python-float input, counts as a weak float32 array)
    assert jnp.asarray(got).dtype == jnp.asarray(expected).dtype and weak_type(got) == weak_type(expected)
    factor = c if order(case.stack) > 0 else 1.0
    assert_close(got, np.asarray(expected) * factor, 2e-5, f"custom rule scaled by {c}", types=False)
