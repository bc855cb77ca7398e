"""examples/data_parallel_mlp.py: its batch slicing, and the final parameters of every way of
running it (1 device, 4 virtual devices, 4 MPI processes, 2 processes x 2 devices) against the
plain single-device step on the same global batches."""
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.test_examples import EXAMPLES, load

pytest.importorskip("sklearn")

ROOT = EXAMPLES.parent
SCRIPT = str(EXAMPLES / "data_parallel_mlp.py")
STEPS = ["--steps", "12", "--global-batch", "64", "--seed", "3"]
HAVE_MPI = shutil.which("mpiexec") is not None and importlib.util.find_spec("mpi4py") is not None
needs_mpi = pytest.mark.skipif(not HAVE_MPI, reason="needs mpiexec on PATH and mpi4py")


def run(args: list, devices: int = 1, processes: int = 0) -> subprocess.CompletedProcess:
    """The example as a script, with `devices` virtual devices per process, under `mpiexec -n processes`
    when processes > 0; bounded by timeouts (coreutils' for mpiexec, which then stops its ranks)."""
    env = {**os.environ, "NABLAX_NUM_CPU_DEVICES": str(devices), "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, SCRIPT, *args]
    if processes:
        cmd = ["timeout", "100", "mpiexec", "-n", str(processes), *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)


def saved(proc: subprocess.CompletedProcess, path: pathlib.Path) -> dict:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with np.load(path) as data:
        return dict(data)


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> tuple:
    """The plain step's final parameters and printed output."""
    path = tmp_path_factory.mktemp("single") / "params.npz"
    proc = run([*STEPS, "--single", "--save", str(path)])
    return saved(proc, path), proc.stdout


def assert_same_params(got: dict, want: dict) -> None:
    assert sorted(got) == sorted(want) == ["W0", "W1", "b0", "b1"]
    for name in want:
        assert got[name].dtype == np.float32 and got[name].shape == want[name].shape
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_example_has_docstring_and_main():
    dp = load("data_parallel_mlp")
    assert dp.__doc__ and "pmap" in dp.__doc__ and "mpiexec -n 4" in dp.__doc__
    assert callable(dp.main)


def test_local_shard_splits_the_global_batch_in_process_order():
    dp = load("data_parallel_mlp")
    batch = np.arange(24 * 3).reshape(24, 3)
    for processes, local in ((1, 1), (1, 4), (4, 1), (2, 2), (3, 2)):
        shards = [dp.local_shard(batch, r, processes, local) for r in range(processes)]
        assert all(s.shape == (local, 24 // (processes * local), 3) for s in shards)
        np.testing.assert_array_equal(np.concatenate([s.reshape(-1, 3) for s in shards]), batch)


def test_global_batches_cover_each_epoch_without_repeats():
    dp = load("data_parallel_mlp")
    batches = list(dp.global_batches(50, 16, 7, seed=1))
    assert [len(b) for b in batches] == [16] * 7
    first_epoch = np.concatenate(batches[:3])                    # 3 batches per epoch, 2 examples dropped
    assert len(set(first_epoch.tolist())) == 48
    assert not np.array_equal(batches[0], batches[3])            # a fresh permutation each epoch
    np.testing.assert_array_equal(np.concatenate(batches),
                                  np.concatenate(list(dp.global_batches(50, 16, 7, seed=1))))
    with pytest.raises(ValueError, match="--global-batch 64 is larger than the 50"):
        next(dp.global_batches(50, 64, 1, seed=1))


def test_single_step_learns(single):
    _, out = single
    losses = [float(line.split("loss")[1]) for line in out.splitlines() if "step" in line and "loss" in line]
    assert len(losses) == 2 and losses[-1] < 0.7 * losses[0]     # steps 1 and 12
    assert "single device" in out and "test accuracy" in out


def test_one_device_matches_single(single, tmp_path):
    proc = run([*STEPS, "--save", str(tmp_path / "p.npz")])
    assert "data-parallel over 1 device (1 process x 1 local device)" in proc.stdout
    assert_same_params(saved(proc, tmp_path / "p.npz"), single[0])


def test_four_virtual_devices_match_single(single, tmp_path):
    proc = run([*STEPS, "--save", str(tmp_path / "p.npz")], devices=4)
    assert "over 4 devices (1 process x 4 local devices), global batch 64 = 4 x 16" in proc.stdout
    assert_same_params(saved(proc, tmp_path / "p.npz"), single[0])


@needs_mpi
def test_four_mpi_processes_match_single(single, tmp_path):
    proc = run([*STEPS, "--save", str(tmp_path / "p.npz")], processes=4)
    assert "over 4 devices (4 processes x 1 local device)" in proc.stdout
    assert proc.stdout.count("test accuracy") == 1               # only process 0 prints
    assert_same_params(saved(proc, tmp_path / "p.npz"), single[0])


@needs_mpi
def test_two_processes_of_two_devices_match_single(single, tmp_path):
    proc = run([*STEPS, "--save", str(tmp_path / "p.npz")], devices=2, processes=2)
    assert "over 4 devices (2 processes x 2 local devices)" in proc.stdout
    assert_same_params(saved(proc, tmp_path / "p.npz"), single[0])


def test_global_batch_not_divisible_by_the_devices_is_a_clear_error():
    proc = run(["--steps", "1", "--global-batch", "30"], devices=4)
    assert proc.returncode != 0
    assert "ValueError: --global-batch 30 must be a multiple of the 4 devices" in proc.stderr
