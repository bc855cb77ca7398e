"""Primitives, bind, traces and tracers: the one mechanism every transformation uses.

`Primitive.bind` looks up the current trace (a ContextVar). With no transformation
active (`None`, the eval trace) it calls the primitive's eager NumPy implementation
at once: the fast path. Otherwise it hands the operation to the trace, whose rule
runs under the trace's parent, so transformations nest. Tracers are recognised by
trace identity; a trace is invalidated when its transformation returns, so a leaked
tracer is caught at its next use.
"""
from __future__ import annotations

import contextlib
import contextvars
import gc
import operator
from typing import Callable, Iterator, Sequence, TypeVar

from . import errors
from .array import Array, ArrayMethods, get_aval, to_concrete_array
from .avals import ShapedArray

_trace_var: contextvars.ContextVar = contextvars.ContextVar("nablax_current_trace", default=None)
current_trace = _trace_var.get

_T = TypeVar("_T")


class Primitive:
    """A named operation carrying all of its rules (see primitives/_define.py)."""

    __slots__ = (
        "name", "impl", "abstract_eval", "jvp", "transpose", "batch", "emit", "eager",
        "multiple_results", "linearize", "differentiable", "fold", "elementwise", "higher_order",
        "ufunc", "monoid", "costly", "commutative", "python_literal_ok", "fresh_result", "simplify", "rewrite", "inline",
        "emit_block", "axis_batch", "sparsity", "jet",
        "__weakref__",
    )

    def __init__(self, name: str):
        self.name = name
        self.linearize = None
        self.transpose = None
        self.emit = None
        self.multiple_results = False
        self.differentiable = True
        self.fold = True
        self.elementwise = False  # NumPy-broadcasting and shape-preserving: jit may apply it to scalars
        self.higher_order = False  # params hold functions/Jaxprs that bind at the current trace
        # Compiler and vmap facts (see primitives/_define.py); undefined means off.
        self.ufunc = None
        self.monoid = None
        self.costly = False
        self.commutative = False
        self.python_literal_ok = False
        self.fresh_result = False
        self.simplify = None
        self.rewrite = None
        self.inline = None
        self.emit_block = None
        self.axis_batch = None
        self.sparsity = None
        self.jet = None  # the Taylor-mode rule (nablax.experimental.jet)

    def bind(self, *args, **params):
        # The hot path (every eager operation): reads the ContextVar directly, no helper call.
        trace = _trace_var.get()
        if trace is None:
            return self.eager(*args, **params)
        return trace.process_primitive(self, args, params)

    def __repr__(self) -> str:
        return self.name


_value_of = operator.attrgetter("_value")


def eager_args(args: tuple) -> tuple[list, list]:
    """Arrays and their raw NumPy values for an eager call; converts Python scalars."""
    try:
        return list(args), list(map(_value_of, args))  # (no comprehension frame: every eager op)
    except AttributeError:
        arrays = [to_concrete_array(a) for a in args]
        return arrays, [a._value for a in arrays]


class Trace:
    """A transformation in progress. Subclasses implement `process_primitive`."""

    __slots__ = ("parent", "_valid", "__weakref__")
    name = "a transformation"

    def __init__(self, parent: "Trace | None"):
        self.parent = parent
        self._valid = True

    def process_primitive(self, prim: Primitive, args: tuple, params: dict):
        raise NotImplementedError(f"{type(self).__name__} does not process primitives")

    def invalidate(self) -> None:
        self._valid = False

    def transformation_name(self) -> str:
        return self.name

    def check_foreign(self, x) -> None:
        """A tracer of another trace is a constant here, provided that trace is still live."""
        if isinstance(x, Tracer) and not x._trace._valid:
            raise errors.UnexpectedTracerError(errors.escaped_tracer_message(x))

    def bind_on_parent(self, prim: Primitive, args: Sequence, params: dict):
        """`prim` on values this trace does not own: computed by the parent trace (at once,
        when the parent is the eval trace)."""
        parent = self.parent
        if parent is None:
            if not prim.higher_order:
                return prim.eager(*args, **params)
            token = _trace_var.set(None)
            try:
                return prim.bind(*args, **params)
            finally:
                _trace_var.reset(token)
        # Once per primitive under a transformation: the switch is inlined (see call_under),
        # and the parent is called directly (what `prim.bind` would look up and do).
        token = _trace_var.set(parent)
        try:
            return parent.process_primitive(prim, args, params)
        finally:
            _trace_var.reset(token)


def split_own(trace: Trace, tracer_type: type, values: Sequence) -> tuple[list, list, bool]:
    """Split values into the two parts of `trace`'s own tracers (`tracer_type._parts` reads
    them, e.g. primal and tangent); any other value is its own first part, with None as its
    second. Returns (first parts, second parts, whether any value was an own tracer)."""
    parts = tracer_type._parts
    firsts, seconds = [], []
    own = False
    for x in values:
        if type(x) is tracer_type and x._trace is trace:
            first, second = parts(x)
            firsts.append(first)
            seconds.append(second)
            own = True
        else:
            if isinstance(x, Tracer) and not x._trace._valid:  # (Trace.check_foreign, inlined: once per operand)
                trace.check_foreign(x)
            firsts.append(x)
            seconds.append(None)
    return firsts, seconds, own


