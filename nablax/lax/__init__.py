"""nablax.lax: the primitive-level API (operands of one dtype; no implicit promotion)."""
from nablax._src.primitives.elementwise import *  # noqa: F403
from nablax._src.primitives.misc import *  # noqa: F403
from nablax._src.primitives.reductions import *  # noqa: F403
from nablax._src.primitives.shape import *  # noqa: F403
