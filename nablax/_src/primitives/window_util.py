"""Window arithmetic shared by convolutions and window reductions: padding strings to pairs,
dilated sizes and output sizes. Plain Python on static shapes; no primitive lives here."""
from __future__ import annotations

from typing import Sequence

__all__ = ["padtype_to_pads"]

PADDING_STRINGS = ("SAME", "SAME_LOWER", "VALID")


def dilate_dim(size: int, dilation: int) -> int:
    """The extent of `size` elements placed `dilation` apart (0 stays 0)."""
    return 0 if size == 0 else 1 + dilation * (size - 1)


def padtype_to_pads(in_shape: Sequence[int], window_shape: Sequence[int], window_strides: Sequence[int],
                    padding: str) -> list[tuple[int, int]]:
    """(low, high) padding per dimension for 'SAME', 'SAME_LOWER' or 'VALID', as JAX computes it:
    SAME pads so that the output has ceil(in / stride) elements, the odd element going high
    (SAME_LOWER: low)."""
    if not isinstance(padding, str):
        raise TypeError(f"padding must be a string ('SAME', 'SAME_LOWER' or 'VALID'), got {padding!r}")
    kind = padding.upper()
    if kind == "VALID":
        return [(0, 0)] * len(in_shape)
    if kind not in ("SAME", "SAME_LOWER"):
        raise ValueError(f"Unknown padding type: {padding!r}; use 'SAME', 'SAME_LOWER', 'VALID' "
                         "or a sequence of (low, high) pairs")
    pads = []
    for size, window, stride in zip(in_shape, window_shape, window_strides):
        out = -(-size // stride)
        total = max(0, (out - 1) * stride + window - size)
        small, large = total // 2, total - total // 2
        pads.append((small, large) if kind == "SAME" else (large, small))
    return pads


def window_out_dim(size: int, window: int, stride: int, pad: tuple[int, int], base_dilation: int = 1,
                   window_dilation: int = 1) -> int:
    """The number of window positions along one dimension (0 when the window does not fit)."""
    extent = dilate_dim(size, base_dilation) + pad[0] + pad[1]
    span = dilate_dim(window, window_dilation)
    return 0 if extent < span else (extent - span) // stride + 1
