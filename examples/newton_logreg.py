"""Newton's method for logistic regression with the dense Hessian: a handful of steps to round-off.

    loss(w) = mean_i log(1 + exp(-y_i x_i.w)),   y_i in {-1, +1}   (no penalty)

on scikit-learn's diabetes data (10 standardised features plus an intercept; the label is
whether the disease-progression score is above its median). Each step is one line,

    w = w - jnp.linalg.solve(jax.hessian(loss)(w), jax.grad(loss)(w))

jitted as a whole, with no line search. Near the optimum convergence is quadratic: the
gradient norm roughly squares every step, 1e-3 -> 4e-6 -> 6e-11, five steps from w = 0.
(`newton_cg_logreg.py` does the same with Hessian-vector products and CG, for when d x d is
too big to form.)

The answer is checked against SciPy's BFGS on the loss and gradient written out by hand in
NumPy (no autodiff), run to a much tighter tolerance than it would need. Everything runs in
float64 inside `jax.config.enable_x64(True)`; the flag is restored on exit.

    python examples/newton_logreg.py [--steps 10] [--tol 1e-10]
"""
from __future__ import annotations

import numpy as np
import scipy.optimize
from main_flags import parser_for

import nablax as jax
import nablax.numpy as jnp


def loss(w, X, y):
    return jnp.mean(jnp.logaddexp(0.0, -y * (X @ w)))


@jax.jit
def newton_step(w, X, y):
    return w - jnp.linalg.solve(jax.hessian(loss)(w, X, y), jax.grad(loss)(w, X, y))


grad_norm = jax.jit(lambda w, X, y: jnp.linalg.norm(jax.grad(loss)(w, X, y)))


def load_data():
    """Diabetes features standardised with an intercept column; labels +-1 about the median."""
    from sklearn.datasets import load_diabetes

    X, t = load_diabetes(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.hstack([X, np.ones((len(X), 1))]), np.where(t > np.median(t), 1.0, -1.0)


def reference_solution(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The optimum by SciPy's BFGS on the hand-written NumPy loss and gradient."""
    def f(w):
        z = y * (X @ w)
        return np.mean(np.logaddexp(0.0, -z)), X.T @ (-y / (1.0 + np.exp(z))) / len(y)

    return scipy.optimize.minimize(f, np.zeros(X.shape[1]), jac=True, method="BFGS",
                                   options={"gtol": 1e-11, "maxiter": 10_000}).x


def main(steps: int = 10, tol: float = 1e-10, verbose: bool = True) -> list[float]:
    """Run Newton from w = 0 until |grad| < tol (at most `steps` steps); return the gradient norms."""
    with jax.config.enable_x64(True):
        X_np, y_np = load_data()
        X, y = jnp.asarray(X_np), jnp.asarray(y_np)
        w = jnp.zeros(X.shape[1])
        norms = [float(grad_norm(w, X, y))]
        if verbose:
            print(f"Logistic regression on diabetes (n={X.shape[0]}, d={X.shape[1]}), Newton, float64")
            print("  step        loss        |grad|")
            print(f"  {0:4d}  {float(loss(w, X, y)):.12f}  {norms[0]:.3e}")
        while norms[-1] >= tol and len(norms) <= steps:
            w = newton_step(w, X, y)
            norms.append(float(grad_norm(w, X, y)))
            if verbose:
                print(f"  {len(norms) - 1:4d}  {float(loss(w, X, y)):.12f}  {norms[-1]:.3e}")
        gap = float(np.max(np.abs(np.asarray(w) - reference_solution(X_np, y_np))))
        accuracy = float(np.mean(np.sign(X_np @ np.asarray(w)) == y_np))
        if verbose:
            print(f"\n  {len(norms) - 1} Newton steps; training accuracy {accuracy:.3f}")
            print(f"  max |w - w_scipy| = {gap:.2e} (SciPy BFGS on the hand-written loss)")
        assert norms[-1] < tol, f"no convergence in {steps} steps: |grad| = {norms[-1]:.3e}"
        assert gap < 1e-6, f"Newton's answer differs from SciPy's by {gap:.2e}"
    return norms


if __name__ == "__main__":
    main(**vars(parser_for(main, __doc__, "steps", "tol").parse_args()))
