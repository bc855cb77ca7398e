"""lax.conv_general_dilated and the lax convolution wrappers against real JAX: every
dimension-number layout, SAME/SAME_LOWER/VALID/explicit padding, strides, input and kernel
dilation, feature and batch groups, 1-D to 3-D; values, dtypes, weak types, VJPs for both
operands, JVPs, vmap, jit; conv_transpose, patches, the shape helpers and error classes."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402

import nablax  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(12)


def _arr(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _shape_for(spec: str, sizes: dict) -> tuple:
    return tuple(sizes[c] for c in spec)


# (lhs spec, rhs spec, out spec, spatial sizes, kernel sizes, window_strides, padding,
#  lhs_dilation, rhs_dilation, feature_group_count, batch_group_count)
CONFIGS = [
    ("NCHW", "OIHW", "NCHW", (6, 5), (3, 2), (1, 1), "SAME", None, None, 1, 1),
    ("NHWC", "HWIO", "NHWC", (7, 6), (3, 3), (2, 1), "VALID", None, None, 1, 1),
    ("NHWC", "HWIO", "NHWC", (6, 6), (3, 3), (2, 2), "SAME_LOWER", None, (2, 1), 1, 1),
    ("NHWC", "OIHW", "NCHW", (5, 6), (2, 3), (1, 2), ((1, 2), (-1, 1)), (2, 1), None, 1, 1),
    ("CHWN", "IOHW", "HWCN", (5, 5), (2, 2), (1, 1), ((0, 1), (2, 0)), None, (1, 2), 2, 1),
    ("NHWC", "HWIO", "NHWC", (6, 6), (3, 3), (1, 1), "SAME", None, None, 4, 1),  # depthwise
    ("NCHW", "OIHW", "NCHW", (5, 4), (2, 2), (1, 1), "VALID", None, None, 1, 2),  # batch groups
    ("NWC", "WIO", "NWC", (9,), (3,), (2,), "SAME", (1,), (2,), 1, 1),
    ("NCDHW", "OIDHW", "NCDHW", (4, 5, 3), (2, 3, 2), (1, 2, 1), "SAME", None, None, 1, 1),
]


def _operands(cfg):
    lhs_spec, rhs_spec, _, spatial, kernel, *_, groups, bgroups = cfg
    n, cin, cout = 4, 4, 4 * bgroups if bgroups > 1 else 6
    if groups == 4:
        cout = 8
    lsizes = {"N": n, "C": cin}
    rsizes = {"O": cout, "I": cin // groups}
    letters = [c for c in lhs_spec if c not in "NC"]
    lsizes.update(dict(zip(letters, spatial)))
    rsizes.update(dict(zip([c for c in rhs_spec if c not in "OI"], kernel)))
    return _arr(*_shape_for(lhs_spec, lsizes)), _arr(*_shape_for(rhs_spec, rsizes))


def _conv(lib, cfg):
    lhs_spec, rhs_spec, out_spec, _, _, strides, padding, lhs_dil, rhs_dil, groups, bgroups = cfg

    def f(x, w):
        return lib.lax.conv_general_dilated(x, w, strides, padding, lhs_dil, rhs_dil,
                                            (lhs_spec, rhs_spec, out_spec), groups, bgroups)
    return f


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c[0]}-{c[1]}-{c[6]}-g{c[9]}-b{c[10]}")
def test_conv_values_and_derivatives(cfg):
    x, w = _operands(cfg)
    jf, nf = _conv(jax, cfg), _conv(nablax, cfg)
    j_out = jf(x, w)
    assert_same(j_out, nf(x, w), rtol=1e-4, atol=1e-4)
    ct = _arr(*np.shape(j_out))
    assert_same(jax.vjp(jf, x, w)[1](ct), nablax.vjp(nf, x, w)[1](ct), rtol=1e-4, atol=1e-4)
    tx, tw = _arr(*x.shape), _arr(*w.shape)
    assert_same(jax.jvp(jf, (x, w), (tx, tw)), nablax.jvp(nf, (x, w), (tx, tw)), rtol=1e-4, atol=1e-4)
    assert_same(jax.jit(jf)(x, w), nablax.jit(nf)(x, w), rtol=1e-4, atol=1e-4)
    xs = np.stack([x, 2 * x])
    assert_same(jax.vmap(jf, (0, None))(xs, w), nablax.vmap(nf, (0, None))(xs, w), rtol=1e-4, atol=1e-4)
    ws = np.stack([w, -w])
    assert_same(jax.vmap(jf, (None, 0))(x, ws), nablax.vmap(nf, (None, 0))(x, ws), rtol=1e-4, atol=1e-4)


def test_second_order_in_float64(x64):
    cfg = CONFIGS[2]
    x, w = (a.astype(np.float64) for a in _operands(cfg))

    def loss(lib):
        f = _conv(lib, cfg)
        return lambda x, w: (lib.numpy.tanh(f(x, w)) ** 2).sum()
    v = RNG.standard_normal(x.shape)
    jh = jax.jvp(lambda x: jax.grad(loss(jax), 1)(x, w), (x,), (v,))
    nh = nablax.jvp(lambda x: nablax.grad(loss(nablax), 1)(x, w), (x,), (v,))
    assert_same(jh, nh, rtol=1e-10, atol=1e-10)


def test_dtypes_and_weak_types():
    x, w = _arr(2, 3, 5, 5), _arr(4, 3, 3, 3)
    for lhs, rhs, kw in ((x, w, {}), (x.astype(np.float64), w.astype(np.float64), {}),
                         (x.astype(np.int32), w.astype(np.int32), {}),
                         (x.astype(np.int8), w.astype(np.int8), {"preferred_element_type": np.int32}),
                         (x.astype(np.float16), w.astype(np.float16), {"preferred_element_type": np.float32})):
        assert_same(jax.lax.conv(lhs, rhs, (1, 1), "SAME", **kw) if not kw else
                    jax.lax.conv_general_dilated(lhs, rhs, (1, 1), "SAME", **kw),
                    nablax.lax.conv(lhs, rhs, (1, 1), "SAME", **kw) if not kw else
                    nablax.lax.conv_general_dilated(lhs, rhs, (1, 1), "SAME", **kw), rtol=2e-3, atol=2e-3)
    jw = jax.lax.conv(jax.lax.broadcast(1.0, x.shape), jax.lax.broadcast(2.0, w.shape), (1, 1), "VALID")
    nw = nablax.lax.conv(nablax.lax.broadcast(1.0, x.shape), nablax.lax.broadcast(2.0, w.shape), (1, 1), "VALID")
    assert_same(jw, nw)


@pytest.mark.parametrize("padding", ["SAME", "VALID", ((1, 2), (0, 1))])
@pytest.mark.parametrize("transpose_kernel", [False, True])
def test_conv_transpose(padding, transpose_kernel):
    x, w = _arr(2, 5, 6, 3), _arr(3, 3, 3, 4)
    args = dict(strides=(2, 1), padding=padding, rhs_dilation=(1, 2), dimension_numbers=("NHWC", "HWIO", "NHWC"),
                transpose_kernel=transpose_kernel)
    if transpose_kernel:
        w = _arr(3, 3, 4, 3)
    jf = lambda x, w: jax.lax.conv_transpose(x, w, **args)  # noqa: E731
    nf = lambda x, w: nablax.lax.conv_transpose(x, w, **args)  # noqa: E731
    assert_same(jf(x, w), nf(x, w), rtol=1e-4, atol=1e-4)
    ct = _arr(*np.shape(jf(x, w)))
    assert_same(jax.vjp(jf, x, w)[1](ct), nablax.vjp(nf, x, w)[1](ct), rtol=1e-4, atol=1e-4)


def test_patches_and_wrappers_and_shape_helpers():
    x = _arr(2, 3, 6, 5)
    for kw in ({}, {"window_strides": (2, 1), "padding": "SAME", "rhs_dilation": (1, 2)}):
        assert_same(jax.lax.conv_general_dilated_patches(x, (2, 3), kw.get("window_strides", (1, 1)),
                                                         kw.get("padding", "VALID"), rhs_dilation=kw.get("rhs_dilation")),
                    nablax.lax.conv_general_dilated_patches(x, (2, 3), kw.get("window_strides", (1, 1)),
                                                            kw.get("padding", "VALID"),
                                                            rhs_dilation=kw.get("rhs_dilation")))
    w = _arr(4, 3, 2, 2)
    assert_same(jax.lax.conv_with_general_padding(x, w, (1, 2), ((1, 0), (0, 1)), (2, 1), (1, 1)),
                nablax.lax.conv_with_general_padding(x, w, (1, 2), ((1, 0), (0, 1)), (2, 1), (1, 1)), rtol=1e-4)
    for specs in (("NCHW", "OIHW", "NCHW"), ("NHWC", "HWIO", "NHWC"), ("CHWN", "IOHW", "HWCN")):
        jd = jax.lax.conv_dimension_numbers((2, 3, 6, 5), (4, 3, 2, 2), specs)
        nd = nablax.lax.conv_dimension_numbers((2, 3, 6, 5), (4, 3, 2, 2), specs)
        assert tuple(map(tuple, jd)) == tuple(map(tuple, nd))
        assert type(nd).__name__ == "ConvDimensionNumbers"
        assert jax.lax.conv_general_permutations(specs) == nablax.lax.conv_general_permutations(specs)
    assert tuple(jax.lax.conv_shape_tuple((2, 3, 6, 5), (4, 3, 2, 2), (1, 2), "SAME")) == \
        tuple(nablax.lax.conv_shape_tuple((2, 3, 6, 5), (4, 3, 2, 2), (1, 2), "SAME"))


@pytest.mark.parametrize("call", [
    lambda lax: lax.conv_general_dilated(_arr(2, 3, 5, 5), _arr(4, 2, 3, 3), (1, 1), "SAME"),  # channels
    lambda lax: lax.conv_general_dilated(_arr(2, 3, 5, 5), _arr(4, 3, 3), (1, 1), "SAME"),  # ranks
    lambda lax: lax.conv_general_dilated(_arr(2, 5, 5, 3), _arr(3, 3, 3, 4), (1, 1), "SAME",
                                         dimension_numbers=("NHWC", "HWIX", "NHWC")),  # layout
])
def test_errors_have_jax_classes(call):
    with pytest.raises(Exception) as j:
        call(jax.lax)
    with pytest.raises(type(j.value)):
        call(nablax.lax)


def test_error_messages_name_shapes_and_padding():
    with pytest.raises(Exception, match=r"\(4, 2, 3, 3\)"):
        nablax.lax.conv_general_dilated(_arr(2, 3, 5, 5), _arr(4, 2, 3, 3), (1, 1), "SAME")
    with pytest.raises(ValueError, match="FULL"):
        nablax.lax.conv_general_dilated(_arr(2, 3, 5, 5), _arr(4, 3, 3, 3), (1, 1), "FULL")
