"""Tests for nablax._src.dtypes: JAX's promotion lattice, weak types, x64."""
from __future__ import annotations

import enum
import itertools
import warnings

import numpy as np
import pytest

from nablax._src import dtypes
from nablax._src.config import config

# JAX's documented promotion table ("Type promotion semantics", docs.jax.dev).
# Codes: kind + itemsize in bytes; bf = bfloat16; i*/f*/c* = weak int/float/complex.
_JAX_TABLE = """
     b1  u1  u2  u4  u8  i1  i2  i4  i8  bf  f2  f4  f8  c8  c16 i*  f*  c*
b1   b1  u1  u2  u4  u8  i1  i2  i4  i8  bf  f2  f4  f8  c8  c16 i*  f*  c*
u1   u1  u1  u2  u4  u8  i2  i2  i4  i8  bf  f2  f4  f8  c8  c16 u1  f*  c*
u2   u2  u2  u2  u4  u8  i4  i4  i4  i8  bf  f2  f4  f8  c8  c16 u2  f*  c*
u4   u4  u4  u4  u4  u8  i8  i8  i8  i8  bf  f2  f4  f8  c8  c16 u4  f*  c*
u8   u8  u8  u8  u8  u8  f*  f*  f*  f*  bf  f2  f4  f8  c8  c16 u8  f*  c*
i1   i1  i2  i4  i8  f*  i1  i2  i4  i8  bf  f2  f4  f8  c8  c16 i1  f*  c*
i2   i2  i2  i4  i8  f*  i2  i2  i4  i8  bf  f2  f4  f8  c8  c16 i2  f*  c*
i4   i4  i4  i4  i8  f*  i4  i4  i4  i8  bf  f2  f4  f8  c8  c16 i4  f*  c*
i8   i8  i8  i8  i8  f*  i8  i8  i8  i8  bf  f2  f4  f8  c8  c16 i8  f*  c*
bf   bf  bf  bf  bf  bf  bf  bf  bf  bf  bf  f4  f4  f8  c8  c16 bf  bf  c8
f2   f2  f2  f2  f2  f2  f2  f2  f2  f2  f4  f2  f4  f8  c8  c16 f2  f2  c8
f4   f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f8  c8  c16 f4  f4  c8
f8   f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  c16 c16 f8  f8  c16
c8   c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c16 c8  c16 c8  c8  c8
c16  c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16
i*   i*  u1  u2  u4  u8  i1  i2  i4  i8  bf  f2  f4  f8  c8  c16 i*  f*  c*
f*   f*  f*  f*  f*  f*  f*  f*  f*  f*  bf  f2  f4  f8  c8  c16 f*  f*  c*
c*   c*  c*  c*  c*  c*  c*  c*  c*  c*  c8  c8  c8  c16 c8  c16 c*  c*  c*
"""
_HEADER, *_ROWS = [line.split() for line in _JAX_TABLE.strip().splitlines()]
TABLE = {(row[0], col): cell for row in _ROWS for col, cell in zip(_HEADER, row[1:])}

NAMES = {"b1": "bool", "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64",
         "i1": "int8", "i2": "int16", "i4": "int32", "i8": "int64", "f2": "float16",
         "f4": "float32", "f8": "float64", "c8": "complex64", "c16": "complex128"}
NARROW = {"uint64": "uint32", "int64": "int32", "float64": "float32", "complex128": "complex64"}
WEAK_DEFAULT = {"i*": "int64", "f*": "float64", "c*": "complex128"}
WEAK_TYPE = {"i*": int, "f*": float, "c*": complex}
WEAK_VALUE = {"i*": 3, "f*": 2.5, "c*": 1j}
HAVE_BF16 = dtypes.bfloat16 is not None
CODES = [c for c in _HEADER if c != "bf" or HAVE_BF16]


def _np_dtype(code):
    return dtypes.bfloat16 if code == "bf" else np.dtype(NAMES[code])


