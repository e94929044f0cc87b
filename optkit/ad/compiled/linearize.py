"""Hessian-vector products at a fixed point: the part of the program that reads only x is
run once per point, the part that reads v on every product.

Truncated-Newton solvers ask for many products H(x) v at one x (the CG iterations of a step,
the Lanczos steps of a saddle check). In a forward-over-reverse program everything that does
not depend on v (the forward pass of f, the cotangents of its reverse pass) is the same for
every v: this is JAX's ``linearize`` (the linear map's residuals are computed once). Here the
optimised program is split by data dependence on v's inputs; the values the v part reads from
the x part (the residuals) are kept with a copy of the x they belong to, and recomputed only
when a product is asked at another point. Each part is generated code (``codegen``), so the
sum of the two runs the same equations as the unsplit program.

The HVP is staged with f and its gradient, the primal part of forward-over-reverse (computed
by it anyway, then left out of the products). A split program compiles them with the x part
as a third program (``Linearized.primal_at``): a truncated Newton step asks for g at a new
point, then for products there, and one run gives both, the residuals kept for the products
(logistic regression 20000 x 200: the x part of each point, one matmul, no longer runs twice).

With the blocked replay (``regions``) the trade changes: residuals are full arrays read back
from memory on every product (and x is compared with the stored point), while recomputing a
few additions and products of x inside the blocks costs almost nothing. So when every
equation of the x part is a cheap arithmetic ufunc (or a slice) computed inside a blocked
region of the whole program, the whole program is used unsplit (measured, HVP / numpy f of
the chained Rosenbrock function: n = 1e6, 1.30x split, 1.14x whole; n = 1e5, 1.94x, 1.68x).
"""

from __future__ import annotations

import threading

import numpy as np

from ..staging import Program, Var
from .codegen import Replay, codegen
from .passes import dce, fold_and_cse
from .regions import may_block

__all__ = ["linearized_codegen"]


_BYTES_MAX = 1 << 15  # below this many bytes, x is compared with the kept point by its bytes


class _Point:
    """A copy of one input of the kept point, with its bytes when small."""

    __slots__ = ("array", "data")

    def __init__(self, x):
        self.array = np.array(x, copy=True)
        self.data = self.array.tobytes() if self.array.nbytes <= _BYTES_MAX else None

    def same(self, x):
        """``x`` is this point: bit for bit when small (a tenth of ``np.array_equal``'s cost
        on a few elements, which is half a small product's), else equal values."""
        a = self.array
        if (self.data is not None and type(x) is np.ndarray and x.dtype == a.dtype
                and x.shape == a.shape):
            return x.tobytes() == self.data
        return np.array_equal(a, x)


def linearized_codegen(program, n_fixed, name, blocked="auto", n_primal=0):
    """The program of ``name`` as a ``Linearized`` when its first ``n_fixed`` inputs (x's
    leaves) have work of their own, else as a plain ``Replay``.

    Inputs after the first ``n_fixed`` (v's leaves) are the varying ones; ``blocked`` is
    ``codegen``'s, for both parts. The first ``n_primal`` outputs of ``program`` are not
    products: values that read x alone (f and its gradient, staged with the HVP), which the
    products leave out and a ``Linearized`` computes with its x part, on request
    (``Linearized.at_point``).
    """
    # one sweep for every part: each part's equations are the swept ones (codegen's folded)
    all_eqns, all_outputs = fold_and_cse(program)
    primal, outputs = all_outputs[:n_primal], all_outputs[n_primal:]
    product = Program(program.inputs, all_eqns, outputs, None)
    eqns = dce(all_eqns, outputs)
    fixed_eqns, varying_eqns = _split(eqns, program.inputs[n_fixed:])
    if not fixed_eqns or not varying_eqns:
        return codegen(product, name, blocked, folded=True)
    if may_block([*program.inputs, *(e.out for e in eqns)], blocked):
        whole = codegen(product, name, blocked, folded=True)
        if _cheap_to_recompute(fixed_eqns, whole):
            return whole
    fixed_ids = {e.out.id for e in fixed_eqns}
    residuals, seen = [], set()
    for v in [v for e in varying_eqns for v in e.inputs] + list(outputs):
        if isinstance(v, Var) and v.id in fixed_ids and v.id not in seen:
            seen.add(v.id)
            residuals.append(v)
    inputs = list(program.inputs)
    # generated on first use: where every point's products follow a run of ``at_point``
    # (newton-cg through optkit.minimize), the residuals never come from anywhere else
    prepare = _Deferred(Program(inputs[:n_fixed], fixed_eqns, residuals, None),
                        f"{name}_at_x", blocked, folded=True)
    apply = codegen(Program(inputs + residuals, varying_eqns, outputs, None), name, blocked,
                    folded=True)
    at_point = None
    if primal:
        x_alone, reads_v = _split(all_eqns, program.inputs[n_fixed:])
        primal_ids = {v.id for v in primal if isinstance(v, Var)}
        if not primal_ids & {e.out.id for e in reads_v}:  # f and g read x alone: always
            at_point = codegen(Program(inputs[:n_fixed], dce(x_alone, primal + residuals),
                                       primal + residuals, None), f"{name}_primal_at_x",
                               blocked, folded=True)
    return Linearized(prepare, apply, n_fixed, at_point, len(primal), residuals)


