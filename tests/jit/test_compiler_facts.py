"""Compiler facts live on the primitive: a primitive defined here, in a test module, gets
jit's buffer reuse, literal folding, identities and rewrites from its define_primitive
block alone; and the generated source of existing programs is what it was before the
facts moved out of jit/'s name-keyed tables."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import lax
from nablax._src.avals import ShapedArray
from nablax._src.primitives import PRIMITIVES
from nablax._src.primitives._define import broadcast_shapes, define_primitive
from nablax._src.primitives.elementwise import neg_p, sub_p
from nablax._src.primitives.elementwise_builders import coerce_scalars
from nablax._src.primitives.rewrites import produced_by, unit_identity
from nablax._src.primitives.templates import elementwise_batch

BIG = 1 << 16  # jit writes into a dead buffer from this many elements on


def _binary(name: str, np_name: str, emit: str, **facts):
    """A NumPy-broadcasting binary primitive and its wrapper; `facts` are the only variable."""
    prim = define_primitive(
        name,
        impl=lambda xp, x, y: getattr(xp, np_name)(x, y),
        abstract_eval=lambda x, y: ShapedArray(broadcast_shapes(name, x.shape, y.shape), x.dtype,
                                               x.weak_type and y.weak_type),
        batch=None,
        differentiable=False,
        emit=emit,
        **facts,
    )
    prim.batch = elementwise_batch(prim)
    return lambda x, y: prim.bind(*coerce_scalars(x, y))


def _offset_rewrite(invars, params, producers):
    """x + (-y) -> x - y."""
    src = produced_by(invars[1], producers, neg_p)
    return None if src is None else (sub_p, [invars[0], src.invars[0]])


@pytest.fixture(scope="module")
def prims():
    """The test primitives, registered only while this module runs (tests/primitives checks
    that every registered primitive has rule-test cases)."""
    made = {
        "hypot": _binary("test_hypot", "hypot", "xp.hypot({0}, {1})", ufunc="hypot", python_literal_ok=True),
        "hypot_plain": _binary("test_hypot_plain", "hypot", "xp.hypot({0}, {1})"),
        "offset": _binary("test_offset", "add", "({0} + {1})", simplify=unit_identity(0, left_ok=True),
                          rewrite=_offset_rewrite),
        "offset_plain": _binary("test_offset_plain", "add", "({0} + {1})"),
    }
    yield made
    for name in ("test_hypot", "test_hypot_plain", "test_offset", "test_offset_plain"):
        del PRIMITIVES[name]


def _source(fn, *args) -> str:
    return jax.jit(fn).lower(*args).as_text()


def test_ufunc_fact_writes_large_results_into_dead_buffers(prims):
    x = np.linspace(0.0, 1.0, BIG, dtype=np.float32)

    def program(hypot):
        return lambda x: jnp.sin(hypot(jnp.sin(x), x))

    assert _source(program(prims["hypot"]), x) == (
        "def jitted(a):\n"
        "    b = xp.sin(a)\n"
        "    c = xp.hypot(b, a, out=b)\n"  # b is dead and was allocated here
        "    d = xp.sin(c, out=c)\n"  # the ufunc's result is owned too
        "    return (d,)\n")
    # The same primitive without the facts: fresh arrays, and its result may be a view.
    assert _source(program(prims["hypot_plain"]), x) == (
        "def jitted(a):\n"
        "    b = xp.sin(a)\n"
        "    c = xp.hypot(b, a)\n"
        "    del b\n"  # a large value nothing reads again is released at once
        "    d = xp.sin(c)\n"
        "    return (d,)\n")
    expected = np.sin(np.hypot(np.sin(x), x))
    for name in ("hypot", "hypot_plain"):
        out = jax.jit(program(prims[name]))(x)
        assert out.dtype == np.float32
        np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-6)
    # Small arrays: fresh results read better and cost little.
    assert "out=" not in _source(program(prims["hypot"]), x[:100])


def test_python_literal_fact_writes_the_literal_inline(prims):
    x = np.array([3.0, 4.0, -1.5], np.float32)
    assert _source(lambda x: prims["hypot"](x, 4.0), x) == (
        "def jitted(a):\n"
        "    b = xp.hypot(a, 4.0)\n"
        "    return (b,)\n")
    assert _source(lambda x: prims["hypot_plain"](x, 4.0), x) == (
        "def jitted(a):\n"
        "    b = xp.hypot(a, np.float32(4.0))\n"
        "    return (b,)\n")
    for name in ("hypot", "hypot_plain"):
        out = jax.jit(lambda x, h=prims[name]: h(x, 4.0))(x)
        assert out.dtype == np.float32  # NumPy 2 keeps float32 with a Python float operand
        np.testing.assert_allclose(np.asarray(out), [5.0, np.hypot(4.0, 4.0), np.hypot(1.5, 4.0)], rtol=1e-6)


def test_simplify_fact_removes_unit_operands(prims):
    x = np.array([1.0, -2.0], np.float32)
    identity = "def jitted(a):\n    return (a,)\n"
    assert _source(lambda x: prims["offset"](x, 0.0), x) == identity
    assert _source(lambda x: prims["offset"](0.0, x), x) == identity  # left_ok=True
    assert _source(lambda x: prims["offset"](x, 1.0), x) == (
        "def jitted(a):\n"
        "    b = (a + np.float32(1.0))\n"  # (no python_literal_ok: a typed scalar)
        "    return (b,)\n")
    assert _source(lambda x: prims["offset_plain"](x, 0.0), x) == (
        "def jitted(a):\n"
        "    b = (a + np.float32(0.0))\n"
        "    return (b,)\n")
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda x: prims["offset"](0.0, x))(x)), x)


def test_unit_identity_rule(prims):
    x = np.array([1.0, -2.0], np.float32)

    def equation(fn):
        (eqn,) = jax.make_jaxpr(fn)(x).jaxpr.eqns
        return eqn.invars, eqn.params, eqn.outvars[0], {}

    right, left, other = (equation(lambda x: prims["offset_plain"](x, 0.0)),
                          equation(lambda x: prims["offset_plain"](0.0, x)),
                          equation(lambda x: prims["offset_plain"](x, 2.0)))
    assert unit_identity(0, left_ok=False)(*right) is right[0][0]
    assert unit_identity(0, left_ok=False)(*left) is None  # x - 0 is x, 0 - x is not
    assert unit_identity(0, left_ok=True)(*left) is left[0][1]
    assert unit_identity(0, left_ok=True)(*other) is None
    assert unit_identity(2, left_ok=True)(*other) is other[0][0]


def test_rewrite_fact_gives_a_cheaper_equation(prims):
    x, y = np.array([1.0, 2.0], np.float32), np.array([0.5, 4.0], np.float32)
    assert _source(lambda x, y: prims["offset"](x, -y), x, y) == (
        "def jitted(a, b):\n"
        "    c = (a - b)\n"  # the negation is gone (dead after the rewrite)
        "    return (c,)\n")
    assert _source(lambda x, y: prims["offset_plain"](x, -y), x, y) == (
        "def jitted(a, b):\n"
        "    c = (-b)\n"
        "    d = (a + c)\n"
        "    return (d,)\n")
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda x, y: prims["offset"](x, -y))(x, y)), x - y)


# -------------------------------------------- generated source of existing programs

def _mlp_step(params, x, y):
    def loss(p):
        h = jnp.tanh(x @ p["w1"] + p["b1"])
        return jnp.mean((h @ p["w2"] - y) ** 2)

    g = jax.grad(loss)(params)
    return jax.tree_util.tree_map(lambda p, d: p - 0.1 * d, params, g)


def _big_chain(x, w):
    h = jnp.exp(-x) * 2.0 + 1.0
    return jnp.log(h @ w) - jnp.sin(h @ w) / 3.0


def _control(x, n):
    y = lax.cond(x.sum() > 0, lambda v: v * 2.0, lambda v: -v, x)
    y, ys = lax.scan(lambda c, v: (c + v, c * v), y, jnp.stack([x, y]))
    z = lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 1.5), (0, y))
    return ys, z[1]


@jax.custom_jvp
def _softplus(x):
    return jnp.log1p(jnp.exp(x))


_softplus.defjvp(lambda p, t: (_softplus(p[0]), t[0] * jax.nn.sigmoid(p[0])))


def _calls(x):
    inner = jax.jit(lambda v: v * 1.0 + 0.0 - (-v))
    per_example = jax.vmap(lambda v: v / lax.psum(v, "i"), axis_name="i")
    return jax.checkpoint(lambda v: _softplus(inner(v)))(per_example(x)).T.T


# What the compiler generated for these programs before its facts moved onto the
# primitives (base b92c7c8): unit operands, negation rewrites, literals, buffer reuse,
# dot_general's fresh result, control-flow statements, a collective's vmap rule, and the
# inlining of nested jit, custom_jvp and checkpoint.
GENERATED = {
    "mlp_step": ((_mlp_step, {"w1": np.ones((4, 8), np.float32) / 8, "b1": np.zeros(8, np.float32),
                              "w2": np.ones((8, 2), np.float32)}, np.ones((5, 4), np.float32),
                  np.zeros((5, 2), np.float32)), """\
