"""Systematic rule tests: every registered primitive, every column (DESIGN §7).

Columns: impl vs NumPy, abstract_eval vs impl, JVP vs finite differences, VJP by the
dot-product test, second order, vmap vs a Python loop, jit vs eager (values, dtype and
weak type, with strong and with weak inputs). All run in float64 (x64 on). Each case
module's BAD_CASES (misuse through the public API) must raise the same exception class
eagerly and under jit.
"""
from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax._src.array import wrap
from nablax._src.primitives import PRIMITIVES
from nablax.test_util import check_grads, check_jvp, check_vjp

from . import __path__ as _pkg_path

CASES = []
BAD_CASES = []  # misuse that eager and jit must reject alike
for _mod in sorted(m.name for m in pkgutil.iter_modules(_pkg_path) if m.name.startswith("cases_")):
    _cases = importlib.import_module(f"{__package__}.{_mod}")
    CASES += _cases.CASES
    BAD_CASES += getattr(_cases, "BAD_CASES", [])

DIFF_CASES = [c for c in CASES if c.differentiable_argnums()]


@pytest.fixture(autouse=True)
def x64():
    with nablax.config.enable_x64(True):
        yield


def _inputs(case):
    return [jnp.asarray(a) for a in case.args]


def _partial(case, argnums):
    """The case as a function of the arguments in argnums; the others fixed."""
    base = _inputs(case)

    def f(*xs):
        args = list(base)
        for i, x in zip(argnums, xs):
            args[i] = x
        return case.apply(*args)

    return f, [base[i] for i in argnums]


