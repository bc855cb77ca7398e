"""Cases for reductions, scans, sort and the gathers sort's JVP uses."""
import numpy as np

from nablax import lax
from nablax._src.primitives import reductions as red
from nablax._src.primitives import sorting as srt

from .case import Case, randn

I64 = np.dtype("int64")
I32 = np.dtype("int32")


def _with_zeros(*shape, seed=0):
    x = randn(*shape, seed=seed)
    x.flat[1] = 0.0
    x.flat[-1] = 0.0
    x.flat[-2] = 0.0
    return x


def _ties(*shape):
    """Two equal maxima and two equal minima in every row (last axis)."""
    x = randn(*shape, seed=3)
    x[..., 1] = x[..., 0] = x.max(axis=-1) + 1.0
    x[..., 3] = x[..., 2] = x.min(axis=-1) - 1.0
    return x


def _with_nans(*shape):
    x = randn(*shape, seed=4)
    x[0, 2] = np.nan
    x[1, 1] = x[1, 3] = np.nan
    return x


def _red(fn, dtype=None):
    def ref(x, axes):
        return np.asarray(fn(x, axis=axes)).astype(dtype or x.dtype)

    return ref


def _rev(fn):
    """A NumPy scan with lax's (axis, reverse) parameters."""

    def ref(x, axis, reverse):
        if reverse:
            return np.flip(fn(np.flip(x, axis), axis=axis), axis)
        return fn(x, axis=axis)

    return ref


def _argref(fn):
    return lambda x, axes, index_dtype: fn(x, axis=axes[0]).astype(index_dtype)


def _sort_ref(*ops, dimension, is_stable, num_keys):
    perm = np.lexsort(tuple(reversed(ops[:num_keys])), axis=dimension)
    return [np.take_along_axis(o, perm, axis=dimension) for o in ops]


def _scatter_ref(u, idx, axis, size):
    shape = list(u.shape)
    shape[axis] = size
    out = np.zeros(shape, u.dtype)
    index = list(np.indices(idx.shape, sparse=True))
    index[axis] = idx
    np.add.at(out, tuple(index), u)
    return out


_IDX = np.random.default_rng(5).integers(0, 4, (3, 5))
_INT = np.random.default_rng(6).integers(-9, 9, (3, 4))
_BOOL = randn(3, 4, seed=7) > 0
_BOOL[0] = True  # a row all True, another all False
_BOOL[1] = False

