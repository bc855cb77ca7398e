"""The array namespace generated code runs on: NumPy.

Kept only until jit/call.py passes `np` itself (the Backend protocol that once sat
beside this was never used); then this package goes.
"""
from __future__ import annotations

import numpy as np

xp = np
