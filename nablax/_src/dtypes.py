"""Dtypes: JAX's promotion lattice, weak types and x64 canonicalization.

Python scalars are *weakly typed*: they adopt the width of the strong value they
meet. Promotion is the least upper bound on a small DAG whose nodes are the
supported dtypes plus three weak nodes, ``int*``, ``float*`` and ``complex*``.
With x64 off every result is narrowed to 32 bits (``canonicalize_dtype``).
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any

import numpy as np

from nablax._src.config import dtype_promotion_flag, x64_flag
from nablax._src.errors import TypePromotionError

try:  # bfloat16 only when ml_dtypes is installed
    import ml_dtypes as _ml_dtypes
except ImportError:  # pragma: no cover - depends on the environment
    _ml_dtypes = None

float0 = np.dtype([("float0", np.void, 0)])
bool_ = np.dtype(bool)
int8, int16, int32, int64 = (np.dtype(f"int{n}") for n in (8, 16, 32, 64))
uint8, uint16, uint32, uint64 = (np.dtype(f"uint{n}") for n in (8, 16, 32, 64))
float16, float32, float64 = (np.dtype(f"float{n}") for n in (16, 32, 64))
complex64, complex128 = np.dtype("complex64"), np.dtype("complex128")
bfloat16: np.dtype | None = np.dtype(_ml_dtypes.bfloat16) if _ml_dtypes else None

_TO_32 = {float64: float32, int64: int32, uint64: uint32, complex128: complex64}


def default_float_dtype() -> np.dtype:
    """float64 with x64 on, else float32."""
    return float64 if x64_flag.value else float32


def default_int_dtype() -> np.dtype:
    """int64 with x64 on, else int32."""
    return int64 if x64_flag.value else int32


def default_uint_dtype() -> np.dtype:
    """uint64 with x64 on, else uint32."""
    return uint64 if x64_flag.value else uint32


def default_complex_dtype() -> np.dtype:
    """complex128 with x64 on, else complex64."""
    return complex128 if x64_flag.value else complex64


_DEFAULT_OF_KIND = {"b": lambda: bool_, "i": default_int_dtype, "u": default_uint_dtype,
                    "f": default_float_dtype, "c": default_complex_dtype}

# ---------------------------------------------------------------- the lattice
# Node names are strings: dtype names for strong types, "int*" etc. for weak ones.
# (Strings avoid np.dtype.__eq__'s coercion, under which dtype('int64') == int.)
_EDGES: dict[str, tuple[str, ...]] = {
    "bool": ("int*",),
    "int*": ("uint8", "int8"),
    "uint8": ("uint16", "int16"), "uint16": ("uint32", "int32"),
    "uint32": ("uint64", "int64"), "uint64": ("float*",),
    "int8": ("int16",), "int16": ("int32",), "int32": ("int64",), "int64": ("float*",),
    "float*": ("float16", "complex*") + (("bfloat16",) if bfloat16 else ()),
    "float16": ("float32",), "float32": ("float64", "complex64"), "float64": ("complex128",),
    "complex*": ("complex64",), "complex64": ("complex128",), "complex128": (),
}
if bfloat16 is not None:
    _EDGES["bfloat16"] = ("float32",)

# ml_dtypes' narrow types (as in JAX): reached from the weak int / float nodes (so bool and
# Python scalars promote to them) but promoting with no other dtype (TypePromotionError).
_NARROW_INT_NAMES = ("int1", "int2", "int4", "uint1", "uint2", "uint4")
_NARROW_FLOAT_NAMES = ("float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3",
                       "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
                       "float8_e8m0fnu")
NARROW_DTYPES: dict[str, np.dtype] = {
    n: np.dtype(getattr(_ml_dtypes, n)) for n in _NARROW_INT_NAMES + _NARROW_FLOAT_NAMES
    if _ml_dtypes is not None and hasattr(_ml_dtypes, n)}
for _n in NARROW_DTYPES:
    _EDGES[_n] = ()
    _weak = "float*" if _n.startswith("float") else "int*"
    _EDGES[_weak] = _EDGES[_weak] + (_n,)

_WEAK_NODES = {"int*": "i", "float*": "f", "complex*": "c"}
# The dtype of each strong node (np.dtype("int4") would be NumPy's 4-byte int32).
_NODE_DTYPE: dict[str, np.dtype] = {
    n: NARROW_DTYPES[n] if n in NARROW_DTYPES else bfloat16 if n == "bfloat16" else np.dtype(n)
    for n in _EDGES if n not in _WEAK_NODES}
_KIND = {n: _WEAK_NODES.get(n) or ("u" if n.startswith("uint") else "i" if n.startswith("int") else
                                   "f" if n.startswith(("float", "bfloat")) else _NODE_DTYPE[n].kind) for n in _EDGES}
_NODE_OF_WEAK_KIND = {"b": "bool", "i": "int*", "u": "int*", "f": "float*", "c": "complex*"}
# np.dtype.name is slow (microseconds), so dtypes are mapped to nodes through a dict.
_DTYPE_NODE = {d: n for n, d in _NODE_DTYPE.items()}


def _node(d: np.dtype) -> str | None:
    """The lattice node of a dtype, or None when the dtype is unsupported."""
    n = _DTYPE_NODE.get(d)
    if n is None and d.byteorder not in "=|":
        n = _DTYPE_NODE.get(d.newbyteorder("="))
    return n


def _upper_sets() -> dict[str, frozenset[str]]:
    up: dict[str, frozenset[str]] = {}

    def visit(n: str) -> frozenset[str]:
        if n not in up:
            up[n] = frozenset({n}).union(*(visit(m) for m in _EDGES[n]))
        return up[n]

    for n in _EDGES:
        visit(n)
    return up


_UP = _upper_sets()


def _join2(a: str, b: str) -> str | None:
    """The least upper bound of two nodes; None when they have no common upper bound."""
    common = _UP[a] & _UP[b]
    least = [n for n in common if _UP[n] == common]
    assert len(least) <= 1, (a, b)
    return least[0] if least else None


_JOIN = {(a, b): _join2(a, b) for a in _EDGES for b in _EDGES}


def _join(nodes: list[str]) -> str:
    out = nodes[0]
    for n in nodes[1:]:
        joined = _JOIN[out, n]
        if joined is None:
            names = ", ".join(repr(m) for m in nodes)
            raise TypePromotionError(
                f"Input dtypes ({names}) have no available implicit dtype promotion path. The narrow "
                "ml_dtypes types (1/2/4-bit integers, 4/6/8-bit floats) promote only with themselves, bool "
                "and Python scalars; convert explicitly, e.g. x.astype('float32')")
        out = joined
    return out


# ---------------------------------------------------------- canonicalization
_CANON: dict = {}


def _bad_dtype(value: Any, where: str) -> TypeError:
    return TypeError(f"{where}: {value!r} (of type {type(value).__name__}) is not a valid "
                     "dtype; expected e.g. 'float32', jnp.int32 or a numpy dtype")


def canonicalize_dtype(dtype: Any) -> np.dtype:
    """np.dtype(dtype), narrowed to 32 bits when x64 is off (float→float32, int→int32)."""
    key = (dtype, x64_flag.value)
    with contextlib.suppress(KeyError, TypeError):  # TypeError: an unhashable dtype-like
        return _CANON[key]
    try:
        d = np.dtype(dtype)
    except (TypeError, ValueError):
        raise _bad_dtype(dtype, "canonicalize_dtype") from None
    if d.byteorder not in "=|" and d.names is None:
        d = d.newbyteorder("=")
    if not key[1]:
        d = _TO_32.get(d, d)
    with contextlib.suppress(TypeError):  # unhashable dtype-like, e.g. a list of fields
        _CANON[key] = d
    return d


def check_user_dtype(dtype: Any, where: str, stacklevel: int = 3) -> np.dtype:
    """Canonicalize a user's ``dtype=`` argument of ``where`` (e.g. "jnp.zeros").

    None is rejected: callers substitute their own default first. Asking for a
    64-bit type while x64 is off warns (not for the builtins float/int/complex).
    """
    if dtype is None or isinstance(dtype, (bool, int, float, complex)):
        raise _bad_dtype(dtype, where)
    try:
        d = np.dtype(dtype)
    except (TypeError, ValueError):
        raise _bad_dtype(dtype, where) from None
    if _node(d) is None and d != float0:
        raise TypeError(f"{where}: dtype {d} (from {dtype!r}) is not supported; use a bool, "
                        "integer, floating or complex dtype")
    out = canonicalize_dtype(d)
    builtin = dtype is float or dtype is int or dtype is complex
    if out.itemsize < d.itemsize and not builtin:
        warnings.warn(f"{where}: dtype {d.name} requested but 64-bit types are disabled; using "
                      f"{out.name}. Enable them with nablax.config.update('jax_enable_x64', True).",
                      UserWarning, stacklevel=stacklevel)
    return out


# ------------------------------------------------------------------ predicates
def kind(dtype: Any) -> str:
    """The dtype's kind letter ("b", "i", "u", "f", "c"), with bfloat16 and ml_dtypes' narrow
    types (NumPy kind "V") as the kind they stand for."""
    d = np.dtype(dtype)
    n = _node(d)
    return d.kind if n is None else _KIND[n]


_kind = kind


def is_array_dtype(dtype: np.dtype) -> bool:
    """Whether Arrays hold this dtype: bool, integer, floating, complex, bfloat16 and ml_dtypes'
    narrow types (the last two have NumPy kind "V")."""
    return dtype.kind in "biufc" or dtype in _DTYPE_NODE


class extended:  # noqa: N801  (JAX's spelling)
    """JAX's abstract dtype of non-numeric element types (here: typed PRNG keys)."""


