"""pmap: `fun` mapped over devices, with JAX's signature and errors.

nablax's devices are lanes of one NumPy computation, so within a process pmap is a jitted
named vmap over the local devices (the mapped axis must fit on them). In a job of several
processes (nablax.distributed, MPI), each process passes its own lanes — the leading axis is
its local device count, as in JAX — and the axis spans the processes: the vmap's trace
carries the job's ProcessGroup, and the collectives on the axis cross processes
(primitives/collectives.py). Everything vmap composes with (grad, jit, scan, vmap) composes
with pmap the same way.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Hashable, Iterable, Sequence

from . import distributed, sharding
from .api import _fun_name, mapped
from .core import lift_aval
from .jit.jitted import jit
from .runtime_api import local_devices
from .tree import broadcast_prefix, tree_flatten

__all__ = ["pmap"]


def _argnums(nums: int | Iterable[int], what: str) -> tuple[int, ...]:
    nums = (nums,) if isinstance(nums, int) else tuple(nums)
    for n in nums:
        if not isinstance(n, int):
            raise TypeError(f"pmap: {what} must be an int or a sequence of ints, got {n!r}")
    return nums


def _dynamic_axes(in_axes: Any, n_args: int, static_at: tuple[int, ...]) -> Any:
    """in_axes of the arguments that are not static (an entry per positional argument, or one for all)."""
    return tuple(in_axes[i] for i in range(n_args) if i not in static_at) if isinstance(in_axes, tuple) else in_axes


def _mapped_size(args: Sequence, kwargs: dict, in_axes: Any, where: str) -> int:
    """The size of the mapped axis of `args` (and of keyword arguments, mapped on axis 0);
    vmap reports inconsistent sizes itself."""
    axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    if len(axes) != len(args):
        raise ValueError(f"{where}: in_axes has {len(axes)} entries but the function was called with {len(args)} "
                         "positional arguments (static_broadcasted_argnums not counted)")
    try:
        leaf_axes = broadcast_prefix(axes, tuple(args))
    except ValueError as e:
        raise ValueError(f"{where}: in_axes does not match the structure of the arguments.\n{e}") from None
    for x, ax in zip(tree_flatten(tuple(args))[0], leaf_axes):
        if ax is not None:
            shape = lift_aval(x).shape
            if type(ax) is int and -len(shape) <= ax < len(shape):
                return shape[ax]
            return -1  # an out-of-range axis: vmap raises its error
    for x in tree_flatten(kwargs)[0]:
        shape = lift_aval(x).shape
        return shape[0] if shape else -1
    raise ValueError("pmap requires at least one argument with a mapped axis.")


def _check_devices(size: int, devices: Sequence | None, where: str) -> None:
    """The mapped axis must fit on the devices taking part (all local ones in a multi-process job)."""
    if size < 0:
        return
    if devices is not None:
        if len(devices) != size:
            raise ValueError(f"{where}: the mapped axis has size {size}, but {len(devices)} devices were given "
                             f"(devices={list(devices)}); pass one device per mapped element")
        return
    available = len(local_devices())
    if distributed.process_count() > 1 and size != available:
        raise ValueError(f"{where}: in a job of {distributed.process_count()} processes each process maps its "
                         f"{available} local devices, but this process's mapped axis has size {size}; give each "
                         f"process arrays whose mapped axis is its local device count ({available})")
    if size > available:  # (JAX's class for it: its mesh cannot split the axis)
        raise sharding.IndivisibleError(
            f"{where}: the mapped axis has size {size}, but only {available} devices are available to this process; "
            f"start nablax with NABLAX_NUM_CPU_DEVICES={size} (or config.update('jax_num_cpu_devices', {size})) for "
            f"{size} virtual CPU devices")


def pmap(fun: Callable, axis_name: Hashable | None = None, *, in_axes: Any = 0, out_axes: Any = 0,
         static_broadcasted_argnums: int | Iterable[int] = (), devices: Sequence | None = None,
         backend: str | None = None, axis_size: int | None = None,
         donate_argnums: int | Iterable[int] = ()) -> Callable:
    """Map `fun` over the devices, the mapped axis named `axis_name` for collectives (JAX's pmap).

    `in_axes`/`out_axes` as vmap's; `static_broadcasted_argnums` are passed to every device as
    Python values (hashable; a new value compiles anew). `donate_argnums` is accepted: nablax's
    arrays are immutable, so there is nothing to donate. `axis_size` is accepted as JAX does,
    with at least one mapped argument."""
    if not callable(fun):
        raise TypeError(f"pmap: expected a function as the first argument, got {fun!r}")
    if backend not in (None, "cpu"):
        raise RuntimeError(f"pmap: unknown backend {backend!r}; nablax runs on NumPy and its only backend is 'cpu'")
    static = _argnums(static_broadcasted_argnums, "static_broadcasted_argnums")
    _argnums(donate_argnums, "donate_argnums")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    where = f"pmap({_fun_name(fun)})"

    @functools.lru_cache(maxsize=None)
    def program(n_args: int, static_at: tuple[int, ...]) -> Callable:
        dynamic = [i for i in range(n_args) if i not in static_at]
        dyn_axes = _dynamic_axes(in_axes, n_args, static_at)

        def per_call(*args, **kwargs):
            statics = {i: args[i] for i in static_at}

            def with_statics(*dyn, **kw):
                full, it = [], iter(dyn)
                for i in range(n_args):
                    full.append(statics[i] if i in statics else next(it))
                return fun(*full, **kw)

            group = distributed.world()
            run = mapped(with_statics, dyn_axes, out_axes, axis_name, axis_size, where=where, group=group)
            return run(*(args[i] for i in dynamic), **kwargs)

        return jit(per_call, static_argnums=static_at)

    @functools.wraps(fun)
    def pmapped(*args, **kwargs):
        n = len(args)
        static_at = tuple(sorted({s % n if -n <= s < n else s for s in static}))
        for s in static_at:
            if not 0 <= s < n:
                raise ValueError(f"{where}: static_broadcasted_argnums {s} is out of range for {n} positional "
                                 "arguments")
        if isinstance(in_axes, tuple) and static_at and len(in_axes) != n:
            raise ValueError(f"{where}: in_axes has {len(in_axes)} entries but the function was called with {n} "
                             "positional arguments")
        size = _mapped_size([a for i, a in enumerate(args) if i not in static_at], kwargs,
                            _dynamic_axes(in_axes, n, static_at), where)
        _check_devices(size, devices, where)
        return program(n, static_at)(*args, **kwargs)

    return pmapped
