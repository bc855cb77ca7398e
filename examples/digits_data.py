"""What the digits examples share: scikit-learn's bundled 8x8 digits, shuffled and split, and an
optional tqdm progress bar (tqdm is an optional extra)."""
from __future__ import annotations

import numpy as np


def load_digits_split(test_fraction: float = 0.2, seed: int = 0, images: bool = False):
    """Digits scaled to [0, 1] as float32, shuffled and split: (x_train, y_train, x_test, y_test).
    `images=True` gives NHWC images (n, 8, 8, 1), else flat rows (n, 64)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise SystemExit("This example needs scikit-learn for its bundled digits dataset: "
                         "pip install scikit-learn  (or: pip install 'nablax[examples]')") from None
    digits = load_digits()
    x = ((digits.images[..., None] if images else digits.data) / 16.0).astype(np.float32)
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = int(round(test_fraction * len(x)))
    return x[n_test:], y[n_test:], x[:n_test], y[:n_test]


def progress_bar(total: int, enabled: bool, unit: str):
    """A tqdm bar over `total` units, or None (disabled, or tqdm not installed)."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit=unit, leave=True)
