"""nablax.experimental: as jax.experimental (io_callback; the jet module; more with later issues)."""
from nablax._src.engine_api import io_callback
from nablax.experimental import jet  # the module, as `import jax.experimental.jet`
from nablax.experimental.sparse_ad import hessian_sparsity, jacobian_sparsity, sparse_hessian, sparse_jacobian

__all__ = ["io_callback", "jet", "sparse_jacobian", "sparse_hessian", "jacobian_sparsity", "hessian_sparsity"]
