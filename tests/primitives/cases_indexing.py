"""Cases for the indexing primitives: dynamic_slice, dynamic_update_slice, gather, scatters.

Index operands are integers, so they are never differentiated; the vmap column batches
them too (replicated values), which runs the batched-index rules (iota + gather/scatter).
"""
import numpy as np

from nablax import lax
from nablax._src.primitives import dynamic_slice as ds
from nablax._src.primitives import indexing as ix

from .case import Case, randn

I = np.int64


def _gather_case(name, x, index, reference, mode="clip", fill_value=None):
    prep = ix.prepare_index(x.shape, index)
    arrays = tuple(np.asarray(a) for a in prep.arrays)
    params = {"spec": prep.spec, "mode": mode, "fill_value": fill_value}
    return Case(ix.gather_p, (x,) + arrays, params, reference=lambda x, *a, **p: reference(x, *a), name=name)


def _scatter_case(prim, name, x, index, reference, mode="drop", unique=False, seed=5, order=2):
    prep = ix.prepare_index(x.shape, index)
    arrays = tuple(np.asarray(a) for a in prep.arrays)
    updates = randn(*prep.shape, seed=seed)
    params = {"spec": prep.spec, "mode": mode, "unique_indices": unique}
    return Case(prim, (x, updates) + arrays, params, reference=lambda x, u, *a, **p: reference(x.copy(), u, *a),
                name=name, order=order)


X = randn(4, 5)
X3 = randn(3, 4, 5, seed=1)


def _set(idx):
    def ref(x, u, *a):
        x[idx(*a)] = u
        return x
    return ref


def _ufunc_at(ufunc, idx):
    def ref(x, u, *a):
        ufunc.at(x, idx(*a), u)
        return x
    return ref


def _drop_second(x, u, i, j):
    x[i[:1], :, j[:1]] = u[:1]  # the second update's first index (9) is out of range
    return x


def _fill(x, i, d, fill):
    ok = (i >= -d) & (i < d)
    out = x[np.where(ok, i, 0)]
    return np.where(ok.reshape(ok.shape + (1,) * (out.ndim - ok.ndim)), out, fill)


def _clamped_window(x, starts, sizes):
    st = [min(max(int(s), 0), d - n) for s, d, n in zip(starts, x.shape, sizes)]
    return tuple(slice(s, s + n) for s, n in zip(st, sizes))


def _dus_ref(x, u, *starts):
    out = x.copy()
    out[_clamped_window(x, starts, u.shape)] = u
    return out


