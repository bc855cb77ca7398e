"""Cases for the host callbacks (pure_callback, io_callback, debug_callback), checkpoint_name's
`name`, linear_call and the backward step of checkpoint with a policy, through their
public wrappers."""
import numpy as np

import nablax
import nablax.numpy as jnp
from nablax._src.control_flow.linear_call import linear_call_p
from nablax._src.control_flow.remat_policy import name_p, remat_policy_lin_p
from nablax._src.primitives.callbacks import debug_callback_p, io_callback_p, pure_callback_p
from nablax.ad_checkpoint import checkpoint_name
from nablax.custom_derivatives import linear_call
from nablax.experimental import io_callback

from .case import Case, randn


def _like(x):
    return nablax.ShapeDtypeStruct(x.shape, x.dtype)


def _host_sin(x):
    return nablax.pure_callback(np.sin, _like(x), x, vmap_method="sequential")


def _host_cos(x):
    return io_callback(np.cos, _like(x), x)


def _printed(x):
    nablax.debug.callback(lambda v: None, x)
    return jnp.sin(x)


def _divide(r, x):
    return linear_call(lambda r, x: x / r, lambda r, t: t / r, r, x)


_policy_fn = nablax.checkpoint(lambda x: jnp.sin(x) * jnp.tanh(x), policy=lambda prim, *a, **k: prim.name == "sin")


def _policy_lin(x, t):
    return nablax.linearize(_policy_fn, x)[1](t)


def _policy_lin_ref(x, t):
    return t * (np.cos(x) * np.tanh(x) + np.sin(x) * (1 - np.tanh(x) ** 2))


CASES = [
    Case(pure_callback_p, (randn(4),), bind=_host_sin, reference=np.sin, order=0),
    Case(io_callback_p, (randn(4),), bind=_host_cos, reference=np.cos, order=0),
    Case(debug_callback_p, (randn(4),), bind=_printed, reference=np.sin),
    Case(name_p, (randn(3),), bind=lambda x: checkpoint_name(x, "a") * 2.0, reference=lambda x: x * 2.0),
    Case(linear_call_p, (randn(3) ** 2 + 1.0, randn(3, seed=1)), bind=_divide, reference=lambda r, x: x / r,
         diff_argnums=(1,), batch_argnums=()),  # (JAX has no vmap rule for linear_call either)
    Case(remat_policy_lin_p, (randn(3), randn(3, seed=1)), bind=_policy_lin, reference=_policy_lin_ref),
]

BAD_CASES = [
    Case(pure_callback_p, (randn(4),), bind=lambda x: nablax.pure_callback(lambda v: np.zeros(3), _like(x), x),
         name="result-shape"),
    Case(io_callback_p, (randn(4),), bind=lambda x: io_callback(lambda v: np.zeros(4, np.int32), _like(x), x),
         name="result-dtype"),
]
