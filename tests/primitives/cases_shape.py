"""Cases for the shape primitives: broadcast_in_dim, reshape, transpose, slice, pad, squeeze,
rev and concatenate (several configurations each, including edge cases)."""
import numpy as np

from nablax import lax
from nablax._src.primitives import shape

from .case import Case, randn


def _np_pad(x, v, padding_config):
    """NumPy reference for lax.pad: interior fill, then low/high pads (negative ones crop)."""
    for axis, (lo, hi, interior) in enumerate(padding_config):
        n = x.shape[axis]
        if interior and n > 1:
            x = np.insert(x, np.repeat(np.arange(1, n), interior), v, axis=axis)
        widths = [(0, 0)] * x.ndim
        widths[axis] = (max(lo, 0), max(hi, 0))
        x = np.pad(x, widths, constant_values=v)
        m = x.shape[axis]
        idx = [slice(None)] * x.ndim
        idx[axis] = slice(max(-lo, 0), m - max(-hi, 0))
        x = x[tuple(idx)]
    return x


def _np_slice(x, start_indices, limit_indices, strides):
    st = strides or (1,) * x.ndim
    return x[tuple(slice(a, b, c) for a, b, c in zip(start_indices, limit_indices, st))]


CASES = [
    # broadcast_in_dim
    Case(shape.broadcast_in_dim_p, (randn(3),), {"shape": (2, 3), "broadcast_dimensions": (1,)},
         reference=lambda x, **p: np.broadcast_to(x, (2, 3))),
    Case(shape.broadcast_in_dim_p, (randn(3, 1),), {"shape": (3, 2, 4), "broadcast_dimensions": (0, 2)},
         reference=lambda x, **p: np.broadcast_to(x[:, None, :], (3, 2, 4)), name="size1-middle"),
    Case(shape.broadcast_in_dim_p, (np.float64(1.5),), {"shape": (2, 2), "broadcast_dimensions": ()},
         reference=lambda x, **p: np.full((2, 2), x), name="scalar"),
    Case(shape.broadcast_in_dim_p, (np.arange(3),), {"shape": (3, 2), "broadcast_dimensions": (0,)},
         reference=lambda x, **p: np.broadcast_to(x[:, None], (3, 2)), name="int"),
    # reshape
    Case(shape.reshape_p, (randn(2, 3),), {"new_sizes": (3, 2)}, reference=lambda x, **p: x.reshape(3, 2)),
    Case(shape.reshape_p, (randn(1),), {"new_sizes": ()}, reference=lambda x, **p: x.reshape(()),
         name="to-scalar"),
    Case(shape.reshape_p, (randn(2, 3, 2),), {"new_sizes": (4, 1, 3)},
         reference=lambda x, **p: x.reshape(4, 1, 3), name="rank3"),
    # transpose
    Case(shape.transpose_p, (randn(2, 3, 4),), {"permutation": (2, 0, 1)},
         reference=lambda x, **p: np.transpose(x, (2, 0, 1))),
    Case(shape.transpose_p, (randn(2, 3),), {"permutation": (1, 0)}, reference=lambda x, **p: x.T,
         name="matrix"),
    Case(shape.transpose_p, (randn(3),), {"permutation": (0,)}, reference=lambda x, **p: x, name="identity"),
    # slice
    Case(shape.slice_p, (randn(5, 4),), {"start_indices": (1, 0), "limit_indices": (4, 4), "strides": (2, 1)},
         reference=_np_slice),
    Case(shape.slice_p, (randn(7, 6),), {"start_indices": (0, 1), "limit_indices": (7, 6), "strides": (3, 2)},
         reference=_np_slice, name="strided"),
    Case(shape.slice_p, (randn(4, 3),), {"start_indices": (1, 0), "limit_indices": (3, 3), "strides": None},
         reference=_np_slice, name="unit-strides"),
    Case(shape.slice_p, (randn(4, 3),), {"start_indices": (2, 0), "limit_indices": (2, 3), "strides": (2, 1)},
         reference=_np_slice, name="empty"),
    # pad
    Case(shape.pad_p, (randn(3, 2), np.float64(0.5)), {"padding_config": ((1, 2, 1), (0, -1, 0))},
         reference=_np_pad),
    Case(shape.pad_p, (randn(4, 3), np.float64(-1.0)), {"padding_config": ((-2, 1, 2), (2, -3, 1))},
         reference=_np_pad, name="negative-interior"),
    Case(shape.pad_p, (randn(5), np.float64(2.0)), {"padding_config": ((-1, -1, 0),)},
         reference=_np_pad, name="crop"),
    Case(shape.pad_p, (randn(3, 2), np.float64(0.5)), {"padding_config": ((1, 1, 1), (1, 0, 0))},
         reference=_np_pad, name="value-only", diff_argnums=(1,)),
    Case(shape.pad_p, (np.arange(3), np.int64(7)), {"padding_config": ((1, 1, 1),)},
         reference=_np_pad, name="int"),
    # squeeze
    Case(shape.squeeze_p, (randn(1, 3, 1),), {"dimensions": (0, 2)},
         reference=lambda x, **p: np.squeeze(x, (0, 2))),
    Case(shape.squeeze_p, (randn(2, 1, 3),), {"dimensions": (1,)},
         reference=lambda x, **p: np.squeeze(x, 1), name="middle"),
    Case(shape.squeeze_p, (randn(1),), {"dimensions": (0,)},
         reference=lambda x, **p: np.squeeze(x, 0), name="to-scalar"),
    Case(shape.squeeze_p, (randn(2, 3),), {"dimensions": ()},
         reference=lambda x, **p: x, name="none"),
    # rev
    Case(shape.rev_p, (randn(3, 4),), {"dimensions": (0,)}, reference=lambda x, **p: x[::-1]),
    Case(shape.rev_p, (randn(2, 3, 4),), {"dimensions": (0, 2)},
         reference=lambda x, **p: x[::-1, :, ::-1], name="two-axes"),
    Case(shape.rev_p, (randn(3),), {"dimensions": ()}, reference=lambda x, **p: x, name="none"),
    # concatenate
    Case(shape.concatenate_p, (randn(2, 3), randn(4, 3, seed=1)), {"dimension": 0},
         reference=lambda *xs, dimension: np.concatenate(xs, dimension)),
    Case(shape.concatenate_p, (randn(2, 1), randn(2, 3, seed=1), randn(2, 2, seed=2)), {"dimension": 1},
         reference=lambda *xs, dimension: np.concatenate(xs, dimension), name="three"),
    Case(shape.concatenate_p, (randn(3), randn(0, seed=1), randn(2, seed=2)), {"dimension": 0},
         reference=lambda *xs, dimension: np.concatenate(xs, dimension), name="empty-operand"),
    Case(shape.concatenate_p, (randn(2, 3), randn(2, 3, seed=1)), {"dimension": 1},
         reference=lambda *xs, dimension: np.concatenate(xs, dimension), name="one-differentiated",
         diff_argnums=(1,)),
    Case(shape.concatenate_p, (np.arange(3), np.arange(2)), {"dimension": 0},
         reference=lambda *xs, dimension: np.concatenate(xs, dimension), name="int"),
]

