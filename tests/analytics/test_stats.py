"""Two proportions compared, against figures worked out by hand.

Hand computation for 50/1350 (a) against 35/1150 (b):
p_a = 0.037037, p_b = 0.030435, d = -0.006602;
Wald half-width 1.96·sqrt(p_a·q_a/1350 + p_b·q_b/1150) = 0.014144;
pooled p = 85/2500 = 0.034, z = d / sqrt(0.034·0.966·(1/1350 + 1/1150))
= -0.9078, two-sided p = 0.3640; n per arm for 80% power =
(1.959964·sqrt(2·0.033736·0.966264) + 0.841621·sqrt(p_a·q_a + p_b·q_b))²/d²
= 11738.1, so 11739, of which 11739 - 1150 = 10589 are still to come.
"""

import pytest

from analytics.stats import compare_proportions


def test_a_difference_that_is_not_significant_gets_a_sample_size():
    result = compare_proportions(50, 1350, 35, 1150)

    assert result.difference == pytest.approx(-0.006602, abs=1e-6)
    assert result.ci_low == pytest.approx(-0.02075, abs=1e-5)
    assert result.ci_high == pytest.approx(0.00754, abs=1e-5)
    assert result.z == pytest.approx(-0.9078, abs=1e-4)
    assert result.p_value == pytest.approx(0.3640, abs=1e-4)
    assert result.significant is False
    assert result.sample_size_per_arm == 11739
    assert result.more_per_arm_needed == 10589


def test_a_significant_difference_needs_no_more_calls():
    # 200/1000 against 260/1000: d = 0.06, half-width 0.03679,
    # pooled 0.23, z = 0.06 / sqrt(0.23·0.77·0.002) = 3.1881, p = 0.0014.
    result = compare_proportions(200, 1000, 260, 1000)

    assert result.difference == pytest.approx(0.06)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.02321, 0.09679), abs=1e-5)
    assert result.z == pytest.approx(3.1881, abs=1e-4)
    assert result.p_value == pytest.approx(0.0014, abs=1e-4)
    assert result.significant is True
    assert result.sample_size_per_arm is None
    assert result.more_per_arm_needed is None


def test_an_empty_arm_compares_nothing():
    result = compare_proportions(0, 0, 3, 10)

    assert result.rate_a is None
    assert result.rate_b == 0.3
    assert result.difference is None
    assert result.significant is False


def test_equal_rates_need_no_sample_size_as_no_size_would_separate_them():
    result = compare_proportions(10, 100, 20, 200)

    assert result.difference == 0
    assert result.p_value == pytest.approx(1.0)
    assert result.sample_size_per_arm is None
