"""Mutable array references (JAX's array refs), discharged at trace time: no primitives.

A `Ref` is a Python box holding its current value. `ref[idx]` indexes that value;
`ref[idx] = v` replaces it (`value.at[idx].set(v)`, or `v` itself for `ref[...]`). Inside a
transformation the value is a tracer of that transformation, so the state is threaded
through the trace by construction: grad, vmap and jit of a function that creates its own
refs see only ordinary pure operations, and gradients flow through writes and reads.

What needs care is a ref that outlives a transformation (created before it started):

* jit lifts it. A `RefScope` belongs to one jit trace; the first time the traced function
  touches an outer ref (passed as an argument, or closed over), the scope gives it a new
  input of the trace holding its value at the caller's level. The ref's final value is an
  extra output, written back after the call (`trace_stateful`, `current_values`,
  `write_back`). The compiled program stays a pure function.
* Any other transformation leaves it where it is. Reading it is reading a constant;
  writing into it a value of the newer transformation is JAX's error (a differentiated
  value into a non-differentiated ref under grad, a batched value into an unbatched ref
  under vmap).
* A staged loop or branch (scan, fori_loop, while_loop, cond, switch) carries the outer
  refs its bodies write (`carry_refs`): their values join the carry or the operands.
  Other staged functions (make_jaxpr, custom_jvp bodies, ...) raise NotImplementedError.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Callable, Sequence

import numpy as np

from .. import ops
from ..array import Array, to_concrete_array, wrap
from ..avals import ShapedArray
from ..core import Trace, Tracer, current_trace, lift_aval, run_new_trace

__all__: list = []

# The ref scopes (jit, loop and branch bodies, vmap) now running, outermost first.
_scopes: ContextVar[tuple] = ContextVar("nablax_ref_scopes", default=())


class RefScope:
    """The refs one trace threads, in lifting order: id(ref) -> [ref, its current value inside
    the trace, the trace's input holding its value at entry].

    A jit scope (`lazy`) lifts any outer ref on first use, to a new input of its trace.
    A loop scope holds only the refs its loop carries; `loop` identifies the attempt at
    tracing the loop, so that a write into another outer ref restarts it (`carry_refs`).
    A vmap scope holds the mapped Ref arguments; other refs pass through it."""

    __slots__ = ("trace", "lifted", "loop", "lazy")

    def __init__(self, trace: Trace, loop: object = None, lazy: bool = False):
        self.trace = trace
        self.lifted: dict = {}
        self.loop = loop
        self.lazy = lazy

    def lift(self, ref: "Ref", value) -> None:
        self.lifted[id(ref)] = [ref, value, value]


class _Discovered(Exception):
    """A loop or branch body wrote into an outer ref it does not carry: it must carry that ref."""

    def __init__(self, loop: object, ref: "Ref"):
        super().__init__("a Ref the loop must carry (caught by carry_refs; never seen by users)")
        self.loop = loop
        self.ref = ref


class Ref:
    """A mutable array reference (jax.Ref): `ref[...]` reads, `ref[...] = v` writes,
    `ref[idx]` / `ref[idx] = v` with NumPy indexing, `ref[...] += v`."""

    __slots__ = ("_value", "_aval", "_owner", "_depth", "_freed", "_written", "__weakref__")

    def __init__(self, value, aval: ShapedArray):
        self._value = value
        self._aval = aval
        self._owner = current_trace()  # the transformation it was created in (None: eager)
        self._depth = len(_scopes.get())  # scopes from this index on are newer than the ref
        self._freed = False
        self._written = False  # printing only: as JAX, a written buffer no longer shows a weak type

    @property
    def shape(self) -> tuple:
        """The shape here: under vmap of a mapped Ref, one example's."""
        for scope in reversed(_scopes.get()[self._depth:]):
            cell = scope.lifted.get(id(self))
            if cell is not None:
                return lift_aval(cell[1]).shape
        return self._aval.shape

    dtype = property(lambda self: self._aval.dtype)
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape)))
    weak_type = property(lambda self: self._aval.weak_type)

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of unsized object")
        return shape[0]

    def __getitem__(self, idx):
        value = read(self)
        if _whole(idx):
            return value
        _check_bounds(lift_aval(value).shape, idx)
        return value[idx]

    def __setitem__(self, idx, v) -> None:
        current = read(self)
        shape = lift_aval(current).shape
        v = _as_value(v)
        aval = lift_aval(v)
        whole = _whole(idx)
        if not whole:
            _check_bounds(shape, idx)
        expected = shape if whole else lift_aval(current[idx]).shape
        if aval.dtype != self._aval.dtype:
            raise ValueError(f"Invalid dtype for `swap`. Ref dtype: {self._aval.dtype}. Value dtype: {aval.dtype}. "
                             "Writing into a Ref needs a value of the ref's dtype: convert it with .astype().")
        if aval.shape != expected:
            raise ValueError(f"Invalid shape for `swap`. Ref shape: {shape}. Expected shape: {expected}. "
                             f"Value shape: {aval.shape}. Index: {idx!r}. A Ref write does not broadcast: give "
                             "a value of exactly the indexed shape.")
        if aval.weak_type != self._aval.weak_type:
            v = ops.convert_element_type(v, self._aval.dtype, weak_type=self._aval.weak_type)
        store(self, v if whole else current.at[idx].set(v))

    def addupdate(self, x, idx=None) -> None:
        """`ref[idx] += x` (the whole ref when idx is None), as jax.Ref.addupdate."""
        idx = Ellipsis if idx is None else idx
        self[idx] = self[idx] + x

    def __repr__(self) -> str:
        value = self._value
        if type(value) is Array:
            if self._written and value._weak:
                value = wrap(value._value, False)
            return "Ref" + repr(value)[len("Array"):]
        text, aval = value._short_repr(), str(value.aval)
        return text.replace(aval, _ref_type(value.aval), 1) if aval in text else _ref_type(value.aval)

    __str__ = __repr__


