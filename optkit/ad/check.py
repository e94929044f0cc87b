"""The gradient checker: AD derivatives against finite differences, in both modes, to any order.

Forward mode is checked directly: ``J v`` from ``jvp`` against a Richardson-extrapolated
central difference of ``f`` along a random direction ``v``. Reverse mode is checked by the
adjoint (dot-product) test ``<u, J v> == <u^T J, v>``, with ``J v`` from finite differences.
Higher orders apply the same checks to the derivative maps ``x -> J(x) v`` and
``x -> u^T J(x)`` (autograd's ``check_grads`` does the same recursion).

``x`` and ``f(x)`` may be structures (``optkit.tree``): the checks then run on ``f`` as a
function of one flat vector to one flat vector, whose JVPs and VJPs go through the structured
transformations. Complex inputs and outputs get complex directions, and the adjoint test uses
the pairing ``Re(sum(a * b))`` of JAX's convention (``vspace``).
"""

from __future__ import annotations

import numpy as np

from .api import jvp, vjp
from .core import is_complex
from .tree import FlatFun

__all__ = ["check_grads", "GradientCheckError"]


class GradientCheckError(AssertionError):
    """An AD derivative disagrees with finite differences; the message names mode and order.

    Raised by :func:`check_grads`; an AssertionError, so a test that calls it fails.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> @optkit.custom_primitive
    ... def square(x):
    ...     return x ** 2
    >>> _ = square.defjvp(lambda t, ans, x: x * t)  # wrong: should be 2 x t
    >>> optkit.check_grads(square, np.array([0.5, 2.0]), modes="fwd", order=1)
    Traceback (most recent call last):
        ...
    optkit.ad.check.GradientCheckError: forward mode (JVP) is wrong at order 1: ...
    """


def _directional_fd(f, x, v, h):
    """Central difference with one Richardson step: error O(h^4)."""

    def central(step):
        return (np.asarray(f(x + step * v)) - np.asarray(f(x - step * v))) / (2.0 * step)

    return (4.0 * central(h / 2.0) - central(h)) / 3.0


def _close(a, b, rtol, atol):
    a = np.asarray(a)
    b = np.asarray(b)
    return np.allclose(a, b, rtol=rtol, atol=atol), np.max(np.abs(a - b), initial=0.0)


def _direction(rng, x):
    """A random direction in the space of ``x``: complex if ``x`` is."""
    d = rng.standard_normal(np.shape(x))
    return d + 1j * rng.standard_normal(np.shape(x)) if is_complex(x) else d


def check_grads(f, x, modes=("fwd", "rev"), order=2, *, rtol=1e-5, atol=1e-7, eps=1e-3,
                seed=0):
    """Check ``f``'s derivatives at ``x`` up to ``order``; raise ``GradientCheckError`` if off.

    Forward mode: ``J v`` against a Richardson-extrapolated central difference along a random
    direction ``v``; reverse mode: the adjoint test ``<u, J v> = <u^T J, v>``; higher orders
    check the derivative of the derivative in the same way.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument; ``x`` and ``f(x)`` may be structures of arrays
        (dicts, lists, tuples, ...).
    x : array_like, number or structure
        The point; ``f`` must be smooth within ``eps`` of it.
    modes : str or sequence of {"fwd", "rev"}, optional
        The modes checked: ``"fwd"`` (JVP) and/or ``"rev"`` (VJP).
    order : int, optional
        The highest derivative order checked (>= 1; default 2).
    rtol, atol : float, optional
        The tolerances of the comparison.
    eps : float, optional
        The finite-difference step.
    seed : int, optional
        Directions are drawn from ``np.random.default_rng(seed)``.

    Returns
    -------
    None
        When every check passes.

    Raises
    ------
    GradientCheckError
        A derivative disagrees; the message names the mode, the order and the error.
    ValueError
        An unknown mode or an ``order`` < 1.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.check_grads(lambda x: np.sum(np.tanh(x) * x), np.array([0.3, -1.2]))
    >>> @optkit.custom_primitive
    ... def cube(x):
    ...     return x ** 3
    >>> _ = cube.defjvp(lambda t, ans, x: 2.0 * x ** 2 * t)  # wrong: should be 3 x^2 t
    >>> optkit.check_grads(cube, np.array([0.5, 2.0]), modes="fwd", order=1)
    Traceback (most recent call last):
        ...
    optkit.ad.check.GradientCheckError: forward mode (JVP) is wrong at order 1: ...
    """
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    for m in modes:
        if m not in ("fwd", "rev"):
            raise ValueError(f"modes must contain 'fwd' and/or 'rev', got {m!r}")
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"order must be an integer >= 1, got {order!r}")
    ff = FlatFun(f, x)
    rng = np.random.default_rng(seed)
    _check(ff if ff.structured else f, ff.x, modes, order, 1, rng, rtol, atol, eps)


def _check(f, x, modes, order, level, rng, rtol, atol, eps):
    v = _direction(rng, x)
    y = f(x)
    u = _direction(rng, y)
    fd = _directional_fd(f, x, v, eps)
    if "fwd" in modes:
        _, jv = jvp(f, x, v)
        ok, err = _close(jv, fd, rtol, atol)
        if not ok:
            raise GradientCheckError(
                f"forward mode (JVP) is wrong at order {level}: max abs error {err:.3g} "
                f"between J v and finite differences"
            )
    if "rev" in modes:
        _, pullback = vjp(f, x)
        lhs = np.real(np.sum(u * np.asarray(fd)))
        rhs = np.real(np.sum(np.asarray(pullback(u)) * v))
        ok, err = _close(rhs, lhs, rtol, atol * max(1.0, np.size(x)))
        if not ok:
            raise GradientCheckError(
                f"reverse mode (VJP) is wrong at order {level}: adjoint test <u, J v> = "
                f"{lhs:.10g} but <u^T J, v> = {rhs:.10g}"
            )
    if level < order:
        if "fwd" in modes:
            _check(lambda z: jvp(f, z, v)[1], x, modes, order, level + 1, rng, rtol, atol, eps)
        if "rev" in modes:
            _check(lambda z: vjp(f, z)[1](u), x, modes, order, level + 1, rng, rtol, atol, eps)