def _expected(code, x64):
    """(dtype, weak) that JAX gives for a table cell, after canonicalization."""
    weak = code in WEAK_DEFAULT
    if code == "bf":
        return dtypes.bfloat16, False
    name = WEAK_DEFAULT[code] if weak else NAMES[code]
    return np.dtype(name if x64 else NARROW.get(name, name)), weak


def _as_type(code):
    return WEAK_TYPE.get(code) or _np_dtype(code)


def _as_value(code):
    return WEAK_VALUE[code] if code in WEAK_VALUE else np.zeros((2,), _np_dtype(code))


class _Aval:
    def __init__(self, dtype, weak_type=False):
        self.dtype, self.weak_type = np.dtype(dtype), weak_type


class _FakeArray:
    """Stands in for a nablax Array / tracer: anything with an `aval`."""

    def __init__(self, dtype, weak_type=False):
        self.aval = _Aval(dtype, weak_type)


def test_table_is_symmetric_and_complete():
    assert len(TABLE) == 18 * 18
    for a, b in itertools.product(_HEADER, repeat=2):
        assert TABLE[a, b] == TABLE[b, a], (a, b)


@pytest.mark.parametrize("x64", [False, True])
@pytest.mark.parametrize("as_input", [_as_type, _as_value], ids=["types", "values"])
@pytest.mark.parametrize("row", CODES)
def test_promotion_table_exhaustive(row, as_input, x64):
    with config.enable_x64(x64):
        wrong = []
        for col in CODES:
            got = dtypes.result_type(as_input(row), as_input(col), return_weak_type_flag=True)
            want = _expected(TABLE[row, col], x64)
            if got != want:
                wrong.append(f"{row}+{col}: got {got}, want {want}")
        assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("x64", [False, True])
def test_promote_types_strong_and_builtin(x64):
    with config.enable_x64(x64):
        for a, b in itertools.product(CODES, repeat=2):
            got = dtypes.promote_types(_as_type(a), _as_type(b))
            assert got == _expected(TABLE[a, b], x64)[0], (a, b)
        assert dtypes.promote_types("uint8", int) == np.uint8
        assert dtypes.promote_types("float16", float) == np.float16
        assert dtypes.promote_types(np.int32, np.float32) == np.float32


def test_result_type_is_order_independent_over_triples():
    inputs = [_as_type(c) for c in CODES]
    for a, b, c in itertools.product(inputs, repeat=3):
        r = dtypes.result_type(a, b, c, return_weak_type_flag=True)
        assert r == dtypes.result_type(c, b, a, return_weak_type_flag=True)
        assert r == dtypes.result_type(b, a, c, return_weak_type_flag=True)


@pytest.mark.parametrize("args, want, weak", [
    ((np.float32, 2.0), "float32", False),
    ((np.int32, 2.0), "float32", True),
    ((np.uint8, 3), "uint8", False),
    ((np.int8, 3), "int8", False),
    ((np.float16, 3), "float16", False),
    ((np.float16, 1j), "complex64", False),
    ((np.complex64, 2.0), "complex64", False),
    ((np.bool_, 3), "int32", True),
    ((True, 3), "int32", True),
    ((True, 2.0), "float32", True),
    ((True, False), "bool", False),
    ((3, 4), "int32", True),
    ((3, 2.0), "float32", True),
    ((2.0, 1j), "complex64", True),
    ((int, float), "float32", True),
    ((np.int16(1), np.array(1, np.int64)), "int32", False),
    ((np.uint32, np.int32), "int32", False),
    ((np.float64, np.complex64), "complex64", False),
])
def test_weak_cases_x64_off(args, want, weak):
    with config.enable_x64(False):
        assert dtypes.result_type(*args, return_weak_type_flag=True) == (np.dtype(want), weak)
        assert dtypes.result_type(*args) == np.dtype(want)


