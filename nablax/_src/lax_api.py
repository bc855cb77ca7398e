"""The public `nablax.lax` boundary: JAX's shape and dtype rules, checked once per call.

Internally, elementwise primitives broadcast NumPy-style and give a Python scalar the dtype
of the other operand (convenient for jnp and for the rules; see CONTRIBUTING.md), and some
shape wrappers accept negative axes. The public lax functions are stricter, as JAX's are,
and check here, before anything is bound, so eager calls and traced calls (jit, vmap, grad)
raise the same error:

- operands of n-ary elementwise ops (and select_n, clamp, concatenate) have one dtype; a
  Python scalar counts as its default dtype (int32, float32, complex64 or bool; 64-bit with
  x64), so `lax.add(f32_array, 1)` is a TypeError and `lax.add(f32_array, 1.0)` is not;
- elementwise operands of rank > 0 have one rank, and their sizes agree or are 1
  (`lax.add(x[3], y[2, 3])` is a TypeError); rank-0 operands go with anything;
- select and clamp take a scalar or an equal-shaped selector / bound, and cases of one shape;
- axes, sizes and permutations are checked with JAX's error classes.

jnp calls the internal functions directly, so it is unaffected and pays nothing.
"""
from __future__ import annotations

import builtins
import inspect
import operator
from typing import Callable

import numpy as np

from . import dtypes
from .array import Array
from .core import lift_aval
from .lax_extras_types import is_precision_like
from .primitives import conv as conv_mod
from .primitives import elementwise as ew
from .primitives import linalg, misc, random_bits, reductions, sorting, special
from .primitives import shape as sh
from .primitives._define import normalize_axis

_SCALAR_DTYPES = {bool: lambda: np.dtype(np.bool_), int: dtypes.default_int_dtype,
                  float: dtypes.default_float_dtype, complex: dtypes.default_complex_dtype}


def _info(name: str, x) -> tuple:
    """(dtype, shape) of a lax operand, as JAX sees it (Python scalars: default dtype, shape ())."""
    t = type(x)
    if t is Array:
        v = x._value
        return v.dtype, v.shape
    if t in _SCALAR_DTYPES:
        return _SCALAR_DTYPES[t](), ()
    try:
        a = lift_aval(x)
    except TypeError:
        raise TypeError(f"lax.{name}: cannot interpret the argument {x!r} of type {type(x).__name__} as an array; "
                        "pass an Array, a NumPy array or a Python scalar") from None
    return a.dtype, a.shape


def _same_dtypes(name: str, dts, tip: str = "") -> None:
    first = dts[0]
    for d in dts[1:]:
        if d != first:
            shown = ", ".join(np.dtype(d).name for d in dts)
            raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got {shown}. "
                            f"(A Python scalar counts as {dtypes.default_int_dtype().name} / "
                            f"{dtypes.default_float_dtype().name}; {tip or 'nablax.numpy functions'} promote "
                            "automatically.)")


def _broadcasting_shapes(name: str, shapes) -> None:
    """JAX's rule for elementwise operands: rank-0 operands go with anything; the others have
    one rank, and along each axis their sizes agree or are 1."""
    ranked = [s for s in shapes if s]
    if len(ranked) < 2:
        return
    first = ranked[0]
    for s in ranked[1:]:
        if s == first:
            continue
        if len(s) != len(first):
            shown = ", ".join(str(tuple(s)) for s in shapes)
            raise TypeError(f"lax.{name}: arrays must have the same number of dimensions, got shapes {shown}. "
                            "lax does not broadcast ranks: use lax.broadcast_in_dim / lax.expand_dims first, "
                            "or the nablax.numpy function, which broadcasts")
        for a, b in zip(first, s):
            if a != b and a != 1 and b != 1:
                shown = ", ".join(str(tuple(s)) for s in shapes)
                raise TypeError(f"lax.{name} got incompatible shapes for broadcasting: {shown}")


def _nary(name: str, fn: Callable, tip: str = "") -> Callable:
    def op(x, y):
        xd, xs = _info(name, x)
        yd, ys = _info(name, y)
        if xd is not yd and xd != yd:
            _same_dtypes(name, (xd, yd), tip)
        if xs != ys and xs and ys:
            _broadcasting_shapes(name, (xs, ys))
        return fn(x, y)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"lax.{name}(x, y): elementwise, on operands of one dtype (JAX's rule; Python scalars count "
                  "as their default dtype) and one rank (sizes of 1 broadcast; rank-0 operands go with any shape).")
    return op


