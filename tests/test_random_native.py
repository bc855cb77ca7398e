"""The optional compiled tier (random_native.py) gives the NumPy path's bits, and switches safely.

Every kernel is compared bit for bit (NaN payloads and signs included) with the NumPy path of
random_bits.py, which tests/test_random_perf_paths.py and tests/compat check against plain
references and JAX. The switching tests drive the module's state machine: a kernel compiles
only once hot, in a background thread (synchronously through the test hook), a failed compile
leaves the NumPy path in place for good, NABLAX_NATIVE=0 keeps it off. Skipped without numba.
"""
import importlib.util
import os
import subprocess
import sys
import threading
import time

import ml_dtypes
import numpy as np
import pytest

import nablax as jax
from nablax._src.primitives import random_bits as rb
from nablax._src.primitives import random_native as rn

from .primitives.cases_random import scalar_reference
from .test_random_perf_paths import INPUTS, SPECIAL, same_bits, words

# Not importorskip: importing Numba here, before the tier does, would turn its coloured
# messages on (see random_native._define) in every worker that collects this file.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba is not installed")

U32, F32 = np.uint32, np.float32
# Signalling and quiet NaNs of both signs, with payloads: which NaN comes out of NaN * NaN is
# the CPU's choice (AMD prefers the signalling one), on an operand order LLVM may change.
NANS = np.array([0x7F800001, 0xFF800001, 0x7FA00000, 0xFFB1E80F, 0x7FC00001, 0xFFC12345, 0x7FFFFFFF],
                np.uint32).view(F32)


@pytest.fixture(scope="module")
def kernels():
    """The compiled kernels, built once for this module."""
    return {name: rn._build(name) for name in rn.NAMES}


def module_state(monkeypatch, ready: dict, states: dict) -> None:
    """Give random_native these kernels and states; the old ones come back after the test."""
    monkeypatch.setattr(rn, "_ready", dict(ready))
    monkeypatch.setattr(rn, "_states", dict(states))
    monkeypatch.setattr(rn, "_calls", {})
    monkeypatch.setattr(rn, "synchronous", False)


@pytest.fixture
def native(kernels, monkeypatch):
    """Run random_bits with every compiled kernel in place."""
    module_state(monkeypatch, kernels, dict.fromkeys(kernels, "ready"))


@pytest.fixture
def fresh(monkeypatch):
    """A cold module state, as after import, NABLAX_NATIVE unset."""
    module_state(monkeypatch, {}, {})
    monkeypatch.delenv("NABLAX_NATIVE", raising=False)


def assert_same_bits(got, ref, x) -> None:
    """got and ref bit for bit; on a difference, the inputs and both outputs' bits where they differ."""
    if same_bits(got, ref):
        return
    got, ref, x = (np.asarray(v).reshape(-1) for v in (got, ref, x))
    bits = f"u{got.dtype.itemsize}"
    where = np.nonzero(got.view(bits) != ref.view(bits))[0][:5] if got.shape == ref.shape else []
    pytest.fail(f"differ at {list(where)}: x {x[where].view(f'u{x.dtype.itemsize}')} native {got[where].view(bits)}"
                f" numpy {ref[where].view(bits)}")


def numpy_path(f, *args, **kw):
    """f(*args, **kw) with the compiled tier switched off."""
    saved = rn._ready, rn._states
    rn._ready, rn._states = {}, dict.fromkeys(rn.NAMES, "off")
    try:
        return f(*args, **kw)
    finally:
        rn._ready, rn._states = saved


# ------------------------------------------------------------------------- bit for bit

@pytest.mark.usefixtures("native")
@pytest.mark.parametrize("shapes", [((), (), (), (1,)), ((), (), (), (7,)), ((), (), (), (129,)),
                                    ((), (), (), (4, 70001)),     # random.normal's words
                                    ((5,), (5,), (), (5,)),       # per-lane keys, shared zero
                                    ((8, 1), (8, 1), (), (3,)),   # a vmapped split
                                    ((3, 1), (1, 5), (1, 5), (3, 1)),
                                    ((1000,), (1000,), (1000,), (1000,)),
                                    ((), (), (), ())])
def test_threefry_native_matches_numpy_path(shapes):
    args = [words(int(np.prod(s, dtype=int))).reshape(s) for s in shapes]
    got = rb._threefry_impl(np, *args)
    ref = numpy_path(rb._threefry_impl, np, *args)
    assert all(same_bits(g, r) for g, r in zip(got, ref))
    assert all(r.shape == np.broadcast_shapes(*shapes) for r in got)


@pytest.mark.usefixtures("native")
def test_threefry_native_matches_scalar_reference():
    k0, k1 = U32(0xFFFFFFFF), U32(0x12345678)
    x0, x1 = words(300), np.full(300, 0xFFFFFFFF, U32)
    got = rb._threefry_impl(np, k0, k1, x0, x1)
    ref = scalar_reference(k0, k1, x0, x1)
    assert same_bits(got[0], ref[0]) and same_bits(got[1], ref[1])


