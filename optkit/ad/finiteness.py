"""Finiteness of a captured array, read off a product that a staging computed with it.

The convexity proof (``convexity``) needs every entry of a constant matrix A to be finite
before it calls ``A @ x`` affine. Reading A for that is a pass over all of it (32 MB for
logistic regression on 20000 x 200); the staging of f's gradient has often computed a product
with A already (the reverse pass's ``r @ A``), whose value says the same for free:

    If ``P = A @ V`` or ``P = V @ A`` (``matmul`` of 1-D or 2-D operands, no batch axes) is
    finite and non-empty, and every entry of V is a finite normal number (nonzero and not
    subnormal), then every entry of A is finite.

Why, by IEEE 754 arithmetic: with no batch axes and P non-empty, every entry a of A occurs in
some entry of P as a term ``a * v`` with v an entry of V (the contracted axis pairs each
entry of A with a row or column of V, and the other axis of V is not empty). For finite
nonzero v, ``inf * v`` is an infinity and ``nan * v`` is NaN; a sum, or a fused multiply-add,
with an infinite or NaN operand is infinite or NaN, whatever the order of summation or
blocking a BLAS chooses (+, - and * never turn a non-finite value finite; only division and
comparisons could, and a product uses neither). So a non-finite entry of A makes some entry
of P non-finite. The premise excludes the cases where that chain can break:

- a zero entry of V: a BLAS may skip a zero multiplier (the reference BLAS's ``dgemv`` once
  tested ``X(J) .NE. ZERO``), and ``inf * 0`` would be NaN anyway only if computed;
- a subnormal entry of V: a flush-to-zero / denormals-are-zero mode reads it as zero;
- an infinite or NaN entry of V, which would make P non-finite for its own reasons (a
  refusal, never a false claim).

Overflow of finite terms makes P infinite: then nothing is claimed and the caller reads A
(a fallback, never a wrong answer). The claim is about A's entries when the product was
computed; ``optkit.compile`` takes captured arrays to be constants (they are read-only while
staged), which is what the convexity proof of that program assumes too.
"""

from __future__ import annotations

import numpy as np

from .rules.products import matmul
from .staging import Const, Var

__all__ = ["finite_by_product", "proven_finite"]

_TINY = np.finfo(np.float64).tiny  # the smallest normal float64
_HUGE = np.finfo(np.float64).max


def _float_array(value):
    return (type(value) is np.ndarray and value.dtype == np.float64  # float64's normals
            and value.ndim in (1, 2))


def finite_by_product(const, other, product):
    """True when ``product``, the value of ``const @ other`` or ``other @ const``, proves
    every entry of ``const`` finite (module docstring): both operands float64 arrays of 1 or
    2 dimensions, ``product`` finite, float64 and non-empty, every entry of ``other`` finite
    with magnitude at least the smallest normal float64. False means *not proven*.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1.0, 2.0], [3.0, np.inf]])
    >>> r = np.array([0.5, -1.0])
    >>> finite_by_product(A, r, r @ A)
    False
    >>> finite_by_product(np.ones((2, 2)), r, r @ np.ones((2, 2)))
    True
    >>> finite_by_product(np.ones((2, 2)), np.array([0.0, 1.0]), np.ones(2))  # a zero in r
    False
    """
    if not (_float_array(const) and _float_array(other)):
        return False
    product = np.asarray(product)
    if product.size == 0 or product.dtype != np.float64:
        return False
    if other.size == 0:
        return const.size == 0
    magnitude = np.abs(other)
    with np.errstate(all="ignore"):  # NaN compares False: refused
        if not (magnitude.min() >= _TINY and magnitude.max() <= _HUGE):
            return False
        return bool(np.isfinite(product).all())


def proven_finite(program, value_of):
    """The constant arrays of ``program`` (a ``staging.Program``) that a ``matmul`` equation
    of it proves finite by ``finite_by_product``, each once (by identity). ``value_of(var)``
    gives the value ``var`` held when the program was staged, or None (nothing is claimed
    for that equation)."""
    found = []
    for eqn in program.eqns:
        if eqn.prim is not matmul or len(eqn.inputs) != 2 or eqn.params:
            continue
        a, b = eqn.inputs
        if a.__class__ is Const and b.__class__ is Var:
            const, var = a, b
        elif b.__class__ is Const and a.__class__ is Var:
            const, var = b, a
        else:
            continue
        if any(c is const.value for c in found) or not _float_array(const.value):
            continue
        other, product = value_of(var), value_of(eqn.out)
        if other is not None and product is not None and finite_by_product(
                const.value, other, product):
            found.append(const.value)
    return found
