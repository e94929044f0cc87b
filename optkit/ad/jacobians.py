"""Dense Jacobians and Hessians: ``jacfwd``, ``jacrev``, ``jacobian`` and ``hessian``."""

from __future__ import annotations

import functools

import numpy as np

from .boundary import check_complex_inputs, check_holomorphic, complex_output_error
from .captured import holding
from .core import Tracer, is_complex, value_of
from .directional import jvp
from .gradients import grad, vjp
from .precision import narrow_dtype, narrowed
from .tree import FlatFun
from .vspace import COMPLEX_DTYPE, TRACE_DTYPE, as_output


# ---- dense Jacobians ----------------------------------------------------------------------
def _basis(shape, dtype=TRACE_DTYPE):
    n = int(np.prod(shape))
    for k in range(n):
        e = np.zeros(n, dtype)
        e[k] = 1.0
        yield e.reshape(shape)


def _check_jacobian_dtypes(who, ff, y, holomorphic, real_inputs, real_outputs):
    """JAX's dtype rules for dense Jacobians: with ``holomorphic``, complex inputs and outputs;
    without, real inputs (``real_inputs``: forward mode) or real outputs (reverse mode)."""
    if holomorphic:
        check_complex_inputs(who, [ff.x])
        if not is_complex(y):
            raise complex_output_error(who, True, np.result_type(value_of(y)))
        return
    if real_inputs and is_complex(ff.x):
        raise TypeError(
            f"{who} requires real-valued inputs, got complex ones. For a holomorphic function "
            "pass holomorphic=True; for a non-holomorphic function of complex inputs, use "
            "optkit.jvp directly (as in JAX)."
        )
    if real_outputs and is_complex(y):
        raise complex_output_error(who, False, np.result_type(value_of(y)))


def jacfwd(f, holomorphic=False):
    """Dense Jacobian by forward mode, one JVP per input entry; shape out.shape + x.shape.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument.
    holomorphic : bool, optional
        Complex inputs and outputs, and ``f'(z)``; without it the inputs must be real.

    Returns
    -------
    callable
        ``jac(x)``, the Jacobian of shape out.shape + x.shape; for structures, nested
        blocks: ``J[out path][in path]`` has shape out.shape + in.shape.

    Raises
    ------
    TypeError
        From ``jac``: complex inputs without ``holomorphic``, or real ones with it.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.jacfwd(lambda x: np.stack([x[0] * x[1], x[0] + 3.0 * x[1], x[1] ** 2]))(
    ...     np.array([2.0, 1.0]))
    array([[1., 2.],
           [1., 3.],
           [0., 2.]])
    """
    check_holomorphic(holomorphic)

    @functools.wraps(f)
    def jac(x):
        ff = FlatFun(f, x)
        J = _jacfwd(ff, ff.x, holomorphic)
        return narrowed(ff.blocks(J), narrow_dtype(x))

    return jac


def _jacfwd(f, x, holomorphic=False):
    dtype = COMPLEX_DTYPE if is_complex(x) else TRACE_DTYPE
    if holomorphic or is_complex(x):
        _check_jacobian_dtypes("jacfwd", f, f(x), holomorphic, True, False)
    cols = [jvp(f, x, e)[1] for e in _basis(np.shape(x), dtype)]
    y_shape = np.shape(cols[0]) if cols else np.shape(f(x))
    if isinstance(x, Tracer) or any(isinstance(c, Tracer) for c in cols):
        J = np.stack([np.reshape(c, (-1,)) if np.ndim(c) else np.reshape(c, (1,))
                      for c in cols], axis=-1)
        return np.reshape(J, y_shape + np.shape(x))
    J = np.stack([np.reshape(c, -1) for c in cols], axis=-1) if cols else np.zeros((0, 0))
    return as_output(J.reshape(y_shape + np.shape(x)), None)


