"""The API coverage report (tools/api_coverage.py) and the record it guards.

A name recorded as present in tools/api_present.txt must keep importing, and the README's
coverage table must be the report's current output.
"""
from __future__ import annotations

import importlib
import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("api_coverage", ROOT / "tools" / "api_coverage.py")
api_coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(api_coverage)

RECORD = [line.split() for line in (ROOT / "tools" / "api_present.txt").read_text().splitlines() if line]


@pytest.mark.parametrize("jax_module", sorted({m for m, _ in RECORD}))
def test_recorded_names_still_import(jax_module):
    mod = importlib.import_module("nablax" + jax_module[len("jax"):])
    lost = [name for m, name in RECORD if m == jax_module and not hasattr(mod, name)]
    assert not lost, f"{jax_module}: names recorded as present no longer import: {lost}"


def test_record_lists_every_present_name():
    # A name that became present must be recorded too (run tools/api_coverage.py --update).
    current = {tuple(line.split()) for line in api_coverage.present_record(api_coverage.load_names())}
    assert current == {tuple(r) for r in RECORD}


def test_readme_shows_the_current_table():
    table = api_coverage.table(api_coverage.load_names())
    assert table in (ROOT / "README.md").read_text(), "README's coverage table is stale: paste tools/api_coverage.py's output"


def test_left_out_names_are_real_jax_names_and_absent():
    names = api_coverage.load_names()
    for jax_module, reasons in api_coverage.LEFT_OUT.items():
        assert set(reasons) <= set(names[jax_module]), jax_module
        assert not set(reasons) & set(api_coverage.classify(jax_module, names[jax_module])["present"])


def test_classify_counts_add_up():
    names = api_coverage.load_names()
    for jax_module, listed in names.items():
        c = api_coverage.classify(jax_module, listed)
        assert sorted(c["present"] + c["lacking"] + c["left_out"]) == sorted(listed)
    c = api_coverage.classify("jax.numpy", names["jax.numpy"])
    assert "sin" in c["present"] and "grad" not in names["jax.numpy"]
