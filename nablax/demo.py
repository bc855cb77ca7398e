"""A guided tour of automatic differentiation in nablax: ``python -m nablax.demo``.

It follows the topics of JAX's "Advanced automatic differentiation" tutorial, one
section per topic. Every code block printed is the exact text that the tour then
executes (each block is a string that is both shown and run), and each result is
printed as the ``repr`` of the value, so arrays look the way JAX prints them:
``Array([2.4, -2.4, 2.4], dtype=float32)``.

    python -m nablax.demo                         # the whole tour
    python -m nablax.demo --section td,hessian    # some sections (also repeatable)
    python -m nablax.demo --quiet                 # results only, no code
    python -m nablax.demo --show-code             # also the NumPy source jit generates
    python -m nablax.demo --list                  # section names
"""
from __future__ import annotations

import argparse
import os
import sys
import textwrap
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

import nablax as jax
import nablax.numpy as jnp

# ------------------------------------------------------------------------- presentation


_ASCII = str.maketrans({"³": "^3", "²": "^2", "−": "-", "·": "*", "→": "->", "×": "x", "µ": "u",
                        "━": "=", "│": "|"})


def _glyph(text: str) -> property:
    """`text` where the terminal takes UTF-8, else its ASCII rendering (by _ASCII)."""
    plain = text.translate(_ASCII)
    return property(lambda self: text if self.unicode else plain)


def _sgr(code: str) -> Callable[[_Style, str], str]:
    """A method rendering a string in the SGR style `code` (bold, dim, a colour) on a colour terminal."""
    return lambda self, s: f"\033[{code}m{s}\033[0m" if self.color else s


@dataclass(frozen=True)
class _Style:
    """Glyphs and colours for the current terminal (plain ASCII where UTF-8 is unavailable)."""

    unicode: bool = True
    color: bool = False
    width: int = 78

    rule = _glyph("━")
    gutter = _glyph("│ ")
    arrow = _glyph("→")
    micro = _glyph("µs")
    times = _glyph("×")
    bold = _sgr("1")
    dim = _sgr("2")
    accent = _sgr("36")
    good = _sgr("32")


def _detect_style(stream) -> _Style:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "━│→µ×".encode(encoding)
        unicode = True
    except (LookupError, UnicodeEncodeError):
        unicode = False
    isatty = getattr(stream, "isatty", lambda: False)
    color = bool(isatty()) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    return _Style(unicode=unicode, color=color)


