"""Termination statuses, the result record and the optional iteration history.

The result uses SciPy's field names (x, fun, jac, nit, nfev, njev, nhev, status, success,
message) so code written against ``scipy.optimize.OptimizeResult`` keeps working; it is a plain
``dict`` subclass with attribute access, because this package imports numpy only.
"""

import enum

import numpy as np

__all__ = ["History", "OptimizeResult", "Status"]


class Status(enum.Enum):
    """Why a solve stopped. Each member carries ``(code, message)``.

    Code 0 means success (as in SciPy): the first-order test holds (CONVERGED_GTOL), or a stop
    the caller asked for explicitly fired: a tolerance test they passed (CONVERGED_FTOL,
    CONVERGED_XTOL; the driver runs its ftol and xtol tests only when they are passed) or their
    callback (CALLBACK_STOP; the member, not the code, tells it from convergence). Every other
    reason, a stalled f included, is a failure with its own positive code.

    Attributes
    ----------
    code : int
        0 for a success, a positive code for each failure.
    message : str
        The text the result's ``message`` starts with.
    success : bool
        ``code == 0``.

    Examples
    --------
    >>> from optkit.optim import Status
    >>> Status.CALLBACK_STOP.success, Status.STALLED.success, Status.STALLED.code
    (True, False, 10)
    >>> Status.MAXITER.message
    'maximum number of iterations reached'
    """

    CONVERGED_GTOL = (0, "gradient norm below gtol")
    CONVERGED_FTOL = (0, "relative reduction of f below ftol")
    CONVERGED_XTOL = (0, "step size below xtol")
    MAXITER = (1, "maximum number of iterations reached")
    MAXFEV = (2, "maximum number of function evaluations reached")
    MAX_TIME = (3, "time limit reached")
    LINESEARCH_FAILED = (4, "line search could not find an acceptable step")
    NONFINITE = (5, "numerical trouble: non-finite value")
    TRUST_REGION_FAILED = (6, "trust region radius fell below its minimum")
    SOLVER_FAILED = (7, "the solver could not make progress")
    CALLBACK_STOP = (0, "stopped by the callback")
    INTERRUPTED = (9, "interrupted by user (KeyboardInterrupt)")
    STALLED = (10, "no progress: f stopped decreasing and |g|_inf stopped falling")

    @property
    def code(self) -> int:
        return self.value[0]

    @property
    def message(self) -> str:
        return self.value[1]

    @property
    def success(self) -> bool:
        return self.value[0] == 0


class OptimizeResult(dict):
    """A dict with attribute access, holding SciPy's result fields.

    Fields: x, fun, jac, nit, nfev, njev, nhev, status (int code), success, message, and
    status_enum (the :class:`Status` member), method, history (None or :class:`History`), time
    (seconds of wall clock spent in the solve). Solvers add their own fields (``hess_inv``
    for lbfgs, ``active_mask`` with bounds).

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import OptimizeResult, solve
    >>> r = solve(lambda x: float(x @ x), np.ones(2), jac=lambda x: 2.0 * x)
    >>> isinstance(r, OptimizeResult), r.fun == r["fun"], r.success
    (True, True, True)
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        if not self:
            return f"{type(self).__name__}()"
        width = max(map(len, self.keys())) + 1
        lines = []
        for key, value in self.items():
            if isinstance(value, History):
                text = f"<History: {len(value)} rows>"
            else:
                text = repr(value)
            lines.append(f"{key.rjust(width)}: {text}")
        return "\n".join(lines)


class History:
    """Per-iteration records: nit, f, gnorm (inf-norm of the gradient), step (2-norm of the
    step taken to reach the point; 0 at the start) and the cumulative nfev, njev, nhev.

    Row 0 describes the starting point. It indexes like a list: ``h[i]`` is one row as a dict,
    ``h[i:j]`` (any slice) is a new History of those rows; ``as_arrays()`` gives the columns.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import solve
    >>> r = solve(lambda x: float(x @ x), np.ones(2), jac=lambda x: 2.0 * x, history=True)
    >>> r.history[0]
    {'nit': 0, 'f': 2.0, 'gnorm': 2.0, 'step': 0.0, 'nfev': 1, 'njev': 1, 'nhev': 0}
    >>> len(r.history) == r.nit + 1, bool(r.history.as_arrays()["f"][-1] == r.fun)
    (True, True)
    """

    FIELDS = ("nit", "f", "gnorm", "step", "nfev", "njev", "nhev")

    def __init__(self):
        self._rows = []

    def append(self, nit, f, gnorm, step, nfev, njev, nhev):
        self._rows.append((int(nit), float(f), float(gnorm), float(step),
                           int(nfev), int(njev), int(nhev)))

    def __len__(self):
        return len(self._rows)

    def __iter__(self):
        return iter(self.as_list())

    def __repr__(self):
        return f"History({self.as_list()!r})"

    def __getitem__(self, index):
        if isinstance(index, slice):
            part = History()
            part._rows = self._rows[index]
            return part
        return dict(zip(self.FIELDS, self._rows[index], strict=True))

    def as_list(self):
        """The rows as a list of dicts keyed by :attr:`FIELDS`."""
        return [dict(zip(self.FIELDS, row, strict=True)) for row in self._rows]

    def as_arrays(self):
        """The columns as a dict of 1-D numpy arrays keyed by :attr:`FIELDS`."""
        columns = list(zip(*self._rows, strict=True)) if self._rows else [()] * len(self.FIELDS)
        types = (np.int64, np.float64, np.float64, np.float64, np.int64, np.int64, np.int64)
        return {name: np.asarray(col, dtype=t)
                for name, col, t in zip(self.FIELDS, columns, types, strict=True)}
