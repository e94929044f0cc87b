"""The trust-region radius rule (Nocedal & Wright, Alg. 4.1, with the min(radius, ||p||) shrink)
and the reduction ratio."""

import math

import pytest

from optkit.optim.trust_region import TrustRegion
from optkit.optim.trust_region.radius import reduction_ratio


def test_reduction_ratio_is_actual_over_predicted():
    assert reduction_ratio(10.0, 7.0, 4.0) == pytest.approx(0.75)
    assert reduction_ratio(10.0, 11.0, 2.0) == pytest.approx(-0.5)


@pytest.mark.parametrize("f_trial, predicted", [(math.nan, 1.0), (math.inf, 1.0), (9.0, 0.0),
                                                (9.0, -1.0), (9.0, math.nan)])
def test_reduction_ratio_is_minus_infinity_for_a_bad_trial_or_model(f_trial, predicted):
    assert reduction_ratio(10.0, f_trial, predicted) == -math.inf


def test_a_poor_step_shrinks_to_a_fraction_of_the_shorter_of_radius_and_step():
    tr = TrustRegion()
    assert tr.update(2.0, 0.1, 2.0, True) == pytest.approx(tr.shrink * 2.0)
    # an interior step that failed: shrink from its own length, so it is not proposed again
    assert tr.update(2.0, 0.1, 0.5, False) == pytest.approx(tr.shrink * 0.5)


def test_a_very_good_step_expands_only_on_the_boundary_and_up_to_max_radius():
    tr = TrustRegion(max_radius=3.0)
    assert tr.update(1.0, 0.9, 1.0, True) == pytest.approx(tr.expand * 1.0)
    assert tr.update(1.0, 0.9, 0.3, False) == 1.0
    assert tr.update(2.0, 0.9, 2.0, True) == 3.0


def test_a_fair_step_keeps_the_radius():
    assert TrustRegion().update(1.5, 0.5, 1.5, True) == 1.5


def test_acceptance_is_strictly_above_the_threshold():
    tr = TrustRegion(accept=0.1)
    assert tr.accepts(0.11) and not tr.accepts(0.1) and not tr.accepts(-math.inf)


def test_first_radius_scales_with_x0_with_a_floor_of_one_and_the_cap():
    assert TrustRegion().first_radius(0.0) == 1.0
    assert TrustRegion().first_radius(50.0) == pytest.approx(5.0)
    assert TrustRegion(max_radius=2.0).first_radius(50.0) == 2.0
    assert TrustRegion(initial_radius=0.3).first_radius(50.0) == 0.3


@pytest.mark.parametrize("options, name", [
    ({"initial_radius": 0.0}, "initial_radius"), ({"max_radius": -1.0}, "max_radius"),
    ({"initial_radius": 5.0, "max_radius": 1.0}, "initial_radius"), ({"accept": 0.3}, "accept"),
    ({"shrink_below": 0.9, "expand_above": 0.8}, "shrink_below"), ({"shrink": 1.0}, "shrink"),
    ({"expand": 1.0}, "expand"), ({"max_rejections": 0}, "max_rejections"),
    ({"max_rejections": True}, "max_rejections"),
])
def test_options_out_of_range_name_the_parameter(options, name):
    with pytest.raises(ValueError, match=name):
        TrustRegion(**options)
