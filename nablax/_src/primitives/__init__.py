"""All primitive families. Importing this package registers every primitive."""
from . import (  # noqa: F401
    collectives,
    elementwise,
    indexing,
    linalg,
    misc,
    reductions,
    shape,
    sorting,
    special,
)
from ._define import PRIMITIVES  # noqa: F401
