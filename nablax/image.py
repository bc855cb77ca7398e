"""nablax.image: image resizing as jax.image (see __all__)."""
from nablax._src.image import *  # noqa: F403
from nablax._src.image import __all__  # noqa: F401