class Tour:
    """Prints and runs the steps of one section in a fresh namespace.

    `code(src)` shows `src` and executes it; `results(...)` evaluates expressions in the
    same namespace and prints their reprs aligned; `say(...)` is prose (hidden by --quiet).
    """

    def __init__(self, *, quiet: bool = False, show_code: bool = False, style: _Style | None = None,
                 write: Callable[[str], None] | None = None):
        self.quiet = quiet
        self.show_code = show_code
        self.style = style or _Style(unicode=True, color=False)
        self._write = write or (lambda s: print(s))
        self.ns: dict = {}
        self._page = self.style.width + 22   # result lines may be a little wider than prose

    def line(self, s: str = "") -> None:
        if not self.style.unicode:
            s = s.translate(_ASCII).encode("ascii", "replace").decode("ascii")
        self._write(s)

    def heading(self, number: int, title: str, name: str, flag: str | None = None) -> None:
        st = self.style
        left = f"{st.rule * 2} {number} · {title} " if st.unicode else f"{st.rule * 2} {number}. {title} "
        right = f" {flag or '--section ' + name} {st.rule * 2}"
        fill = st.rule * max(3, st.width - len(left) - len(right))
        self.line()
        self.line(st.bold(left) + st.dim(fill + right))
        self.ns = {"jax": jax, "jnp": jnp, "np": np, "__name__": f"nablax.demo.{name}"}

    def say(self, text: str) -> None:
        if self.quiet:
            return
        self.line()
        for para in textwrap.dedent(text).strip().split("\n\n"):
            for row in textwrap.wrap(" ".join(para.split()), self.style.width - 2, break_on_hyphens=False):
                self.line("  " + row)

    def code(self, src: str) -> None:
        """Show `src` (unless quiet) and run it in the section's namespace."""
        src = textwrap.dedent(src).strip("\n")
        if not self.quiet:
            self.line()
            for row in src.splitlines():
                self.line(("  " + self.style.dim(self.style.gutter) + row).rstrip())
        self.execute(src)

    def execute(self, src: str) -> None:
        """Run exactly the text that `code` printed."""
        exec(compile(src + "\n", f"<tour: {self.ns['__name__']}>", "exec"), self.ns)

    def value(self, expr: str):
        return eval(expr, self.ns)

    def results(self, *exprs: str) -> None:
        """Evaluate each expression and print `expr → repr(value)`, arrows aligned.

        A group whose lines would run past the page width puts each value under its
        expression instead.
        """
        self.line()
        st = self.style
        texts = [repr(self.value(e)).splitlines() or [""] for e in exprs]
        width = max(len(e) for e in exprs)
        widest = max(len(row) for rows in texts for row in rows)
        stacked = 4 + width + len(st.arrow) + 2 + widest > self._page
        for expr, (first, *rest) in zip(exprs, texts):
            if stacked:
                self.line(f"    {st.accent(expr)}")
                self.line(f"      {st.dim(st.arrow)} {first}")
                pad = " " * (6 + len(st.arrow) + 1)
            else:
                self.line(f"    {st.accent(expr.ljust(width))} {st.dim(st.arrow)} {first}")
                pad = " " * (4 + width + len(st.arrow) + 2)
            for row in rest:
                self.line(pad + row)

    def rows(self, rows: Sequence[tuple[str, str]]) -> None:
        """Print (label, text) pairs with labels aligned (for measured numbers)."""
        width = max(len(label) for label, _ in rows)
        for label, text in rows:
            self.line(f"    {self.style.accent(label.ljust(width))}  {text}")


# ------------------------------------------------------------------------------ sections


def section_higher_order(t: Tour) -> None:
    t.say("""
        `jax.grad` returns an ordinary Python function, so it can be differentiated
        again. For f(x) = x³ + 2x² − 3x + 1 the derivatives at x = 1 are
        f'(1) = 4, f''(1) = 10, f'''(1) = 6 and f''''(1) = 0.
    """)
    t.code("""
        f = lambda x: x**3 + 2*x**2 - 3*x + 1

        dfdx = jax.grad(f)
        d2fdx = jax.grad(dfdx)
        d3fdx = jax.grad(d2fdx)
        d4fdx = jax.grad(d3fdx)
    """)
    t.results("dfdx(1.)", "d2fdx(1.)", "d3fdx(1.)", "d4fdx(1.)")


def section_hessian(t: Tour) -> None:
    t.say("""
        The Hessian is the Jacobian of the gradient. Forward-over-reverse
        (jacfwd of grad) is the efficient composition; for f(x) = x·x it is 2·I.
        `jax.hessian` is exactly that composition.
    """)
    t.code("""
        def hessian(f):
            return jax.jacfwd(jax.grad(f))

        def f(x):
            return jnp.dot(x, x)

        x = jnp.array([1., 2., 3.])
    """)
    t.results("hessian(f)(x)", "jax.hessian(f)(x)")


