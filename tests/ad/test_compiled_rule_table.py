"""optkit.compile on every row of every AD rule table: the eager answer, or a stated fallback.

The tables are gathered from the test modules of ``tests/ad`` (every module-level list or dict
of ``Row``), real and complex, except the real rows ``test_compiled`` already runs (the ``ROWS``
of ``test_rules_*``; their complex rows, the FFTs, run here again with complex weights, which
``test_compiled``'s real weights do not give). Each argument of each row is reduced to a real
loss with fixed random weights, ``Re(sum(w * f(...)))`` (``w`` complex for a complex output),
and its compiled value, value-and-gradient and, where the row is checked to second order, its
Hessian-vector product must equal the eager ones to 1e-12, on the staging call and on the
replay. A row whose indices depend on values cannot be frozen into a program: it must say so
with a ``CompileWarning`` (listed in ``FALLBACK``, with the reason it gives) and still give the
eager answers. Any other warning, any error the eager function does not raise, or any other
difference fails.
"""

import fnmatch
import importlib
import pathlib
import warnings

import numpy as np
import pytest

import optkit
from optkit import CompileWarning

from .table import Row
from .test_compiled import ROWS as COMPILED_ROWS

_HERE = pathlib.Path(__file__).parent
_SKIP_MODULES = {"test_compiled", "test_compiled_block", "test_compiled_rule_table"}


def _is_complex(row):
    return (any(np.iscomplexobj(a) for a in row.args)
            or np.iscomplexobj(np.asarray(row.fun(*row.args))))


def _tables():
    """(table id, row) for every Row in a module-level list or dict of Rows of tests/ad."""
    covered = {id(r) for r in COMPILED_ROWS if not _is_complex(r)}
    found, seen = [], set()
    for path in sorted(_HERE.glob("test_*.py")):
        if path.stem in _SKIP_MODULES:
            continue
        module = importlib.import_module(f"tests.ad.{path.stem}")
        for name, value in sorted(vars(module).items()):
            rows = value.values() if isinstance(value, dict) else value
            if not isinstance(value, (list, tuple, dict)) or not rows \
                    or not all(isinstance(r, Row) for r in rows):
                continue
            for row in rows:
                if id(row) in covered or id(row) in seen:
                    continue
                seen.add(id(row))
                found.append((f"{path.stem[5:]}.{name}.{row.name}", row))
    return found


TABLE = _tables()

# (row key)#(argument) patterns that must fall back to eager evaluation -> the reason the
# CompileWarning gives: each reads a value the program cannot freeze (a rank, an order, a gap)
FALLBACK = {
    "*.lstsq-*#0": "the rank in np.linalg.lstsq",
    "*.matrix_rank#0": "np.linalg.matrix_rank of a traced value",
    "*.svd-hermitian-*#0": r"np\.(arg)?sort of a traced value",   # by |eigenvalue|
    "ndarray_methods.ROWS.argsort-method#0": "np.argsort of a traced value",
    "ndarray_methods.ROWS.searchsorted-method#0": "np.sort of a traced value",
    "ndarray_methods.ROWS.sort-in-place#0": "np.sort of a traced value",
    "ndarray_methods.ROWS.argpartition-method#0": "np.argpartition of a traced value",
    "ndarray_methods.ROWS.partition-*#0": "np.partition of a traced value",
    "rules_composites.VALUE_DEPENDENT_ROWS.interp*#0": "np.interp of a traced value",
    "rules_composites.VALUE_DEPENDENT_ROWS.interp#1": "np.interp sample points",
    "rules_composites.VALUE_DEPENDENT_ROWS.interp-period#1": "np.interp sample points",
    "rules_composites.VALUE_DEPENDENT_ROWS.gradient-coordinates#0": "np.gradient coordinates",
    "rules_composites.VALUE_DEPENDENT_ROWS.unique*#0": "np.unique of a traced value",
    "rules_eig.*.eig*#0": "the eigenvalue gaps of np.linalg.eig",
    "scipy_linalg*.ROWS.lu_*#0": "lu_factor's pivots",
    "stats.MV_ROWS.dirichlet-dalpha#0": "dirichlet's check of alpha",
    "stats.MV_ROWS.dirichlet-dx#0": "dirichlet's check that x lies in the simplex",
}