@pytest.mark.usefixtures("native")
def test_threefry_native_strided_and_readonly_operands():
    x1 = words(2000)[::2]
    key = np.asarray(words(2))
    key.flags.writeable = False
    got = rb._threefry_impl(np, key[0], key[1], U32(0), x1)
    ref = numpy_path(rb._threefry_impl, np, key[0], key[1], U32(0), x1)
    assert all(same_bits(g, r) for g, r in zip(got, ref))


@pytest.mark.usefixtures("native")
@pytest.mark.parametrize("fn", ["log", "log1p", "erf_inv", "erf"])
@pytest.mark.parametrize("inputs", sorted(INPUTS))
@pytest.mark.parametrize("n", [0, 1, 17, rb._BLOCK + 1, 50001])
@pytest.mark.parametrize("dtype", [F32, np.float16, ml_dtypes.bfloat16])
def test_xla_math_native_matches_numpy_path(fn, inputs, n, dtype):
    with np.errstate(all="ignore"):
        x = np.concatenate([SPECIAL, NANS, INPUTS[inputs](n)]).astype(dtype)
    got = rb._xla_math_impl(x, fn=fn)
    assert_same_bits(got, numpy_path(rb._xla_math_impl, x, fn=fn), x)


@pytest.mark.usefixtures("native")
@pytest.mark.parametrize("fn", ["log", "erf_inv"])
def test_xla_math_native_keeps_shape_and_reads_strided_input(fn):
    x = (np.linspace(-0.999, 2.5, 3 * 40 * 2, dtype=F32).reshape(3, 40, 2))[:, ::3, :]
    got = rb._xla_math_impl(x, fn=fn)
    assert got.shape == x.shape and same_bits(got, numpy_path(rb._xla_math_impl, x, fn=fn))


@pytest.mark.usefixtures("native")
def test_float64_xla_math_stays_on_numpy():
    x = np.linspace(-0.9, 0.9, 50)
    assert same_bits(rb._xla_math_impl(x, fn="erf_inv"), numpy_path(rb._xla_math_impl, x, fn="erf_inv"))


@pytest.mark.usefixtures("native")
@pytest.mark.parametrize("n", [1, 33, 70000])
@pytest.mark.parametrize("b, c", [(F32(2.0), F32(-0.99999994)), (F32(3e38), F32(-np.inf)), (F32(np.nan), F32(1))])
def test_fma_native_matches_numpy_path(n, b, c):
    a = np.concatenate([SPECIAL, NANS, words(n).view(F32)])
    got = rb._fma_impl(np, a, b, c)
    assert same_bits(got, numpy_path(rb._fma_impl, np, a, b, c))


@pytest.mark.usefixtures("native")
def test_fma_python_float_operand_stays_on_numpy(monkeypatch):
    """A Python float scalar is used at float64 by the NumPy path: not rounded to float32."""
    monkeypatch.setitem(rn._ready, "fma_scalars", None)  # would raise if it were called
    a = words(20000).view(F32)
    assert same_bits(rb._fma_impl(np, a, 0.1, F32(0)), numpy_path(rb._fma_impl, np, a, 0.1, F32(0)))


@pytest.mark.usefixtures("native")
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
def test_samplers_native_match_numpy_path(dtype):
    key = jax.random.PRNGKey(3)
    draws = [lambda: jax.random.normal(key, (3, 20001), dtype),
             lambda: jax.random.uniform(key, (50,), dtype, -2.0, 3.0),
             lambda: jax.random.truncated_normal(key, -1.5, 2.0, (999,), dtype),
             lambda: jax.random.gamma(key, 2.5, (4000,), dtype),
             lambda: jax.vmap(lambda k: jax.random.normal(jax.random.split(k)[1], (8,), dtype))(
                 jax.random.split(key, 100))]
    for draw in draws:
        assert same_bits(draw(), numpy_path(draw))


# ------------------------------------------------------------------------- switching

@pytest.mark.usefixtures("fresh")
def test_compiles_after_a_second_hot_call(kernels, monkeypatch):
    built = []
    monkeypatch.setattr(rn, "_build", lambda name: built.append(name) or kernels[name])
    rn.synchronous = True
    assert rn.kernel("erf_inv", 10) is None and rn.state("erf_inv") == "cold"
    assert rn.kernel("erf_inv", rn.HOT_SIZE) is None and rn.state("erf_inv") == "cold"
    assert rn.kernel("erf_inv", rn.HOT_SIZE) is None and rn.state("erf_inv") == "ready"
    assert rn.kernel("erf_inv", 1) is kernels["erf_inv"]
    assert built == ["erf_inv"] and rn.state("log") == "cold"  # each kernel compiles when it is hot


@pytest.mark.usefixtures("fresh")
def test_many_small_calls_are_hot_too(kernels, monkeypatch):
    monkeypatch.setattr(rn, "_build", lambda name: kernels[name])
    rn.synchronous = True
    calls = rn.HOT_WORK // rn.SMALL_COST
    for _ in range(calls - 1):
        rn.kernel("threefry", 16)
    assert rn.state("threefry") == "cold"
    rn.kernel("threefry", 16)
    assert rn.state("threefry") == "ready"


