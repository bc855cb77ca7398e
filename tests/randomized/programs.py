"""Random programs: a description (pure data), hypothesis strategies that draw one, and
`build(program, L)`, which turns a description into a Python function over the namespace
`L` (nablax or JAX).

A `Program` is a DAG: values 0..n_in-1 are the inputs, and node k computes value
n_in + k from earlier values with an entry of `ops.TABLE`, a control-flow construct
(cond / fori_loop / scan / while_loop, whose bodies are chains of smooth unary ops), or a
wrapper around a nested sub-program (custom_jvp / custom_vjp whose rules are the true
derivative times `rule_scale`, checkpoint, jit). The last value is the output.

`Stack` is a list of transformations applied on top, innermost first; see `stacks()`.
"""
from __future__ import annotations

import math
import types
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

import nablax

from . import ops

SHAPES = [(), (2,), (3,), (2, 3), (3, 3), (1, 3), (3, 1)]
LOOP_STEPS = 3


@dataclass(frozen=True)
class Node:
    op: str
    args: tuple
    params: tuple = ()  # sorted (name, value) pairs
    sub: tuple = ()  # nested Programs (wrappers) or chains of unary op names (control flow)

    def kwargs(self):
        return dict(self.params)


@dataclass(frozen=True)
class Program:
    in_shapes: tuple
    nodes: tuple
    out_shape: tuple
    py_floats: tuple = ()  # indices of scalar inputs passed as Python floats (weakly typed)

    def walk(self):
        for node in self.nodes:
            yield node
            for s in node.sub:
                if isinstance(s, Program):
                    yield from s.walk()

    @property
    def fwd_ok(self):
        """False when forward-mode AD is not defined (custom_vjp)."""
        return not any(n.op == "custom_vjp" for n in self.walk())

    @property
    def rev_ok(self):
        """False when reverse-mode AD is not defined (while_loop)."""
        return not any(n.op == "while_loop" for n in self.walk())

    def uses(self, name):
        return any(n.op == name for n in self.walk())

    @property
    def has_jit(self):
        return any(n.op == "jit" for n in self.walk())

    @property
    def has_control_flow(self):
        return any(n.op in CONTROL for n in self.walk())

    def source(self, indent="", name="f"):
        """Readable pseudo-code, printed by hypothesis for a failing example."""
        n_in = len(self.in_shapes)
        sig = ", ".join(f"x{i}: {'float' if i in self.py_floats else list(s)}" for i, s in enumerate(self.in_shapes))
        lines = [f"{indent}def {name}({sig}):"]
        for k, node in enumerate(self.nodes):
            args = ", ".join(f"x{a}" for a in node.args)
            params = "".join(f", {p}={v!r}" for p, v in node.params)
            subs = ""
            for j, s in enumerate(node.sub):
                if isinstance(s, Program):
                    lines.append(s.source(indent + "    ", name=f"sub{k}_{j}"))
                    subs += f", sub{k}_{j}"
                else:
                    subs += f", chain={list(s)}"
            lines.append(f"{indent}    x{n_in + k} = {node.op}({args}{params}{subs})")
        lines.append(f"{indent}    return x{n_in + len(self.nodes) - 1}  # {list(self.out_shape)}")
        return "\n".join(lines)

    def __repr__(self):
        return "\n" + self.source()


def namespace(lib):
    """The namespace `L` a program is built against: `namespace(nablax)` or `namespace(jax)`."""
    if lib is nablax:
        import nablax.numpy as jnp
        import nablax.scipy.special as special
        return types.SimpleNamespace(jax=nablax, jnp=jnp, lax=nablax.lax, nn=nablax.nn, special=special)
    import jax.numpy as jnp  # the compat tests only
    import jax.scipy.special as special
    return types.SimpleNamespace(jax=lib, jnp=jnp, lax=lib.lax, nn=lib.nn, special=special)


NX = namespace(nablax)


# --------------------------------------------------------------------------- building

class Probe:
    """Records, during an eager nablax run, how close kinky ops came to their kinks and how large values got."""

    def __init__(self):
        self.margin = math.inf
        self.magnitude = 0.0

    def see(self, value):
        v = np.asarray(value)
        if v.size:
            self.magnitude = max(self.magnitude, float(np.max(np.abs(v))) if np.all(np.isfinite(v)) else math.inf)


def _chain(L, names, x, probe=None):
    """The unary ops `names` applied in turn; a probe sees every intermediate value (a chain
    like cube, cube, cos is tame in value but its derivative is huge, and finite differences
    of it are noise)."""
    for name in names:
        x = ops.SMOOTH_UNARY[name](L, x)
        if probe is not None:
            probe.see(x)
    return x


