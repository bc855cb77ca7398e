"""jax.debug on nablax: print, log, callback, breakpoint, ordered from inside jit, vmap and grad.

Each is one `debug_callback` equation (primitives/callbacks.py): eager code runs it at
once; jit keeps it (it is effectful) and the compiled code calls it in program order;
vmap calls it once per example; grad runs it in the forward pass only, on the primal
values. Arrays reach the callback as nablax Arrays, so `str.format` formats them as
JAX's Arrays format (a 0-d array as a Python scalar, others as NumPy prints them).
"""
from __future__ import annotations

import cmd
import copy
import dataclasses
import inspect
import logging
import pprint
import string
import sys
from typing import Any, Callable

import numpy as np

from .array import Array, wrap
from .control_flow.common import as_value
from .core import Tracer, lift_aval
from .primitives.callbacks import DebugEffect, OrderedDebugEffect, debug_callback_p, debug_effect, ordered_debug_effect
from .source_info import _INTERNAL
from .tree import tree_flatten, tree_map, tree_unflatten

logger = logging.getLogger(__name__)


def _is_dynamic(x) -> bool:
    return isinstance(x, (Array, Tracer, np.ndarray, np.generic, bool, int, float, complex))


def split_callback_args(args: tuple, kwargs: dict) -> tuple[list, Callable]:
    """(array leaves of (args, kwargs), merge: their values -> (args, kwargs) with the other leaves)."""
    leaves, tree = tree_flatten((args, kwargs))
    dynamic = [i for i, leaf in enumerate(leaves) if _is_dynamic(leaf)]

    def merge(values) -> tuple:
        full = list(leaves)
        for i, v in zip(dynamic, values):
            full[i] = v
        return tree_unflatten(tree, full)

    return [leaves[i] for i in dynamic], merge


def _bind(callback: Callable, args: tuple, kwargs: dict, ordered: bool, partitioned: bool) -> None:
    dyn, merge = split_callback_args(args, kwargs)
    dyn = [as_value(x) for x in dyn]
    weak = [lift_aval(x).weak_type for x in dyn]  # (generated code has no weak types: restore them)

    def run(*values):
        a, k = merge([wrap(np.asarray(v), w) for v, w in zip(values, weak)])
        callback(*a, **k)

    run.__name__ = getattr(callback, "__name__", "callback")
    debug_callback_p.bind(*dyn, callback=run, effect=ordered_debug_effect if ordered else debug_effect,
                          partitioned=bool(partitioned))


def _now_or_two_call(run: Callable, first, args: tuple, kwargs: dict, name: str):
    """JAX's two spellings: `run(first, *args, **kwargs)` now (returns None), or, without
    `first`, `run` itself for a second call (the two-call form, options given first)."""
    if first is not None:
        run(first, *args, **kwargs)
        return None
    if args or kwargs:
        raise TypeError(f"{name} received unexpected arguments in the two-call form: {args=} {kwargs=}")
    return run


# -------------------------------------------------------------------------------- callback

def callback(callback: Callable | None = None, *args: Any, ordered: bool = False, partitioned: bool = False,
             **kwargs: Any):
    """Call `callback(*args, **kwargs)` on the concrete values, from inside any transformation
    (for its side effect; its return value is ignored). `callback(ordered=True)` without a
    function returns the two-call form `f(callback, *args, **kwargs)`."""
    def debug_cb(fn: Callable, *c_args, **c_kwargs) -> None:
        if not callable(fn):
            raise TypeError(f"debug.callback: expected a callable, got {fn!r}")
        _bind(fn, c_args, c_kwargs, ordered, partitioned)

    return _now_or_two_call(debug_cb, callback, args, kwargs, "debug_callback")


# -------------------------------------------------------------------------------- print / log

class _FormatChecker(string.Formatter):
    """Checks the format string against the arguments without formatting them (as JAX)."""

    def format_field(self, value, format_spec):
        return ""

    def check_unused_args(self, used_args, args, kwargs):
        unused = [a for i, a in enumerate(args) if i not in used_args]
        if unused:
            raise ValueError(f"Unused positional arguments to `jax.debug.print`: {unused}")
        unused_kw = [k for k in kwargs if k not in used_args]
        if unused_kw:
            raise ValueError(f"Unused keyword arguments to `jax.debug.print`: {unused_kw}. You may be passing an "
                             "f-string (i.e, `f\"{x}\"`) into `jax.debug.print` and instead should pass in a "
                             "regular string.")


def _log_record(level: int) -> logging.LogRecord:
    frame = next((f for f in inspect.stack()[2:] if not f.filename.startswith(_INTERNAL)), None)
    file_name, line_no = (frame.filename, frame.lineno) if frame else ("(unknown file)", 0)
    return logger.makeRecord(logger.name, level, file_name, line_no, "", (), None)


