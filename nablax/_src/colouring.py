"""Graph colourings that compress a sparse Jacobian or Hessian into a few dense products.

- Column colouring (forward mode): columns that share a row get different colours, so
  J @ S (S[j, colour[j]] = 1) holds every nonzero of J once: J[i, j] = (J S)[i, colour[j]].
  It is a distance-1 colouring of the column intersection graph PᵀP; rows likewise (PPᵀ).
- Star colouring (Hessians; Gebremedhin, Manne and Pothen, "What color is your Jacobian?",
  SIAM Review 2005): a distance-1 colouring of the adjacency graph in which every path on
  four vertices uses at least three colours. Then for each nonzero (i, j) column j is the
  only one of its colour in row i, or column i the only one of its colour in row j
  (Coleman and Moré 1984), so each entry is read directly from H S, from one side.

The greedy loops visit each vertex once in natural order (optimal on banded patterns) and
touch only its neighbourhood; everything around them is vectorised scipy.sparse work.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sps


def _greedy(graph: sps.csr_matrix) -> np.ndarray:
    """Smallest-colour-first greedy distance-1 colouring of a symmetric graph, natural order.
    `stamp[c] == v` marks colour c as taken around v (no per-vertex set is built)."""
    indptr, indices = graph.indptr.tolist(), graph.indices.tolist()
    n = graph.shape[0]
    colours = [-1] * n
    stamp = [-1] * (int(np.diff(graph.indptr).max(initial=0)) + 2)
    for v in range(n):
        for u in indices[indptr[v]:indptr[v + 1]]:
            c = colours[u]
            if c >= 0:
                stamp[c] = v
        c = 0
        while stamp[c] == v:
            c += 1
        colours[v] = c
    return np.asarray(colours, dtype=np.int64)


def count(colours: np.ndarray) -> int:
    """How many colours a colouring uses."""
    return int(colours.max(initial=-1)) + 1


def lower_bound(pattern: sps.csr_matrix) -> int:
    """The most stored entries in one row: a column colouring needs at least this many colours."""
    return int(np.diff(sps.csr_matrix(pattern).indptr).max(initial=0))


def column_colouring(pattern: sps.csr_matrix) -> np.ndarray:
    """Colours of the columns of `pattern` such that no two columns sharing a row agree."""
    p = sps.csr_matrix(pattern, dtype=bool)
    graph = (p.T @ p).tocsr()
    graph.setdiag(False)
    graph.eliminate_zeros()
    return _greedy(graph)


def row_colouring(pattern: sps.csr_matrix) -> np.ndarray:
    """Colours of the rows of `pattern` such that no two rows sharing a column agree."""
    return column_colouring(sps.csr_matrix(pattern, dtype=bool).T.tocsr())


def star_colouring(pattern: sps.csr_matrix) -> np.ndarray:
    """A star colouring of the symmetric `pattern` (its diagonal ignored), greedy in natural order.

    Colouring v with c must not close a two-coloured path on four vertices through v:
    v at an end (v - w - x - y, colour(x) = c, colour(y) = colour(w)) forbids colour(x) for
    each coloured x two steps away whose other neighbours include a second vertex of w's
    colour; v inside (w' - v - w - x, colour(w') = colour(w)) forbids colour(x) for each
    coloured x beyond a neighbour w whose colour appears twice around v. Each vertex keeps
    the count of its coloured neighbours per colour, so both tests are lookups."""
    p = sps.csr_matrix(pattern, dtype=bool)
    graph = (p + p.T).tocsr()
    graph.setdiag(False)
    graph.eliminate_zeros()
    n = graph.shape[0]
    indptr, indices = graph.indptr.tolist(), graph.indices.tolist()
    nbrs = [indices[indptr[v]:indptr[v + 1]] for v in range(n)]
    colours = [-1] * n
    around: list[dict] = [{} for _ in range(n)]   # around[x][c]: coloured neighbours of x with colour c
    for v in range(n):
        forbidden = set()
        count_v = around[v]
        for w in nbrs[v]:
            cw = colours[w]
            if cw < 0:
                continue
            forbidden.add(cw)
            twice = count_v.get(cw, 0) >= 2
            for x in nbrs[w]:
                cx = colours[x]
                if x == v or cx < 0 or cx in forbidden:
                    continue
                if twice or around[x].get(cw, 0) >= 2:
                    forbidden.add(cx)
        c = 0
        while c in forbidden:
            c += 1
        colours[v] = c
        for w in nbrs[v]:
            around[w][c] = around[w].get(c, 0) + 1
    return np.asarray(colours, dtype=np.int64)


def seeds(colours: np.ndarray, dtype) -> np.ndarray:
    """The (number of colours, len(colours)) seed matrix Sᵀ: Sᵀ[colour[j], j] = 1."""
    out = np.zeros((count(colours), colours.size), dtype=dtype)
    out[colours, np.arange(colours.size)] = 1
    return out


def star_sources(pattern: sps.csr_matrix, colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each stored entry (i, j) of `pattern` (CSR order): the (row, colour) of the compressed
    H S that holds H[i, j]: (i, colour[j]) when j is alone in its colour in row i, else
    (j, colour[i]); a ValueError when neither holds (not a star colouring)."""
    p = sps.csr_matrix(pattern, dtype=bool)
    rows = np.repeat(np.arange(p.shape[0]), np.diff(p.indptr))
    cols = p.indices
    width = count(colours)
    keys, counts = np.unique(rows * width + colours[cols], return_counts=True)

    def alone(r, c):   # column of colour c alone in row r (row r has one, by symmetry)
        at = np.minimum(np.searchsorted(keys, r * width + c), max(keys.size - 1, 0))
        return (keys[at] == r * width + c) & (counts[at] == 1) if keys.size else np.zeros(r.shape, bool)

    direct = alone(rows, colours[cols])
    flipped = alone(cols, colours[rows])
    if not np.all(direct | flipped):
        raise ValueError("star_sources: the colouring is not a star colouring of the pattern")
    return np.where(direct, rows, cols), np.where(direct, colours[cols], colours[rows])
