"""Issue 9 (lax): JAX's out-of-bounds indexing semantics, the public lax boundary, and JAX's
error classes, the same eagerly and under jit. No JAX needed: JAX 0.10.2's answers are
hard-coded (tests/compat/test_lax_errors_vs_jax.py checks the tables against real JAX)."""
from __future__ import annotations

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.errors import NonConcreteBooleanIndexError

f3 = np.ones(3, np.float32)
f23 = np.ones((2, 3), np.float32)
f4 = np.ones(4, np.float32)
i3 = np.ones(3, np.int32)
b3 = np.ones(3, bool)
f33 = np.ones((3, 3), np.float32)
a3 = np.arange(3, dtype=np.float32)

# (name, fn(lax, jnp, *arrays), arrays, JAX's class eagerly and under jit (or (eager, jit)); None: no error)
LAX_MISUSE = [
    ("add_rank", lambda L, J, x, y: L.add(x, y), (f3, f23), TypeError),
    ("add_shapes", lambda L, J, x, y: L.add(x, y), (f3, f4), TypeError),
    ("add_dtypes", lambda L, J, x, y: L.add(x, y), (f3, i3), TypeError),
    ("add_pyint_to_float", lambda L, J, x: L.add(x, 1), (f3,), TypeError),
    ("add_pyfloat_to_int", lambda L, J, x: L.add(x, 1.0), (i3,), TypeError),
    ("add_list", lambda L, J, x: L.add(x, [1.0, 2.0, 3.0]), (f3,), TypeError),
    ("add_none", lambda L, J, x: L.add(x, None), (f3,), TypeError),
    ("sub_rank", lambda L, J, x, y: L.sub(x, y), (f23, f3), TypeError),
    ("mul_dtypes", lambda L, J, x, y: L.mul(x, y), (i3, f3), TypeError),
    ("div_shapes", lambda L, J, x, y: L.div(x, y), (f3, f4), TypeError),
    ("max_dtypes", lambda L, J, x, y: L.max(x, y), (f3, i3), TypeError),
    ("min_rank", lambda L, J, x, y: L.min(x, y), (f3, f23), TypeError),
    ("rem_pyint", lambda L, J, x: L.rem(x, 2), (f3,), TypeError),
    ("pow_rank", lambda L, J, x, y: L.pow(x, y), (f3, f23), TypeError),
    ("lt_pyint", lambda L, J, x: L.lt(x, 1), (f3,), TypeError),
    ("eq_rank", lambda L, J, x, y: L.eq(x, y), (f3, f23), TypeError),
    ("ne_dtypes", lambda L, J, x, y: L.ne(x, y), (f3, i3), TypeError),
    ("ge_shapes", lambda L, J, x, y: L.ge(x, y), (f3, f4), TypeError),
    ("and_bool_int", lambda L, J, x: L.bitwise_and(x, 1), (b3,), TypeError),
    ("or_float", lambda L, J, x, y: L.bitwise_or(x, y), (f3, f3), TypeError),
    ("shift_dtypes", lambda L, J, x: L.shift_left(x, np.ones(3, np.uint8)), (i3,), TypeError),
    ("atan2_rank", lambda L, J, x, y: L.atan2(x, y), (f3, f23), TypeError),
    ("nextafter_dtypes", lambda L, J, x, y: L.nextafter(x, y), (f3, i3), TypeError),
    ("complex_int", lambda L, J, x, y: L.complex(x, y), (i3, i3), TypeError),
    ("complex_rank", lambda L, J, x, y: L.complex(x, y), (f3, f23), TypeError),
    ("sin_int", lambda L, J, x: L.sin(x), (i3,), TypeError),
    ("neg_bool", lambda L, J, x: L.neg(x), (b3,), TypeError),
    ("exp_pyint", lambda L, J: L.exp(1), (), TypeError),
    ("integer_pow_neg_int", lambda L, J, x: L.integer_pow(x, -1), (i3,), TypeError),
    ("integer_pow_bool", lambda L, J, x: L.integer_pow(x, 2), (b3,), TypeError),
    ("select_float_pred", lambda L, J, p, x: L.select(p, x, x), (f3, f3), TypeError),
    ("select_case_shapes", lambda L, J, p, x, y: L.select(p, x, y), (b3, f3, f23), TypeError),
    ("select_pred_shape", lambda L, J, x: L.select(np.ones(1, bool), x, x), (f3,), TypeError),
    ("select_scalar_case", lambda L, J, p, x: L.select(p, x, 1.0), (b3, f3), TypeError),
    ("select_dtypes", lambda L, J, p, x, y: L.select(p, x, y), (b3, f3, i3), TypeError),
    ("select_n_bool_3", lambda L, J, p, x: L.select_n(p, x, x, x), (b3, f3), TypeError),
    ("select_n_none", lambda L, J, p: L.select_n(p), (b3,), ValueError),
    ("select_n_shapes", lambda L, J, p, x, y: L.select_n(p, x, y), (i3, f3, f4), TypeError),
    ("clamp_min_shape", lambda L, J, lo, x: L.clamp(lo, x, 1.0), (np.zeros(2, np.float32), f3), TypeError),
    ("clamp_min_1", lambda L, J, lo, x: L.clamp(lo, x, 1.0), (np.zeros(1, np.float32), f3), TypeError),
    ("clamp_dtypes", lambda L, J, x: L.clamp(0, x, 1), (f3,), TypeError),
    ("clamp_complex", lambda L, J, x: L.clamp(0.0, x, 1.0), (np.ones(3, np.complex64),), TypeError),
    ("dot_mismatch", lambda L, J, x, y: L.dot(x, y), (f23, f23), ValueError),
    ("dot_general_contract", lambda L, J, x, y: L.dot_general(x, y, (((1,), (0,)), ((), ()))), (f23, f23), TypeError),
    ("dot_general_batch", lambda L, J, x, y: L.dot_general(x, y, (((1,), (1,)), ((0,), (0,)))), (f23, f33), TypeError),
    ("dot_general_axis_range", lambda L, J, x, y: L.dot_general(x, y, (((2,), (0,)), ((), ()))), (f23, f33), TypeError),
    ("concatenate_shapes", lambda L, J, x, y: L.concatenate([x, y], 0), (f23, f33), None),
    ("concatenate_dtypes", lambda L, J, x, y: L.concatenate([x, y], 0), (f3, i3), TypeError),
    ("concatenate_rank", lambda L, J, x, y: L.concatenate([x, y], 0), (f3, f23), TypeError),
    ("concatenate_dim", lambda L, J, x, y: L.concatenate([x, y], 2), (f23, f23), TypeError),
    ("concatenate_empty", lambda L, J: L.concatenate([], 0), (), ValueError),
    ("pad_config_len", lambda L, J, x: L.pad(x, 0.0, [(1, 1, 0), (1, 1, 0)]), (f3,), ValueError),
    ("pad_value_dtype", lambda L, J, x: L.pad(x, 0, [(1, 1, 0)]), (f3,), TypeError),
    ("pad_value_shape", lambda L, J, x: L.pad(x, np.zeros(2, np.float32), [(1, 1, 0)]), (f3,), ValueError),
    ("pad_interior_neg", lambda L, J, x: L.pad(x, 0.0, [(1, 1, -1)]), (f3,), ValueError),
    ("pad_too_negative", lambda L, J, x: L.pad(x, 0.0, [(-2, -2, 0)]), (f3,), ValueError),
    ("reshape_size", lambda L, J, x: L.reshape(x, (2, 2)), (f3,), ValueError),
    ("reshape_negative", lambda L, J, x: L.reshape(x, (-1, 3)), (f23,), TypeError),
    ("reshape_dimensions", lambda L, J, x: L.reshape(x, (3, 2), dimensions=(0,)), (f23,), TypeError),
    ("broadcast_in_dim_size", lambda L, J, x: L.broadcast_in_dim(x, (2, 5), (1,)), (f3,), TypeError),
    ("broadcast_in_dim_len", lambda L, J, x: L.broadcast_in_dim(x, (2, 3), (0, 1)), (f3,), TypeError),
    ("broadcast_in_dim_order", lambda L, J, x: L.broadcast_in_dim(x, (3, 3, 2), (1, 0)), (f33,), None),
    ("broadcast_in_dim_range", lambda L, J, x: L.broadcast_in_dim(x, (2, 3), (2,)), (f3,), TypeError),
    ("broadcast_in_dim_rank", lambda L, J, x: L.broadcast_in_dim(x, (3,), (0, 1)), (f23,), TypeError),
    ("dynamic_slice_too_big", lambda L, J, x: L.dynamic_slice(x, (0,), (5,)), (a3,), TypeError),
    ("dynamic_slice_too_big_2d", lambda L, J, x: L.dynamic_slice(x, (0, 0), (5, 2)), (f33,), TypeError),
    ("dynamic_slice_nstarts", lambda L, J, x: L.dynamic_slice(x, (0, 0), (1,)), (a3,), ValueError),
    ("dynamic_slice_nsizes", lambda L, J, x: L.dynamic_slice(x, (0,), (1, 1)), (a3,), ValueError),
    ("dynamic_slice_float_start", lambda L, J, x: L.dynamic_slice(x, (np.float32(0.0),), (1,)), (a3,), TypeError),
    ("dynamic_slice_negative_size", lambda L, J, x: L.dynamic_slice(x, (0,), (-1,)), (a3,), TypeError),
    ("dynamic_slice_in_dim_big", lambda L, J, x: L.dynamic_slice_in_dim(x, 0, 4, 0), (a3,), TypeError),
    ("dynamic_slice_in_dim_axis", lambda L, J, x: L.dynamic_slice_in_dim(x, 0, 1, 2), (f23,), IndexError),
    ("dynamic_index_in_dim_axis", lambda L, J, x: L.dynamic_index_in_dim(x, 0, 3), (f23,), IndexError),
    ("dynamic_update_slice_big", lambda L, J, x, u: L.dynamic_update_slice(x, u, (0,)), (f3, f4), TypeError),
    ("dynamic_update_slice_rank", lambda L, J, x, u: L.dynamic_update_slice(x, u, (0,)), (f3, f23), TypeError),
    ("dynamic_update_slice_dtype", lambda L, J, x, u: L.dynamic_update_slice(x, u, (0,)), (f3, i3), TypeError),
    ("dynamic_update_slice_nstarts", lambda L, J, x, u: L.dynamic_update_slice(x, u, (0, 0)), (f3, f3), ValueError),
    ("iota_negative", lambda L, J: L.iota(np.int32, -1), (), TypeError),
    ("iota_float_size", lambda L, J: L.iota(np.int32, 2.5), (), TypeError),
    ("broadcasted_iota_dim", lambda L, J: L.broadcasted_iota(np.int32, (2, 3), 2), (), ValueError),
    ("broadcasted_iota_negative", lambda L, J: L.broadcasted_iota(np.int32, (2, -3), 0), (), TypeError),
    ("transpose_perm", lambda L, J, x: L.transpose(x, (0, 0)), (f23,), TypeError),
    ("transpose_perm_len", lambda L, J, x: L.transpose(x, (0,)), (f23,), TypeError),
    ("slice_oob", lambda L, J, x: L.slice(x, (0,), (5,)), (f3,), TypeError),
    ("slice_start_gt_limit", lambda L, J, x: L.slice(x, (2,), (1,)), (f3,), TypeError),
    ("slice_in_dim_oob", lambda L, J, x: L.slice_in_dim(x, 0, 5), (f3,), TypeError),
    ("squeeze_non1", lambda L, J, x: L.squeeze(x, (0,)), (f23,), ValueError),
    ("squeeze_axis", lambda L, J, x: L.squeeze(x, (3,)), (f23,), ValueError),
    ("expand_dims_axis", lambda L, J, x: L.expand_dims(x, (5,)), (f3,), ValueError),
    ("rev_axis", lambda L, J, x: L.rev(x, (1,)), (f3,), TypeError),
    ("reduce_sum_axis", lambda L, J, x: L.reduce_sum(x, (2,)), (f23,), ValueError),
    ("reduce_max_dup", lambda L, J, x: L.reduce_max(x, (0, 0)), (f23,), ValueError),
    ("argmax_axis", lambda L, J, x: L.argmax(x, 2, np.int32), (f23,), ValueError),
    ("argmax_index_dtype", lambda L, J, x: L.argmax(x, 0, np.float32), (f23,), TypeError),
    ("cumsum_bool", lambda L, J, x: L.cumsum(x), (b3,), TypeError),
    ("cumsum_axis", lambda L, J, x: L.cumsum(x, axis=2), (f23,), ValueError),
    ("sort_dimension", lambda L, J, x: L.sort(x, dimension=2), (f23,), ValueError),
    ("convert_bad_dtype", lambda L, J, x: L.convert_element_type(x, "foo"), (f3,), TypeError),
    ("broadcast_negative", lambda L, J, x: L.broadcast(x, (-1,)), (f3,), TypeError),
    ("expand_dims_dup", lambda L, J, x: L.expand_dims(x, (0, 0)), (f3,), ValueError),
]

