"""optkit.problems: test problems with known answers, and user problem files.

    >>> from optkit import problems
    >>> p = problems.get("rosenbrock")
    >>> p.objective(p.x0), p.fstar
    (np.float64(24.199999999999996), 0.0)
    >>> problems.get("extended-rosenbrock", n=1000).n
    1000

Each family lives in its own module; `catalog` gathers their `SPECS`.
"""

from .catalog import get, names, spec, specs
from .loader import load_file
from .registry import KNOWN_TAGS, DimRange, Problem, ProblemError, ProblemSpec

__all__ = ["KNOWN_TAGS", "DimRange", "Problem", "ProblemError", "ProblemSpec", "get",
           "load_file", "names", "spec", "specs"]
