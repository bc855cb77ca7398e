"""Thread safety: jit, grad and vmap from many threads while the interpreter switches often.

The jit cache, the generated-code registry and every memo table are shared by all threads;
with a tiny switch interval, unsynchronized read-modify-write sequences (LRU reordering,
evictions, reused names) interleave and fail. Each worker checks every value it gets.
"""
import sys
import threading
import time

import numpy as np

import nablax as jax
import nablax.numpy as jnp

_SECONDS = 2.0
_THREADS = 8


def _loss(w, x):
    return jnp.sum(jnp.tanh(x * w) ** 2)


def _run_threads(work) -> list:
    errors: list = []
    stop = time.monotonic() + _SECONDS

    def worker(tid: int) -> None:
        i = 0
        try:
            while time.monotonic() < stop:
                work(tid, i)
                i += 1
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append((tid, i, repr(e)))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=worker, args=(t,)) for t in range(_THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    return errors


def test_jit_cache_hits_and_evictions_from_many_threads():
    # A tiny cache: every few calls evict an entry that another thread just looked up
    # (the LRU reorder then raised KeyError) or is iterating over (RuntimeError).
    from nablax._src.jit.jitted import Jitted

    f = Jitted(lambda x, y=1.0: x * y + 1.0, cache_size=4)
    xs = [jnp.asarray(np.arange(n, dtype=np.float32)) for n in range(1, 9)]

    def work(tid: int, i: int) -> None:
        x = xs[(tid * 5 + i * 3) % len(xs)]
        expected = np.asarray(x) * 2.0 + 1.0
        out = f(x, 2.0) if i % 2 else f(x, y=2.0)  # the fast path, then the keyed path
        np.testing.assert_array_equal(np.asarray(out), expected)

    errors = _run_threads(work)
    assert not errors, errors[:5]


def test_jit_grad_vmap_from_many_threads_on_new_shapes():
    # Small caches force constant eviction, the path where races showed up.
    f = jax.jit(lambda x, y: jnp.sin(x) * y + 1.0)
    g = jax.jit(jax.grad(_loss))
    vg = jax.vmap(jax.grad(_loss), in_axes=(None, 0))

    def work(tid: int, i: int) -> None:
        n = 1 + (tid * 7 + i) % 97  # new shapes keep arriving: misses, compiles, evictions
        x = np.linspace(-1.0, 1.0, n, dtype=np.float32)
        out = np.asarray(f(x, 2.0))
        np.testing.assert_allclose(out, np.sin(x) * 2.0 + 1.0, rtol=1e-5, atol=1e-6)
        w = np.float32(0.5 + tid / 10)
        dw = float(g(w, x))
        t = np.tanh(x * w)
        np.testing.assert_allclose(dw, np.sum(2 * t * (1 - t * t) * x), rtol=1e-4, atol=1e-5)
        if i % 5 == 0:
            xs = np.stack([x, -x, 2 * x])
            dws = np.asarray(vg(w, xs))
            t = np.tanh(xs * w)
            np.testing.assert_allclose(dws, np.sum(2 * t * (1 - t * t) * xs, axis=1), rtol=1e-4, atol=1e-5)
        if i % 11 == 0:  # a fresh wrapper of a fresh function: registry and names churn
            h = jax.jit(lambda v, k=tid: v * k + i)
            np.testing.assert_allclose(np.asarray(h(x)), x * tid + i, rtol=1e-6)

    errors = _run_threads(work)
    assert not errors, errors[:5]
