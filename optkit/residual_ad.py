"""The derivatives of residuals r(x) from optkit.ad, in the forms a least-squares solver uses.

``ResidualDerivatives(fun, mode, residuals=m, compile=True)`` offers, for ``fun(x) -> r``
(1-D, m entries) written in plain numpy:

    jac(x)       the dense (m, n) Jacobian: forward mode (one JVP per parameter) when
                 ``mode="forward"``, reverse mode (one VJP per residual, over one recorded
                 tape) when ``"reverse"``;
    jvp(x, v)    J v by one forward pass (operator form; no J is formed);
    vjp(x, u)    J^T u by the reverse pass over a tape recorded once per point and reused for
                 every product at that point (operator form);
    rvv(x, v)    r''(x)[v, v] by nesting forward mode (the directional derivative, along v,
                 of the JVP along v), for geodesic acceleration.

With ``compile=True`` (the default), ``jac``, ``jvp`` and ``rvv`` run programs of
``optkit.compile`` (tiered compilation, as ``optkit.minimize``): the first ``JAC_WARMUP`` calls
of each are eager (counted over the solves of one computation, ``residual_programs``), then
the computation is staged once and replayed as straight-line numpy, and the program is kept
for later solves of the same computation, which replay it from their first call. The dense J
goes through two programs: first one product (x, v) -> J v (or (x, u) -> J^T u) replayed per
column (row), quick to stage; ``UNROLL_AFTER`` J's later (at once for at most
``UNROLL_AT_ONCE`` passes), the whole J of at most ``UNROLL_MAX`` passes (n JVPs forward, m
VJPs reverse) as one program, its unit tangents (cotangents) folded in as constants. A larger
J stays with the product program, whose size and time to stage do not grow with n (m). A
replayed J equals the eager one bit for bit (the same operations in the same order;
``tests/test_least_squares_compiled.py``).
A residual function whose trace depends on values (a Python branch on a value, random
numbers) runs eagerly with one ``optkit.CompileWarning``, as ``optkit.minimize``'s; one that
writes into an array after a traced computation read it raises ``InPlaceWriteError`` when
staged (eager forward mode allows it, as ``optkit.jacfwd`` does; reverse mode refuses it
either way). ``vjp`` stays eager: its tape is recorded once per point and every product at that
point reuses it, which an unsplit program of (x, u) would not.

This module is where optkit.ad meets the residual objective of optkit.optim: it imports both,
as the other front doors do. AD failures are re-raised with the way around them (``jac=``).
"""

from __future__ import annotations

import functools

import numpy as np

from . import residual_programs
from .ad import CompiledFunction, NotDifferentiableError, TracerConversionError, jvp, vjp
from .ad.core import FLOAT64

__all__ = ["JAC_WARMUP", "UNROLL_AFTER", "UNROLL_AT_ONCE", "UNROLL_MAX", "ResidualDerivatives",
           "choose_mode"]

# the operator form is chosen automatically when the dense J would hold more entries than this
# (1e7 float64 entries = 80 MB, and forming it costs min(m, n) AD passes)
OPERATOR_ENTRIES = 10_000_000

# Evaluations of J (and of rvv, jvp) of one computation made eagerly, over all solves
# (``residual_programs`` counts them), before its first program is staged. Staging costs
# 1-20 eager J's and a replay a tenth to a twentieth of one, so a solve of a few J's is
# cheapest eager (ski rental: stage once the eager work equals the staging's). Measured on
# bench/least_squares.py's rows with the unrolled J staged at once (median ratio to scipy
# 'lm' per evaluation in a first solve; eager 8.1): 5 -> 10.5, 10 -> 8.3, 15 -> 8.7; with
# the product tier, 10 -> 8.8 against eager 7.9 in one run (worst: n = 2, where the product
# program stages in ~11 eager J's and the solves take 13-15). Later solves replay the kept
# programs whatever the value (2.9).
JAC_WARMUP = 10

# The most AD passes (JVPs forward, VJPs reverse) unrolled into one Jacobian program. Staging
# time grows with the passes (chained residuals, n = 100: 94 ms against 4 ms for an eager J),
# while the product program replayed per column stays ~3x faster than eager AD.
UNROLL_MAX = 64