@pytest.mark.parametrize("args, want, weak", [
    ((np.int32, 2.0), "float64", True),
    ((np.float32, 2.0), "float32", False),
    ((np.bool_, 3), "int64", True),
    ((3, 2.0), "float64", True),
    ((np.float64, 1j), "complex128", False),
    ((np.int16(1), np.array(1, np.int64)), "int64", False),
    ((np.uint32, np.int32), "int64", False),
    ((np.uint64, np.int64), "float64", True),
    ((np.float64, np.complex64), "complex128", False),
])
def test_weak_cases_x64_on(args, want, weak):
    with config.enable_x64(True):
        assert dtypes.result_type(*args, return_weak_type_flag=True) == (np.dtype(want), weak)


def test_result_type_with_avals_and_tracers():
    f32_weak, i8 = _FakeArray(np.float32, True), _FakeArray(np.int8)
    with config.enable_x64(False):
        assert dtypes.result_type(f32_weak, i8, return_weak_type_flag=True) == (np.float32, True)
        assert dtypes.result_type(f32_weak, 3, return_weak_type_flag=True) == (np.float32, True)
        assert dtypes.result_type(_FakeArray(np.int32, True), np.uint8) == np.uint8
        assert dtypes.result_type(_FakeArray(np.float16), 2.0) == np.float16
        assert dtypes.result_type(i8, i8, return_weak_type_flag=True) == (np.int8, False)
        assert dtypes.result_type(_Aval(np.int16), _Aval(np.int32, True)) == np.int16
        mixed = (i8, np.zeros(3, np.int16), 2, np.float16)
        assert dtypes.result_type(*mixed, return_weak_type_flag=True) == (np.float16, False)
    with config.enable_x64(True):
        assert dtypes.result_type(f32_weak, i8, return_weak_type_flag=True) == (np.float64, True)


def test_result_type_other_inputs():
    class Color(enum.IntEnum):
        RED = 1

    with config.enable_x64(False):
        assert dtypes.result_type("float16", np.int8) == np.float16
        assert dtypes.result_type(np.float32(1.0), 1) == np.float32
        assert dtypes.result_type(np.uint8, Color.RED) == np.uint8
        assert dtypes.result_type(np.zeros(2, ">f4"), np.zeros(2, "<f4")) == np.float32
        assert dtypes.result_type(np.float64) == np.float32
        assert dtypes.result_type(2.0, return_weak_type_flag=True) == (np.float32, True)
        assert dtypes.result_type(np.bool_) == np.bool_


def test_result_type_cache_respects_x64():
    a = np.zeros(3, np.float64)
    with config.enable_x64(False):
        assert dtypes.result_type(a, a) == np.float32
    with config.enable_x64(True):
        assert dtypes.result_type(a, a) == np.float64
        assert dtypes.result_type(np.int32, 1.0) == np.float64
    with config.enable_x64(False):
        assert dtypes.result_type(a, a) == np.float32
        assert dtypes.result_type(np.int32, 1.0) == np.float32


@pytest.mark.parametrize("bad, shown", [
    ("hello", "'hello'"), (None, "None"), ([1, 2], "list"), (object(), "object"),
    (np.array(["a"]), "<U1"), (np.array([1], dtype=object), "object"),
    (np.longdouble, "longdouble"), (np.zeros((), dtypes.float0), "float0"),
])
def test_result_type_rejects_unsupported(bad, shown):
    with pytest.raises(TypeError, match="result_type") as info:
        dtypes.result_type(bad, 1.0)
    assert shown in str(info.value)


def test_result_type_errors_misc():
    with pytest.raises(ValueError, match="at least one"):
        dtypes.result_type()
    with pytest.raises(TypeError, match="NoneType"):
        dtypes.result_type(None)
    with pytest.raises(TypeError, match="promote_types.*'flaot32'"):
        dtypes.promote_types("flaot32", np.int8)
    with pytest.raises(TypeError, match="promote_types"):
        dtypes.promote_types(1.0, np.int8)  # a value, not a dtype