def jacrev(f, holomorphic=False):
    """Dense Jacobian by reverse mode, one VJP per output entry; shape out.shape + x.shape.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument.
    holomorphic : bool, optional
        Complex inputs and outputs, and ``f'(z)``; without it the outputs must be real.

    Returns
    -------
    callable
        ``jac(x)``, the Jacobian of shape out.shape + x.shape; for structures, nested
        blocks: ``J[out path][in path]`` has shape out.shape + in.shape.

    Raises
    ------
    TypeError
        From ``jac``: complex outputs without ``holomorphic``, or real ones with it.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.jacrev(lambda x: np.stack([np.sum(x ** 2), x[0] * x[2]]))(np.ones(3))
    array([[2., 2., 2.],
           [1., 0., 1.]])
    """
    check_holomorphic(holomorphic)

    @functools.wraps(f)
    def jac(x):
        with holding():  # the tape's plain arrays stay read-only until the last row
            ff = FlatFun(f, x)
            y, pullback = vjp(ff, ff.x)
            _check_jacobian_dtypes("jacrev", ff, y, holomorphic, False, True)
            return narrowed(ff.blocks(_rows(ff.x, y, pullback)), narrow_dtype(x))

    return jac


def _rows(x, y, pullback):
    rows = [pullback(e) for e in _basis(np.shape(y))]
    shape = np.shape(y) + np.shape(x)
    if isinstance(x, Tracer) or any(isinstance(r, Tracer) for r in rows):
        return np.reshape(np.stack(rows, axis=0), shape)
    dtype = COMPLEX_DTYPE if any(np.iscomplexobj(r) for r in rows) else TRACE_DTYPE
    return as_output(np.asarray(rows, dtype=dtype).reshape(shape), None)


def jacobian(f, holomorphic=False):
    """Dense Jacobian, by forward mode when outputs outnumber inputs, else by reverse mode.

    Forward mode costs one pass per input, reverse mode one per output.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument.
    holomorphic : bool, optional
        Complex inputs and outputs, and ``f'(z)``; without it inputs and outputs must be
        real.

    Returns
    -------
    callable
        ``jac(x)``, of shape out.shape + x.shape; structures give nested blocks, as
        :func:`jacfwd` and :func:`jacrev` do.

    Raises
    ------
    TypeError
        From ``jac``: complex values without ``holomorphic``, or real ones with it.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> np.array_equal(optkit.jacobian(lambda x: A @ x)(np.zeros(2)), A)
    True
    """
    check_holomorphic(holomorphic)

    @functools.wraps(f)
    def jac(x):
        with holding():  # the tape's plain arrays stay read-only until the last row
            ff = FlatFun(f, x)
            y, pullback = vjp(ff, ff.x)
            _check_jacobian_dtypes("jacobian", ff, y, holomorphic, True, True)
            if np.size(y) > np.size(ff.x):
                J = ff.blocks(jacfwd(ff, holomorphic=holomorphic)(ff.x))
            else:
                J = ff.blocks(_rows(ff.x, y, pullback))
            return narrowed(J, narrow_dtype(x))

    return jac


def hessian(f, holomorphic=False):
    """Dense Hessian by forward-over-reverse: ``jacfwd(grad(f))``.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument returning one real number.
    holomorphic : bool, optional
        The complex second derivative of a holomorphic ``f``.

    Returns
    -------
    callable
        ``hess(x)``, of shape x.shape + x.shape; for a structure, nested blocks as in JAX:
        ``H[path_i][path_j]`` has shape ``x_i.shape + x_j.shape``.

    Raises
    ------
    TypeError, NotDifferentiableError
        As :func:`grad`, from ``hess``.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.hessian(lambda x: x[0] ** 2 * x[1] + np.exp(x[1]))(np.array([1.0, 0.0]))
    array([[0., 2.],
           [2., 1.]])
    """
    return jacfwd(grad(f, holomorphic=holomorphic), holomorphic=holomorphic)