# lax name: (internal function, the jnp function that promotes instead, named in the dtype error)
_NARY = {
    "add": (ew.add, "add"), "sub": (ew.sub, "subtract"), "mul": (ew.mul, "multiply"), "div": (ew.div, "divide"),
    "rem": (ew.rem, "remainder"), "max": (ew.max, "maximum"), "min": (ew.min, "minimum"), "eq": (ew.eq, "equal"),
    "ne": (ew.ne, "not_equal"), "lt": (ew.lt, "less"), "le": (ew.le, "less_equal"), "gt": (ew.gt, "greater"),
    "ge": (ew.ge, "greater_equal"), "bitwise_and": (ew.bitwise_and, "bitwise_and"),
    "bitwise_or": (ew.bitwise_or, "bitwise_or"), "bitwise_xor": (ew.bitwise_xor, "bitwise_xor"),
    "shift_left": (ew.shift_left, "left_shift"), "shift_right_logical": (ew.shift_right_logical, "right_shift"),
    "shift_right_arithmetic": (ew.shift_right_arithmetic, "right_shift"), "complex": (ew.complex, "complex"),
    "atan2": (special.atan2, "arctan2"), "nextafter": (special.nextafter, "nextafter"),
}
(add, sub, mul, div, rem, max, min, eq, ne, lt, le, gt, ge, bitwise_and, bitwise_or, bitwise_xor,  # noqa: A001
 shift_left, shift_right_logical, shift_right_arithmetic, complex, atan2, nextafter) = (  # noqa: A001
    _nary(name, fn, f"jnp.{jnp_name}") for name, (fn, jnp_name) in _NARY.items())


def pow(x, y):  # noqa: A001
    """lax.pow(x, y): x ** y elementwise; y has x's dtype or an integer dtype (as in JAX)."""
    xd, xs = _info("pow", x)
    yd, ys = _info("pow", y)
    if yd != xd and yd.kind not in "iu":
        _same_dtypes("pow", (xd, yd), "jnp.power")
    _broadcasting_shapes("pow", (xs, ys))
    return ew.pow(x, y)


def integer_pow(x, y: int):
    """lax.integer_pow(x, y): x ** y for a static Python int y."""
    xd, _ = _info("integer_pow", x)
    if xd.kind not in "iufc" and xd != dtypes.bfloat16:
        raise TypeError(f"lax.integer_pow does not accept dtype {xd.name}; it needs a numeric dtype")
    try:
        y = operator.index(y)
    except TypeError:
        raise TypeError(f"lax.integer_pow: the exponent must be a static integer, got {y!r}") from None
    if y < 0 and xd.kind in "iu":
        raise TypeError(f"lax.integer_pow: integers cannot be raised to negative powers, got exponent {y} for "
                        f"dtype {xd.name}")
    return ew.integer_pow(x, y)


# ------------------------------------------------------------------------ select, clamp

def select_n(which, *cases):
    """lax.select_n(which, *cases): cases[which] elementwise. The cases share one shape and
    dtype; `which` is bool (at most two cases) or integer, a scalar or of the cases' shape."""
    if not cases:
        raise ValueError("lax.select_n needs at least one case")
    wd, ws = _info("select_n", which)
    infos = [_info("select_n", c) for c in cases]
    if wd.kind not in "biu":
        raise TypeError(f"lax.select_n: `which` must be boolean or integer, got {wd.name}")
    if wd.kind == "b" and len(cases) > 2:
        raise TypeError(f"lax.select_n: a boolean `which` allows at most two cases, got {len(cases)}")
    shapes = [s for _, s in infos]
    if builtins.any(s != shapes[0] for s in shapes):
        raise TypeError(f"lax.select_n: cases must have the same shapes, got {[tuple(s) for s in shapes]} "
                        "(jnp.where broadcasts)")
    _same_dtypes("select_n", [d for d, _ in infos], "jnp.where")
    if ws != () and ws != shapes[0]:
        raise TypeError(f"lax.select_n: `which` must be a scalar or have the cases' shape, got `which` of shape "
                        f"{tuple(ws)} and cases of shape {tuple(shapes[0])}")
    if len(cases) == 1:  # nothing to choose from (JAX returns the case)
        return cases[0]
    return ew.select_n(which, *cases)


def select(pred, on_true, on_false):
    """lax.select(pred, on_true, on_false): on_true where pred, else on_false (rules of select_n)."""
    return select_n(pred, on_false, on_true)


