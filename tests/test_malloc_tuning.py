"""nablax raises glibc's mmap/trim thresholds at import, so mid-sized NumPy buffers are
served from the heap instead of a fresh mmap (and page faults) on every call."""
import platform
import subprocess
import sys

import pytest

from nablax._src import malloc_tuning

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Counts glibc's mmapped chunks (mallinfo2().hblks) around a 1 MiB NumPy allocation.
_PROBE = """
import ctypes, numpy as np
import nablax
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
before = libc.mallinfo2().hblks
a = np.ones(1 << 18, np.float32)  # 1 MiB
print(libc.mallinfo2().hblks - before)
"""


def _mmapped_chunks(env: dict) -> int:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, check=True, timeout=120)
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_a_mid_sized_buffer_comes_from_the_heap_after_import():
    import os
    base = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    assert _mmapped_chunks(dict(base, NABLAX_MALLOC_TUNING="0")) == 1  # glibc's default: a fresh mmap
    assert _mmapped_chunks(base) == 0


def test_opt_out_and_caller_settings_are_respected(monkeypatch):
    monkeypatch.setenv("NABLAX_MALLOC_TUNING", "0")
    assert malloc_tuning.tune_malloc() is False
    monkeypatch.delenv("NABLAX_MALLOC_TUNING")
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert malloc_tuning.tune_malloc() is False


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_tuning_applies_on_glibc(monkeypatch):
    monkeypatch.delenv("NABLAX_MALLOC_TUNING", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    assert malloc_tuning.tune_malloc() is True
