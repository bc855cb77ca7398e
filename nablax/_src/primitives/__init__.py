"""All primitive families. Importing this package registers every primitive."""
from . import elementwise, misc, reductions, shape  # noqa: F401
from ._define import PRIMITIVES  # noqa: F401