def _whole(idx) -> bool:
    """`ref[...]` / `ref[()]`: the whole value."""
    return idx is Ellipsis or (type(idx) is tuple and (not idx or (len(idx) == 1 and idx[0] is Ellipsis)))


def _as_value(x):
    """An operand a ref accepts: Array, tracer, NumPy array or Python scalar."""
    if isinstance(x, (Array, Tracer)):
        return x
    if isinstance(x, Ref):
        raise TypeError("A Ref holds an array, not another Ref: read it first (ref[...]).")
    if isinstance(x, (bool, int, float, complex, np.ndarray, np.generic)):
        return to_concrete_array(x)
    raise TypeError(f"Argument {x!r} of type {type(x)} is not a valid JAX type: a Ref holds arrays "
                    "(convert lists with jnp.asarray).")


def _check_bounds(shape: tuple, idx) -> None:
    """A Python int index out of range is an error for a Ref (JAX's), not clamped as for arrays."""
    items = idx if isinstance(idx, tuple) else (idx,)
    if any(i is Ellipsis for i in items):
        return  # positions after an Ellipsis count from the end: leave them to the indexing
    dim = 0
    for i in items:
        if i is None:
            continue
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool) and dim < len(shape):
            if not -shape[dim] <= i < shape[dim]:
                raise ValueError(f"Out of bound indexer: idx={i}, dim={shape[dim]}.")
        dim += 1


