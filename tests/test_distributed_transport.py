"""The multi-process transport (nablax/_src/distributed), nablax.distributed and multihost_utils.

In this process (no MPI launcher): the one-process world. Under `mpiexec -n 2` and
`-n 4` (skipped without mpiexec or mpi4py): the programs in tests/mpi_programs/, each
batching many checks per launch and printing one verdict line per rank; every launch
is bounded by a timeout, and a job that overruns it is killed whole.
"""
from __future__ import annotations

import importlib.util
import inspect
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

import nablax
from nablax import distributed
from nablax._src import distributed as transport
from nablax._src.distributed import group as group_module
from nablax._src.distributed import launch
from nablax.experimental import multihost_utils as mhu
from nablax.sharding import PartitionSpec as P

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "tests" / "mpi_programs"


def _mpiexec() -> str | None:
    """The mpiexec of this Python's environment (a venv with the mpich wheel) first, then PATH's."""
    beside = pathlib.Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


MPIEXEC = _mpiexec()
needs_mpi = pytest.mark.skipif(MPIEXEC is None or importlib.util.find_spec("mpi4py") is None,
                               reason="needs mpiexec and mpi4py (pip install nablax[mpi])")


def run_mpi(n: int, program: str, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """Run `mpiexec -n n python program args` to completion, killing the whole job if it overruns `timeout`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PMI_", "OMPI_", "PMIX_", "MPI_LOCAL"))}
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), environment.get("PYTHONPATH", "")])
    environment.update(env)
    command = [MPIEXEC, "-n", str(n), sys.executable, str(PROGRAMS / program), *args]
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
                           start_new_session=True)
    try:
        out, err = job.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(job.pid, signal.SIGKILL)
        out, err = job.communicate()
        pytest.fail(f"{' '.join(command)} did not finish in {timeout} s:\n{out}\n{err}")
    return subprocess.CompletedProcess(command, job.returncode, out, err)


def assert_every_rank_passed(result: subprocess.CompletedProcess, n: int) -> None:
    report = f"exit {result.returncode}\nstdout:\n{result.stdout[-6000:]}\nstderr:\n{result.stderr[-6000:]}"
    assert result.returncode == 0, report
    assert "FAIL" not in result.stdout, report
    verdicts = dict(re.findall(r"DONE rank (\d+) checks \d+ failed (\d+)", result.stdout))
    assert verdicts == {str(r): "0" for r in range(n)}, report


# ---- under mpiexec ---------------------------------------------------------------------------------


@needs_mpi
def test_collectives_on_two_ranks_and_a_rank_that_never_arrives():
    # Every collective and dtype against NumPy, mismatches, initialize(), multihost_utils; then a
    # 2 s timeout with the last rank skipping a psum: TimeoutError naming it, exit 0.
    result = run_mpi(2, "collectives.py", "--timeout")
    assert_every_rank_passed(result, 2)


@needs_mpi
def test_collectives_on_four_ranks():
    assert_every_rank_passed(run_mpi(4, "collectives.py"), 4)


@needs_mpi
def test_a_rank_that_ended_its_program_is_not_waited_for():
    # rank 1 ends while rank 0 waits for it in a psum: RuntimeError in about a second, not at the timeout
    assert_every_rank_passed(run_mpi(2, "rank_ends.py", NABLAX_COLLECTIVE_TIMEOUT="60"), 2)


@needs_mpi
def test_a_rank_that_fails_before_joining_does_not_hang_the_others():
    # joining MPI blocks in C until every process joins; the watchdog ends rank 0 after NABLAX_COLLECTIVE_TIMEOUT
    result = run_mpi(2, "rank_fails_early.py", NABLAX_COLLECTIVE_TIMEOUT="3")
    assert result.returncode != 0
    assert "ValueError: rank 1 fails before joining" in result.stderr
    assert "Timeout (0:00:03)!" in result.stderr
    assert "_every_process_must_join_mpi_within_NABLAX_COLLECTIVE_TIMEOUT" in result.stderr
    assert "joined a world without rank 1" not in result.stdout


@needs_mpi
def test_a_rank_that_raises_stops_the_job_with_its_error_shown_everywhere(tmp_path):
    result = run_mpi(4, "rank_fails.py", str(tmp_path))
    assert result.returncode != 0
    # the failing rank: its own traceback, as Python prints it
    assert 'raise ValueError("boom from rank 1")' in result.stderr
    assert "\nValueError: boom from rank 1\n" in result.stderr
    # the ranks waiting in the psum, without echoing it to each other
    remote = "nablax.distributed.RemoteRankError: rank 1 raised ValueError: boom from rank 1; stopping this rank too"
    seen = {p.name: p.read_text() for p in tmp_path.glob("rank*.txt")}
    assert seen == {"rank0.txt": remote, "rank3.txt": remote}, (seen, result.stderr)
    assert "RemoteRankError" in result.stderr  # printed too (the two waiting ranks' lines may interleave)
    # the computing rank was ended by the abort, and nobody went on
    assert "outlived" not in result.stdout and "finished the psum" not in result.stdout


# ---- one process -----------------------------------------------------------------------------------


def test_one_process_is_the_world():
    assert transport.world() is None
    assert (transport.process_index(), transport.process_count()) == (0, 1)


def test_initialize_on_one_process():
    assert not distributed.is_initialized()
    distributed.initialize()
    try:
        assert distributed.is_initialized()
        with pytest.raises(RuntimeError, match="distributed.initialize should only be called once."):
            distributed.initialize()
    finally:
        distributed.shutdown()
    assert not distributed.is_initialized()
    distributed.initialize(num_processes=1, process_id=0)
    distributed.shutdown()
    distributed.shutdown()  # shutting down twice does nothing, as in JAX


def test_initialize_rejects_what_one_process_cannot_be():
    with pytest.raises(RuntimeError, match=r"mpiexec -n 4 python <program>.*nablax\[mpi\]"):
        distributed.initialize(num_processes=4)
    with pytest.raises(ValueError, match="process_id < num_processes. Got process_id=1, num_processes=1"):
        distributed.initialize(num_processes=1, process_id=1)
    with pytest.raises(TypeError, match="num_processes must be a positive int"):
        distributed.initialize(num_processes=2.0)
    with pytest.raises(TypeError, match="process_id must be a nonnegative int"):
        distributed.initialize(process_id="0")
    assert not distributed.is_initialized()


def test_started_by_mpiexec_without_mpi4py(monkeypatch):
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setattr(launch, "mpi4py_available", lambda: False)
    with pytest.warns(RuntimeWarning, match=r"2 processes, but mpi4py is not installed.*nablax\[mpi\]"):
        assert launch.join_mpi_world() is None
    with pytest.raises(RuntimeError, match=r"mpi4py is not installed.*nablax\[mpi\]"):
        distributed.initialize()


def test_launcher_detection(monkeypatch):
    for name in ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS", "PMI_FD",
                 "OMPI_COMM_WORLD_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert launch.launcher_size() is None
    monkeypatch.setenv("PMIX_RANK", "0")
    assert launch.launcher_size() == 0
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "3")
    assert launch.launcher_size() == 3
    monkeypatch.setenv("PMI_SIZE", "1")
    assert launch.launcher_size() == 1 and launch.join_mpi_world() is None  # one rank: MPI is not even imported


def test_initialize_has_jaxs_signature():
    # jax.distributed.initialize of JAX 0.10.2
    expected = [("coordinator_address", None), ("num_processes", None), ("process_id", None),
                ("local_device_ids", None), ("cluster_detection_method", None), ("initialization_timeout", 300),
                ("heartbeat_timeout_seconds", 100), ("shutdown_timeout_seconds", 300),
                ("coordinator_bind_address", None), ("slice_index", None), ("partition_index", None)]
    params = inspect.signature(distributed.initialize).parameters.values()
    assert [(p.name, p.default) for p in params] == expected


def test_collective_timeout_setting(monkeypatch):
    monkeypatch.setenv("NABLAX_COLLECTIVE_TIMEOUT", "2.5")
    assert group_module.timeout_from_env() == 2.5
    monkeypatch.delenv("NABLAX_COLLECTIVE_TIMEOUT")
    assert group_module.timeout_from_env() == 300
    for bad in ("soon", "0", "-1"):
        monkeypatch.setenv("NABLAX_COLLECTIVE_TIMEOUT", bad)
        with pytest.raises(ValueError, match=f"NABLAX_COLLECTIVE_TIMEOUT='{bad}': expected a positive number"):
            group_module.timeout_from_env()


def test_headers_and_their_mismatch_message():
    sep = group_module._SEP
    rows = [np.frombuffer(group_module._encode_header(sep.join(["4", "allreduce", "sum", "-1", "float32", shape]).encode(),
                                                      "psum over axis 'i'", b"\1\2"), np.uint8)
            for shape in ("3", "4")]
    assert rows[0].size == group_module._HEADER_BYTES + 2 and rows[0][-2:].tolist() == [1, 2]  # the inlined payload
    headers = [group_module._decode_header(row[:group_module._HEADER_BYTES]) for row in rows]
    assert headers[0] == (sep.join(["4", "allreduce", "sum", "-1", "float32", "3"]), "psum over axis 'i'")
    assert group_module._mismatch_message("psum over axis 'i'", headers).startswith(
        "psum over axis 'i' across processes: rank 0 has float32[3], rank 1 has float32[4]; every process must call")


def test_reduction_dtypes():
    import ml_dtypes

    rd = group_module._reduction_dtype
    assert rd(np.dtype(np.int8), "sum", "psum") == np.int8
    assert rd(np.dtype(ml_dtypes.bfloat16), "max", "pmax") == np.float32
    assert rd(np.dtype(np.float16), "sum", "psum") == np.float32
    assert rd(np.dtype(ml_dtypes.int4), "sum", "psum") == np.int8
    with pytest.raises(TypeError, match="psum: cannot reduce a bool array"):
        rd(np.dtype(bool), "sum", "psum")
    with pytest.raises(TypeError, match=r"pmin: min is not defined on complex numbers \(complex64\)"):
        rd(np.dtype(np.complex64), "min", "pmin")
    with pytest.raises(TypeError, match="expected a numeric dtype"):
        rd(np.dtype("S3"), "sum", "psum")


# ---- multihost_utils on one process: identities ------------------------------------------------------


class Device:
    def __init__(self, id, process_index):
        self.id, self.process_index = id, process_index


class Mesh:
    """A stand-in for nablax's Mesh: just what multihost_utils reads."""

    def __init__(self, devices, axis_names):
        self.devices, self.axis_names = np.asarray(devices), tuple(axis_names)
        self.shape = dict(zip(self.axis_names, self.devices.shape))


def test_multihost_utils_on_one_process():
    tree = {"a": nablax.numpy.arange(3.0), "b": [np.int32(7)]}
    mhu.sync_global_devices("anything")
    out = mhu.broadcast_one_to_all(tree)
    assert type(out["a"]) is np.ndarray and out["a"].tolist() == [0, 1, 2] and out["b"][0] == 7
    out = mhu.process_allgather(tree)
    assert out["a"].shape == (1, 3) and out["b"][0].shape == (1,) and out["b"][0].dtype == np.int32
    assert mhu.process_allgather(tree, tiled=True)["a"].shape == (3,)
    assert mhu.process_allgather(2.0, tiled=True).shape == (1,)
    mhu.assert_equal(tree)

    mesh = Mesh([[Device(0, 0), Device(1, 0)]], ("host", "dev"))
    x = np.arange(8.0).reshape(4, 2)
    for spec in (P("dev"), P(None, ("host", "dev")), P()):
        g = mhu.host_local_array_to_global_array({"x": x}, mesh, spec)["x"]
        assert isinstance(g, nablax.Array) and np.array_equal(g, x)
        assert np.array_equal(mhu.global_array_to_host_local_array(g, mesh, spec), x)


def test_global_to_host_local_takes_this_process_block():
    # a 2-process mesh seen from process 0 (the one-process world has rank 0)
    mesh = Mesh([[Device(0, 0), Device(1, 0)], [Device(2, 1), Device(3, 1)]], ("host", "dev"))
    g = np.arange(24.0).reshape(8, 3)
    assert np.array_equal(mhu.global_array_to_host_local_array(g, mesh, P("host")), g[:4])
    assert np.array_equal(mhu.global_array_to_host_local_array(g, mesh, P(("dev", "host"))), g[[0, 1, 4, 5]])
    assert np.array_equal(mhu.global_array_to_host_local_array(g, mesh, P("dev")), g)


def test_multihost_utils_rejects_bad_specs_and_meshes():
    mesh = Mesh([[Device(0, 0), Device(1, 0)]], ("host", "dev"))
    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"unknown mesh axis 'batch' \(the mesh has axes \('host', 'dev'\)\)"):
        mhu.host_local_array_to_global_array(x, mesh, P("batch"))
    with pytest.raises(ValueError, match="more than the array's rank 2"):
        mhu.host_local_array_to_global_array(x, mesh, P(None, None, "dev"))
    with pytest.raises(ValueError, match="used more than once"):
        mhu.host_local_array_to_global_array(x, mesh, P("dev", "dev"))
    with pytest.raises(ValueError, match="size 3 cannot be split evenly over the 2 local devices"):
        mhu.host_local_array_to_global_array(np.zeros(3), mesh, P("dev"))
    scattered = Mesh([[Device(0, 0), Device(1, 1), Device(2, 0)]], ("host", "dev"))
    with pytest.raises(ValueError, match="devices of process 0 do not form a contiguous block"):
        mhu.global_array_to_host_local_array(np.zeros(3), scattered, P("dev"))
