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
