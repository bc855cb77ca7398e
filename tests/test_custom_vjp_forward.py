"""Forward mode through custom_vjp (jvp, jacfwd, hessian, linearize): the JVP is the
transpose of bwd, which is linear in the cotangent. JAX raises a TypeError for all of these;
nablax computes them, so the reference here is jacrev (which uses bwd), the analytic
derivative and finite differences."""
from functools import partial

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import lax
from nablax.custom_derivatives import SymbolicZero
from nablax.test_util import check_grads


def close(a, b, tol=1e-5):
    la, ta = jax.tree_util.tree_flatten(a)
    lb, tb = jax.tree_util.tree_flatten(b)
    assert ta == tb, (ta, tb)
    for x, y in zip(la, lb):
        assert np.shape(x) == np.shape(y) and np.asarray(x).dtype == np.asarray(y).dtype, (x, y)
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=tol, atol=tol)


# ------------------------------------------------------------------ the functions

@jax.custom_vjp
def scaled_sin(x, y):
    return jnp.sin(x) * y


def _scaled_sin_fwd(x, y):
    return scaled_sin(x, y), (jnp.cos(x), jnp.sin(x), y)


def _scaled_sin_bwd(res, ct):
    cos_x, sin_x, y = res
    return ct * cos_x * y, ct * sin_x


scaled_sin.defvjp(_scaled_sin_fwd, _scaled_sin_bwd)


@jax.custom_vjp
def logsumexp(x):
    return jnp.log(jnp.sum(jnp.exp(x)))


def _lse_fwd(x):
    out = logsumexp(x)
    return out, jnp.exp(x - out)


def _lse_bwd(softmax, ct):
    return (ct * softmax,)


logsumexp.defvjp(_lse_fwd, _lse_bwd)


@jax.custom_vjp
def tree_fun(p, y):
    """Pytrees in and out; bwd mixes both outputs into both inputs."""
    return {"a": jnp.sin(p["x"]) * y, "b": p["s"] * jnp.sum(y ** 2)}


def _tree_fwd(p, y):
    return tree_fun(p, y), (p, y)


def _tree_bwd(res, ct):
    p, y = res
    return ({"x": ct["a"] * jnp.cos(p["x"]) * y, "s": ct["b"] * jnp.sum(y ** 2)},
            ct["a"] * jnp.sin(p["x"]) + 2.0 * ct["b"] * p["s"] * y)


tree_fun.defvjp(_tree_fwd, _tree_bwd)

W = jnp.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])


@jax.custom_vjp
def matvec(x):
    """bwd closes over an array."""
    return W @ x


matvec.defvjp(lambda x: (matvec(x), None), lambda _, ct: (W.T @ ct,))

X = jnp.array([0.3, -1.1, 0.8])
P = {"x": jnp.array([0.3, 1.2]), "s": jnp.float32(2.0)}
Y = jnp.array([1.5, -0.5])


# ------------------------------------------------------------------ the Must-show: jacfwd == jacrev

@pytest.mark.parametrize("f,args", [
    (scaled_sin, (X, X[::-1])),
    (logsumexp, (X,)),
    (tree_fun, (P, Y)),
    (matvec, (X,)),
], ids=["scaled_sin", "logsumexp", "pytrees", "closure"])
def test_jacfwd_equals_jacrev(f, args):
    argnums = tuple(range(len(args)))
    close(jax.jacfwd(f, argnums=argnums)(*args), jax.jacrev(f, argnums=argnums)(*args))
    close(jax.jit(jax.jacfwd(f, argnums=argnums))(*args), jax.jacrev(f, argnums=argnums)(*args))