def section_maml(t: Tour) -> None:
    t.say("""
        Meta-learning differentiates through an optimisation step. The meta-loss is
        the validation loss after one SGD step on the training data, so its gradient
        flows through `params - lr * grad(loss)(params, ...)`: a second-order
        derivative, computed by `grad` of a function that itself calls `grad`.
    """)
    t.code("""
        def loss(params, x, y):
            return jnp.mean((x @ params - y) ** 2)

        def meta_loss(params, train, val, lr=0.1):
            inner = params - lr * jax.grad(loss)(params, *train)   # one SGD step
            return loss(inner, *val)

        params = jnp.array([0.5, -0.3])
        train = (jnp.array([[1., 2.], [2., 0.], [-1., 1.]]), jnp.array([1., 2., 0.]))
        val = (jnp.array([[0., 1.], [1., 1.]]), jnp.array([0.5, 1.5]))

        meta_grad = jax.grad(meta_loss)(params, train, val)
    """)
    t.results("meta_loss(params, train, val)", "meta_grad", "jax.grad(loss)(params, *val)")
    t.say("""
        The meta-gradient is not the plain validation gradient (last line). Check it
        against central finite differences of the meta-loss, in float64:
    """)
    t.code("""
        def finite_differences(f, x, eps=1e-6):
            basis = jnp.eye(x.size, dtype=x.dtype)
            return jnp.stack([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in basis])

        with jax.config.enable_x64(True):
            fd_grad = finite_differences(lambda p: meta_loss(p, train, val), params.astype(jnp.float64))
            max_abs_error = float(jnp.max(jnp.abs(meta_grad - fd_grad)))
    """)
    t.results("fd_grad", "max_abs_error", "max_abs_error < 1e-5")


def _td_setup(t: Tour) -> None:
    t.code("""
        value_fn = lambda theta, state: jnp.dot(theta, state)

        theta = jnp.array([0.1, -0.1, 0.])
        s_tm1 = jnp.array([1., 2., -1.])   # state at t-1
        r_t = jnp.array(1.)               # reward
        s_t = jnp.array([2., 1., 0.])      # state at t
    """)


def section_td(t: Tour) -> None:
    t.say("""
        TD(0) regresses v(s_{t-1}) towards the target r_t + v(s_t). Differentiating the
        squared error naively also differentiates the target, which is not the TD
        update. `jax.lax.stop_gradient` treats the target as a constant.
    """)
    _td_setup(t)
    t.code("""
        def td_loss(theta, s_tm1, r_t, s_t):
            v_tm1 = value_fn(theta, s_tm1)
            target = r_t + value_fn(theta, s_t)
            return (target - v_tm1) ** 2

        def td_loss_sg(theta, s_tm1, r_t, s_t):
            v_tm1 = value_fn(theta, s_tm1)
            target = r_t + value_fn(theta, s_t)
            return (jax.lax.stop_gradient(target) - v_tm1) ** 2
    """)
    t.results("jax.grad(td_loss)(theta, s_tm1, r_t, s_t)",
              "jax.grad(td_loss_sg)(theta, s_tm1, r_t, s_t)")
    t.say("""
        Without stop_gradient: 2·(target − v)·(s_t − s_tm1) = [2.4, −2.4, 2.4].
        With it, only −2·(target − v)·s_tm1 = [−2.4, −4.8, 2.4] remains: the
        semi-gradient TD update direction.
    """)


def section_straight_through(t: Tour) -> None:
    t.say("""
        Rounding has zero derivative almost everywhere. The straight-through estimator
        uses f in the forward pass and the identity in the backward pass:
        x − stop_gradient(x) + stop_gradient(f(x)) equals f(x) in value, and its
        gradient is 1.
    """)
    t.code("""
        def f(x):
            return jnp.round(x)   # non-differentiable in effect

        def straight_through_f(x):
            return x - jax.lax.stop_gradient(x) + jax.lax.stop_gradient(f(x))
    """)
    t.results("f(3.2)", "straight_through_f(3.2)", "jax.grad(f)(3.2)", "jax.grad(straight_through_f)(3.2)")


# The TD loss with its target held constant, as per-example gradients use it (shown as written).
_TD_LOSS_STOPPED = """
        def td_loss(theta, s_tm1, r_t, s_t):
            v_tm1 = value_fn(theta, s_tm1)
            target = r_t + value_fn(theta, s_t)
            return (jax.lax.stop_gradient(target) - v_tm1) ** 2
"""