def clamp(min, x, max):  # noqa: A002
    """lax.clamp(min, x, max): x limited to [min, max]; min and max are scalars or of x's shape."""
    infos = [_info("clamp", a) for a in (min, x, max)]
    _same_dtypes("clamp", [d for d, _ in infos], "jnp.clip")
    xs = infos[1][1]
    for what, (_, s) in (("min", infos[0]), ("max", infos[2])):
        if s != () and s != xs:
            raise TypeError(f"lax.clamp requires {what}.shape == operand.shape or {what}.shape == (), got "
                            f"{what}.shape={tuple(s)}, operand.shape={tuple(xs)}")
    return ew.clamp(min, x, max)


# ------------------------------------------------------------------------ shapes and axes

def _static_ints(name: str, what: str, values) -> tuple:
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"lax.{name}: {what} must be a sequence of static integers, got {tuple(values)!r}") from None


def _nonnegative(name: str, what: str, values) -> tuple:
    values = _static_ints(name, what, values)
    if builtins.any(v < 0 for v in values):
        raise TypeError(f"lax.{name}: {what} must have every element be nonnegative, got {values}")
    return values


def _axes_in_range(name: str, what: str, axes, ndim: int, shape) -> tuple:
    axes = _nonnegative(name, what, axes)
    if builtins.any(a >= ndim for a in axes):
        raise TypeError(f"lax.{name}: {what} {axes} must all be less than the operand's rank {ndim} "
                        f"(shape {tuple(shape)}); lax does not accept negative axes")
    if len(set(axes)) != len(axes):
        raise TypeError(f"lax.{name}: {what} must be unique, got {axes}")
    return axes


def reshape(operand, new_sizes, dimensions=None):
    """lax.reshape(operand, new_sizes, dimensions=None): `dimensions` (a permutation) transposes first."""
    _, shape = _info("reshape", operand)
    new_sizes = _nonnegative("reshape", "new_sizes", new_sizes)
    if dimensions is not None:
        dimensions = _static_ints("reshape", "dimensions", dimensions)
        if sorted(dimensions) != list(range(len(shape))):
            raise TypeError(f"lax.reshape: dimensions must be a permutation of the operand's dimensions, got "
                            f"{dimensions} for shape {tuple(shape)}")
    return sh.reshape(operand, new_sizes, dimensions)


def broadcast_in_dim(operand, shape, broadcast_dimensions):
    """lax.broadcast_in_dim: operand axis i becomes output axis broadcast_dimensions[i] (in any order)."""
    _, oshape = _info("broadcast_in_dim", operand)
    shape = _nonnegative("broadcast_in_dim", "shape", shape)
    dims = _nonnegative("broadcast_in_dim", "broadcast_dimensions", broadcast_dimensions)
    if len(dims) != len(oshape):
        raise TypeError(f"lax.broadcast_in_dim: broadcast_dimensions must have length equal to the operand's rank; "
                        f"got broadcast_dimensions {dims} for operand shape {tuple(oshape)}")
    if builtins.any(d >= len(shape) for d in dims) or len(set(dims)) != len(dims):
        raise TypeError(f"lax.broadcast_in_dim: broadcast_dimensions {dims} must be distinct axes of the target "
                        f"shape {shape}")
    for src, dst in enumerate(dims):
        if oshape[src] not in (1, shape[dst]):
            raise TypeError(f"lax.broadcast_in_dim: operand dimension sizes must be 1 or equal to their target "
                            f"dimension: operand shape {tuple(oshape)}, shape {shape}, broadcast_dimensions {dims}")
    if list(dims) != sorted(dims):  # axes in another order: transpose so that they increase
        perm = tuple(int(i) for i in np.argsort(dims))
        operand = sh.transpose(operand, perm)
        dims = tuple(sorted(dims))
    return sh.broadcast_in_dim(operand, shape, dims)


def broadcast(operand, sizes):
    """lax.broadcast(operand, sizes): new leading dimensions of the given sizes."""
    return sh.broadcast(operand, _nonnegative("broadcast", "sizes", sizes))


def rev(operand, dimensions):
    """lax.rev(operand, dimensions): reverse along the given (nonnegative, distinct) axes."""
    _, shape = _info("rev", operand)
    return sh.rev(operand, _axes_in_range("rev", "dimensions", dimensions, len(shape), shape))


