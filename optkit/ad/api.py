"""The user-facing transformations, named and shaped as in JAX.

``grad``, ``value_and_grad`` and ``vjp`` run reverse mode; ``jvp`` runs forward mode; ``hvp`` is
forward-over-reverse (Pearlmutter 1994); ``jacfwd``/``jacrev`` build dense Jacobians one column
or one row at a time, and ``jacobian`` picks the cheaper of the two from the shapes.

Inputs may be Python numbers, arrays of any shape, or *structures* of them: dicts, lists,
tuples, namedtuples and dataclasses, nested (``optkit.tree``; JAX's pytree conventions, so a
list is a container, not an array). Integers become float64. Derivatives come back in the
structure of the input, each leaf with its own shape and dtype (``ad.tree``, ``ad.vspace``).
Plain inputs give plain outputs (numpy arrays, or Python floats for scalars); tracer inputs (a
derivative of a derivative) give tracers back, which is what lets the transformations nest.

Complex inputs, intermediates and outputs follow JAX's conventions (``vspace`` states them):
``grad`` of a real-valued ``f(z)`` is ``df/dx - i df/dy``; ``holomorphic=True`` (in ``grad``,
``value_and_grad``, ``jacfwd``, ``jacrev``, ``jacobian`` and ``hessian``) differentiates a
holomorphic ``f`` of complex inputs and gives ``f'(z)``. As in JAX, ``grad`` and ``jacrev``
refuse a complex output and ``jacfwd`` a complex input without it (``jvp``/``vjp`` take any).
"""

from __future__ import annotations

from .directional import hvp, jvp
from .gradients import grad, value_and_grad, vjp
from .jacobians import hessian, jacfwd, jacobian, jacrev
from .replay import register_replay as register_replay  # optkit.compile registers here

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "jacfwd", "jacrev",
           "jacobian"]