def test_jvp_equals_the_analytic_derivative():
    x, y, tx, ty = 0.7, 1.9, 0.3, -2.0
    out, t = jax.jvp(scaled_sin, (x, y), (tx, ty))
    np.testing.assert_allclose(float(out), np.sin(x) * y, rtol=1e-6)
    np.testing.assert_allclose(float(t), np.cos(x) * y * tx + np.sin(x) * ty, rtol=1e-6)
    softmax = np.exp(X) / np.sum(np.exp(X))
    np.testing.assert_allclose(np.asarray(jax.jacfwd(logsumexp)(X)), softmax, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.jacfwd(matvec)(X)), np.asarray(W))
    # the tangent has the primal output's dtype, shape and weak type, as jvp of jnp.sin(x) * y does
    assert (t.dtype, t.shape, t.weak_type) == (jnp.float32, (), True)


def test_check_grads_in_forward_mode():
    check_grads(scaled_sin, (jnp.float32(0.7), jnp.float32(1.9)), order=2, modes=("fwd",), atol=2e-2, rtol=2e-2)
    check_grads(logsumexp, (X,), order=2, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)
    with jax.enable_x64():
        x = jnp.array([0.3, -1.1, 0.8], dtype=jnp.float64)
        check_grads(lambda x: tree_fun({"x": x[:2], "s": x[2]}, x[1:]), (x,), order=2, modes=("fwd",))


# ------------------------------------------------------------------ the shapes bwd may have

def test_nondiff_argnums():
    @partial(jax.custom_vjp, nondiff_argnums=(0,))
    def apply(fn, x):
        return fn(x) * 2.0

    apply.defvjp(lambda fn, x: (apply(fn, x), x), lambda fn, x, ct: (2.0 * ct * jnp.cos(x),))
    f = partial(apply, jnp.sin)
    np.testing.assert_allclose(np.asarray(jax.jacfwd(f)(X)), np.diag(2.0 * np.cos(np.asarray(X))), rtol=1e-6)
    close(jax.jacfwd(f)(X), jax.jacrev(f)(X))


def test_symbolic_zeros_fwd_sees_what_is_perturbed():
    seen = []

    @jax.custom_vjp
    def f(x, y):
        return x * y, x + y

    def f_fwd(x, y):
        seen.append((x.perturbed, y.perturbed))
        return f(x.value, y.value), (x.value, y.value)

    def f_bwd(res, ct):
        x, y = res
        c1, c2 = (jnp.zeros_like(x) if isinstance(c, SymbolicZero) else c for c in ct)
        return c1 * y + c2, c1 * x + c2

    f.defvjp(f_fwd, f_bwd, symbolic_zeros=True)
    out, t = jax.jvp(lambda x: f(x, 3.0), (2.0,), (1.0,))
    assert seen[-1] == (True, False)
    assert [float(v) for v in out] == [6.0, 5.0] and [float(v) for v in t] == [3.0, 1.0]
    close(jax.jacfwd(f, argnums=(0, 1))(2.0, 3.0), jax.jacrev(f, argnums=(0, 1))(2.0, 3.0))


def test_bwd_returning_none_and_integer_arguments():
    @jax.custom_vjp
    def power(x, n):
        return x ** n

    power.defvjp(lambda x, n: (power(x, n), (x, n)), lambda res, ct: (ct * res[1] * res[0] ** (res[1] - 1), None))
    assert float(jax.jacfwd(power)(2.0, 3)) == 12.0
    out, t = jax.jvp(power, (2.0, 3), (1.0, np.zeros((), jax.dtypes.float0)))
    assert (float(out), float(t)) == (8.0, 12.0)
    assert float(jax.hessian(power)(2.0, 3)) == 12.0

    @jax.custom_vjp
    def scale(x, y):
        return x * 3.0 + y

    scale.defvjp(lambda x, y: (scale(x, y), None), lambda _, ct: (3.0 * ct, None))  # y's cotangent: zero
    assert float(jax.jvp(scale, (1.0, 5.0), (1.0, 1.0))[1]) == 3.0