class prng_key(extended):  # noqa: N801
    """JAX's abstract dtype of typed PRNG keys: `issubdtype(random.key(0).dtype, prng_key)`."""


def _ml_dtype(a: Any) -> np.dtype | None:
    """bfloat16 or a narrow ml_dtypes type, given as a dtype, scalar type or name; else None."""
    if isinstance(a, (np.dtype, str)) or (isinstance(a, type) and issubclass(a, np.generic)):
        try:
            d = np.dtype(a)
        except (TypeError, ValueError):
            return None
        n = _DTYPE_NODE.get(d)
        if n == "bfloat16" or n in NARROW_DTYPES:
            return d
    return None


def issubdtype(a: Any, b: Any) -> bool:
    """np.issubdtype, also placing bfloat16 and ml_dtypes' narrow floats under np.floating, the
    narrow integers under np.signedinteger / np.unsignedinteger, and typed PRNG key dtypes
    (`key<fry>`) under prng_key."""
    if getattr(a, "_is_prng_key", False):
        return b is prng_key or b is extended or getattr(b, "_is_prng_key", False)
    if b is prng_key or b is extended:
        return False
    ml = _ml_dtype(a)
    if ml is not None:
        if isinstance(b, type) and b in (np.generic, np.number, np.inexact, np.floating, np.integer,
                                          np.signedinteger, np.unsignedinteger):
            kind = _KIND[_DTYPE_NODE[ml]]
            stand_in = {"f": np.floating, "i": np.signedinteger, "u": np.unsignedinteger}[kind]
            return issubclass(stand_in, b)
        other = _ml_dtype(b)
        return other is not None and other == ml
    return bool(np.issubdtype(a, b))


