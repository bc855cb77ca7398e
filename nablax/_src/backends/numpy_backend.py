"""The default backend: NumPy (with SciPy for special functions)."""
from __future__ import annotations

import numpy as np

name = "numpy"
xp = np


def asarray(x):
    return np.asarray(x)


def to_numpy(x):
    return np.asarray(x)
