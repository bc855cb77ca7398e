"""Shape manipulation for nablax.numpy: reshape, transpose, broadcast, tile, flip, diagonals, where, ...

Everything here is written with lax wrappers (reshape, transpose, broadcast_in_dim, slice,
pad, squeeze, rev, concatenate, select_n), so it is differentiable, batchable and
traceable. Shapes, axes, shifts and split points are static Python values: a traced value
where one is needed raises a ConcretizationTypeError naming the function.
"""
from __future__ import annotations

import builtins
import operator
from typing import Sequence

import numpy as np

from .. import dtypes
from ..array import wrap
from ..core import Tracer
from ..primitives import elementwise as ew
from ..primitives import shape as lax_shape
from ..primitives._define import broadcast_shapes as _broadcast_shapes
from ..primitives.misc import convert_element_type
from .promotion import as_array, check_arraylike, checked_axis, promote_args

AxisError = getattr(np, "exceptions", np).AxisError


# ------------------------------------------------------------------------------ helpers

def _arr(fname: str, x):
    check_arraylike(fname, x)
    return as_array(x)


def _index(fname: str, value, what: str) -> int:
    if isinstance(value, Tracer):
        value = value._concrete(f"jnp.{fname}: {what}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"jnp.{fname}: {what} must be an integer, got {value!r}") from None


def _axis(fname: str, axis, ndim: int) -> int:
    return checked_axis(f"jnp.{fname}", _index(fname, axis, "axis"), ndim, AxisError)


def _axes(fname: str, axes, ndim: int) -> tuple:
    """Normalize an int or a sequence of ints to non-negative axes; no repeats allowed."""
    if isinstance(axes, (list, tuple)):
        out = tuple(_axis(fname, a, ndim) for a in axes)
    else:
        out = (_axis(fname, axes, ndim),)
    if len(set(out)) != len(out):
        raise ValueError(f"jnp.{fname}: repeated axis in {axes!r}")
    return out


def _shape_tuple(fname: str, shape) -> tuple:
    if isinstance(shape, np.ndarray) and shape.ndim == 1:
        shape = shape.tolist()
    if isinstance(shape, (list, tuple)):
        return tuple(_index(fname, d, "each dimension of the shape") for d in shape)
    return (_index(fname, shape, "the shape"),)


def _concrete(fname: str, value, what: str) -> np.ndarray:
    """A NumPy copy of a value that must be known now (not traced)."""
    if isinstance(value, Tracer):
        return np.asarray(value._concrete(f"jnp.{fname}: {what}"))
    if isinstance(value, (list, tuple)):
        return np.asarray([_concrete(fname, v, what) for v in value])
    return np.asarray(value)


def _prod(xs) -> int:
    n = 1
    for x in xs:
        n *= x
    return n


def _zero_like(x):
    """A weakly typed zero scalar of x's dtype (it never strengthens x's type)."""
    return wrap(np.zeros((), x.dtype), True)


# ----------------------------------------------------------------------- shape queries

def shape(a) -> tuple:
    """jnp.shape: the shape of an array, scalar or nested sequence."""
    s = getattr(a, "shape", None)
    return tuple(s) if s is not None else np.shape(a)


def ndim(a) -> int:
    """jnp.ndim: the number of dimensions."""
    return len(shape(a))


def size(a, axis: int | None = None) -> int:
    """jnp.size: the number of elements (along `axis` if given)."""
    s = shape(a)
    if axis is None:
        return _prod(s)
    return s[_axis("size", axis, len(s))]


# ----------------------------------------------------------------------- reshape family

def _resolve_shape(fname: str, old: tuple, new) -> tuple:
    new = _shape_tuple(fname, new)
    # (TypeErrors, as in JAX)
    total = _prod(old)
    unknown = [i for i, d in enumerate(new) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in new):
        raise TypeError(
            f"jnp.{fname}: invalid shape {new}: at most one dimension may be -1 and the others "
            "must be non-negative"
        )
    if unknown:
        known = _prod(d for d in new if d != -1)
        if known == 0 or total % known:
            raise TypeError(
                f"jnp.{fname}: cannot reshape an array of shape {old} (size {total}) into shape {new}"
            )
        new = tuple(total // known if d == -1 else d for d in new)
    if _prod(new) != total:
        raise TypeError(
            f"jnp.{fname}: cannot reshape an array of shape {old} (size {total}) into shape {new} "
            f"(size {_prod(new)})"
        )
    return new


def _check_order(fname: str, order) -> bool:
    """True for order='F' (column-major: reverse the axes around a row-major reshape)."""
    if order not in ("C", "F", None):
        raise NotImplementedError(
            f"jnp.{fname}: only order='C' (row-major) and 'F' (column-major) are supported, got "
            f"order={order!r}"
        )
    return order == "F"


def _reversed_axes(a):
    return a if a.ndim < 2 else lax_shape.transpose(a, tuple(range(a.ndim - 1, -1, -1)))


def reshape(a, shape=None, order: str = "C", *, newshape=None, copy: bool | None = None):
    """jnp.reshape: a new shape with the same elements (one dimension may be -1).

    `copy` has no visible effect: arrays are immutable, so a view and a copy are alike."""
    if shape is None:
        shape = newshape
    if shape is None:
        raise TypeError("jnp.reshape() missing the required argument 'shape'")
    numpy_input = isinstance(a, np.ndarray)
    a = _arr("reshape", a)
    fortran = _check_order("reshape", order)
    try:
        new = _resolve_shape("reshape", tuple(a.shape), shape)
    except TypeError as e:
        if numpy_input:  # JAX reshapes a NumPy array with NumPy's own method, whose error is a ValueError
            raise ValueError(str(e)) from None
        raise
    if new == tuple(a.shape):
        return a
    if fortran:
        return _reversed_axes(lax_shape.reshape(_reversed_axes(a), new[::-1]))
    return lax_shape.reshape(a, new)


def ravel(a, order: str = "C"):
    """jnp.ravel: the elements as a 1-D array (row-major)."""
    a = _arr("ravel", a)
    if _check_order("ravel", order):
        a = _reversed_axes(a)
    return a if a.ndim == 1 else lax_shape.reshape(a, (a.size,))


def _reshape_method(self, *args, order: str = "C", shape=None, copy=None):
    """x.reshape(2, 3) or x.reshape((2, 3))."""
    if shape is None:
        if len(args) == 1 and (isinstance(args[0], (list, tuple)) or np.ndim(args[0]) == 1):
            shape = args[0]
        else:
            shape = args
    return reshape(self, shape, order=order)


def squeeze(a, axis: int | Sequence[int] | None = None):
    """jnp.squeeze: remove size-1 axes (all of them, or those in `axis`, which must have size 1)."""
    a = _arr("squeeze", a)
    s = tuple(a.shape)
    if axis is None:
        dims = tuple(i for i, d in enumerate(s) if d == 1)
    else:
        dims = _axes("squeeze", axis, len(s))
        for d in dims:
            if s[d] != 1:
                raise ValueError(
                    f"jnp.squeeze: cannot select axis {d} to squeeze out: it has size {s[d]}, not 1 "
                    f"(array shape {s})"
                )
    return lax_shape.squeeze(a, dims) if dims else a


def expand_dims(a, axis: int | Sequence[int]):
    """jnp.expand_dims: insert size-1 axes at the positions `axis` of the result."""
    a = _arr("expand_dims", a)
    n = 1 if not isinstance(axis, (list, tuple)) else len(axis)
    dims = _axes("expand_dims", axis, a.ndim + n)
    return lax_shape.expand_dims(a, dims)


def transpose(a, axes: Sequence[int] | None = None):
    """jnp.transpose: permute the axes (reverse them when `axes` is None)."""
    a = _arr("transpose", a)
    n = a.ndim
    if axes is None:
        perm = tuple(range(n - 1, -1, -1))
    else:
        axes = tuple(np.asarray(axes).reshape(-1).tolist()) if not isinstance(axes, (list, tuple)) else axes
        if len(axes) != n:  # a TypeError, as in JAX
            raise TypeError(
                f"jnp.transpose: axes {tuple(axes)} do not match an array of rank {n} (shape {a.shape})"
            )
        perm = tuple(_axis("transpose", ax, n) for ax in axes)
        if len(set(perm)) != n:  # a TypeError, as in JAX
            raise TypeError(f"jnp.transpose: axes {tuple(axes)} are not a permutation of the axes of an array "
                            f"of rank {n}")
    return a if perm == tuple(range(n)) else lax_shape.transpose(a, perm)


def permute_dims(a, axes: Sequence[int]):
    """jnp.permute_dims: the array-API name of transpose."""
    return transpose(a, axes)


def _transpose_method(self, *axes):
    """x.transpose(), x.transpose(1, 0) or x.transpose((1, 0))."""
    if not axes or (len(axes) == 1 and axes[0] is None):
        return transpose(self)
    if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
        return transpose(self, axes[0])
    return transpose(self, axes)


def matrix_transpose(x):
    """jnp.matrix_transpose: swap the last two axes."""
    x = _arr("matrix_transpose", x)
    if x.ndim < 2:
        raise ValueError(f"jnp.matrix_transpose: needs an array of rank >= 2, got shape {x.shape}")
    return swapaxes(x, -1, -2)


def swapaxes(a, axis1: int, axis2: int):
    """jnp.swapaxes: exchange two axes."""
    a = _arr("swapaxes", a)
    i, j = _axis("swapaxes", axis1, a.ndim), _axis("swapaxes", axis2, a.ndim)
    perm = list(range(a.ndim))
    perm[i], perm[j] = perm[j], perm[i]
    return a if i == j else lax_shape.transpose(a, perm)


def moveaxis(a, source, destination):
    """jnp.moveaxis: move axes to new positions; the others keep their order."""
    a = _arr("moveaxis", a)
    try:
        src = _axes("moveaxis", source, a.ndim)
        dst = _axes("moveaxis", destination, a.ndim)
    except AxisError:
        raise
    except ValueError as e:  # repeated axes: not a permutation, a TypeError as in JAX
        raise TypeError(str(e)) from None
    if len(src) != len(dst):
        raise ValueError(
            f"jnp.moveaxis: source {source!r} and destination {destination!r} need the same number of axes"
        )
    perm = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return a if perm == list(range(a.ndim)) else lax_shape.transpose(a, perm)


# ---------------------------------------------------------------------------- broadcast

def broadcast_shapes(*shapes) -> tuple:
    """jnp.broadcast_shapes: the NumPy broadcast of the given shapes."""
    shapes = [_shape_tuple("broadcast_shapes", s) for s in shapes]
    if not shapes:
        return ()
    try:
        return tuple(_broadcast_shapes("jnp.broadcast_shapes", *shapes))
    except TypeError as e:  # (a TypeError between shapes of one rank; jnp.broadcast_shapes raises ValueError, as JAX)
        raise ValueError(str(e)) from None


def broadcast_to(array, shape):
    """jnp.broadcast_to: NumPy broadcasting of `array` to `shape` (a read-only-free copy)."""
    a = _arr("broadcast_to", array)
    target = _shape_tuple("broadcast_to", shape)
    s = tuple(a.shape)
    lead = len(target) - len(s)
    if any(t < 0 for t in target):  # a TypeError, as in JAX
        raise TypeError(f"jnp.broadcast_to: shape must have every element be nonnegative, got {target}")
    if lead < 0 or any(d not in (1, t) for d, t in zip(s, target[lead:])):
        raise ValueError(f"jnp.broadcast_to: cannot broadcast an array of shape {s} to shape {target}")
    if s == target:
        return a
    return lax_shape.broadcast_in_dim(a, target, tuple(range(lead, len(target))))


def broadcast_arrays(*args) -> list:
    """jnp.broadcast_arrays: the arguments broadcast against each other."""
    arrays = [_arr("broadcast_arrays", a) for a in args]
    target = broadcast_shapes(*[tuple(a.shape) for a in arrays])
    return [broadcast_to(a, target) for a in arrays]


def _atleast(fname: str, n: int, arys):
    out = []
    for x in arys:
        x = _arr(fname, x)
        s = tuple(x.shape)
        if len(s) < n:
            if n == 3 and len(s) == 2:
                s = s + (1,)
            elif n == 3 and len(s) == 1:
                s = (1,) + s + (1,)
            else:
                s = (1,) * (n - len(s)) + s
            x = lax_shape.reshape(x, s)
        out.append(x)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    """jnp.atleast_1d: scalars become shape (1,); one argument gives an array, several a list."""
    return _atleast("atleast_1d", 1, arys)


def atleast_2d(*arys):
    """jnp.atleast_2d: (n,) becomes (1, n)."""
    return _atleast("atleast_2d", 2, arys)


def atleast_3d(*arys):
    """jnp.atleast_3d: (n,) becomes (1, n, 1) and (m, n) becomes (m, n, 1)."""
    return _atleast("atleast_3d", 3, arys)


# ------------------------------------------------------------------- tile and repeat

def tile(A, reps):
    """jnp.tile: repeat the whole array `reps` times along each axis."""
    a = _arr("tile", A)
    reps = _shape_tuple("tile", reps)
    if any(r < 0 for r in reps):
        raise ValueError(f"jnp.tile: repetitions must be non-negative, got {reps}")
    d = builtins.max(len(reps), a.ndim)
    s = (1,) * (d - a.ndim) + tuple(a.shape)
    reps = (1,) * (d - len(reps)) + reps
    if s != tuple(a.shape):
        a = lax_shape.reshape(a, s)
    if all(r == 1 for r in reps):
        return a
    target, dims = [], []
    for i, (r, n) in enumerate(zip(reps, s)):
        target += [r, n]
        dims.append(2 * i + 1)
    out = lax_shape.broadcast_in_dim(a, target, dims)
    return lax_shape.reshape(out, tuple(r * n for r, n in zip(reps, s)))


def _repeat_along(a, reps: list, ax: int):
    """Each slice i of `a` along ax repeated reps[i] times (runs of single repeats kept whole)."""
    s = list(a.shape)
    pieces = []
    i, n = 0, s[ax]
    while i < n:
        if reps[i] == 1:
            j = i
            while j < n and reps[j] == 1:
                j += 1
            pieces.append(lax_shape.slice_in_dim(a, i, j, 1, ax))
            i = j
            continue
        if reps[i] > 0:
            piece = lax_shape.slice_in_dim(a, i, i + 1, 1, ax)
            pieces.append(lax_shape.broadcast_in_dim(piece, s[:ax] + [reps[i]] + s[ax + 1:], range(len(s))))
        i += 1
    if not pieces:
        return lax_shape.slice_in_dim(a, 0, 0, 1, ax)
    return lax_shape.concatenate(pieces, ax)


def repeat(a, repeats, axis: int | None = None, *, total_repeat_length: int | None = None):
    """jnp.repeat: repeat each element (an int, or one count per element along `axis`).

    total_repeat_length truncates the result, or extends it with the last element along
    the axis, as in JAX. Counts given as an array must be concrete (not traced).
    """
    a = _arr("repeat", a)
    if isinstance(repeats, (list, tuple)):
        raise TypeError("jnp.repeat: repeats must be an int or an array, not a list (as in JAX); "
                        "wrap it with jnp.array(...)")
    if axis is None:
        a = ravel(a)
        ax = 0
    else:
        ax = _axis("repeat", axis, a.ndim)
    s = list(a.shape)
    n = s[ax]
    reps = _concrete("repeat", repeats, "repeats (the counts must be known when tracing)")
    if reps.dtype.kind not in "biu":
        raise TypeError(f"jnp.repeat: repeats must be integers, got dtype {reps.dtype}")
    if np.any(reps < 0):  # a TypeError, as in JAX
        raise TypeError(f"jnp.repeat: repeats may not be negative, got {repeats!r}")
    if reps.ndim == 0 or reps.size == 1:
        r = int(reps.reshape(()))
        if r == 1:
            out = a
        else:
            wide = lax_shape.broadcast_in_dim(
                a, s[:ax + 1] + [r] + s[ax + 1:], [i + (i > ax) for i in range(len(s))])
            out = lax_shape.reshape(wide, s[:ax] + [n * r] + s[ax + 1:])
        total = n * r
    else:
        if reps.ndim != 1 or reps.size != n:
            raise ValueError(
                f"jnp.repeat: repeats of shape {reps.shape} do not match axis {ax} of size {n} "
                f"(array shape {tuple(s)})"
            )
        out = _repeat_along(a, [int(r) for r in reps], ax)
        total = int(reps.sum())
    if total_repeat_length is None:
        return out
    length = _index("repeat", total_repeat_length, "total_repeat_length")
    if length < total:
        return lax_shape.slice_in_dim(out, 0, length, 1, ax)
    if length > total:
        if n == 0:
            raise ValueError(f"jnp.repeat: cannot extend an empty axis to total_repeat_length={length}")
        last = lax_shape.slice_in_dim(a, n - 1, n, 1, ax)
        fill = lax_shape.broadcast_in_dim(last, s[:ax] + [length - total] + s[ax + 1:], range(len(s)))
        return lax_shape.concatenate([out, fill], ax)
    return out


# ------------------------------------------------------------------- flips and rolls

def flip(m, axis: int | Sequence[int] | None = None):
    """jnp.flip: reverse the order of elements along `axis` (all axes when None)."""
    m = _arr("flip", m)
    dims = tuple(range(m.ndim)) if axis is None else _axes("flip", axis, m.ndim)
    return lax_shape.rev(m, dims) if dims else m


def fliplr(m):
    """jnp.fliplr: reverse axis 1 (rank >= 2)."""
    m = _arr("fliplr", m)
    if m.ndim < 2:
        raise ValueError(f"jnp.fliplr: needs an array of rank >= 2, got shape {m.shape}")
    return lax_shape.rev(m, (1,))


def flipud(m):
    """jnp.flipud: reverse axis 0 (rank >= 1)."""
    m = _arr("flipud", m)
    if m.ndim < 1:
        raise ValueError("jnp.flipud: needs an array of rank >= 1, got a 0-d array")
    return lax_shape.rev(m, (0,))


def _roll_axis(a, shift: int, ax: int):
    n = a.shape[ax]
    if n == 0 or shift % n == 0:
        return a
    k = shift % n
    return lax_shape.concatenate(
        [lax_shape.slice_in_dim(a, n - k, n, 1, ax), lax_shape.slice_in_dim(a, 0, n - k, 1, ax)], ax)


def roll(a, shift, axis: int | Sequence[int] | None = None):
    """jnp.roll: shift elements cyclically along axes (the flattened array when axis is None).

    The shift is static: a traced shift raises a ConcretizationTypeError.
    """
    a = _arr("roll", a)
    shifts = _concrete("roll", shift, "shift (the shift must be known when tracing)")
    if shifts.dtype.kind not in "biu":
        raise TypeError(f"jnp.roll: shift must be an integer or a sequence of integers, got {shift!r}")
    if axis is None:
        flat = _roll_axis(ravel(a), int(shifts.sum()), 0)
        return lax_shape.reshape(flat, a.shape) if a.ndim != 1 else flat
    axes = np.asarray(axis)
    try:
        shifts, axes = np.broadcast_arrays(shifts, axes)
    except ValueError:
        raise ValueError(f"jnp.roll: shift {shift!r} and axis {axis!r} do not broadcast together") from None
    total: dict = {}
    for sh, ax in zip(shifts.reshape(-1), axes.reshape(-1)):
        ax = _axis("roll", int(ax), a.ndim)
        total[ax] = total.get(ax, 0) + int(sh)
    for ax, sh in total.items():
        a = _roll_axis(a, sh, ax)
    return a


def rot90(m, k: int = 1, axes: tuple = (0, 1)):
    """jnp.rot90: rotate by 90 degrees k times in the plane of `axes` (from the first toward the second)."""
    m = _arr("rot90", m)
    if m.ndim < 2:
        raise ValueError(f"jnp.rot90: needs an array of rank >= 2, got shape {m.shape}")
    if len(axes) != 2:
        raise ValueError(f"jnp.rot90: axes must name two axes, got {axes!r}")
    a0, a1 = _axis("rot90", axes[0], m.ndim), _axis("rot90", axes[1], m.ndim)
    if a0 == a1:
        raise ValueError(f"jnp.rot90: the two axes must differ, got {axes!r}")
    k = _index("rot90", k, "k") % 4
    if k == 0:
        return m
    if k == 2:
        return lax_shape.rev(m, tuple(sorted((a0, a1))))
    perm = list(range(m.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return lax_shape.transpose(lax_shape.rev(m, (a1,)), perm)
    return lax_shape.rev(lax_shape.transpose(m, perm), (a1,))


# ---------------------------------------------------------------------------- diagonals

def diagonal(a, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """jnp.diagonal: the diagonal of the (axis1, axis2) planes, as the last axis of the result."""
    a = _arr("diagonal", a)
    if a.ndim < 2:
        raise ValueError(f"jnp.diagonal: needs an array of rank >= 2, got shape {a.shape}")
    i, j = _axis("diagonal", axis1, a.ndim), _axis("diagonal", axis2, a.ndim)
    if i == j:
        raise TypeError(f"jnp.diagonal: axis1 and axis2 must differ, got {axis1} and {axis2}")
    k = _index("diagonal", offset, "offset")
    rest = [d for d in range(a.ndim) if d not in (i, j)]
    perm = rest + [i, j]
    if perm != list(range(a.ndim)):
        a = lax_shape.transpose(a, perm)
    lead = tuple(a.shape[:-2])
    n, m = a.shape[-2], a.shape[-1]
    count = builtins.max(0, builtins.min(n, m - k) if k >= 0 else builtins.min(n + k, m))
    flat = lax_shape.reshape(a, lead + (n * m,))
    if count == 0:
        return lax_shape.slice_in_dim(flat, 0, 0, 1, len(lead))
    start = k if k >= 0 else -k * m
    return lax_shape.slice_in_dim(flat, start, start + (count - 1) * (m + 1) + 1, m + 1, len(lead))


def _diag_matrix(v, k: int):
    """The square matrix with the 1-D `v` on its k-th diagonal and zeros elsewhere."""
    n = v.shape[0]
    size = n + builtins.abs(k)
    if n == 0:
        return lax_shape.reshape(lax_shape.pad(v, _zero_like(v), ((0, size * size, 0),)), (size, size))
    start = k if k >= 0 else -k * size
    used = n + (n - 1) * size
    flat = lax_shape.pad(v, _zero_like(v), ((start, size * size - start - used, size),))
    return lax_shape.reshape(flat, (size, size))


def diag(v, k: int = 0):
    """jnp.diag: a 1-D array becomes a diagonal matrix; a 2-D array gives its k-th diagonal."""
    v = _arr("diag", v)
    k = _index("diag", k, "k")
    if v.ndim == 1:
        return _diag_matrix(v, k)
    if v.ndim == 2:
        return diagonal(v, k)
    raise ValueError(f"jnp.diag: input must be 1-D or 2-D, got shape {v.shape}")


def diagflat(v, k: int = 0):
    """jnp.diagflat: the flattened input on the k-th diagonal of a square matrix."""
    return _diag_matrix(ravel(_arr("diagflat", v)), _index("diagflat", k, "k"))


def _tri_select(fname: str, m, k, lower: bool):
    m = _arr(fname, m)
    if m.ndim < 2:
        raise ValueError(f"jnp.{fname}: needs an array of rank >= 2, got shape {m.shape}")
    k = _index(fname, k, "k")
    n, c = m.shape[-2], m.shape[-1]
    keep = np.tri(n, c, k, dtype=bool) if lower else ~np.tri(n, c, k - 1, dtype=bool)
    return ew.select_n(wrap(keep), _zero_like(m), m)


def tril(m, k: int = 0):
    """jnp.tril: zero the elements above the k-th diagonal of the last two axes."""
    return _tri_select("tril", m, k, lower=True)


def triu(m, k: int = 0):
    """jnp.triu: zero the elements below the k-th diagonal of the last two axes."""
    return _tri_select("triu", m, k, lower=False)


# ----------------------------------------------------------------------- where / select

def _as_bool(fname: str, c):
    c = _arr(fname, c)
    return c if c.dtype == np.bool_ else ew.ne(c, 0)


def where(condition, x=None, y=None, *, size=None, fill_value=None):
    """jnp.where(condition, x, y): x where condition is true, else y (broadcast together).

    With only `condition` it is jnp.nonzero: a tuple of index arrays. Its shape depends on
    the values, so under transformations give a static `size` (and `fill_value`).
    """
    if x is None and y is None:
        from .indexing import nonzero  # noqa: PLC0415  (indexing imports this module)

        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise TypeError("jnp.where: give both x and y, or neither")
    cond = _as_bool("where", condition)
    x, y = promote_args("where", x, y)
    shapes = (tuple(cond.shape), tuple(x.shape), tuple(y.shape))
    if not shapes[0] == shapes[1] == shapes[2]:
        broadcast_shapes(*shapes)  # a ValueError when they do not broadcast, as in JAX (eager or traced)
    return ew.select_n(cond, y, x)


def select(condlist, choicelist, default=0):
    """jnp.select: for each element, the choice of the first true condition (else default)."""
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"jnp.select: condlist and choicelist must have the same length, got {len(condlist)} "
            f"and {len(choicelist)}"
        )
    if not condlist:
        raise ValueError("jnp.select: condlist must not be empty")
    conds = []
    for i, c in enumerate(condlist):
        c = _arr("select", c)
        if c.dtype != np.bool_:
            raise TypeError(f"jnp.select: condition {i} must be a boolean array, got dtype {c.dtype}")
        conds.append(c)
    *choices, out = promote_args("select", *choicelist, default)
    for c, v in zip(reversed(conds), reversed(choices)):
        out = ew.select_n(c, out, v)
    return out


# ------------------------------------------------------------------------------ astype

def astype(x, dtype, /, *, copy: bool = False, device=None):
    """jnp.astype / x.astype(dtype): convert to `dtype` (complex to real drops the imaginary part).

    `copy` has no visible effect (arrays are immutable); `device` must be None (one CPU device)."""
    if device is not None:
        raise NotImplementedError(f"jnp.astype: device={device!r} is not supported; nablax has one device, the CPU "
                                  "(pass device=None)")
    x = _arr("astype", x)
    dt = dtypes.check_user_dtype(dtype, "astype")
    return convert_element_type(x, dt)


def _astype_method(self, dtype, copy: bool = False, device=None):
    return astype(self, dtype, copy=copy, device=device)


def _flatten_method(self, order: str = "C"):
    _check_order("flatten", order)
    return lax_shape.reshape(self, (self.size,))


__all__ = [
    "shape", "ndim", "size",
    "reshape", "ravel", "squeeze", "expand_dims", "transpose", "permute_dims", "matrix_transpose",
    "swapaxes", "moveaxis",
    "broadcast_shapes", "broadcast_to", "broadcast_arrays", "atleast_1d", "atleast_2d", "atleast_3d",
    "tile", "repeat", "flip", "fliplr", "flipud", "roll", "rot90",
    "diagonal", "diag", "diagflat", "tril", "triu",
    "where", "select", "astype",
]

METHODS = {
    "reshape": _reshape_method,
    "ravel": ravel,
    "flatten": _flatten_method,
    "transpose": _transpose_method,
    "T": property(lambda self: transpose(self)),
    "mT": property(matrix_transpose),
    "squeeze": squeeze,
    "swapaxes": swapaxes,
    "repeat": repeat,
    "diagonal": diagonal,
    "astype": _astype_method,
}