def concatenate(operands, dimension: int):
    """lax.concatenate(operands, dimension): operands of one dtype and rank, joined along `dimension`."""
    operands = list(operands)
    if not operands:
        raise ValueError("lax.concatenate needs at least one operand")
    infos = [_info("concatenate", o) for o in operands]
    shapes = [tuple(s) for _, s in infos]
    if len({len(s) for s in shapes}) != 1:
        raise TypeError(f"lax.concatenate: cannot concatenate arrays with different numbers of dimensions: got "
                        f"{', '.join(map(str, shapes))}")
    d = operator.index(dimension)
    if not 0 <= d < len(shapes[0]):
        raise TypeError(f"lax.concatenate: dimension {d} is out of bounds for shapes {', '.join(map(str, shapes))} "
                        "(lax does not accept negative dimensions)")
    _same_dtypes("concatenate", [dt for dt, _ in infos], "jnp.concatenate")
    for s in shapes[1:]:
        if builtins.any(a != b for i, (a, b) in enumerate(zip(s, shapes[0])) if i != d):
            raise TypeError(f"lax.concatenate: operand shapes must be equal except in dimension {d}, got "
                            f"{', '.join(map(str, shapes))}")
    return sh.concatenate(operands, d)


# ------------------------------------------------------------------------ iota, argmax, dot

def iota(dtype, size: int):
    """lax.iota(dtype, size): [0, 1, ..., size - 1]."""
    return broadcasted_iota(dtype, (size,), 0)


def broadcasted_iota(dtype, shape, dimension: int):
    """lax.broadcasted_iota(dtype, shape, dimension): a ramp along `dimension` (0 <= dimension < rank)."""
    try:
        shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"lax.iota: shapes must be sequences of static integers, got {tuple(shape)!r}") from None
    if builtins.any(d < 0 for d in shape):
        raise TypeError(f"lax.iota: shape must have every element be nonnegative, got {shape}")
    dimension = operator.index(dimension)
    if not 0 <= dimension < len(shape):
        raise ValueError(f"lax.iota: dimension must be between 0 and len(shape), got dimension={dimension} for "
                         f"shape={shape}")
    return misc.broadcasted_iota(dtype, shape, dimension)


def _arg_reduction(name: str, fn: Callable, prim) -> Callable:
    def op(operand, axis: int, index_dtype):
        dt = dtypes.canonicalize_dtype(index_dtype)
        if dt.kind not in "iu":
            raise TypeError(f"lax.{name}: index_dtype must be an integer type, but got {dt.name}")
        prim.abstract_eval(lift_aval(operand), axes=(axis,), index_dtype=dt)  # eager binds do not check
        return fn(operand, axis, index_dtype)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = fn.__doc__
    return op


argmax = _arg_reduction("argmax", reductions.argmax, reductions.argmax_p)
argmin = _arg_reduction("argmin", reductions.argmin, reductions.argmin_p)


# ---------------------------------------------------------- checked by the primitive's own rule
#
# An eager bind runs the impl without the abstract_eval (it is the hot path), so a lax
# function whose impl would accept what abstract_eval rejects (a bool sum, a complex max,
# sort operands of two shapes) runs the rule here first: one source for the check, and
# eager and traced calls raise the same error.

def _axis_reduction(fn: Callable, prim) -> Callable:
    def op(operand, axes):
        prim.abstract_eval(lift_aval(operand), axes=tuple(axes))
        return fn(operand, axes)

    op.__name__ = op.__qualname__ = fn.__name__
    op.__doc__ = fn.__doc__
    return op


reduce_sum = _axis_reduction(reductions.reduce_sum, reductions.reduce_sum_p)
reduce_prod = _axis_reduction(reductions.reduce_prod, reductions.reduce_prod_p)
reduce_max = _axis_reduction(reductions.reduce_max, reductions.reduce_max_p)
reduce_min = _axis_reduction(reductions.reduce_min, reductions.reduce_min_p)
reduce_and = _axis_reduction(reductions.reduce_and, reductions.reduce_and_p)
reduce_or = _axis_reduction(reductions.reduce_or, reductions.reduce_or_p)


def sort(operand, dimension: int = -1, is_stable: bool = True, num_keys: int = 1):
    """lax.sort: sort along `dimension`; a tuple of operands is sorted by its first `num_keys`
    (lexicographically), the others carried along. Returns the same structure it was given."""
    operands = tuple(operand) if isinstance(operand, (tuple, list)) else (operand,)
    avals = [lift_aval(x) for x in operands]
    if avals:
        dim = normalize_axis("lax.sort", operator.index(dimension), avals[0].ndim)
        sorting.sort_p.abstract_eval(*avals, dimension=dim, is_stable=bool(is_stable), num_keys=int(num_keys))
    return sorting.sort(operand, dimension, is_stable, num_keys)


