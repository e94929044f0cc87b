"""optkit's AD differentiates every built-in problem: reverse-mode gradients agree with a
complex-step (or central-difference) reference at the start and at a nearby point."""

import numpy as np
import pytest

import optkit

from .test_catalog import ALL, NO_COMPLEX_STEP, central_gradient, small


def reference_gradient(p, x):
    if p.name in NO_COMPLEX_STEP:
        return central_gradient(p.objective, x), 1e-6
    g = np.empty(p.n)
    for i in range(p.n):
        xc = x.astype(complex)
        xc[i] += 1e-20j
        g[i] = np.imag(p.objective(xc)) / 1e-20
    return g, 1e-10


@pytest.mark.parametrize("name", ALL)
def test_ad_gradient_matches_reference(name):
    p = small(name)
    rng = np.random.default_rng(0)
    grad = optkit.grad(p.objective)
    for x in (p.x0, p.x0 + 1e-2 * np.maximum(1.0, np.abs(p.x0)) * rng.standard_normal(p.n)):
        x = np.array(x)
        g = np.asarray(grad(x))
        ref, rtol = reference_gradient(p, x)
        assert g.shape == (p.n,)
        scale = max(1.0, np.max(np.abs(ref)))
        np.testing.assert_allclose(g, ref, rtol=rtol, atol=rtol * scale)

