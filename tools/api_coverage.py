"""How much of JAX 0.10.2's public API nablax has, module by module.

Reads JAX's own name lists (tools/jax-0.10.2-public-names.json: `dir()` of each public
module of JAX, taken from JAX itself) and, for each JAX module, looks the names up in the
matching nablax module. Each name is one of

- present   -- importable from nablax under the same name;
- lacking   -- not there yet (an open issue, or simply missing);
- left out  -- deliberately absent, with the reason (XLA-, TPU- or device-specific, or not
               API at all but a helper JAX's module happens to import).

Modules that a later issue owns as a whole are reported with that issue.

    python tools/api_coverage.py               # the table (markdown), as in the README
    python tools/api_coverage.py --lacking     # plus every lacking name, per module
    python tools/api_coverage.py --update      # rewrite tools/api_present.txt and README's table

tests/test_api_coverage.py fails if a name recorded in tools/api_present.txt stops
importing, or if the README's table is not this script's output.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
NAMES_FILE = HERE / "jax-0.10.2-public-names.json"
PRESENT_FILE = HERE / "api_present.txt"
README = HERE.parent / "README.md"

# Whole modules that a later issue delivers (the number is the issue).
LATER_ISSUE: dict[str, int] = {}
# (modules whose name starts with one of these also belong to the later issue)
LATER_ISSUE_PREFIXES: dict[str, int] = {}

_XLA = "XLA-specific (no meaning without XLA's compiler or runtime)"
_SHARDING = ("sharding in types and compiler partitioning (smap, auto_pcast, sharding constraints as primitives): "
             "nablax's devices are lanes of one NumPy computation, with no compiler partitioning to steer")
_HELPER = "not API: a helper JAX's module imports"
_PROFILER = "XLA's profiler (TensorBoard traces of XLA executions)"

# Names left out on purpose, per module, with the reason.
LEFT_OUT: dict[str, dict[str, str]] = {
    "jax": {
        **dict.fromkeys(["smap", "auto_pcast", "remove_size_one_mesh_axis_from_type",
                         "make_user_context"], _SHARDING),
        "memory": "XLA memory kinds (device/pinned host memory spaces)",
    },
    "jax.nn": dict.fromkeys(["scaled_matmul", "scaled_dot_general", "get_scaled_dot_general_config"],
                            "cuDNN block-scaled (MX/NVFP4) matmuls: JAX 0.10.2 itself raises NotImplementedError on CPU"),
    "jax.profiler": dict.fromkeys(
        ["ProfileData", "ProfileEvent", "ProfileOptions", "ProfilePlane", "StepTraceAnnotation", "TraceAnnotation",
         "annotate_function", "device_memory_profile", "register_subprocess", "save_device_memory_profile",
         "start_server", "start_trace", "stop_server", "stop_trace", "trace"], _PROFILER),
    "jax.experimental.multihost_utils": {
        **dict.fromkeys(["Any", "annotations", "lru_cache", "partial", "safe_zip", "tree_flatten", "tree_unflatten"],
                        _HELPER),
        **dict.fromkeys(["host_local_array_to_global_array_p", "host_local_array_to_global_array_impl",
                         "global_array_to_host_local_array_p", "global_array_to_host_local_array_impl",
                         "ltg_abstract_eval", "ltg_batcher", "gtl_abstract_eval"],
                        "not API: the XLA primitives behind host_local_array_to_global_array"),
        **dict.fromkeys(["reached_preemption_sync_point", "live_devices", "ProcessFailureError"],
                        "TPU/XLA runtime services (preemption notices, liveness of devices)"),
    },
    "jax.lax": {
        **dict.fromkeys(["sharding_constraint_p", "device_put_p"], _SHARDING),
        **dict.fromkeys(["psend", "precv", "ragged_all_to_all", "ragged_all_to_all_p"],
                        "point-to-point and ragged collectives: not built (ppermute and all_to_all cover the "
                        "regular patterns)"),
    },
}


def load_names() -> dict[str, list[str]]:
    return json.loads(NAMES_FILE.read_text())["modules"]


def nablax_module(jax_module: str):
    """The nablax module for a JAX module name, or None if nablax has none."""
    try:
        return importlib.import_module("nablax" + jax_module[len("jax"):])
    except ImportError:
        return None


def later_issue(jax_module: str) -> int | None:
    if jax_module in LATER_ISSUE:
        return LATER_ISSUE[jax_module]
    for prefix, issue in LATER_ISSUE_PREFIXES.items():
        if jax_module.startswith(prefix):
            return issue
    return None


def classify(jax_module: str, names: list[str]) -> dict[str, list[str]]:
    """{'present': [...], 'lacking': [...], 'left_out': [...]} for one module."""
    mod = nablax_module(jax_module)
    left = LEFT_OUT.get(jax_module, {})
    out: dict[str, list[str]] = {"present": [], "lacking": [], "left_out": []}
    for name in names:
        if mod is not None and hasattr(mod, name):
            out["present"].append(name)
        elif name in left:
            out["left_out"].append(name)
        else:
            out["lacking"].append(name)
    return out


def _row_label(jax_module: str) -> str:
    """The table row a module is counted in (the many jax.scipy.stats.<dist> share one)."""
    return "jax.scipy.stats.*" if jax_module.startswith("jax.scipy.stats.") else jax_module


def table(modules: dict[str, list[str]]) -> str:
    """The markdown coverage table: one row per JAX module (one for all stats distributions)."""
    counts: dict[str, list[int]] = {}
    for jax_module, names in modules.items():
        c = classify(jax_module, names)
        row = counts.setdefault(_row_label(jax_module), [0, 0, 0, 0])
        for i, n in enumerate((len(names), len(c["present"]), len(c["lacking"]), len(c["left_out"]))):
            row[i] += n
    rows = ["| JAX module | names | present | lacking | left out | coverage (present / not left out) |",
            "|---|---:|---:|---:|---:|---:|"]
    for label, (total, present, lacking, left_out) in counts.items():
        in_scope = total - left_out
        pct = f"{100 * present / in_scope:.1f}%" if in_scope else "—"
        issue = later_issue(label.rstrip("*"))
        if issue is not None and lacking:
            pct += f" (rest: issue {issue})"
        rows.append(f"| `{label}` | {total} | {present} | {lacking} | {left_out} | {pct} |")
    return "\n".join(rows)


def present_record(modules: dict[str, list[str]]) -> list[str]:
    """'module name' lines for every present name (the record the test guards)."""
    return [f"{m} {n}" for m, names in modules.items() for n in classify(m, names)["present"]]


def update_readme(new_table: str) -> None:
    """Replace the coverage table in README.md (the block of lines from its header row)."""
    lines = README.read_text().split("\n")
    start = lines.index(new_table.split("\n")[0])
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    README.write_text("\n".join(lines[:start] + new_table.split("\n") + lines[end:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lacking", action="store_true", help="list every lacking and left-out name")
    parser.add_argument("--update", action="store_true", help=f"rewrite {PRESENT_FILE.name} and README's table")
    args = parser.parse_args(argv)
    modules = load_names()
    print(table(modules))
    if args.lacking:
        for jax_module, names in modules.items():
            c = classify(jax_module, names)
            if c["lacking"]:
                print(f"\n{jax_module} lacks {len(c['lacking'])}: {' '.join(c['lacking'])}")
            for name in c["left_out"]:
                print(f"{jax_module}.{name}: left out — {LEFT_OUT[jax_module][name]}")
    if args.update:
        PRESENT_FILE.write_text("\n".join(present_record(modules)) + "\n")
        update_readme(table(modules))
        print(f"\nwrote {PRESENT_FILE} and the table in {README}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
