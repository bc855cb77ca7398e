"""Mutable array references (new_ref, Ref, freeze, empty_ref, free_ref) with JAX's semantics under jit, grad and vmap.

The mechanism (a ref is a box whose value a trace threads; jit lifts outer refs to inputs
and outputs) is in primitives/refs.py; this is the public surface.
"""
from __future__ import annotations

from .primitives.refs import Ref, empty_ref, free_ref, freeze, new_ref

__all__ = ["Ref", "empty_ref", "free_ref", "freeze", "new_ref"]
