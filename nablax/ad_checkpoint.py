"""nablax.ad_checkpoint: as jax.ad_checkpoint (checkpoint_name, the policies, print_saved_residuals)."""
from nablax._src.remat_policies import (
    Offloadable,
    Recompute,
    Saveable,
    checkpoint_name,
    checkpoint_policies,
    print_saved_residuals,
)

__all__ = ["Offloadable", "Recompute", "Saveable", "checkpoint_name", "checkpoint_policies", "print_saved_residuals"]

_REMOVED = {"checkpoint": "jax.checkpoint", "remat": "jax.remat"}


def __getattr__(name: str):
    if name in _REMOVED:  # as JAX 0.10 says it
        raise AttributeError(f"jax.ad_checkpoint.{name} was deprecated in JAX v0.8.2 and removed in JAX v0.10.0; "
                             f"use {_REMOVED[name]} instead.")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
