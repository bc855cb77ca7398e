"""Shared by the programs that tests/test_distributed_transport.py runs under mpiexec.

Each program records named checks and ends with one line per rank,
`DONE rank R checks N failed F`, so the test sees every rank's verdict in one run.
"""
import sys
import traceback


class Checks:
    def __init__(self, rank: int):
        self.rank, self.count, self.failed = rank, 0, 0

    def equal(self, name, got, expected):
        import numpy as np

        got, expected = np.asarray(got), np.asarray(expected)
        same = got.shape == expected.shape and got.dtype == expected.dtype and bool(np.all(
            (got == expected) | ((got != got) & (expected != expected))))
        self.true(name, same, f"got {got.dtype}{list(got.shape)} {got!r}, expected {expected.dtype}"
                              f"{list(expected.shape)} {expected!r}")

    def true(self, name, ok, detail=""):
        self.count += 1
        if not ok:
            self.failed += 1
            print(f"FAIL rank {self.rank} {name}: {detail}", flush=True)

    def raises(self, name, exc_type, fn, *texts):
        """`fn()` must raise `exc_type` with every one of `texts` in its message."""
        try:
            fn()
        except exc_type as exc:
            missing = [t for t in texts if t not in str(exc)]
            self.true(name, not missing, f"message {str(exc)!r} lacks {missing}")
            return str(exc)
        except Exception:
            self.true(name, False, "raised another error:\n" + traceback.format_exc())
        else:
            self.true(name, False, f"did not raise {exc_type.__name__}")
        return ""

    def done(self):
        print(f"DONE rank {self.rank} checks {self.count} failed {self.failed}", flush=True)
        sys.stdout.flush()