def test_integer_output_gets_a_float0_tangent():
    @jax.custom_vjp
    def with_count(x):
        return jnp.sum(x ** 2), jnp.int32(x.shape[0])

    with_count.defvjp(lambda x: (with_count(x), x), lambda x, ct: (2.0 * ct[0] * x,))
    (s, n), (ts, tn) = jax.jvp(with_count, (X,), (jnp.ones(3),))
    np.testing.assert_allclose(float(ts), 2.0 * float(jnp.sum(X)), rtol=1e-6)
    assert tn.dtype == jax.dtypes.float0 and int(n) == 3


def test_zero_tangents_skip_their_part_of_bwd():
    def eqns(f, *args):
        return len(jax.make_jaxpr(f)(*args).eqns)

    both = eqns(lambda x, y: jax.jvp(scaled_sin, (x, y), (x, y))[1], X, X)
    only_x = eqns(lambda x, y: jax.jvp(lambda a: scaled_sin(a, y), (x,), (x,))[1], X, X)
    assert only_x < both


def test_optimize_remat_forward_rule():
    @jax.custom_vjp
    def f(x):
        return jnp.sin(x) * x

    f.defvjp(lambda x: (f(x), (jnp.cos(x) * x + jnp.sin(x),)), lambda res, ct: (ct * res[0],), optimize_remat=True)
    close(jax.jacfwd(f)(X), jax.jacrev(f)(X))


# ------------------------------------------------------------------ composition

def test_jit_and_vmap_compose_with_jvp():
    ref = jax.jvp(tree_fun, (P, Y), (P, Y))
    close(jax.jit(lambda p, y: jax.jvp(tree_fun, (p, y), (p, y)))(P, Y), ref)
    close(jax.jvp(jax.jit(tree_fun), (P, Y), (P, Y)), ref)
    # vmap of jvp: the transposed bwd is batched over the tangents (and over the primals)
    ts = jnp.stack([X, 2.0 * X, -X])
    batched = jax.vmap(lambda t: jax.jvp(matvec, (X,), (t,))[1])(ts)
    np.testing.assert_allclose(np.asarray(batched), np.asarray(ts @ W.T), rtol=1e-6)
    xs = jnp.stack([X, X + 1.0])
    per_example = jax.vmap(lambda x: jax.jvp(logsumexp, (x,), (jnp.ones(3),))[1])(xs)
    np.testing.assert_allclose(np.asarray(per_example), [1.0, 1.0], rtol=1e-6)
    close(jax.jvp(jax.vmap(logsumexp), (xs,), (xs,))[1], jax.vmap(lambda x: jax.jvp(logsumexp, (x,), (x,))[1])(xs))


def test_hessian_jacfwd_of_jacfwd_and_jvp_of_grad():
    def f(x):
        return logsumexp(jnp.sin(x) * x) + jnp.sum(scaled_sin(x, x))

    h = jax.hessian(f)(X)  # jacfwd of jacrev: forward mode through bwd itself
    close(jax.jacfwd(jax.jacfwd(f))(X), h, tol=1e-4)
    close(jax.jacrev(jax.jacrev(f))(X), h, tol=1e-4)
    close(jax.jit(jax.hessian(f))(X), h, tol=1e-4)
    _, hvp = jax.jvp(jax.grad(f), (X,), (jnp.ones(3),))
    close(hvp, h @ jnp.ones(3), tol=1e-4)
    # reverse over forward: grad of a jvp through the transposed bwd
    g = jax.grad(lambda x: jax.jvp(f, (x,), (jnp.ones(3),))[1])(X)
    close(g, h @ jnp.ones(3), tol=1e-4)


