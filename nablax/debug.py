"""nablax.debug: as jax.debug (print, log, callback, breakpoint, sharding inspection)."""
from nablax._src.debugging import (  # noqa: A004
    DebugEffect,
    OrderedDebugEffect,
    breakpoint,
    callback,
    inspect_array_sharding,
    log,
    print,
    visualize_array_sharding,
    visualize_sharding,
)

__all__ = ["DebugEffect", "OrderedDebugEffect", "breakpoint", "callback", "inspect_array_sharding", "log", "print",
           "visualize_array_sharding", "visualize_sharding"]
