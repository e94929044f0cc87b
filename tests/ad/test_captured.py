"""Arrays captured by a recording (optkit.ad.captured): read-only while it runs, restored after.

A recording holds the arrays a traced computation read by reference; f writing into one after
that use must be refused, not leave the mutated values in the program (compile's value,
gradient and HVP, and the convexity analysis, all read the recording).
"""

import itertools
import warnings

import numpy as np
import pytest

import optkit
from optkit.ad.captured import SNAPSHOT_BYTES, InPlaceWriteError
from optkit.ad.compiled.cache import same_recording
from optkit.ad.convexity import function_curvature
from optkit.ad.staging import stage

X = np.array([0.3, -0.2])


def _mutated_constant(x):
    c = -np.ones(2)
    y = c * np.exp(x)
    c[:] = 1.0  # after use: the program must not see +1
    return np.sum(y)


def _mutated_index(x):
    idx = np.array([0, 1])
    a = x[idx]
    idx[:] = [1, 0]
    b = x[idx]
    return np.sum(a * b)


def _mutated_by_ufunc_out(x):
    c = np.ones(2)
    y = np.sum(c * x)
    np.multiply(c, -1.0, out=c)
    return y + np.sum(c * x)


def _mutated_through_older_view(x):
    c = np.ones(4)
    head = c[:2]  # a view made before c is used: its own flag stays writeable
    y = np.sum(c[2:] * x) + np.sum(c[:2] * x)
    head[:] = -1.0
    return y


MUTATING = [_mutated_constant, _mutated_index, _mutated_by_ufunc_out,
            _mutated_through_older_view]


def _built_up_then_used(x):
    out = np.zeros(2)
    out[0] = 1.0
    out[1] += 3.0
    return np.sum(out * x)


def _built_up_through_a_view_then_used(x):
    out = np.zeros(4)
    out[:2][0] = 2.0
    w = out.reshape(2, 2)
    w[1] = -1.0
    return np.sum(out[:2] * x) + np.sum(w[1] * x ** 2)


def _built_up_index_then_used(x):
    idx = np.zeros(2, dtype=np.intp)
    idx[0] = 1
    return np.sum(x[idx] ** 2)


BUILDING = [_built_up_then_used, _built_up_through_a_view_then_used,
            _built_up_index_then_used]