def new_ref(init_val: Any, *, memory_space: Any = None, kind: str | None = None) -> Ref:
    """A mutable array reference holding `init_val` (memory_space and kind are accepted
    and ignored: NumPy has one memory and no rematerialization)."""
    if isinstance(init_val, Ref):
        raise TypeError("new_ref: the initial value is already a Ref; pass its value (ref[...]) to copy it.")
    if not isinstance(init_val, (Array, Tracer, bool, int, float, complex, np.ndarray, np.generic)):
        raise TypeError(f"Error interpreting argument to new_ref as a JAX value. The problematic value is of type "
                        f"{type(init_val)} and was passed to new_ref at position 0.")
    value = _as_value(init_val)
    return Ref(value, lift_aval(value))


def read(ref: Ref):
    """The ref's value for code running now (lifted into the jit traces newer than it)."""
    if ref._freed:
        raise ValueError(f"`get` must be called on `Ref` types: the {_ref_type(ref._aval)} was freed (free_ref) "
                         "and can no longer be read or written.")
    scope = _scope_of(ref)
    return ref._value if scope is None else scope.lifted[id(ref)][1]


def store(ref: Ref, value) -> None:
    """Replace the ref's value for code running now (after JAX's check on where `value` comes from)."""
    scope = _scope_of(ref, writing=True)
    _check_level(ref, value, ref._owner if scope is None else scope.trace)
    if scope is None:
        ref._value = value
        ref._written = True
    else:
        scope.lifted[id(ref)][1] = value


def _scope_of(ref: Ref, writing: bool = False) -> RefScope | None:
    """The innermost running scope newer than `ref` that holds it (each jit scope between
    lifts it on first use), or None when no newer scope does. A write inside a loop scope
    that does not carry the ref restarts that loop's tracing with the ref carried."""
    holder, value, key, loop = None, ref._value, id(ref), None
    for scope in _scopes.get()[ref._depth:]:  # outermost first
        cell = scope.lifted.get(key)
        if cell is not None:
            holder, value, loop = scope, cell[1], None
        elif scope.lazy:
            value = scope.trace.new_arg(lift_aval(value).update(weak_type=ref._aval.weak_type))
            scope.lift(ref, value)
            holder, loop = scope, None
        elif scope.loop is not None:
            loop = scope
    if writing and loop is not None:
        raise _Discovered(loop.loop, ref)
    return holder


def _check_level(ref: Ref, value, level: Trace | None) -> None:
    """A value of a transformation newer than the ref's level cannot be written into it."""
    if not isinstance(value, Tracer):
        return
    t = value._trace
    cur = current_trace()
    while cur is not None and cur is not level:
        if cur is t:
            raise _newer_value_error(ref, t)
        cur = cur.parent


def _ref_type(aval: ShapedArray) -> str:
    """How JAX names a ref's type in messages: Ref{float32[2,3]}."""
    return f"Ref{{{aval.dtype.name}[{','.join(map(str, aval.shape))}]}}"


def _newer_value_error(ref: Ref, trace: Trace) -> Exception:
    ty = _ref_type(ref._aval)
    if trace.name in ("jvp", "grad"):
        return Exception(f"performing a set/swap operation with a differentiated value on a non-differentiated "
                         f"array reference of type {ty}. Move the array reference to be an argument of the "
                         "differentiated function?")
    if trace.name == "vmap":
        return Exception(f"performing a set/swap operation with vmapped value on an unbatched array reference of "
                         f"type {ty}. Move the array reference to be an argument to the vmapped function?")
    return NotImplementedError(
        f"nablax: writing into a Ref ({ty}) created outside {trace.transformation_name()} a value computed "
        "inside it is not supported: jit, lax.scan, lax.fori_loop, lax.while_loop, lax.cond and lax.switch "
        "thread a Ref through, other staged functions (make_jaxpr, custom_jvp/vjp, checkpoint, "
        "custom_linear_solve) do not. Create the Ref inside the function, or return the value and write it outside.")


def freeze(ref: Ref):
    """The ref's current value, as an Array (JAX: and the ref is no longer to be used)."""
    if not isinstance(ref, Ref):
        return ref  # JAX returns a non-Ref argument as it is
    return read(ref)


