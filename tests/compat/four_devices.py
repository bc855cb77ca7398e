"""Run one probe with 4 CPU devices in JAX and in nablax, for the differential tests of devices,
meshes, pmap and shard_map.

JAX reads its device count from XLA_FLAGS before it is imported, so its side runs the probe
in a subprocess (`--xla_force_host_platform_device_count=4`); nablax runs it in this process
with `jax_num_cpu_devices=4`. A probe is source text defining `probe(jax) -> dict` of
JSON-able answers (values, dtypes, shapes, reprs, error classes and messages)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import nablax


def jax_answers(probe_source: str) -> dict:
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
    code = probe_source + "\nimport jax, json\nprint(json.dumps(probe(jax)))\n"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def nablax_answers(probe_source: str) -> dict:
    old = nablax.config.jax_num_cpu_devices
    nablax.config.update("jax_num_cpu_devices", 4)
    try:
        namespace: dict = {}
        exec(compile(probe_source, "<probe>", "exec"), namespace)
        return json.loads(json.dumps(namespace["probe"](nablax)))
    finally:
        nablax.config.update("jax_num_cpu_devices", old)


def probe_keys(probe_source: str) -> list[str]:
    """The keys a probe records, read off its `put("key", ...)` / `error_class("key", ...)` lines."""
    return [line.split('"')[1] for line in probe_source.splitlines()
            if line.strip().startswith(('put("', 'error_class("'))]


def probe_test(probe_source: str):
    """The test of a module whose probe must answer as JAX does: `test_same_as_jax = probe_test(PROBE)`,
    one case per key, both sides run once per module."""
    answers: dict = {}

    @pytest.mark.parametrize("key", probe_keys(probe_source))
    def test_same_as_jax(key):
        if not answers:
            answers.update(theirs=jax_answers(probe_source), ours=nablax_answers(probe_source))
        assert answers["ours"][key] == answers["theirs"][key]

    return test_same_as_jax
