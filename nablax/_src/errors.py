"""Error classes. Each message names what happened, where, and what to do instead."""
from __future__ import annotations


class JAXTypeError(TypeError):
    """Base of the tracer errors below, as JAX's; never raised itself."""


class JAXIndexError(IndexError):
    """Base of the indexing errors nablax raises about traced indices, as JAX's."""


class InconclusiveDimensionOperation(Exception):
    """JAX raises it for symbolic (shape-polymorphic) dimensions; nablax has none, so never raises it."""


class JaxRuntimeError(RuntimeError):
    """A failure while running a computation (JAX's XlaRuntimeError); raised for `no_tracing`."""


class TypePromotionError(ValueError):
    """No implicit promotion between these dtypes under `numpy_dtype_promotion('strict')`."""


class UnexpectedTracerError(JAXTypeError):
    """A traced value was used after the transformation that created it had returned."""


class ConcretizationTypeError(JAXTypeError):
    """A traced value was used where a concrete Python value is needed (`if`, `int()`, shapes)."""


class TracerArrayConversionError(JAXTypeError):
    """A traced value was converted to a NumPy array (`np.asarray(tracer)`)."""


class TracerBoolConversionError(ConcretizationTypeError):
    """`bool()` (e.g. an `if`) applied to a traced value."""


class TracerIntegerConversionError(ConcretizationTypeError):
    """`int()` / `__index__` applied to a traced value."""


class NonConcreteBooleanIndexError(JAXIndexError):
    """A boolean mask index whose values are not known (traced): x[mask]'s shape would depend on them.

    An IndexError, as JAX's."""


class KeyReuseError(JAXTypeError):
    """A PRNG key used twice; JAX raises it under `debug_key_reuse`, which nablax accepts but does not check."""


def escaped_tracer_message(tracer) -> str:
    trace = tracer._trace
    return (
        f"A traced value escaped: {tracer.aval.str_short()} was created by "
        f"{trace.transformation_name()} and used after that transformation returned. "
        "Transformed functions must return what they compute rather than store it in "
        "globals, closures or object attributes; pass it out as a return value instead."
    )


def concretization_message(tracer, what: str) -> str:
    trace = tracer._trace
    return (
        f"{what} needs a concrete value, but got a traced value {tracer.aval.str_short()} "
        f"inside {trace.transformation_name()}. Python control flow cannot depend on "
        "values that are only known when the function runs. Use lax.cond / lax.select / "
        "jnp.where for value-dependent choices, or mark the argument static with "
        "jit(..., static_argnums=...) / static_argnames=... if it is a Python constant."
    )