def test_linearize_runs_the_linear_step_forward():
    out, f_jvp = jax.linearize(tree_fun, P, Y)
    ref = jax.jvp(tree_fun, (P, Y), (P, Y))
    close((out, f_jvp(P, Y)), ref)
    close(jax.jit(f_jvp)(P, Y), ref[1])
    _, mv_jvp = jax.linearize(matvec, X)
    np.testing.assert_allclose(np.asarray(jax.vmap(mv_jvp)(jnp.eye(3))), np.asarray(W).T, rtol=1e-6)
    close(jax.jvp(mv_jvp, (X,), (X,)), (mv_jvp(X), mv_jvp(X)))


def test_bwd_with_lax_control_flow_and_jit_on_the_cotangent():
    @jax.custom_vjp
    def f(x):
        return jnp.sin(x)

    def f_bwd(x, ct):
        scaled = lax.cond(jnp.sum(x) > 0, lambda c: c * jnp.cos(x), lambda c: -c * jnp.cos(x), ct)
        # a loop whose counter (not linear in anything) is carried beside the cotangent
        scaled = lax.fori_loop(0, 3, lambda i, c: c * (1.0 + i * 0.0), scaled)
        ys = lax.scan(lambda carry, c: (carry + c, c + carry * 0.0), jnp.zeros(()), scaled)[1]
        return (jax.jit(lambda c: c * 1.0)(ys),)

    f.defvjp(lambda x: (f(x), x), f_bwd)
    close(jax.jacfwd(f)(X), jax.jacrev(f)(X))
    close(jax.jit(jax.jacfwd(f))(X), jax.jacrev(f)(X))