# J evaluations by the product program per column (after the warm-up) before the unrolled
# program is staged. The product program stages in 1-11 eager J's (osborne2: 3.7 ms against
# 22 ms unrolled; thread CPU) and replays in 1.3-5x the unrolled program's time (rosenbrock
# 9 against 4 us, osborne2 367 against 76 us, tanh fit m = 2000, n = 50: 1.7 against 0.3 ms),
# so the unrolled one pays off only over tens of J's more: a long solve, or repeated solves.
UNROLL_AFTER = 40

# Up to this many passes, the unrolled J is staged right after the warm-up, with no product
# tier: it stages about as fast (rosenbrock, n = 2: 1.5 against 1.1 ms; meyer, n = 3: 2.4
# against 1.0 ms) and replays 2-3x faster.
UNROLL_AT_ONCE = 4


def choose_mode(m: int, n: int, jac_mode: str) -> str:
    """'forward', 'reverse' or 'operator' for ``jac_mode`` 'auto' (or the mode named):
    the operator form when m n > OPERATOR_ENTRIES, else the cheaper dense mode (forward when
    there are fewer parameters than residuals: n passes against m)."""
    if jac_mode != "auto":
        return jac_mode
    if m * n > OPERATOR_ENTRIES:
        return "operator"
    return "forward" if n < m else "reverse"


