"""The programs in examples/: each main() runs at a small size and produces a real result."""
import importlib.util
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))  # as `python examples/NAME.py` does: the scripts import their shared modules


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"nablax_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["gaussian_process", "maml_sinusoid", "mnist_like_dp_sgd", "newton_cg_logreg",
                                  "newton_logreg", "td_learning"])
def test_example_has_docstring_and_main(name):
    module = load(name)
    assert module.__doc__ and len(module.__doc__.strip()) > 200
    assert callable(module.main)


# ------------------------------------------------------------------------------ MAML

def test_maml_meta_loss_decreases(capsys, tmp_path):
    maml = load("maml_sinusoid")
    losses = maml.main(meta_steps=200, meta_batch=10, eval_tasks=20, plot_path=None)
    out = capsys.readouterr().out
    assert len(losses) == 200 and all(np.isfinite(losses))
    assert np.mean(losses[-40:]) < 0.85 * np.mean(losses[:40])
    assert "meta-loss: first" in out and "query MSE after 0 steps" in out


def test_maml_meta_gradient_is_second_order():
    """The meta-gradient differentiates through the inner grad: compare with finite differences."""
    maml = load("maml_sinusoid")
    rng = np.random.default_rng(3)
    params = maml.init_mlp(rng, scale=0.3)
    (xs, ys, xq, yq), _ = maml.sample_tasks(rng, 2, 5)
    with jax.config.enable_x64(True):
        p64 = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype=jnp.float64), params)
        data = [jnp.asarray(a, dtype=jnp.float64) for a in (xs, ys, xq, yq)]
        f = lambda p: maml.batched_maml_loss(p, *data, 0.01, 1)  # noqa: E731
        g = jax.grad(f)(p64)
        direction = jax.tree_util.tree_map(lambda a: jnp.asarray(rng.normal(size=a.shape)), p64)
        eps = 1e-6
        shift = lambda s: jax.tree_util.tree_map(lambda a, d: a + s * d, p64, direction)  # noqa: E731
        fd = (float(f(shift(eps))) - float(f(shift(-eps)))) / (2 * eps)
        ad = sum(float(jnp.sum(a * d)) for a, d in zip(jax.tree_util.tree_leaves(g),
                                                       jax.tree_util.tree_leaves(direction)))
        # First-order MAML (inner gradient treated as a constant) for contrast.
        def first_order(p):
            inner = jax.tree_util.tree_map(jax.lax.stop_gradient, jax.grad(f_support)(p))
            adapted = jax.tree_util.tree_map(lambda a, g_: a - 0.01 * g_, p, inner)
            return maml.mse(adapted, data[2][0], data[3][0])

        f_support = lambda p: maml.mse(p, data[0][0], data[1][0])  # noqa: E731
        g1 = jax.grad(first_order)(p64)
        g_task0 = jax.grad(lambda p: maml.maml_loss(p, *(d[0] for d in data), 0.01, 1))(p64)
        dot = lambda t: sum(float(jnp.sum(a * d)) for a, d in zip(jax.tree_util.tree_leaves(t),  # noqa: E731
                                                                  jax.tree_util.tree_leaves(direction)))
        first, second = dot(g1), dot(g_task0)
    assert ad == pytest.approx(fd, rel=1e-5)
    assert abs(first - second) > 0.05 * abs(second)   # the second-order term is really there


