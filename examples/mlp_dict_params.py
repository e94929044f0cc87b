"""Train a small multilayer perceptron whose parameters live in a dict.

The network fits y = sin(3x) + noise with one hidden layer of 16 tanh units. Its parameters are
a dict of arrays, as in most ML code; ``optkit.tree.ravel`` flattens the dict to the one vector
a solver works on, and ``unravel`` rebuilds the dict (as views of that vector, so it is cheap
inside the objective). optkit's AD differentiates straight through ``unravel``.
"""

import numpy as np

import optkit

rng = np.random.default_rng(0)
X = np.linspace(-1.0, 1.0, 64).reshape(-1, 1)
y = np.sin(3.0 * X[:, 0]) + 0.05 * rng.standard_normal(64)

hidden = 16
params0 = {
    "W1": rng.standard_normal((1, hidden)),
    "b1": np.zeros(hidden),
    "W2": rng.standard_normal((hidden, 1)) / np.sqrt(hidden),
    "b2": np.zeros(1),
}


def predict(params, X):
    h = np.tanh(X @ params["W1"] + params["b1"])
    return (h @ params["W2"] + params["b2"])[:, 0]


def loss(params):
    return np.mean((predict(params, X) - y) ** 2)


flat0, unravel = optkit.tree.ravel(params0)
print(f"parameters: {flat0.size} in {len(params0)} arrays")
for path, leaf in optkit.tree.flatten_with_path(params0):
    print(f"  params{path:7s} shape {np.shape(leaf)}")


def objective(flat):  # the solver's view: one vector in, one number out
    return loss(unravel(flat))


print(f"loss at the start: {objective(flat0):.4f}")
res = optkit.minimize(objective, flat0, method="lbfgs", maxiter=2000)
params = unravel(res.x)
print(f"{res.message}")
print(f"loss after training: {res.fun:.5f} in {res.nit} iterations "
      f"({res.nfev} value+gradient evaluations)")

# the gradient, also as a dict: optkit.grad of the dict function, through ravel
g = unravel(optkit.grad(objective)(res.x))
print("largest gradient entry per array:",
      {name: f"{np.max(np.abs(v)):.1e}" for name, v in g.items()})

x_test = np.array([[-0.5], [0.0], [0.5]])
print("prediction at x = -0.5, 0, 0.5:", np.round(predict(params, x_test), 3))
print("sin(3x)      at the same points:", np.round(np.sin(3.0 * x_test[:, 0]), 3))