def test_every_primitive_has_a_case():
    covered = {c.prim.name for c in CASES}
    missing = sorted(set(PRIMITIVES) - covered)
    assert not missing, f"primitives without rule-test cases: {missing}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_impl_matches_numpy(case):
    out = case.apply(*_inputs(case))
    expected = case.reference(*case.args, **case.params)
    outs = out if case.multiple else [out]
    exps = expected if case.multiple else [expected]
    for o, e in zip(outs, exps):
        o_np, e_np = np.asarray(o), np.asarray(e)
        assert o_np.shape == e_np.shape, (o_np.shape, e_np.shape)
        assert o_np.dtype == e_np.dtype, (o_np.dtype, e_np.dtype)
        np.testing.assert_allclose(o_np, e_np, rtol=case.tol or 1e-7, atol=case.tol or 1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_abstract_eval_matches_impl(case):
    ins = _inputs(case)
    out = case.apply(*ins)
    avals = case.prim.abstract_eval(*[x.aval for x in ins], **case.params) if case.bind is None else None
    if avals is None:
        avals = nablax.make_jaxpr(case.apply)(*ins).out_avals
        avals = avals if case.multiple else avals[0]
    outs = out if case.multiple else [out]
    avals = avals if case.multiple else [avals]
    for o, a in zip(outs, avals):
        assert (o.shape, o.dtype, o.weak_type) == (a.shape, a.dtype, a.weak_type)
        assert isinstance(np.asarray(o), np.ndarray)


@pytest.mark.parametrize("case", DIFF_CASES, ids=lambda c: c.id)
def test_jvp_matches_finite_differences(case):
    f, xs = _partial(case, case.differentiable_argnums())
    check_jvp(f, xs, atol=case.tol, rtol=case.tol)


@pytest.mark.parametrize("case", DIFF_CASES, ids=lambda c: c.id)
def test_vjp_dot_product(case):
    f, xs = _partial(case, case.differentiable_argnums())
    check_vjp(f, xs, atol=case.tol, rtol=case.tol)


@pytest.mark.parametrize("case", [c for c in DIFF_CASES if c.order >= 2], ids=lambda c: c.id)
def test_second_order(case):
    f, xs = _partial(case, case.differentiable_argnums())
    check_grads(f, xs, order=2, atol=case.tol or 1e-4, rtol=case.tol or 1e-4)


def _batched_variants(x: np.ndarray, size: int):
    x = np.asarray(x)
    if x.dtype.kind in "fc":
        return [x + 0.1 * k for k in range(size)]
    if x.dtype.kind == "b":
        return [x if k % 2 == 0 else ~x for k in range(size)]
    return [x for _ in range(size)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_vmap_matches_loop(case):
    n = len(case.args)
    positions = case.batch_argnums if case.batch_argnums is not None else tuple(range(n))
    choices = [(p,) for p in positions] + ([positions] if len(positions) > 1 else [])
    size = 3
    for batched in choices:
        for where in ("first", "last"):
            per_example = []
            stacked = []
            for i, a in enumerate(case.args):
                if i in batched:
                    vs = _batched_variants(a, size)
                    per_example.append(vs)
                    ax = 0 if where == "first" else np.ndim(a)
                    stacked.append(jnp.asarray(np.stack(vs, axis=ax)))
                else:
                    per_example.append([a] * size)
                    stacked.append(jnp.asarray(a))
            in_axes = tuple((0 if where == "first" else np.ndim(a)) if i in batched else None
                            for i, a in enumerate(case.args))
            out = nablax.vmap(case.apply, in_axes=in_axes)(*stacked)
            loop = [case.apply(*[jnp.asarray(per_example[i][k]) for i in range(n)]) for k in range(size)]
            if case.multiple:
                for j, o in enumerate(out):
                    np.testing.assert_allclose(np.asarray(o), np.stack([np.asarray(lp[j]) for lp in loop]),
                                               rtol=1e-7, atol=1e-12)
            else:
                np.testing.assert_allclose(np.asarray(out), np.stack([np.asarray(lp) for lp in loop]),
                                           rtol=1e-7, atol=1e-12)


def _has_float_input(case) -> bool:
    return any(np.asarray(a).dtype.kind == "f" for a in case.args)


def _weak_inputs(case):
    """The case's inputs, floating ones as weakly typed Arrays (as Python floats and their
    broadcasts are)."""
    return [wrap(np.asarray(a), True) if np.asarray(a).dtype.kind == "f" else jnp.asarray(a) for a in case.args]


JIT_CASES = [pytest.param(c, False, id=f"{c.id}-strong") for c in CASES] + [
    pytest.param(c, True, id=f"{c.id}-weak") for c in CASES if _has_float_input(c)]


@pytest.mark.parametrize("case,weak", JIT_CASES)
def test_jit_matches_eager(case, weak):
    ins = _weak_inputs(case) if weak else _inputs(case)
    eager = case.apply(*ins)
    jitted = nablax.jit(case.apply)(*ins)
    outs = (eager, jitted) if case.multiple else ([eager], [jitted])
    for e, j in zip(*outs):
        assert e.weak_type == j.weak_type, (e.weak_type, j.weak_type)
        e_np, j_np = np.asarray(e), np.asarray(j)
        assert e_np.shape == j_np.shape and e_np.dtype == j_np.dtype, (e_np.dtype, j_np.dtype)
        np.testing.assert_allclose(j_np, e_np, rtol=1e-12, atol=1e-14, equal_nan=True)


def _raised(f, args) -> Exception | None:
    try:
        f(*args)
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return e
    return None


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda c: c.id)
def test_eager_and_jit_reject_alike(case):
    ins = _inputs(case)
    eager = _raised(case.apply, ins)
    assert eager is not None, "eager accepts this misuse"
    jitted = _raised(nablax.jit(case.apply), ins)
    assert type(jitted) is type(eager), (f"eager raises {type(eager).__name__}: {eager}\n"
                                         f"jit raises {type(jitted).__name__}: {jitted}")


def test_every_family_has_bad_cases():
    families = {m.name for m in pkgutil.iter_modules(_pkg_path) if m.name.startswith("cases_")}
    without = sorted(f for f in families if not getattr(importlib.import_module(f"{__package__}.{f}"),
                                                          "BAD_CASES", None))
    assert not without, f"case modules without BAD_CASES: {without}"
