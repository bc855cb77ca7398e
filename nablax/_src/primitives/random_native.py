"""An optional compiled tier for the random kernels: Threefry-2x32 and XLA's float32 math.

The NumPy kernels in random_bits.py reproduce JAX's random numbers bit for bit, but they
take some 110 NumPy passes per Threefry lane and ~125 per erf_inv element: random.normal
on 10**6 elements is ~15x JAX's time, and no arrangement of ufunc calls gets close (see
random_bits). When Numba is installed, this module compiles the same arithmetic, op for
op, into loops over the elements: the same float32 roundings, the same multiply-adds
emulated in float64 (the product of two float32 values is exact there), no fastmath, so the
results are bit-identical to the NumPy path (tests/test_random_native.py checks).

Numba is optional and never imported unless a kernel gets hot: `kernel(name, n)` counts
calls, and once a kernel has seen a second call on >= 2**14 elements (or enough small calls
to be worth it) it is compiled in a background thread (about a second each; each kernel on
its own, so a program pays only for the kernels it uses). Calls keep using NumPy until the
compiled code is ready, then switch. Without Numba, with a failed compile (never retried) or
with NABLAX_NATIVE=0, everything stays on the NumPy path, silently. NABLAX_NATIVE=sync
compiles in the calling thread instead: one call waits, no call runs beside the compile
(which holds the GIL most of the time: calls made meanwhile run up to ~2x slower), as a
benchmark measuring the steady state wants.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import threading

import numpy as np

NAMES = ("threefry", "log", "log1p", "erf_inv", "erf", "fma_scalars")
HOT_SIZE = 1 << 14  # a call on this many elements is worth compiling for, if it comes twice
HOT_WORK = 1 << 16  # or: this many elements in all, each call counted as at least SMALL_COST
SMALL_COST = 1024   # a small call costs its ~100 NumPy calls' overhead, ~1000 elements' worth

_lock = threading.Lock()
_ready: dict = {}        # name -> compiled kernel
_states: dict = {}       # name -> "compiling", "ready", "failed" or "off"; absent: cold
_calls: dict = {}        # name -> [calls on >= HOT_SIZE elements, elements counted]
_build_lock = threading.Lock()
_definitions: dict | None = None  # name -> [(Numba function, signature)], made once
_built: dict = {}        # name -> compiled kernel, kept by reset (Numba compiles once)
synchronous = False      # test hook: compile in the calling thread (as NABLAX_NATIVE=sync)


def _available() -> bool:
    return os.environ.get("NABLAX_NATIVE", "1") != "0" and importlib.util.find_spec("numba") is not None


def kernel(name: str, n: int):
    """The compiled kernel `name`, or None while the NumPy path should run (not compiled
    yet, compiling, Numba absent or switched off). n: the call's number of elements."""
    compiled = _ready.get(name)
    if compiled is None and name not in _states:
        _count(name, n)
    return compiled


def _count(name: str, n: int) -> None:
    calls = _calls.setdefault(name, [0, 0])
    calls[0] += n >= HOT_SIZE
    calls[1] += max(n, SMALL_COST)
    if calls[0] < 2 and calls[1] < HOT_WORK:
        return
    with _lock:
        if name in _states:
            return
        _states[name] = "compiling" if _available() else "off"
    if _states[name] == "off":
        return
    if synchronous or os.environ.get("NABLAX_NATIVE") == "sync" or not _quiet_numba():
        _compile(name)
    else:
        threading.Thread(target=_compile, args=(name,), name=f"nablax-native-{name}", daemon=True).start()


def _quiet_numba() -> bool:
    """Whether Numba can compile in a background thread without touching `sys.stdout`: not
    imported yet (`_define` imports it with message highlighting off), or imported so."""
    errors = sys.modules.get("numba.core.errors")
    return errors is None or not hasattr(errors, "ColorShell")  # (defined only with colours on)


