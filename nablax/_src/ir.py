"""The intermediate representation: typed variables, equations, Jaxprs; evaluation and printing.

Variables have no global counter: the printer names them (a, b, ..., z, ba, ...) in
order of appearance, which keeps tracing thread-safe.
"""
from __future__ import annotations

import collections
from typing import Any, Sequence

import numpy as np

from .array import Array, wrap
from .avals import AvalCarrier, ShapedArray
from .source_info import add_note


class Var(AvalCarrier):
    """A variable of a Jaxpr: known by its aval until the program runs."""

    __slots__ = ()


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

    def __init__(self, prim, invars: list, outvars: list, params: dict, source=None):
        self.prim, self.invars, self.outvars, self.params, self.source = prim, invars, outvars, params, source

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

    in_avals = property(lambda self: [v.aval for v in self.invars], doc="The avals of the inputs.")
    out_avals = property(lambda self: [v.aval for v in self.outvars], doc="The avals of the outputs.")

    def __str__(self) -> str:
        return pprint_jaxpr(self)

    __repr__ = __str__


class ClosedJaxpr:
    """A Jaxpr together with the values of its constvars."""

    __slots__ = ("jaxpr", "consts", "__weakref__")

    def __init__(self, jaxpr: Jaxpr, consts: Sequence[Any]):
        self.jaxpr = jaxpr
        self.consts = list(consts)

    # The Jaxpr's, for code that takes either.
    in_avals = property(lambda self: self.jaxpr.in_avals)
    out_avals = property(lambda self: self.jaxpr.out_avals)
    eqns = property(lambda self: self.jaxpr.eqns)

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

    eqn = None
    try:
        for eqn in jaxpr.eqns:
            outs = eqn.prim.bind(*[read(a) for a in eqn.invars], **eqn.params)
            if eqn.prim.multiple_results:
                for v, x in zip(eqn.outvars, outs):
                    env[v] = x
            else:
                env[eqn.outvars[0]] = outs
    except Exception as e:
        if eqn is not None and eqn.source is not None:
            add_note(e, f"(raised by {eqn.prim.name}, traced at {eqn.source})")
        raise
    return [read(a) for a in jaxpr.outvars]


class JaxprTypeError(TypeError):
    """A Jaxpr that is not well formed: found by `typecheck_jaxpr` (a compiler bug, not a user error)."""


def typecheck_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any] | None = None, *, context: str = "",
                    weak_types: bool = True) -> None:
    """Check that `jaxpr` is well formed, else raise JaxprTypeError naming the equation.

    Every variable is bound once (as a constvar, an invar or an equation output) before it
    is read; `consts`, when given, match the constvars; each equation's outvars carry the
    avals (shape, dtype, and weak type unless `weak_types=False`) its primitive's
    abstract_eval gives for its inputs; the Jaxprs in its params are checked the same way.
    `context` (say, "after pass cse") starts the message. Run by jit's `optimize` after every pass under the flag
    `nablax_check_jaxprs` (env `NABLAX_CHECK_JAXPRS=1`; on in the test suite).
    """
    _Checker(context, weak_types).check(jaxpr, consts, "")


