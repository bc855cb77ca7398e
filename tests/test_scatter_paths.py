"""Scatters whose index arrays form an outer product without repeats skip ufunc.at, and move
whole rows (slices) where every index vector but one covers its axis."""
import numpy as np
import pytest

from nablax._src.primitives import indexing


def _scatter_add(x, u, *idx, spec=("array", "array")):
    return indexing.scatter_add_p.impl(np, x, u, *idx, spec=spec, mode="drop", unique_indices=False)


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
    assert (indexing._distinct_outer_indices(x.shape, ("array", "array"), (r, c)) is not None) is expect_direct


def _row_permutation_case(which):
    rs = np.random.RandomState(1)
    x, u = rs.rand(30, 40).astype(np.float32), rs.rand(30, 40).astype(np.float32)
    r, c = rs.permutation(30).astype(np.int32)[:, None], rs.permutation(40).astype(np.int32)[None, :]
    if which in ("rows", "identity"):
        c = np.arange(40, dtype=np.int32)[None, :]
    if which in ("cols", "identity"):
        r = np.arange(30, dtype=np.int32)[:, None]
    if which == "negative":
        c = np.arange(40, dtype=np.int32)[None, :] - 40  # the whole range, written from the end
    return x, u, r, c


@pytest.mark.parametrize("which", ["rows", "cols", "identity", "both", "negative"])
def test_permutation_scatter_uses_slices_where_an_axis_is_whole(which):
    x, u, r, c = _row_permutation_case(which)
    np.testing.assert_array_equal(_scatter_add(x, u, r, c), _reference(x, u, r, c))
    tup = indexing._distinct_outer_indices(x.shape, ("array", "array"), (r, c))
    sliced = [type(e) is slice for e in tup]
    expected = {"rows": [False, True], "cols": [True, False], "identity": [True, True],
                "both": [False, False], "negative": [False, True]}[which]
    assert sliced == expected


def test_out_of_range_outer_indices_take_the_general_path():
    x, u = np.zeros((4, 3), np.float32), np.ones((4, 3), np.float32)
    r, c = np.array([[0], [1], [2], [-9]], np.int32), np.arange(3, dtype=np.int32)[None, :]
    assert indexing._distinct_outer_indices(x.shape, ("array", "array"), (r, c)) is None
    out = _scatter_add(x, u, r, c)  # mode "drop": the row -9 is dropped, not wrapped twice
    np.testing.assert_array_equal(out, np.array([[1] * 3, [1] * 3, [1] * 3, [0] * 3], np.float32))


def test_slices_keep_leading_and_trailing_axes():
    rs = np.random.RandomState(2)
    x, u = rs.rand(3, 20, 30, 2).astype(np.float32), rs.rand(3, 20, 30, 2).astype(np.float32)
    r, c = rs.permutation(20).astype(np.int32)[:, None], np.arange(30, dtype=np.int32)[None, :]
    spec = ((0, 3, 1), "array", "array", (0, 2, 1))
    out = _scatter_add(x, u, r, c, spec=spec)
    ref = x.copy()
    np.add.at(ref, (slice(None), r, c, slice(None)), u)
    np.testing.assert_array_equal(out, ref)
    assert type(indexing._distinct_outer_indices(x.shape, spec, (r, c))[2]) is slice
