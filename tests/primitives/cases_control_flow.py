"""Cases for cond, while and scan, exercised through the public lax wrappers (`bind=`).

Every bind returns one array, so each column (impl vs NumPy, abstract_eval, JVP vs finite
differences, VJP dot product, second order, vmap vs a loop) checks the user-facing
behaviour. The vmap column also batches the predicate / index (bool and int args), which
takes the select path of cond and the masked path of while.
"""
import numpy as np

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax._src import control_flow as cf
from nablax._src.control_flow import while_prim as wl

from .case import Case, positive, randn

# ---------------------------------------------------------------------------------- cond

def _cond(p, x, y):
    return lax.cond(p, lambda a, b: jnp.sin(a) * b, lambda a, b: a - jnp.cos(b) * a, x, y)


def _cond_ref(p, x, y):
    return np.sin(x) * y if p else x - np.cos(y) * x


def _cond_closure(p, x, w):
    # w is closed over by both branches (hoisted to an operand); one branch ignores x.
    return lax.cond(p, lambda a: jnp.tanh(a * w), lambda a: jnp.zeros_like(a) + w * w, x)


def _cond_closure_ref(p, x, w):
    return np.tanh(x * w) if p else np.broadcast_to(w * w, np.shape(x))


def _switch(i, x):
    return lax.switch(i, [lambda a: a * a, lambda a: jnp.exp(a), lambda a: -a, lambda a: jnp.sin(a) * 3.0], x)


def _switch_ref(i, x):
    i = min(max(int(i), 0), 3)
    return [x * x, np.exp(x), -x, np.sin(x) * 3.0][i]


# ---------------------------------------------------------------------------------- scan

def _scan(c, xs, w):
    carry, ys = lax.scan(lambda c, x: (c * w + jnp.sin(x), c * x), c, xs)
    return jnp.concatenate([carry, ys.reshape(-1)])


def _scan_ref(c, xs, w, reverse=False):
    ys = np.zeros_like(xs)
    order = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    for i in order:
        c, ys[i] = c * w + np.sin(xs[i]), c * xs[i]
    return np.concatenate([c, ys.reshape(-1)])


def _scan_reverse(c, xs, w):
    carry, ys = lax.scan(lambda c, x: (c * w + jnp.sin(x), c * x), c, xs, reverse=True)
    return jnp.concatenate([carry, ys.reshape(-1)])


def _scan_pytree(a, b, xs):
    # A pytree carry, an unused carry, an integer counter and a dict of ys.
    def body(carry, x):
        (s, t), n = carry
        return ((s + x * t, jnp.cos(t)), n + 1), {"y": s * x, "z": t}

    ((s, t), n), ys = lax.scan(body, ((a, b), 0), xs)
    return jnp.concatenate([s, t, ys["y"].reshape(-1), ys["z"].reshape(-1), jnp.asarray([n], s.dtype)])


def _scan_pytree_ref(a, b, xs):
    s, t, n = a, b, 0
    y, z = [], []
    for x in xs:
        y.append(s * x)
        z.append(t)
        s, t, n = s + x * t, np.cos(t), n + 1
    return np.concatenate([s, t, np.stack(y).reshape(-1), np.stack(z).reshape(-1), [n]])


def _fori(x, w):
    return lax.fori_loop(0, 4, lambda i, v: jnp.sin(v) * w + i, x)


def _fori_ref(x, w):
    for i in range(4):
        x = np.sin(x) * w + i
    return x


def _map(xs):
    return lax.map(lambda r: jnp.sum(r * r) * r, xs)


# --------------------------------------------------------------------------------- while

def _while(x):
    # The trip count depends on x (a per-example predicate under vmap).
    _, out = lax.while_loop(lambda c: jnp.sum(c[1]) < 10.0, lambda c: (c[0] + 1, c[1] * 1.5 + 0.25), (0, x))
    return out


def _while_ref(x):
    while np.sum(x) < 10.0:
        x = x * 1.5 + 0.25
    return x


def _fori_dynamic(n, x):
    return lax.fori_loop(0, n, lambda i, v: jnp.sin(v) + v * 0.5, x)


def _fori_dynamic_ref(n, x):
    for _ in range(int(n)):
        x = np.sin(x) + x * 0.5
    return x


def _fori_dynamic_derivatives(n, x):
    """d out / d x and d² out / d x² of _fori_dynamic (elementwise), by the chain rule."""
    d, dd = np.ones_like(x), np.zeros_like(x)
    for _ in range(int(n)):
        dd = -np.sin(x) * d * d + (np.cos(x) + 0.5) * dd
        d = (np.cos(x) + 0.5) * d
        x = np.sin(x) + x * 0.5
    return d, dd


# Reverse mode through while_loop (beyond JAX): each internal primitive of it through the
# public transformation that binds it.
def _grad_while(n, x):  # while_record (and while_linear, while_bwd inside)
    return nablax.grad(lambda v: _fori_dynamic(n, v).sum())(x)