class _Checker:
    def __init__(self, context: str, weak_types: bool) -> None:
        self.context = context
        self.weak_types = weak_types
        self.done: set = set()  # ids of nested Jaxprs already checked (one may be shared)

    def fail(self, jaxpr: Jaxpr, where: str, eqn: Eqn | None, what: str, *vars_named) -> None:
        """Raise, naming variables as `print(jaxpr)` does; `what` has a `{}` per var in vars_named."""
        ctx = PrintContext()
        text = _layout(_pp_jaxpr(jaxpr, ctx))  # names every variable in printing order
        if eqn is not None:
            index = next(i for i, e in enumerate(jaxpr.eqns) if e is eqn)
            where = f"{where}equation {index} `{_layout(_pp_eqn(eqn, ctx), 10**6)}`"
        what = what.format(*[ctx.name(v) if type(v) is Var else repr(v) for v in vars_named])
        head = f"jaxpr typecheck failed{' ' + self.context if self.context else ''}"
        shown = f"\nin the jaxpr\n{text}" if len(jaxpr.eqns) <= 30 else ""
        raise JaxprTypeError(f"{head}: {where}{': ' if where else ''}{what}{shown}")

    def check(self, jaxpr: Jaxpr, consts: Sequence[Any] | None, where: str) -> None:
        defined: set = set()

        def bind(v, role: str, eqn: Eqn | None = None) -> None:
            if type(v) is not Var:
                self.fail(jaxpr, where, eqn, f"{role} {{}} is not a Var", v)
            if v in defined:
                self.fail(jaxpr, where, eqn, f"{role} {{}} is bound twice", v)
            defined.add(v)

        for v in jaxpr.constvars:
            bind(v, "constvar")
        for v in jaxpr.invars:
            bind(v, "invar")
        if consts is not None:
            if len(consts) != len(jaxpr.constvars):
                self.fail(jaxpr, where, None, f"{len(consts)} consts for {len(jaxpr.constvars)} constvars")
            for i, (v, c) in enumerate(zip(jaxpr.constvars, consts)):
                shape, dtype = tuple(np.shape(c)), getattr(c, "dtype", None) or np.result_type(c)
                if shape != v.aval.shape or dtype != v.aval.dtype:
                    self.fail(jaxpr, where, None, f"const {i} is {ShapedArray(shape, dtype).str_short()} but "
                              f"its constvar is {v.aval.str_short()}")
        for eqn in jaxpr.eqns:
            for a in eqn.invars:
                if type(a) is Var:
                    if a not in defined:
                        self.fail(jaxpr, where, eqn, "reads {}, which is not defined before it", a)
                elif type(a) is not Literal:
                    self.fail(jaxpr, where, eqn, "operand {} is neither a Var nor a Literal", a)
            self.check_eqn(jaxpr, eqn, where)
            for v in eqn.outvars:
                bind(v, "outvar", eqn)
        for a in jaxpr.outvars:
            if type(a) is Var and a not in defined:
                self.fail(jaxpr, where, None, "returns {}, which no equation or input defines", a)

    def check_eqn(self, jaxpr: Jaxpr, eqn: Eqn, where: str) -> None:
        prim = eqn.prim
        try:
            out = prim.abstract_eval(*[a.aval for a in eqn.invars], **eqn.params)
        except Exception as e:  # noqa: BLE001 - reported with the equation that caused it
            self.fail(jaxpr, where, eqn, f"{prim.name}'s abstract_eval rejects its operands: "
                      f"{type(e).__name__}: {e}".replace("{", "{{").replace("}", "}}"))
        outs = list(out) if prim.multiple_results else [out]
        if len(outs) != len(eqn.outvars):
            self.fail(jaxpr, where, eqn, f"{len(eqn.outvars)} outvars but {prim.name} gives {len(outs)} results")
        for i, (v, aval) in enumerate(zip(eqn.outvars, outs)):
            have = v.aval
            if have.shape != aval.shape or have.dtype != aval.dtype or (
                    self.weak_types and have.weak_type != aval.weak_type):
                self.fail(jaxpr, where, eqn, f"outvar {i} is declared {_typed(have)} but {prim.name}'s "
                          f"abstract_eval gives {_typed(aval)}")
        if not prim.higher_order:  # only higher-order primitives hold Jaxprs in their params
            return
        for key, value in eqn.params.items():
            for sub in _closed_jaxprs_in(value):
                if id(sub) not in self.done:
                    self.done.add(id(sub))
                    inner, inner_consts = (sub.jaxpr, sub.consts) if isinstance(sub, ClosedJaxpr) else (sub, None)
                    self.check(inner, inner_consts, f"{where}{prim.name}[{key}] ")