def section_per_example(t: Tour) -> None:
    t.say("""
        Per-example gradients in three steps: `grad` for one example, `vmap` over a
        batch (theta shared: in_axes=None; data batched along axis 0), then `jit` of
        the whole thing.
    """)
    _td_setup(t)
    t.code(_TD_LOSS_STOPPED + """
        dtdloss_dtheta = jax.grad(td_loss)
    """)
    t.results("dtdloss_dtheta(theta, s_tm1, r_t, s_t)")
    t.code("""
        per_example_grads = jax.vmap(dtdloss_dtheta, in_axes=(None, 0, 0, 0))

        batched_s_tm1 = jnp.stack([s_tm1, s_tm1])
        batched_r_t = jnp.stack([r_t, r_t])
        batched_s_t = jnp.stack([s_t, s_t])
    """)
    t.results("per_example_grads(theta, batched_s_tm1, batched_r_t, batched_s_t)")
    t.code("""
        fast_per_example_grads = jax.jit(per_example_grads)
    """)
    t.results("fast_per_example_grads(theta, batched_s_tm1, batched_r_t, batched_s_t)")
    t.say("""
        Timing on a batch of 1024 random examples (NumPy RNG), measured now. The first
        jitted call traces the function and generates NumPy source; later calls run
        that source directly.
    """)
    t.code("""
        import timeit

        rng = np.random.default_rng(0)
        batch = (jnp.asarray(rng.normal(size=(1024, 3)), dtype=jnp.float32),
                 jnp.asarray(rng.normal(size=(1024,)), dtype=jnp.float32),
                 jnp.asarray(rng.normal(size=(1024, 3)), dtype=jnp.float32))
        fast_per_example_grads(theta, *batch)   # compile once for this shape

        def best_of(fn, number=20, repeat=5):
            return min(timeit.repeat(fn, number=number, repeat=repeat)) / number

        eager_s = best_of(lambda: per_example_grads(theta, *batch))
        jit_s = best_of(lambda: fast_per_example_grads(theta, *batch))
    """)
    st = t.style
    eager_us, jit_us = 1e6 * t.value("eager_s"), 1e6 * t.value("jit_s")
    t.line()
    t.rows([
        ("per_example_grads       (eager)", f"{eager_us:9.1f} {st.micro} per call"),
        ("fast_per_example_grads  (jit)", f"{jit_us:9.1f} {st.micro} per call"),
        ("speedup", f"{eager_us / jit_us:9.1f}{st.times}"),
    ])
    t.results("jnp.allclose(per_example_grads(theta, *batch), fast_per_example_grads(theta, *batch))")
    if t.show_code:
        _show_generated(t)


def section_beyond_jax(t: Tour) -> None:
    t.say("""
        Three things JAX cannot do. Reverse mode through a while_loop whose trip
        count depends on the input: the forward pass records a tape of carries.
        Newton's method for sqrt(x) has gradient 1/(2 sqrt x), here at x = 2, 0.5 and 100
        (each lane stops after its own number of iterations).
    """)
    t.code("""
        from nablax import lax

        def newton_sqrt(x):
            return lax.while_loop(lambda c: jnp.abs(c * c - x) > 1e-6 * x,
                                  lambda c: 0.5 * (c + x / c), x)

        grads = jax.jit(jax.vmap(jax.grad(newton_sqrt)))(jnp.array([2.0, 0.5, 100.0]))
    """)
    t.results("grads", "0.5 / jnp.sqrt(jnp.array([2.0, 0.5, 100.0]))")
    t.say("""
        Taylor mode: every derivative up to order K in one pass, O(K²) per operation.
        The first four derivatives of sin at 0 are 1, 0, -1, 0.
    """)
    t.code("""
        from nablax.experimental.jet import jet

        value, derivatives = jet(jnp.sin, (0.0,), ((1.0, 0.0, 0.0, 0.0),))
    """)
    t.results("value", "jnp.stack(derivatives)")
    t.say("""
        Sparse Jacobians: the pattern comes from the traced program, a colouring
        groups columns that share no row, and one JVP per colour does the work:
        3 JVPs, not 1,000, for a tridiagonal finite-difference residual.
    """)
    t.code("""
        from nablax.experimental import sparse_jacobian

        def residual(u):
            p = jnp.pad(u, 1)
            return p[:-2] - 2 * p[1:-1] + p[2:] + u ** 3

        J = sparse_jacobian(residual)(jnp.ones(1000))
    """)
    t.results("J.shape, J.nnz", "J[0, :3].toarray()")