# rows the compiled path gets wrong today (a bug in optkit/ad/compiled, reported there)
COMPILED_BUGS = {}   # key -> a known compiled-path bug (strict xfail); none known


def _fallback(key, i):
    """The reason ``key``'s argument ``i`` must fall back, or None."""
    reasons = [r for pattern, r in FALLBACK.items() if fnmatch.fnmatchcase(f"{key}#{i}", pattern)]
    assert len(reasons) <= 1, f"{key}#{i} matches several FALLBACK patterns"
    return reasons[0] if reasons else None


def _params():
    """The table's rows as pytest params (a list: pytest 9.2 refuses a generator)."""
    out = []
    for key, row in TABLE:
        marks = ()
        if key in COMPILED_BUGS:
            marks = pytest.mark.xfail(strict=True, raises=TypeError, reason=COMPILED_BUGS[key])
        out.append(pytest.param(key, row, id=key, marks=marks))
    return out


def _loss(row, i, seed=3):
    """Row function of argument i, reduced to a real scalar with fixed random weights."""
    out = np.asarray(row.fun(*row.args))
    r = np.random.default_rng(seed)
    w = r.standard_normal(out.shape)
    if np.iscomplexobj(out):
        w = w + 1j * r.standard_normal(out.shape)

    def f(x):
        args = list(row.args)
        args[i] = x
        return np.real(np.sum(w * row.fun(*args)))

    return f


def _eager(f, x, v, second_order):
    """The reference: value, value_and_grad and (second order) HVP of ``f``, eagerly."""
    return (f(x), *optkit.value_and_grad(f)(x), optkit.hvp(f, x, v) if second_order else None)


def _assert_same(compiled, want, x, v, what):
    kw = {"rtol": 1e-12, "atol": 1e-12}
    value, vg_value, grad, hvp = want
    np.testing.assert_allclose(compiled(x), value, **kw, err_msg=f"{what}: value")
    cv, cg = optkit.value_and_grad(compiled)(x)
    np.testing.assert_allclose(cv, vg_value, **kw, err_msg=f"{what}: value_and_grad value")
    np.testing.assert_allclose(cg, grad, **kw, err_msg=f"{what}: gradient")
    if hvp is not None:
        np.testing.assert_allclose(optkit.hvp(compiled, x, v), hvp, **kw, err_msg=f"{what}: hvp")


@pytest.mark.parametrize("key, row", _params())
def test_compiled_matches_eager_or_falls_back(key, row):
    for i, x in enumerate(row.args):
        if np.asarray(x).dtype.kind not in "fc":
            continue   # an integer argument is data, not a point to differentiate at
        f = _loss(row, i)
        cf = optkit.compile(f)
        r = np.random.default_rng(4)
        v = r.standard_normal(np.shape(x))
        if np.iscomplexobj(x):
            v = v + 1j * r.standard_normal(np.shape(x))
        what = f"{key}, argument {i}"
        reason = _fallback(key, i)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            want = _eager(f, x, v, row.order >= 2)
            if reason is None:
                _assert_same(cf, want, x, v, what)
            else:
                with pytest.warns(CompileWarning, match=f"because tracing met {reason}"):
                    _assert_same(cf, want, x, v, what)
            _assert_same(cf, want, x, v, what + ", replay")   # the cached programs
        assert (cf.is_dynamic(x) is not None) == (reason is not None), what


def test_every_fallback_pattern_names_a_table_row():
    keys = [f"{key}#{i}" for key, row in TABLE for i in range(len(row.args))]
    for pattern in FALLBACK:
        assert any(fnmatch.fnmatchcase(k, pattern) for k in keys), pattern
    assert set(COMPILED_BUGS) <= {key for key, _ in TABLE}
    assert len(TABLE) > 500      # the gathering found the tables
