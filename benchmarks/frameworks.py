"""Lazy adapters for the frameworks compared: each is imported only when asked for.

A `Framework` bundles the modules a workload needs (for the JAX-like ones, `jax` and `jnp`, so
the very same code runs on nablax and on JAX), a converter from NumPy inputs, a `block` that
waits for (possibly asynchronous) results, and a `to_numpy` for the correctness check.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

LABELS = {"nablax": "nablax", "jax": "JAX", "torch": "torch.func", "autograd": "autograd", "ref": "reference"}


@dataclass
class Framework:
    """A loaded framework: its modules plus the helpers the harness needs."""

    name: str
    version: str
    mods: dict[str, Any] = field(default_factory=dict)
    asarray: Callable[[Any], Any] = np.asarray
    block: Callable[[Any], Any] = lambda out: out

    def __getattr__(self, key: str) -> Any:
        try:
            return self.__dict__["mods"][key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def jaxlike(self) -> bool:
        """True for nablax and JAX, which share one spelling of every workload."""
        return self.name in ("nablax", "jax")


def _leaves(tree: Any) -> list[Any]:
    if isinstance(tree, (list, tuple)):
        return [leaf for t in tree for leaf in _leaves(t)]
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in _leaves(tree[k])]
    return [tree]


def to_numpy(tree: Any) -> list[np.ndarray]:
    """Flatten nested lists/tuples/dicts of any framework's arrays into float64 NumPy arrays."""
    out = []
    for leaf in _leaves(tree):
        if hasattr(leaf, "detach"):  # torch
            leaf = leaf.detach().cpu().numpy()
        out.append(np.asarray(leaf, dtype=np.float64))
    return out


def _load_nablax() -> Framework:
    nablax = importlib.import_module("nablax")
    jnp = importlib.import_module("nablax.numpy")

    def block(out: Any) -> Any:
        if hasattr(out, "block_until_ready"):
            return out.block_until_ready()
        for leaf in nablax.tree_util.tree_leaves(out):
            leaf.block_until_ready()
        return out

    return Framework("nablax", nablax.__version__, {"jax": nablax, "jnp": jnp, "lax": nablax.lax}, jnp.asarray, block)


def _load_jax() -> Framework:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    jax = importlib.import_module("jax")
    jnp = importlib.import_module("jax.numpy")

    def block(out: Any) -> Any:
        if hasattr(out, "block_until_ready"):
            return out.block_until_ready()
        return jax.block_until_ready(out)

    return Framework("jax", jax.__version__, {"jax": jax, "jnp": jnp, "lax": jax.lax}, jnp.asarray, block)


def _load_torch() -> Framework:
    torch = importlib.import_module("torch")
    func = importlib.import_module("torch.func")
    torch.set_num_threads(1)  # as every other column (benchmarks/__init__.py)

    def asarray(x: Any) -> Any:
        return torch.from_numpy(np.array(x)) if isinstance(x, np.ndarray) else torch.tensor(x)

    return Framework("torch", torch.__version__, {"torch": torch, "func": func}, asarray)


def _load_autograd() -> Framework:
    autograd = importlib.import_module("autograd")
    anp = importlib.import_module("autograd.numpy")
    try:
        from importlib.metadata import version

        ver = version("autograd")
    except Exception:  # noqa: BLE001 - the version is only informative
        ver = "?"
    return Framework("autograd", ver, {"ag": autograd, "anp": anp}, np.asarray)


def _load_numpy() -> Framework:
    return Framework("numpy", np.__version__, {"np": np}, np.asarray)


_LOADERS = {"nablax": _load_nablax, "jax": _load_jax, "torch": _load_torch, "autograd": _load_autograd, "numpy": _load_numpy}


def load(names: list[str] | tuple[str, ...]) -> tuple[dict[str, Framework], dict[str, str]]:
    """Import the named frameworks; return (loaded, {name: why it was skipped})."""
    loaded, skipped = {}, {}
    for name in names:
        if name not in _LOADERS:
            skipped[name] = "unknown framework"
            continue
        try:
            loaded[name] = _LOADERS[name]()
        except ImportError as e:
            skipped[name] = f"not installed ({e})"
    return loaded, skipped