@pytest.mark.usefixtures("fresh")
def test_background_compile_switches_when_ready(kernels, monkeypatch):
    """Calls run on NumPy while the compile thread works, then on the compiled kernel."""
    release = threading.Event()

    def slow_build(name):
        release.wait(10)
        return kernels[name]
    monkeypatch.setattr(rn, "_build", slow_build)
    x = INPUTS["normal_uniforms"](rn.HOT_SIZE)
    ref = numpy_path(rb._xla_math_impl, x, fn="erf_inv")
    for _ in range(3):
        assert same_bits(rb._xla_math_impl(x, fn="erf_inv"), ref)
    assert rn.state("erf_inv") == "compiling" and rn.kernel("erf_inv", x.size) is None
    release.set()
    deadline = time.monotonic() + 10
    while rn.state("erf_inv") == "compiling" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert rn.state("erf_inv") == "ready" and rn.kernel("erf_inv", 1) is kernels["erf_inv"]
    assert same_bits(rb._xla_math_impl(x, fn="erf_inv"), ref)


@pytest.mark.usefixtures("fresh")
def test_failed_compile_falls_back_and_never_retries(monkeypatch):
    attempts = []

    def broken(name):
        attempts.append(name)
        raise RuntimeError("no LLVM today")
    monkeypatch.setattr(rn, "_build", broken)
    rn.synchronous = True
    x = INPUTS["signed_unit"](rn.HOT_SIZE)
    ref = numpy_path(rb._xla_math_impl, x, fn="erf_inv")
    for _ in range(5):
        assert same_bits(rb._xla_math_impl(x, fn="erf_inv"), ref)
    assert rn.state("erf_inv") == "failed" and attempts == ["erf_inv"]


@pytest.mark.usefixtures("fresh")
def test_nablax_native_0_keeps_it_off(monkeypatch):
    monkeypatch.setenv("NABLAX_NATIVE", "0")
    monkeypatch.setattr(rn, "_build", lambda name: pytest.fail("compiled with NABLAX_NATIVE=0"))
    rn.synchronous = True
    for _ in range(3):
        rn.kernel("erf_inv", rn.HOT_SIZE)
    assert rn.state("erf_inv") == "off" and rn.kernel("erf_inv", 1) is None


@pytest.mark.usefixtures("fresh")
def test_nablax_native_sync_compiles_in_the_calling_thread(kernels, monkeypatch):
    monkeypatch.setenv("NABLAX_NATIVE", "sync")
    threads = []
    monkeypatch.setattr(rn, "_build", lambda name: threads.append(threading.current_thread()) or kernels[name])
    rn.kernel("log", rn.HOT_SIZE)
    rn.kernel("log", rn.HOT_SIZE)
    assert threads == [threading.current_thread()] and rn.kernel("log", 1) is kernels["log"]


@pytest.mark.usefixtures("fresh")
def test_without_numba_it_stays_off(monkeypatch):
    monkeypatch.setattr(rn.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(rn, "_build", lambda name: pytest.fail("compiled without numba"))
    rn.synchronous = True
    for _ in range(3):
        rn.kernel("threefry", rn.HOT_SIZE)
    assert rn.state("threefry") == "off"


def test_a_kernel_is_built_once(kernels):
    """A kernel compiled earlier (in the background, say) is handed out again, not recompiled."""
    assert rn._build("log") is kernels["log"] is rn._build("log")


def test_numba_not_imported_by_nablax_or_cold_draws():
    code = ("import sys, nablax as jax; jax.random.normal(jax.random.PRNGKey(0), (100,)).block_until_ready();"
            "print('numba' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


_STDOUT_PROBE = r"""
import contextlib, io, sys, time
{first}
import nablax as jax
from nablax._src.primitives import random_native as rn
key = jax.random.PRNGKey(0)
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    for _ in range(3):
        jax.random.bits(key, (1 << 15,))          # hot: threefry compiles
    n = 0
    t0 = time.time()
    while rn.state("threefry") == "compiling" and time.time() - t0 < 60:
        print("line", n); n += 1; time.sleep(0.002)
    print("line", n); n += 1
assert buf.getvalue().count("line") == n, (buf.getvalue().count("line"), n)
assert sys.stdout is sys.__stdout__
print("ok", rn.state("threefry"), rn._quiet_numba())
"""


@pytest.mark.parametrize("first", ["", "import numba"])
def test_a_compile_never_loses_or_swaps_stdout(first):
    """Numba's coloured messages (with colorama installed) save and restore sys.stdout; the tier
    imports Numba with them off and compiles in the calling thread when someone else imported
    Numba with them on."""
    quiet = not first or importlib.util.find_spec("colorama") is None
    env = {k: v for k, v in os.environ.items() if k not in ("NABLAX_NATIVE", "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING")}
    out = subprocess.run([sys.executable, "-c", _STDOUT_PROBE.format(first=first)], capture_output=True, text=True,
                         env=env, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ok", "ready", str(quiet)]
