"""nablax: JAX's programming model (grad, jvp, vjp, vmap, jit, ...) in pure Python on NumPy.

    import nablax as jax
    import nablax.numpy as jnp
"""
from nablax import (  # noqa: F401
    ad_checkpoint,
    custom_derivatives,
    debug,
    distributed,
    dtypes,
    errors,
    experimental,
    flatten_util,
    image,
    lax,
    nn,
    numpy,
    ops,
    random,
    scipy,
    sharding,
    stages,
    tree,
    tree_util,
    typing,
)
from nablax._src import numpy as _numpy_layer  # noqa: F401  (installs Array operators)
from nablax._src.api import (  # noqa: F401
    ShapeDtypeStruct,
    grad,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linear_transpose,
    linearize,
    make_jaxpr,
    value_and_grad,
    vjp,
    vmap,
)
from nablax._src.array import Array  # noqa: F401
from nablax._src.config import config, debug_infs, debug_nans, disable_jit  # noqa: F401
from nablax._src.custom_derivatives import checkpoint, custom_jvp, custom_vjp, remat  # noqa: F401
from nablax._src.jit.jitted import eval_shape, jit  # noqa: F401

# isort: split
from nablax._src.engine_api import *  # noqa: F403,E402
from nablax._src.fwd_and_bwd import *  # noqa: F403,E402
from nablax._src.pmap import *  # noqa: F403,E402
from nablax._src.refs import *  # noqa: F403,E402
from nablax._src.runtime_api import *  # noqa: F403,E402
from nablax._src.shard_map import *  # noqa: F403,E402

__version__ = "0.1.0"

from nablax._src.malloc_tuning import tune_malloc as _tune_malloc  # noqa: E402

_tune_malloc()  # NumPy's mid-sized buffers stay pooled (nablax/_src/malloc_tuning.py)
del _tune_malloc
