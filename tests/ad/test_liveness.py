"""ad/liveness.py: which inputs a VJP rule reads, found once from its bytecode."""

import numpy as np

from optkit.ad.core import primitive, ufunc_primitives
from optkit.ad.liveness import KEPT, kept_positions


def test_a_rule_that_reads_nothing_keeps_nothing():
    add = ufunc_primitives[np.add]
    assert kept_positions(add, 0b11, 2) == (False, frozenset())


def test_exp_keeps_only_its_answer():
    assert kept_positions(ufunc_primitives[np.exp], 0b1, 1) == (True, frozenset())


def test_multiply_keeps_both_arguments():
    assert kept_positions(ufunc_primitives[np.multiply], 0b11, 2) == (False, None)


def test_only_the_rules_of_traced_arguments_count():
    def vjp0(g, ans, x, y):
        return g

    def vjp1(g, ans, x, y):
        return g * x

    p = primitive("reads_x_for_y", lambda x, y: x + y, vjp=(vjp0, vjp1))
    assert kept_positions(p, 0b01, 2) == (False, frozenset())
    assert kept_positions(p, 0b10, 2) == (False, frozenset({0}))


def test_a_callable_that_is_not_a_plain_function_keeps_everything():
    class Rule:
        def __call__(self, g, ans, x):
            return g

    p = primitive("opaque", lambda x: x, vjp=Rule())
    assert kept_positions(p, 0b1, 1) == (True, None)


def test_answers_are_cached_by_primitive_mask_and_arity():
    p = ufunc_primitives[np.subtract]
    result = kept_positions(p, 0b01, 2)
    assert KEPT[(p, 0b01, 2)] == result