def test_canonicalize_x64_off():
    with config.enable_x64(False):
        for wide, narrow in NARROW.items():
            assert dtypes.canonicalize_dtype(wide) == np.dtype(narrow)
            assert dtypes.canonicalize_dtype(np.dtype(wide).type) == np.dtype(narrow)
        for same in ["bool", "int8", "int16", "int32", "uint8", "uint16", "uint32",
                     "float16", "float32", "complex64"]:
            assert dtypes.canonicalize_dtype(same) == np.dtype(same)
        assert dtypes.canonicalize_dtype(float) == np.float32
        assert dtypes.canonicalize_dtype(int) == np.int32
        assert dtypes.canonicalize_dtype(complex) == np.complex64
        assert dtypes.canonicalize_dtype(bool) == np.bool_
        assert dtypes.canonicalize_dtype(">f8") == np.float32
        assert dtypes.canonicalize_dtype(">i2").isnative
        assert dtypes.canonicalize_dtype(dtypes.float0) == dtypes.float0
        assert dtypes.default_float_dtype() == np.float32
        assert dtypes.default_int_dtype() == np.int32
        assert dtypes.default_uint_dtype() == np.uint32
        assert dtypes.default_complex_dtype() == np.complex64


def test_canonicalize_x64_on():
    with config.enable_x64(True):
        for wide in NARROW:
            assert dtypes.canonicalize_dtype(wide) == np.dtype(wide)
        assert dtypes.canonicalize_dtype(float) == np.float64
        assert dtypes.canonicalize_dtype(int) == np.int64
        assert dtypes.canonicalize_dtype(complex) == np.complex128
        assert dtypes.canonicalize_dtype(">f8") == np.dtype("<f8").newbyteorder("=")
        assert dtypes.default_float_dtype() == np.float64
        assert dtypes.default_int_dtype() == np.int64
        assert dtypes.default_uint_dtype() == np.uint64
        assert dtypes.default_complex_dtype() == np.complex128


def test_global_x64_update_and_context_override():
    before = config.jax_enable_x64
    try:
        config.update("jax_enable_x64", True)
        assert dtypes.canonicalize_dtype(float) == np.float64
        with config.enable_x64(False):
            assert dtypes.result_type(1.0) == np.float32
        assert dtypes.dtype_of(1) == np.int64
    finally:
        config.update("jax_enable_x64", before)


def test_canonicalize_rejects_garbage():
    with pytest.raises(TypeError, match="'flaot32'.*str"):
        dtypes.canonicalize_dtype("flaot32")


def test_float0_and_constants():
    assert dtypes.float0 == np.dtype([("float0", np.void, 0)])
    assert dtypes.float0.itemsize == 0
    assert np.zeros((2, 3), dtypes.float0).shape == (2, 3)
    assert dtypes.bool_ == np.dtype(bool)


@pytest.mark.parametrize("dt, kind", [
    ("bool", "b"), ("int8", "i"), ("int64", "i"), ("uint16", "i"), ("uint64", "i"),
    ("float16", "f"), ("float32", "f"), ("float64", "f"), ("complex64", "c"),
    ("complex128", "c"),
])
def test_predicates(dt, kind):
    assert dtypes.is_bool(dt) == (kind == "b")
    assert dtypes.is_integer(dt) == (kind == "i")
    assert dtypes.is_float(dt) == (kind == "f")
    assert dtypes.is_complex(dt) == (kind == "c")
    assert dtypes.is_inexact(np.dtype(dt)) == (kind in "fc")


def test_predicates_reject_float0_and_accept_types():
    assert not dtypes.is_float(dtypes.float0) and not dtypes.is_integer(dtypes.float0)
    assert dtypes.is_float(float) and dtypes.is_integer(int) and dtypes.is_bool(bool)
    assert dtypes.is_complex(np.complex64)