JNP_MISUSE = [
    ("reshape_size", lambda L, J, x: J.reshape(x, (2, 2)), (f3,), TypeError),
    ("reshape_method_size", lambda L, J, x: x.reshape(4, 2), (f23,), TypeError),
    ("reshape_two_minus1", lambda L, J, x: J.reshape(x, (-1, -1)), (f23,), TypeError),
    ("reshape_neg2", lambda L, J, x: J.reshape(x, (-2, 3)), (f23,), TypeError),
    ("concatenate_shapes", lambda L, J, x, y: J.concatenate([x, y], 1), (f23, f33), TypeError),
    ("concatenate_rank", lambda L, J, x, y: J.concatenate([x, y]), (f3, f23), TypeError),
    ("concatenate_axis", lambda L, J, x, y: J.concatenate([x, y], 2), (f23, f23), ValueError),
    ("concatenate_empty", lambda L, J: J.concatenate([]), (), ValueError),
    ("concatenate_scalar", lambda L, J, x: J.concatenate([x[0], x[1]]), (f3,), ValueError),
    ("stack_shapes", lambda L, J, x, y: J.stack([x, y]), (f3, f4), ValueError),
    ("stack_axis", lambda L, J, x, y: J.stack([x, y], 3), (f3, f3), ValueError),
    ("hstack_shapes", lambda L, J, x, y: J.hstack([x, y]), (f23, f33), TypeError),
    ("vstack_shapes", lambda L, J, x, y: J.vstack([x, y]), (f3, f4), TypeError),
    ("take_axis", lambda L, J, x: J.take(x, J.array([0]), axis=2), (f23,), ValueError),
    ("take_float_idx", lambda L, J, x: J.take(x, J.array([0.5])), (f23,), ValueError),
    ("take_along_axis_rank", lambda L, J, x: J.take_along_axis(x, J.array([0]), axis=0), (f23,), ValueError),
    ("split_uneven", lambda L, J, x: J.split(x, 2), (f3,), ValueError),
    ("split_axis", lambda L, J, x: J.split(x, 3, axis=2), (f23,), IndexError),
    ("transpose_perm", lambda L, J, x: J.transpose(x, (0, 0)), (f23,), TypeError),
    ("transpose_perm_len", lambda L, J, x: J.transpose(x, (0,)), (f23,), TypeError),
    ("transpose_axis", lambda L, J, x: J.transpose(x, (0, 2)), (f23,), ValueError),
    ("swapaxes_axis", lambda L, J, x: J.swapaxes(x, 0, 2), (f23,), IndexError),
    ("squeeze_non1", lambda L, J, x: J.squeeze(x, 0), (f23,), ValueError),
    ("squeeze_axis", lambda L, J, x: J.squeeze(x, 3), (f23,), ValueError),
    ("moveaxis_axis", lambda L, J, x: J.moveaxis(x, 0, 2), (f23,), ValueError),
    ("moveaxis_len", lambda L, J, x: J.moveaxis(x, (0, 1), (0,)), (f23,), ValueError),
    ("moveaxis_dup", lambda L, J, x: J.moveaxis(x, (0, 0), (0, 1)), (f23,), TypeError),
    ("expand_dims_axis", lambda L, J, x: J.expand_dims(x, 3), (f3,), ValueError),
    ("expand_dims_dup", lambda L, J, x: J.expand_dims(x, (0, 0)), (f3,), ValueError),
    ("broadcast_to_incompat", lambda L, J, x: J.broadcast_to(x, (2, 4)), (f3,), ValueError),
    ("broadcast_to_rank", lambda L, J, x: J.broadcast_to(x, (3,)), (f23,), ValueError),
    ("broadcast_to_negative", lambda L, J, x: J.broadcast_to(x, (-1, 3)), (f3,), TypeError),
    ("broadcast_arrays", lambda L, J, x, y: J.broadcast_arrays(x, y), (f3, f4), ValueError),
    ("add_shapes", lambda L, J, x, y: J.add(x, y), (f3, f4), TypeError),
    ("where_shapes", lambda L, J, p, x, y: J.where(p, x, y), (b3, f3, f4), ValueError),
    ("bool_mask", lambda L, J, x, m: x[m], (f3, b3), (None, IndexError)),
    ("bool_mask_shape", lambda L, J, x: x[np.array([True, False])], (f3,), IndexError),
    ("traced_slice_bound", lambda L, J, x, i: x[:i[0]], (f3, i3), (None, IndexError)),
    ("traced_slice_start", lambda L, J, x, i: x[i[1]:], (f3, i3), (None, IndexError)),
    ("float_index", lambda L, J, x: x[1.5], (f3,), TypeError),
    ("float_array_index", lambda L, J, x, y: x[y], (f3, f3), TypeError),
    ("too_many_indices", lambda L, J, x: x[0, 0], (f3,), IndexError),
    ("two_ellipsis", lambda L, J, x: x[..., ...], (f3,), IndexError),
    ("list_index", lambda L, J, x: x[[0, 1]], (f3,), TypeError),
    ("index_shapes", lambda L, J, x: x[J.array([0, 1]), J.array([0, 1, 2])], (f23,), ValueError),
    ("str_index", lambda L, J, x: x["a"], (f3,), TypeError),
    ("at_set_shape", lambda L, J, x: x.at[0:2].set(J.ones(3)), (f3,), ValueError),
    ("at_bad_op", lambda L, J, x: x.at[0].foo(1.0), (f3,), AttributeError),
    ("setitem", lambda L, J, x: x.__setitem__(0, 1.0), (f3,), TypeError),
    ("pad_negative", lambda L, J, x: J.pad(x, -1), (f3,), ValueError),
    ("pad_negative_pair", lambda L, J, x: J.pad(x, ((1, -1),)), (f3,), ValueError),
    ("pad_bad_mode", lambda L, J, x: J.pad(x, 1, mode="foo"), (f3,), NotImplementedError),
    ("pad_shape", lambda L, J, x: J.pad(x, ((1, 1), (1, 1), (1, 1))), (f23,), ValueError),
    ("pad_float_width", lambda L, J, x: J.pad(x, 1.5), (f3,), TypeError),
    ("repeat_negative", lambda L, J, x: J.repeat(x, -1), (f3,), TypeError),
    ("repeat_axis", lambda L, J, x: J.repeat(x, 2, axis=2), (f3,), ValueError),
    ("roll_axis", lambda L, J, x: J.roll(x, 1, axis=2), (f3,), ValueError),
    ("flip_axis", lambda L, J, x: J.flip(x, 2), (f3,), ValueError),
    ("sum_axis", lambda L, J, x: J.sum(x, axis=2), (f23,), ValueError),
    ("argmax_axis", lambda L, J, x: J.argmax(x, axis=2), (f23,), IndexError),
    ("cumsum_axis", lambda L, J, x: J.cumsum(x, axis=2), (f23,), ValueError),
    ("diagonal_axes", lambda L, J, x: J.diagonal(x, axis1=0, axis2=0), (f23,), TypeError),
    ("matmul_shapes", lambda L, J, x, y: J.matmul(x, y), (f23, f23), TypeError),
    ("dot_shapes", lambda L, J, x, y: J.dot(x, y), (f23, f23), TypeError),
    ("einsum_shapes", lambda L, J, x, y: J.einsum("ij,ij->i", x, y), (f23, f33), ValueError),
    ("zeros_negative", lambda L, J: J.zeros((-1,)), (), TypeError),
    ("arange_traced", lambda L, J, i: J.arange(i[2]), (i3,), (None, TypeError)),
    ("dynamic_slice_big", lambda L, J, x: L.dynamic_slice(x, (0,), (4,)), (f3,), TypeError),
    ("append_axis", lambda L, J, x, y: J.append(x, y, axis=0), (f23, f3), TypeError),
    ("nonzero_traced", lambda L, J, x: J.nonzero(x), (f3,), (None, TypeError)),
]


