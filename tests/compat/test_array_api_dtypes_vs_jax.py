"""jnp's Array API dtype names, ml_dtypes' narrow types, isdtype and from_dlpack against real JAX:
dtypes, printed forms, promotion results and errors, values of narrow arithmetic."""
import ml_dtypes
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax.numpy as njnp  # noqa: E402
from nablax._src.dtypes import TypePromotionError  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

NAMES = ["bool", "complex_", "float_", "object_", "character", "flexible", "int1", "int2", "int4", "uint1", "uint2",
         "uint4", "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz",
         "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu"]
NARROW = [n for n in NAMES[6:] if hasattr(ml_dtypes, n)]


def test_names_exist_with_jax_dtypes():
    for name in NAMES:
        j, n = getattr(jjnp, name), getattr(njnp, name)
        if name in ("character", "flexible", "object_"):  # NumPy's own classes in both
            assert j is n, name
            continue
        assert np.dtype(j) == np.dtype(n), name
        assert (j == n) and (n == j), name


# (JAX prints int1/uint1 values as bools, and its CPU backend cannot build float6 arrays)
@pytest.mark.parametrize("name", [n for n in NARROW if n not in ("int1", "uint1") and not n.startswith("float6")])
def test_narrow_construction_and_printing(name):
    j, n = getattr(jjnp, name), getattr(njnp, name)
    assert repr(n(1)) == repr(j(1))
    assert repr(njnp.ones(3, n)) == repr(jjnp.ones(3, j))
    assert str(njnp.ones(3, n)) == str(jjnp.ones(3, j))
    assert_same(j(1) + 1, n(1) + 1)


def test_narrow_arithmetic_and_promotion():
    assert_same(jjnp.float8_e4m3fn(1.0) * 3, njnp.float8_e4m3fn(1.0) * 3)
    assert_same(jjnp.int4(9), njnp.int4(9))
    assert_same(jjnp.sin(jjnp.ones(2, jjnp.float8_e4m3fn)), njnp.sin(njnp.ones(2, njnp.float8_e4m3fn)))
    assert_same(jjnp.array([1.5, 2.25], jjnp.float8_e4m3fn), njnp.array([1.5, 2.25], njnp.float8_e4m3fn))
    pairs = [("bool_", "int4"), ("bool_", "float8_e4m3fn"), ("int4", "int8"), ("int4", "uint8"), ("float8_e4m3fn", "bfloat16"),
             ("float8_e5m2", "float32"), ("float8_e4m3fn", "float8_e4m3fn"), ("int4", "float8_e4m3fn")]
    for a, b in pairs:
        try:
            want = jjnp.promote_types(getattr(jjnp, a), getattr(jjnp, b))
        except jax.dtypes.TypePromotionError:
            with pytest.raises(TypePromotionError):
                njnp.promote_types(getattr(njnp, a), getattr(njnp, b))
        else:
            assert njnp.promote_types(getattr(njnp, a), getattr(njnp, b)) == want
    for t in ["float8_e4m3fn", "int4"]:
        assert jjnp.issubdtype(getattr(jjnp, t), jjnp.floating) == njnp.issubdtype(getattr(njnp, t), njnp.floating)
        assert jjnp.issubdtype(getattr(jjnp, t), jjnp.integer) == njnp.issubdtype(getattr(njnp, t), njnp.integer)
    assert str(jjnp.finfo(jjnp.float8_e4m3fn)) == str(njnp.finfo(njnp.float8_e4m3fn))
    assert str(jjnp.iinfo(jjnp.int4)) == str(njnp.iinfo(njnp.int4))


def test_isdtype():
    kinds = ["bool", "signed integer", "unsigned integer", "integral", "real floating", "complex floating", "numeric",
             ("bool", "numeric"), "float32"]
    for t in ["bool_", "int8", "uint4", "int4", "float16", "bfloat16", "float8_e5m2", "float32", "complex64"]:
        for k in kinds:
            jk = getattr(jjnp, k) if k == "float32" else k
            nk = getattr(njnp, k) if k == "float32" else k
            assert jjnp.isdtype(getattr(jjnp, t), jk) == njnp.isdtype(getattr(njnp, t), nk), (t, k)


def test_from_dlpack_and_dtype_equality():
    for a in [np.arange(3, dtype=np.float32), np.arange(3.0), np.arange(3, dtype=np.int16)]:
        assert_same(jjnp.from_dlpack(a), njnp.from_dlpack(a))
    assert (jjnp.float32 == jjnp.zeros(3).dtype) and (njnp.float32 == njnp.zeros(3).dtype)
    assert jjnp.dtype(jjnp.float32) == njnp.dtype(njnp.float32)
