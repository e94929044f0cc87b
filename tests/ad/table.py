"""Shared machinery for the primitive tables: one row per primitive and valid input domain.

A row is ``Row(name, fun, args)``: ``fun`` takes the arrays in ``args`` positionally and is
written with plain numpy, exactly as a user would. The table test checks every argument in
both modes to second order with ``optkit.check_grads``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optkit import check_grads


@dataclass(frozen=True)
class Row:
    name: str
    fun: object
    args: tuple
    order: int = 2

    def __str__(self):
        return self.name


def rng(seed=0):
    return np.random.default_rng(seed)


def check_row(row):
    """Check ``row.fun`` with respect to each argument in turn (the others held fixed)."""
    for i in range(len(row.args)):
        def partial(x, i=i):
            args = list(row.args)
            args[i] = x
            return row.fun(*args)

        check_grads(partial, row.args[i], modes=("fwd", "rev"), order=row.order)


def fd_grad(f, x, h=1e-6):
    """Central-difference gradient of scalar ``f`` at array ``x`` (any shape)."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[k] = h
        g[k] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _fd_complex(f, z, v, h=1e-6):
    """Central difference of ``f`` (any shape, real or complex values) at ``z`` along ``v``."""
    return (np.asarray(f(z + h * v)) - np.asarray(f(z - h * v))) / (2 * h)


def check_complex_row(row, rtol=1e-6, atol=1e-8, seed=0):
    """Check ``row.fun`` at complex arguments, JAX's conventions, argument by argument.

    With a random complex weight ``w`` and the real loss ``L(z) = Re(sum(w * f(z)))``:
    the JVP matches a central difference along a complex direction ``v``; ``grad L`` matches
    ``dL/dx - i dL/dy`` by differences and equals the VJP of ``w`` (the transpose for
    ``Re(sum(a * b))``); and to second order, the HVP of ``L`` matches a difference of
    ``grad L`` along ``v``.
    """
    from optkit import grad, hvp, jvp, vjp

    r = rng(seed)
    for i in range(len(row.args)):
        def f(z, i=i):
            args = list(row.args)
            args[i] = z
            return row.fun(*args)

        z = np.asarray(row.args[i])
        shape = np.shape(z)
        v = r.standard_normal(shape) + 1j * r.standard_normal(shape)
        y = np.asarray(f(z))
        w = r.standard_normal(y.shape)
        if np.iscomplexobj(y):  # a real output's cotangent is real
            w = w + 1j * r.standard_normal(y.shape)

        def loss(z, f=f, w=w):
            return np.real(np.sum(w * f(z)))

        _, t = jvp(f, z, v)
        np.testing.assert_allclose(t, _fd_complex(f, z, v), rtol=rtol, atol=atol,
                                   err_msg=f"{row.name}: JVP, argument {i}")
        g = grad(loss)(z)
        fd = np.zeros(shape, complex)
        for k in np.ndindex(shape):
            e = np.zeros(shape)
            e[k] = 1.0
            fd[k] = _fd_complex(loss, z, e) - 1j * _fd_complex(loss, z, 1j * e)
        np.testing.assert_allclose(g, fd, rtol=rtol, atol=atol,
                                   err_msg=f"{row.name}: grad, argument {i}")
        np.testing.assert_allclose(vjp(f, z)[1](w), g, rtol=1e-12, atol=1e-12,
                                   err_msg=f"{row.name}: VJP, argument {i}")
        if row.order >= 2:
            np.testing.assert_allclose(hvp(loss, z, v), _fd_complex(grad(loss), z, v),
                                       rtol=1e-5, atol=1e-7,
                                       err_msg=f"{row.name}: HVP, argument {i}")