def is_bool(dtype: Any) -> bool:
    return _kind(dtype) == "b"


def is_integer(dtype: Any) -> bool:
    """Signed or unsigned integer (not bool)."""
    return _kind(dtype) in "iu"


def is_float(dtype: Any) -> bool:
    return _kind(dtype) == "f"


def is_complex(dtype: Any) -> bool:
    return _kind(dtype) == "c"


def is_inexact(dtype: Any) -> bool:
    """Floating or complex."""
    return _kind(dtype) in "fc"


def to_inexact_dtype(dtype: Any) -> np.dtype:
    """bool/int → float; float/complex unchanged (as for sin(int)).

    As in JAX, the float is float32 for bool and integers of up to 32 bits even with
    x64 on (sin of an int32 array is float32); only 64-bit integers give float64.
    """
    if _kind(dtype) not in "biu":
        return np.dtype(dtype)
    return float64 if x64_flag.value and np.dtype(dtype).itemsize == 8 else float32


def complex_to_real(dtype: Any) -> np.dtype:
    """complex64 → float32, complex128 → float64; real dtypes unchanged."""
    d = np.dtype(dtype)
    return {complex64: float32, complex128: float64}.get(d, d)


def finfo(dtype: Any) -> Any:
    """Machine limits of a floating dtype (builtin float means the default float)."""
    d = canonicalize_dtype(dtype) if dtype is float or dtype is complex else np.dtype(dtype)
    if _ml_dtype(d) is not None:
        return _ml_dtypes.finfo(d)
    return np.finfo(d)


def iinfo(dtype: Any) -> np.iinfo:
    """Machine limits of an integer dtype (builtin int means the default int)."""
    d = canonicalize_dtype(dtype) if dtype is int else np.dtype(dtype)
    return _ml_dtypes.iinfo(d) if _ml_dtype(d) is not None else np.iinfo(d)


# ----------------------------------------------------------------- promotion
_PY_SCALARS: dict[type, tuple[np.dtype, bool]] = {
    bool: (bool_, False), int: (int64, True), float: (float64, True), complex: (complex128, True)}


def _dtype_like(x: Any, where: str) -> tuple[np.dtype, bool]:
    """(dtype, weak) of a dtype specifier; the builtins int/float/complex are weak."""
    if isinstance(x, np.dtype):
        return x, False
    if x is int or x is float or x is complex or x is bool:
        return _PY_SCALARS[x]
    if not isinstance(x, (str, type)):
        raise _bad_dtype(x, where)
    try:
        d = np.dtype(x)
    except (TypeError, ValueError):
        raise _bad_dtype(x, where) from None
    if _node(d) is None:
        raise _bad_dtype(x, where)
    return d, False


