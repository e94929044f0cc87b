"""ad/staging.py: running a function once on real values records a straight-line program."""

import numpy as np
import pytest

from optkit.ad.core import new_level
from optkit.ad.forward import JVPTrace, JVPTracer
from optkit.ad.staging import Const, StagedTracer, StagedTracerArray, Var, stage


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
