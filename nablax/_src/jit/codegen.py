"""Codegen: a Jaxpr becomes one straight-line Python function calling the array namespace.

Each equation is one assignment. A primitive with an `emit` template is written inline
(`c = xp.sin(b)`); others call their `impl` bound as a module global
(`d = _cumsum(xp, c)`). An `emit_block` returns statements instead (control flow:
`if`/`while`/`for` around compiled sub-functions). Scalar literals are written as Python
literals for primitives with `python_literal_ok` (NumPy's scalar rules keep the array's
dtype), and typed otherwise. A primitive with a `ufunc` writes a large result into a dead
operand's buffer (`out=`). The source is registered with linecache, so tracebacks and
`jit(f).lower(x).as_text()` show it.
"""
from __future__ import annotations

import functools
import itertools
import linecache
import re
import types
import weakref
from typing import Callable

import numpy as np

from ..ir import Jaxpr, Literal, Var
from . import fusion, layout
from .fusion import Region
from .passes import Program

_counter = itertools.count()
_free_numbers: list[int] = []


def _release(filename: str, number: int) -> None:
    linecache.cache.pop(filename, None)
    _free_numbers.append(number)

# Below this many elements, fresh arrays are cheap and `a * b` reads better than `out=`.
_INPLACE_MIN_SIZE = 1 << 16
# A value at least this large is deleted after its last use (a local would otherwise hold
# it until the program returns): peak memory is what is live, and freed buffers are reused.
_DELETE_MIN_SIZE = 1 << 14


