"""Where user code is: the first frame outside nablax, recorded when an equation is staged."""
from __future__ import annotations

import os
import sys
import types
from typing import NamedTuple

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_INTERNAL = (_PACKAGE_DIR, "<nablax-")  # nablax's files, and the programs jit generated


def is_internal(filename: str) -> bool:
    """True for nablax's own files and the programs jit generated."""
    return filename.startswith(_INTERNAL)


class SourceInfo(NamedTuple):
    """A user frame's code and line, printed as JAX summarizes source info: `file:line (function)`."""

    code: types.CodeType
    line: int

    @property
    def function(self) -> str:
        return self.code.co_name

    def __str__(self) -> str:
        return f"{self.code.co_filename}:{self.line} ({self.code.co_name})"


def user_frame() -> SourceInfo | None:
    """The innermost frame outside nablax on the stack of its caller, itself nablax's code.

    About a microsecond per call: meant for staging (jit, make_jaxpr), never for eager calls.
    """
    f = sys._getframe(2)
    while f is not None:
        code = f.f_code
        if not code.co_filename.startswith(_INTERNAL):
            return SourceInfo(code, f.f_lineno)
        f = f.f_back
    return None


def add_note(e: BaseException, note: str) -> None:
    """Attach a note to an exception (shown under its message on Python >= 3.11)."""
    add = getattr(e, "add_note", None)
    if add is not None and note not in getattr(e, "__notes__", ()):
        add(note)
