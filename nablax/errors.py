"""nablax.errors: the exceptions nablax raises for tracing and transformation mistakes."""
from nablax._src.errors import (  # noqa: F401
    ConcretizationTypeError,
    NonConcreteBooleanIndexError,
    TracerArrayConversionError,
    TracerBoolConversionError,
    TracerIntegerConversionError,
    UnexpectedTracerError,
)
