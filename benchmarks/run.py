"""Command line and table of the side-by-side suite.

    python -m benchmarks                       # full run (~10 minutes on 2 cores)
    python -m benchmarks --quick               # < 2 minutes: fewer samples, 1M-element chain
    python -m benchmarks --only td_ --frameworks nablax,jax --markdown
    python -m benchmarks --only mlp_sgd --profile   # cProfile of the nablax side
    python -m benchmarks --only cholesky,slogdet,svd,eigh,gp_ --frameworks nablax,jax   # the linalg rows
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from benchmarks import frameworks as fwmod  # noqa: E402
from benchmarks.report import Row, machine, profile, target_lines, warn  # noqa: E402
from benchmarks.timing import fmt_time, time_calls, time_first_calls  # noqa: E402
from benchmarks.workloads import Bench, Workload, all_workloads  # noqa: E402

COLS = ("nablax", "jax", "torch", "autograd")


def _mismatch(got: list[np.ndarray], want: list[np.ndarray], rtol: float, atol: float) -> str | None:
    if len(got) != len(want):
        return f"{len(got)} outputs vs {len(want)}"
    for g, w in zip(got, want):
        if g.shape != w.shape:
            return f"shape {g.shape} vs {w.shape}"
        if not np.allclose(g, w, rtol=rtol, atol=atol):
            return f"max|Δ|={np.max(np.abs(g - w)):.3g}"
    return None


def build(w: Workload, fws: dict[str, fwmod.Framework], quick: bool, row: Row) -> dict[str, Bench]:
    """Every applicable framework's Bench (and "ref"); failures land in row.errors."""
    benches: dict[str, Bench] = {}
    names = [n for n in COLS if n in fws and (w.frameworks is None or n in w.frameworks)]
    todo = [(n, w.build, fws[n]) for n in names]
    if w.ref is not None and w.ref_fw in fws:
        todo.append(("ref", w.ref, fws[w.ref_fw]))
    for key, _, builder, *fw in w.extras:  # (key, label, builder[, framework]): nablax unless named
        name = fw[0] if fw else "nablax"
        if name in fws:
            todo.append((key, builder, fws[name]))
    for key, builder, fw in todo:
        try:
            b = builder(fw, quick)
        except Exception as e:  # noqa: BLE001 - report, keep going
            row.errors[key] = f"{type(e).__name__}: {e}"
            continue
        if b is not None:
            benches[key] = b
    return benches


def check(w: Workload, benches: dict[str, Bench], row: Row) -> None:
    """Compare every output with JAX's (nablax's when JAX is absent); drop benches that raise."""
    outs = {}
    for key in list(benches):
        try:
            outs[key] = fwmod.to_numpy(benches[key].run())
        except Exception as e:  # noqa: BLE001
            row.errors[key] = f"{type(e).__name__}: {e}"
            del benches[key]
    base = "jax" if "jax" in outs else "nablax" if "nablax" in outs else None
    bad = []
    for key, out in outs.items():
        if base is not None and key != base:
            why = _mismatch(out, outs[base], w.rtol, w.atol)
            if why:
                bad.append(f"{fwmod.LABELS.get(key, key)} vs {fwmod.LABELS[base]}: {why}")
    row.check = "MISMATCH " + "; ".join(bad) if bad else ("ok" if base and len(outs) > 1 else "-")
    if bad:
        warn(f"WARNING {w.name}: " + "; ".join(bad))
    for key, err in row.errors.items():
        warn(f"WARNING {w.name} [{key}] failed: {err}")


def _selected(name: str, only: str | None) -> bool:
    """Whether --only (comma-separated substrings; None = everything) picks the row `name`."""
    return only is None or any(part and part in name for part in only.split(","))


def run_workload(w: Workload, fws: dict[str, fwmod.Framework], args: argparse.Namespace) -> list[Row]:
    """Time one workload (and its compile row); returns the rows selected by --only."""
    row = Row(w.name, ref_label=w.ref_label, extras={key: label for key, label, *_ in w.extras})
    crow = Row(w.compile_name or "", check="-")
    want_run = _selected(w.name, args.only)
    want_compile = w.compile_name is not None and _selected(w.compile_name, args.only)
    if w.measure is not None:  # timed by launched processes (workloads_distributed.py), nablax only
        if want_run and "nablax" in fws:
            w.measure(row, args.quick)
        return [row] if want_run and "nablax" in fws else []
    benches = build(w, fws, args.quick, row)
    check(w, benches, row)
    samples, budget = (5, 4.0) if args.quick else (21, 25.0)
    try:
        if want_run and benches:
            stats = time_calls({k: b.run for k, b in benches.items()}, samples, budget_s=budget)
            row.ref = stats.pop("ref", None)
            row.times = dict(stats)
        factories = {k: b.compile for k, b in benches.items() if b.compile is not None and k != "ref"}
        if want_compile and factories:
            cs, cb = (3, 6.0) if args.quick else (7, 25.0)
            crow.times = dict(time_first_calls(factories, cs, budget_s=cb))
    except Exception as e:  # noqa: BLE001
        row.errors["timing"] = f"{type(e).__name__}: {e}"
        warn(f"WARNING {w.name}: timing failed: {row.errors['timing']}")
    if args.profile and "nablax" in benches:
        for name, fn in ((w.name, benches["nablax"].run), (w.compile_name, benches["nablax"].compile)):
            if fn is not None and (want_run if name == w.name else want_compile):
                print(f"\n### cProfile, nablax side of {name} (top 15 by tottime)\n```\n{profile(fn)}```")
    return ([row] if want_run else []) + ([crow] if want_compile and crow.times else [])


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.3g}×"


