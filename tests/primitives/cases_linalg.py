"""Cases for dot_general (primitives/linalg.py) and iota (primitives/misc.py)."""
import numpy as np

from nablax import lax
from nablax._src.primitives import linalg, misc

from .case import Case, randn


def _dg(lhs_contract, rhs_contract, lhs_batch=(), rhs_batch=()):
    return {"dimension_numbers": ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch)),
            "preferred_element_type": None}


def _ref(lhs, rhs, *, dimension_numbers, preferred_element_type):
    """NumPy reference via einsum with explicit letters (independent of the impl's matmul path)."""
    (lc, rc), (lb, rb) = dimension_numbers
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    ls = [next(letters) for _ in range(lhs.ndim)]
    rs = [next(letters) for _ in range(rhs.ndim)]
    for a, b in zip(lc, rc):
        rs[b] = ls[a]
    for a, b in zip(lb, rb):
        rs[b] = ls[a]
    batch = [ls[a] for a in lb]
    lfree = [ls[i] for i in range(lhs.ndim) if i not in lc and i not in lb]
    rfree = [rs[i] for i in range(rhs.ndim) if i not in rc and i not in rb]
    spec = f"{''.join(ls)},{''.join(rs)}->{''.join(batch + lfree + rfree)}"
    out = np.einsum(spec, lhs, rhs)
    if preferred_element_type is not None:
        out = out.astype(preferred_element_type)
    return np.asarray(out)


_iota_ref = {
    "vector": lambda **p: np.arange(5, dtype=np.int32),
    "2d": lambda **p: np.broadcast_to(np.arange(3, dtype=np.float64)[None, :, None], (2, 3, 4)),
}

CASES = [
    Case(linalg.dot_general_p, (randn(4), randn(4, seed=1)), _dg((0,), (0,)), reference=_ref, name="vdot"),
    Case(linalg.dot_general_p, (randn(2, 3), randn(3, 4, seed=1)), _dg((1,), (0,)), reference=_ref,
         name="matmul"),
    Case(linalg.dot_general_p, (randn(3, 2), randn(3, seed=1)), _dg((0,), (0,)), reference=_ref,
         name="vecmat"),
    Case(linalg.dot_general_p, (randn(2, 3, 4), randn(2, 4, 5, seed=1)), _dg((2,), (1,), (0,), (0,)),
         reference=_ref, name="batch_matmul"),
    Case(linalg.dot_general_p, (randn(2, 3, 4), randn(4, 5, 3, seed=1)), _dg((1, 2), (2, 0)),
         reference=_ref, name="two_contracting"),
    Case(linalg.dot_general_p, (randn(3, 2, 4), randn(4, 5, 2, seed=1)), _dg((2,), (0,), (1,), (2,)),
         reference=_ref, name="transposed_batch"),
    Case(linalg.dot_general_p, (randn(3, 4), randn(2, seed=1)), _dg((), ()), reference=_ref, name="outer"),
    Case(linalg.dot_general_p, (randn(2, 3).astype(np.float32), randn(3, 2, seed=1).astype(np.float32)),
         {"dimension_numbers": (((1,), (0,)), ((), ())), "preferred_element_type": np.dtype("float64")},
         reference=_ref, name="preferred", tol=1e-5, order=1),
    Case(linalg.dot_general_p, (np.arange(6, dtype=np.int32).reshape(2, 3),
                                np.arange(3, dtype=np.int32)), _dg((1,), (0,)),
         reference=_ref, name="int", order=0),
    Case(misc.iota_p, (), {"dtype": np.dtype("int32"), "shape": (5,), "dimension": 0},
         reference=_iota_ref["vector"], name="vector", order=0),
    Case(misc.iota_p, (), {"dtype": np.dtype("float64"), "shape": (2, 3, 4), "dimension": 1},
         reference=_iota_ref["2d"], name="2d", order=0),
]

# Misuse: eager and jit raise the same class (test_rules.py), through the public lax functions.
BAD_CASES = [
    Case(linalg.dot_general_p, (randn(2, 3), randn(4, 2)), {"dimension_numbers": _dg((1,), (0,))["dimension_numbers"]},
         bind=lax.dot_general, name="contract-sizes"),
    Case(linalg.dot_general_p, (randn(2, 3), randn(3, 3)), {"dimension_numbers": _dg((2,), (0,))["dimension_numbers"]},
         bind=lax.dot_general, name="axis-range"),
    Case(linalg.dot_general_p, (randn(2, 3, 4), randn(3, 4, 5)),
         {"dimension_numbers": _dg((2,), (1,), (0,), (0,))["dimension_numbers"]}, bind=lax.dot_general,
         name="batch-sizes"),
    Case(misc.iota_p, (), {"dtype": np.int32, "shape": (3,), "dimension": 1}, bind=lax.broadcasted_iota,
         name="dimension"),
    Case(misc.iota_p, (), {"dtype": np.int32, "size": -1}, bind=lax.iota, name="negative"),
]
