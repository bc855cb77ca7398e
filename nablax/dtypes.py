"""nablax.dtypes: dtype utilities (float0, canonicalize_dtype, promotion)."""
from nablax._src.dtypes import (  # noqa: F401
    bfloat16,
    canonicalize_dtype,
    extended,
    float0,
    issubdtype,
    prng_key,
    promote_types,
    result_type,
)