def jitted(a, b, c, d, e):
    f = d.dot(b)
    g = (f + a)
    h = xp.tanh(g)
    i = (h * h)
    j = (1.0 - i)
    k = h.dot(c)
    l = (k - e)
    m = (2.0 * l)
    n = (0.1 * m)
    o = h.transpose((1, 0)).dot(n)
    p = n.dot(c.transpose((1, 0)))
    q = (p * j)
    r = (_p2 @ q.reshape(5, 8)).reshape((8,))
    s = d.transpose((1, 0)).dot(q)
    t = (0.1 * r)
    u = (a - t)
    v = (0.1 * s)
    w = (b - v)
    x = (0.1 * o)
    y = (c - x)
    return (u, w, y)
"""),
    "big_chain": ((_big_chain, np.linspace(0, 1, BIG, dtype=np.float32).reshape(256, 256),
                   np.eye(256, dtype=np.float32)), """\
def jitted(a, b):
    c = (-a)
    d = xp.exp(c, out=c)
    e = xp.multiply(d, 2.0, out=d)
    f = xp.add(e, 1.0, out=e)
    g = f.dot(b)
    del f, c, d, e
    h = xp.log(g)
    i = xp.sin(g, out=g)
    j = xp.true_divide(i, 3.0, out=i)
    k = xp.subtract(h, j, out=h)
    return (k,)
