"""Scatters whose index arrays form an outer product without repeats skip ufunc.at."""
import numpy as np
import pytest

from nablax._src.primitives import indexing


def _scatter_add(x, u, *idx):
    return indexing.scatter_add_p.impl(np, x, u, *idx, spec=("array", "array"), mode="drop", unique_indices=False)


def _reference(x, u, *idx):
    out = x.copy()
    np.add.at(out, idx, u)
    return out


@pytest.mark.parametrize("case", ["permutation", "repeat", "negative alias", "flat indices"])
def test_outer_product_scatter_matches_add_at(case):
    rs = np.random.RandomState(0)
    x, u = rs.rand(30, 40).astype(np.float32), rs.rand(30, 40).astype(np.float32)
    r, c = rs.permutation(30).astype(np.int32)[:, None], np.arange(40, dtype=np.int32)[None, :]
    if case == "repeat":
        r[3] = r[4]
    elif case == "negative alias":
        r[3] = r[4] - 30  # the same row, written from the end
    elif case == "flat indices":
        r, c = np.repeat(r, 40, axis=1), np.repeat(c, 30, axis=0)  # full index grids: not an outer product
    np.testing.assert_array_equal(_scatter_add(x, u, r, c), _reference(x, u, r, c))
    expect_direct = case in ("permutation",)
    assert indexing._distinct_outer_indices(x.shape, ("array", "array"), (r, c)) is expect_direct
