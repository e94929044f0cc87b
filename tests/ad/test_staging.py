"""ad/staging.py: running a function once on real values records a straight-line program."""

import numpy as np
import pytest

from optkit.ad.core import new_level
from optkit.ad.forward import JVPTrace, JVPTracer
from optkit.ad.staging import Const, StagedTracer, StagedTracerArray, StagedValues, Var, stage


def test_the_program_lists_each_primitive_call_in_order():
    w = np.array([1.0, 2.0])
    program, out = stage(lambda x: np.sum(np.sin(x) * w), (np.array([0.1, 0.2]),))
    assert [e.prim.name for e in program.eqns] == ["sin", "multiply", "sum"]
    assert isinstance(program.eqns[1].inputs[1], Const) and program.eqns[1].inputs[1].value is w
    assert program.eqns[1].inputs[0] is program.eqns[0].out
    assert len(program.inputs) == 1 and isinstance(program.outputs[0], Var)
    assert program.dynamic_reason is None
    assert out._a == pytest.approx(np.sin(0.1) + 2 * np.sin(0.2))


def test_a_constant_output_is_a_const():
    program, _ = stage(lambda x: (np.sum(x), 3.0), (np.ones(2),))
    assert isinstance(program.outputs[0], Var) and isinstance(program.outputs[1], Const)


@pytest.mark.parametrize("leak, reason", [
    (lambda x: 1.0 if x[0] > 0 else 2.0, "bool()"),
    (lambda x: float(x[0]), "float()"),
    (lambda x: np.asarray(x), "np.asarray()"),
    (lambda x: x.tolist(), ".tolist()"),
])
def test_a_conversion_to_a_python_value_makes_the_program_dynamic(leak, reason):
    program, _ = stage(leak, (np.array([1.0, 2.0]),))
    assert reason in program.dynamic_reason


def test_staged_tracers_of_arrays_get_the_array_class():
    seen = []
    stage(lambda x, s: seen.extend([type(x), type(s)]) or x * s, (np.ones(2), np.float64(2.0)))
    assert seen == [StagedTracerArray, StagedTracer]


def test_returning_a_tracer_of_another_transformation_is_refused():
    with new_level(JVPTrace) as trace:
        leaked = JVPTracer(trace, np.ones(2), np.ones(2))
        with pytest.raises(TypeError, match="tracer of another transformation"):
            stage(lambda x: leaked, (np.ones(2),))


def test_a_recording_that_reuses_looks_up_what_was_computed_on_the_same_objects():
    rng = np.random.default_rng(0)
    A, x = rng.standard_normal((5, 3)), rng.standard_normal(3)

    def f(z):
        return np.sum(np.exp(A @ z))

    values = StagedValues()
    first, out = stage(f, (x,), values=values)
    again, out_again = stage(f, (x,), values=values, reuse=True)
    assert [e.prim.name for e in again.eqns] == [e.prim.name for e in first.eqns]
    assert out_again._a is out._a  # every value looked up: the same objects
    fresh, out_fresh = stage(f, (x,))  # without reuse: computed again, the same number
    assert out_fresh._a is not out._a and out_fresh._a == out._a
    other, out_other = stage(f, (x + 1.0,), values=values, reuse=True)  # another x: computed
    assert out_other._a == pytest.approx(f(x + 1.0))


def test_values_beyond_the_budget_are_computed_again():
    x = np.arange(4.0)
    values = StagedValues(max_bytes=0)
    _, out = stage(lambda z: np.sum(z * 2.0), (x,), values=values)
    _, out_again = stage(lambda z: np.sum(z * 2.0), (x,), values=values, reuse=True)
    assert out_again._a is not out._a and out_again._a == out._a


def test_parameters_must_match_for_a_value_to_be_looked_up():
    x = np.arange(6.0).reshape(2, 3)
    values = StagedValues()
    _, by_rows = stage(lambda z: np.sum(z, axis=0) @ np.ones(3), (x,), values=values)
    _, by_cols = stage(lambda z: np.sum(z, axis=1) @ np.ones(2), (x,), values=values,
                       reuse=True)
    assert by_rows._a == pytest.approx(15.0) and by_cols._a == pytest.approx(15.0)
    _, kept = stage(lambda z: np.sum(np.sum(z, axis=1) * 2.0), (x,), values=values, reuse=True)
    assert kept._a == pytest.approx(30.0)