def _vjp_while(n, x, c):  # while_bwd
    return nablax.vjp(lambda v: _fori_dynamic(n, v), x)[1](c)[0]


def _linearized_while(n, x, t):  # while_linear evaluated forward
    return nablax.linearize(lambda v: _fori_dynamic(n, v), x)[1](t)


def _grad_grad_while(n, x, v):  # while_bwd_linear (reverse over reverse)
    return nablax.grad(lambda y: jnp.vdot(_grad_while(n, y), v))(x)


CASES = [
    Case(cf.cond_p, (np.bool_(True), randn(3), randn(3, seed=1)), bind=_cond, reference=_cond_ref, name="true"),
    Case(cf.cond_p, (np.bool_(False), randn(3), randn(3, seed=1)), bind=_cond, reference=_cond_ref, name="false"),
    Case(cf.cond_p, (np.bool_(True), randn(2, 3), randn(3, seed=1)), bind=_cond_closure,
         reference=_cond_closure_ref, name="closure"),
    Case(cf.cond_p, (np.int32(2), randn(4)), bind=_switch, reference=_switch_ref, name="switch"),
    Case(cf.cond_p, (np.int32(7), randn(4)), bind=_switch, reference=_switch_ref, name="switch_clamped"),
    Case(cf.scan_p, (randn(3), randn(5, 3, seed=1), randn(3, seed=2)), bind=_scan, reference=_scan_ref),
    Case(cf.scan_p, (randn(3), randn(4, 3, seed=1), randn(3, seed=2)), bind=_scan_reverse,
         reference=lambda c, xs, w: _scan_ref(c, xs, w, reverse=True), name="reverse"),
    Case(cf.scan_p, (randn(2), randn(2, seed=1), randn(3, 2, seed=2)), bind=_scan_pytree,
         reference=_scan_pytree_ref, name="pytree"),
    Case(cf.scan_p, (randn(3), randn(3, seed=1)), bind=_fori, reference=_fori_ref, name="fori_loop"),
    Case(cf.scan_p, (randn(4, 3),), bind=_map,
         reference=lambda xs: np.stack([np.sum(r * r) * r for r in xs]), name="map"),
    # (the trip count of _while jumps with x: its derivatives are piecewise constant)
    Case(cf.while_p, (positive(3),), bind=_while, reference=_while_ref),
    Case(cf.while_p, (np.int32(3), randn(3)), bind=_fori_dynamic, reference=_fori_dynamic_ref,
         name="fori_loop_dynamic"),
    Case(wl.while_record_p, (np.int32(3), randn(3)), bind=_grad_while,
         reference=lambda n, x: _fori_dynamic_derivatives(n, x)[0], name="grad"),
    Case(wl.while_bwd_p, (np.int32(3), randn(3), randn(3, seed=1)), bind=_vjp_while,
         reference=lambda n, x, c: c * _fori_dynamic_derivatives(n, x)[0], name="vjp"),
    Case(wl.while_linear_p, (np.int32(3), randn(3), randn(3, seed=1)), bind=_linearized_while,
         reference=lambda n, x, t: t * _fori_dynamic_derivatives(n, x)[0], name="linearize"),
    Case(wl.while_bwd_linear_p, (np.int32(2), randn(3), randn(3, seed=1)), bind=_grad_grad_while,
         reference=lambda n, x, v: v * _fori_dynamic_derivatives(n, x)[1], name="grad_grad"),
]

# Misuse: eager and jit raise the same class (test_rules.py).
BAD_CASES = [
    Case(cf.cond_p, (np.bool_(True), randn(3)), bind=lambda p, x: lax.cond(p, jnp.sin, lambda v: v.astype(jnp.int32), x),
         name="branch-dtypes"),
    Case(cf.cond_p, (np.bool_(True), randn(3)), bind=lambda p, x: lax.cond(p, jnp.sin, lambda v: v[:2], x),
         name="branch-shapes"),
    Case(cf.cond_p, (np.float64(1.0), randn(3)), bind=lambda i, x: lax.switch(i, [jnp.sin, jnp.cos], x),
         name="float-index"),
    Case(cf.while_p, (randn(3),), bind=lambda x: lax.while_loop(lambda c: c, lambda c: c, x), name="cond-shape"),
    Case(cf.while_p, (randn(3),), bind=lambda x: lax.while_loop(lambda c: c.sum() > 0, lambda c: c[:2], x),
         name="body-shape"),
    Case(cf.scan_p, (randn(3, 2),), bind=lambda x: lax.scan(lambda c, y: (c.astype(jnp.int32), y), x[0], x),
         name="carry-dtype"),
    Case(cf.scan_p, (randn(3, 2), randn(4, 2)), bind=lambda x, y: lax.scan(lambda c, z: (c, z[0]), 0.0, (x, y)),
         name="lengths"),
    Case(cf.scan_p, (randn(3),), bind=lambda x: lax.scan(lambda c, z: (c, z), 0.0, x, length=5), name="length"),
]
