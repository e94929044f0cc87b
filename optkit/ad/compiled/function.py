"""``optkit.compile``'s function object: stages per signature, replays generated programs.

See the package docstring (``optkit.ad.compiled``) for the soundness rules.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from ...tree import flatten
from ..api import hvp, jvp, register_replay, value_and_grad
from ..core import COMPLEX128, FLOAT64, Tracer, value_of
from ..finiteness import proven_finite
from ..staging import (
    WORTH_KEEPING,
    InPlaceWriteError,
    PointValues,
    Program,
    StagedValues,
    Var,
    stage,
)
from ..tree import flatten_input
from ..vspace import as_input
from .cache import Entry, same_recording, signature
from .codegen import codegen
from .linearize import Linearized, linearized_codegen

__all__ = ["compile", "CompiledFunction", "CompileWarning"]


class CompileWarning(UserWarning):
    """A compiled function fell back to eager evaluation (the message says why).

    Issued once per compiled function, when its body reads a traced value (a Python branch
    on a value, ``float(x)``, a value-dependent shape): the function still gives the right
    answers, at the eager speed. ``warnings.simplefilter("error", optkit.CompileWarning)``
    turns it into an error, to find the line.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import optkit
    >>> f = optkit.compile(lambda x: np.sum(x ** 2) if x[0] > 0 else np.sum(x))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     g = optkit.grad(f)(np.array([1.0, 2.0]))  # right, but eager
    >>> g
    array([2., 4.])
    >>> print(caught[0].message)
    optkit.compile(<lambda>): running eagerly, because tracing met bool() of a traced value ...
    """


@register_replay
class CompiledFunction:
    """The result of ``optkit.compile(f)``: call it like ``f``; differentiate it like ``f``.

    ``value_and_grad``, ``grad`` and ``hvp`` of a compiled function run compiled programs when
    given plain arrays; other transformations (or traced inputs) evaluate ``f`` eagerly.

    Parameters
    ----------
    fun : callable
        The function to compile.
    warmup : int, optional
        The first ``warmup`` calls of the value, and of the value and gradient, at a
        signature run eagerly; the program is staged on the next one (default 0). Made by
        ``optkit.compile``, which passes its own ``warmup``.
    blocked : {'auto', True, False}, optional
        Run chains of elementwise operations and leading-axis slices over cache-sized blocks
        of rows, as in :func:`compile` (default ``'auto'``).

    Attributes
    ----------
    fun : callable
        The function compiled.

    Raises
    ------
    ValueError
        ``warmup`` is not an integer >= 0, or ``blocked`` is not one of 'auto', True, False.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> f = optkit.compile(lambda x: np.sum(np.sin(x) ** 2))
    >>> type(f).__name__
    'CompiledFunction'
    >>> x = np.array([0.5, 1.0])
    >>> bool(np.isclose(f(x), np.sum(np.sin(x) ** 2)))
    True
    >>> bool(np.allclose(optkit.grad(f)(x), np.sin(2 * x)))  # d/dx sin(x)^2 = sin(2x)
    True

    See :func:`compile` for what is compiled and when it falls back.
    """

    _WARMED_UP = ("value", "value_and_grad")  # the kinds that wait out the warm-up
    # a function g such that f(x, ...) is computed from g(x) by optkit's AD alone (f a
    # Jacobian or a product of g's): then two recordings of g(x), not of f, are the check
    # of ``_check`` (as the HVP's check records f, not the HVP); set by its maker
    derived_from = None

    def __init__(self, fun, *, warmup=0, blocked="auto"):
        """``warmup``: the first ``warmup`` calls of the value and of the value and gradient
        at a signature run eagerly, and the program is staged on the next one (tiered
        compilation: a function called a few times never pays for tracing). Default 0. HVP
        programs are staged on first use: products come many at one point (CG, Lanczos),
        where the compiled product runs the work on x alone once.

        ``blocked``: run chains of elementwise operations and leading-axis slices over
        cache-sized blocks of rows (``compiled.regions``): ``'auto'`` (default) where a chain
        spans at least four blocks, True wherever possible, False never. Results equal the
        unblocked replay's up to the summation order of sums (documented in ``regions``)."""
        if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
            raise ValueError(f"warmup must be an integer >= 0, got {warmup!r}")
        if blocked not in (True, False, "auto") or type(blocked) not in (bool, str):
            raise ValueError(f"blocked must be True, False or 'auto', got {blocked!r}")
        self.fun = fun
        self.warmup = warmup
        self.blocked = blocked
        self._cache = {}
        self._checked = {}  # signature of f alone -> why two recordings differ, or None
        self._recordings = {}  # signature of plain x -> f's recording that passed the check
        self._warned = False
        self._last_value_and_grad = None  # (shape, program) of the last float64 array call
        self._last_hvp = None  # the same for products (and the program's primal_at, or None)
        # an HVP program was compiled (until then value_and_grad_for_hvp is value_and_grad)
        self._hvp_staged = False
        # products will follow value_and_grad_for_hvp (set by ``expect_products``), and a
        # list holding the (copy of x, PointValues) of its staged value and gradient, for the
        # HVP program: taken by list.pop, atomic, so two threads never share one
        self._products_expected = False
        self._point = []
        # f's captured arrays that a product computed while staging proved finite
        # (``finiteness``), for the convexity proof (``finite_constants``)
        self._finite = ()
        functools.update_wrapper(self, fun)

    # -- program building --
    def _entry(self, args, treedef=None):
        # a structured input (ad.tree) adds its structure to the key: per TreeDef and shapes
        sig = signature(args) if treedef is None else (treedef, signature(args))
        entry = self._cache.get(sig)
        if entry is None:
            entry = self._cache[sig] = Entry()
        return entry

    def _program(self, kind, args, treedef=None):
        """The program of ``kind`` for these arguments, or None when they run eagerly: a
        dynamic signature, or a call within the warm-up. The call that stages the program
        gets the values computed while staging (f is evaluated once, not twice), except an
        HVP staged with f and g's work at hand (``expect_products``): its products with a
        matrix are deferred (``stage(..., defer=)``), and its first products are the built
        program's, blocked where it is (logistic regression 20000 x 200: ~0.8 ms less)."""
        entry = self._entry(args, treedef)
        if entry.dynamic is not None:
            return None
        fn = entry.programs.get(kind)
        if fn is not None:
            return fn
        entry.calls[kind] = entry.calls.get(kind, 0) + 1
        if kind in self._WARMED_UP and entry.calls[kind] <= self.warmup:
            return None
        n = 1 if treedef is None else treedef.num_leaves  # the leaves of x among args
        value_args = args if kind == "value" else args[:n]
        target = self._target(kind, treedef)
        out_tree = []  # the value's output structure, found while staging
        if kind == "value":  # the program returns the output's leaves, rebuilt on each call
            target = value_fun = _leaves_of_output(target, out_tree)
        elif treedef is None:
            value_fun = self.fun
        else:
            value_fun = lambda *leaves: self.fun(treedef.unflatten(leaves))  # noqa: E731
        # f's costly work in the program, looked up by the check's recordings; none for a
        # derived program (a J of r): keeping its values cost more than r's own work twice
        values = (StagedValues(min_elements=WORTH_KEEPING) if self.derived_from is None
                  else None)
        # after value_and_grad_for_hvp staged f and g at this x (``expect_products``), the
        # HVP looks their work up and records its own: its residuals at x are kept below
        point = self._point_values(args) if kind == "hvp" and treedef is None else None
        try:
            # with f and g's work at hand, the products with a matrix are left to the program
            program, out = stage(target, args, values=values, point=point,
                                 defer=None if point is None else n)
            if program.dynamic_reason is None:
                entry.dynamic = self._check(kind, program, value_fun, value_args, treedef,
                                            values)
        except InPlaceWriteError:
            raise  # refused, not run eagerly: eager derivatives read the mutated array too
        except Exception as exc:  # eager evaluation will raise it again, or succeed
            entry.dynamic = f"an error while tracing ({type(exc).__name__}: {exc})"
        if entry.dynamic is None:
            entry.dynamic = program.dynamic_reason
        if entry.dynamic is not None:
            return None  # the caller runs eagerly, then warns (see _eager)
        if kind == "hvp":  # the products at one x share the work that reads x alone
            n_primal = 0 if treedef is not None else 2  # f and g, staged with the product
            built = entry.programs[kind] = linearized_codegen(program, n, kind, self.blocked,
                                                              n_primal)
            self._hvp_staged = True
            values = [value_of(o) for o in out]
            if point is not None and isinstance(built, Linearized):
                built.keep_staged(args[:n], point.value_of, values)
            if any(isinstance(o, Var) and o.id in program.stale
                   for o in program.outputs[n_primal:]):
                return built  # the products were deferred (``stage``): computed here, once
            products = tuple(values[n_primal:])
            return lambda *_: products
        elif kind == "value":
            entry.programs[kind] = _rebuilding(codegen(program, kind, self.blocked),
                                               out_tree[-1])
            staged = out_tree[-1].unflatten([value_of(o) for o in out])
            return lambda *_: staged
        else:
            entry.programs[kind] = codegen(program, kind, self.blocked)
        staged = tuple(value_of(o) for o in (out if isinstance(out, (tuple, list)) else [out]))
        return lambda *_: staged

    def _point_values(self, args):
        """The ``PointValues`` of ``value_and_grad_for_hvp``'s staging at ``args[0]``'s bits
        (then let go), or None: the HVP program staged at that x looks up f's and its
        gradient's work instead of computing it again."""
        try:
            kept = self._point.pop()
        except IndexError:
            return None
        x = args[0]
        same = (type(x) is np.ndarray and x.dtype is FLOAT64 and x.shape == kept[0].shape
                and x.tobytes() == kept[0].tobytes())  # bits: -0.0 is not 0.0 here
        return kept[1] if same else None

    def _check(self, kind, program, value_fun, value_args, treedef, values=None):
        """Why two recordings of f alone disagree, or None; once per signature of f (the
        value, gradient and HVP programs share it). Random numbers drawn inside f, or global
        state that changed, would be frozen into the program otherwise. The recordings look
        up ``values`` (a ``StagedValues`` kept while staging ``program``) rather than compute
        again what f did there: they compare equations, constants and wiring, never values."""
        derived = self.derived_from
        if derived is not None:  # f is a derivative of derived(x): checked by recording it
            value_fun, value_args, kind = derived, value_args[:1], "derived"
        key = (None if treedef is None else (kind == "value", treedef), signature(value_args))
        if key not in self._checked:
            again = stage(value_fun, value_args, values=values, reuse=True)[0]
            first = program if kind == "value" else _forward_part(program, again, kind)
            same = first is not None and same_recording(first, again)
            if not same and kind != "value":  # the program's forward part is no recording
                first = stage(value_fun, value_args, values=values, reuse=True)[0]
                same = same_recording(first, again)
            self._checked[key] = None if same else (
                "two tracings disagree (random numbers or changing global state)")
            if same and treedef is None and derived is None:  # f alone (its value's leaves)
                self._recordings[key[1]] = again
        return self._checked[key]

    def checked_recording(self, x):
        """f's recording (``staging.Program``; f's value is its first output) at plain
        ``x``'s shape and dtype, made while a program of f(x) was compiled and checked
        against a second tracing (random numbers or changing global state would have made
        them differ); None before such a program exists, or if the tracings differed. What
        ``optkit.ad.convexity.curvature`` analyses, with no new tracing of f."""
        return self._recordings.get(signature((as_input(x),)))

    def finite_constants(self):
        """The arrays f captured that a product with them, computed while staging f's value
        and gradient for products (``expect_products``), proved finite
        (``optkit.ad.finiteness``): what ``optkit.ad.convexity.curvature(..., finite=...)``
        need not read again. Empty when there is no such staging or no such product."""
        return self._finite

    def _target(self, kind, treedef=None):
        f = self.fun
        if treedef is not None:  # a function of x's leaves (and v's, for the HVP)
            n = treedef.num_leaves
            if kind == "value":  # here treedef is the structure of the whole argument tuple
                return lambda *leaves: f(*treedef.unflatten(leaves))
            if kind == "value_and_grad":
                def flat_value_and_grad(*leaves):
                    value, g = value_and_grad(f)(treedef.unflatten(leaves))
                    return (value, *treedef.flatten_up_to(g))
                return flat_value_and_grad
            return lambda *lv: tuple(treedef.flatten_up_to(
                hvp(f, treedef.unflatten(lv[:n]), treedef.unflatten(lv[n:]))))
        if kind == "value":
            return f
        if kind == "value_and_grad":
            return value_and_grad(f)
        if kind == "hvp":  # f and g too: a split program computes them with its x part
            return functools.partial(_value_grad_and_hvp, f)
        raise ValueError(kind)  # pragma: no cover

    def _eager(self, args, run, treedef=None):
        """``run()``, the eager evaluation of a dynamic signature, then the one-time warning.

        The warning comes after: when eager evaluation raises (the error tracing met, most
        often), the error is said once, by the exception alone."""
        out = run()
        self._warn(self._entry(args, treedef).dynamic)
        return out

    def _warn(self, reason):
        if reason is not None and not self._warned:  # None: an eager call of the warm-up
            self._warned = True
            warnings.warn(
                f"optkit.compile({getattr(self.fun, '__name__', 'f')}): running eagerly, "
                f"because tracing met {reason}",
                CompileWarning,
                stacklevel=4,
            )

    # -- calling --
    def __call__(self, *args, **kwargs):
        if kwargs or any(isinstance(a, Tracer) for a in args):
            return self.fun(*args, **kwargs)
        flats = [flatten_input(a, f"argument {i}") for i, a in enumerate(args)]
        if not all(fl.is_leaf for fl in flats):  # structures: programs per argument structure
            leaves = tuple(v for fl in flats for v in fl.leaves)
            if any(isinstance(v, Tracer) for v in leaves):  # inside another transformation
                return self.fun(*args)
            treedef = flatten_input(args, "arguments").treedef
            fn = self._program("value", leaves, treedef)
            if fn is None:
                return self._eager(leaves, lambda: self.fun(*args), treedef)
            return fn(*leaves)  # in f's output structure (_rebuilding)
        args = tuple(as_input(a, f"argument {i}") for i, a in enumerate(args))
        fn = self._program("value", args)
        if fn is None:
            return self._eager(args, lambda: self.fun(*args))
        return fn(*args)

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` from the compiled program (eager if dynamic).

        ``x`` may be a structure (``optkit.tree``): programs are cached per structure and
        shapes, and the gradient comes back in ``x``'s structure."""
        last = self._last_value_and_grad
        if (last is not None and type(x) is np.ndarray and x.dtype is FLOAT64
                and x.shape == last[0]):  # a solver's call: the program of the last call
            value, g = last[1](x)
            return _plain_value_and_grad(value, g, x)
        if type(x) is not np.ndarray:
            leaves, treedef = flatten(x)
            if treedef.num_leaves > 1 and all(type(v) is np.ndarray and v.dtype is FLOAT64
                                              for v in leaves):
                # the common structure, float64 arrays only: their gradients are arrays of
                # the same shapes and dtype, nothing to validate or project but the 0-d
                # leaves, whose derivative is a float as on the general path (fx.project)
                leaves = tuple(leaves)
                fn = self._program("value_and_grad", leaves, treedef)
                if fn is not None:
                    value, *g = fn(*leaves)
                    for i, v in enumerate(leaves):
                        if not v.ndim:
                            g[i] = float(g[i])
                    return _plain(value, None), treedef.unflatten(g)
            fx = flatten_input(x, "x")
            if not fx.is_leaf:
                return self._structured_value_and_grad(x, fx)
        x = as_input(x)
        fn = self._program("value_and_grad", (x,))
        if fn is None:
            return self._eager((x,), lambda: value_and_grad(self.fun)(x))
        if (type(x) is np.ndarray and x.dtype is FLOAT64
                and self._entry((x,)).programs.get("value_and_grad") is fn):
            # programs are never replaced: the next call at this shape skips the signature
            # and the cache (at n = 1e3 they cost a tenth of the program)
            self._last_value_and_grad = (x.shape, fn)
        value, g = fn(x)
        return _plain_value_and_grad(value, g, x)

    def _structured_value_and_grad(self, x, fx):
        leaves = tuple(fx.leaves)
        fn = self._program("value_and_grad", leaves, fx.treedef)
        if fn is None:
            return self._eager(leaves, lambda: value_and_grad(self.fun)(x), fx.treedef)
        value, *g = fn(*leaves)
        return _plain(value, None), fx.project(g)

    def hvp(self, x, v):
        """Hessian-vector product from the compiled program (eager if dynamic); ``x`` and
        ``v`` may be structures, as in ``value_and_grad``."""
        last = self._last_hvp
        if (last is not None and type(x) is np.ndarray and type(v) is np.ndarray
                and x.dtype is FLOAT64 is v.dtype
                and x.shape == last[0] == v.shape):  # a solver's product: the last program
            (out,) = last[1](x, v)
            if out.__class__ is np.ndarray and out.ndim and out.dtype is FLOAT64:
                return out  # what _plain does, inline
            return _plain(out, x)
        if type(x) is not np.ndarray:
            fx = flatten_input(x, "x")
            if not fx.is_leaf:
                leaves = (*fx.leaves, *fx.match(v, "v"))
                fn = self._program("hvp", leaves, fx.treedef)
                if fn is None:
                    return self._eager(leaves, lambda: hvp(self.fun, x, v), fx.treedef)
                return fx.project(fn(*leaves))
        x = as_input(x)
        v = as_input(v, "v")
        fn = self._program("hvp", (x, v))
        if fn is None:
            return self._eager((x, v), lambda: hvp(self.fun, x, v))
        if (type(x) is np.ndarray and type(v) is np.ndarray and x.dtype is FLOAT64
                and v.dtype is FLOAT64 and self._entry((x, v)).programs.get("hvp") is fn):
            # as for value_and_grad: skip the lookups next, and value_and_grad_for_hvp's too;
            # a split program's products go through its float64 path (Linearized.product)
            product = fn.product if isinstance(fn, Linearized) else fn
            self._last_hvp = (x.shape, product, getattr(fn, "primal_at", None))
        (out,) = fn(x, v)
        return _plain(out, x)

    def expect_products(self):
        """Say that Hessian-vector products will follow ``value_and_grad_for_hvp`` (a
        truncated Newton solve: ``optkit.minimize`` calls it for such a method). Its first
        call, before any HVP program exists, then stages f's value and gradient, values kept
        (``staging.PointValues``), and the HVP program staged next at the same x looks them
        up: f and its gradient at x are computed once, not once eagerly and again while the
        HVP is staged (logistic regression 20000 x 200: two passes over the matrix fewer)."""
        self._products_expected = True

    def _staged_value_and_grad(self, x):
        """``(f(x), grad f(x))`` from a staging of them that keeps its values for the HVP
        program's (``expect_products``), or None where that does not apply: a signature that
        runs eagerly, a trace that reads a value, an error (the eager call says it again)."""
        entry = self._cache.get(signature((x, x)))
        if entry is not None and entry.dynamic is not None:
            return None
        point = PointValues()
        try:
            program, (value, g) = stage(value_and_grad(self.fun), (x,), point=point)
        except Exception:  # noqa: BLE001 - evaluated eagerly instead, which raises it again
            return None
        if program.dynamic_reason is not None:
            return None
        self._point = [(np.array(x, copy=True), point)]
        self._finite = tuple(proven_finite(program, point.value_of))
        return _plain_value_and_grad(value_of(value), value_of(g), x)

    def value_and_grad_for_hvp(self, x):
        """``value_and_grad(x)``, computed so that the Hessian-vector products at x that
        follow reuse its work, where they can: when the HVP program of x's signature is split
        (``compiled.linearize``), f and its gradient come from its part that reads x alone,
        and the residuals it computes are kept for the products at x (a truncated Newton
        step asks for g at x, then for products there). Otherwise, and for structured
        ``x``, as ``value_and_grad``. Results are equal to ``value_and_grad``'s up to
        the order of floating-point operations the two programs' optimisation chose."""
        if self._hvp_staged and type(x) is np.ndarray and x.dtype is FLOAT64:
            last = self._last_hvp
            if last is not None and last[0] == x.shape:
                primal = last[2]
            else:
                entry = self._cache.get(signature((x, x)))
                program = None if entry is None else entry.programs.get("hvp")
                primal = getattr(program, "primal_at", None)
            out = None if primal is None else primal(x)
            if out is not None:
                return _plain_value_and_grad(*out, x)
        elif (self._products_expected and type(x) is np.ndarray and x.dtype is FLOAT64
              and not self._point):
            out = self._staged_value_and_grad(x)
            if out is not None:
                return out
        return self.value_and_grad(x)

    def is_dynamic(self, *args):
        """The reason calls with these arguments run eagerly, or None (compiled, or not
        called yet). Arguments are read as ``__call__``, ``value_and_grad`` and ``hvp`` read
        them, structures (``optkit.tree``) included: one argument ``x`` asks about the value
        and the gradient at x, two (``x, v``) about the HVP too; a structure's entries are
        kept per structure and shapes, so ``[a, b]`` is not the stacked array."""
        flats = [flatten_input(a, f"argument {i}") for i, a in enumerate(args)]
        if all(fl.is_leaf for fl in flats):
            leaves, treedefs = tuple(as_input(a) for a in args), [None]
        else:
            leaves = tuple(v for fl in flats for v in fl.leaves)
            treedefs = [flatten_input(args, "arguments").treedef]
            if len(flats) in (1, 2) and not flats[0].is_leaf:  # keys of value_and_grad, hvp
                treedefs.append(flats[0].treedef)
        for treedef in treedefs:
            entry = self._cache.get(signature(leaves) if treedef is None
                                    else (treedef, signature(leaves)))
            if entry is not None and entry.dynamic is not None:
                return entry.dynamic
        return None

    def blocking(self, *args, kind="value_and_grad"):
        """What the blocked replay does in the ``kind`` program ('value', 'value_and_grad'
        or 'hvp') compiled for these plain arrays (``x``, or ``x, v`` for the HVP): one line
        per blocked region, then one per large result left unblocked with the reason (a
        matmul, a sort, a slice of a value computed in the same chain, ...). None if that
        program is not compiled (not called yet, in its warm-up, or run eagerly)."""
        program = self.program(*args, kind=kind)
        return None if program is None else list(program.blocking)

    def program(self, *args, kind="value_and_grad"):
        """The ``kind`` program compiled for these plain arrays, as ``blocking`` finds it: a
        ``codegen.Replay`` (its generated Python in ``.source``, for inspection and for
        ``bench/ad.py``'s count of numpy calls), or a ``linearize.Linearized`` HVP. None if
        that program is not compiled."""
        if kind not in ("value", "value_and_grad", "hvp"):
            raise ValueError(f"kind must be 'value', 'value_and_grad' or 'hvp', got {kind!r}")
        entry = self._cache.get(signature(tuple(as_input(a) for a in args)))
        return None if entry is None else entry.programs.get(kind)


def _value_grad_and_hvp(f, x, v):
    """``(f(x), grad f(x), H(x) v)`` by forward-over-reverse (the first two are the primal
    part of the product, computed by it anyway)."""
    (value, g), (_, hv) = jvp(lambda z: value_and_grad(f)(z), x, v)
    return value, g, hv


def _forward_part(program, recording, kind):
    """The equations of ``program`` (value_and_grad of f) that its reverse pass recorded
    while running f, as a recording of f alone, when they can be: staging records f's work
    first, numbered as a recording of f alone numbers it, and f's value is the program's
    first output. None for other kinds (the HVP interleaves tangents with f's work). A
    recording of f compared with it is the check's second call of f, one staging fewer; a
    mismatch (a program whose forward part is not f's recording) falls back to two."""
    if kind != "value_and_grad" or len(program.eqns) < len(recording.eqns):
        return None
    return Program(program.inputs, program.eqns[:len(recording.eqns)], program.outputs[:1],
                   None)


def _leaves_of_output(fun, out_tree):
    """``fun`` returning its output's leaves (``optkit.tree.flatten``) as a tuple; the
    output's structure is appended to ``out_tree``."""
    def leaves_of_output(*args):
        leaves, treedef = flatten(fun(*args))
        out_tree.append(treedef)
        return tuple(leaves)
    return leaves_of_output


def _rebuilding(program, out_tree):
    """The value program returning its output in ``out_tree``'s structure (a lone array
    as itself, a dict as a dict, ...), as the eager call of f returns it."""
    if out_tree == _LEAF:
        def rebuilt(*args):
            return program(*args)[0]
    else:
        def rebuilt(*args):
            return out_tree.unflatten(program(*args))
    rebuilt.blocking = program.blocking
    return rebuilt


_LEAF = flatten(0.0)[1]


def _plain_value_and_grad(value, g, x):
    """``(_plain(value, None), _plain(g, x))``, the common float64 case tested at once."""
    if (value.__class__ is np.float64 and g.__class__ is np.ndarray and g.ndim
            and g.dtype is FLOAT64):
        return float(value), g
    return _plain(value, None), _plain(g, x)


def _plain(value, like):
    cls = value.__class__
    if cls is np.ndarray and value.ndim and value.dtype is FLOAT64:  # the common gradient
        return value
    if (cls is np.float64 or cls is float) and like is None:  # the common value
        return float(value)
    cplx = np.iscomplexobj(value)  # a complex input's gradient (issue 15)
    if np.ndim(value) == 0 and (like is None or np.ndim(like) == 0):
        return complex(value) if cplx else float(value)
    return np.asarray(value, dtype=COMPLEX128 if cplx else FLOAT64)


def compile(fun, *, blocked="auto"):  # noqa: A001 - the public name, as jax.jit is to JAX
    """Compile ``fun`` for repeated evaluation: trace once per input signature, replay fast.

    Parameters
    ----------
    fun : callable
        Plain numpy code of one argument (an array or a structure of arrays). A
        ``CompiledFunction`` is returned as it is.
    blocked : {'auto', True, False}
        Run chains of elementwise operations and leading-axis slices over cache-sized
        blocks of rows, so their temporaries never go to memory: ``'auto'`` where a chain
        spans at least four blocks (16384 elements each), True wherever possible, False
        never. Sums in a blocked chain are added block by block (see
        ``optkit.ad.compiled.regions`` for the order); everything else is bit-for-bit the
        unblocked result.

    Returns
    -------
    CompiledFunction
        Called like ``fun``; ``optkit.value_and_grad``, ``optkit.grad`` and ``optkit.hvp``
        of it replay compiled derivative programs. A body that reads traced values falls
        back to eager evaluation with one ``CompileWarning``.

    Raises
    ------
    TypeError
        ``fun`` is not callable.
    ValueError
        ``blocked`` is not one of 'auto', True, False.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> def f(x):
    ...     return np.sum(np.sin(x) ** 2)
    >>> cf = optkit.compile(f)
    >>> x = np.linspace(0.0, 1.0, 5)
    >>> bool(np.isclose(cf(x), f(x))), np.allclose(optkit.grad(cf)(x), np.sin(2.0 * x))
    (True, True)
    """
    if isinstance(fun, CompiledFunction):
        return fun
    if not callable(fun):
        raise TypeError(f"compile expects a callable, got {type(fun).__name__}")
    return CompiledFunction(fun, blocked=blocked)
