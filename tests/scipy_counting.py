"""Hand-written Rosenbrock derivatives that count their calls (shared by the SciPy tests)."""

import scipy.optimize as so


def counting_rosen_derivatives():
    """(jac, hessp, calls): SciPy's Rosenbrock derivatives; ``calls`` counts each."""
    calls = {"jac": 0, "hessp": 0}

    def jac(x):
        calls["jac"] += 1
        return so.rosen_der(x)

    def hessp(x, p):
        calls["hessp"] += 1
        return so.rosen_hess_prod(x, p)

    return jac, hessp, calls
