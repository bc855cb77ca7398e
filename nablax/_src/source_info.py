"""Where user code is: the first frame outside nablax, recorded when an equation is staged."""
from __future__ import annotations

import os
import sys
from typing import NamedTuple

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_GENERATED = "<nablax-"  # the file names jit gives its generated source


def is_internal(filename: str) -> bool:
    """True for nablax's own files and the programs jit generated."""
    return filename.startswith(_PACKAGE_DIR) or filename.startswith(_GENERATED)


class SourceInfo(NamedTuple):
    """A user frame: file, line and function, printed as JAX summarizes source info."""

    file: str
    line: int
    function: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.function})"


def user_frame() -> SourceInfo | None:
    """The innermost frame of the caller's stack that is not nablax's own code."""
    f = sys._getframe(1)
    while f is not None:
        code = f.f_code
        if not is_internal(code.co_filename):
            return SourceInfo(code.co_filename, f.f_lineno, code.co_name)
        f = f.f_back
    return None


def add_note(e: BaseException, note: str) -> None:
    """Attach a note to an exception (shown under its message on Python >= 3.11)."""
    add = getattr(e, "add_note", None)
    if add is not None and note not in getattr(e, "__notes__", ()):
        add(note)
