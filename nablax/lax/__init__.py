"""nablax.lax: the primitive-level API (no implicit promotion)."""
from nablax._src.primitives.elementwise import (  # noqa: F401
    add,
    cos,
    div,
    eq,
    exp,
    ge,
    gt,
    integer_pow,
    le,
    log,
    lt,
    max,
    min,
    mul,
    ne,
    neg,
    select,
    select_n,
    sin,
    sub,
    tanh,
)
from nablax._src.primitives.misc import convert_element_type, stop_gradient  # noqa: F401
from nablax._src.primitives.reductions import reduce_sum  # noqa: F401
from nablax._src.primitives.shape import broadcast_in_dim, reshape, transpose  # noqa: F401