def _typed(aval: ShapedArray) -> str:
    """`f32[3]`, with the weak type the printer leaves out: `f32[] (weak)`."""
    return f"{aval.str_short()}{' (weak)' if aval.weak_type else ''}"


def _closed_jaxprs_in(value) -> list:
    """The Jaxprs and ClosedJaxprs in a param value (searching tuples and lists)."""
    if isinstance(value, (Jaxpr, ClosedJaxpr)):
        return [value]
    if type(value) in (tuple, list):
        return [j for x in value for j in _closed_jaxprs_in(x)]
    return []


# ----------------------------------------------------------------------------- printing
#
# The layout is JAX's: a document of texts, breaks, groups and nests, laid out at width 80.
# A group prints on one line when its own contents fit in the rest of the line (only the
# group: what follows it may overflow), otherwise its direct breaks become newlines.

_TEXT, _BRK, _CAT, _GROUP, _NEST = range(5)
_WIDTH = 80


def _text(s: str) -> tuple:
    return (_TEXT, s)


def _brk(s: str = " ") -> tuple:
    return (_BRK, s)


def _cat(docs: list) -> tuple:
    return (_CAT, docs)


def _group(doc: tuple) -> tuple:
    return (_GROUP, doc)


def _nest(n: int, doc: tuple) -> tuple:
    return (_NEST, doc, n)


_NIL = _cat([])


def _join(sep: tuple, docs: list) -> tuple:
    out: list = []
    for i, d in enumerate(docs):
        if i:
            out.append(sep)
        out.append(d)
    return _cat(out)


def _fits(doc: tuple, room: int) -> bool:
    stack = [doc]
    while stack and room >= 0:
        d = stack.pop()
        kind = d[0]
        if kind == _TEXT or kind == _BRK:
            room -= len(d[1])
        elif kind == _CAT:
            stack.extend(reversed(d[1]))
        else:
            stack.append(d[1])
    return room >= 0


def _layout(doc: tuple, width: int = _WIDTH) -> str:
    out: list[str] = []
    col = 0
    stack = [(0, False, doc)]
    while stack:
        indent, flat, d = stack.pop()
        kind = d[0]
        if kind == _TEXT:
            out.append(d[1])
            col += len(d[1])
        elif kind == _BRK:
            if flat:
                out.append(d[1])
                col += len(d[1])
            else:
                out.append("\n" + " " * indent)
                col = indent
        elif kind == _CAT:
            stack.extend((indent, flat, c) for c in reversed(d[1]))
        elif kind == _GROUP:
            stack.append((indent, flat or _fits(d[1], width - col), d[1]))
        else:
            stack.append((indent + d[2], flat, d[1]))
    return "".join(out)


def _var_name(i: int) -> str:
    """a, b, ..., z, ba, bb, ...: base 26 with 'a' as the zero digit, as JAX names them."""
    name = ""
    while not name or i:
        i, r = divmod(i, 26)
        name = chr(97 + r) + name
    return name


class PrintContext:
    """Variable names shared by a jaxpr and all the jaxprs nested in its equations."""

    def __init__(self, names: dict | None = None, reserved: frozenset = frozenset()) -> None:
        self.names: dict = dict(names or {})
        self.shared: dict = {}  # Jaxpr -> name, for jaxprs printed once at the top
        self.reserved = reserved
        self._next = 0

    def name(self, v) -> str:
        if type(v) is Literal:
            val = np.asarray(v.val._value)
            return f"{val.item() if val.ndim == 0 else '[...]'}:{v.aval.str_short()}"
        name = self.names.get(v)
        if name is None:
            while True:
                name = _var_name(self._next)
                self._next += 1
                if name not in self.reserved:
                    break
            self.names[v] = name
        return name

    def suggest_same_names(self, for_vars: Sequence, like_vars: Sequence) -> None:
        """Name a call's inner variables after the outer atoms they stand for (JAX does so for jit)."""
        if len(for_vars) != len(like_vars):
            return
        used: set = set()
        for inner, outer in zip(for_vars, like_vars):
            if type(outer) is Var and outer not in used and type(inner) is Var and inner not in self.names:
                used.add(outer)
                self.names[inner] = self.name(outer)