def _identifier_names():
    """a, b, ..., z, ba, bb, ... skipping Python keywords and names used by the module."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    reserved = {"as", "if", "in", "is", "or", "np", "xp", "and", "def", "del", "for", "not", "try"}
    for n in itertools.count(1):
        for combo in itertools.product(letters, repeat=n):
            name = "".join(combo)
            if name not in reserved:
                yield name


class _Writer:
    def __init__(self, xp, consts: dict):
        self.names: dict = {}
        self.gen = _identifier_names()
        self.globals: dict = {"xp": xp, "np": np}
        self.const_of: dict = consts
        self.lines: list[str] = []

    def name(self, v: Var) -> str:
        n = self.names.get(v)
        if n is None:
            n = self.names[v] = next(self.gen)
        return n

    def add_global(self, prefix: str, value) -> str:
        key = f"_{prefix}{len(self.globals)}"
        self.globals[key] = value
        return key

    def atom(self, a, python_ok: bool) -> str:
        if type(a) is Literal:
            v = a.val._value
            if python_ok and np.ndim(v) == 0 and v.dtype.kind in "fi":
                scalar = np.asarray(v)[()]
                if np.isfinite(scalar):
                    # str() of a NumPy scalar is its shortest round-trip form ("0.01" for
                    # float32(0.01)); NumPy casts the Python literal back to that dtype.
                    return str(scalar)
            scalar = np.asarray(v)[()]
            if np.ndim(v) == 0 and scalar.dtype.kind in "fiub" and (scalar.dtype.kind == "b" or np.isfinite(scalar)):
                ctor = "bool_" if scalar.dtype.kind == "b" else scalar.dtype.name
                return f"np.{ctor}({scalar!s})"  # typed and readable: np.float32(0.5)
            return self.add_global(f"{scalar.dtype.name}_", scalar)
        return self.name(a)


def _param_src(v, w: _Writer) -> str:
    if isinstance(v, np.dtype):
        return f"np.{v.name}" if v.kind not in "VO" else w.add_global("dtype", v)  # (no np.object)
    if v is None or isinstance(v, (bool, int, float, str)):
        return repr(v)
    if isinstance(v, tuple) and all(isinstance(x, (int, bool, type(None))) or (
            isinstance(x, tuple) and all(isinstance(y, int) for y in x)) for x in v):
        return repr(v)
    if isinstance(v, types.FunctionType) and v.__module__.startswith("nablax._src.primitives"):
        return w.add_global(v.__name__, v)  # a helper an emit rule calls: named after it
    return w.add_global("p", v)


def _eqn_source(eqn, w: _Writer) -> str:
    prim = eqn.prim
    python_ok = prim.python_literal_ok and any(type(a) is not Literal for a in eqn.invars)
    args = [w.atom(a, python_ok) for a in eqn.invars]
    emit = prim.emit
    if isinstance(emit, str):
        return emit.format(*args, **{k: _param_src(v, w) for k, v in eqn.params.items()})
    if callable(emit):
        text = emit(args, eqn.params, lambda v: _param_src(v, w), [a.aval for a in eqn.invars])
        if text is not None:
            return text
    fn = functools.partial(prim.impl, **eqn.params) if eqn.params else prim.impl
    g = w.add_global(re.sub(r"\W", "_", prim.name), fn)
    return f"{g}(xp, {', '.join(args)})" if args else f"{g}(xp)"


def _last_uses(items: list, jaxpr: Jaxpr) -> dict:
    """Index of the last item (equation or fused region) reading each variable (outputs
    count as read at the end)."""
    last: dict = {}
    for i, item in enumerate(items):
        for a in (item.reads if type(item) is Region else item.invars):
            if type(a) is Var:
                last[a] = i
    for v in jaxpr.outvars:
        if type(v) is Var:
            last[v] = len(items)
    return last


def _dead_after(item, i: int, last_use: dict, computed: set, aliases: dict, w: _Writer) -> str:
    """Names of the large values this program computed that nothing reads after item `i`
    (with the names of the buffers they took over in place)."""
    reads = item.reads if type(item) is Region else item.invars
    writes = item.outputs if type(item) is Region else item.outvars
    dead = [v for v in (*reads, *writes) if type(v) is Var and v in computed and last_use.get(v, i) == i
            and v.aval.size >= _DELETE_MIN_SIZE]
    return ", ".join(dict.fromkeys(n for v in dead for n in (w.name(v), *aliases.get(v, ()))))


def _reusable_input(eqn, i: int, last_use: dict, owned: set):
    """A dead, same-shaped, self-allocated input whose buffer this ufunc may write into."""
    if eqn.prim.ufunc is None:
        return None
    out = eqn.outvars[0].aval
    if out.size < _INPLACE_MIN_SIZE or out.dtype.kind not in "fc":
        return None
    for a in eqn.invars:
        if type(a) is Var and a in owned and last_use.get(a) == i and a.aval.shape == out.shape \
                and a.aval.dtype == out.dtype:
            return a
    return None


def _ufunc_source(eqn, w: _Writer, out: str) -> str | None:
    """`xp.<ufunc>(args..., out=<out>)`, or None for a primitive without a ufunc."""
    prim = eqn.prim
    if prim.ufunc is None:
        return None
    args = [w.atom(a, True) for a in eqn.invars]
    return f"xp.{prim.ufunc}({', '.join(args)}, out={out})"


def generate(prog: Program, xp, name: str = "jitted") -> tuple[str, dict]:
    """Python source of a function computing `prog`, and the globals it needs."""
    jaxpr: Jaxpr = prog.jaxpr
    w = _Writer(xp, {})
    for v, c in zip(jaxpr.constvars, prog.consts):
        w.names[v] = w.add_global("const", c._value if hasattr(c, "_value") else c)
    params = ", ".join(w.name(v) for v in jaxpr.invars)
    body = []
    items = fusion.schedule(jaxpr)
    last_use = _last_uses(items, jaxpr)
    owned: set = set()  # vars holding arrays this function allocated (safe to overwrite)
    computed = {v for item in items for v in (item.outputs if type(item) is Region else item.outvars)}
    aliases: dict = {}  # var -> names of dead inputs whose buffer it took (`out=`): deleted with it
    for i, eqn in enumerate(items):
        if i:
            dead = _dead_after(items[i - 1], i - 1, last_use, computed, aliases, w)
            if dead:
                body.append(f"    del {dead}")
        if type(eqn) is Region:
            donors = {a for a in eqn.reads if a in owned and last_use.get(a) == i}
            lines = fusion.emit_region(eqn, i, w, lambda e: _eqn_source(e, w), lambda e, out: _ufunc_source(e, w, out),
                                       donors)
            body.extend(f"    {line}" for line in lines)
            owned.update(v for v in eqn.outputs if v.aval.shape == eqn.shape)
            continue
        prim = eqn.prim
        if prim.emit_block is not None:
            # Control flow: statements (if/while/for around compiled sub-functions).
            args = [w.atom(a, False) for a in eqn.invars]
            lines = prim.emit_block(args, [w.name(v) for v in eqn.outvars], eqn.params, lambda v: _param_src(v, w))
            body.extend(f"    {line}" for line in lines)
            owned.difference_update(eqn.invars)
            continue
        minor_first = layout.minor_axis_first(eqn)  # (its result is a fresh array: no `out=`)
        reuse = None if minor_first else _reusable_input(eqn, i, last_use, owned)
        if reuse is not None:
            computed.discard(reuse)  # its name goes when the result's does (both hold the buffer)
            aliases[eqn.outvars[0]] = aliases.pop(reuse, []) + [w.name(reuse)]
        if minor_first:
            rhs = layout.minor_axis_first_source(eqn, lambda a: w.atom(a, True))
        elif reuse is not None:
            rhs = _ufunc_source(eqn, w, w.name(reuse))
        else:
            rhs = _eqn_source(eqn, w)
        if prim.ufunc is None:
            # Its result may be a view of an input (reshape, transpose, slice...): never
            # overwrite those inputs' buffers afterwards.
            owned.difference_update(eqn.invars)
        if (prim.ufunc is not None or prim.fresh_result) and eqn.outvars[0].aval.size >= _INPLACE_MIN_SIZE:
            owned.add(eqn.outvars[0])
        if not eqn.outvars:  # an effect only (a host callback): a statement
            body.append(f"    {rhs}")
            continue
        outs = ", ".join(w.name(v) for v in eqn.outvars)
        if prim.multiple_results:
            outs = outs + ("," if len(eqn.outvars) == 1 else "")
        body.append(f"    {outs} = {rhs}")
    rets = [w.atom(v, False) for v in jaxpr.outvars]
    body.append(f"    return ({', '.join(rets)}{',' if len(rets) == 1 else ''})")
    src = f"def {name}({params}):\n" + "\n".join(body) + "\n"
    return src, w.globals


def compile_program(prog: Program, xp, name: str = "jitted") -> tuple[Callable, str]:
    """Generate, compile and return (function, source)."""
    name = re.sub(r"\W", "_", name)
    src, glob = generate(prog, xp, name)
    try:  # one atomic pop: two threads compiling at once never get the same file name
        number = _free_numbers.pop()
    except IndexError:
        number = next(_counter)
    filename = f"<nablax-jit-{number}>"
    code = compile(src, filename, "exec")
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    ns: dict = dict(glob, __name__="nablax._src.jit.generated")  # (matched by nablax's RuntimeWarning filter)
    exec(code, ns)  # noqa: S102 - our own generated source
    fn = ns[name]
    # The traceback source lives exactly as long as the compiled function; then its file
    # name is reused (CPython keeps every distinct code file name alive forever).
    weakref.finalize(fn, _release, filename, number)
    return fn, src