CASES = [
    # gather: basic (no index arrays), negative steps, advanced indexing in every placement
    _gather_case("basic", X, (slice(1, 4, 2), None, 3), lambda x: x[1:4:2, None, 3]),
    _gather_case("negstep", X, (slice(None, None, -1), slice(4, 0, -2)), lambda x: x[::-1, 4:0:-2]),
    _gather_case("array_dup_neg", X, (np.array([0, 2, -1, 2]),), lambda x, i: x[i]),
    _gather_case("adjacent", X3, (slice(None), np.array([[0], [3]]), np.array([1, 2])),
                 lambda x, i, j: x[:, i, j]),
    _gather_case("nonadjacent", X3, (np.array([0, 2]), slice(None), np.array([1, -1])),
                 lambda x, i, j: x[i, :, j]),
    _gather_case("int_array_nonadjacent", X3, (1, slice(None, 3), np.array([0, 4])),
                 lambda x, i: x[1, :3, i]),
    _gather_case("newaxis_array", X3, (None, np.array([2, 0]), None, 2), lambda x, i: x[None, i, None, 2]),
    _gather_case("clip", X, (np.array([5, -7, 1]),), lambda x, i: x[np.clip(np.where(i < 0, i + 4, i), 0, 3)]),
    _gather_case("fill", X, (np.array([1, 7, -5, -1]),), lambda x, i: _fill(x, i, 4, -1.0), mode="fill",
                 fill_value=-1.0),
    # jnp's x[idx]. (Out of range it clamps but its transpose drops, so it is not self-consistent
    # there, as JAX warns: the rules are checked in range; tests/test_issue9_lax.py checks the rest.)
    _gather_case("promise_in_bounds", X, (np.array([3, -2, 1, 1]),), lambda x, i: x[i], mode="promise_in_bounds"),
    # scatter (set): static, unique, duplicate (one update wins), dropped and clipped indices
    _scatter_case(ix.scatter_p, "basic", X, (slice(1, 3), 2), _set(lambda: (slice(1, 3), 2))),
    _scatter_case(ix.scatter_p, "unique", X, (np.array([3, 0]),), _set(lambda i: i), unique=True),
    _scatter_case(ix.scatter_p, "dup", X, (np.array([1, 3, 1]),), _set(lambda i: i)),
    _scatter_case(ix.scatter_p, "drop", X3, (np.array([0, 9]), slice(None), np.array([-1, 2])), _drop_second),
    _scatter_case(ix.scatter_p, "clip", X, (np.array([-9, 6]), 1),
                  _set(lambda i: (np.clip(i, 0, 3), 1)), mode="clip"),
    # scatter_add
    _scatter_case(ix.scatter_add_p, "basic", X, (slice(None, None, -1), 0),
                  _ufunc_at(np.add, lambda: (slice(None, None, -1), 0))),
    _scatter_case(ix.scatter_add_p, "dup_nonadjacent", X3, (np.array([2, 2, 0]), slice(1, 3), np.array([4, 4, 1])),
                  _ufunc_at(np.add, lambda i, j: (i, slice(1, 3), j))),
    _scatter_case(ix.scatter_add_p, "clip", X, (np.array([[1, 8]]),), _ufunc_at(np.add, lambda i: np.clip(i, 0, 3)),
                  mode="clip"),
    _scatter_case(ix.scatter_add_p, "promise_in_bounds", X3, (np.array([0, 1, 0]), slice(None), np.array([-1, 2, -1])),
                  _ufunc_at(np.add, lambda i, j: (i, slice(None), j)), mode="promise_in_bounds"),
    # scatter_mul: unique (JAX's rule) and duplicate indices (exclusive products)
    _scatter_case(ix.scatter_mul_p, "unique", X, (np.array([2, 0]), slice(1, 4)),
                  _ufunc_at(np.multiply, lambda i: (i, slice(1, 4))), unique=True),
    _scatter_case(ix.scatter_mul_p, "dup", X, (np.array([1, 3, 1, 1]),), _ufunc_at(np.multiply, lambda i: i)),
    # scatter_min / scatter_max: the tangent follows the winner
    _scatter_case(ix.scatter_min_p, "dup", X, (np.array([0, 2, 0]),), _ufunc_at(np.minimum, lambda i: i)),
    _scatter_case(ix.scatter_max_p, "dup", X3, (1, np.array([3, 3, 0])), _ufunc_at(np.maximum, lambda i: (1, i))),
    # dynamic_slice / dynamic_update_slice, in range and clamped
    Case(ds.dynamic_slice_p, (X, I(1), I(2)), {"slice_sizes": (3, 2)},
         reference=lambda x, a, b, slice_sizes: x[_clamped_window(x, (a, b), slice_sizes)]),
    Case(ds.dynamic_slice_p, (X3, I(5), I(-3), I(1)), {"slice_sizes": (2, 4, 3)}, name="clamped",
         reference=lambda x, *s, slice_sizes: x[_clamped_window(x, s, slice_sizes)]),
    Case(ds.dynamic_update_slice_p, (X, randn(2, 3, seed=3), I(1), I(1)), reference=_dus_ref),
    Case(ds.dynamic_update_slice_p, (X3, randn(2, 1, 5, seed=3), I(7), I(-2), I(0)), reference=_dus_ref,
         name="clamped"),
]

# Misuse: eager and jit raise the same class (test_rules.py), through lax and indexing.
BAD_CASES = [
    Case(ix.gather_p, (randn(4), np.ones(2)), bind=lambda x, i: x[i], name="float-index"),
    Case(ix.gather_p, (randn(4), np.zeros(2, np.int32)), bind=lambda x, i: x[i, 0], name="too-many-indices"),
    Case(ix.scatter_p, (randn(4), randn(3)), bind=lambda x, u: x.at[:2].set(u), name="update-shape"),
    Case(ds.dynamic_slice_p, (X, np.float64(1.0), I(0)), {"slice_sizes": (2, 2)},
         bind=lambda x, *s, slice_sizes: lax.dynamic_slice(x, s, slice_sizes), name="float-start"),
    Case(ds.dynamic_slice_p, (X, I(1)), {"slice_sizes": (2, 2)},
         bind=lambda x, *s, slice_sizes: lax.dynamic_slice(x, s, slice_sizes), name="starts"),
    Case(ds.dynamic_slice_p, (X, I(1), I(0)), {"slice_sizes": (9, 2)},
         bind=lambda x, *s, slice_sizes: lax.dynamic_slice(x, s, slice_sizes), name="too-big"),
    Case(ds.dynamic_update_slice_p, (X, np.ones((9, 1)), I(0), I(0)),
         bind=lambda x, u, *s: lax.dynamic_update_slice(x, u, s), name="too-big"),
    Case(ds.dynamic_update_slice_p, (X, np.ones((2, 2), np.float32), I(0), I(0)),
         bind=lambda x, u, *s: lax.dynamic_update_slice(x, u, s), name="dtype"),
]
