"""Fusion: chains of elementwise operations on large arrays run as cache-blocked loops.

NumPy evaluates `sin(x) * cos(x) + x * x` one whole-array operation at a time: every
intermediate of a 10M-element chain is a 40 MB array written to memory and read back. A
fused region instead walks the arrays in chunks of `CHUNK_BYTES` (they stay in the L2
cache), runs every operation of the chain on each chunk with `out=` into a few reused
chunk buffers, and writes to memory only what the rest of the program reads. A full
reduction that ends the chain (`sum`, `max`, `min`: a primitive's `monoid` fact) keeps
one partial result per chunk and combines them at the end, so it needs no array at all.

`schedule` plans the regions over a Jaxpr (pure analysis, program order kept for every
equation whose result a region needs); `emit_region` writes one region as Python source:
a nested function looping over a range of chunks, called once, or from k threads
(`NABLAX_NUM_THREADS` / the `nablax_num_threads` flag), each on its own contiguous range
of chunks and its own buffers. Chunk boundaries and the order in which partial results
are combined do not depend on the thread count, so results are bit-identical to one
thread. NumPy releases the GIL inside each chunk-sized ufunc call.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from ..config import config
from ..ir import Jaxpr, Literal, Var
from .passes import is_effectful

FUSE_MIN_SIZE = 1 << 17  # elements; below this every array stays in cache anyway
CHUNK_BYTES = 1 << 17    # per chunk buffer of the widest dtype in a region (fits L2 with several)


def _positive_int(value) -> int:
    n = int(value)
    if n < 1:
        raise ValueError(f"nablax_num_threads must be a positive integer, got {value!r}")
    return n


num_threads_flag = config.define("nablax_num_threads", _positive_int(os.environ.get("NABLAX_NUM_THREADS", "1")),
                                 _positive_int)


class Region:
    """Consecutive (after scheduling) elementwise equations of one large shape, and the
    full reductions that end them. `outputs` are the results the rest of the program reads."""

    __slots__ = ("shape", "eqns", "produced", "outputs")

    def __init__(self, shape: tuple):
        self.shape = shape
        self.eqns: list = []
        self.produced: set = set()
        self.outputs: list = []

    @property
    def reads(self) -> list:
        """Variables from outside the region that its equations read (in first-use order)."""
        seen: dict = {}
        for e in self.eqns:
            for a in e.invars:
                if type(a) is Var and a not in self.produced:
                    seen.setdefault(a, None)
        return list(seen)

    def worth_it(self) -> bool:
        return len(self.eqns) >= 2


def _native(dtype: np.dtype) -> bool:
    """A NumPy builtin dtype (ml_dtypes' bfloat16 & co take slow paths: never chunked)."""
    return dtype.kind in "biufc" and dtype.type.__module__ == "numpy"


def _fusible(eqn, shape: tuple | None) -> bool:
    """An elementwise equation producing one large native array whose every array operand
    is a scalar or has exactly the output's shape (no broadcasting inside a chunk)."""
    prim = eqn.prim
    if not prim.elementwise or prim.multiple_results or prim.emit_block is not None or len(eqn.outvars) != 1:
        return False
    out = eqn.outvars[0].aval
    if out.size < FUSE_MIN_SIZE or not _native(out.dtype) or (shape is not None and out.shape != shape):
        return False
    if eqn.params.get("effect") is not None:
        return False
    for a in eqn.invars:
        if type(a) is Literal:
            continue
        if a.aval.shape != () and (a.aval.shape != out.shape or not _native(a.aval.dtype)):
            return False
    return True


def _full_reduction(eqn, region: Region) -> bool:
    """A float reduction over every axis of a value the region computes, combinable from partials."""
    if eqn.prim.monoid is None or len(eqn.invars) != 1:
        return False
    x = eqn.invars[0]
    return (type(x) is Var and x in region.produced and x.aval.shape == region.shape
            and eqn.params.get("axes") == tuple(range(len(region.shape)))
            and x.aval.dtype in (np.float32, np.float64) and eqn.outvars[0].aval.dtype == x.aval.dtype)


def schedule(jaxpr: Jaxpr) -> list:
    """The equations of `jaxpr` in emission order, runs of fusible ones grouped as `Region`s.

    While a region is open, an equation that reads none of its results is emitted before
    it (it does not depend on the region, and the region reads only values computed
    earlier), so independent work between two elementwise operations does not split a
    chain. An equation with a side effect closes the region: program order stays."""
    items: list = []
    region: Region | None = None

    def close():
        nonlocal region
        if region is not None:
            if region.worth_it():
                items.append(region)
            else:
                items.extend(region.eqns)
            region = None

    for eqn in jaxpr.eqns:
        reads_region = region is not None and any(type(a) is Var and a in region.produced for a in eqn.invars)
        if region is not None and (_fusible(eqn, region.shape) or _full_reduction(eqn, region)) \
                and not any(type(a) is Var and a in region.produced and a.aval.shape == () for a in eqn.invars):
            region.eqns.append(eqn)
            region.produced.update(eqn.outvars)
            continue
        if reads_region or is_effectful(eqn):
            close()
        if region is None and _fusible(eqn, None):
            region = Region(eqn.outvars[0].aval.shape)
            region.eqns.append(eqn)
            region.produced.update(eqn.outvars)
            continue
        items.append(eqn)
    close()
    _mark_outputs(items, jaxpr)
    return items


def _mark_outputs(items: list, jaxpr: Jaxpr) -> None:
    """Each region's results read after it (by a later item or as a program output)."""
    needed = {v for v in jaxpr.outvars if type(v) is Var}
    for item in reversed(items):
        if type(item) is Region:
            item.outputs = [v for e in item.eqns for v in e.outvars if v in needed]
            needed.update(item.reads)
        else:
            needed.update(a for a in item.invars if type(a) is Var)


# ------------------------------------------------------------------------------ emission

def _donations(region: Region, donors: set) -> dict:
    """Output -> a dead input whose buffer it overwrites: chunk k of an output depends only
    on chunk k of the inputs, so it may take an input's memory when nothing after its
    producing equation reads that input (the producer itself may: `out=` aliases exactly)."""
    last_read: dict = {}
    for i, e in enumerate(region.eqns):
        for a in e.invars:
            if type(a) is Var and a in donors:
                last_read[a] = i
    taken: dict = {}
    free = set(donors)
    for i, e in enumerate(region.eqns):
        v = e.outvars[0]
        if v not in region.outputs or e.prim.monoid is not None:
            continue
        for u in sorted(free, key=lambda u: last_read[u]):
            if last_read[u] <= i and u.aval.dtype == v.aval.dtype:
                taken[v] = u
                free.discard(u)
                break
    return taken


def emit_region(region: Region, index: int, w, eqn_source: Callable, ufunc_call: Callable,
                donors: set = frozenset()) -> list[str]:
    """Source lines (at function-body indentation) computing `region`'s outputs.

    `w` is the codegen writer (names and globals); `eqn_source(eqn)` spells an equation
    as an expression; `ufunc_call(eqn, out_src)` spells it with `out=` (None when the
    primitive has no ufunc); `donors` are inputs the program allocated and never reads
    after the region, whose buffers outputs may take. Inside the loop every value keeps
    its program name: a chunk of input `a` is `a = a_f[_lo:_hi]`, read from its flat view
    `a_f`."""
    size = int(np.prod(region.shape))
    widest = max(e.outvars[0].aval.dtype.itemsize for e in region.eqns)
    chunk = max(CHUNK_BYTES // widest, 1024)
    nchunks = -(-size // chunk)
    outputs = set(region.outputs)
    reductions = [e for e in region.eqns if e.prim.monoid is not None]
    elementwise = len(region.eqns) - len(reductions)
    dtype = region.eqns[0].outvars[0].aval.dtype
    what = f"{elementwise} elementwise operations" + (f" and {len(reductions)} full reductions" if reductions else "")
    lines = [f"# fused: {what} on {region.shape} {dtype.name}, {nchunks} chunks of {chunk} elements"]
    fn = f"_fused{index}"
    full_inputs = [a for a in region.reads if a.aval.shape == region.shape]
    order = ""
    if len(region.shape) > 1 and full_inputs:
        # All arrays are walked in one memory order: Fortran's when every input is laid out
        # so (a transposed operand and what was computed from it), so flattening is a view.
        order = f", order=_o{index}"
        names = ", ".join(w.name(a) for a in full_inputs)
        lines.append(f"_o{index} = {w.add_global('memory_order', memory_order)}({names})")
    for a in full_inputs:
        lines.append(f"{w.name(a)}_f = {w.name(a)}.reshape(-1{order})")
    donated = _donations(region, {a for a in full_inputs if a in donors})
    for e in region.eqns:
        v = e.outvars[0]
        if v in donated:
            u = w.name(donated[v])
            lines.append(f"{w.name(v)}_f = {u}_f  # in place: {u} is dead")
            lines.append(f"{w.name(v)} = {w.name(v)}_f.reshape({region.shape!r}{order})")
        elif v in outputs and e.prim.monoid is None:
            lines.append(f"{w.name(v)} = xp.empty({region.shape!r}, np.{v.aval.dtype.name}{order})")
            lines.append(f"{w.name(v)}_f = {w.name(v)}.reshape(-1{order})")
        elif e.prim.monoid is not None:
            lines.append(f"{w.name(v)}_p = xp.empty({nchunks}, np.{v.aval.dtype.name})")
    body, buffers = _chunk_body(region, w, eqn_source, ufunc_call)
    lines.append(f"def {fn}(_k0, _k1):")
    for name, dt in buffers:
        lines.append(f"    {name} = xp.empty({chunk}, np.{dt.name})")
    lines.append("    for _k in range(_k0, _k1):")
    lines.append(f"        _lo = _k * {chunk}")
    lines.append(f"        _hi = _lo + {chunk}")
    if size % chunk and buffers:
        lines.append(f"        if _hi > {size}:")
        lines.append("            " + ", ".join(n for n, _ in buffers) + " = "
                     + ", ".join(f"{n}[:{size} - _lo]" for n, _ in buffers))
    for a in full_inputs:
        lines.append(f"        {w.name(a)} = {w.name(a)}_f[_lo:_hi]")
    lines.extend("        " + line for line in body)
    lines.append(f"{w.add_global('run_chunks', run_chunks)}({fn}, {nchunks})")
    for e in reductions:
        v = e.outvars[0]
        lines.append(f"{w.name(v)} = xp.{e.prim.monoid}.reduce({w.name(v)}_p)")
    # The flat views, partials and the loop function would keep buffers alive until the
    # program returns (the function's closure holds the views).
    scratch = [f"{w.name(a)}_f" for a in full_inputs] + [
        f"{w.name(e.outvars[0])}_{'p' if e.prim.monoid is not None else 'f'}"
        for e in region.eqns if e.outvars[0] in outputs or e.prim.monoid is not None]
    lines.append(f"del {', '.join(dict.fromkeys([fn] + scratch))}")
    return lines


def _chunk_body(region: Region, w, eqn_source: Callable, ufunc_call: Callable) -> tuple[list[str], list]:
    """The loop body, and the chunk buffers (name, dtype) it writes into."""
    outputs = set(region.outputs)
    last_use: dict = {}
    for i, e in enumerate(region.eqns):
        for a in e.invars:
            if type(a) is Var and a in region.produced:
                last_use[a] = i
    free: dict = {}        # dtype -> buffer names free for reuse
    holder: dict = {}      # var -> the buffer name it lives in
    buffers: list = []
    body: list[str] = []
    for i, e in enumerate(region.eqns):
        v = e.outvars[0]
        name = w.name(v)
        if e.prim.monoid is not None:
            body.append(f"{name}_p[_k] = xp.{e.prim.monoid}.reduce({w.name(e.invars[0])})")
        else:
            for a in e.invars:  # operands dying here free their buffers first: `out=` may alias an input
                if type(a) is Var and last_use.get(a) == i and a in holder:
                    free.setdefault(a.aval.dtype, []).append(holder.pop(a))
            if v in outputs:
                text = ufunc_call(e, f"{name}_f[_lo:_hi]")
                if text is None:
                    body.append(f"{name} = {eqn_source(e)}")
                    body.append(f"{name}_f[_lo:_hi] = {name}")
                else:
                    body.append(f"{name} = {text}")
            else:
                pool = free.get(v.aval.dtype)
                text = None
                if e.prim.ufunc is not None:
                    buf = pool.pop() if pool else None
                    if buf is None:
                        buf = f"_b{len(buffers)}"
                        buffers.append((buf, v.aval.dtype))
                    text = ufunc_call(e, buf)
                    holder[v] = buf
                body.append(f"{name} = {text if text is not None else eqn_source(e)}")
    return body, buffers


def memory_order(*arrays) -> str:
    """"F" when every array is Fortran-contiguous and one is not C-contiguous, else "C"."""
    f = False
    for a in arrays:
        flags = a.flags
        if not flags.f_contiguous:
            return "C"
        f = f or not flags.c_contiguous
    return "F" if f else "C"


# ------------------------------------------------------------------------------ threads

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _executor(k: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size != k:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool, _pool_size = ThreadPoolExecutor(k - 1, thread_name_prefix="nablax-chunks"), k
        return _pool


def run_chunks(body: Callable[[int, int], None], nchunks: int) -> None:
    """Run `body(k0, k1)` over chunks [0, nchunks): in one call, or split into contiguous
    ranges over `nablax_num_threads` threads (each range allocates its own buffers)."""
    k = min(num_threads_flag.value, nchunks)
    if k <= 1 or threading.current_thread().name.startswith("nablax-chunks"):
        body(0, nchunks)
        return
    bounds = [nchunks * i // k for i in range(k + 1)]
    pool = _executor(k)
    futures = [pool.submit(body, lo, hi) for lo, hi in zip(bounds[1:-1], bounds[2:])]
    body(bounds[0], bounds[1])
    for f in futures:
        f.result()
