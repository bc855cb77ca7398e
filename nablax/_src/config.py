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


_UNSET = object()  # "no override in this context" (None is a value some flags take)


class _Flag:
    """One named setting: a process-wide default plus a per-context override.

    `convert` validates and normalizes every new value (a bad one raises ValueError or
    TypeError naming the flag); by default it is the type of the default value."""

    __slots__ = ("name", "default", "_override", "on_change", "convert", "__weakref__")

    def __init__(self, name: str, default: Any, convert: Callable[[Any], Any] | None = None):
        self.name = name
        self.default = default
        self.convert = convert if convert is not None else type(default)
        self.on_change: Callable[[], None] | None = None  # run after every change of the value
        self._override: contextvars.ContextVar = contextvars.ContextVar(name, default=_UNSET)

    def _value(self, _unset: Any = _UNSET) -> Any:  # (a default argument: a local, read on every op)
        v = self._override.get()
        return self.default if v is _unset else v

    value = property(_value)


class Config:
    """The flag registry; `nablax.config` is its single instance."""

    def __init__(self) -> None:
        self._flags: dict[str, _Flag] = {}
        self._version = 0  # bumped on every change; part of jit cache keys

    def define(self, name: str, default: Any, convert: Callable[[Any], Any] | None = None) -> _Flag:
        flag = _Flag(name, default, convert)
        self._flags[name] = flag
        return flag

    def update(self, name: str, value: Any) -> None:
        """Set the process-wide value of a flag, e.g. `update("jax_enable_x64", True)`."""
        flag = self._flags.get(name)
        if flag is None:
            known = ", ".join(sorted(self._flags))
            raise AttributeError(f"nablax.config.update: unknown flag {name!r}; known flags: {known}")
        flag.default = flag.convert(value)
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

    def override(self, name: str, value: Any) -> contextlib.AbstractContextManager:
        """Temporarily set a flag for the current context (thread / task) only; a bad value
        raises here, before the `with` block."""
        flag = self._flags[name]
        return _overridden(flag, flag.convert(value))

    def enable_x64(self, value: bool = True) -> contextlib.AbstractContextManager:
        return self.override("jax_enable_x64", bool(value))


@contextlib.contextmanager
def _overridden(flag: _Flag, value: Any) -> Iterator[None]:
    token = flag._override.set(value)
    if flag.on_change is not None:
        flag.on_change()
    try:
        yield
    finally:
        flag._override.reset(token)
        if flag.on_change is not None:
            flag.on_change()


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
    return (x64_flag.value, dtype_promotion_flag.value)


def disable_jit(disable: bool = True) -> contextlib.AbstractContextManager:
    """`with disable_jit():` runs jitted functions as plain Python (for debugging)."""
    return config.override("jax_disable_jit", bool(disable))


class FlagState:
    """`nablax.debug_nans`, `nablax.enable_x64` & co (JAX's `State`): `.value` reads the flag,
    calling it gives a `with` override for the current context."""

    def __init__(self, flag: _Flag, doc: str) -> None:
        self._flag = flag
        self.__doc__ = doc

    @property
    def value(self) -> Any:
        return self._flag.value

    def __call__(self, new_val: Any = _UNSET) -> contextlib.AbstractContextManager:
        if new_val is _UNSET:
            if not isinstance(self._flag.default, bool):
                raise TypeError(f"{self._flag.name}(...) needs the value to set, e.g. {self._flag.default!r}")
            new_val = True
        return config.override(self._flag.name, new_val)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __repr__(self) -> str:
        return f"<nablax flag {self._flag.name}={self.value!r}>"


debug_nans = FlagState(debug_nans_flag, "`with debug_nans():` raises FloatingPointError at the first "
                       "operation that produces a NaN.")
debug_infs = FlagState(debug_infs_flag, "`with debug_infs():` raises FloatingPointError at the first "
                       "operation that produces an inf.")


# ------------------------------------------------------ JAX's other top-level flags
def enum_flag(choices: tuple, optional: bool = False) -> Callable[[Any], Any]:
    """A converter accepting one of `choices` (or None when `optional`), as JAX's enum states."""
    def convert(value: Any) -> Any:
        if value is None and optional:
            return None
        if value not in choices:
            raise ValueError(f"new enum value must be in {list(choices)}, got {value!r} of type {type(value)}.")
        return value
    return convert


def _optional_str(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"expected a string or None, got {value!r} of type {type(value).__name__}")
    return value


_GUARDS = ("allow", "log", "disallow", "log_explicit", "disallow_explicit")
x64_state = FlagState(x64_flag, "`with enable_x64(True):` 64-bit default dtypes in this context.")
rank_promotion_flag = config.define("jax_numpy_rank_promotion", "allow", enum_flag(("allow", "warn", "raise")))
dtype_promotion_flag = config.define("jax_numpy_dtype_promotion", "standard", enum_flag(("standard", "strict")))
log_compiles_flag = config.define("jax_log_compiles", False)
explain_cache_misses_flag = config.define("jax_explain_cache_misses", False)
no_tracing_flag = config.define("jax_no_tracing", False)
# Flags accepted for compatibility whose feature nablax lacks (see the runtime notes).
_INERT = {
    "jax_default_matmul_precision": (None, _optional_str),
    "jax_check_tracer_leaks": (False, None),
    "jax_debug_key_reuse": (False, None),
    "jax_enable_custom_prng": (False, None),
    "jax_default_prng_impl": ("threefry2x32", enum_flag(("threefry2x32", "rbg", "unsafe_rbg"))),
    "jax_threefry_partitionable": (True, None),
    "jax_legacy_prng_key": ("allow", enum_flag(("allow", "warn", "error"))),
    "jax_softmax_custom_jvp": (False, None),
    "jax_allow_f16_reductions": (True, None),
    "jax_transfer_guard_host_to_device": (None, enum_flag(_GUARDS, optional=True)),
    "jax_transfer_guard_device_to_device": (None, enum_flag(_GUARDS, optional=True)),
    "jax_transfer_guard_device_to_host": (None, enum_flag(_GUARDS, optional=True)),
    "jax_no_execution": (False, None),
    "jax_array_garbage_collection_guard": (None, enum_flag(("allow", "log", "fatal"), optional=True)),
    "jax2tf_associative_scan_reductions": (False, None),
    "jax_thread_guard": (False, None),
}
for _name, (_default, _convert) in _INERT.items():
    config.define(_name, _default, _convert)
# JAX's switch for its internal consistency checks is, here, the Jaxpr checker's flag.
config._flags["jax_enable_checks"] = check_jaxprs_flag


def state(name: str) -> FlagState:
    """The `with`-usable handle of flag `name` (`nablax.numpy_rank_promotion` & co)."""
    flag = config._flags[name]
    return FlagState(flag, f"`with {name.removeprefix('jax_')}(value):` sets the flag {name} in this context.")
