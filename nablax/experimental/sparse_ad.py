"""nablax.experimental.sparse_ad: sparse Jacobians and Hessians by sparsity detection and
colouring (JAX has no such functions; see nablax/_src/sparse_ad.py for the conventions)."""
from nablax._src.sparse_ad import hessian_sparsity, jacobian_sparsity, sparse_hessian, sparse_jacobian

__all__ = ["sparse_jacobian", "sparse_hessian", "jacobian_sparsity", "hessian_sparsity"]
