"""nablax.stages: as jax.stages — the ahead-of-time stages of a jitted function.

`jit(f).trace(*args)` gives a Traced (its Jaxpr and output types), `.lower()` a Lowered (the
generated NumPy source, `.as_text()`), `.compile()` a Compiled (callable with arguments of
the types it was made for).
"""
from __future__ import annotations

from typing import Any, Protocol, Union, runtime_checkable

from nablax._src.jit.jitted import ArgInfo, Compiled, Lowered, Traced

__all__ = ["ArgInfo", "Compiled", "CompilerOptions", "Lowered", "Traced", "Wrapped"]

# Options for `Lowered.compile(compiler_options=...)` (nablax's compiler takes none).
CompilerOptions = dict[str, Union[str, bool]]


@runtime_checkable
class Wrapped(Protocol):
    """A function wrapped by `jit`: callable, and traceable ahead of time."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    def trace(self, *args: Any, **kwargs: Any) -> Traced: ...

    def lower(self, *args: Any, **kwargs: Any) -> Lowered: ...
