"""Cases for the primitives written with the core (a few of each family)."""
import numpy as np

from nablax._src.primitives import elementwise as ew
from nablax._src.primitives import misc, reductions, shape

from .case import Case, randn

CASES = [
    Case(ew.add_p, (randn(3), randn(3, seed=1)), reference=np.add),
    Case(ew.add_p, (randn(2, 3), randn(3, seed=1)), reference=np.add, name="broadcast"),
    Case(ew.sub_p, (randn(3), randn(3, seed=1)), reference=np.subtract),
    Case(ew.mul_p, (randn(2, 3), randn(2, 3, seed=1)), reference=np.multiply),
    Case(ew.mul_p, (randn(2, 3), randn(1, seed=1)), reference=np.multiply, name="broadcast"),
    Case(ew.div_p, (randn(3), randn(3, seed=1) + 3.0), reference=np.divide),
    Case(ew.neg_p, (randn(3),), reference=np.negative),
    Case(ew.sin_p, (randn(4),), reference=np.sin),
    Case(ew.cos_p, (randn(4),), reference=np.cos),
    Case(ew.exp_p, (randn(4),), reference=np.exp),
    Case(ew.log_p, (np.abs(randn(4)) + 0.5,), reference=np.log),
    Case(ew.tanh_p, (randn(4),), reference=np.tanh),
    Case(ew.max_p, (randn(4), randn(4, seed=1)), reference=np.maximum),
    Case(ew.min_p, (randn(4), randn(4, seed=1)), reference=np.minimum),
    Case(ew.gt_p, (randn(4), randn(4, seed=1)), reference=np.greater, order=0),
    Case(ew.lt_p, (randn(4), randn(4, seed=1)), reference=np.less, order=0),
    Case(ew.ge_p, (randn(4), randn(4, seed=1)), reference=np.greater_equal, order=0),
    Case(ew.le_p, (randn(4), randn(4, seed=1)), reference=np.less_equal, order=0),
    Case(ew.eq_p, (randn(4), randn(4, seed=1)), reference=np.equal, order=0),
    Case(ew.ne_p, (randn(4), randn(4, seed=1)), reference=np.not_equal, order=0),
    Case(ew.select_n_p, (randn(4) > 0, randn(4, seed=1), randn(4, seed=2)),
         reference=lambda p, a, b: np.where(p, b, a)),
    Case(ew.integer_pow_p, (randn(4),), {"y": 3}, reference=lambda x, y: x ** y),
    Case(misc.convert_element_type_p, (randn(4),), {"new_dtype": np.dtype("float32"), "weak_type": False},
         reference=lambda x, **p: x.astype(np.float32), tol=1e-3),
    Case(misc.stop_gradient_p, (randn(4),), reference=lambda x: x, order=0),
    Case(shape.broadcast_in_dim_p, (randn(3),), {"shape": (2, 3), "broadcast_dimensions": (1,)},
         reference=lambda x, **p: np.broadcast_to(x, (2, 3))),
    Case(shape.reshape_p, (randn(2, 3),), {"new_sizes": (3, 2)}, reference=lambda x, **p: x.reshape(3, 2)),
    Case(shape.transpose_p, (randn(2, 3, 4),), {"permutation": (2, 0, 1)},
         reference=lambda x, **p: np.transpose(x, (2, 0, 1))),
    Case(shape.slice_p, (randn(5, 4),), {"start_indices": (1, 0), "limit_indices": (4, 4), "strides": (2, 1)},
         reference=lambda x, **p: x[1:4:2, 0:4]),
    Case(shape.pad_p, (randn(3, 2), np.float64(0.5)), {"padding_config": ((1, 2, 1), (0, -1, 0))},
         reference=lambda x, v, **p: np.pad(
             np.insert(x, [1, 2], v, axis=0), ((1, 2), (0, 0)), constant_values=v)[:, :1]),
    Case(reductions.reduce_sum_p, (randn(2, 3),), {"axes": (1,)}, reference=lambda x, axes: x.sum(axis=axes)),
]
