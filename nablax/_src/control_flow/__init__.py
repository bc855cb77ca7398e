"""Control flow: cond, while_loop and scan, higher-order primitives whose params hold Jaxprs.

They sit above the interpreters, whose Jaxpr-level transforms (jvp_jaxpr, batch_jaxpr,
linearize_jaxpr, closure conversion) they use. The wrappers (cond, switch, while_loop,
fori_loop, scan, map) trace the user's functions to ClosedJaxprs on every call. Values
those functions close over that belong to an enclosing transformation (tracers) become
explicit leading operands (closure conversion), so every transformation sees them;
concrete constants stay in the Jaxprs. Each primitive is one block with all of its rules:

- eager/impl: run the chosen branch or the loop; a long loop switches to a body compiled
  by jit's code generator.
- jvp: the JVP of the branch/body Jaxprs; which outputs and loop carries get a nonzero
  tangent (or, for vmap, a batch axis) comes from a dependence analysis over the body.
- linearize (reverse mode): a primal part computed now that also returns residuals, and a
  linear cond/scan over the tangents that reads them, staged.
- batch: bodies are batched under the enclosing vmap's axis name, so collectives inside
  them work.
- emit_block: jit writes `if`/`while`/`for` statements around compiled sub-functions.
"""
from .cond import cond, cond_p, switch  # noqa: F401  (the primitives, for importers)
from .linear_solve import custom_linear_solve, custom_linear_solve_p  # noqa: F401
from .loops import fori_loop, map, scan, scan_p, while_loop, while_p  # noqa: F401  # noqa: A004, F401

__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan", "map", "custom_linear_solve"]