def _explained(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        try:
            return fn(*args)
        except (NotDifferentiableError, TracerConversionError) as exc:
            raise type(exc)(f"{exc} (while differentiating the residuals with optkit's AD; "
                            "pass jac= explicitly to bypass AD)") from exc

    return wrapper


# ---- the computations, written so that they trace (no conversion to plain arrays) ----------
def _forward_jacobian(fun):
    def jacobian(x):
        return np.stack([np.reshape(jvp(fun, x, e)[1], -1) for e in np.eye(x.size)], axis=1)
    return jacobian


def _reverse_jacobian(fun):
    def jacobian(x):
        y, pullback = vjp(fun, x)
        return np.stack([np.reshape(pullback(e), -1) for e in np.eye(np.size(y))], axis=0)
    return jacobian


def _forward_product(fun):
    def product(x, v):
        return np.reshape(jvp(fun, x, v)[1], -1)
    return product


def _reverse_product(fun):
    def product(x, u):
        return np.reshape(vjp(fun, x)[1](u), -1)
    return product


def _second_directional(fun):
    def rvv(x, v):
        def directional(z):
            return jvp(fun, z, v)[1]
        return np.reshape(jvp(directional, x, v)[1], -1)
    return rvv


def _columns(product, n_out, by_rows):
    """The dense J from ``product(x, e)`` per unit vector e: columns (J e_k) or rows (J^T e_i)."""
    def jacobian(x):
        passes = n_out if by_rows else x.size
        out = np.empty((passes, x.size) if by_rows else (n_out, passes))
        for k, e in enumerate(np.eye(passes)):
            if by_rows:
                out[k] = product(x, e)
            else:
                out[:, k] = product(x, e)
        return out
    return jacobian


class _Tiered:
    """``eager(*args)`` for the first ``warmup`` calls, then ``program(*args)``; after the
    first call of the program, ``compiled(*args)`` once, which may return a faster callable
    for the calls that follow (``_Replayed``), or None."""

    __slots__ = ("eager", "program", "left", "compiled", "compiled_from")

    def __init__(self, eager, program, warmup, compiled=None):
        self.eager, self.program, self.left, self.compiled = eager, program, warmup, compiled
        self.compiled_from = program  # the CompiledFunction

    def __call__(self, *args):
        if self.left:
            self.left -= 1
            return self.eager(*args)
        out = self.program(*args)
        if self.compiled is not None:
            compiled, self.compiled = self.compiled, None
            self.program = compiled(*args) or self.program
        return out


class _Replayed:
    """A compiled function's program of one signature, called directly for float64 arrays of
    its shapes (a solver's calls: ~3 us less than ``CompiledFunction.__call__``'s look-ups
    on a small J); other arguments go through the compiled function."""

    __slots__ = ("function", "replay", "shapes")

    def __init__(self, function, replay, args):
        self.function, self.replay = function, replay
        self.shapes = tuple(a.shape for a in args)

    def __call__(self, *args):
        for a, shape in zip(args, self.shapes, strict=True):
            if type(a) is not np.ndarray or a.dtype is not FLOAT64 or a.shape != shape:
                return self.function(*args)
        return self.replay(*args)


def _replayed(function, args):
    """``_Replayed`` for ``function`` at ``args``, or None if it runs eagerly there."""
    if not all(type(a) is np.ndarray and a.dtype is FLOAT64 for a in args):
        return None
    if function.is_dynamic(*args) is not None:
        return None
    replay = function.program(*args, kind="value")
    return None if replay is None else _Replayed(function, replay, args)


class _DenseTiers:
    """J by ``eager`` for the first ``JAC_WARMUP`` evaluations counted in ``calls[kind]``
    (over the solves of one computation), then by ``columns`` (a product program per column
    or row: staged in 1-11 eager J's); from ``JAC_WARMUP + after`` on, by the unrolled
    program ``unrolled()`` makes (None: none, stay with ``columns``)."""

    __slots__ = ("eager", "columns", "unrolled", "calls", "kind", "after", "final")

    def __init__(self, eager, columns, unrolled, calls, kind, after):
        self.eager, self.columns, self.unrolled = eager, columns, unrolled
        self.calls, self.kind, self.after, self.final = calls, kind, after, None

    def __call__(self, x):
        if self.final is not None:
            return self.final(x)
        count = self.calls.get(self.kind, 0)
        self.calls[self.kind] = count + 1
        if count < JAC_WARMUP:
            return self.eager(x)
        if self.unrolled is None:
            self.final = self.columns
        elif count >= JAC_WARMUP + self.after:
            self.final = self.unrolled() or self.columns
            self.unrolled = None
        return (self.final or self.columns)(x)


def _compiled(fn, name, residuals):
    """``optkit.compile(fn)`` (no warm-up of its own: ``_Tiered`` keeps the count), named
    after the residual function, as its ``CompileWarning`` names it. ``fn(x, ...)`` is
    computed from ``residuals(x)`` by AD alone, so compiling it checks two recordings of r,
    not of fn (``CompiledFunction.derived_from``: staging a J whole once more cost ~30% of
    its compilation)."""
    fn.__name__ = fn.__qualname__ = name
    program = CompiledFunction(fn)
    program.derived_from = residuals
    return program


class ResidualDerivatives:
    """AD derivatives of ``fun(x)`` (module docstring); ``fun`` takes the flat x only.

    ``residuals``: m, the size of r, which the dense reverse mode needs to choose its program
    (unrolled or per row); None for the operator form. ``compile``: tiered compilation of
    ``jac``, ``jvp`` and ``rvv``, with the programs of earlier solves of the same computation
    taken from their first call (module docstring); False: eager AD throughout.

    The arrays returned may be shared between calls (a constant J is one array in its
    program): copy before writing into them, as ``ResidualObjective`` does."""

    def __init__(self, fun, mode: str, *, residuals: int | None = None,
                 compile: bool = True):  # noqa: A002 - as optkit.minimize's keyword
        if mode not in ("forward", "reverse", "operator"):
            raise ValueError(f"mode must be 'forward', 'reverse' or 'operator', got {mode!r}")
        if not isinstance(compile, bool):
            raise TypeError(f"compile must be True or False, got {compile!r}")
        self._fun = fun
        self.mode = mode
        self.compile = compile
        self._residuals = residuals
        self._tape_x = None  # the point whose pullback is kept (operator form)
        self._pullback = None
        self._jac = self._jvp = self._rvv = None  # made at their first call
        self._probed = False  # r traced once to look for kept programs (residual_programs)
        self._kept = None

    def _flat(self, value, shape):
        return np.reshape(np.asarray(value, dtype=np.float64), shape)

    def _size(self, x):
        if self._residuals is None:
            self._residuals = np.size(self._fun(x))
        return self._residuals

    @_explained
    def jac(self, x):
        """The dense Jacobian (m, n) in ``self.mode`` ('forward' or 'reverse')."""
        if self._jac is None:
            self._jac = self._dense(x)
        J = self._jac(x)
        return J if J.dtype == np.float64 and J.ndim == 2 else self._flat(J, (-1, x.size))

    @_explained
    def jvp(self, x, v):
        """J v, one forward pass."""
        if self._jvp is None:
            self._jvp = self._tiered("jvp", _forward_product(self._fun), x)
        return self._flat(self._jvp(x, v), -1)

    @_explained
    def vjp(self, x, u):
        """J^T u; the tape is recorded at the first product at x and reused after it."""
        if self._tape_x is None or not np.array_equal(self._tape_x, x):
            self._pullback = None  # release the old tape before recording the new one
            _, self._pullback = vjp(self._fun, x)
            self._tape_x = np.array(x)
        return self._flat(self._pullback(u), -1)

    @_explained
    def rvv(self, x, v):
        """r''(x)[v, v], forward over forward."""
        if self._rvv is None:
            self._rvv = self._tiered("rvv", _second_directional(self._fun), x)
        return self._flat(self._rvv(x, v), -1)

    # -- tiered compilation ------------------------------------------------------------------
    def _dense(self, x):
        """The J of ``self.mode``: eager AD, or in tiers (module docstring): eager for
        ``JAC_WARMUP`` evaluations of this computation, then by the product program per
        column (row), then, ``UNROLL_AFTER`` evaluations later (at once for at most
        ``UNROLL_AT_ONCE`` passes) and for at most ``UNROLL_MAX`` passes, by the unrolled
        program."""
        fun, forward = self._fun, self.mode == "forward"
        eager = _forward_jacobian(fun) if forward else _reverse_jacobian(fun)
        if not self.compile:
            return eager
        passes = x.size if forward else self._size(x)
        unrolled_kind = f"{self.mode} jacobian"
        kept = self._kept_programs(x)
        if kept is not None and unrolled_kind in kept.programs:
            return kept.programs[unrolled_kind]
        product = self._tiered(f"{self.mode} product",
                               _forward_product(fun) if forward else _reverse_product(fun),
                               x, warmup=0)  # compiled at its first call
        columns = _columns(product, self._size(x), not forward)
        unrolled = None
        if passes <= UNROLL_MAX:
            example = (x, x if forward else np.zeros(self._size(x)))  # the product's signature

            def unrolled():
                if (isinstance(product, _Tiered)
                        and product.compiled_from.is_dynamic(*example) is not None):
                    return None  # the product runs eagerly: so would the whole J
                return self._tiered(unrolled_kind, eager, x, warmup=0)
        calls = kept.calls if kept is not None else {}
        after = 0 if passes <= UNROLL_AT_ONCE else UNROLL_AFTER
        return _DenseTiers(eager, columns, unrolled, calls, unrolled_kind, after)

    def _tiered(self, kind, fn, x, warmup=None):
        """``fn`` as ``_Tiered`` calls it: eager until ``warmup`` evaluations of this kind of
        this computation were made (over all solves, ``residual_programs``), then its
        program, kept for later solves; or the program an earlier solve kept."""
        if not self.compile:
            return fn
        warmup = JAC_WARMUP if warmup is None else warmup
        kept = self._kept_programs(x)
        if kept is not None:
            if kind in kept.programs:
                return kept.programs[kind]
            warmup = max(0, warmup - kept.calls.get(kind, 0))
            fn = _counted(fn, kept.calls, kind)
        program = _compiled(fn, getattr(self._fun, "__name__", "residuals"), self._fun)
        return _Tiered(fn, program, warmup, lambda *args: self._keep(kind, program, args))

    def _kept_programs(self, x):
        """The entry of this computation at x's signature (``residual_programs``: r traced
        once per solve), or None if it cannot be kept (then the warm-up is per solve)."""
        if not self._probed:
            self._probed = True
            self._kept = residual_programs.entry(residual_programs.recording(self._fun, x))
        return self._kept

    def _keep(self, kind, program, args):
        """The direct replay of ``program`` at ``args``, kept for later solves; None if it
        runs eagerly there."""
        replayed = _replayed(program, args)
        if replayed is not None and self._kept is not None:
            self._kept.programs.setdefault(kind, replayed)
        return replayed


def _counted(fn, calls, kind):
    """``fn``, adding its calls to ``calls[kind]``."""
    def counted(*args):
        calls[kind] = calls.get(kind, 0) + 1
        return fn(*args)
    return counted