CASES = [
    Case(red.reduce_sum_p, (randn(2, 3, 4),), {"axes": (0, 2)}, reference=_red(np.sum), name="axes02"),
    Case(red.reduce_sum_p, (randn(2, 3),), {"axes": ()}, reference=_red(np.sum), name="noaxes"),
    # max / min
    Case(red.reduce_max_p, (randn(3, 4),), {"axes": (1,)}, reference=_red(np.max)),
    Case(red.reduce_max_p, (randn(2, 3, 4),), {"axes": (0, 2)}, reference=_red(np.max), name="axes02"),
    Case(red.reduce_max_p, (randn(2, 3),), {"axes": (0, 1)}, reference=_red(np.max), name="all"),
    Case(red.reduce_max_p, (_ties(3, 5),), {"axes": (1,)}, reference=_red(np.max), name="ties", order=1),
    Case(red.reduce_max_p, (_INT,), {"axes": (0,)}, reference=_red(np.max), name="int"),
    Case(red.reduce_max_p, (_with_nans(3, 4),), {"axes": (1,)}, reference=_red(np.max), name="nan", order=0),
    Case(red.reduce_min_p, (randn(3, 4),), {"axes": (0,)}, reference=_red(np.min)),
    Case(red.reduce_min_p, (randn(2, 3, 4),), {"axes": (1, 2)}, reference=_red(np.min), name="axes12"),
    Case(red.reduce_min_p, (_ties(3, 5),), {"axes": (1,)}, reference=_red(np.min), name="ties", order=1),
    Case(red.reduce_min_p, (_BOOL,), {"axes": (1,)}, reference=_red(np.min), name="bool"),
    # prod
    Case(red.reduce_prod_p, (randn(3, 4),), {"axes": (1,)}, reference=_red(np.prod)),
    Case(red.reduce_prod_p, (randn(2, 3, 4),), {"axes": (0, 2)}, reference=_red(np.prod), name="axes02"),
    Case(red.reduce_prod_p, (_with_zeros(3, 4),), {"axes": (1,)}, reference=_red(np.prod), name="zeros"),
    Case(red.reduce_prod_p, (_with_zeros(2, 3, 2),), {"axes": (0, 1, 2)}, reference=_red(np.prod), name="zeros-all"),
    Case(red.reduce_prod_p, (_INT,), {"axes": (1,)}, reference=_red(np.prod), name="int"),
    # and / or
    Case(red.reduce_and_p, (_BOOL,), {"axes": (1,)}, reference=_red(np.all), order=0),
    Case(red.reduce_and_p, (_INT,), {"axes": (0,)}, reference=_red(np.bitwise_and.reduce), name="int", order=0),
    Case(red.reduce_or_p, (_BOOL,), {"axes": (0, 1)}, reference=_red(np.any), order=0),
    Case(red.reduce_or_p, (_BOOL,), {"axes": (1,)}, reference=_red(np.any), name="axis1", order=0),
    # argmax / argmin
    Case(red.argmax_p, (randn(3, 4),), {"axes": (1,), "index_dtype": I64}, reference=_argref(np.argmax), order=0),
    Case(red.argmax_p, (randn(2, 3, 4),), {"axes": (0,), "index_dtype": I32}, reference=_argref(np.argmax),
         name="axis0-i32", order=0),
    Case(red.argmax_p, (_with_nans(3, 4),), {"axes": (1,), "index_dtype": I64}, reference=_argref(np.argmax),
         name="nan", order=0),
    Case(red.argmax_p, (_ties(3, 5),), {"axes": (1,), "index_dtype": I64}, reference=_argref(np.argmax),
         name="ties", order=0),
    Case(red.argmin_p, (randn(3, 4),), {"axes": (0,), "index_dtype": I64}, reference=_argref(np.argmin), order=0),
    Case(red.argmin_p, (_with_nans(3, 4),), {"axes": (1,), "index_dtype": I64}, reference=_argref(np.argmin),
         name="nan", order=0),
    # scans
    Case(srt.cumsum_p, (randn(4, 3),), {"axis": 0, "reverse": False}, reference=_rev(np.cumsum)),
    Case(srt.cumsum_p, (randn(2, 5),), {"axis": 1, "reverse": True}, reference=_rev(np.cumsum), name="reverse"),
    Case(srt.cumsum_p, (_INT,), {"axis": 1, "reverse": False}, reference=_rev(np.cumsum), name="int"),
    Case(srt.cumprod_p, (randn(3, 5),), {"axis": 1, "reverse": False}, reference=_rev(np.cumprod)),
    Case(srt.cumprod_p, (randn(6, 2),), {"axis": 0, "reverse": True}, reference=_rev(np.cumprod), name="reverse"),
    Case(srt.cumprod_p, (_with_zeros(2, 7),), {"axis": 1, "reverse": False}, reference=_rev(np.cumprod), name="zeros"),
    Case(srt.cumprod_p, (_with_zeros(2, 7),), {"axis": 1, "reverse": True}, reference=_rev(np.cumprod),
         name="zeros-reverse"),
    Case(srt.cummax_p, (randn(3, 6),), {"axis": 1, "reverse": False}, reference=_rev(np.maximum.accumulate)),
    Case(srt.cummax_p, (randn(6, 2),), {"axis": 0, "reverse": True}, reference=_rev(np.maximum.accumulate),
         name="reverse"),
    Case(srt.cummin_p, (randn(3, 6),), {"axis": 1, "reverse": False}, reference=_rev(np.minimum.accumulate)),
    Case(srt.cummin_p, (randn(2, 6),), {"axis": 1, "reverse": True}, reference=_rev(np.minimum.accumulate),
         name="reverse"),
    Case(srt.cummax_p, (_INT,), {"axis": 0, "reverse": False}, reference=_rev(np.maximum.accumulate), name="int"),
    # sort
    Case(srt.sort_p, (randn(3, 5),), {"dimension": 1, "is_stable": True, "num_keys": 1}, reference=_sort_ref),
    Case(srt.sort_p, (randn(4, 3),), {"dimension": 0, "is_stable": True, "num_keys": 1}, reference=_sort_ref,
         name="dim0"),
    Case(srt.sort_p, (randn(3, 5), randn(3, 5, seed=1)), {"dimension": 1, "is_stable": True, "num_keys": 1},
         reference=_sort_ref, name="key-val"),
    Case(srt.sort_p, (np.array([[2., 1, 2, 1, 0], [0, 0, 1, 1, 1]]), randn(2, 5, seed=1), randn(2, 5, seed=2)),
         {"dimension": 1, "is_stable": True, "num_keys": 2}, reference=_sort_ref, name="two-keys", diff_argnums=(2,)),
    Case(srt.sort_p, (np.array([[2, 1, 2, 1, 0], [0, 0, 1, 1, 1]]), randn(2, 5, seed=2)),
         {"dimension": 1, "is_stable": True, "num_keys": 2}, reference=_sort_ref, name="int-keys", order=0),
    Case(srt.sort_p, (_ties(2, 5), np.tile(np.arange(5), (2, 1))), {"dimension": 1, "is_stable": True, "num_keys": 1},
         reference=_sort_ref, name="argsort-ties", order=0),
    Case(srt.sort_p, (_with_nans(3, 4),), {"dimension": 1, "is_stable": True, "num_keys": 1}, reference=_sort_ref,
         name="nan", order=0),
    # the permutation gathers
    Case(srt.take_along_axis_p, (randn(3, 4), _IDX), {"axis": 1},
         reference=lambda x, i, axis: np.take_along_axis(x, i, axis=axis)),
    Case(srt.take_along_axis_p, (randn(4, 5), _IDX), {"axis": 0},
         reference=lambda x, i, axis: np.take_along_axis(x, i, axis=axis), name="axis0"),
    Case(srt.scatter_add_along_axis_p, (randn(3, 5), _IDX), {"axis": 1, "size": 4}, reference=_scatter_ref),
    Case(srt.scatter_add_along_axis_p, (randn(3, 5), _IDX), {"axis": 0, "size": 4}, reference=_scatter_ref,
         name="axis0"),
]

