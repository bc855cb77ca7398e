"""make_jaxpr text and tracer reprs against live JAX (skipped without JAX).

Each program is a function of a namespace `L` (`L.jax`, `L.jnp`, `L.lax`) traced by both
libraries. Most programs must print exactly the same text, layout included. A few carry
parameters that exist only in JAX for XLA's sake or that nablax's primitives legitimately
spell differently; for those the JAX text is normalised first, and since dropping a
parameter can change where JAX's width-80 layout breaks lines, both texts are then compared
with the layout collapsed (`_flat`). The normalisations, all applied to JAX's text only:

- `out_sharding=None`, `sharding=None`: sharding annotations (XLA partitioning);
- `unroll=1` on scan: an XLA unrolling hint;
- `dimensions=None` on reshape: nablax's reshape has only `new_sizes`;
- `preferred_element_type=float32` on dot_general: jnp.dot passes it in JAX, nablax's jnp
  passes None (the output dtype is the same).

Programs whose jaxprs differ in structure for known reasons are left out: nablax's
elementwise primitives broadcast (JAX inserts broadcast_in_dim), jnp.where is not wrapped
in a jit, x[i] is one gather (JAX: slice + squeeze), scan converts a weak initial carry
before the loop (JAX: inside the body), a captured 0-d Array is a literal (JAX: a constvar).
"""
import re
import types

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax import lax as jlax  # noqa: E402

import nablax  # noqa: E402
import nablax.lax as nlax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from ..test_issue9_printing import PROGRAMS, m23, x3  # noqa: E402

J = types.SimpleNamespace(jax=jax, jnp=jjnp, lax=jlax)
N = types.SimpleNamespace(jax=nablax, jnp=njnp, lax=nlax)

_XLA_ONLY = [
    (r" out_sharding=None", ""), (r" sharding=None", ""), (r"\n\s*unroll=1", ""), (r" unroll=1", ""),
    (r"dimensions=None ", ""), (r"\n\s*preferred_element_type=float32", ""),
]


def _normalise(text: str) -> str:
    for pattern, repl in _XLA_ONLY:
        text = re.sub(pattern, repl, text)
    return text


def _flat(text: str) -> str:
    """The text with JAX's line breaking undone: one space between tokens, '; ' between equations."""
    text = re.sub(r"\s+", " ", text).replace("[ ", "[").replace(" ]", "]")
    return re.sub(r"; (?=(?:\S+:\S+ )+= )", " ", text)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_make_jaxpr_text_matches_jax(name):
    build, args, exact = PROGRAMS[name]
    expected = str(jax.make_jaxpr(build(J))(*args))
    got = str(nablax.make_jaxpr(build(N))(*args))
    if exact:
        assert got == expected
    else:
        assert _flat(got) == _flat(_normalise(expected))


TRANSFORMS = {
    "jit": (lambda L: L.jax.jit, (1.0,)),
    "jit_array": (lambda L: L.jax.jit, (x3,)),
    "make_jaxpr": (lambda L: L.jax.make_jaxpr, (np.int32(2),)),
    "jvp": (lambda L: lambda f: lambda x: L.jax.jvp(f, (x,), (x,)), (x3,)),
    "grad": (lambda L: L.jax.grad, (1.0,)),
    "vmap": (lambda L: L.jax.vmap, (m23,)),
    "vmap_axis1": (lambda L: lambda f: L.jax.vmap(f, in_axes=1), (m23,)),
    "jit_of_grad": (lambda L: lambda f: L.jax.jit(L.jax.grad(f)), (1.0,)),
    "vmap_of_grad": (lambda L: lambda f: L.jax.vmap(L.jax.grad(f)), (x3,)),
    "jacfwd": (lambda L: L.jax.jacfwd, (x3,)),
    "hessian": (lambda L: L.jax.hessian, (1.0,)),
}


def _tracer_reprs(L, name):
    transform, args = TRANSFORMS[name]
    seen = []

    def f(x):
        seen.append((repr(x), str(x)))
        return x.sum() if name in ("grad", "jit_of_grad", "vmap_of_grad", "hessian") else x

    transform(L)(f)(*args)
    return seen


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_tracer_repr_matches_jax(name):
    assert _tracer_reprs(N, name) == _tracer_reprs(J, name)


NAN_PROGRAMS = {
    "log": (lambda L: lambda: L.jnp.log(-1.0), "nans"),
    "div": (lambda L: lambda: L.jnp.array(0.0) / 0.0, "nans"),
    "sqrt": (lambda L: lambda: L.jnp.sqrt(L.jnp.array([1.0, -1.0])), "nans"),
    "jit_log": (lambda L: lambda: L.jax.jit(lambda x: L.jnp.sin(x) + L.jnp.log(x - 3))(1.0), "nans"),
    "grad_log": (lambda L: lambda: L.jax.grad(L.jnp.log)(-1.0), "nans"),
    "vmap_log": (lambda L: lambda: L.jax.vmap(L.jnp.log)(L.jnp.array([1.0, -1.0])), "nans"),
    "inf_log": (lambda L: lambda: L.jnp.log(0.0), "infs"),
    "inf_jit_exp": (lambda L: lambda: L.jax.jit(lambda x: L.jnp.exp(x) + 1)(1000.0), "infs"),
}


def _fpe_message(L, name):
    build, which = NAN_PROGRAMS[name]
    with L.jax.debug_nans(which == "nans"), L.jax.debug_infs(which == "infs"):
        with pytest.raises(FloatingPointError) as info:
            build(L)()
    return str(info.value)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(NAN_PROGRAMS))
def test_debug_nans_messages_match_jax(name, capsys):
    assert _fpe_message(N, name) == _fpe_message(J, name)
