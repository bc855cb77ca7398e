"""nablax.lax: the primitive-level API (operands of one dtype; no implicit promotion)."""
from nablax._src.control_flow import *  # noqa: F403
from nablax._src.primitives.bitwise import *  # noqa: F403
from nablax._src.primitives.collectives import *  # noqa: F403
from nablax._src.primitives.conv import *  # noqa: F403
from nablax._src.primitives.dynamic_slice import *  # noqa: F403
from nablax._src.primitives.elementwise import *  # noqa: F403
from nablax._src.primitives.fft import *  # noqa: F403
from nablax._src.primitives.indexing import *  # noqa: F403
from nablax._src.primitives.linalg import *  # noqa: F403
from nablax._src.primitives.misc import *  # noqa: F403
from nablax._src.primitives.random_bits import *  # noqa: F403
from nablax._src.primitives.reductions import *  # noqa: F403
from nablax._src.primitives.selection import *  # noqa: F403
from nablax._src.primitives.shape import *  # noqa: F403
from nablax._src.primitives.sorting import *  # noqa: F403
from nablax._src.primitives.special import *  # noqa: F403
from nablax._src.primitives.special_more import *  # noqa: F403
from nablax._src.primitives.window_util import *  # noqa: F403
from nablax._src.primitives.windows import *  # noqa: F403

# isort: split
# Last, so that they replace the internal functions of the same names: the public lax
# functions that check JAX's shape and dtype rules (the internal ones broadcast).
from nablax._src.lax_api import *  # noqa: F403

# isort: split
from nablax._src.lax_conv_local import *  # noqa: F403,E402  (conv_general_dilated_local)
from nablax._src.lax_windows import *  # noqa: F403,E402  (reduce, reduce_window with any monoid)

# isort: split
from nablax._src.lax_extras import *  # noqa: F403,E402  (structural helpers, dataclasses, the *_p names)

# isort: split
from nablax.lax import linalg  # noqa: E402,F401  (the lax.linalg submodule)
