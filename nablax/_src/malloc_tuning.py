"""Keep glibc's malloc from returning NumPy's mid-sized buffers to the OS on every call.

glibc serves an allocation of at least `M_MMAP_THRESHOLD` bytes (128 KiB at start; it
adapts only after a large free) with a fresh `mmap`, and gives the pages back on `free`;
heap memory above `M_TRIM_THRESHOLD` at the top is given back too. A jitted program on
arrays of 128 KiB to a few MiB then page-faults every temporary in on every call: the MAML
row (arrays of 160 KB) ran at 1.40 ms in a fresh process and at 0.39 ms once both limits
were raised (`MALLOC_MMAP_THRESHOLD_=4194304 MALLOC_TRIM_THRESHOLD_=33554432`), which is
the state a process reaches by chance after its first large free. XLA's own allocator
keeps such buffers pooled; this does the same for NumPy's, once, at import: allocations
under 32 MiB (glibc's largest threshold) come from the heap, and up to 64 MiB of freed
memory stays with the process.

Only on Linux with glibc; skipped when the caller set `MALLOC_MMAP_THRESHOLD_` or
`MALLOC_TRIM_THRESHOLD_` (their values stand) or `NABLAX_MALLOC_TUNING=0`.
"""
from __future__ import annotations

import ctypes
import os
import platform

_M_TRIM_THRESHOLD = -1  # mallopt parameter numbers, from glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 64 << 20


def tune_malloc() -> bool:
    """Raise glibc's mmap and trim thresholds; whether they were set."""
    if os.environ.get("NABLAX_MALLOC_TUNING", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