def table(rows: list[Row], cols: list[str]) -> list[list[str]]:
    """Header + one line per row: medians, reference, nablax/JAX, nablax/reference, check."""
    out = [["workload", *(fwmod.LABELS[c] for c in cols), "reference", "nablax/JAX", "nablax/ref", "check", "notes"]]
    for r in rows:
        cells = [r.name]
        for c in cols:
            s = r.times.get(c)
            cells.append(fmt_time(s.median) if s is not None else ("error" if c in r.errors else "—"))
        cells.append(f"{fmt_time(r.ref.median)} ({r.ref_label})" if r.ref is not None else "—")
        notes = [f"{label}: {fmt_time(r.t(key))} (= {_ratio(r.t(key), r.t('nablax'))} the nablax column)"
                 for key, label in r.extras.items() if r.t(key) is not None] + r.notes
        cells += [_ratio(r.t("nablax"), r.t("jax")), _ratio(r.t("nablax"), r.t("ref")), r.check, "; ".join(notes)]
        out.append(cells)
    return out


def render(cells: list[list[str]], markdown: bool) -> str:
    """GitHub markdown or aligned plain text."""
    if markdown:
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells[1:]])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(wd) for c, wd in zip(r, widths)).rstrip() for r in cells)


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description="nablax vs JAX / torch.func / autograd, interleaved.")
    p.add_argument("--quick", action="store_true", help="fewer samples and smaller sizes (< 2 minutes)")
    p.add_argument("--only", metavar="NAME", help="run only workloads whose name contains NAME (comma-separated: any of them)")
    p.add_argument("--frameworks", default=",".join(COLS), help="comma-separated subset of " + ",".join(COLS))
    p.add_argument("--markdown", action="store_true", help="print a GitHub markdown table with the machine description")
    p.add_argument("--profile", action="store_true", help="also print a cProfile summary of each selected nablax workload")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the suite and print the table; returns the exit status."""
    args = parse(argv)
    t0 = time.perf_counter()
    wanted = [n.strip() for n in args.frameworks.split(",") if n.strip()]
    fws, skipped = fwmod.load([*wanted, "numpy"])
    for name, why in skipped.items():
        warn(f"skipping {name}: {why}")
    todo = [w for w in all_workloads() if _selected(w.name, args.only) or _selected(w.compile_name or "", args.only)]
    rows: list[Row] = []
    for i, w in enumerate(todo, 1):
        t = time.perf_counter()
        rows += run_workload(w, fws, args)
        warn(f"[{i}/{len(todo)}] {w.name}: {time.perf_counter() - t:.1f} s")
    rows = [r for r in rows if not r.name.startswith("compile_")] + [r for r in rows if r.name.startswith("compile_")]
    cols = [c for c in COLS if c in fws]
    by_name = {r.name: r for r in rows}
    tg, missed = target_lines(by_name, args.markdown)
    prog = "python benchmarks/run.py" if Path(sys.argv[0]).name == "run.py" else "python -m benchmarks"
    cmd = prog + " " + " ".join(sys.argv[1:] if argv is None else argv)
    head = machine(fws) + [f"Command: `{cmd.strip()}`; wall time {time.perf_counter() - t0:.0f} s"]
    if args.markdown:
        print("\n".join(f"- {h}" for h in head) + "\n")
    else:
        print("\n".join(head) + "\n")
    print(render(table(rows, cols), args.markdown))
    print("\nMedians per call. torch.func and autograd have no jit: in jitted rows their columns are eager. "
          "compile_* rows: first call of a freshly jitted function (trace + compile + run)."
          + (" Quick mode: 1M-element chain, fewer samples." if args.quick else ""))
    print("\nTargets:\n" + "\n".join(tg))
    if missed:
        print("\nMissed targets; profile them with: python -m benchmarks --only NAME --frameworks nablax --profile "
              "(rows: " + ", ".join(missed) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