def call_under(trace: "Trace | None", fn: Callable[..., _T], *args, **kwargs) -> _T:
    """fn(*args, **kwargs) with `trace` as the current trace (None: the eval trace).

    The one trace switch for cold paths. The per-primitive paths (Primitive.bind,
    Trace.process_primitive, the jit call fast path) switch inline instead: a helper call
    there would cost a Python frame per operation."""
    token = _trace_var.set(trace)
    try:
        return fn(*args, **kwargs)
    finally:
        _trace_var.reset(token)


def run_new_trace(trace: Trace, fn: Callable, args: Sequence, collect: Callable[[Sequence], _T]) -> _T:
    """How every interpreter runs a function: fn(*args) with the new `trace` current, then
    collect(outputs) while it still is (collect unboxes the outputs, or builds a Jaxpr).
    The trace is invalidated afterwards, so a tracer that escapes it is caught at its next use."""
    token = _trace_var.set(trace)
    try:
        return collect(fn(*args))
    finally:
        _trace_var.reset(token)
        trace.invalidate()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (staging and compiling a program).

    Tracing builds one large, long-lived graph of Vars, Eqns and tracers; with the collector
    on, its generational passes re-traverse that graph over and over, which made compile time
    grow faster than the program (jit(grad) of an elementwise chain: 142 us per operation at
    1,000 operations, 394 us at 20,000; flat with the collector off). Nothing staged is
    garbage until the program is built, so there is nothing to collect meanwhile. Nested uses
    and a collector the caller turned off are left alone; the switch is process-wide, so a
    thread staging meanwhile may find it back on (costing only time)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Tracer(ArrayMethods):
    """A value inside a transformation; shares every operator and method with Array."""

    __slots__ = ("_trace",)
    __array_priority__ = 1000
    __hash__ = None  # type: ignore[assignment]

    aval: ShapedArray

    @property
    def shape(self) -> tuple:
        return self.aval.shape

    @property
    def dtype(self):
        return self.aval.dtype

    @property
    def ndim(self) -> int:
        return len(self.aval.shape)

    @property
    def size(self) -> int:
        return self.aval.size

    @property
    def weak_type(self) -> bool:
        return self.aval.weak_type

    @property
    def _weak(self) -> bool:
        return self.aval.weak_type

    @property
    def _value(self):
        """Reached only when a tracer is handed to the eager path: it escaped its trace."""
        raise errors.UnexpectedTracerError(errors.escaped_tracer_message(self))

    def _concrete(self, what: str):
        if not self._trace._valid:
            raise errors.UnexpectedTracerError(errors.escaped_tracer_message(self))
        return self.to_concrete(what)

    def to_concrete(self, what: str):
        """The concrete NumPy value behind this tracer, or a ConcretizationTypeError."""
        raise errors.ConcretizationTypeError(errors.concretization_message(self, what))

    # bool() and int()/__index__ raise the specific subclasses JAX raises.
    def __bool__(self) -> bool:
        return _converting(self, ArrayMethods.__bool__, errors.TracerBoolConversionError)

    def __int__(self) -> int:
        return _converting(self, ArrayMethods.__int__, errors.TracerIntegerConversionError)

    def __index__(self) -> int:
        return _converting(self, ArrayMethods.__index__, errors.TracerIntegerConversionError)

    def __array__(self, dtype=None, copy=None):
        raise errors.TracerArrayConversionError(
            f"Cannot convert the traced value {self.aval.str_short()} inside "
            f"{self._trace.transformation_name()} to a NumPy array: NumPy functions cannot "
            "see through transformations. Use nablax.numpy (import nablax.numpy as jnp) "
            "instead of numpy for operations on traced values."
        )

    def _short_repr(self) -> str:
        """The printed form (JAX's): each tracer kind overrides it to show its contents."""
        return f"{type(self).__name__}<{self.aval}>"

    def __repr__(self) -> str:
        return self._short_repr()

    __str__ = __repr__


def short_repr(x) -> str:
    """How a tracer shows a value it holds: nested tracers by their short form, values by str."""
    return x._short_repr() if isinstance(x, Tracer) else str(x)


def _converting(tracer: Tracer, convert: Callable, error: type):
    try:
        return convert(tracer)
    except errors.ConcretizationTypeError as e:
        if type(e) is not errors.ConcretizationTypeError:
            raise
        raise error(str(e)) from None


def lift_aval(x) -> ShapedArray:
    """Aval of any value bind accepts: Array, tracer, Python scalar or NumPy array."""
    if type(x) is Array:  # the most common case first, without get_aval's call
        return x.aval
    if isinstance(x, Tracer):
        return x.aval
    return get_aval(x)