def test_issubdtype():
    assert dtypes.issubdtype(np.int32, np.integer)
    assert dtypes.issubdtype(np.uint8, np.unsignedinteger)
    assert dtypes.issubdtype("float16", np.floating)
    assert dtypes.issubdtype(np.complex64, np.inexact)
    assert not dtypes.issubdtype(np.bool_, np.integer)
    assert not dtypes.issubdtype(np.float32, np.integer)
    assert not dtypes.issubdtype(dtypes.float0, np.floating)
    assert dtypes.issubdtype(np.float32, np.float32)


def test_to_inexact_and_complex_to_real():
    with config.enable_x64(False):
        for dt in ["bool", "int8", "int32", "uint32", "int64"]:
            assert dtypes.to_inexact_dtype(dt) == np.float32
        for dt in ["float16", "float32", "float64", "complex64", "complex128"]:
            assert dtypes.to_inexact_dtype(dt) == np.dtype(dt)
    with config.enable_x64(True):  # as in JAX: only 64-bit integers become float64
        assert dtypes.to_inexact_dtype(np.int32) == np.float32
        assert dtypes.to_inexact_dtype(np.bool_) == np.float32
        assert dtypes.to_inexact_dtype(np.uint64) == np.float64
        assert dtypes.to_inexact_dtype(np.int64) == np.float64
    assert dtypes.complex_to_real(np.complex64) == np.float32
    assert dtypes.complex_to_real("complex128") == np.float64
    assert dtypes.complex_to_real(np.float16) == np.float16
    assert dtypes.complex_to_real(np.int8) == np.int8


def test_finfo_iinfo():
    assert dtypes.finfo(np.float32).eps == np.finfo(np.float32).eps
    assert dtypes.finfo("float16").max == np.float16(65504)
    assert dtypes.iinfo(np.int8).max == 127 and dtypes.iinfo("uint16").max == 65535
    with config.enable_x64(False):
        assert dtypes.finfo(float).eps == np.finfo(np.float32).eps
        assert dtypes.finfo(np.float64).eps == np.finfo(np.float64).eps
        assert dtypes.iinfo(int).max == 2**31 - 1
    with config.enable_x64(True):
        assert dtypes.finfo(float).eps == np.finfo(np.float64).eps
        assert dtypes.iinfo(int).max == 2**63 - 1


@pytest.mark.parametrize("value, off, on, weak", [
    (2.0, "float32", "float64", True), (2, "int32", "int64", True),
    (1j, "complex64", "complex128", True), (True, "bool", "bool", False),
    (np.float64(1.0), "float32", "float64", False), (np.float16(1.0), "float16", "float16", False),
    (np.zeros(2, np.int64), "int32", "int64", False), (np.zeros(2, np.uint8), "uint8", "uint8", False),
    (float, "float32", "float64", True),
])
def test_dtype_of_and_is_weakly_typed(value, off, on, weak):
    with config.enable_x64(False):
        assert dtypes.dtype_of(value) == np.dtype(off)
    with config.enable_x64(True):
        assert dtypes.dtype_of(value) == np.dtype(on)
    assert dtypes.is_weakly_typed(value) is weak


def test_dtype_of_avals_float0_and_errors():
    assert dtypes.dtype_of(_FakeArray(np.int16, True)) == np.int16
    assert dtypes.is_weakly_typed(_FakeArray(np.float32, True))
    assert not dtypes.is_weakly_typed(_FakeArray(np.float32))
    assert dtypes.dtype_of(np.zeros(3, dtypes.float0)) == dtypes.float0
    with pytest.raises(TypeError, match="dtype_of.*object"):
        dtypes.dtype_of(np.array([None]))
    with pytest.raises(TypeError, match="dtype_of.*None"):
        dtypes.dtype_of(None)
    with pytest.raises(TypeError, match="is_weakly_typed.*'abc'"):
        dtypes.is_weakly_typed("abc")