def test_maml_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    maml = load("maml_sinusoid")
    path = tmp_path / "fits.png"
    maml.main(meta_steps=5, meta_batch=4, eval_tasks=0, plot_path=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "saved plot" in capsys.readouterr().out


# --------------------------------------------------------------------------- DP-SGD

def test_dp_sgd_small_run_learns(capsys):
    pytest.importorskip("sklearn")
    dp = load("mnist_like_dp_sgd")
    acc = dp.main(epochs=3, progress=False)
    out = capsys.readouterr().out
    assert acc >= 0.7          # chance is 0.1; the full 30-epoch run reaches >= 0.9
    assert "test accuracy" in out and "epsilon" in out


def test_dp_sgd_clipping_and_noise():
    dp = load("mnist_like_dp_sgd")
    rng = np.random.default_rng(0)
    params = dp.init_mlp(rng, (64, 16, 10))
    x = jnp.asarray(rng.random((8, 64)), dtype=jnp.float32)
    y = jnp.asarray(rng.integers(0, 10, 8), dtype=jnp.int32)
    grads = dp.per_example_grads(params, x, y)
    # per-example gradients agree with grad on each example alone
    for i in (0, 5):
        single = jax.grad(dp.loss)(params, x[i], y[i])
        for a, b in zip(jax.tree_util.tree_leaves(grads), jax.tree_util.tree_leaves(single)):
            np.testing.assert_allclose(np.asarray(a[i]), np.asarray(b), rtol=1e-5, atol=1e-6)
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    new, _ = dp.private_update(params, grads, zeros, jnp.float32(1.0), jnp.float32(0.1))
    # without noise the step is the mean of clipped gradients: its norm is at most C
    step = np.sqrt(sum(float(jnp.sum((p - q) ** 2)) for p, q in zip(jax.tree_util.tree_leaves(params),
                                                                   jax.tree_util.tree_leaves(new))))
    assert 0 < step <= 0.1 + 1e-6
    # noise enters as clip * z / batch
    ones = jax.tree_util.tree_map(jnp.ones_like, params)
    tiny = jax.tree_util.tree_map(lambda g: g * 0, grads)
    moved, _ = dp.private_update(params, tiny, ones, jnp.float32(1.0), jnp.float32(0.5))
    diff = np.asarray(params[0][0]) - np.asarray(moved[0][0])
    np.testing.assert_allclose(diff, 0.5 / 8, rtol=1e-5)


def test_rdp_accountant_known_value():
    dp = load("mnist_like_dp_sgd")
    # The widely quoted DP-SGD MNIST setting: q = 256/60000, sigma = 1.1, 60 epochs -> epsilon ~ 3.
    eps = dp.rdp_epsilon(256 / 60000, 1.1, 60 * 60000 // 256, delta=1e-5)
    assert 2.8 < eps < 3.2
    assert dp.rdp_epsilon(0.01, 2.0, 100) < dp.rdp_epsilon(0.01, 1.0, 100) < dp.rdp_epsilon(0.01, 1.0, 1000)


# ------------------------------------------------------------------------ Newton-CG

def test_newton_cg_converges_and_restores_x64(capsys):
    newton = load("newton_cg_logreg")
    before = jax.config.jax_enable_x64
    gnorm = newton.main(n_samples=400, n_features=12, l2=1e-2)
    assert jax.config.jax_enable_x64 == before
    assert gnorm < 1e-5
    out = capsys.readouterr().out
    assert "Newton iterations" in out and "no Hessian materialised" in out


def test_newton_hvp_matches_dense_hessian_without_materialising_it():
    newton = load("newton_cg_logreg")
    with jax.config.enable_x64(True):
        X, y = newton.make_data(40, 5, seed=2)
        rng = np.random.default_rng(0)
        w, v = jnp.asarray(rng.normal(size=5)), jnp.asarray(rng.normal(size=5))
        H = np.asarray(jax.hessian(newton.loss)(w, X, y, 0.1))
        np.testing.assert_allclose(np.asarray(newton.hvp_fn(w, v, X, y, 0.1)), H @ np.asarray(v), rtol=1e-10)
        assert (5, 5) not in newton.hvp_intermediate_shapes(5, 40)
        assert newton.tiny_problem_check() < 1e-8


# ------------------------------------------------------------------- Gaussian process

def test_gaussian_process_likelihood_falls_and_beats_the_mean(capsys):
    pytest.importorskip("sklearn")
    gp = load("gaussian_process")
    before = jax.config.jax_enable_x64
    result = gp.main(steps=30, lr=0.1)
    assert jax.config.jax_enable_x64 == before
    assert len(result.nll) == 30 and all(np.isfinite(result.nll))
    assert result.nll[-1] < result.nll[0] - 50          # the fit really moves (507 -> ~378 here)
    assert all(b < a + 1e-6 for a, b in zip(result.nll[10:], result.nll[11:]))  # and keeps falling
    assert result.rmse < 0.8 * result.baseline_rmse     # ~54 vs ~76 (the target's units)
    out = capsys.readouterr().out
    assert "test RMSE" in out and "baseline" in out


def test_gaussian_process_nll_is_the_closed_form():
    """The NLL and its gradient against SciPy: the density of N(0, K) and finite differences."""
    scipy_stats = pytest.importorskip("scipy.stats")
    gp = load("gaussian_process")
    with jax.config.enable_x64(True):
        rng = np.random.default_rng(0)
        x, y = jnp.asarray(rng.normal(size=(15, 3))), jnp.asarray(rng.normal(size=15))
        theta = jnp.asarray(rng.normal(size=5) * 0.3)
        value, g = gp.nll_and_grad(theta, x, y)
        K = np.asarray(gp.train_covariance(theta, x))
        expected = -scipy_stats.multivariate_normal(np.zeros(15), K).logpdf(np.asarray(y))
        assert float(value) == pytest.approx(expected, rel=1e-10)
        eps, basis = 1e-6, np.eye(5)
        fd = [(float(gp.nll(theta + eps * e, x, y)) - float(gp.nll(theta - eps * e, x, y))) / (2 * eps)
              for e in basis]
        np.testing.assert_allclose(np.asarray(g), fd, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------ Newton (dense Hessian)

def test_newton_logreg_converges_quadratically_and_restores_x64(capsys):
    pytest.importorskip("sklearn")
    newton = load("newton_logreg")
    before = jax.config.jax_enable_x64
    norms = newton.main()
    assert jax.config.jax_enable_x64 == before
    assert len(norms) - 1 < 10 and norms[-1] < 1e-10
    assert norms[-1] < 100 * norms[-2] ** 2              # quadratic on the last step
    assert "max |w - w_scipy|" in capsys.readouterr().out


# ------------------------------------------------------------------------------- TD

def test_td_learning_rms_falls(capsys):
    td = load("td_learning")
    rms = td.main(episodes=60, alpha=0.1)
    out = capsys.readouterr().out
    initial = float(np.sqrt(np.mean((0.5 - td.TRUE_VALUES) ** 2)))
    assert rms < 0.15 < initial
    assert "RMS error" in out and "residual gradient" in out


def test_td_update_uses_stop_gradient():
    td = load("td_learning")
    phi_s, phi_next = td.FEATURES[4], td.FEATURES[5]       # D -> E (states are numbered 0..6)
    theta = jnp.full((5,), 0.5, dtype=jnp.float32).at[3].set(0.9)   # v(D) = 0.9, target v(E) = 0.5
    g_semi = np.asarray(jax.grad(td.semi_gradient_loss)(theta, phi_s, 0.0, phi_next, 1.0))
    g_full = np.asarray(jax.grad(td.residual_gradient_loss)(theta, phi_s, 0.0, phi_next, 1.0))
    np.testing.assert_allclose(g_semi, [0, 0, 0, 0.4, 0], atol=1e-6)       # only v(s) moves
    np.testing.assert_allclose(g_full, [0, 0, 0, 0.4, -0.4], atol=1e-6)    # the target moves too


@pytest.mark.parametrize("name,args", [("td_learning", ["--episodes", "20"]),
                                       ("gaussian_process", ["--steps", "5"]),
                                       ("newton_logreg", ["--tol", "1e-6"]),
                                       ("newton_cg_logreg", ["--samples", "200", "--features", "5"])])
def test_examples_run_as_scripts(name, args):
    if name in ("gaussian_process", "newton_logreg"):
        pytest.importorskip("sklearn")
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
