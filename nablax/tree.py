"""nablax.tree: short names for the pytree utilities (`jax.tree.map`, `jax.tree.leaves`, ...)."""
from nablax._src.tree import (
    static,
)
from nablax._src.tree import (  # noqa: F401
    tree_all as all,  # noqa: A004
)
from nablax._src.tree import (
    tree_broadcast as broadcast,
)
from nablax._src.tree import (
    tree_flatten as flatten,
)
from nablax._src.tree import (
    tree_flatten_with_path as flatten_with_path,
)
from nablax._src.tree import (
    tree_leaves as leaves,
)
from nablax._src.tree import (
    tree_leaves_with_path as leaves_with_path,
)
from nablax._src.tree import (
    tree_map as map,  # noqa: A004
)
from nablax._src.tree import (
    tree_map_with_path as map_with_path,
)
from nablax._src.tree import (
    tree_reduce as reduce,
)
from nablax._src.tree import (
    tree_reduce_associative as reduce_associative,
)
from nablax._src.tree import (
    tree_structure as structure,
)
from nablax._src.tree import (
    tree_transpose as transpose,
)
from nablax._src.tree import (
    tree_unflatten as unflatten,
)

__all__ = ["all", "broadcast", "flatten", "flatten_with_path", "leaves", "leaves_with_path", "map", "map_with_path",
           "reduce", "reduce_associative", "static", "structure", "transpose", "unflatten"]
