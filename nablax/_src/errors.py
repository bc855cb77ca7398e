"""Error classes. Each message names what happened, where, and what to do instead."""
from __future__ import annotations


class NablaxTypeError(TypeError):
    """Base of the tracer errors below (JAX's JAXTypeError); never raised itself."""


class UnexpectedTracerError(NablaxTypeError):
    """A traced value was used after the transformation that created it had returned."""


class ConcretizationTypeError(NablaxTypeError):
    """A traced value was used where a concrete Python value is needed (`if`, `int()`, shapes)."""


class TracerArrayConversionError(NablaxTypeError):
    """A traced value was converted to a NumPy array (`np.asarray(tracer)`)."""


class TracerBoolConversionError(ConcretizationTypeError):
    """`bool()` (e.g. an `if`) applied to a traced value."""


class TracerIntegerConversionError(ConcretizationTypeError):
    """`int()` / `__index__` applied to a traced value."""


class NonConcreteBooleanIndexError(IndexError):
    """A boolean mask index whose values are not known (traced): x[mask]'s shape would depend on them.

    An IndexError, as JAX's."""


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
