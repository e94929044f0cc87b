"""User-defined primitives: wrap external code (a simulator, a compiled kernel) with its rules.

    @optkit.custom_primitive
    def simulate(x, k):            # plain numpy in, plain numpy out
        ...

    @simulate.defjvp               # one rule per positional argument, as in autograd
    def _(t, ans, x, k): ...
    @simulate.defvjp
    def _(g, ans, x, k): ...

Rules receive the arguments' values (tracers when a higher derivative is taken: write them with
numpy calls to make them differentiable in turn). An argument with no rule is treated as
non-differentiable: passing a traced value there raises an error.
"""

from __future__ import annotations

import functools

from .core import NotDifferentiableError, Primitive, Tracer, bind
from .forward import JVPTrace

__all__ = ["custom_primitive", "CustomPrimitive"]


class CustomPrimitive:
    """A callable primitive whose rules are attached with ``defjvp`` / ``defvjp``.

    Made by :func:`custom_primitive`; calling it calls the wrapped function on plain values
    and records one primitive on a trace.

    Raises
    ------
    NotDifferentiableError
        When called with a traced argument that has no rule of the trace's mode.
    """

    def __init__(self, fun, name=None, complex=False):
        self._prim = Primitive(name or getattr(fun, "__name__", "custom"), fun, (), (),
                               complex=bool(complex))
        self._prim.nondiff = False
        functools.update_wrapper(self, fun)

    def __call__(self, *args, **kwargs):
        for i, a in enumerate(args):
            self._require_rules(i, a)
        return bind(self._prim, args, kwargs)

    def _require_rules(self, i, a):
        """Every trace level holding argument ``i`` needs that argument's rule of its mode."""
        while isinstance(a, Tracer):
            forward = isinstance(a._trace, JVPTrace)
            rules = self._prim.jvps if forward else self._prim.vjps
            if i >= len(rules) or rules[i] is None:
                kind = "defjvp" if forward else "defvjp"
                mode = "forward (JVP)" if forward else "reverse (VJP)"
                raise NotDifferentiableError(
                    f"custom primitive {self._prim.name!r} has no {mode} rule for its argument "
                    f"{i}, which is traced; attach one with @{self._prim.name}.{kind}, or pass "
                    "a constant there"
                )
            a = a._a

    def defjvp(self, *rules):
        """Attach JVP rules ``jvp_i(t, ans, *args, **kwargs)``, one per positional argument.

        Parameters
        ----------
        *rules : callable or None
            ``jvp_i`` returns the output tangent for the tangent ``t`` of argument i; None
            marks an argument as non-differentiable.

        Returns
        -------
        callable or tuple
            The rule (or rules) given, so ``defjvp`` works as a decorator.

        Raises
        ------
        TypeError
            A rule that is neither callable nor None.
        """
        self._prim.jvps = _rules(rules, "defjvp")
        return rules[0] if len(rules) == 1 else rules

    def defvjp(self, *rules):
        """Attach VJP rules ``vjp_i(g, ans, *args, **kwargs)``, one per positional argument.

        Parameters
        ----------
        *rules : callable or None
            ``vjp_i`` returns the cotangent of argument i for the output cotangent ``g``;
            None marks an argument as non-differentiable.

        Returns
        -------
        callable or tuple
            The rule (or rules) given, so ``defvjp`` works as a decorator.

        Raises
        ------
        TypeError
            A rule that is neither callable nor None.
        """
        self._prim.vjps = _rules(rules, "defvjp")
        return rules[0] if len(rules) == 1 else rules


def _rules(rules, what):
    for r in rules:
        if r is not None and not callable(r):
            raise TypeError(f"{what} takes callables (or None for a non-differentiable argument)")
    return tuple(rules)


def custom_primitive(fun=None, *, name=None, complex=False):
    """Decorator: make ``fun`` a primitive; attach rules with ``.defjvp`` and ``.defvjp``.

    For external code (a simulator, a compiled kernel) or a numerically better derivative
    than the traced one. Rules receive the arguments' values (tracers when a higher
    derivative is taken: write them with numpy calls to make them differentiable in turn).
    An argument with no rule is non-differentiable: passing a traced value there raises.

    Parameters
    ----------
    fun : callable, optional
        Plain numpy in, plain numpy out. Omitted when used as ``@custom_primitive(name=...)``.
    name : str, optional
        The primitive's name in error messages (default: ``fun.__name__``).
    complex : bool, optional
        True declares that the rules hold for complex values too, with JAX's conventions
        (``optkit.ad.vspace``): the JVP rule is the real-linear map of the tangent, the VJP
        rule its transpose under ``Re(sum(a * b))``. For a holomorphic ``fun`` these are the
        same expressions as for real values (``t * f'(z)`` and ``g * f'(z)``). False (the
        default) refuses complex arguments and results with a ``ComplexValueError``.

    Returns
    -------
    CustomPrimitive
        Callable like ``fun``, with ``defjvp`` and ``defvjp``.

    Raises
    ------
    NotDifferentiableError
        When the primitive is called with a traced argument that has no rule of that mode.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> @optkit.custom_primitive
    ... def softplus(x):
    ...     return np.log1p(np.exp(x))
    >>> _ = softplus.defjvp(lambda t, ans, x: t / (1.0 + np.exp(-x)))
    >>> _ = softplus.defvjp(lambda g, ans, x: g / (1.0 + np.exp(-x)))
    >>> optkit.grad(softplus)(0.0)
    0.5
    >>> optkit.check_grads(softplus, np.array([-1.0, 2.0]))  # both modes, second order
    """
    if fun is None:
        return functools.partial(custom_primitive, name=name, complex=complex)
    return CustomPrimitive(fun, name, complex)