def _compile(name: str) -> None:
    try:
        compiled = _build(name)
    except Exception:  # noqa: BLE001 - any failure (import, typing, LLVM) means: stay on NumPy
        _states[name] = "failed"
        return
    _ready[name] = compiled
    _states[name] = "ready"


def _build(name: str):
    """Compile one kernel (about a second), once: the first build imports Numba and defines
    them all. Builds take their own lock, so that a call counting in `_count` never waits."""
    global _definitions
    with _build_lock:
        if name not in _built:
            if _definitions is None:
                _definitions = _define()
            compiled = []
            for fn, signature in _definitions[name]:
                fn.compile(signature)
                fn.disable_compile()  # only this signature: any other operand type is a caller's bug
                compiled.append(fn)
            _built[name] = compiled[0] if len(compiled) == 1 else tuple(compiled)
        return _built[name]


def reset(enabled: bool | None = None) -> None:
    """Test hook: forget the compiled kernels and the call counts (`enabled=False`: stay off)."""
    _ready.clear()
    _calls.clear()
    _states.clear()
    if enabled is False:
        _states.update(dict.fromkeys(NAMES, "off"))


def state(name: str) -> str:
    """'cold', 'compiling', 'ready', 'failed' or 'off'."""
    return _states.get(name, "cold")


# -------------------------------------------------------------------------------- kernels

# The constants of both tiers (random_bits imports them from here): Threefry's rotations and
# key parity, the coefficients of XLA's float32 polynomials (Cephes' log and log1p, Giles'
# erf_inv, XLA's rational erf), highest power first.
_ROTATIONS = (13, 15, 26, 6, 17, 29, 16, 24)
_PARITY = 0x1BD11BDA
_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
          -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)
_LOG1P_NUM = (4.5270000862445199635215e-5, 4.9854102823193375972212e-1, 6.5787325942061044846969e0,
              2.9911919328553073277375e1, 6.0949667980987787057556e1, 5.7112963590585538103336e1,
              2.0039553499201281259648e1)
_LOG1P_DEN = (1.0, 1.5062909083469192043167e1, 8.3047565967967209469434e1, 2.2176239823732856465394e2,
              3.0909872225312059774938e2, 2.1642788614495947685003e2, 6.0118660497603843919306e1)
_ERFINV_SMALL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                 -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_LARGE = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                 -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
_ERF_NUM = (0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861, 0.18520832239976145,
            1.128379143519084)
_ERF_DEN = (-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885, 0.014070470171167667,
            0.11098505178285362, 0.49746925110067538, 1.0)
_TINY32 = np.float32(1.17549435e-38)
_SQRT_HALF_BITS = int(np.float32(0.707106781186547524).view(np.int32))


