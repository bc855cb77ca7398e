"""Configuration flags, backed by ContextVars so a thread or a `with` block can override them.

`config.update("jax_enable_x64", True)` sets the process-wide default;
`config.enable_x64(True)` as a context manager overrides it for the current context only.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
from typing import Any, Callable, Iterator


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


class _Flag:
    """One named setting: a process-wide default plus a per-context override."""

    __slots__ = ("name", "default", "_override", "on_change", "__weakref__")

    def __init__(self, name: str, default: Any):
        self.name = name
        self.default = default
        self.on_change: Callable[[], None] | None = None  # run after every change of the value
        self._override: contextvars.ContextVar = contextvars.ContextVar(name, default=None)

    @property
    def value(self) -> Any:
        v = self._override.get()
        return self.default if v is None else v


class Config:
    """The flag registry; `nablax.config` is its single instance."""

    def __init__(self) -> None:
        self._flags: dict[str, _Flag] = {}
        self._version = 0  # bumped on every change; part of jit cache keys

    def define(self, name: str, default: Any) -> _Flag:
        flag = _Flag(name, default)
        self._flags[name] = flag
        return flag

    def update(self, name: str, value: Any) -> None:
        """Set the process-wide value of a flag, e.g. `update("jax_enable_x64", True)`."""
        flag = self._flags.get(name)
        if flag is None:
            known = ", ".join(sorted(self._flags))
            raise AttributeError(f"nablax.config.update: unknown flag {name!r}; known flags: {known}")
        flag.default = type(flag.default)(value)
        self._version += 1
        if flag.on_change is not None:
            flag.on_change()

    def read(self, name: str) -> Any:
        return self._flags[name].value

    def __getattr__(self, name: str) -> Any:
        flags = self.__dict__.get("_flags", {})
        if name in flags:
            return flags[name].value
        raise AttributeError(f"nablax.config has no flag {name!r}")

    @contextlib.contextmanager
    def override(self, name: str, value: Any) -> Iterator[None]:
        """Temporarily set a flag for the current context (thread / task) only."""
        flag = self._flags[name]
        token = flag._override.set(value)
        if flag.on_change is not None:
            flag.on_change()
        try:
            yield
        finally:
            flag._override.reset(token)
            if flag.on_change is not None:
                flag.on_change()

    def enable_x64(self, value: bool = True) -> contextlib.AbstractContextManager:
        return self.override("jax_enable_x64", bool(value))


config = Config()
x64_flag = config.define("jax_enable_x64", _env_flag("NABLAX_ENABLE_X64") or _env_flag("JAX_ENABLE_X64"))
debug_nans_flag = config.define("jax_debug_nans", _env_flag("JAX_DEBUG_NANS"))
debug_infs_flag = config.define("jax_debug_infs", _env_flag("JAX_DEBUG_INFS"))
disable_jit_flag = config.define("jax_disable_jit", False)
# Run the Jaxpr checker (ir.typecheck_jaxpr) after every jit pass; on in the test suite.
check_jaxprs_flag = config.define("nablax_check_jaxprs", _env_flag("NABLAX_CHECK_JAXPRS"))


def x64_enabled() -> bool:
    return x64_flag.value


def config_key() -> tuple:
    """The flag values that change what a traced program computes (part of jit cache keys)."""
    return (x64_flag.value,)


def disable_jit(disable: bool = True) -> contextlib.AbstractContextManager:
    """`with disable_jit():` runs jitted functions as plain Python (for debugging)."""
    return config.override("jax_disable_jit", bool(disable))


class FlagState:
    """`nablax.debug_nans` & co: `.value` reads the flag, calling it gives a `with` override."""

    def __init__(self, flag: _Flag, doc: str) -> None:
        self._flag = flag
        self.__doc__ = doc

    @property
    def value(self) -> Any:
        return self._flag.value

    def __call__(self, value: bool = True) -> contextlib.AbstractContextManager:
        return config.override(self._flag.name, bool(value))

    def __repr__(self) -> str:
        return f"<nablax flag {self._flag.name}={self.value!r}>"


debug_nans = FlagState(debug_nans_flag, "`with debug_nans():` raises FloatingPointError at the first "
                       "operation that produces a NaN.")
debug_infs = FlagState(debug_infs_flag, "`with debug_infs():` raises FloatingPointError at the first "
                       "operation that produces an inf.")
