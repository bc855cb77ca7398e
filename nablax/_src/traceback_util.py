"""Traceback filtering: errors reach the user without nablax's internal frames, as in JAX.

Public entry points (the functions grad, vmap, jvp, vjp, ... return, and a jitted
function's call) are *API boundaries*: when an exception leaves one, its traceback is
replaced by the same traceback without nablax's frames (files inside the package and
jit's generated programs), so the user sees their own lines, including the lines inside
the traced function. Only the outermost boundary of a nested call filters. Uncaught
exceptions from eager lax/jnp calls, which pass no boundary, are filtered when printed
(a chained `sys.excepthook`).

`jax_traceback_filtering` (env NABLAX_TRACEBACK_FILTERING or JAX_TRACEBACK_FILTERING)
takes JAX's values: "auto" (default: "quiet_remove_frames"), "quiet_remove_frames"
(filter, and add a note saying so), "remove_frames" (filter, and chain the unfiltered
traceback as the exception's __cause__), "tracebackhide" (keep frames, mark them with
`__tracebackhide__` for IPython and pytest) and "off" (show everything).
"""
from __future__ import annotations

import functools
import os
import sys
import traceback
import types
from typing import Callable, TypeVar

from .config import config
from .source_info import add_note, is_internal

F = TypeVar("F", bound=Callable)

_MODES = ("auto", "off", "tracebackhide", "remove_frames", "quiet_remove_frames")
filtering_flag = config.define(
    "jax_traceback_filtering",
    os.environ.get("NABLAX_TRACEBACK_FILTERING") or os.environ.get("JAX_TRACEBACK_FILTERING") or "auto",
)

SIMPLIFIED_NOTE = (
    "--------------------\nFor simplicity, nablax has removed its internal frames from the traceback of "
    "this exception. Set NABLAX_TRACEBACK_FILTERING=off to include these."
)


class UnfilteredStackTrace(Exception):
    """Carries the full traceback (mode "remove_frames") as the filtered exception's __cause__."""


def filtering_mode() -> str:
    mode = str(filtering_flag.value).lower()
    if mode not in _MODES:
        raise ValueError(f"jax_traceback_filtering={mode!r} is not one of {', '.join(_MODES)}")
    return "quiet_remove_frames" if mode == "auto" else mode


def filter_traceback(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The same chain of frames without nablax's own."""
    out = None
    for frame, lineno in reversed(list(traceback.walk_tb(tb))):
        if not is_internal(frame.f_code.co_filename):
            out = types.TracebackType(out, frame, frame.f_lasti, lineno)
    return out


def _under_boundary(e: BaseException) -> bool:
    """Whether an outer API boundary is still on the stack (it will do the filtering)."""
    tb = e.__traceback__
    if tb is None:
        return False
    f = tb.tb_frame.f_back
    while f is not None:
        if f.f_code in _BOUNDARY_CODES:
            return True
        f = f.f_back
    return False


def filter_exception(e: BaseException) -> None:
    """Filter `e.__traceback__` in place according to the mode; the caller re-raises with `raise`."""
    mode = filtering_mode()
    if mode == "off" or _under_boundary(e):
        return
    tb = e.__traceback__
    if mode == "tracebackhide":
        for frame, _ in traceback.walk_tb(tb):
            if is_internal(frame.f_code.co_filename):
                frame.f_locals["__tracebackhide__"] = True
        return
    filtered = filter_traceback(tb)
    if filtered is None:
        return
    e.with_traceback(filtered)
    _drop_internal_context(e)
    if mode == "remove_frames":
        full = UnfilteredStackTrace(
            "".join(traceback.format_exception_only(type(e), e)).strip()
            + "\n\nThe stack trace below includes nablax's internal frames; the exception that follows "
            "is the same one, with them removed.\n\n--------------------"
        ).with_traceback(tb)
        full.__cause__, full.__context__ = e.__cause__, e.__context__
        full.__suppress_context__ = e.__suppress_context__
        e.__cause__, e.__context__ = full, None
    else:
        add_note(e, SIMPLIFIED_NOTE)


def _drop_internal_context(e: BaseException) -> None:
    """An exception caught and replaced inside nablax ("During handling of the above...") is an
    implementation detail: hide it when all of its frames are nablax's."""
    ctx = e.__context__
    if ctx is not None and e.__cause__ is None and not e.__suppress_context__:
        if filter_traceback(ctx.__traceback__) is None:
            e.__suppress_context__ = True


def api_boundary(fun: F) -> F:
    """Wrap a public entry point so that exceptions leaving it have filtered tracebacks."""

    @functools.wraps(fun)
    def nablax_api_boundary(*args, **kwargs):
        try:
            return fun(*args, **kwargs)
        except Exception as e:
            filter_exception(e)
            raise

    return nablax_api_boundary  # type: ignore[return-value]


_BOUNDARY_CODES: set = {api_boundary(lambda: None).__code__}


def register_boundary(fun: Callable) -> None:
    """Mark a function that filters exceptions itself (a try/except calling filter_exception)."""
    _BOUNDARY_CODES.add(fun.__code__)


def _excepthook(exc_type, exc, tb, _previous=sys.excepthook):
    """Uncaught errors from eager lax/jnp calls (no boundary passed) are filtered when printed."""
    if exc is not None and isinstance(exc, Exception):
        try:
            if filtering_mode() not in ("off", "tracebackhide") and tb is not None:
                filtered = filter_traceback(tb)
                if filtered is not None:
                    tb = filtered
                    exc.with_traceback(tb)
                    _drop_internal_context(exc)
                    add_note(exc, SIMPLIFIED_NOTE)
        except ValueError:
            pass  # an invalid filtering mode: print the traceback unfiltered rather than fail here
    _previous(exc_type, exc, tb)


sys.excepthook = _excepthook