def _outcome(fn, args, traced: bool):
    arrays = [jnp.asarray(a) for a in args]
    def f(*a):
        return fn(lax, jnp, *a)

    try:
        (nablax.jit(f) if traced else f)(*arrays)
    except Exception as e:  # noqa: BLE001  (the class is what is compared)
        return e
    return None


def _check(fn, args, expected, traced: bool):
    want = expected[traced] if isinstance(expected, tuple) else expected
    got = _outcome(fn, args, traced)
    if want is None:
        assert got is None, f"JAX accepts this; nablax raised {type(got).__name__}: {got}"
    else:
        assert isinstance(got, want), f"JAX raises {want.__name__}; nablax gave {type(got).__name__}: {got}"


@pytest.mark.parametrize("traced", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("name,fn,args,expected", LAX_MISUSE, ids=[c[0] for c in LAX_MISUSE])
def test_lax_misuse_raises_jax_class_eagerly_and_under_jit(name, fn, args, expected, traced):
    _check(fn, args, expected, traced)


@pytest.mark.parametrize("traced", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("name,fn,args,expected", JNP_MISUSE, ids=[c[0] for c in JNP_MISUSE])
def test_jnp_misuse_raises_jax_class(name, fn, args, expected, traced):
    _check(fn, args, expected, traced)


def test_lax_eager_and_jit_raise_the_same_message():
    # one check at the public wrapper: the eager and the traced call say the same thing
    for fn, args in ((lambda x: lax.dynamic_slice(x, (0,), (5,)), (a3,)), (lambda x, y: lax.add(x, y), (f3, f23)),
                     (lambda: lax.iota(np.int32, -1), ())):
        arrays = [jnp.asarray(a) for a in args]
        with pytest.raises(TypeError) as eager:
            fn(*arrays)
        with pytest.raises(TypeError) as traced:
            nablax.jit(fn)(*arrays)
        assert str(eager.value) == str(traced.value)


# ------------------------------------------------------------- gradients at out-of-range indices

def test_grad_of_out_of_range_array_index_is_zero():
    # JAX: x[idx] is a 'promise_in_bounds' gather: value clamped, gradient dropped
    v, g = nablax.value_and_grad(lambda x: jnp.sum(jnp.sin(x[jnp.array([-3])])))(jnp.ones((1,)))
    np.testing.assert_allclose(float(v), 0.84147096, rtol=1e-6)
    assert g.tolist() == [0.0]
    x = jnp.array([1.0, 2.0, 3.0])
    w = jnp.array([1.0, 2.0, 3.0, 4.0])
    idx = jnp.array([-1, 3, -4, 5])  # -1 wraps to 2; the others stay out of range after wrapping
    assert nablax.grad(lambda x: jnp.sum(x[idx] * w))(x).tolist() == [0.0, 0.0, 1.0]
    assert nablax.jit(nablax.grad(lambda x: jnp.sum(x[idx] * w)))(x).tolist() == [0.0, 0.0, 1.0]


def test_vjp_through_einsum_and_out_of_range_index():
    x = jnp.array([1.0, 2.0, 3.0])
    _, pullback = nablax.vjp(lambda x: jnp.einsum("ij->j", jnp.broadcast_to(x, (2, 3)))[jnp.array([5, 0])], x)
    assert pullback(jnp.array([1.0, 10.0]))[0].tolist() == [20.0, 0.0, 0.0]


def test_gather_and_scatter_modes_follow_jax():
    x = jnp.array([1.0, 2.0, 3.0])
    idx = jnp.array([-1, 3, -4, 5])
    w = jnp.array([1.0, 2.0, 3.0, 4.0])

    def get(mode):
        return nablax.grad(lambda x: jnp.sum(jnp.where(jnp.isnan(v := x.at[idx].get(mode=mode)), 0.0, v) * w))(x)

    assert get(None).tolist() == [0.0, 0.0, 1.0]
    assert get("promise_in_bounds").tolist() == [0.0, 0.0, 1.0]
    assert get("clip").tolist() == [3.0, 0.0, 7.0]  # the clamped element gets the gradient
    assert get("fill").tolist() == [0.0, 0.0, 1.0]
    take = {m: nablax.grad(lambda x, m=m: jnp.sum(jnp.take(x, idx, mode=m) * w))(x).tolist() for m in (None, "clip")}
    assert take == {None: [0.0, 0.0, 1.0], "clip": [4.0, 0.0, 6.0]}  # take 'clip' clamps without wrapping
    assert jnp.take(x, idx, mode="clip").tolist() == [1.0, 3.0, 1.0, 3.0]
    u = jnp.array([10.0, 20.0, 30.0, 40.0])
    c = jnp.array([1.0, 5.0, 7.0])

    def add(mode):
        f = lambda x, u: jnp.sum(x.at[idx].add(u, mode=mode) * c)  # noqa: E731
        return [g.tolist() for g in nablax.grad(f, argnums=(0, 1))(x, u)]

    assert add(None) == [[1.0, 5.0, 7.0], [7.0, 0.0, 0.0, 0.0]]
    assert add("clip") == [[1.0, 5.0, 7.0], [7.0, 7.0, 1.0, 7.0]]
    assert add("promise_in_bounds") == [[1.0, 5.0, 7.0], [7.0, 7.0, 1.0, 7.0]]  # transpose gathers, clamping
    assert x.at[idx].set(u, mode="clip").tolist() == [30.0, 2.0, 40.0]


def test_static_out_of_range_ints_clamp_and_keep_their_gradient():
    # JAX slices for an index of static ints only: value and gradient at the clamped element
    assert jnp.arange(10)[11].tolist() == 9 and jnp.arange(10)[-11].tolist() == 0
    x = jnp.array([1.0, 2.0, 3.0])
    assert nablax.grad(lambda x: x[7])(x).tolist() == [0.0, 0.0, 1.0]
    assert nablax.grad(lambda x: x[-5])(x).tolist() == [1.0, 0.0, 0.0]
    assert nablax.jit(lambda x: x[7])(x).tolist() == 3.0
    x2 = jnp.arange(6.0).reshape(2, 3)
    assert x2[1, -7].tolist() == 3.0 and x2[:, 4].tolist() == [2.0, 5.0]
    # mixed with an array index it is a gather: the out-of-range row gets no gradient
    assert nablax.grad(lambda x: jnp.sum(x[5, jnp.array([0, 1])]))(x2).tolist() == [[0.0] * 3] * 2
    assert x2[5, jnp.array([0, 1])].tolist() == [3.0, 4.0]
    # .at[] updates drop them
    assert jnp.arange(10).at[11].set(0).tolist() == list(range(10))
    assert jnp.arange(10).at[-11].add(5).tolist() == list(range(10))


def test_dynamic_slice_counts_negative_starts_from_the_end_then_clamps():
    a = jnp.arange(10)
    assert lax.dynamic_slice(a, (-2,), (2,)).tolist() == [8, 9]
    assert lax.dynamic_slice(a, (-12,), (2,)).tolist() == [0, 1]
    assert lax.dynamic_slice(a, (20,), (2,)).tolist() == [8, 9]
    assert nablax.jit(lambda i: lax.dynamic_slice(a, (i,), (2,)))(-2).tolist() == [8, 9]
    assert nablax.vmap(lambda i: lax.dynamic_slice(a, (i,), (2,)))(jnp.array([-2, 3, -12])).tolist() == [
        [8, 9], [3, 4], [0, 1]]
    assert lax.dynamic_update_slice(a, jnp.array([-1, -1]), (-1,)).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, -1, -1]
    assert lax.dynamic_index_in_dim(a, -1).tolist() == [9]
    assert lax.dynamic_index_in_dim(a, 12, keepdims=False).tolist() == 9
    assert lax.dynamic_slice_in_dim(jnp.arange(6).reshape(2, 3), -1, 1, axis=-1).tolist() == [[2], [5]]
    g = nablax.grad(lambda x: jnp.sum(lax.dynamic_slice(x, (jnp.int32(-2),), (2,))))(jnp.arange(4.0))
    assert g.tolist() == [0.0, 0.0, 1.0, 1.0]


# ------------------------------------------------------------------------- the lax boundary

def test_lax_accepts_what_jax_accepts():
    x = jnp.ones(3)
    assert lax.add(x, 1.0).dtype == np.float32 and not lax.add(x, 1.0).weak_type
    assert lax.add(1.0, 2.0).weak_type and lax.add(1, 1).dtype == np.int32
    assert lax.add(x, jnp.ones(1)).shape == (3,)  # size-1 axes broadcast within one rank
    assert lax.add(jnp.ones((1, 3)), jnp.ones((2, 1))).shape == (2, 3)
    assert lax.add(x, jnp.float32(2)).tolist() == [3.0, 3.0, 3.0]  # rank 0 goes with anything
    assert lax.add(x, np.float64(1)).dtype == np.float32  # NumPy values are canonicalized (x64 off)
    assert lax.pow(x, jnp.ones(3, jnp.int32)).dtype == np.float32 and lax.pow(x, 2).dtype == np.float32
    assert lax.select(True, x, x).shape == (3,) and lax.clamp(0.0, x, 1.0).shape == (3,)
    assert lax.select_n(jnp.ones(3, jnp.int32), x, x).shape == (3,) and lax.select_n(jnp.ones(3, bool), x).shape == (3,)
    assert lax.broadcast_in_dim(jnp.arange(6.0).reshape(2, 3), (3, 4, 2), (2, 0))[:, 0, :].tolist() == [
        [0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    with nablax.config.enable_x64(True):  # with x64 a Python float is float64: JAX rejects it for float32
        with pytest.raises(TypeError, match="same dtypes"):
            lax.add(jnp.ones(3, jnp.float32), 1.0)
        assert lax.add(jnp.ones(3, jnp.float64), 1.0).dtype == np.float64


def test_jnp_still_broadcasts_and_promotes():
    # jnp uses the internal primitives, which broadcast ranks and take Python scalars
    assert jnp.add(jnp.ones(3), jnp.ones((2, 3))).shape == (2, 3)
    assert jnp.add(jnp.ones(3), 1).dtype == np.float32
    assert jnp.where(jnp.ones(3, bool), jnp.ones((2, 3)), 0.0).shape == (2, 3)


def test_nonconcrete_boolean_index_error_is_an_index_error():
    assert issubclass(NonConcreteBooleanIndexError, IndexError)
    x = jnp.ones(3)
    for transform in (nablax.jit, nablax.vmap):
        arg = x if transform is nablax.jit else jnp.ones((2, 3))
        with pytest.raises(NonConcreteBooleanIndexError, match="jnp.where"):
            transform(lambda a: a[a > 0])(arg)


# nablax's lax.gather/scatter take a NumPy-style index (not JAX's dimension numbers), so there is
# no JAX row to compare with; the eager call must raise what the traced call raises.
_GS_MISUSE = [
    ("scatter_shape", lambda x: lax.scatter(x, (jnp.array([0, 1]),), jnp.ones((3, 3))), ValueError),
    ("scatter_dtype", lambda x: lax.scatter(x, (jnp.array([0, 1]),), jnp.ones((2, 3), jnp.int32)), TypeError),
    ("scatter_add_shape", lambda x: lax.scatter_add(x, (jnp.array([0, 1]),), jnp.ones((2, 5))), ValueError),
    ("scatter_min_complex", lambda x: lax.scatter_min(x.astype(jnp.complex64), (jnp.array([0]),),
                                                      jnp.ones((1, 3), jnp.complex64)), TypeError),
    ("gather_float_index", lambda x: lax.gather(x, (jnp.array([0.5]),)), TypeError),
    ("gather_too_many", lambda x: lax.gather(x, (0, 0, 0)), IndexError),
    ("gather_mode", lambda x: lax.gather(x, (jnp.array([0]),), mode="foo"), ValueError),
]


@pytest.mark.parametrize("name,fn,expected", _GS_MISUSE, ids=[c[0] for c in _GS_MISUSE])
def test_gather_scatter_misuse_same_eagerly_and_under_jit(name, fn, expected):
    x = jnp.ones((3, 3))
    with pytest.raises(expected) as eager:
        fn(x)
    with pytest.raises(expected) as traced:
        nablax.jit(fn)(x)
    assert str(eager.value) == str(traced.value)