def free_ref(ref: Ref) -> tuple:
    """Invalidate the ref (JAX returns an empty tuple). Eagerly, as in JAX, a freed ref still
    reads; inside a transformation reading it later is an error."""
    if current_trace() is not None:
        read(ref)  # a ref freed twice, or not a ref: the same error as a read
        ref._freed = True
    return ()


def empty_ref(ty, memory_space: Any = None) -> Ref:
    """A ref of `ty`'s shape and dtype (anything with .shape and .dtype), holding zeros.
    JAX allows this only under jit (its buffer is uninitialized); nablax also eagerly."""
    if not (hasattr(ty, "shape") and hasattr(ty, "dtype")):
        raise TypeError(f"Cannot interpret value of type {type(ty)} as an abstract array; it does not have a "
                        "dtype attribute (empty_ref takes a ShapeDtypeStruct, an aval or an array).")
    weak = bool(getattr(ty, "weak_type", False))
    zero = ops.broadcast_in_dim(ops.convert_element_type(0, np.dtype(ty.dtype), weak_type=weak), tuple(ty.shape), ())
    return new_ref(zero)


# ---------------------------------------------------------------------------- jit's side

class JitRefs:
    """The refs of one traced jit entry: the closed-over ones (their values are inputs after
    the arguments) and, for the Ref arguments in order then the closed-over refs, which ones
    the function writes (their final values are outputs after the function's own)."""

    __slots__ = ("closed", "written")

    def __init__(self, closed: list, written: list):
        self.closed = closed
        self.written = written

    @property
    def local(self) -> bool:
        """A closed-over ref was created inside a transformation: the entry belongs to this call."""
        return any(r._owner is not None for r in self.closed)


def trace_stateful(fn: Callable, leaves: Sequence, label: str, make_trace: Callable,
                   avals: Sequence | None = None) -> tuple[Any, JitRefs | None]:
    """Trace fn(*leaves) for jit (or eval_shape), its Ref leaves (and any outer ref it
    touches) lifted to inputs. `make_trace()` gives the staging trace; `avals`, if given,
    the other leaves' avals. Returns (ClosedJaxpr, JitRefs, or None when no ref is
    involved): inputs are the leaves (a ref: its value) then the closed-over refs' values;
    outputs are fn's then the final values of the refs it wrote."""
    trace = make_trace()
    scope = RefScope(trace, lazy=True)
    ins, seen = [], {}
    for i, x in enumerate(leaves):
        if type(x) is Ref:
            if id(x) in seen:
                raise ValueError(f"only one reference to a mutable array may be passed as an argument to a "
                                 f"function, but when tracing {label} the mutable array reference of type "
                                 f"{_ref_type(x._aval)} appeared at argument leaves {seen[id(x)]} and {i}.")
            seen[id(x)] = i
            arg = trace.new_arg(x._aval.update(shape=x.shape))  # under vmap, one example's shape
            scope.lift(x, arg)
        else:
            arg = trace.new_arg(lift_aval(x) if avals is None else avals[i])
        ins.append(arg)

    def collect(outs):
        cells = list(scope.lifted.values())
        closed_cells = cells[len(seen):]
        invars = [a._var for a in ins] + [cell[2]._var for cell in closed_cells]
        written = [cell[1] is not cell[2] for cell in cells]
        finals = [cell[1] for cell, w in zip(cells, written) if w]
        state = JitRefs([cell[0] for cell in closed_cells], written) if cells else None
        return trace.to_jaxpr(invars, list(outs) + finals), state

    token = _scopes.set(_scopes.get() + (scope,))
    try:
        return run_new_trace(trace, fn, [x if type(x) is Ref else a for x, a in zip(leaves, ins)], collect)
    finally:
        _scopes.reset(token)


def current_values(leaves: Sequence, state: JitRefs) -> list:
    """A stateful jit call's inputs: the leaves with each Ref replaced by its value, then the
    closed-over refs' values."""
    return [read(x) if type(x) is Ref else x for x in leaves] + [read(r) for r in state.closed]


