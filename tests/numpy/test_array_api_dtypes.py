"""jnp's Array API names and ml_dtypes' narrow types: construction, printing, arithmetic,
promotion (TypePromotionError as in JAX), dtype equality, isdtype, from_dlpack."""
import ml_dtypes
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax._src.dtypes import TypePromotionError

NARROW = ["int1", "int2", "int4", "uint1", "uint2", "uint4", "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn",
          "float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
          "float8_e5m2fnuz", "float8_e8m0fnu"]


@pytest.mark.parametrize("name", [n for n in NARROW if hasattr(ml_dtypes, n)])
def test_narrow_scalar_types(name):
    t = getattr(jnp, name)
    d = np.dtype(getattr(ml_dtypes, name))
    assert t == d and d == t and jnp.dtype(t) == d and hash(t) == hash(d.type)
    z = jnp.zeros(3, t)  # (float8_e8m0fnu has no zero: its smallest value, as in ml_dtypes)
    assert z.dtype == d and z.dtype == t
    if name != "float8_e8m0fnu":
        assert repr(z) == f"Array([0, 0, 0], dtype={name})"
    one = t(1)
    assert one.dtype == d and repr(one) == ("Array(-1, dtype=int1)" if name == "int1" else f"Array(1, dtype={name})")
    if name not in ("int1", "uint1", "int2"):  # (these cannot hold 2)
        assert np.asarray(one + one).astype(np.float32) == 2  # a Python scalar keeps the narrow type
        assert (one + 1).dtype == d


def test_narrow_values_and_promotion():
    assert repr(jnp.float8_e4m3fn(1.0)) == "Array(1, dtype=float8_e4m3fn)"
    assert int(jnp.int4(9)) == -7 and int(jnp.int4(7) + 1) == -8  # wraps, as in JAX
    np.testing.assert_array_equal(np.asarray(jnp.sin(jnp.ones(2, jnp.float8_e4m3fn))).astype(np.float32), [0.8125] * 2)
    assert jnp.promote_types(jnp.bool_, jnp.int4) == jnp.int4
    assert jnp.promote_types(jnp.float8_e4m3fn, jnp.float8_e4m3fn) == jnp.float8_e4m3fn
    assert jnp.result_type(jnp.float8_e4m3fn, 1.0) == jnp.float8_e4m3fn
    for a, b in [(jnp.int4, jnp.int8), (jnp.float8_e4m3fn, jnp.bfloat16), (jnp.float8_e5m2, jnp.float32)]:
        with pytest.raises(TypePromotionError, match="no available implicit dtype promotion"):
            jnp.promote_types(a, b)
    with pytest.raises(TypePromotionError):
        jnp.ones(2, jnp.int4) + 1.0  # a weak float does not reach a 4-bit integer
    assert isinstance(TypePromotionError("x"), ValueError)
    assert jnp.issubdtype(jnp.float8_e4m3fn, jnp.floating) and jnp.issubdtype(jnp.int4, jnp.signedinteger)
    assert not jnp.issubdtype(jnp.uint4, jnp.signedinteger)
    assert jnp.finfo(jnp.float8_e4m3fn).max == 448 and jnp.iinfo(jnp.int4).min == -8


def test_narrow_under_transformations():
    np.testing.assert_array_equal(np.asarray(nablax.jit(lambda x: x * 2)(jnp.ones(2, jnp.int4))), [2, 2])
    g = nablax.grad(lambda x: (x * x).astype(jnp.float32).sum())(jnp.ones(2, jnp.float8_e4m3fn))
    assert g.dtype == jnp.float8_e4m3fn and np.asarray(g).astype(np.float32).tolist() == [2, 2]
    assert repr(jnp.asarray(np.ones(2, ml_dtypes.int4))) == "Array([1, 1], dtype=int4)"


def test_aliases_and_numpy_types():
    assert jnp.bool is jnp.bool_ and jnp.float_ is jnp.float64 and jnp.complex_ is jnp.complex128
    assert jnp.object_ is np.object_ and jnp.character is np.character and jnp.flexible is np.flexible
    assert jnp.bool(3).dtype == np.bool_
    with pytest.raises(TypeError, match="not supported"):
        jnp.zeros(3, jnp.object_)
    x = jnp.zeros(3)
    assert jnp.float32 == x.dtype and x.dtype == jnp.float32 and jnp.dtype(jnp.float32) == np.float32
    assert {jnp.float32: 1}[np.dtype(np.float32).type] == 1


def test_isdtype():
    assert jnp.isdtype(jnp.float32, "real floating") and jnp.isdtype(jnp.bfloat16, "real floating")
    assert jnp.isdtype(jnp.float8_e4m3fn, "real floating") and jnp.isdtype(jnp.int4, "signed integer")
    assert jnp.isdtype(jnp.uint4, "integral") and not jnp.isdtype(jnp.uint4, "signed integer")
    assert not jnp.isdtype(jnp.bool_, "numeric") and jnp.isdtype(jnp.complex64, ("bool", "complex floating"))
    assert jnp.isdtype("float32", jnp.float32) and jnp.isdtype(jnp.zeros(2, jnp.int8), "numeric")
    with pytest.raises(ValueError, match="kind"):
        jnp.isdtype(jnp.float32, "floating")
    with pytest.raises(TypeError, match="kind"):
        jnp.isdtype(jnp.float32, 3)


def test_from_dlpack():
    a = np.arange(3, dtype=np.float32)
    r = jnp.from_dlpack(a)
    assert isinstance(r, nablax.Array) and r.dtype == np.float32
    a[0] = 7.0  # zero-copy: the Array is a read-only view of the producer's memory
    assert float(r[0]) == 7.0
    c = jnp.from_dlpack(a, copy=True)
    a[0] = 1.0
    assert float(c[0]) == 7.0
    assert jnp.from_dlpack(np.arange(3.0)).dtype == np.float32  # x64 off: float64 narrows, as in JAX
    with pytest.raises(TypeError, match="__dlpack__"):
        jnp.from_dlpack([1, 2])
    torch = pytest.importorskip("torch")
    t = torch.arange(4, dtype=torch.int32)
    np.testing.assert_array_equal(np.asarray(jnp.from_dlpack(t)), [0, 1, 2, 3])


def test_namespace_info():
    info = jnp.__array_namespace_info__()
    assert info.default_dtypes()["real floating"] == np.float32
    assert set(info.dtypes(kind="integral")) == {"int8", "int16", "int32", "uint8", "uint16", "uint32"}