def test_implicit_function_whose_bwd_solves_a_linear_system():
    a = np.array([[3.0, 1.0], [0.5, 2.0]], np.float32)
    # (Aᵀ as its own C-ordered array: lu of a transposed view overwrote its base, see the notes)
    A, At = jnp.asarray(a), jnp.asarray(np.ascontiguousarray(a.T))

    @jax.custom_vjp
    def solve(b):
        return jnp.linalg.solve(A, b)

    solve.defvjp(lambda b: (solve(b), None), lambda _, ct: (jnp.linalg.solve(At, ct),))

    @jax.custom_vjp
    def solve_cls(b):
        return jnp.linalg.solve(A, b)

    solve_cls.defvjp(lambda b: (solve_cls(b), None), lambda _, ct: (
        lax.custom_linear_solve(lambda v: At @ v, ct, lambda mv, r: jnp.linalg.solve(At, r)),))
    b = jnp.array([1.0, 2.0])
    for f in (solve, solve_cls):
        np.testing.assert_allclose(np.asarray(jax.jacfwd(f)(b)), np.linalg.inv(a), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.asarray(jax.jit(jax.jacfwd(f))(b)), np.linalg.inv(a), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ bwd that is not linear

def _with_bwd(bwd):
    @jax.custom_vjp
    def fn(x):
        return jnp.sin(x)

    fn.defvjp(lambda x: (fn(x), x), bwd)
    return fn


def _if_on_ct(x, ct):
    return (ct if ct > 0 else -ct,)


@pytest.mark.parametrize("bwd,what", [
    (lambda x, ct: (jnp.sin(ct) * x,), "the nonlinear primitive 'sin'"),
    (lambda x, ct: (ct * ct * x,), "'mul' to the cotangent in a way that is not linear"),
    (lambda x, ct: (x / ct,), "'div' to the cotangent in a way that is not linear"),
    (lambda x, ct: (jnp.clip(ct, -1.0, 1.0),), "the nonlinear primitive 'max'"),
    (_if_on_ct, "needs the cotangent's value"),
    (lambda x, ct: (ct * jnp.cos(x) + 1.0,), "adds the constant 1.0 to the cotangent (with 'add'): bwd is affine"),
    (lambda x, ct: (lax.cond(x > 0, jnp.tanh, lambda c: c, ct),), "the nonlinear primitive 'tanh'"),
    # the carry starts as a constant and becomes linear after one step, where it multiplies itself
    (lambda x, ct: (lax.scan(lambda k, c: ((k + c) * k, c), 1.0, ct * jnp.ones(2))[0],),
     "'mul' to the cotangent in a way"),
], ids=["sin", "square", "divide-by", "clip", "python-if", "affine", "in-cond", "in-scan-carry"])
def test_nonlinear_bwd_is_a_clear_type_error(bwd, what):
    fn = _with_bwd(bwd)
    name = bwd.__name__
    assert np.isfinite(float(jax.grad(fn)(0.5)))  # reverse mode is fine
    for forward in (lambda: jax.jvp(fn, (0.5,), (1.0,)), lambda: jax.jacfwd(fn)(0.5),
                    lambda: jax.jit(jax.jacfwd(fn))(0.5), lambda: jax.linearize(fn, 0.5)[1](1.0)):
        with pytest.raises(TypeError) as info:
            forward()
        msg = str(info.value)
        assert "custom_vjp function fn" in msg and f"bwd rule {name}" in msg, msg
        assert "needs bwd linear in the cotangent" in msg and what in msg, msg


# ------------------------------------------------------------------ bwd written with vjp, under every stack

def _vjp_wrapped(inner):
    """custom_vjp(inner) whose bwd is inner's own vjp: the true derivative, whatever inner is."""
    f = jax.custom_vjp(inner)
    f.defvjp(lambda *xs: (inner(*xs), xs), lambda xs, ct: jax.vjp(inner, *xs)[1](ct))
    return f


def _loop(x):
    return lax.fori_loop(0, 3, lambda i, v: 0.5 * jnp.arctan(v) + x + 0.1 * i, x)


def _branch(x, y):
    return jnp.sin(lax.cond(jnp.sum(y) > 0, lambda v: v * x, lambda v: jnp.cos(v), y))


def test_bwd_written_with_vjp_through_loops_and_conds():
    x, t = jnp.array([0.3, -0.5]), jnp.array([1.0, 2.0])
    f = _vjp_wrapped(_loop)
    close(jax.jvp(f, (x,), (t,)), jax.jvp(_loop, (x,), (t,)))
    close(jax.jacfwd(f)(x), jax.jacrev(_loop)(x))
    # reverse mode over forward mode: over the jvp rule, and over linearize's step evaluated forward
    ref = jax.grad(lambda v: jax.jvp(_loop, (v,), (t,))[1].sum())(x)
    close(jax.grad(lambda v: jax.jvp(f, (v,), (t,))[1].sum())(x), ref)
    close(jax.grad(lambda v: jax.linearize(f, v)[1](t).sum())(x), ref)
    # jvp of vmap: the batched cond's select puts a stop_gradient on the cotangent (an identity of values)
    g = _vjp_wrapped(_branch)
    ys = jnp.array([[0.3, -1.1], [-0.8, -0.5]])
    got = jax.jvp(jax.vmap(g, in_axes=(None, 0)), (2.0, ys), (1.0, jnp.ones((2, 2))))
    close(got, jax.jvp(jax.vmap(_branch, in_axes=(None, 0)), (2.0, ys), (1.0, jnp.ones((2, 2)))))


def test_stop_gradient_on_the_cotangent_is_the_identity():
    f = _with_bwd(lambda x, ct: (lax.stop_gradient(ct) * jnp.cos(x),))
    close(jax.jacfwd(f)(X), jax.jacrev(f)(X))
    np.testing.assert_allclose(np.asarray(jax.jacfwd(f)(X)), np.diag(np.cos(np.asarray(X))), rtol=1e-6)


def test_tangent_keeps_the_weak_type_of_a_python_float_input():
    f = _vjp_wrapped(lambda x: jnp.abs(x) * 2.0)
    _, t = jax.jvp(f, (1.5,), (1.0,))
    _, ref = jax.jvp(lambda x: jnp.abs(x) * 2.0, (1.5,), (1.0,))
    assert (t.dtype, t.weak_type, float(t)) == (ref.dtype, ref.weak_type, float(ref))