def sort_key_val(keys, values, dimension: int = -1, is_stable: bool = True):
    """lax.sort_key_val: sort `keys` along `dimension` and permute `values` the same way."""
    return sort((keys, values), dimension, is_stable, 1)


def xla_fma(a, b, c):
    """a * b + c with a single rounding, as XLA's CPU backend computes it (one floating dtype)."""
    random_bits.xla_fma_p.abstract_eval(lift_aval(a), lift_aval(b), lift_aval(c))
    return random_bits.xla_fma(a, b, c)


def convert_element_type(operand, new_dtype, weak_type: bool = False):
    """lax.convert_element_type: cast to `new_dtype` (canonicalized for the x64 setting)."""
    dt = dtypes.canonicalize_dtype(new_dtype)
    if not dtypes.is_array_dtype(dt):
        raise TypeError(f"lax.convert_element_type: nablax only supports number and bool dtypes, got dtype {dt}")
    return misc.convert_element_type(operand, dt, weak_type)


def check_precision(fname: str, precision) -> None:
    """A ValueError naming `fname` unless `precision` is one JAX accepts: None, a lax.Precision
    or its name, a pair of those, a lax.DotAlgorithm, or a lax.DotAlgorithmPreset or its name.
    Every one computes alike here: NumPy multiplies at the operands' full precision, which
    meets any of them."""
    if not is_precision_like(precision):
        raise ValueError(f"{fname}: precision must be None, a lax.Precision or one of its names ('default', 'high', "
                         "'highest', ...), a pair of those, a lax.DotAlgorithm, or a lax.DotAlgorithmPreset or its "
                         f"name such as 'F32_F32_F32'; got {precision!r}")


def _precision_checked(fn: Callable) -> Callable:
    """`fn` (a convolution or dot, whose own check knows only Precision names, or none) with `precision=` checked
    here, so every PrecisionLike JAX accepts is accepted; it changes nothing numerically."""
    name = fn.__name__
    signature = inspect.signature(fn)

    def op(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        check_precision(f"lax.{name}", bound.arguments.pop("precision", None))
        return fn(*bound.args, **bound.kwargs)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = fn.__doc__
    return op


conv_general_dilated, conv, conv_with_general_padding, conv_transpose, conv_general_dilated_patches, dot, batch_matmul = (
    _precision_checked(f) for f in (conv_mod.conv_general_dilated, conv_mod.conv, conv_mod.conv_with_general_padding,
                                    conv_mod.conv_transpose, conv_mod.conv_general_dilated_patches, linalg.dot,
                                    linalg.batch_matmul))


def _dims_in_range(which: str, dims, ndim: int) -> None:
    for d in dims:
        if not 0 <= operator.index(d) < ndim:
            raise TypeError(f"lax.dot_general requires {which} dimension numbers to be nonnegative and less than "
                            f"the number of axes of the {which} value, got {tuple(dims)} for rank {ndim}")


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """lax.dot_general(lhs, rhs, ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch)), ...)."""
    _, ls = _info("dot_general", lhs)
    _, rs = _info("dot_general", rhs)
    try:
        (lc, rc), (lb, rb) = dimension_numbers
    except (TypeError, ValueError):
        raise TypeError("lax.dot_general: dimension_numbers must be ((lhs_contracting, rhs_contracting), "
                        f"(lhs_batch, rhs_batch)), got {dimension_numbers!r}") from None
    check_precision("lax.dot_general", precision)
    _dims_in_range("lhs", tuple(lc) + tuple(lb), len(ls))
    _dims_in_range("rhs", tuple(rc) + tuple(rb), len(rs))
    return linalg.dot_general(lhs, rhs, dimension_numbers, precision=precision,
                              preferred_element_type=preferred_element_type)


__all__ = [
    "add", "sub", "mul", "div", "rem", "max", "min", "eq", "ne", "lt", "le", "gt", "ge", "bitwise_and",
    "bitwise_or", "bitwise_xor", "shift_left", "shift_right_logical", "shift_right_arithmetic", "complex", "atan2",
    "nextafter",
    "pow", "integer_pow", "select_n", "select", "clamp", "reshape", "broadcast_in_dim", "broadcast", "rev",
    "concatenate", "iota", "broadcasted_iota", "argmax", "argmin", "dot_general", "reduce_sum", "reduce_prod",
    "reduce_max", "reduce_min", "reduce_and", "reduce_or", "sort", "sort_key_val", "xla_fma", "convert_element_type",
    "conv_general_dilated", "conv", "conv_with_general_padding", "conv_transpose", "conv_general_dilated_patches", "dot",
    "batch_matmul",
]
