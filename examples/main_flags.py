"""Command-line flags for the examples' `main` functions, typed and defaulted by main's signature
(so each default is written once, in `main`)."""
from __future__ import annotations

import argparse
import inspect
from typing import Callable


def parser_for(main: Callable, doc: str, *flags: str, **helps: str) -> argparse.ArgumentParser:
    """A parser described by the first line of `doc`, with a flag for each of `flags`: a parameter
    of `main` (`batch_size` is `--batch-size`) or `flag=parameter` (`steps=meta_steps`), of the
    type and default `main` gives it; `helps` maps flag names to help texts."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    params = inspect.signature(main).parameters
    for spec in flags:
        flag, _, name = spec.partition("=")
        name = name or flag
        default = params[name].default
        parser.add_argument("--" + flag.replace("_", "-"), dest=name, metavar=flag.upper(), type=type(default),
                            default=default, help=helps.get(flag))
    return parser