class _PythonControl:
    """lax.cond / fori_loop / scan / while_loop as Python control flow, for the probe: it sees every step's value."""

    def __init__(self, L, probe):
        self.L, self.probe = L, probe

    def _see(self, v):
        self.probe.see(v)
        return v

    def cond(self, pred, true_fn, false_fn, x):
        return self._see(true_fn(x) if bool(pred) else false_fn(x))

    def fori_loop(self, lo, hi, body, x):
        for i in range(lo, hi):
            x = self._see(body(i, x))
        return x

    def scan(self, body, carry, xs, reverse):
        xs = self.L.jnp.asarray(xs)
        ys = [None] * xs.shape[0]
        for i in reversed(range(xs.shape[0])) if reverse else range(xs.shape[0]):
            carry, ys[i] = body(carry, xs[i])
            self._see(carry)
        return carry, self.L.jnp.stack(ys)

    def while_loop(self, cond_fn, body, state):
        while cond_fn(state):
            state = body(state)
            self._see(state[1])
        return state


def _control(L, node, vals, probe):
    kw = node.kwargs()
    lax = L.lax if probe is None else _PythonControl(L, probe)
    if node.op == "cond":
        p, x = vals
        if probe is not None:
            probe.margin = min(probe.margin, abs(float(np.sum(np.asarray(p)))))
        a, b = node.sub
        return lax.cond(L.jnp.sum(p) > 0, lambda v: _chain(L, a, v, probe), lambda v: _chain(L, b, v, probe), x)
    if node.op == "fori_loop":
        x, y = vals
        (c,) = node.sub
        return lax.fori_loop(0, LOOP_STEPS, lambda i, v: 0.5 * _chain(L, c, v, probe) + y + 0.1 * i, x)
    if node.op == "scan":
        c0, xs = vals
        (c,) = node.sub

        def body(carry, x):
            new = 0.5 * _chain(L, c, carry, probe) + x
            return new, L.jnp.sin(new)

        carry, ys = lax.scan(body, c0, xs, reverse=kw["reverse"])
        return carry if kw["out"] == "carry" else ys
    if node.op == "while_loop":
        (x,) = vals
        (c,) = node.sub
        return lax.while_loop(lambda s: s[0] < LOOP_STEPS, lambda s: (s[0] + 1, 0.5 * _chain(L, c, s[1], probe)), (0, x))[1]
    raise AssertionError(node.op)


def _wrapped(L, node, vals, probe, rule_scale):
    (sub,) = node.sub
    inner = build(sub, L, probe=probe)  # rule_scale applies to this level's custom rules only
    if probe is not None:  # the probe sees through wrappers (they do not change values)
        return inner(*vals)
    if node.op == "checkpoint":
        return L.jax.checkpoint(inner)(*vals)
    if node.op == "jit":
        return L.jax.jit(inner)(*vals)
    if node.op == "custom_jvp":
        f = L.jax.custom_jvp(inner)

        def rule(primals, tangents):
            out, t = L.jax.jvp(inner, primals, tangents)
            return out, t * rule_scale

        f.defjvp(rule)
        return f(*vals)
    if node.op == "custom_vjp":
        f = L.jax.custom_vjp(inner)

        def fwd(*xs):
            return inner(*xs), xs

        def bwd(xs, ct):
            cts = L.jax.vjp(inner, *xs)[1](ct)
            return tuple(c * rule_scale for c in cts)

        f.defvjp(fwd, bwd)
        return f(*vals)
    raise AssertionError(node.op)


CONTROL = ("cond", "fori_loop", "scan", "while_loop")
WRAPPERS = ("custom_jvp", "custom_vjp", "checkpoint", "jit")


def build(prog, L, *, probe=None, rule_scale=1.0):
    """The function `prog` describes, over namespace `L`. With a `Probe`, run it eagerly on nablax to measure kinks.

    `rule_scale` multiplies the custom_jvp / custom_vjp rules of this program's own custom
    nodes (not those nested deeper): 1 gives the true derivative."""

    def f(*xs):
        vals = list(xs)
        for node in prog.nodes:
            args = [vals[i] for i in node.args]
            if node.op in CONTROL:
                out = _control(L, node, args, probe)
            elif node.op in WRAPPERS:
                out = _wrapped(L, node, args, probe, rule_scale)
            else:
                op = ops.TABLE[node.op]
                if probe is not None and op.margin is not None:
                    probe.margin = min(probe.margin, op.margin(*[np.asarray(a) for a in args], **node.kwargs()))
                out = op.apply(L, *args, **node.kwargs())
            if probe is not None:
                probe.see(out)
            vals.append(out)
        return vals[-1]

    return f


# --------------------------------------------------------------------------- generation

