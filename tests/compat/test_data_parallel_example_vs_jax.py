"""examples/data_parallel_mlp.py run on JAX with 4 CPU devices (its `nablax` imports bound to JAX's
modules, in a subprocess: XLA reads its device count before JAX is imported) and on nablax with 4
virtual devices: the same final parameters, for the pmap step and the plain one."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.test_data_parallel_example import EXAMPLES, STEPS, run, saved

pytest.importorskip("jax")
pytest.importorskip("sklearn")

ON_JAX = """
import json, sys
import jax, jax.numpy
sys.modules["nablax"], sys.modules["nablax.numpy"] = jax, jax.numpy
jax.distributed.initialize = lambda: None   # JAX's wants a coordinator; one process is the world here
sys.path.insert(0, {examples!r})
import data_parallel_mlp
for single, path in ((False, {parallel!r}), (True, {single!r})):
    data_parallel_mlp.main(**json.loads({kwargs!r}), single=single, save=path)
print(jax.device_count())
"""


def test_final_parameters_agree_with_jax(tmp_path):
    kwargs = {flag[2:].replace("-", "_"): int(value) for flag, value in zip(STEPS[::2], STEPS[1::2])}
    paths = {k: str(tmp_path / f"jax_{k}.npz") for k in ("parallel", "single")}
    code = ON_JAX.format(examples=str(EXAMPLES), kwargs=json.dumps(kwargs), **paths)
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
    on_jax = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert on_jax.returncode == 0, on_jax.stderr[-3000:]
    assert on_jax.stdout.splitlines()[-1] == "4"
    assert "over 4 devices (1 process x 4 local devices)" in on_jax.stdout
    for single in (False, True):
        key = "single" if single else "parallel"
        mine = saved(run([*STEPS, *(["--single"] if single else []), "--save", str(tmp_path / f"{key}.npz")],
                         devices=4), tmp_path / f"{key}.npz")
        with np.load(paths[key]) as theirs:
            assert sorted(theirs) == sorted(mine)
            for name in mine:
                np.testing.assert_allclose(mine[name], theirs[name], rtol=1e-5, atol=1e-6, err_msg=f"{key} {name}")
