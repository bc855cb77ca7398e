"""Interleaved timer: every framework's sample i is taken in the same round, so machine noise
(frequency changes, other processes) lands on all of them alike.

Steady-state calls: warm up, auto-scale an inner loop so one sample lasts >= `min_sample_s`,
then take `samples` rounds of (one sample per entry) and report the median per-call time.
First calls (compile times): each sample calls a factory that builds a fresh jitted function
and calls it once; one untimed call first absorbs one-time initialisation.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Callable

_clock = time.perf_counter


@dataclass
class Stats:
    """Per-call times of one entry (seconds)."""

    median: float
    minimum: float
    samples: int
    inner: int

    @classmethod
    def of(cls, times: list[float], inner: int) -> Stats:
        """Summarise a list of per-call times."""
        return cls(statistics.median(times), min(times), len(times), inner)


def _sample(fn: Callable[[], Any], n: int) -> float:
    """Seconds for `n` back-to-back calls of `fn`."""
    t0 = _clock()
    for _ in repeat(None, n):
        fn()
    return _clock() - t0


def calibrate(fn: Callable[[], Any], min_sample_s: float, max_inner: int = 1_000_000) -> tuple[int, float]:
    """Smallest-ish inner count so one sample of `fn` takes >= min_sample_s; returns (n, per-call s)."""
    n = 1
    while True:
        t = _sample(fn, n)
        if t >= min_sample_s or n >= max_inner:
            return n, t / n
        grow = min_sample_s / t * 1.25 if t > 0 else 100.0
        n = min(max_inner, max(n + 1, int(n * min(grow, 100.0))))


def time_calls(
    fns: dict[str, Callable[[], Any]],
    samples: int,
    min_sample_s: float = 0.02,
    warmup: int = 2,
    budget_s: float = 20.0,
) -> dict[str, Stats]:
    """Median per-call time of each zero-arg callable, sampled round-robin.

    The number of rounds shrinks (to no fewer than 3) when one round would make the whole
    measurement exceed `budget_s`.
    """
    inner, per_call = {}, {}
    for key, fn in fns.items():
        for _ in range(warmup):
            if _sample(fn, 1) >= min_sample_s:  # a slow call needs no further warm-up
                break
        inner[key], per_call[key] = calibrate(fn, min_sample_s)
    round_s = sum(inner[k] * per_call[k] for k in fns)
    rounds = max(3, min(samples, int(budget_s / max(round_s, 1e-9))))
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for key, fn in fns.items():
            times[key].append(_sample(fn, inner[key]) / inner[key])
    return {k: Stats.of(v, inner[k]) for k, v in times.items()}


def time_first_calls(
    factories: dict[str, Callable[[], Any]], samples: int, budget_s: float = 20.0
) -> dict[str, Stats]:
    """Median time of `factory()` (build a fresh jitted function and call it once), round-robin."""
    first = {}
    for key, make in factories.items():
        make()  # one-time initialisation (lazy imports, backend start-up) is not compile time
        first[key] = _sample(make, 1)
    rounds = max(3, min(samples, int(budget_s / max(sum(first.values()), 1e-9))))
    times: dict[str, list[float]] = {k: [first[k]] for k in factories}
    for _ in range(rounds - 1):
        for key, make in factories.items():
            times[key].append(_sample(make, 1))
    return {k: Stats.of(v, 1) for k, v in times.items()}


def fmt_time(seconds: float | None) -> str:
    """Human units: 412 ns, 3.2 µs, 15.1 ms, 1.24 s."""
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            v = seconds / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    v = seconds / 1e-9
    return f"{v:.3g} ns" if v < 100 else f"{v:.0f} ns"
