"""The intermediate representation: typed variables, equations, Jaxprs; evaluation and printing.

Variables have no global counter: the printer names them (a, b, ..., z, ba, ...) in
order of appearance, which keeps tracing thread-safe.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .array import Array, wrap
from .avals import ShapedArray


class Var:
    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self) -> str:
        return f"Var({self.aval.str_short()})"


class Literal:
    """A scalar constant written inline in the program."""

    __slots__ = ("val", "aval")

    def __init__(self, val: Array):
        self.val = val
        self.aval = val.aval

    def __repr__(self) -> str:
        return f"Literal({self.val._value!r})"


Atom = "Var | Literal"


class Eqn:
    __slots__ = ("prim", "invars", "outvars", "params", "source")

    def __init__(self, prim, invars: list, outvars: list, params: dict, source: str | None = None):
        self.prim = prim
        self.invars = invars
        self.outvars = outvars
        self.params = params
        self.source = source

    @property
    def primitive(self):
        """The equation's primitive (JAX's spelling of `prim`)."""
        return self.prim

    def __repr__(self) -> str:
        return f"Eqn({self.prim.name})"


class Jaxpr:
    """A straight-line program: constvars and invars in, equations, outvars out."""

    __slots__ = ("constvars", "invars", "outvars", "eqns")

    def __init__(self, constvars: list, invars: list, outvars: list, eqns: list):
        self.constvars = constvars
        self.invars = invars
        self.outvars = outvars
        self.eqns = eqns

    @property
    def in_avals(self) -> list:
        return [v.aval for v in self.invars]

    @property
    def out_avals(self) -> list:
        return [v.aval for v in self.outvars]

    def __str__(self) -> str:
        return pprint_jaxpr(self)

    __repr__ = __str__


class ClosedJaxpr:
    """A Jaxpr together with the values of its constvars."""

    __slots__ = ("jaxpr", "consts", "__weakref__")

    def __init__(self, jaxpr: Jaxpr, consts: Sequence[Any]):
        self.jaxpr = jaxpr
        self.consts = list(consts)

    @property
    def in_avals(self) -> list:
        return self.jaxpr.in_avals

    @property
    def out_avals(self) -> list:
        return self.jaxpr.out_avals

    @property
    def eqns(self) -> list:
        return self.jaxpr.eqns

    def __str__(self) -> str:
        return pprint_jaxpr(self.jaxpr)

    __repr__ = __str__


def eval_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any], *args) -> list:
    """Run a Jaxpr by binding each equation at the current trace (so it can be transformed)."""
    env: dict[Var, Any] = {}
    for v, x in zip(jaxpr.constvars, consts):
        env[v] = x
    for v, x in zip(jaxpr.invars, args):
        env[v] = x

    def read(a):
        return a.val if type(a) is Literal else env[a]

    for eqn in jaxpr.eqns:
        outs = eqn.prim.bind(*[read(a) for a in eqn.invars], **eqn.params)
        if eqn.prim.multiple_results:
            for v, x in zip(eqn.outvars, outs):
                env[v] = x
        else:
            env[eqn.outvars[0]] = outs
    return [read(a) for a in jaxpr.outvars]


def typecheck_jaxpr(jaxpr: Jaxpr) -> None:
    """Check every equation's output avals against its primitive's abstract_eval."""
    defined = set(jaxpr.constvars) | set(jaxpr.invars)
    for eqn in jaxpr.eqns:
        for a in eqn.invars:
            if type(a) is Var and a not in defined:
                raise TypeError(f"jaxpr typecheck: {eqn.prim.name} reads an undefined variable")
        out = eqn.prim.abstract_eval(*[a.aval for a in eqn.invars], **eqn.params)
        outs = out if eqn.prim.multiple_results else [out]
        for v, aval in zip(eqn.outvars, outs):
            if v.aval.shape != aval.shape or v.aval.dtype != aval.dtype:
                raise TypeError(
                    f"jaxpr typecheck: {eqn.prim.name} declares {v.aval.str_short()} "
                    f"but computes {aval.str_short()}"
                )
            defined.add(v)


# ----------------------------------------------------------------------------- printing

def _var_name(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    name = ""
    while True:
        name = letters[i % 26] + name
        i = i // 26 - 1
        if i < 0:
            return name


class _Names:
    def __init__(self) -> None:
        self.names: dict[Var, str] = {}

    def __call__(self, v) -> str:
        if type(v) is Literal:
            val = np.asarray(v.val._value)
            text = np.array2string(val) if val.ndim else repr(val.item())
            return f"{text}:{v.aval.str_short()}"
        name = self.names.get(v)
        if name is None:
            name = self.names[v] = _var_name(len(self.names))
        return name

    def binder(self, v) -> str:
        return f"{self(v)}:{v.aval.str_short()}"


def _format_param(value, names: _Names, indent: str) -> str:
    if isinstance(value, ClosedJaxpr):
        value = value.jaxpr
    if isinstance(value, Jaxpr):
        return "\n" + _pprint(value, _Names(), indent + "    ")
    if isinstance(value, np.dtype):
        return value.name
    if isinstance(value, type) and issubclass(value, np.generic):
        return np.dtype(value).name
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_format_param(x, names, indent) for x in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)


def _pprint(jaxpr: Jaxpr, names: _Names, indent: str) -> str:
    consts = " ".join(names.binder(v) for v in jaxpr.constvars)
    ins = " ".join(names.binder(v) for v in jaxpr.invars)
    lines = [f"{indent}{{ lambda {consts}{' ' if consts else ''}; {ins}. let"]
    for eqn in jaxpr.eqns:
        outs = " ".join(names.binder(v) for v in eqn.outvars)
        params = ""
        if eqn.params:
            items = " ".join(
                f"{k}={_format_param(v, names, indent + '    ')}" for k, v in sorted(eqn.params.items())
            )
            params = f"[{items}]"
        args = " ".join(names(a) for a in eqn.invars)
        lines.append(f"{indent}    {outs} = {eqn.prim.name}{params} {args}".rstrip())
    outs = ", ".join(names(v) for v in jaxpr.outvars)
    lines.append(f"{indent}  in ({outs}{',' if len(jaxpr.outvars) == 1 else ''}) }}")
    return "\n".join(lines)


def pprint_jaxpr(jaxpr: Jaxpr) -> str:
    return _pprint(jaxpr, _Names(), "")


def literal(value) -> Literal:
    return Literal(value if type(value) is Array else wrap(value))
