"""Cases for the call primitives behind custom_jvp, custom_vjp and checkpoint.

They are exercised through the public wrappers (`bind=`), so every column checks the
user-facing behaviour: the custom rules, batching of user functions, rematerialization.
"""
import numpy as np

import nablax
import nablax.numpy as jnp
from nablax._src import custom_derivatives as cd
from nablax._src.control_flow.remat_opt import remat_opt_p

from .case import Case, randn


@nablax.custom_jvp
def _softplus(x):
    return jnp.log(1.0 + jnp.exp(x))


@_softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _softplus(x), t / (1.0 + jnp.exp(-x))


@nablax.custom_vjp
def _scaled_sin(x, y):
    return jnp.sin(x) * y


def _scaled_sin_fwd(x, y):
    return _scaled_sin(x, y), (x, y)


def _scaled_sin_bwd(res, ct):
    x, y = res
    return ct * jnp.cos(x) * y, ct * jnp.sin(x)


_scaled_sin.defvjp(_scaled_sin_fwd, _scaled_sin_bwd)

def _scaled_sin_lin(x, y, tx, ty):
    return nablax.linearize(_scaled_sin, x, y)[1](tx, ty)


def _scaled_sin_lin_ref(x, y, tx, ty):
    return np.cos(x) * y * tx + np.sin(x) * ty


_remat_fn = nablax.checkpoint(lambda x, y: jnp.sin(x * y) * jnp.exp(x))


def _remat_lin(x, y, tx, ty):
    call = lambda a, b: [jnp.sin(a * b) * jnp.exp(a)]  # noqa: E731
    return cd.remat_lin_p.bind(x, y, tx, ty, call=call, n=2)[0]


def _remat_lin_ref(x, y, tx, ty):
    return (np.cos(x * y) * (tx * y + x * ty)) * np.exp(x) + np.sin(x * y) * np.exp(x) * tx


def _remat_opt(x, y):
    """A forward rule's outputs then residuals, as remat_opt computes them (the product of both)."""
    out, residual = remat_opt_p.bind(x, y, call=lambda a, b: [jnp.sin(a) * b, jnp.cos(a)])
    return out * residual


CASES = [
    Case(cd.custom_jvp_call_p, (randn(4),), bind=_softplus, reference=lambda x: np.log1p(np.exp(x))),
    # Forward mode runs the transpose of bwd (unlike JAX, which raises): every column applies.
    Case(cd.custom_vjp_call_p, (randn(4), randn(4, seed=1)), bind=_scaled_sin,
         reference=lambda x, y: np.sin(x) * y),
    # linearize's staged step evaluated forward (JAX raises here too); its residuals carry tangents
    # in the JVP column, and the VJP column transposes it back into bwd.
    Case(cd.custom_vjp_lin_p, (randn(3), randn(3, seed=1), randn(3, seed=2), randn(3, seed=3)),
         bind=_scaled_sin_lin, reference=_scaled_sin_lin_ref),
    Case(cd.remat_call_p, (randn(4), randn(4, seed=1)), bind=_remat_fn,
         reference=lambda x, y: np.sin(x * y) * np.exp(x)),
    Case(cd.remat_lin_p, (randn(3), randn(3, seed=1), randn(3, seed=2), randn(3, seed=3)), bind=_remat_lin,
         reference=_remat_lin_ref),
    Case(remat_opt_p, (randn(4), randn(4, seed=1)), bind=_remat_opt,
         reference=lambda x, y: np.sin(x) * y * np.cos(x)),
]

# Misuse: eager and jit raise the same class (test_rules.py).
@nablax.custom_jvp
def _bad_jvp_shape(x):
    return jnp.sin(x)


_bad_jvp_shape.defjvp(lambda primals, tangents: (jnp.sin(primals[0]), tangents[0][:2]))

BAD_CASES = [
    Case(cd.custom_jvp_call_p, (randn(4),), bind=lambda x: nablax.jvp(_bad_jvp_shape, (x,), (x,))[1],
         name="tangent-shape"),
    Case(cd.custom_vjp_call_p, (randn(4), randn(3)), bind=_scaled_sin, name="shapes"),
    Case(cd.remat_call_p, (randn(4), randn(3)), bind=_remat_fn, name="shapes"),
]
