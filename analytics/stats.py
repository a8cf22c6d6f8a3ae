"""Comparing two proportions: the difference, its interval, its test and the
sample size a conclusive test would need. Plain Python.

- difference: ``p_b - p_a`` (the variant against the control);
- 95% interval: Wald, ``d ± z·sqrt(p_a·q_a/n_a + p_b·q_b/n_b)``;
- test: two-sided two-proportion z-test with the pooled proportion;
- sample size per arm for 80% power at alpha 0.05, for the observed
  proportions: ``(z_α/2·sqrt(2·p̄·q̄) + z_β·sqrt(p_a·q_a + p_b·q_b))² / d²``,
  with ``p̄`` their mean.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

ALPHA = 0.05
POWER = 0.80
Z_ALPHA = NormalDist().inv_cdf(1 - ALPHA / 2)  # 1.959964
Z_BETA = NormalDist().inv_cdf(POWER)  # 0.841621


@dataclass(frozen=True)
class Comparison:
    rate_a: float | None
    rate_b: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p_value: float | None
    significant: bool
    sample_size_per_arm: int | None
    more_per_arm_needed: int | None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def compare_proportions(x_a: int, n_a: int, x_b: int, n_b: int) -> Comparison:
    """Successes ``x`` out of ``n`` in arm a (control) and arm b."""
    if n_a == 0 or n_b == 0:
        rate_a = x_a / n_a if n_a else None
        rate_b = x_b / n_b if n_b else None
        return Comparison(rate_a, rate_b, None, None, None, None, None, False, None, None)

    p_a, p_b = x_a / n_a, x_b / n_b
    d = p_b - p_a
    half = Z_ALPHA * math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        z, p_value = None, None
    else:
        z = d / se
        p_value = math.erfc(abs(z) / math.sqrt(2))
    significant = p_value is not None and p_value < ALPHA

    needed = more = None
    if not significant and d != 0:
        mean = (p_a + p_b) / 2
        root = Z_ALPHA * math.sqrt(2 * mean * (1 - mean)) + Z_BETA * math.sqrt(
            p_a * (1 - p_a) + p_b * (1 - p_b)
        )
        needed = math.ceil(root**2 / d**2)
        more = max(0, needed - min(n_a, n_b))
    return Comparison(
        p_a, p_b, d, d - half, d + half, z, p_value, significant, needed, more
    )