def _printer(fmt: str, printoptions: dict, record: logging.LogRecord | None) -> Callable:
    has_placeholders = bool(fmt) and next(iter(string.Formatter().parse(fmt)))[1] is not None

    def emit(*args, **kwargs):
        if has_placeholders:
            with np.printoptions(**printoptions):
                msg = fmt.format(*args, **kwargs)
        else:
            msg = " ".join((fmt, *(str(a) for a in args)))
        if record is None:
            sys.stdout.write(msg + "\n")
        else:
            rec = copy.copy(record)
            rec.msg = msg
            logger.handle(rec)

    emit.__name__ = "debug_print"
    return emit


def print(fmt: str | None = None, *args, ordered: bool = False, partitioned: bool = False,  # noqa: A001
          skip_format_check: bool = False, _use_logging: bool = False, **kwargs):
    """Print `fmt.format(*args, **kwargs)` with the concrete values, also inside jit, vmap
    (once per example) and grad (in the forward pass). Write `print("{x}", x=x)`, not an
    f-string: formatting waits for the values. `print(ordered=True)` returns the two-call form."""
    def debug_print(fmt: str, *p_args, **p_kwargs) -> None:
        if not skip_format_check:
            _FormatChecker().format(fmt, *p_args, **p_kwargs)
        emit = _printer(fmt, np.get_printoptions(), _log_record(logging.INFO) if _use_logging else None)
        _bind(emit, p_args, p_kwargs, ordered, partitioned)

    return _now_or_two_call(debug_print, fmt, args, kwargs, "debug_print")


def log(fmt: str | None = None, *args, ordered: bool = False, partitioned: bool = False,
        skip_format_check: bool = False, **kwargs):
    """As `print`, but the message goes to the `logging` module (level INFO, logger
    'nablax._src.debugging') with the caller's file and line."""
    return print(fmt, *args, ordered=ordered, partitioned=partitioned, skip_format_check=skip_format_check,
                 _use_logging=True, **kwargs)


# -------------------------------------------------------------------------------- breakpoint

@dataclasses.dataclass
class DebuggerFrame:
    """One frame as the debugger sees it: where, and its locals with concrete values."""

    filename: str
    lineno: int
    function: str
    locals: dict
    globals: dict
    source: list

    def source_window(self, around: int = 5) -> str:
        lo = max(self.lineno - around, 1)
        lines = self.source[lo - 1:self.lineno + around]
        return "".join(f"{'->' if n == self.lineno else '  '} {n:4d} {text}" for n, text in enumerate(lines, lo))


class CliDebugger(cmd.Cmd):
    """A pdb-like prompt over captured frames: p/pp EXPR, u(p), d(own), l(ist), w(here),
    c(ontinue), q(uit); any other line is evaluated in the current frame. It reads
    sys.stdin as it is when the breakpoint runs (end of input continues)."""

    prompt = "(jdb) "

    def __init__(self, frames: list[DebuggerFrame]):
        super().__init__(stdin=sys.stdin, stdout=sys.stdout)
        self.use_rawinput = False
        self.frames, self.index = frames, 0

    @property
    def frame(self) -> DebuggerFrame:
        return self.frames[self.index]

    def _eval(self, expr: str):
        return eval(expr, dict(self.frame.globals), dict(self.frame.locals))  # noqa: S307 - the user's debugger

    def _say(self, text: str) -> None:
        self.stdout.write(text + "\n")

    def _run(self, expr: str, show: Callable) -> None:
        try:
            self._say(show(self._eval(expr)))
        except Exception as e:  # the user's expression: report, stay in the debugger
            self._say(f"*** {type(e).__name__}: {e}")

    def default(self, line: str) -> None:
        self._run(line, repr)

    def do_p(self, arg: str) -> None:
        self._run(arg, repr)

    def do_pp(self, arg: str) -> None:
        self._run(arg, pprint.pformat)

    def do_up(self, arg: str) -> None:
        self.index = min(self.index + 1, len(self.frames) - 1)
        self.do_list("")

    def do_down(self, arg: str) -> None:
        self.index = max(self.index - 1, 0)
        self.do_list("")

    def do_list(self, arg: str) -> None:
        f = self.frame
        self._say(f"> {f.filename}({f.lineno}){f.function}()\n{f.source_window()}")

    def do_where(self, arg: str) -> None:
        for i, f in reversed(list(enumerate(self.frames))):
            self._say(f"{'>' if i == self.index else ' '} {f.filename}({f.lineno}){f.function}()")

    def do_continue(self, arg: str) -> bool:
        return True

    def do_quit(self, arg: str) -> bool:
        raise SystemExit("debugger quit")

    def do_EOF(self, arg: str) -> bool:
        return True

    do_u, do_d, do_l, do_w, do_c, do_q = do_up, do_down, do_list, do_where, do_continue, do_quit

    def run(self) -> None:
        self.do_list("")
        self.cmdloop()


def _cli(frames: list[DebuggerFrame], **kwargs) -> None:
    if kwargs:
        raise TypeError(f"debug.breakpoint: the cli debugger takes no options, got {sorted(kwargs)}")
    CliDebugger(frames).run()


DEBUGGERS: dict[str, Callable] = {"cli": _cli}