def _shape_of(op_apply, in_shapes):
    structs = [nablax.ShapeDtypeStruct(s, np.float32) for s in in_shapes]
    return tuple(nablax.eval_shape(op_apply, *structs).shape)


def _chain_strategy(min_size=1):
    return st.lists(st.sampled_from(sorted(ops.SMOOTH_UNARY)), min_size=min_size, max_size=3).map(tuple)


def _propose_control(draw, op, shapes, allow):
    if op == "cond":
        p, x = ops._pick(draw, shapes), ops._pick(draw, shapes)
        return Node(op, (p, x), (), (draw(_chain_strategy(0)), draw(_chain_strategy(0))))
    if op == "fori_loop":
        x = ops._pick(draw, shapes)
        y = ops._pick(draw, shapes, lambda s: ops._broadcastable(s, shapes[x]) and np.broadcast_shapes(s, shapes[x]) == shapes[x])
        return Node(op, (x, y), (), (draw(_chain_strategy()),))
    if op == "scan":
        xs = ops._pick(draw, shapes, lambda s: len(s) >= 1)
        if xs is None:
            return None
        row = shapes[xs][1:]
        c = ops._pick(draw, shapes, lambda s: ops._broadcastable(s, row) and np.broadcast_shapes(s, row) == s)
        if c is None:
            return None
        params = (("out", draw(st.sampled_from(["carry", "ys"]))), ("reverse", draw(st.booleans())))
        return Node(op, (c, xs), params, (draw(_chain_strategy()),))
    if op == "while_loop":
        return Node(op, (ops._pick(draw, shapes),), (), (draw(_chain_strategy()),))
    # wrappers: a nested program over one or two existing values
    n_args = draw(st.integers(1, 2))
    args = tuple(dict.fromkeys(ops._pick(draw, shapes) for _ in range(n_args)))
    sub = draw(programs(in_shapes=tuple(shapes[a] for a in args), max_nodes=3, depth=1, allow=allow))
    return Node(op, args, (), (sub,))


@st.composite
def programs(draw, in_shapes=None, max_nodes=6, depth=0, allow=("custom_vjp", "while_loop")):
    """A random Program. `allow` may hold "custom_vjp" and "while_loop" (at most one is used per program)."""
    if in_shapes is None:
        in_shapes = tuple(draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3)))
    if depth == 0 and len(allow) == 2:  # forward-only and reverse-only constructs never meet
        allow = (draw(st.sampled_from(allow)),)
    shapes = list(in_shapes)
    n_in = len(in_shapes)
    plain = ["sin"] + sorted(set(ops.TABLE) - {"sin"})  # shrinks towards a smooth op
    extra = list(CONTROL[:3]) + ["custom_jvp", "checkpoint", "jit"] + list(allow) if depth == 0 else []
    nodes = []
    for _ in range(draw(st.integers(1, max_nodes))):
        kind = draw(st.sampled_from(["plain"] * 4 + (["extra"] if extra else [])))
        name = draw(st.sampled_from(extra if kind == "extra" else plain))
        if name in CONTROL or name in WRAPPERS:
            node = _propose_control(draw, name, shapes, allow)
            if node is None:
                continue
            sub = node.sub[0] if name in WRAPPERS else None
            out = sub.out_shape if sub is not None else _shape_of(
                lambda *a, node=node: build(Program(tuple(shapes), (node,), ()), NX)(*[z for z in a]),
                shapes)
        else:
            proposal = ops.TABLE[name].propose(draw, shapes)
            if proposal is None:
                continue
            args, params = proposal
            node = Node(name, tuple(args), tuple(sorted(params.items())))
            out = _shape_of(lambda *a, node=node: ops.TABLE[node.op].apply(NX, *a, **node.kwargs()),
                            [shapes[i] for i in args])
        if not 0 < math.prod(out) <= 36 or len(out) > 3:
            continue
        nodes.append(node)
        shapes.append(out)
    if not nodes:  # always compute something
        nodes.append(Node("sin", (n_in - 1,)))
        shapes.append(in_shapes[-1])
    py = ()
    if depth == 0:
        py = tuple(i for i, s in enumerate(in_shapes) if s == () and draw(st.booleans()))
    return Program(tuple(in_shapes), tuple(nodes), shapes[-1], py)


def inputs(in_shapes, py_floats, seed, dtype=np.float32):
    """Generic (kink-free with probability 1) inputs in [-1.5, 1.5]; Python floats at `py_floats`."""
    rng = np.random.default_rng(seed)
    xs = [rng.uniform(-1.5, 1.5, s).astype(dtype) for s in in_shapes]
    return [float(x) if i in py_floats else x for i, x in enumerate(xs)]
