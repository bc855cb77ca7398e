"""Workload definitions, part 5: random numbers and the HMC example (issue 14). `random.normal`
of 10^6 and `random.gamma` of 10^5 under jit, a jitted `vmap` over 1000 keys of split + uniform,
and one jitted transition of `examples/bayes_logreg_hmc.py` (at its default sizes).

Same conventions as `workloads.py`. nablax draws the same bits as JAX for the same key, so the
check compares the samples themselves; only nablax and JAX run (other libraries' generators give
other numbers, which the check cannot compare). The HMC row runs the example file itself on each
framework: its `import nablax as jax` lines are bound to JAX's modules while it loads.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from functools import lru_cache, partial
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.frameworks import Framework
from benchmarks.report import warn
from benchmarks.workloads import Bench, Workload, jit_first_call

_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "bayes_logreg_hmc.py"
_SUBMODULES = ("", ".numpy", ".scipy", ".scipy.stats")  # what the example imports from nablax


# ---------------------------------------------------------------- 22. random.normal, 10^6 float32
def normal_jit(fw: Framework, quick: bool) -> Bench | None:
    """jit(lambda key: random.normal(key, (10**6,)))."""
    if not fw.jaxlike:
        return None
    jax, n = fw.jax, 10**6
    key = jax.random.PRNGKey(0)

    def make() -> Any:
        return lambda k: jax.random.normal(k, (n,))

    f = jax.jit(make())
    return Bench(lambda: f(key).block_until_ready(), jit_first_call(fw, make, key))


# ---------------------------------------------------------------- 23. random.gamma, 10^5 float32
def gamma_jit(fw: Framework, quick: bool) -> Bench | None:
    """jit(lambda key, a: random.gamma(key, a, (10**5,))) at a = 2.5 (the rejection sampler's
    loop runs about 1.02 times per draw there)."""
    if not fw.jaxlike:
        return None
    jax, n = fw.jax, 10**5
    if not hasattr(jax.random, "gamma"):
        warn(f"skipping random_gamma_1e5_jit on {fw.name}: {fw.name}.random.gamma does not exist yet")
        return None
    key, a = jax.random.PRNGKey(0), fw.jnp.float32(2.5)
    f = jax.jit(lambda k, a: jax.random.gamma(k, a, (n,)))
    return Bench(lambda: f(key, a).block_until_ready())


# ---------------------------------------------------------------- 24. vmap over 1000 keys of split + uniform
def _split_uniform(jax: Any) -> Any:
    """Per key: split it, draw 8 uniforms from the second half."""
    return lambda k: jax.random.uniform(jax.random.split(k)[1], (8,))


def vmap_split_uniform(jitted: bool) -> Any:
    """vmap(split + uniform) over 1000 keys, under jit or eagerly."""
    def build(fw: Framework, quick: bool) -> Bench | None:
        if not fw.jaxlike:
            return None
        jax = fw.jax
        keys = jax.random.split(jax.random.PRNGKey(1), 1000)
        f = jax.vmap(_split_uniform(jax))
        if not jitted:
            return Bench(lambda: f(keys).block_until_ready())
        jf = jax.jit(f)
        return Bench(lambda: jf(keys).block_until_ready(), jit_first_call(fw, lambda: jax.vmap(_split_uniform(jax)), keys))

    return build


# ---------------------------------------------------------------- 25. one HMC transition of the example
@lru_cache(maxsize=None)
def hmc_example(framework: str) -> ModuleType:
    """examples/bayes_logreg_hmc.py loaded with its `nablax` imports bound to `framework`'s modules
    (`jax`, `jax.numpy`, ...): the one-line change that turns nablax code into JAX code."""
    if str(_EXAMPLE.parent) not in sys.path:  # the example imports its flag helper as a script does
        sys.path.insert(0, str(_EXAMPLE.parent))
    names = ["nablax" + s for s in _SUBMODULES]
    saved = {name: sys.modules.get(name) for name in names}
    try:
        if framework != "nablax":
            for name, suffix in zip(names, _SUBMODULES):
                sys.modules[name] = importlib.import_module(framework + suffix)
        spec = importlib.util.spec_from_file_location(f"bayes_logreg_hmc_on_{framework}", _EXAMPLE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, mod in saved.items():
            if mod is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = mod
    return module


def hmc_step(fw: Framework, quick: bool) -> Bench | None:
    """The example's jitted `transition` at its default sizes (at its default sizes): every
    chain's key split, momenta drawn, the leapfrog steps (value_and_grad of the log posterior in
    a fori_loop), the Metropolis test."""
    if not fw.jaxlike:
        return None
    ex = hmc_example(fw.name)
    defaults = {k: p.default for k, p in inspect.signature(ex.main).parameters.items()}
    z, y = ex.data()
    keys, thetas = ex.init_chains(0, defaults["chains"])
    step, size, n = ex.transition_jit, defaults["step_size"], defaults["leapfrog"]

    def make() -> Any:
        return partial(ex.transition, n_leapfrog=n)

    return Bench(lambda: fw.block(step(keys, thetas, z, y, size, n)), jit_first_call(fw, make, keys, thetas, z, y, size))


def workloads() -> list[Workload]:
    """Part 5 of the table, in order."""
    W, both = Workload, ("nablax", "jax")
    eager = (("nablax_eager", "nablax un-jitted vmap", vmap_split_uniform(False)),)
    return [
        W("random_normal_1e6_jit", normal_jit, compile_name="compile_random_normal_1e6", frameworks=both),
        W("random_gamma_1e5_jit", gamma_jit, frameworks=both),
        W("vmap_split_uniform_1000_keys_jit", vmap_split_uniform(True), frameworks=both, extras=eager),
        W("hmc_step_8_chains", hmc_step, compile_name="compile_hmc_step", frameworks=both),
    ]
