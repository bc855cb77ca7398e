"""define_primitive and the family builders that fill in the common rules.

Every primitive is one `define_primitive(...)` call naming all of its rules as
keyword-only arguments, so a missing rule is an import-time TypeError:

- impl(xp, *arrays, **params)      implementation on an array namespace (NumPy)
- abstract_eval(*avals, **params)  output ShapedArray(s); raises clear errors
- jvp(primals, tangents, **params) -> (primal_out, tangent_out), written with lax
  functions so it is itself differentiable; tangents may be symbolic `Zero`s.
  Or `differentiable=False` (outputs are integer/bool: tangent is zero).
- transpose(ct, *args, **params)   required iff `linear=True`; args are values or
  `UndefinedPrimal`s; returns one cotangent (or None) per arg.
- batch(args, dims, **params) -> (out, out_dim)   the vmap rule.
- jet(primals, series, **params) -> (primal_out, series_out)   optional: the Taylor-mode
  rule (nablax.experimental.jet). `series[i]` is None (operand i is constant along the
  curve) or a list of K normalized Taylor coefficients x_1..x_K (x(t) = x_0 + x_1 t + ...,
  not the factorial-scaled derivatives of the public API); the rule returns the output's
  coefficients the same way (None: constant). Written with lax functions (jit, vmap and
  jet of jet see through it); primitives/taylor.py has the recurrences. Without one, a
  `jvp="linear"` primitive maps each coefficient through itself, and any other is
  derived from its JVP rule (interpreters/jet.py): exact, at a few times the cost.
- emit: optional source template for generated code, e.g. "xp.sin({0})", or a callable
  `(args, params, param_src, avals) -> str | None` (None: call impl).

Facts the compiler (jit/) and vmap read, all optional and off when not given:

- ufunc="sin"             the array namespace's ufunc computing this primitive, which jit
  calls with `out=` to write a large result into a dead operand's buffer.
- monoid="add"            a reduction over every axis equals `xp.<monoid>.reduce` of the same
  reduction over pieces of its operand, in the operand's float dtype (jit's fusion keeps
  one partial result per chunk: jit/fusion.py).
- costly=True             its work grows faster than its result (a contraction): jit folds it
  on constant operands even when the result is too large for ordinary folding.
- commutative=True        two operands whose order never changes the result, bit for bit (the
  sign of a zero too: not max/min; NaN payloads aside), so jit's CSE treats `a * b` and `b * a` as one value.
- python_literal_ok=True  a Python int/float literal operand keeps the other operand's
  dtype in the emitted code (NumPy 2 promotion), so jit writes `x * 2.0`, not a typed scalar.
- fresh_result=True       the result is always newly allocated, never a view of an operand,
  so a later ufunc may write into it (dot_general).
- simplify(invars, params, out, producers) -> atom | None   an exact identity: the atom
  (an operand, or an input of a producing equation) equal to `out`. `producers` maps a
  Var to the equation that computed it. See primitives/rewrites.py for helpers
  (`unit_identity(1, left_ok=True)` is x * 1 = 1 * x = x).
- rewrite(invars, params, producers) -> (prim, invars) | None   an exact rewrite into a
  cheaper equation keeping `params` (x + (-y) -> x - y).
- inline(eqn) -> (Jaxpr, consts)  a call-like primitive: jit splices this body in its place.
- emit_block(args, outs, params, param_src) -> [lines]   a statement emitter (control flow:
  `if`/`while`/`for` around compiled bodies), used instead of `emit`.
- axis_batch(trace, vals, dims, **params) -> (out, out_dim)   the vmap rule of a collective,
  applied by the BatchTrace when `params["axis_name"]` is set (instead of `batch`).

Which output elements depend on which operand elements, read by sparse differentiation
(`_src/sparsity.py`; elementwise primitives need nothing: NumPy broadcasting says it):

- sparsity="move"         every float output element is a constant plus a sum of copies of float
  operand elements, usually one (data movement: reshape, slice, pad, gather, select_n,
  scatter_add, ...): applying `impl` to element ids (with the integer operands' constant
  values) shows where each comes from.
- sparsity="product"      elementwise, and zero wherever another operand is zero: a known
  constant zero (a mask) removes the element's dependencies (mul).
- sparsity="reduce"       a reduction over `params["axes"]`: an output element reads its row.
- sparsity="cumulative"   a cumulative scan along `params["axis"]` (`params["reverse"]`).
- sparsity="contract"     dot_general: an output element reads its rows/columns of both operands.
- sparsity="conv"         conv_general_dilated: an output element reads the window of its
  position (and the kernel's nonzero taps, when the kernel is a known constant).
- sparsity="window"       a window operation (params window_dimensions, window_strides, padding,
  base_dilation, window_dilation over the last operand): output element o reads every operand's
  elements in window o (reduce_window_*, select_and_gather_add).
- sparsity="window_scatter"  its transpose (select_and_scatter_add): output element p reads the
  first operand's windows containing p, and the last operand's elements in those windows.
- sparsity="zero"         the derivative is identically zero although the output is a float
  (stop_gradient).
A primitive with none of these is treated conservatively: each float output element
depends on every element of every float operand.

Elementwise primitives broadcast their operands NumPy-style (see README: it keeps
eager calls cheap, jaxprs short and vmap free of materialized broadcasts); their
JVP and transpose rules reduce cotangents back to each operand's shape.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..ad_util import instantiate
from ..array import wrap
from ..avals import ShapedArray, Zero
from ..core import Primitive, eager_args, lift_aval
from ..dtypes import kind as lattice_kind
from .taylor import linear_jet

PRIMITIVES: dict[str, Primitive] = {}
_SPARSITY_FACTS = (None, "move", "product", "reduce", "cumulative", "contract", "conv", "window", "window_scatter",
                   "zero")
_MISSING = object()


def _generic_eager(impl: Callable, multiple_results: bool, weak_rule: Callable) -> Callable:
    def eager(*args, **params):
        arrays, vals = eager_args(args)
        out = impl(np, *vals, **params)
        weak = weak_rule(arrays, params)
        if multiple_results:
            return [wrap(o, w) for o, w in zip(out, weak)] if isinstance(weak, list) else [
                wrap(o, weak) for o in out
            ]
        return wrap(out, weak)

    return eager


def weak_if_all_weak(arrays, params) -> bool:
    """Default weak-type rule: the result is weak iff every operand is (and there is one)."""
    if not arrays:
        return False
    for a in arrays:
        if not a._weak:
            return False
    return True


def never_weak(arrays, params) -> bool:
    return False


def define_primitive(
    name: str,
    *,
    impl: Callable,
    abstract_eval: Callable,
    batch: Callable,
    jvp: Callable | str | None = None,
    differentiable: bool = True,
    linear: bool = False,
    transpose: Callable | None = None,
    emit: str | Callable | None = None,
    eager: Callable | None = None,
    linearize: Callable | None = None,
    multiple_results: bool = False,
    weak_rule: Callable = weak_if_all_weak,
    fold: bool = True,
    higher_order: bool = False,
    ufunc: str | None = None,
    monoid: str | None = None,
    costly: bool = False,
    commutative: bool = False,
    python_literal_ok: bool = False,
    fresh_result: bool = False,
    simplify: Callable | None = None,
    rewrite: Callable | None = None,
    inline: Callable | None = None,
    emit_block: Callable | None = None,
    axis_batch: Callable | None = None,
    sparsity: str | None = None,
    jet: Callable | None = None,
) -> Primitive:
    """Create and register a primitive; every rule is checked for presence here."""
    if name in PRIMITIVES:
        raise ValueError(f"primitive {name!r} is defined twice")
    if sparsity not in _SPARSITY_FACTS:
        raise ValueError(f"primitive {name!r}: sparsity must be one of {_SPARSITY_FACTS}, got {sparsity!r}")
    if differentiable and jvp is None:
        raise TypeError(f"primitive {name!r}: give a jvp rule or differentiable=False")
    if linear and transpose is None:
        raise TypeError(f"primitive {name!r} is linear and needs a transpose rule")
    prim = Primitive(name)
    prim.impl = impl
    prim.abstract_eval = abstract_eval
    prim.batch = batch
    if jvp == "linear":
        jvp = linear_jvp(prim)
        jet = jet or linear_jet(prim)
    prim.jvp = jvp if differentiable else _zero_jvp(prim)
    prim.differentiable = differentiable
    prim.transpose = transpose
    prim.emit = emit
    prim.linearize = linearize
    prim.multiple_results = multiple_results
    prim.fold = fold
    prim.higher_order = higher_order
    prim.ufunc = ufunc
    prim.monoid = monoid
    prim.costly = costly
    prim.commutative = commutative
    prim.python_literal_ok = python_literal_ok
    prim.fresh_result = fresh_result
    prim.simplify = simplify
    prim.rewrite = rewrite
    prim.inline = inline
    prim.emit_block = emit_block
    prim.axis_batch = axis_batch
    prim.sparsity = sparsity
    prim.jet = jet
    prim.eager = eager or _generic_eager(impl, multiple_results, weak_rule)
    PRIMITIVES[name] = prim
    return prim


def _zero_jvp(prim: Primitive) -> Callable:
    """JVP of a primitive with integer/bool outputs: the tangent is a symbolic zero."""

    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [Zero(aval_of(o).to_tangent_aval()) for o in out]
        return out, Zero(aval_of(out).to_tangent_aval())

    return jvp


aval_of = lift_aval




def linear_jvp(prim: Primitive) -> Callable:
    """JVP of a primitive linear in all operands (`jvp="linear"`): apply it to the tangents."""

    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if all(type(t) is Zero for t in tangents):
            return out, Zero(aval_of(out).to_tangent_aval())
        return out, prim.bind(*[instantiate(t) for t in tangents], **params)

    return jvp

# ------------------------------------------------------------------- shape/dtype helpers

def broadcast_shapes(opname: str, *shapes: tuple) -> tuple:
    """NumPy broadcasting of operand shapes, with an error naming the operation and shapes."""
    if len(shapes) == 2 and shapes[0] == shapes[1]:
        return shapes[0]
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(-ndim, 0):
        size = 1
        for s in shapes:
            if len(s) >= -i:
                d = s[i]
                if d != 1:
                    if size not in (1, d):
                        shown = ", ".join(str(tuple(s)) for s in shapes)
                        # As JAX's jnp: a ValueError when ranks differ (its rank broadcasting
                        # fails), a TypeError between shapes of one rank (lax's shape rule).
                        one_rank = len({len(s) for s in shapes if len(s)}) == 1
                        raise (TypeError if one_rank else ValueError)(
                            f"{opname}: operand shapes {shown} are incompatible for broadcasting"
                        )
                    size = d
        out.append(size)
    return tuple(out)


def require_same_dtypes(opname: str, avals) -> np.dtype:
    dt = avals[0].dtype
    for a in avals[1:]:
        if a.dtype != dt:
            shown = ", ".join(a.dtype.name for a in avals)
            raise TypeError(
                f"lax.{opname} requires arguments to have the same dtypes, got {shown}. "
                "(nablax.numpy functions promote automatically.)"
            )
    return dt


def require_dtype_kinds(opname: str, aval: ShapedArray, kinds: str, what: str) -> None:
    """TypeError unless the dtype's kind is in `kinds` (bfloat16 and ml_dtypes' narrow floats,
    NumPy kind "V", count as "f"; the narrow integers as "i"/"u")."""
    if aval.dtype.kind not in kinds and lattice_kind(aval.dtype) not in kinds:
        raise TypeError(f"lax.{opname} does not accept dtype {aval.dtype.name}; it needs {what}")


def nary_elementwise_aval(opname: str, avals, kinds: str, what: str) -> ShapedArray:
    """Output aval of an elementwise primitive of several operands: one dtype of `kinds`,
    NumPy-broadcast shapes, weak iff every operand is."""
    dtype = require_same_dtypes(opname, avals)
    require_dtype_kinds(opname, avals[0], kinds, what)
    shape = broadcast_shapes(f"lax.{opname}", *[a.shape for a in avals])
    return ShapedArray(shape, dtype, all_weak(avals))


def all_weak(avals) -> bool:
    return bool(avals) and all(a.weak_type for a in avals)


def normalize_axis(opname: str, axis: int, ndim: int) -> int:
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"{opname}: axis {axis} is out of bounds for an array of rank {ndim}")
    return axis % ndim if ndim else 0