def write_back(leaves: Sequence, state: JitRefs, outs: Sequence) -> list:
    """Store a stateful jit call's trailing outputs into the refs it wrote; returns the
    function's own outputs."""
    refs = [r for r, w in zip([x for x in leaves if type(x) is Ref] + state.closed, state.written) if w]
    n = len(outs) - len(refs)
    for ref, value in zip(refs, outs[n:]):
        store(ref, value)
    return list(outs[:n])


def returned_ref_message(name: str, path: str) -> str:
    """JAX's ValueError for a jitted function that returns a Ref."""
    return (f"function {name} traced for jit returned a mutable array reference{path}, but mutable array "
            "references cannot be returned. Return its value (ref[...] or freeze(ref)) instead.")


# ----------------------------------------------------------- loops' and branches' side

def carry_refs(run: Callable, fns: Sequence[Callable], kinds: Sequence[str], init):
    """Run a staged loop or branch whose bodies may write outer refs: it carries each such ref.

    run(*fns, init) runs it; kinds[i] says how fns[i] is called and what it returns:
    "pair" (scan's f(carry, x) -> (carry, y); the result is (carry, ys)), "carry" (a while
    body, carry -> carry), "read" (a while cond: it only reads) or "branch" (a cond branch,
    f(*operands) -> out; `init` is the operands). The bodies run in a loop scope; a write of
    a body's value into an outer ref not yet carried restarts the tracing with that ref
    added (so a loop without refs is traced once, as before): its value joins the carry
    (the operands) at the front and comes back out, to be stored after."""
    carried: list[Ref] = []
    while True:
        attempt = object()
        wrapped = [_in_loop_scope(fn, kind, attempt, carried) for fn, kind in zip(fns, kinds)]
        try:
            if not carried:
                return run(*wrapped, init)
            out = run(*wrapped, (tuple(read(r) for r in carried), init))
        except _Discovered as found:
            if found.loop is not attempt:
                raise
            carried.append(found.ref)
            continue
        if kinds[0] == "pair":
            (values, carry), ys = out
            out = (carry, ys)
        else:
            values, out = out
        for ref, value in zip(carried, values):
            store(ref, value)
        return out


def _in_loop_scope(fn: Callable, kind: str, attempt: object, carried: list) -> Callable:
    """fn in a loop scope, the carried refs' values split off its carry and threaded back out."""
    def body(*args):
        scope = RefScope(current_trace(), attempt)
        if carried:
            values, first = args[0] if kind != "branch" else args
            args = first if kind == "branch" else (first, *args[1:])
            for ref, value in zip(carried, values):
                scope.lift(ref, value)
        token = _scopes.set(_scopes.get() + (scope,))
        try:
            out = fn(*args)
        finally:
            _scopes.reset(token)
        if not carried or kind == "read":
            return out
        finals = tuple(scope.lifted[id(r)][1] for r in carried)
        return ((finals, out[0]), out[1]) if kind == "pair" else (finals, out)
    return body


# ------------------------------------------------------------------------- vmap's side

def call_with_refs(fn: Callable, args: Sequence, ref_at: dict) -> list:
    """fn(*args) with the Ref ref_at[i] in place of args[i], holding args[i] as its value
    (vmap: the batched value of a mapped Ref argument). Returns fn's outputs followed by
    those refs' final values, for the caller to store back."""
    scope = RefScope(current_trace())
    for i, ref in ref_at.items():
        scope.lift(ref, args[i])
    token = _scopes.set(_scopes.get() + (scope,))
    try:
        outs = fn(*[ref_at.get(i, a) for i, a in enumerate(args)])
    finally:
        _scopes.reset(token)
    return list(outs) + [scope.lifted[id(r)][1] for r in ref_at.values()]  # all: vmap cannot skip outputs