def _user_zeros(dtype):
    """Simulates a jnp function validating its dtype argument."""
    return dtypes.check_user_dtype(dtype, "jnp.zeros")


def test_check_user_dtype_valid():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with config.enable_x64(False):
            assert _user_zeros("float32") == np.float32
            assert _user_zeros(np.int8) == np.int8
            assert _user_zeros(float) == np.float32  # builtins never warn
            assert _user_zeros(int) == np.int32
            assert _user_zeros(bool) == np.bool_
        with config.enable_x64(True):
            assert _user_zeros("float64") == np.float64
            assert _user_zeros(np.dtype("int64")) == np.int64


def test_check_user_dtype_warns_when_x64_off():
    with config.enable_x64(False):
        with pytest.warns(UserWarning, match="jnp.zeros.*float64.*float32.*jax_enable_x64") as rec:
            assert _user_zeros("float64") == np.float32
        assert rec[0].filename == __file__  # points at the user's call site
        with pytest.warns(UserWarning, match="int64"):
            assert _user_zeros(np.int64) == np.int32
        with pytest.warns(UserWarning, match="complex128"):
            assert _user_zeros(">c16") == np.complex64


def test_scalar_type_classes_with_dtype_attribute():
    class f32:  # the shape jnp.float32 may take: a class carrying a dtype
        dtype = np.dtype("float32")

    with config.enable_x64(False):
        assert dtypes.result_type(f32, 1.0, return_weak_type_flag=True) == (np.float32, False)
        assert dtypes.promote_types(f32, np.int8) == np.float32
        assert dtypes.check_user_dtype(f32, "jnp.ones") == np.float32
        assert dtypes.is_float(f32)


@pytest.mark.parametrize("bad, shown", [
    ("flaot32", "'flaot32'"), (None, "None"), (5, "int"), (2.0, "float"),
    ("U8", "<U8"), (object, "object"), (np.longdouble, "float128"),
])
def test_check_user_dtype_errors(bad, shown):
    with pytest.raises(TypeError, match="jnp.zeros") as info:
        _user_zeros(bad)
    assert shown in str(info.value)


@pytest.mark.skipif(not HAVE_BF16, reason="ml_dtypes not installed")
def test_bfloat16_helpers():
    bf = dtypes.bfloat16
    assert dtypes.is_float(bf) and dtypes.is_inexact(bf) and not dtypes.is_integer(bf)
    assert dtypes.issubdtype(bf, np.floating)
    assert dtypes.promote_types(bf, np.float16) == np.float32
    assert dtypes.result_type(bf, 2.0, return_weak_type_flag=True) == (bf, False)
    assert dtypes.finfo(bf).bits == 16


def test_scalar_types_compare_equal_to_np_dtype_both_ways():
    # Measured in JAX 0.10.2: jnp.float32 == np.dtype('float32') is True from either side,
    # hashing follows the NumPy scalar type, and isinstance sees NumPy scalars only.
    import nablax.numpy as jnp

    x = jnp.ones(3)
    assert jnp.float32 == x.dtype and x.dtype == jnp.float32
    assert not (jnp.float32 != x.dtype)
    assert jnp.float32 == np.dtype("float32") and np.dtype("float32") == jnp.float32
    assert jnp.int32 != np.dtype("float32") and not (jnp.int32 == np.dtype("float32"))
    assert jnp.float32 == np.float32 and np.float32 == jnp.float32
    assert jnp.float32 != "float32" and jnp.float32 != jnp.int32
    assert hash(jnp.float32) == hash(np.float32)
    assert jnp.float32 in [np.dtype("float32")] and np.float32 in {jnp.float32}
    assert np.dtype(jnp.float32) == np.float32 and jnp.dtype(jnp.float32) == np.float32
    assert isinstance(np.float32(1), jnp.float32) and not isinstance(x, jnp.float32)