def _define() -> dict:
    """The kernels as Numba functions with their signatures, not compiled yet: Numba is
    imported here and only here.

    Without highlighting: Numba's coloured messages (colorama's init/deinit around each
    formatted message, also while it compiles) save and later restore `sys.stdout`, and from
    a background thread that restore can put back a stream the program has since replaced
    (prints under pytest's capture, or in a `redirect_stdout` block, were lost)."""
    os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")
    import numba

    f32, f64, i32, u32 = np.float32, np.float64, np.int32, np.uint32
    jit = numba.njit(nogil=True, error_model="numpy")  # no fastmath: IEEE arithmetic as written
    # The per-element functions are inlined in Numba's IR: LLVM's inliner leaves the larger ones
    # as calls, and a loop with a call is not vectorized (log1p: 15.7 -> ? ms on 10**6).
    inline = numba.njit(inline="always", error_model="numpy")

    # Coefficients as float64 holding float32 values, as random_bits._coeffs makes them.
    def c64(poly):
        return tuple(float(v) for v in np.array(poly, f32).astype(f64))

    log_a, log_b, log_c = c64(_LOG_P[0:3]), c64(_LOG_P[3:6]), c64(_LOG_P[6:9])
    l1p_num, l1p_den = c64(_LOG1P_NUM), c64(_LOG1P_DEN)
    ei_small, ei_large = c64(_ERFINV_SMALL), c64(_ERFINV_LARGE)
    erf_num, erf_den = c64(_ERF_NUM), c64(_ERF_DEN)
    tiny, inf, nan = f32(_TINY32), f32(np.inf), f32(np.nan)
    sqrt_half_bits = i32(_SQRT_HALF_BITS)
    # LLVM does not keep NaN signs through arithmetic. For a non-NaN input (NaN inputs are
    # random_bits' business) the NumPy path's erf_inv NaN is -nan (the log's +nan negated).
    erf_inv_nan = np.uint32(0xFFC00000).view(f32)
    one, m_half = f32(1), f64(f32(-0.5))
    ln2_lo, ln2_hi = f32(-2.12194440e-4), f64(f32(0.693359375))
    log1p_edge = f32(0.41421356237309504880)
    erf_clip = f32(3.832506856900711)
    far_edge = f32(0.99)  # below, w = -log1p(-x**2) < 3.92: far from erf_inv's branch point 5

    def horner_of(c):
        """A float32 Horner evaluation with every step p * x + c rounded once (random_bits._horner)."""
        c0, c1, rest = c[0], c[1], c[2:]

        @inline
        def horner(x64):
            p = f32(x64 * c0 + c1)
            for ci in rest:  # a tuple of constants: unrolled
                p = f32(f64(p) * x64 + ci)
            return p
        return horner

    h_log_a, h_log_b, h_log_c = horner_of(log_a), horner_of(log_b), horner_of(log_c)
    h_l1p_num, h_l1p_den = horner_of(l1p_num), horner_of(l1p_den)
    h_ei_small, h_ei_large = horner_of(ei_small), horner_of(ei_large)
    h_erf_num, h_erf_den = horner_of(erf_num), horner_of(erf_den)

    # Branch-free: every path is computed and the result selected, as the NumPy kernels do
    # (a data-dependent branch per element mispredicts, and blocks vectorization).
    @inline
    def log_s(x):  # random_bits._log_f32, one element
        bits = np.float32(x if x >= tiny else tiny).view(np.int32)  # Numba views only np.<dtype>()
        mbits = i32(i32(bits & i32(0x007FFFFF)) | i32(0x3F000000))  # Numba widens int32 ops: cast back
        small = i32(i32(mbits - sqrt_half_bits) >> i32(31))
        e = f32(i32(i32(bits >> i32(23)) + small) - i32(126))
        m = np.int32(mbits).view(np.float32)
        r = f32(f32(m - one) + np.int32(small & mbits).view(np.float32))
        r2 = f32(r * r)
        r3 = f64(f32(r2 * r))
        r64 = f64(r)
        y = f32(f64(h_log_a(r64)) * r3 + f64(h_log_b(r64)))
        y = f32(f64(y) * r3 + f64(h_log_c(r64)))
        y = f32(f64(y) * r3 + f64(f32(e * ln2_lo)))
        r2 = f32(f64(r2) * m_half + f64(r))
        r2 = f32(r2 + y)
        out = f32(f64(e) * ln2_hi + f64(r2))
        out = -inf if x < tiny else out
        out = inf if x == inf else out
        return nan if (x < 0) | (x != x) else out

    @inline
    def log1p_near0(x):  # random_bits._log1p_near0
        x64 = f64(x)
        num = f32(h_l1p_num(x64) / h_l1p_den(x64))
        x2 = f32(x * x)
        c = f32(f32(x * x2) * num)
        c = f32(m_half * f64(x2) + f64(c))
        return f32(c + x)

    @inline
    def log1p_s(x):  # random_bits._log1p_f32
        near0 = log1p_near0(x)
        far = log_s(f32(x + one))
        return near0 if abs(x) < log1p_edge else far

    @inline
    def erf_inv_s(x, far_branch):  # random_bits._erf_inv_f32; far_branch: a constant
        w = f32(-log1p_s(f32(-f32(x * x))))
        p = h_ei_small(f64(f32(w - f32(2.5))))
        if far_branch:
            far = h_ei_large(f64(f32(np.sqrt(w) - f32(3))))
            p = far if w >= f32(5) else p
        out = f32(x * inf) if abs(x) == one else f32(p * x)
        return erf_inv_nan if out != out else out

    @jit
    def erf_inv_far(x):  # a call, not inlined: the loop that calls it stays scalar
        return erf_inv_s(x, True)

    @jit
    def erf_inv_run(x, out):
        """The far branch (w >= 5, |x| > 0.9966) is rare: the first loop leaves it out (a third
        of the work: a sqrt and a second polynomial), the second redoes those lanes. Inlined,
        the second loop would be vectorized with masks, computing the far branch everywhere."""
        for i in range(x.size):
            out[i] = erf_inv_s(x[i], False)
        for i in range(x.size):
            if abs(x[i]) >= far_edge:
                out[i] = erf_inv_far(x[i])

    @inline
    def erf_s(x):  # random_bits._erf_f32
        clipped = min(max(x, -erf_clip), erf_clip)
        x = clipped if x == x else x  # np.clip passes NaN through
        x2 = f64(f32(x * x))
        return f32(f32(x * h_erf_num(x2)) / h_erf_den(x2))

    def elementwise(fn):
        @jit
        def run(x, out):
            for i in range(x.size):
                out[i] = fn(x[i])
        return run

    @inline
    def encrypt(a, b, v0, v1):  # random_bits._rounds_inplace on one lane
        ks = (a, b, u32(a ^ b ^ u32(_PARITY)))
        v0 = u32(v0 + a)
        v1 = u32(v1 + b)
        for s in range(1, 6):  # constant trip counts: LLVM unrolls
            for j in range(4):
                r = _ROTATIONS[4 * ((s - 1) % 2) + j]
                v0 = u32(v0 + v1)
                v1 = u32(u32(v1 << u32(r)) | u32(v1 >> u32(32 - r)))
                v1 = u32(v1 ^ v0)
            v0 = u32(v0 + ks[s % 3])
            v1 = u32(v1 + u32(ks[(s + 1) % 3] + u32(s)))
        return v0, v1

    # Two loops: one key and counter word for all lanes (random draws), or every word per
    # lane. A stride-0 operand read inside one general loop defeats LLVM's alias analysis:
    # the loop ran scalar (11 ms on 10**6 lanes instead of 2.3).
    @jit
    def threefry_shared(k0, k1, x0, x1, y0, y1):
        for i in range(x1.size):
            y0[i], y1[i] = encrypt(k0, k1, x0, x1[i])

    @jit
    def threefry_lanes(k0, k1, x0, x1, y0, y1):
        for i in range(x1.size):
            y0[i], y1[i] = encrypt(k0[i], k1[i], x0[i], x1[i])

    @jit
    def fma_scalars(a, b, c, out):  # random_bits._fma_low for float32 a and scalars b, c
        b64, c64 = f64(b), f64(c)
        for i in range(a.size):
            out[i] = f32(f64(a[i]) * b64 + c64)

    def arg(dtype, readonly=True):
        return numba.types.Array(dtype, 1, "C", readonly=readonly)

    u32a, f32a = arg(numba.uint32), arg(numba.float32)
    u32o, f32o = arg(numba.uint32, False), arg(numba.float32, False)
    floats = (f32a, f32o)
    return {"log": [(elementwise(log_s), floats)], "log1p": [(elementwise(log1p_s), floats)],
            "erf_inv": [(erf_inv_run, floats)], "erf": [(elementwise(erf_s), floats)],
            "fma_scalars": [(fma_scalars, (f32a, numba.float32, numba.float32, f32o))],
            "threefry": [(threefry_shared, (numba.uint32,) * 3 + (u32a, u32o, u32o)),
                         (threefry_lanes, (u32a,) * 4 + (u32o,) * 2)]}
