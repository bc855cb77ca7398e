"""Top-level transformations beyond the core.

custom_gradient, closure_convert, named_call, named_scope, ensure_compile_time_eval,
pure_callback, checkpoint policies.
"""
from __future__ import annotations

__all__: list = []
