"""The fast paths of convolution and pooling (issue 15) against plain NumPy references.

conv_general_dilated has three kernels (channels-last im2col, planar im2col, taps); each one
is checked on its own against a direct tap-by-tap reference, over layouts, strides, padding
(negative too), dilations, batch 1 and non-square shapes, and `_plan` is checked to pick the
kernel the benchmarks measured. Pooling's gradients write masked values without branches;
they are checked for ties, inf, nan and the sign of zero.
"""
import itertools

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax._src import dtypes
from nablax._src.primitives import conv, windows
from nablax._src.primitives.conv_util import ConvDimensionNumbers, conv_general_permutations
from nablax.test_util import check_grads

LAYOUTS = [("NHWC", "HWIO", "NHWC"), ("NCHW", "OIHW", "NCHW"), ("NHWC", "OIHW", "NCHW"),
           ("CHWN", "IHWO", "HWNC"), ("NCHW", "HWIO", "CNHW")]


def _reference(x, w, strides, padding, ldil, rdil):
    """NCHW x OIHW correlation in float64 (complex128), one kernel tap at a time, from the definition."""
    dtype = np.complex128 if np.iscomplexobj(x) else np.float64
    x, w = x.astype(dtype), w.astype(dtype)
    nsp = x.ndim - 2
    dil = np.zeros((*x.shape[:2], *(d * (s - 1) + 1 if s else 0 for s, d in zip(x.shape[2:], ldil))), dtype)
    dil[(slice(None), slice(None), *(slice(None, None, d) for d in ldil))] = x
    for ax, (lo, hi) in enumerate(padding, start=2):  # pad, then crop negative pads
        dil = np.pad(dil, [(0, 0)] * ax + [(max(lo, 0), max(hi, 0))] + [(0, 0)] * (nsp + 1 - ax))
        dil = np.take(dil, range(max(-lo, 0), dil.shape[ax] - max(-hi, 0)), axis=ax)
    ksz = w.shape[2:]
    osz = [max(0, (e - (k - 1) * r - 1) // s + 1) for e, k, r, s in zip(dil.shape[2:], ksz, rdil, strides)]
    out = np.zeros((x.shape[0], w.shape[0], *osz), dtype)
    if 0 in osz:
        return out
    for tap in itertools.product(*map(range, ksz)):
        sl = tuple(slice(t * r, t * r + (o - 1) * s + 1, s) for t, r, s, o in zip(tap, rdil, strides, osz))
        out += np.einsum("nc...,oc->no...", dil[(slice(None), slice(None), *sl)], w[(slice(None), slice(None), *tap)])
    return out


def _physical(canonical, spec):
    """A canonical (N, C, spatial...) array laid out with the axes at `spec`."""
    return np.transpose(canonical, np.argsort(spec))


def _case(seed):
    rng = np.random.default_rng(seed)
    layout = LAYOUTS[seed % len(LAYOUTS)]
    n, c, o = (int(v) for v in rng.integers(1, 5, 3))
    space, ksz = tuple(int(v) for v in rng.integers(1, 8, 2)), tuple(int(v) for v in rng.integers(1, 4, 2))
    strides = tuple(int(v) for v in rng.integers(1, 3, 2))
    ldil = tuple(int(v) for v in rng.integers(1, 3, 2)) if seed % 3 == 0 else (1, 1)
    rdil = tuple(int(v) for v in rng.integers(1, 3, 2)) if seed % 4 == 0 else (1, 1)
    padding = tuple((int(rng.integers(-1, 3)), int(rng.integers(-1, 3))) for _ in range(2))
    x = rng.standard_normal((n, c, *space)).astype(np.float32)
    w = rng.standard_normal((o, c, *ksz)).astype(np.float32)
    return layout, x, w, strides, padding, ldil, rdil


def _params(layout, strides, padding, ldil, rdil):
    dn = ConvDimensionNumbers(*conv_general_permutations(layout))
    return dict(window_strides=strides, padding=padding, lhs_dilation=ldil, rhs_dilation=rdil,
                dimension_numbers=dn, feature_group_count=1, batch_group_count=1)


def _run(kernel, lhs, rhs, params):
    """The kernel's result as the canonical (N, O, spatial...) array."""
    out, where = conv._KERNELS[kernel](lhs, rhs, **params)
    return np.transpose(np.transpose(out, np.argsort(where)), params["dimension_numbers"].out_spec)


@pytest.mark.parametrize("kernel", sorted(conv._KERNELS))
@pytest.mark.parametrize("seed", range(40))
def test_kernel_matches_reference(kernel, seed):
    layout, x, w, strides, padding, ldil, rdil = _case(seed)
    if any(d * (s - 1) + 1 + lo + hi < 0 for s, d, (lo, hi) in zip(x.shape[2:], ldil, padding)):
        pytest.skip("padding crops more than the operand")
    if kernel.startswith("taps") and ldil != (1, 1):
        pytest.skip("taps needs no lhs dilation (the plan never picks it then)")
    params = _params(layout, strides, padding, ldil, rdil)
    dn = params["dimension_numbers"]
    lhs, rhs = _physical(x, dn.lhs_spec), _physical(w, dn.rhs_spec)
    if seed % 2:  # a non-contiguous operand, as a transposed value in a program is
        lhs = np.asfortranarray(lhs)
    got = _run(kernel, lhs, rhs, params)
    np.testing.assert_allclose(got, _reference(x, w, strides, padding, ldil, rdil), rtol=1e-4, atol=1e-4)


def _workload_params(layout, padding=((1, 1), (1, 1))):
    return _params(layout, (1, 1), padding, (1, 1), (1, 1))


def _plan_of(lhs, rhs, params):
    return conv._plan(lhs.shape, rhs.shape, conv._free_order(rhs, params["dimension_numbers"].rhs_spec), **params)


def _grad_convs(x, w):
    """The three conv equations (forward, filter gradient, input gradient) of value_and_grad
    of sum(conv(x, w)^2), with their operands, recorded from an eager run."""
    seen = []
    impl = conv._conv_impl

    def spy(xp, lhs, rhs, **params):
        seen.append((np.asarray(lhs), np.asarray(rhs), {k: v for k, v in params.items()
                                                          if k != "preferred_element_type"}))
        return impl(xp, lhs, rhs, **params)

    conv._conv_impl = spy
    try:
        f = lambda x, w: jnp.sum(lax.conv_general_dilated(x, w, (1, 1), "SAME",  # noqa: E731
                                                          dimension_numbers=LAYOUTS[0]) ** 2)
        nablax.grad(f, argnums=(0, 1))(x, w)
    finally:
        conv._conv_impl = impl
    return seen


def test_plan_for_the_benchmarked_convolutions():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((4, 16, 16, 3), np.float32), rng.standard_normal((3, 3, 3, 16), np.float32)
    plans = [_plan_of(*eqn) for eqn in _grad_convs(x, w)]
    # 3 -> 16 channels on wide images: planar im2col forward and for the filter gradient (whose
    # kernel, the cotangent, holds I before its spatial axes); the input gradient (16 -> 3) by taps
    assert plans == ["planar", "planar", "taps"]
    # the CNN's second layer (4x4 images, 16 -> 32): channels-last im2col every time
    x, w = rng.standard_normal((32, 4, 4, 16), np.float32), rng.standard_normal((3, 3, 16, 32), np.float32)
    assert [_plan_of(*eqn) for eqn in _grad_convs(x, w)] == ["channels_last"] * 3


def test_plan_keeps_groups_and_lhs_dilation_off_the_new_kernels():
    lhs, rhs = np.ones((2, 8, 8, 4), np.float32), np.ones((3, 3, 2, 2), np.float32)
    params = dict(_workload_params(LAYOUTS[0]), feature_group_count=2)
    assert _plan_of(lhs, rhs, params) == "channels_last"
    lhs, rhs = np.ones((1, 8, 8, 16), np.float32), np.ones((3, 3, 16, 1), np.float32)
    assert _plan_of(lhs, rhs, _workload_params(LAYOUTS[0])) == "taps"
    assert _plan_of(lhs, rhs, dict(_workload_params(LAYOUTS[0]), lhs_dilation=(2, 1))) != "taps"


def test_planar_filter_gradient_reads_the_cotangent_without_a_copy():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((4, 16, 16, 3), np.float32), rng.standard_normal((3, 3, 3, 16), np.float32)
    lhs, rhs, params = _grad_convs(x, w)[1]
    assert conv._free_order(rhs, params["dimension_numbers"].rhs_spec) == "ck"
    assert np.shares_memory(np.transpose(rhs, (params["dimension_numbers"].rhs_spec[1],
                                               *params["dimension_numbers"].rhs_spec[2:],
                                               params["dimension_numbers"].rhs_spec[0])).reshape(-1, 16), rhs)


@pytest.mark.parametrize("shape", [(1, 5, 7, 6), (3, 9, 4, 8), (2, 1, 1, 5)])
def test_value_and_grad_matches_numpy(shape):
    """value_and_grad of sum(conv(x, w)^2) / 2 under jit, as the benchmark computes it, against
    NumPy: the forward, the filter gradient and the input gradient each take a new kernel."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((3, 2, shape[-1], 2)).astype(np.float32)

    def f(x, w):
        y = lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=LAYOUTS[0])
        return 0.5 * jnp.sum(y * y)

    value, (dx, dw) = nablax.jit(nablax.value_and_grad(f, argnums=(0, 1)))(x, w)
    pads = [((k - 1) // 2, k // 2) for k in w.shape[:2]]
    y = _reference(x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1), (1, 1), pads, (1, 1), (1, 1))
    xp = np.pad(x.astype(np.float64), ((0, 0), *pads, (0, 0)))
    yh = y.transpose(0, 2, 3, 1)
    ref_dw = np.stack([np.stack([np.einsum("nhwc,nhwo->co", xp[:, i:i + shape[1], j:j + shape[2]], yh)
                                 for j in range(w.shape[1])]) for i in range(w.shape[0])])
    ref_dx = np.zeros_like(xp)
    for i, j in itertools.product(range(w.shape[0]), range(w.shape[1])):
        ref_dx[:, i:i + shape[1], j:j + shape[2]] += yh @ w[i, j].T.astype(np.float64)
    ref_dx = ref_dx[:, pads[0][0]:pads[0][0] + shape[1], pads[1][0]:pads[1][0] + shape[2]]
    np.testing.assert_allclose(value, 0.5 * np.sum(y * y), rtol=1e-5)
    np.testing.assert_allclose(dw, ref_dw, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("strides", [(1, 1), (2, 1)])
def test_second_order_grads_through_new_kernels(strides):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((1, 6, 5, 4)), rng.standard_normal((3, 2, 4, 2))
    with nablax.config.enable_x64(True):
        f = lambda x, w: lax.conv_general_dilated(x, w, strides, "SAME",  # noqa: E731
                                                  dimension_numbers=LAYOUTS[0])
        check_grads(f, (x, w), order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("dtype", [np.float64, np.float16, dtypes.bfloat16, np.int32, np.complex64])
@pytest.mark.parametrize("kernel", sorted(conv._KERNELS))
def test_kernels_keep_dtypes(kernel, dtype):
    rng = np.random.default_rng(4)
    x, w = rng.integers(-3, 4, (2, 3, 6, 5)), rng.integers(-3, 4, (2, 3, 3, 2))
    if np.dtype(dtype).kind == "c":
        x, w = x + 1j * rng.integers(-3, 4, x.shape), w - 1j * rng.integers(-3, 4, w.shape)
    x, w = x.astype(dtype), w.astype(dtype)
    params = _params(("NCHW", "OIHW", "NCHW"), (1, 1), ((1, 1), (0, 1)), (1, 1), (1, 1))
    with nablax.config.enable_x64(True):
        for_plan = conv._plan
        conv._plan = lambda *a, **k: kernel
        try:
            out = conv._conv_impl(np, x, w, preferred_element_type=None, **params)
        finally:
            conv._plan = for_plan
    assert out.dtype == np.dtype(dtype)
    ref = _reference(x if out.dtype.kind == "c" else x.astype(np.float64), w if out.dtype.kind == "c" else
                     w.astype(np.float64), (1, 1), ((1, 1), (0, 1)), (1, 1), (1, 1))
    np.testing.assert_array_equal(out.astype(ref.dtype), ref)  # small integers: exact in every dtype


@pytest.mark.parametrize("kernel", sorted(conv._KERNELS))
def test_kernels_on_empty_operands(kernel):
    params = _params(LAYOUTS[0], (1, 1), ((0, 0), (0, 0)), (1, 1), (1, 1))
    for lhs, rhs in [(np.ones((0, 4, 4, 2)), np.ones((3, 3, 2, 1))), (np.ones((2, 2, 2, 2)), np.ones((3, 3, 2, 1))),
                     (np.ones((2, 4, 4, 0)), np.ones((3, 3, 0, 2)))]:
        got = _run(kernel, lhs, rhs, params)
        np.testing.assert_array_equal(got, _reference(np.moveaxis(lhs, 3, 1), np.transpose(rhs, (3, 2, 0, 1)),
                                                      (1, 1), ((0, 0), (0, 0)), (1, 1), (1, 1)))


# ----------------------------------------------------------------------------- pooling


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64, np.complex128,
                                   dtypes.bfloat16])
def test_select_is_where_bit_for_bit(dtype):
    rng = np.random.default_rng(5)
    values = np.array([1.5, -2.0, np.inf, -np.inf, np.nan, -0.0, 0.0, 3.0] * 4).astype(dtype).reshape(4, 8)
    mask = rng.random((4, 8)) < 0.5
    ref = np.where(mask, values, np.zeros((), values.dtype))
    got = windows._select(mask, values)
    out = np.full((4, 8), 7, dtype)
    windows._select(mask, values, out=out)
    for a in (got, out):
        assert a.dtype == values.dtype
        assert a.tobytes() == ref.tobytes()  # +0.0 where not chosen, inf and nan kept, -0.0 kept


def _first_max_reference(x, window, strides, padding):
    """Per window (padding counts as -inf) the first maximum in row-major order gets the source."""
    padded = np.pad(x, padding, constant_values=-np.inf)
    out_shape = [(p - w) // s + 1 for p, w, s in zip(padded.shape, window, strides)]
    src = np.arange(1, np.prod(out_shape) + 1, dtype=x.dtype).reshape(out_shape)
    acc = np.zeros(padded.shape, x.dtype)
    for idx in itertools.product(*map(range, out_shape)):
        sl = tuple(slice(i * s, i * s + w) for i, s, w in zip(idx, strides, window))
        block = padded[sl]
        first = np.unravel_index(np.argmax(block), block.shape)
        acc[tuple(s.start + f for s, f in zip(sl, first))] += src[idx]
    inner = tuple(slice(lo, lo + d) for (lo, _), d in zip(padding, x.shape))
    return src, acc[inner]


@pytest.mark.parametrize("window,strides,padding", [
    ((1, 2, 2, 1), (1, 2, 2, 1), ((0, 0),) * 4),
    ((1, 3, 3, 1), (1, 2, 2, 1), ((0, 0), (1, 1), (1, 1), (0, 0))),  # overlapping: sums
    ((1, 2, 3, 1), (1, 2, 3, 1), ((0, 0), (0, 1), (1, 0), (0, 0))),
])
def test_max_pool_gradient_with_ties(window, strides, padding):
    rng = np.random.default_rng(6)
    x = np.maximum(rng.standard_normal((2, 5, 7, 3)), 0).astype(np.float32)  # relu zeros: many ties
    x[0, :2, :2] = 1.0
    src, ref = _first_max_reference(x, window, strides, padding)
    params = dict(window_dimensions=window, window_strides=strides, padding=padding, base_dilation=(1,) * 4,
                  window_dilation=(1,) * 4)
    got = windows.select_and_scatter_add_p.impl(np, src, x, **params)
    np.testing.assert_array_equal(got, ref)
    # the gather is its transpose: <gather(t), s> = <t, scatter(s)>
    t = rng.standard_normal(x.shape).astype(np.float32)
    gathered = windows.select_and_gather_add_p.impl(np, t, x, **params)
    np.testing.assert_allclose(np.sum(gathered * src), np.sum(t * ref), rtol=1e-5)


def test_max_pool_gradient_keeps_inf_cotangent_to_its_element():
    x = np.array([[1.0, 3.0, 2.0, 0.0]], np.float32)
    params = dict(window_dimensions=(1, 2), window_strides=(1, 2), padding=((0, 0), (0, 0)), base_dilation=(1, 1),
                  window_dilation=(1, 1))
    src = np.array([[np.inf, -np.inf]], np.float32)
    got = windows.select_and_scatter_add_p.impl(np, src, x, **params)
    assert got.tobytes() == np.array([[0.0, np.inf, -np.inf, 0.0]], np.float32).tobytes()
    t = np.array([[np.nan, 5.0, -0.0, 1.0]], np.float32)
    gathered = windows.select_and_gather_add_p.impl(np, t, x, **params)
    assert gathered.tobytes() == np.array([[5.0, -0.0]], np.float32).tobytes()


def test_max_pool_value_and_grad_matches_numpy():
    """The benchmark's value_and_grad of sum(maxpool_2x2(x)^2) / 2 under jit, batch 1, odd sizes."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 7, 6, 3)).astype(np.float32)

    def f(x):
        y = lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        return 0.5 * jnp.sum(y * y)

    value, dx = nablax.jit(nablax.value_and_grad(f))(x)
    blocks = x[:, :6].reshape(1, 3, 2, 3, 2, 3).transpose(0, 1, 3, 5, 2, 4).reshape(1, 3, 3, 3, 4)
    first = np.argmax(blocks, axis=-1)
    pooled = np.take_along_axis(blocks, first[..., None], -1)[..., 0]
    ref = np.zeros_like(x)
    ref[:, :6] = ((np.arange(4) == first[..., None]) * pooled[..., None]).reshape(1, 3, 3, 3, 2, 2) \
        .transpose(0, 1, 4, 2, 5, 3).reshape(1, 6, 6, 3)
    np.testing.assert_allclose(value, 0.5 * np.sum(pooled ** 2), rtol=1e-6)
    np.testing.assert_array_equal(dx, ref)


def _window_reference(x, reduce, fill, window, strides, padding, base_dilation, window_dilation):
    """reduce_window from the definition: dilate, pad with `fill`, reduce each window."""
    dil = np.full([(d - 1) * b + 1 for d, b in zip(x.shape, base_dilation)], fill, x.dtype)
    dil[tuple(slice(None, None, b) for b in base_dilation)] = x
    for ax, (lo, hi) in enumerate(padding):
        dil = np.pad(dil, [(0, 0)] * ax + [(max(lo, 0), max(hi, 0))] + [(0, 0)] * (x.ndim - 1 - ax),
                     constant_values=fill)
        dil = np.take(dil, range(max(-lo, 0), dil.shape[ax] - max(-hi, 0)), axis=ax)
    spans = [(w - 1) * r + 1 for w, r in zip(window, window_dilation)]
    out_shape = [max(0, (e - sp) // s + 1) for e, sp, s in zip(dil.shape, spans, strides)]
    out = np.empty(out_shape, x.dtype)
    for idx in itertools.product(*map(range, out_shape)):
        sl = tuple(slice(i * s, i * s + sp, r) for i, s, sp, r in zip(idx, strides, spans, window_dilation))
        out[idx] = reduce(dil[sl])
    return out


@pytest.mark.parametrize("seed", range(30))
def test_max_min_pool_axis_by_axis_matches_definition(seed):
    rng = np.random.default_rng(seed)
    nd = 1 + seed % 3
    x = rng.integers(-3, 4, tuple(int(v) for v in rng.integers(1, 6, nd))).astype([np.float32, np.int32][seed % 2])
    window = tuple(int(v) for v in rng.integers(1, 4, nd))
    strides = tuple(int(v) for v in rng.integers(1, 4, nd))
    padding = tuple((int(rng.integers(0, 3)), int(rng.integers(-1, 3))) for _ in range(nd))
    base, wdil = tuple(int(v) for v in rng.integers(1, 3, nd)), tuple(int(v) for v in rng.integers(1, 3, nd))
    params = dict(window_dimensions=window, window_strides=strides, padding=padding, base_dilation=base,
                  window_dilation=wdil)
    for prim, reduce, is_max in ((windows.reduce_window_max_p, np.max, True), (windows.reduce_window_min_p, np.min, False)):
        got = prim.impl(np, x, **params)
        ref = _window_reference(x, reduce, windows._extreme_fill(x.dtype, is_max), window, strides, padding, base, wdil)
        assert got.flags.c_contiguous and got.dtype == x.dtype
        np.testing.assert_array_equal(got, ref)


def test_impl_accepts_parameters_bound_as_lists():
    """The plan is cached on the parameters; lists (unhashable) still convolve, uncached."""
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((1, 2, 5, 4)).astype(np.float32), rng.standard_normal((3, 2, 2, 2)).astype(np.float32)
    params = _params(("NCHW", "OIHW", "NCHW"), [1, 1], [[1, 0], [0, 1]], [1, 1], [1, 1])
    out = conv._conv_impl(np, x, w, preferred_element_type=None, **params)
    np.testing.assert_allclose(out, _reference(x, w, (1, 1), ((1, 0), (0, 1)), (1, 1), (1, 1)), rtol=1e-5, atol=1e-5)