"""),
    "control": ((_control, np.arange(3, dtype=np.float32), 4), """\
def jitted(a, b):
    c = xp.add.reduce(a, axis=(0,), dtype=a.dtype)
    d = xp.greater(c, 0.0)
    e = d.astype(np.int32)
    if e:
        f, = _p2(a)
    else:
        f, = _p3(a)
    g = a.reshape((1, 3))
    h = f.reshape((1, 3))
    i = xp.concatenate((g, h,), axis=0)
    j = f
    k = xp.empty((2, 3), np.float32)
    for _i in range(2):
        j, _y0 = _p4(j, i[_i])
        k[_i] = _y0
    l, m = np.int32(0), j
    while _p5(b, l, m)[0]:
        l, m = _p6(l, m)
    return (k, m)
"""),
    "calls": ((_calls, np.arange(1, 7, dtype=np.float32).reshape(2, 3)), """\
def jitted(a):
    b = (_p2 @ a.reshape(2, 3)).reshape((3,))
    c = (a / b)
    d = (c + c)
    e = xp.exp(d)
    f = xp.log1p(e)
    return (f,)
"""),
}


@pytest.mark.parametrize("name", GENERATED)
def test_generated_source_of_existing_programs_is_unchanged(name):
    (fn, *args), expected = GENERATED[name]
    assert _source(fn, *args) == expected