def _split(eqns, varying_inputs):
    """(equations that read the fixed inputs alone, equations that read a varying one)."""
    varying = {v.id for v in varying_inputs}
    fixed_eqns, varying_eqns = [], []
    for eqn in eqns:
        if any(isinstance(v, Var) and v.id in varying for v in eqn.inputs):
            varying.add(eqn.out.id)
            varying_eqns.append(eqn)
        else:
            fixed_eqns.append(eqn)
    return fixed_eqns, varying_eqns


_CHEAP = frozenset({np.add, np.subtract, np.multiply, np.negative, np.square})


def _cheap_to_recompute(fixed_eqns, whole):
    """True if the x part is slices and cheap arithmetic, all of it blocked in ``whole``."""
    if not any(line.startswith("region") for line in whole.blocking):
        return False
    return all(e.prim.name == "getitem" or (e.prim.impl in _CHEAP and e.out.id not in
                                            whole.unblocked_ids) for e in fixed_eqns)


class _Deferred:
    """``codegen(*args, **kwargs)``, generated when first called or inspected; thread-safe."""

    def __init__(self, *args, **kwargs):
        self._args, self._kwargs = args, kwargs
        self._replay = None
        self._lock = threading.Lock()

    def _built(self):
        with self._lock:
            if self._replay is None:
                self._replay = codegen(*self._args, **self._kwargs)
            return self._replay

    def __call__(self, *args):
        return (self._replay or self._built())(*args)

    @property
    def source(self):
        return self._built().source

    @property
    def blocking(self):
        return self._built().blocking


class Linearized:
    """``prepare(*x)`` -> residuals, then ``apply(*x, *v, *residuals)``; the residuals of the
    last point are kept with a copy of it (compared by value: the caller may reuse and
    overwrite its arrays) until a product is asked at another point. Thread-safe: the kept
    point and its residuals are one tuple, replaced whole, so a product reads them without
    a lock (a thread that finds another point prepares its own and keeps them).

    ``at_point`` (or None): ``at_point(*x)`` -> ``(*primal, *residuals)``, the ``n_primal``
    values that read x alone (f and its gradient) computed with the residuals, in one run
    of the x part (``primal_at``)."""

    def __init__(self, prepare, apply, n_fixed, at_point=None, n_primal=0, residuals=()):
        self.prepare = prepare
        self.residuals = tuple(residuals)  # the Vars ``prepare`` returns, in order
        self.apply = apply
        self.n_fixed = n_fixed
        self.at_point = at_point
        self.n_primal = n_primal
        # (points, residuals, bytes of a lone small x or None), replaced whole
        self._state = None
        # the generated function itself when it has no work buffers (Replay.__call__ would
        # only forward to it: a tenth of a microsecond per product)
        self._run = apply.fn if isinstance(apply, Replay) and not apply.buffer_specs else apply

    @property
    def source(self):
        return self.prepare.source + self.apply.source

    @property
    def blocking(self):
        return self.prepare.blocking + self.apply.blocking

    def _keep(self, xs, residuals):
        points = tuple(_Point(x) for x in xs)
        state = self._state = (points, residuals, points[0].data if len(points) == 1 else None)
        return state

    def __call__(self, *args):
        xs = args[: self.n_fixed]
        state = self._state
        if state is None or not (state[0][0].same(xs[0]) if len(xs) == 1 else all(
                a.same(b) for a, b in zip(state[0], xs, strict=True))):
            state = self._keep(xs, self.prepare(*xs))
        return self._run(*args, *state[1])

    def keep_staged(self, xs, value_of, outputs=()):
        """Keep the residuals at the point ``xs`` where the program was staged, as the
        staging computed them (``value_of(var)``: a ``staging.PointValues``' lookup), so the
        products there skip ``prepare``; nothing is kept unless every residual is found with
        its shape and dtype. A residual that is also one of the staging's ``outputs`` (handed
        to the caller, who may write into it) is copied. Equal to ``prepare``'s up to the
        summation order of a blocked reduction (``regions``)."""
        values = []
        for var in self.residuals:
            value = value_of(var)
            if (not isinstance(value, np.ndarray | np.generic) or value.shape != var.shape
                    or value.dtype != var.dtype):
                return
            values.append(value.copy() if any(value is o for o in outputs) else value)
        self._keep(xs, tuple(values))

    def product(self, x, v):
        """``self(x, v)`` for one leaf of x and one of v, where the caller has checked that
        ``x`` is a float64 ndarray of the compiled shape (``CompiledFunction.hvp``'s path
        for a solver's products): a small x is compared with the kept point by its bytes
        alone (a copy and a memcmp, ~0.2 us at n = 1000, against ~0.4 us through
        ``_Point.same`` and ~1.3 us for ``np.array_equal``), so a different x, or the same
        array written in place, gets its own residuals."""
        state = self._state
        if state is not None and state[2] is not None and x.tobytes() == state[2]:
            return self._run(x, v, *state[1])
        return self(x, v)

    def primal_at(self, *xs):
        """The primal values at x (f and its gradient, as ``at_point`` returns them), the
        residuals of x kept for the products that follow; None without ``at_point``."""
        if self.at_point is None:
            return None
        out = self.at_point(*xs)
        self._keep(xs, out[self.n_primal:])
        return out[: self.n_primal]