def register_debugger(name: str, debugger: Callable) -> None:
    """Make `debugger(frames: list[DebuggerFrame], **kwargs)` available as breakpoint(backend=name)."""
    DEBUGGERS[name] = debugger


def _user_frames(filter_frames: bool, num_frames: int | None) -> list:
    frames = []
    f = sys._getframe(2)
    while f is not None and (num_frames is None or len(frames) < num_frames):
        if not (filter_frames and f.f_code.co_filename.startswith(_INTERNAL)):
            frames.append(f)
        f = f.f_back
    return frames


def breakpoint(*, backend: str | None = None, filter_frames: bool = True, num_frames: int | None = None,  # noqa: A001
               ordered: bool = False, token=None, **kwargs):
    """Stop in a debugger with the concrete values of the caller's locals (also inside jit,
    once per example under vmap). `backend` picks a debugger registered with
    `register_debugger` (default 'cli', a pdb-like prompt on stdin)."""
    name = backend or "cli"
    if name not in DEBUGGERS:
        raise ValueError(f"debug.breakpoint: unknown backend {name!r}; available: {sorted(DEBUGGERS)}")
    debugger = DEBUGGERS[name]
    captured = []
    for f in _user_frames(filter_frames, num_frames):
        try:
            source = inspect.getsourcelines(f)[0] if f.f_code.co_name != "<module>" else []
            start = f.f_code.co_firstlineno if source else 1
            source = [""] * (start - 1) + source
        except (OSError, TypeError):
            source = []
        captured.append((f.f_code.co_filename, f.f_lineno, f.f_code.co_name, dict(f.f_locals), f.f_globals, source))

    def run(values):
        it = iter(values)
        frames = []
        for (fname, line, func, locs, glob, source) in captured:
            concrete = {k: next(it) if isinstance(v, (Array, Tracer)) else v for k, v in locs.items()}
            frames.append(DebuggerFrame(fname, line, func, concrete, glob, source))
        debugger(frames, **kwargs)

    dyn = [v for c in captured for v in c[3].values() if isinstance(v, (Array, Tracer))]
    callback(lambda *vals: run(vals), *dyn, ordered=ordered)
    return token


# -------------------------------------------------------------------------------- shardings

def inspect_array_sharding(value, *, callback: Callable) -> None:
    """Call `callback(sharding)` for each array leaf of `value`. Inside jit it is the sharding of
    the value the compiled code computes: a computed value is on the process's first device
    (placements are metadata that computations do not carry; see sharding.py)."""
    def inspect_leaf(x):
        if isinstance(x, Tracer):
            _bind(lambda v: callback(v.sharding), (x,), {}, ordered=False, partitioned=False)
        else:
            callback(x.sharding)

    tree_map(inspect_leaf, value)


def _device_label(sharding) -> str:
    devices = getattr(sharding, "device_set", None) or ()
    names = sorted(f"{getattr(d, 'platform', 'cpu').upper()} {getattr(d, 'id', 0)}" for d in devices)
    return ",".join(names) or "CPU 0"


def visualize_sharding(shape, sharding, *, use_color: bool = True, scale: float = 1.0, min_width: int = 9,
                       max_width: int = 80, color_map=None) -> None:
    """Draw the devices that hold an array of `shape`: one box labelled with every device of the
    sharding (JAX draws one box per block), sized like JAX's (10 * scale rows for 2-D shapes,
    width by the aspect ratio, clamped to [min_width, max_width]); plain text, no colours.
    Needs `rich`, as in JAX."""
    try:
        import rich  # noqa: F401  (JAX draws with it; nablax only requires it alike)
    except ImportError:
        raise ValueError("`visualize_sharding` requires `rich` to be installed.") from None
    if len(shape) not in (1, 2):
        raise ValueError("`visualize_sharding` only works for shapes with 1 and 2 dimensions.")
    label = _device_label(sharding)
    if len(shape) == 2:
        rows_2d = int(10 * scale)
        inner_rows = max(rows_2d - 1, 1)
        width = int(int(rows_2d * shape[1] / max(shape[0], 1)) * 2.5)
    else:
        inner_rows, width = 1, len(label) + 4
    width = max(min_width, min(max_width, width))
    inner = width - 2
    rows = [" " * inner] * inner_rows
    left = max((inner - len(label)) // 2, 0)
    rows[(inner_rows - 1) // 2] = (" " * left + label).ljust(inner)[:inner]
    box = ["\u250c" + "\u2500" * inner + "\u2510", *[f"\u2502{r}\u2502" for r in rows],
           "\u2514" + "\u2500" * inner + "\u2518"]
    sys.stdout.write("\n".join(box) + "\n")


def visualize_array_sharding(arr, **kwargs) -> None:
    """visualize_sharding of an array's own shape and sharding."""
    inspect_array_sharding(arr, callback=lambda s: visualize_sharding(arr.shape, s, **kwargs))


__all__ = ["DebugEffect", "OrderedDebugEffect", "breakpoint", "callback", "inspect_array_sharding", "log", "print",
           "visualize_array_sharding", "visualize_sharding"]
