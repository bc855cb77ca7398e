"""jnp's file input/output, buffer constructors and print options (JAX 0.10.2's behaviour)."""
import io

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp


def test_save_load_roundtrip(tmp_path):
    x = jnp.arange(6.0).reshape(2, 3) / 3
    buf = io.BytesIO()
    jnp.save(buf, x)
    buf.seek(0)
    y = jnp.load(buf)
    assert isinstance(y, nablax.Array) and y.dtype == np.float32 and np.array_equal(np.asarray(y), np.asarray(x))
    b = x.astype(jnp.bfloat16)
    path = tmp_path / "b.npy"
    jnp.save(path, b)
    z = jnp.load(path)
    assert z.dtype == jnp.bfloat16 and np.array_equal(np.asarray(z, np.float32), np.asarray(b, np.float32))
    jnp.savez(tmp_path / "a.npz", first=x, second=jnp.arange(3))
    with jnp.load(tmp_path / "a.npz") as archive:  # (an archive stays NumPy's, as in JAX)
        np.testing.assert_array_equal(archive["second"], [0, 1, 2])
        np.testing.assert_array_equal(archive["first"], np.asarray(x))


def test_buffers_and_strings():
    out = jnp.frombuffer(np.arange(3, dtype=np.float64).tobytes())
    assert out.dtype == np.float32 and out.tolist() == [0.0, 1.0, 2.0]  # (float: float32 without x64)
    out = jnp.frombuffer(b"\x01\x02\x03\x04", dtype=jnp.uint8, count=2, offset=1)
    assert out.dtype == np.uint8 and out.tolist() == [2, 3]
    out = jnp.fromstring("1 2 3.5", sep=" ")
    assert isinstance(out, nablax.Array) and out.dtype == np.float32 and out.tolist() == [1.0, 2.0, 3.5]
    assert jnp.fromstring("4,5", dtype=jnp.int32, sep=",").tolist() == [4, 5]
    with pytest.raises(NotImplementedError, match="np.fromfile"):
        jnp.fromfile("x.bin")
    with pytest.raises(NotImplementedError, match="np.fromiter"):
        jnp.fromiter(iter([1, 2]), float)
    assert jnp.iterable(jnp.arange(2)) and not jnp.iterable(1.0)
    assert issubclass(jnp.ComplexWarning, Warning)


def test_print_options_affect_arrays():
    x = jnp.array([1 / 3, 2 / 3])
    with jnp.printoptions(precision=2):
        assert jnp.get_printoptions()["precision"] == 2
        assert repr(x) == "Array([0.33, 0.67], dtype=float32)"
        assert str(x) == "[0.33 0.67]"
    assert repr(x) == "Array([0.33333334, 0.6666667 ], dtype=float32)"
    old = jnp.get_printoptions()
    try:
        jnp.set_printoptions(precision=3, suppress=True)
        assert str(x) == "[0.333 0.667]"
    finally:
        jnp.set_printoptions(**old)
    assert jnp.array_str(x, precision=1) == "[0.3 0.7]"
    assert jnp.array_repr(jnp.arange(2)) == "Array([0, 1], dtype=int32)"
