"""benchmarks/workloads_distributed.py: the rows skip with their reason when MPI is missing, a failing
worker is reported, and the psum row's workers run under mpiexec, agree on the sum and report
samples the table can show (the data-parallel row takes ~10 s, so it runs only in the suite)."""
import importlib.util
import shutil

import pytest

from benchmarks import run
from benchmarks import workloads_distributed as dist
from benchmarks.report import Row

HAVE_MPI = shutil.which("mpiexec") is not None and importlib.util.find_spec("mpi4py") is not None


def rows() -> dict:
    return {w.name: w for w in dist.workloads()}


def test_rows_are_registered_with_their_peers():
    names = {w.name: w.ref_label for w in run.all_workloads() if w.measure is not None}
    assert names == {"dp_mlp_step_2ranks": "1 process", "psum_1M_2ranks": "mpi4py Allreduce"}


@pytest.mark.parametrize("missing,reason", [("mpiexec", "no mpiexec on PATH"), ("mpi4py", "mpi4py is not installed")])
def test_rows_skip_with_the_reason_when_mpi_is_missing(monkeypatch, missing, reason):
    if missing == "mpiexec":
        monkeypatch.setattr(dist.shutil, "which", lambda name: None)
    else:
        monkeypatch.setattr(dist.importlib.util, "find_spec", lambda name: None)
    for name, w in rows().items():
        row = Row(name, ref_label=w.ref_label)
        w.measure(row, True)
        assert row.check == f"skipped: {reason} (pip install 'nablax[mpi]')"
        assert not row.times and row.ref is None and not row.errors
        cells = run.table([row], ["nablax"])[1]
        assert cells[1] == "—" and cells[-2] == row.check


def test_a_failing_worker_is_reported_not_raised(monkeypatch):
    def fail(args):
        raise RuntimeError("`mpiexec -n 2 python -m benchmarks.workloads_distributed psum 5` exited with 1")

    monkeypatch.setattr(dist, "missing_mpi", lambda: None)
    monkeypatch.setattr(dist, "_launch", fail)
    row = Row("psum_1M_2ranks")
    rows()["psum_1M_2ranks"].measure(row, True)
    assert row.errors["nablax"].startswith("RuntimeError: `mpiexec -n 2") and not row.times


@pytest.mark.skipif(not HAVE_MPI, reason="needs mpiexec on PATH and mpi4py")
def test_psum_row_runs_on_two_ranks():
    row = Row("psum_1M_2ranks", ref_label="mpi4py Allreduce")
    rows()["psum_1M_2ranks"].measure(row, True)
    assert not row.errors, row.errors
    assert row.check == "ok"                       # pmap(psum) equals mpi4py's Allreduce on every element
    assert row.times["nablax"].samples == row.ref.samples == 5
    assert row.times["nablax"].median > 0 and row.ref.median > 0
    assert "4 MiB float32 per rank" in row.notes[0]