# Misuse: eager and jit raise the same class (test_rules.py), through the public lax functions.
_C3 = np.ones(3, np.complex128)
BAD_CASES = [
    Case(red.reduce_sum_p, (randn(2, 3),), {"axes": (2,)}, bind=lax.reduce_sum, name="range"),
    Case(red.reduce_sum_p, (randn(2, 3),), {"axes": (0, 0)}, bind=lax.reduce_sum, name="repeated"),
    Case(red.reduce_sum_p, (_BOOL,), {"axes": (0,)}, bind=lax.reduce_sum, name="bool"),
    Case(red.reduce_prod_p, (_BOOL,), {"axes": (0,)}, bind=lax.reduce_prod, name="bool"),
    Case(red.reduce_max_p, (_C3,), {"axes": (0,)}, bind=lax.reduce_max, name="complex"),
    Case(red.reduce_min_p, (randn(2, 3),), {"axes": (-3,)}, bind=lax.reduce_min, name="range"),
    Case(red.reduce_and_p, (randn(3),), {"axes": (0,)}, bind=lax.reduce_and, name="float"),
    Case(red.reduce_or_p, (randn(3),), {"axes": (0,)}, bind=lax.reduce_or, name="float"),
    Case(red.argmax_p, (randn(2, 3),), {"axis": 2, "index_dtype": I32}, bind=lax.argmax, name="range"),
    Case(red.argmax_p, (randn(2, 3),), {"axis": 0, "index_dtype": np.dtype(np.float32)}, bind=lax.argmax,
         name="float-index"),
    Case(red.argmin_p, (_C3,), {"axis": 0, "index_dtype": I32}, bind=lax.argmin, name="complex"),
    Case(srt.cumsum_p, (randn(2, 3),), {"axis": 2}, bind=lax.cumsum, name="range"),
    Case(srt.cumsum_p, (_BOOL,), {"axis": 0}, bind=lax.cumsum, name="bool"),
    Case(srt.cummax_p, (_C3,), {"axis": 0}, bind=lax.cummax, name="complex"),
    Case(srt.sort_p, (randn(3), randn(4)), bind=lambda *xs: lax.sort(xs), name="shapes"),
    Case(srt.sort_p, (randn(3),), {"num_keys": 2}, bind=lambda *xs, num_keys: lax.sort(xs, num_keys=num_keys),
         name="num-keys"),
    Case(srt.sort_p, (randn(3),), {"dimension": 1}, bind=lax.sort, name="dimension"),
]