def _show_generated(t: Tour) -> None:
    t.code("""
        source = fast_per_example_grads.lower(theta, *batch).as_text()
    """)
    t.line()
    t.line("    " + t.style.bold("Generated NumPy source of jit(vmap(grad(td_loss))):"))
    t.line()
    for row in t.value("source").rstrip().splitlines():
        t.line("    " + t.style.dim(t.style.gutter) + row)


def section_generated_code(t: Tour) -> None:
    """--show-code without the per-example section: build the function and show its source."""
    _td_setup(t)
    t.code(_TD_LOSS_STOPPED + """
        fast_per_example_grads = jax.jit(jax.vmap(jax.grad(td_loss), in_axes=(None, 0, 0, 0)))
        batch = (jnp.stack([s_tm1, s_tm1]), jnp.stack([r_t, r_t]), jnp.stack([s_t, s_t]))
    """)
    _show_generated(t)


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    run: Callable[[Tour], None]


SECTIONS: tuple[Section, ...] = (
    Section("higher-order", "Higher-order derivatives", section_higher_order),
    Section("hessian", "Hessians: forward-over-reverse", section_hessian),
    Section("maml", "Meta-gradients through an SGD step (MAML)", section_maml),
    Section("td", "Stopping gradients: TD(0)", section_td),
    Section("straight-through", "Straight-through estimator", section_straight_through),
    Section("per-example", "Per-example gradients: grad, vmap, jit", section_per_example),
    Section("beyond-jax", "Beyond JAX: while_loop reverse mode, Taylor mode, sparse Jacobians", section_beyond_jax),
)
SECTION_NAMES: tuple[str, ...] = tuple(s.name for s in SECTIONS)


# ----------------------------------------------------------------------------------- CLI


def _build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nablax.demo",
        description="A tour of automatic differentiation in nablax "
                    "(after JAX's 'Advanced automatic differentiation' tutorial).",
        epilog="sections: " + ", ".join(SECTION_NAMES),
    )
    p.add_argument("--section", action="append", metavar="NAME", default=None,
                   help="run only this section (repeatable, or comma-separated); "
                        f"one of: {', '.join(SECTION_NAMES)}")
    p.add_argument("--quiet", "-q", action="store_true", help="print results only, no code or prose")
    p.add_argument("--show-code", action="store_true",
                   help="also print the NumPy source that jit generates for the per-example gradients")
    p.add_argument("--list", action="store_true", help="list the section names and exit")
    return p


def _selected(parser: argparse.ArgumentParser, requested: list[str] | None) -> list[Section]:
    if not requested:
        return list(SECTIONS)
    names = [n.strip() for item in requested for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in SECTION_NAMES]
    if unknown:
        parser.error(f"unknown section{'s' if len(unknown) > 1 else ''} "
                     f"{', '.join(map(repr, unknown))}; valid names: {', '.join(SECTION_NAMES)}")
    if not names:
        parser.error(f"--section needs a name; valid names: {', '.join(SECTION_NAMES)}")
    return [s for s in SECTIONS if s.name in names]   # tour order, each once


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tour; returns a process exit status (0)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.list:
        for i, s in enumerate(SECTIONS, 1):
            print(f"{i}. {s.name:<18} {s.title}")
        return 0
    chosen = _selected(parser, args.section)
    style = _detect_style(sys.stdout)
    tour = Tour(quiet=args.quiet, show_code=args.show_code, style=style)
    if not args.quiet:
        tour.line(style.bold("nablax: a tour of advanced automatic differentiation"))
        tour.line(style.dim("    import nablax as jax; import nablax.numpy as jnp"))
    for section in chosen:
        tour.heading(SECTIONS.index(section) + 1, section.title, section.name)
        section.run(tour)
    if args.show_code and all(s.name != "per-example" for s in chosen):
        tour.heading(len(SECTIONS) + 1, "Generated code of jit(vmap(grad))", "generated-code", flag="--show-code")
        section_generated_code(tour)
    tour.line()
    return 0


if __name__ == "__main__":
    sys.exit(main())