# Misuse: eager and jit raise the same class (test_rules.py), through the public lax functions.
BAD_CASES = [
    Case(shape.reshape_p, (randn(2, 3),), {"new_sizes": (4, 2)}, bind=lax.reshape, name="size"),
    Case(shape.reshape_p, (randn(2, 3),), {"new_sizes": (-1, 3)}, bind=lax.reshape, name="negative"),
    Case(shape.transpose_p, (randn(2, 3),), {"permutation": (0, 0)}, bind=lax.transpose, name="repeated"),
    Case(shape.transpose_p, (randn(2, 3),), {"permutation": (0,)}, bind=lax.transpose, name="rank"),
    Case(shape.broadcast_in_dim_p, (randn(3),), {"shape": (2, 4), "broadcast_dimensions": (1,)},
         bind=lax.broadcast_in_dim, name="size"),
    Case(shape.broadcast_in_dim_p, (randn(3),), {"shape": (2, 3), "broadcast_dimensions": ()},
         bind=lax.broadcast_in_dim, name="rank"),
    Case(shape.squeeze_p, (randn(2, 3),), {"dimensions": (0,)}, bind=lax.squeeze, name="not-1"),
    Case(shape.squeeze_p, (randn(1, 3),), {"dimensions": (2,)}, bind=lax.squeeze, name="range"),
    Case(shape.slice_p, (randn(4, 3),), {"start_indices": (0, 0), "limit_indices": (5, 3)}, bind=lax.slice,
         name="range"),
    Case(shape.slice_p, (randn(4, 3),), {"start_indices": (0,), "limit_indices": (2,)}, bind=lax.slice,
         name="rank"),
    Case(shape.slice_p, (randn(4, 3),), {"start_indices": (0, 0), "limit_indices": (2, 3), "strides": (0, 1)},
         bind=lax.slice, name="zero-stride"),
    Case(shape.pad_p, (randn(3), np.float32(0.0)), {"padding_config": ((1, 1, 0),)}, bind=lax.pad, name="dtype"),
    Case(shape.pad_p, (randn(3), np.float64(0.0)), {"padding_config": ((1, 1, -1),)}, bind=lax.pad,
         name="interior"),
    Case(shape.pad_p, (randn(3), np.zeros(2)), {"padding_config": ((1, 1, 0),)}, bind=lax.pad, name="value-shape"),
    Case(shape.rev_p, (randn(3),), {"dimensions": (1,)}, bind=lax.rev, name="range"),
    Case(shape.concatenate_p, (randn(3), randn(2, 3)), {"dimension": 0},
         bind=lambda *xs, dimension: lax.concatenate(xs, dimension), name="rank"),
    Case(shape.concatenate_p, (randn(2, 3), randn(2, 3)), {"dimension": 2},
         bind=lambda *xs, dimension: lax.concatenate(xs, dimension), name="dimension"),
    Case(shape.concatenate_p, (randn(3), np.arange(3)), {"dimension": 0},
         bind=lambda *xs, dimension: lax.concatenate(xs, dimension), name="dtypes"),
]
