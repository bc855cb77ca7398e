"""`python -m nablax.demo`: every section runs and prints the tour's known results."""
import re
import subprocess
import sys

import pytest

from nablax import demo


def run(capsys, *argv):
    assert demo.main(list(argv)) == 0
    return capsys.readouterr().out


def result_line(out: str, expr: str) -> str:
    """The printed result of `expr` (its line, or the line after it when stacked)."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(expr + " ") or stripped == expr:
            rest = stripped[len(expr):].strip()
            return rest if rest else lines[i + 1].strip()
    raise AssertionError(f"no result line for {expr!r} in:\n{out}")


def test_higher_order(capsys):
    out = run(capsys, "--section", "higher-order")
    assert "Higher-order derivatives" in out
    assert "f = lambda x: x**3 + 2*x**2 - 3*x + 1" in out          # the code that runs is shown
    for expr, value in [("dfdx(1.)", "4."), ("d2fdx(1.)", "10."), ("d3fdx(1.)", "6."), ("d4fdx(1.)", "0.")]:
        line = result_line(out, expr)
        assert re.search(rf"Array\({re.escape(value)}, dtype=float32", line), line


def test_hessian(capsys):
    out = run(capsys, "--section", "hessian")
    expected = ("Array([[2., 0., 0.],", "[0., 2., 0.],", "[0., 0., 2.]], dtype=float32)")
    for expr in ("hessian(f)(x)", "jax.hessian(f)(x)"):
        start = out.index(expr + " ")
        block = [line.strip() for line in out[start:].splitlines()[:3]]
        assert block[0].endswith(expected[0]) and block[1] == expected[1] and block[2] == expected[2]


def test_maml_meta_gradient_matches_finite_differences(capsys):
    out = run(capsys, "--section", "maml")
    assert "jax.grad(meta_loss)" in out
    assert result_line(out, "max_abs_error < 1e-5").endswith("True")
    meta = re.search(r"Array\(\[([^\]]*)\], dtype=float32\)", result_line(out, "meta_grad"))
    fd = re.search(r"Array\(\[([^\]]*)\], dtype=float64\)", result_line(out, "fd_grad"))
    a = [float(v) for v in meta.group(1).replace(",", " ").split()]
    b = [float(v) for v in fd.group(1).replace(",", " ").split()]
    assert a == pytest.approx(b, abs=1e-5)
    # Independent check: for this quadratic loss the meta-gradient has a closed form.
    import numpy as np
    X, y = np.array([[1., 2.], [2., 0.], [-1., 1.]]), np.array([1., 2., 0.])
    V, t = np.array([[0., 1.], [1., 1.]]), np.array([0.5, 1.5])
    p, lr = np.array([0.5, -0.3]), 0.1
    inner = p - lr * 2 * X.T @ (X @ p - y) / 3
    jac = np.eye(2) - lr * 2 * X.T @ X / 3
    expected = jac.T @ (2 * V.T @ (V @ inner - t) / 2)
    assert a == pytest.approx(list(expected), abs=1e-5)


def test_td_rows(capsys):
    out = run(capsys, "--section", "td")
    assert result_line(out, "jax.grad(td_loss)(theta, s_tm1, r_t, s_t)") == \
        "→ Array([ 2.4, -2.4,  2.4], dtype=float32)"
    assert result_line(out, "jax.grad(td_loss_sg)(theta, s_tm1, r_t, s_t)") == \
        "→ Array([-2.4, -4.8,  2.4], dtype=float32)"
    assert "jax.lax.stop_gradient(target)" in out


def test_straight_through(capsys):
    out = run(capsys, "--section", "straight-through")
    assert re.search(r"Array\(3\., dtype=float32", result_line(out, "f(3.2)"))
    assert re.search(r"Array\(0\., dtype=float32", result_line(out, "jax.grad(f)(3.2)"))
    assert re.search(r"Array\(1\., dtype=float32", result_line(out, "jax.grad(straight_through_f)(3.2)"))


def test_per_example(capsys):
    out = run(capsys, "--section", "per-example")
    batched = "Array([[-2.4, -4.8,  2.4],"
    assert result_line(out, "per_example_grads(theta, batched_s_tm1, batched_r_t, batched_s_t)").endswith(batched)
    assert result_line(out, "fast_per_example_grads(theta, batched_s_tm1, batched_r_t, batched_s_t)").endswith(batched)
    assert out.count("[-2.4, -4.8,  2.4]], dtype=float32)") == 2
    assert result_line(out, "dtdloss_dtheta(theta, s_tm1, r_t, s_t)").endswith("Array([-2.4, -4.8,  2.4], dtype=float32)")
    assert re.search(r"per_example_grads\s+\(eager\)\s+[\d.]+ µs per call", out)
    assert re.search(r"fast_per_example_grads\s+\(jit\)\s+[\d.]+ µs per call", out)
    assert re.search(r"speedup\s+[\d.]+×", out)
    assert "Array(True, dtype=bool)" in out
    assert "def jitted(" not in out        # generated source only with --show-code


def test_whole_tour_default(capsys):
    out = run(capsys)
    for section in demo.SECTIONS:
        assert section.title in out and f"--section {section.name}" in out
    assert out.count("dtype=float32") > 10
    assert "│ " in out                     # code is shown by default


def test_quiet_prints_results_without_code(capsys):
    out = run(capsys, "--quiet", "--section", "td,higher-order")
    assert "def td_loss" not in out and "lambda x" not in out and "│" not in out
    assert "Array([ 2.4, -2.4,  2.4], dtype=float32)" in out
    assert re.search(r"d2fdx\(1\.\)\s+→ Array\(10\., dtype=float32", out)
    # tour order, each once
    assert out.index("Higher-order") < out.index("TD(0)")


def test_repeatable_and_comma_separated_sections(capsys):
    out = run(capsys, "--section", "td", "--section", "hessian,td", "-q")
    assert out.count("--section td ") == 1 and out.count("--section hessian ") == 1
    assert "Straight-through" not in out


def test_show_code_prints_generated_numpy_source(capsys):
    out = run(capsys, "--show-code", "--section", "per-example", "--quiet")
    assert "Generated NumPy source" in out and "def jitted(" in out and "return" in out
    out = run(capsys, "--show-code", "--section", "td")
    assert "def jitted(" in out and "--show-code" in out


def test_unknown_section_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as e:
        demo.main(["--section", "nope"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "nope" in err
    for name in demo.SECTION_NAMES:
        assert name in err


def test_list(capsys):
    out = run(capsys, "--list")
    assert [line.split()[1] for line in out.splitlines()] == list(demo.SECTION_NAMES)


def test_shown_code_is_the_code_that_runs():
    """Each printed code block is, character for character, the source the tour executes."""
    shown, executed = [], []

    class Recording(demo.Tour):
        def execute(self, src):
            executed.append(src)
            super().execute(src)

    tour = Recording(write=shown.append, show_code=True)
    for section in demo.SECTIONS:
        tour.heading(1, section.title, section.name)
        section.run(tour)
    blocks, current = [], None
    for line in shown:
        if line.startswith("  │"):
            current = [] if current is None else current
            current.append(line[4:])
        elif current is not None:
            blocks.append("\n".join(current))
            current = None
    # Printed blocks split at headings/results; executed sources are whole blocks.
    assert len(executed) >= 10
    assert blocks == [src for src in executed]


def test_ascii_terminal_gets_plain_ascii():
    lines = []
    tour = demo.Tour(style=demo._Style(unicode=False), write=lines.append)
    for section in demo.SECTIONS:
        tour.heading(1, section.title, section.name)
        section.run(tour)
    text = "\n".join(lines)
    assert text.isascii()
    assert "Array([-2.4, -4.8,  2.4], dtype=float32)" in text and "us per call" in text


def test_module_runs_as_script():
    proc = subprocess.run([sys.executable, "-m", "nablax.demo", "--section", "td", "-q"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[-2.4, -4.8,  2.4]" in proc.stdout


def test_beyond_jax(capsys):
    out = run(capsys, "--section", "beyond-jax")
    assert "lax.while_loop" in out and "jet(jnp.sin" in out and "sparse_jacobian(residual)" in out
    assert result_line(out, "grads").startswith("→ Array([0.35355338, 0.70710677, 0.05      ]")
    assert result_line(out, "jnp.stack(derivatives)").startswith("→ Array([ 1.,  0., -1.,  0.]")
    assert result_line(out, "J.shape, J.nnz").endswith("((1000, 1000), 2998)")
    assert result_line(out, "J[0, :3].toarray()").endswith("array([[1., 1., 0.]], dtype=float32)")