def _dtype_and_weak(x: Any, where: str = "result_type") -> tuple[np.dtype, bool]:
    """(dtype, weak) of a value, aval-carrying object, or dtype specifier."""
    r = _PY_SCALARS.get(type(x))
    if r is not None:
        return r
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval.dtype, aval.weak_type
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype, False
    if isinstance(x, (int, float, complex)) and not isinstance(x, type):  # scalar subclasses
        return next(v for t, v in _PY_SCALARS.items() if isinstance(x, t))
    dt, wt = getattr(x, "dtype", None), getattr(x, "weak_type", None)
    if isinstance(dt, np.dtype) and isinstance(wt, bool):  # an aval itself
        return dt, wt
    return _dtype_like(x, where)


def _compute(pairs: tuple[tuple[np.dtype, bool], ...]) -> tuple[np.dtype, bool]:
    names = []
    for d, _ in pairs:
        n = _node(d)
        if n is None:
            raise TypeError(f"result_type: dtype {d} is not supported; nablax handles bool, "
                            "integer, floating and complex dtypes")
        names.append(n)
    if dtype_promotion_flag.value == "strict":
        _check_strict(names, pairs)
    if all(w for _, w in pairs):
        node, weak = _join(names), True
    else:
        node = _join([_NODE_OF_WEAK_KIND[_KIND[n]] if w else n
                      for n, (_, w) in zip(names, pairs)])
        weak = node in _WEAK_NODES
    if weak:
        return _DEFAULT_OF_KIND[_KIND[node]](), True
    return canonicalize_dtype(_NODE_DTYPE[node]), False


# Under strict promotion a weak scalar joins only strong dtypes of these kinds, and all
# strong dtypes must be the same.
_STRICT_WEAK_JOINS = {"i": "iufc", "f": "fc", "c": "c"}


def _check_strict(names: list[str], pairs: tuple) -> None:
    strong = {n for n, (_, w) in zip(names, pairs) if not w}
    weak_kinds = {_KIND[n] for n, (_, w) in zip(names, pairs) if w}
    ok = len(strong) <= 1 and all(_KIND[s] in _STRICT_WEAK_JOINS[k] for s in strong for k in weak_kinds)
    if not ok:
        shown = tuple(f"<class '{ {'i': 'int', 'f': 'float', 'c': 'complex'}[_KIND[n]]}'>" if w else n
                      for n, (_, w) in zip(names, pairs))
        raise TypePromotionError(
            f"Input dtypes {shown} have no available implicit dtype promotion path when "
            "jax_numpy_dtype_promotion=strict. Try explicitly casting inputs to the desired output "
            "type, or set jax_numpy_dtype_promotion=standard.")


def _promotion_changed() -> None:
    _RESULT.clear()  # the cache holds answers computed under the previous rule


_RESULT: dict = {}
dtype_promotion_flag.on_change = _promotion_changed


def result_type(*args: Any, return_weak_type_flag: bool = False) -> Any:
    """The dtype JAX's promotion gives ``args`` (values, avals or dtype specifiers).

    Python int/float/complex values and the builtin types are weak, bool is strong.
    The result is canonicalized; with ``return_weak_type_flag`` returns
    ``(dtype, weak)``, weak when the lattice's answer is a weak node.
    """
    key: list = [x64_flag.value]
    for x in args:  # the common case (arrays, tracers) inlined: this runs on every op
        aval = getattr(x, "aval", None)
        key.append((aval.dtype, aval.weak_type) if aval is not None else _dtype_and_weak(x))
    try:
        out = _RESULT[tuple(key)]
    except KeyError:
        if not args:
            raise ValueError("result_type: at least one array or dtype is required") from None
        if len(_RESULT) > 4096:
            _RESULT.clear()
        out = _RESULT[tuple(key)] = _compute(tuple(key[1:]))
    return out if return_weak_type_flag else out[0]


def promote_types(a: Any, b: Any) -> np.dtype:
    """JAX's promotion of two dtype specifiers (builtin int/float/complex are weak), canonicalized."""
    key = (x64_flag.value, _dtype_like(a, "promote_types"), _dtype_like(b, "promote_types"))
    try:
        return _RESULT[key][0]
    except KeyError:
        out = _RESULT[key] = _compute(key[1:])
        return out[0]


def dtype_of(x: Any) -> np.dtype:
    """The canonical dtype of a value (2.0 → float32 with x64 off)."""
    d = _dtype_and_weak(x, "dtype_of")[0]
    if _node(d) is None and d != float0:
        raise TypeError(f"dtype_of: {type(x).__name__} of dtype {d} is not supported; nablax "
                        "handles bool, integer, floating and complex dtypes")
    return canonicalize_dtype(d)


def is_weakly_typed(x: Any) -> bool:
    """True for Python int/float/complex (values or types) and weak-typed arrays/tracers."""
    return bool(_dtype_and_weak(x, "is_weakly_typed")[1])