def _pp_vars(vs: Sequence, ctx: PrintContext, sep: str = "", binder: bool = False) -> tuple:
    items = [_text(f"{ctx.name(v)}:{v.aval.str_short()}" if binder else ctx.name(v)) for v in vs]
    return _nest(2, _group(_join(_cat([_text(sep), _group(_brk())]), items)))


def _jaxprs_in(value) -> list:
    return [j.jaxpr if isinstance(j, ClosedJaxpr) else j for j in _closed_jaxprs_in(value)]


def body_jaxprs(params: dict) -> list:
    """The Jaxprs held in an equation's params (control-flow bodies, alone or in tuples)."""
    return [j for v in params.values() for j in _jaxprs_in(v)]


def _param_text(value) -> str:
    if isinstance(value, type) and issubclass(value, np.generic):
        return np.dtype(value).name
    if isinstance(value, np.dtype):
        return value.name
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    if type(value) in (tuple, list) and any(callable(x) or isinstance(x, np.dtype) for x in value):
        inner = ", ".join(_param_text(x) for x in value)
        return f"[{inner}]" if type(value) is list else f"({inner}{',' if len(value) == 1 else ''})"
    return str(value)


def _pp_param(key: str, value, ctx: PrintContext) -> tuple:
    if type(value) is tuple and value and all(isinstance(j, (Jaxpr, ClosedJaxpr)) for j in value):
        docs = [_pp_jaxpr(j.jaxpr if isinstance(j, ClosedJaxpr) else j, ctx) for j in value]
        doc = _group(_cat([_nest(2, _cat([_text("("), _brk(""), _join(_brk(), docs)])), _brk(""), _text(")")]))
    elif isinstance(value, (Jaxpr, ClosedJaxpr)):
        doc = _pp_jaxpr(value.jaxpr if isinstance(value, ClosedJaxpr) else value, ctx)
    else:
        doc = _text(_param_text(value))
    return _cat([_text(f"{key}="), doc])


def _pp_params(items: list, ctx: PrintContext) -> tuple:
    if not items:
        return _NIL
    pairs = [_pp_param(k, v, ctx) for k, v in items]
    return _group(_cat([_nest(2, _cat([_text("["), _brk(""), _join(_brk(), pairs)])), _brk(""), _text("]")]))


# How some primitives show their params, as JAX prints them: name -> rule(eqn, ctx) -> [(key, value)].
pp_param_rules: dict[str, Any] = {}


def _pp_eqn(eqn: Eqn, ctx: PrintContext) -> tuple:
    rule = pp_param_rules.get(eqn.prim.name)
    items = rule(eqn, ctx) if rule is not None else sorted(eqn.params.items())
    lhs = [_pp_vars(eqn.outvars, ctx, binder=True), _text(" = ")] if eqn.outvars else []
    return _cat([*lhs, _text(eqn.prim.name), _pp_params(items, ctx), _text(" "), _pp_vars(eqn.invars, ctx)])


def _pp_jaxpr(jaxpr: Jaxpr, ctx: PrintContext) -> tuple:
    shared = ctx.shared.get(jaxpr)
    if shared is not None:
        return _text(shared)
    constvars = _pp_vars(jaxpr.constvars, ctx, binder=True)
    invars = _pp_vars(jaxpr.invars, ctx, binder=True)
    eqns = _join(_brk("; "), [_pp_eqn(e, ctx) for e in jaxpr.eqns])
    n = len(jaxpr.outvars)
    outs = _cat([_text("("), _pp_vars(jaxpr.outvars, ctx, sep=","), _text(",)" if n == 1 else ")")])
    body = _cat([_text("{ lambda "), constvars, _text("; "), invars, _text(". let"),
                 _nest(2, _cat([_brk(), eqns])), _brk(), _text("in "), outs])
    return _group(_cat([_nest(2, body), _text(" }")]))


