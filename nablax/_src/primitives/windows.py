"""Window reductions: reduce_window_{sum,max,min}, select_and_scatter_add, and their rules (issue 12)."""
__all__: list[str] = []
