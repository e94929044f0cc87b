"""Lookup, dimensions and the Problem record."""

import numpy as np
import pytest
from optkit.problems import DimRange, Problem, ProblemError

from optkit import problems


def test_get_default_and_explicit_dimension():
    assert problems.get("rosenbrock").n == 2
    assert problems.get("extended-rosenbrock").n == 100
    assert problems.get("extended-rosenbrock", n=6).n == 6


def test_names_are_normalized():
    assert problems.get("Extended_Rosenbrock", n=4).name == "extended-rosenbrock"


def test_get_is_cached_and_problems_are_immutable():
    p = problems.get("wood")
    assert problems.get("wood") is p
    with pytest.raises(ValueError):
        p.x0[0] = 1.0
    with pytest.raises(AttributeError):
        p.fstar = 3.0


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ProblemError, match="unknown problem 'rosenbrok'; did you mean rosenbrock"):
        problems.get("rosenbrok")
    with pytest.raises(ProblemError, match="optkit list"):
        problems.get("zzzzzz")
    with pytest.raises(ProblemError, match="must be a string"):
        problems.get(3)


def test_problem_error_is_a_value_error():
    assert issubclass(ProblemError, ValueError)


@pytest.mark.parametrize("name, n, message", [
    ("beale", 3, "beale has fixed dimension 2; got n=3"),
    ("extended-rosenbrock", 5, r"n=5 is outside the allowed range n >= 2, n even"),
    ("logistic-regression", 501, r"n=501 is outside the allowed range 2 <= n <= 500"),
    ("extended-powell", 6, "n a multiple of 4"),
    ("watson", 13, r"n=13 is outside the allowed range 2 <= n <= 12"),
    ("trid", 1, "n=1"),
])
def test_dimension_outside_range(name, n, message):
    with pytest.raises(ProblemError, match=message):
        problems.get(name, n=n)


@pytest.mark.parametrize("n", [2.5, "10", True])
def test_dimension_must_be_an_integer(n):
    with pytest.raises(ProblemError, match="n must be an integer"):
        problems.get("trid", n=n)


def test_fixed_problem_accepts_its_own_dimension():
    assert problems.get("beale", n=2).n == 2
    assert problems.get("trid", n=np.int64(7)).n == 7


def test_names_by_tag():
    ml = problems.names("ml")
    assert set(ml) == {"logistic-regression", "linear-least-squares", "mlp-regression"}
    assert problems.names("no-such-tag") == []
    assert [s.name for s in problems.specs("physics")] == ["lj13"]
    assert problems.names() == [s.name for s in problems.specs()]


def test_dim_range():
    r = DimRange(4, 100, 4)
    assert 8 in r and 6 not in r and 104 not in r and 8.0 not in r
    assert str(r) == "4 <= n <= 100, n a multiple of 4"
    assert str(DimRange(1, 5)) == "1 <= n <= 5"
    with pytest.raises(ValueError, match="lo <= hi"):
        DimRange(5, 1)


def test_problem_validation():
    def f(x):
        return np.sum(x * x)

    with pytest.raises(ProblemError, match="n=3 but x0 has 2"):
        Problem(name="p", description="", objective=f, x0=[1.0, 2.0], n=3)
    with pytest.raises(ProblemError, match="xstar has 1 entries, expected 2"):
        Problem(name="p", description="", objective=f, x0=[1.0, 2.0], xstar=[0.0])
    with pytest.raises(ProblemError, match="objective must be callable"):
        Problem(name="p", description="", objective=3, x0=[1.0])
    with pytest.raises(ProblemError, match="fstar must be finite"):
        Problem(name="p", description="", objective=f, x0=[1.0], fstar=float("inf"))


def test_is_solved_uses_the_benchmark_tolerance():
    p = problems.get("brown-dennis")                   # f* ~ 8.6e4: relative test
    assert p.is_solved(p.fstar * (1 + 0.9e-6)) and not p.is_solved(p.fstar * (1 + 1.1e-6))
    q = problems.get("rosenbrock")                     # f* = 0: absolute test
    assert q.is_solved(0.9e-6) and not q.is_solved(1.1e-6)
    assert not q.is_solved(float("nan"))


def test_spec_lookup_for_listing_and_range_messages():
    s = problems.spec("EXTENDED_POWELL")
    assert s.name == "extended-powell" and s.scalable and s.default_n == 100
    assert str(s.n_range) == "n >= 4, n a multiple of 4"
    assert problems.spec("lj13").n_range is None
    with pytest.raises(ProblemError, match="did you mean"):
        problems.spec("extended-powel")


def test_an_unbounded_range_is_limited_by_memory(monkeypatch):
    from optkit.problems import memory

    r = DimRange(2, multiple_of=2)
    assert 10**12 in r and 3 not in r and 0 not in r and str(r) == "n >= 2, n even"
    monkeypatch.setattr(memory, "available_memory", lambda: 64 * 8 * 1000)
    assert problems.spec("trid").check_n(1000) == 1000
    with pytest.raises(ProblemError, match=r"trid: n=1001 needs about 0.000513 GB of memory "
                                           r"to solve \(64 vectors of n floats\), more than the "
                                           r"0.000512 GB available"):
        problems.spec("trid").check_n(1001)
    assert problems.spec("watson").check_n(12) == 12  # a bounded range: no memory check
    monkeypatch.setattr(memory, "available_memory", lambda: None)  # platform does not say
    assert problems.spec("trid").check_n(10**12) == 10**12


def test_available_memory_is_positive_here():
    from optkit.problems import memory

    available = memory.available_memory()
    assert available is None or available > 0