def _unused_outvars(jaxpr: Jaxpr) -> dict:
    """Equation outputs nothing reads print as `_`."""
    used = {a for a in jaxpr.outvars if type(a) is Var}
    names = {}
    for eqn in reversed(jaxpr.eqns):
        for v in eqn.outvars:
            if v not in used:
                names[v] = "_"
        used.update(a for a in eqn.invars if type(a) is Var)
    return names


def _shared_jaxprs(top: Jaxpr) -> list:
    """Nested jaxprs used more than once (or longer than 10 equations) print once, above, by name."""
    counts: dict = {}
    labels: dict = {}
    queue = collections.deque([top])
    while queue:
        jaxpr = queue.popleft()
        counts[jaxpr] = counts.get(jaxpr, 0) + (2 if jaxpr is not top and len(jaxpr.eqns) > 10 else 1)
        for eqn in jaxpr.eqns:
            label = eqn.params.get("name")
            for v in eqn.params.values():
                for sub in _jaxprs_in(v):
                    queue.append(sub)
                    if isinstance(label, str):
                        labels.setdefault(sub, label.strip("<>"))
    taken: dict = {}
    shared = []
    for jaxpr, c in counts.items():
        if c == 1:
            continue
        name = labels.get(jaxpr, "jaxpr")
        k = taken.get(name, 0)
        taken[name] = k + 1
        if k:
            name += str(k)
            taken[name] = taken.get(name, 0) + 1
        shared.append((name, jaxpr))
    return shared


def pprint_jaxpr(jaxpr: Jaxpr) -> str:
    """The text JAX prints for a jaxpr: `{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }`."""
    shared = _shared_jaxprs(jaxpr)
    ctx = PrintContext(_unused_outvars(jaxpr), frozenset(name for name, _ in shared))
    docs = []
    for name, sub in shared:
        docs.append(_cat([_text(f"let {name} = "), _pp_jaxpr(sub, ctx), _text(" in"), _brk()]))
        ctx.shared[sub] = name
    docs.append(_pp_jaxpr(jaxpr, ctx))
    return _layout(_cat(docs))


def _jit_params(eqn: Eqn, ctx: PrintContext) -> list:
    inner = eqn.params["jaxpr"]
    inner = inner.jaxpr if isinstance(inner, ClosedJaxpr) else inner
    if inner not in ctx.shared:
        ctx.suggest_same_names(inner.invars, eqn.invars)
        ctx.suggest_same_names(inner.outvars, eqn.outvars)
    rest = sorted((k, v) for k, v in eqn.params.items() if k != "name")
    return [("name", eqn.params["name"]), *rest] if "name" in eqn.params else rest


def _dot_general_params(eqn: Eqn, ctx: PrintContext) -> list:
    items = {k: v for k, v in eqn.params.items() if v is not None}
    (lc, rc), (lb, rb) = items["dimension_numbers"]
    items["dimension_numbers"] = ((list(lc), list(rc)), (list(lb), list(rb)))
    return sorted(items.items())


def _broadcast_in_dim_params(eqn: Eqn, ctx: PrintContext) -> list:
    # The shape is the binder's type; trivial broadcast_dimensions are not shown.
    return sorted((k, v) for k, v in eqn.params.items()
                  if k != "shape" and not (k == "broadcast_dimensions" and not v))


pp_param_rules.update(jit=_jit_params, dot_general=_dot_general_params, broadcast_in_dim=_broadcast_in_dim_params)


def literal(value) -> Literal:
    return Literal(value if type(value) is Array else wrap(value))
