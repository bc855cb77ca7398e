"""Golden generated source: what jit writes for a few representative programs.

Each program's generated NumPy source (`jit(f).lower(*args).as_text()`), followed by the
source of the compiled sub-functions it calls (control-flow bodies) and a one-line
summary of its other globals, is compared byte for byte with tests/jit/golden/<name>.txt,
so that a change to the passes or to codegen shows up as a reviewable diff.

    NABLAX_UPDATE_GOLDEN=1 pytest tests/jit/test_golden.py    # accept the new source

Only deterministic text goes in: the names codegen gives globals count within one
program; file names (`<nablax-jit-N>`) and object addresses are left out.
"""
from __future__ import annotations

import difflib
import functools
import linecache
import os
import pathlib
import types

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax

GOLDEN = pathlib.Path(__file__).parent / "golden"
UPDATE = os.environ.get("NABLAX_UPDATE_GOLDEN", "") not in ("", "0")


# ------------------------------------------------------------------------------ programs

def _polynomial(x):
    return x**3 + 2 * x**2 - 3 * x + 1  # the tour's higher-order section


def _td_loss(theta, s_tm1, r_t, s_t):  # the tour's per-example section
    v_tm1 = jnp.dot(theta, s_tm1)
    target = r_t + jnp.dot(theta, s_t)
    return (lax.stop_gradient(target) - v_tm1) ** 2


def _mlp_loss(params, x, y):
    (w1, b1), (w2, b2) = params
    hidden = jnp.tanh(x @ w1 + b1)
    return jnp.mean((hidden @ w2 + b2 - y) ** 2)


def _sgd_step(params, x, y):
    grads = nablax.grad(_mlp_loss)(params, x, y)
    return nablax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)


def _rnn_loss(w, h0, xs):
    def cell(h, x):
        h = jnp.tanh(w @ h + x)
        return h, h.sum()

    h, ys = lax.scan(cell, h0, xs)
    return jnp.sum(h) + jnp.sum(ys)


def _control_flow(x):
    y = lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x)
    return lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * 2.0), (0, y))


def _f32(*shape, seed=0):
    return jnp.asarray(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def _mlp_args():
    params = ((_f32(4, 8, seed=1), _f32(8, seed=2)), (_f32(8, 1, seed=3), _f32(1, seed=4)))
    return params, _f32(16, 4, seed=5), _f32(16, 1, seed=6)


PROGRAMS = {
    "tour_polynomial": lambda: (nablax.jit(_polynomial), (1.0,)),
    "tour_polynomial_grad": lambda: (nablax.jit(nablax.grad(_polynomial)), (1.0,)),
    "tour_polynomial_second_derivative": lambda: (nablax.jit(nablax.grad(nablax.grad(_polynomial))), (1.0,)),
    "tour_hessian": lambda: (nablax.jit(nablax.hessian(lambda x: jnp.dot(x, x))), (jnp.array([1.0, 2.0, 3.0]),)),
    "tour_per_example_grads": lambda: (
        nablax.jit(nablax.vmap(nablax.grad(_td_loss), in_axes=(None, 0, 0, 0))),
        (jnp.array([0.1, -0.1, 0.0]), _f32(2, 3), _f32(2), _f32(2, 3, seed=1))),
    "mlp_sgd_step": lambda: (nablax.jit(_sgd_step), _mlp_args()),
    "scan_rnn": lambda: (nablax.jit(_rnn_loss), (_f32(3, 3), _f32(3), _f32(5, 3))),
    "scan_rnn_grad": lambda: (nablax.jit(nablax.grad(_rnn_loss)), (_f32(3, 3), _f32(3), _f32(5, 3))),
    "cond_while": lambda: (nablax.jit(_control_flow), (_f32(3),)),
}


# ------------------------------------------------------------------------------ rendering

def _generated_source(fn) -> list[str] | None:
    """The source lines of a function jit generated, or None for any other object."""
    code = getattr(fn, "__code__", None)
    if not isinstance(fn, types.FunctionType) or not code.co_filename.startswith("<nablax-jit-"):
        return None
    return linecache.getlines(code.co_filename)


def _summary(value) -> str:
    """A deterministic one-line description of a global the generated code reads."""
    if isinstance(value, np.ndarray):
        return f"array {value.dtype}{list(value.shape)}"
    if isinstance(value, (np.generic, np.dtype)):
        return repr(value)
    if isinstance(value, functools.partial):
        return f"partial({_summary(value.func)}, {', '.join(sorted(value.keywords))})"
    if callable(value):
        return getattr(value, "__qualname__", type(value).__name__)
    return type(value).__name__


def _globals_text(fn, prefix: str) -> list[str]:
    out = []
    for name, value in sorted(fn.__globals__.items()):
        if not name.startswith("_") or name.startswith("__"):
            continue
        source = _generated_source(value)
        if source is None:
            out.append(f"# {prefix}{name}: {_summary(value)}\n")
        else:
            out += [f"\n# {prefix}{name}, compiled sub-function:\n", *source]
            out += _globals_text(value, f"{prefix}{name}.")
    return out


def render(jitted, args) -> str:
    lowered = jitted.lower(*args)
    text = lowered.as_text()
    return text + "".join(_globals_text(lowered._entry.fn, ""))


# ---------------------------------------------------------------------------------- tests

@pytest.fixture(autouse=True)
def _x64_off():
    with nablax.config.enable_x64(False):
        yield


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_generated_source_matches_golden(name):
    jitted, args = PROGRAMS[name]()
    text = render(jitted, args)
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        path.write_text(text)
        return
    how = f"NABLAX_UPDATE_GOLDEN=1 pytest {pathlib.Path(__file__).relative_to(GOLDEN.parents[2])}"
    if not path.exists():
        pytest.fail(f"no golden file {path}; write it with `{how}` and review it")
    expected = path.read_text()
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            f"golden/{name}.txt", "generated now"))
        pytest.fail(f"jit's generated source for {name} changed; if the change is intended, accept it with "
                    f"`{how}` and commit the diff:\n{diff}")


def test_rendering_is_deterministic():
    """The same program traced twice (fresh jit wrappers, fresh functions) renders the same."""
    texts = {render(nablax.jit(functools.partial(_control_flow)), (_f32(3),)) for _ in range(2)}
    assert len(texts) == 1 and texts == {(GOLDEN / "cond_while.txt").read_text()}


def test_golden_files_are_all_used():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(PROGRAMS)