@pytest.mark.parametrize("f", MUTATING, ids=lambda f: f.__name__)
@pytest.mark.parametrize("call", [
    lambda cf: cf(X),
    lambda cf: optkit.grad(cf)(X),
    lambda cf: optkit.value_and_grad(cf)(X),
    lambda cf: optkit.hvp(cf, X, np.array([1.0, -2.0])),
], ids=["value", "grad", "value_and_grad", "hvp"])
def test_compile_refuses_a_write_after_use(f, call):
    # refused, not run eagerly: the eager gradient reads the mutated array as well
    cf = optkit.compile(f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CompileWarning: no eager fallback
        for _ in range(3):  # every call, not only the one that stages
            with pytest.raises(InPlaceWriteError, match="modif.*copy"):
                call(cf)


def test_the_error_is_a_value_error_saying_what_to_write_instead():
    with pytest.raises(ValueError, match=r"in place after a traced computation used it.*"
                                         r"np\.where"):
        stage(_mutated_constant, (X,))


@pytest.mark.parametrize("f", MUTATING, ids=lambda f: f.__name__)
def test_convexity_makes_no_claim_about_a_write_after_use(f):
    # _mutated_constant recorded with +1 was 'convex' (sum of exp); it is concave
    assert function_curvature(f, X) == "unknown"


@pytest.mark.parametrize("f", BUILDING, ids=lambda f: f.__name__)
def test_building_an_array_up_in_place_then_using_it_still_compiles(f):
    cf = optkit.compile(f)
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # compiled, no eager fallback
        for _ in range(3):
            x = rng.standard_normal(2)
            np.testing.assert_allclose(cf(x), f(x), rtol=1e-14)
            np.testing.assert_allclose(optkit.grad(cf)(x), optkit.grad(f)(x), rtol=1e-14)
    assert cf.is_dynamic(X) is None


def test_building_up_then_using_keeps_its_convexity():
    assert function_curvature(_built_up_then_used, X) == "affine"
    assert function_curvature(_built_up_index_then_used, X) == "convex"


def test_flags_are_restored_after_tracing():
    base = np.ones(6)
    view = base[:2]  # a view, and its base, are both captured by a use of the view
    other = np.arange(2.0)
    frozen = np.ones(2)
    frozen.flags.writeable = False  # the user's own read-only array stays read-only

    def f(x):
        return np.sum(view * x) + np.sum(other * x) + np.sum(frozen * x) + np.sum(base) * x[0]

    cf = optkit.compile(f)
    for call in (cf, optkit.grad(cf), lambda x: optkit.hvp(cf, x, x)):
        call(X)
        assert base.flags.writeable and view.flags.writeable and other.flags.writeable
        assert not frozen.flags.writeable
    base[:] = 2.0  # the user may change closed-over data between calls again
    view[0] = 3.0
    other += 1.0


def test_flags_are_restored_when_f_raises():
    data = np.ones(2)
    index = np.array([1, 0])

    def f(x):
        y = np.sum(data * x[index])
        raise RuntimeError("f's own error")
        return y  # pragma: no cover

    with pytest.raises(RuntimeError, match="f's own error"):
        stage(f, (X,))
    assert data.flags.writeable and index.flags.writeable
    with pytest.raises(InPlaceWriteError):
        stage(_mutated_constant, (X,))
    cf = optkit.compile(f)
    with pytest.raises(RuntimeError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optkit.grad(cf)(X)
    assert data.flags.writeable and index.flags.writeable


def test_flags_are_restored_when_f_writes_into_its_own_read_only_array():
    frozen = np.ones(2)
    frozen.flags.writeable = False
    data = np.ones(2)

    def f(x):
        y = np.sum(data * x)
        frozen[0] = 2.0  # numpy's own error: the user's array was read-only all along
        return y  # pragma: no cover

    with pytest.raises(ValueError, match="read-only"):
        stage(f, (X,))
    assert data.flags.writeable and not frozen.flags.writeable


def test_a_large_closed_over_array_is_locked_not_copied():
    # above SNAPSHOT_BYTES nothing is copied: the recording holds the very array
    design = np.random.default_rng(0).standard_normal((SNAPSHOT_BYTES // 8 + 1, 2))

    def f(x):
        return np.sum((design @ x) ** 2)

    program, _ = stage(f, (X,))
    assert design.flags.writeable
    held = [c.value for e in program.eqns for c in e.inputs if hasattr(c, "value")]
    assert any(h is design for h in held)

    def g(x):
        y = f(x)
        design[0, 0] = 0.0
        return y

    with pytest.raises(InPlaceWriteError):
        stage(g, (X,))
    assert design.flags.writeable


class _Rewired:
    """u - v on one call, v - u on the next: the same equations and constants."""

    def __init__(self):
        self.calls = itertools.count()

    def __call__(self, x):
        u, v = np.sum(x ** 2), np.sum(x)
        return u - v if next(self.calls) % 2 else v - u


class _Reindexed:
    """Another index array on every call: the same equations, constants and wiring."""

    def __init__(self):
        self.calls = itertools.count()

    def __call__(self, x):
        idx = np.array([0, 1]) if next(self.calls) % 2 else np.array([1, 0])
        return np.sum(x[idx] * np.array([1.0, 2.0]))


@pytest.mark.parametrize("make", [_Rewired, _Reindexed])
def test_compile_check_compares_wiring_and_parameters(make):
    f, fresh = make(), make()
    assert not same_recording(stage(f, (X,))[0], stage(f, (X,))[0])
    cf = optkit.compile(f)
    with pytest.warns(optkit.CompileWarning, match="disagree"):
        cf(X)
    assert "disagree" in cf.is_dynamic(X)
    values = [cf(X) for _ in range(4)]  # eager: each call as f answers it, alternating
    assert values[0] != values[1] and values[:2] == values[2:]
    assert set(values) == {fresh(X), fresh(X)}


def test_equal_recordings_are_the_same_recording():
    def f(x):
        return np.sum(x[np.array([1, 0])] * np.array([1.0, np.nan])) + np.sum(x[1:])

    assert same_recording(stage(f, (X,))[0], stage(f, (X,))[0])
