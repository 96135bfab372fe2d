"""Element CIs with respondents as the independent units: a hand-worked case,
statsmodels' cluster-robust standard error as the oracle, and the fallback
to the item-answer interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from dashboard.analytics.indices import csi_table, respondent_csi_interval, with_respondent_ci
from dashboard.analytics.moments import Moments

T975_3 = 3.182446305284263  # t(0.975, 3)
T975_15 = 2.131449545559323  # t(0.975, 15)

# four respondents x four items of one element on 1..7
ANSWERS = [[2, 3, 3, 4], [4, 4, 3, 5], [5, 6, 4, 5], [6, 7, 5, 6]]


def _element_row() -> pd.DataFrame:
    items = Moments.of(np.ravel(ANSWERS))
    people = Moments.of(np.mean(ANSWERS, axis=1))
    df = pd.DataFrame(
        {
            "element": ["S"],
            "n_p": [items.n],
            "sum_p": [items.total],
            "sumsq_p": [items.total_sq],
            "resp_n": [people.n],
            "resp_total": [people.total],
            "resp_total_sq": [people.total_sq],
        }
    )
    return csi_table(df, 1, 7, min_n=1)


def test_respondent_interval_hand_worked():
    # respondent means 3, 4, 5, 6: n 4, sum 18, sum of squares 86; mean 4.5,
    # var = (86 - 18^2 / 4) / 3 = 5/3, se = sqrt(5/3) / 2 = 0.6455 on 1..7;
    # half width t(0.975, 3) * se = 2.0543 -> 100 / 6 of that = 34.24 index points
    low, high, se = respondent_csi_interval([58.0], [4], [18], [86], 1, 7)
    half = T975_3 * math.sqrt(5 / 3) / 2 * 100 / 6
    assert half == pytest.approx(34.2377, abs=1e-4)
    assert (low[0], high[0]) == pytest.approx((58 - half, 58 + half))
    assert se[0] == pytest.approx(math.sqrt(5 / 3) / 2 * 100 / 6)


def test_element_row_keeps_its_index_and_widens_its_interval():
    out = with_respondent_ci(_element_row(), 1, 7)
    # the 16 answers: sum 72 (mean 4.5 -> CSI 58.33, unchanged), sum of squares 352,
    # var = (352 - 72^2 / 16) / 15 = 28/15, item-answer half width
    # t(0.975, 15) sqrt(28 / 15 / 16) 100 / 6 = 12.13 index points
    assert out.loc[0, "csi"] == pytest.approx(100 * 3.5 / 6)
    naive = T975_15 * math.sqrt(28 / 15 / 16) * 100 / 6
    assert _element_row().loc[0, "csi_high"] - out.loc[0, "csi"] == pytest.approx(naive)
    half = T975_3 * math.sqrt(5 / 3) / 2 * 100 / 6
    assert (out.loc[0, "csi_high"] - out.loc[0, "csi_low"]) / 2 == pytest.approx(half)
    assert half > 2.5 * naive  # 34.2 against 12.1: 16 answers are only 4 respondents
    assert out.loc[0, "ci_basis"] == "respondents"


def test_standard_error_equals_cluster_robust_oracle():
    # balanced data (every respondent answers every item): the cluster-robust se of
    # the all-answers mean (statsmodels, respondents as clusters) is sd(means)/sqrt(n)
    rng = np.random.default_rng(3)
    n, k = 60, 5
    person = rng.normal(4.5, 1.0, n)
    answers = np.clip(np.round(person[:, None] + rng.normal(0, 0.8, (n, k))), 1, 7)
    y = answers.ravel()
    groups = np.repeat(np.arange(n), k)
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": groups})
    means = Moments.of(answers.mean(axis=1))
    _low, _high, se = respondent_csi_interval([50.0], [means.n], [means.total], [means.total_sq], 1, 7)
    assert se[0] == pytest.approx(100 * fit.bse[0] / 6, rel=1e-10)
    assert fit.params[0] == pytest.approx(means.mean)


def test_fallback_to_item_answers_without_respondent_moments():
    rows = pd.concat([_element_row()] * 4, ignore_index=True)
    rows.loc[1, ["resp_n", "resp_total", "resp_total_sq"]] = [1, 4, 16]  # one respondent: no sd
    rows.loc[2, ["resp_n", "resp_total", "resp_total_sq"]] = np.nan  # none in the driver rollup
    rows.loc[3, ["csi", "csi_low", "csi_high", "se"]] = np.nan  # suppressed stays suppressed
    out = with_respondent_ci(rows, 1, 7)
    for i in (1, 2):
        assert (
            out.loc[i, ["csi_low", "csi_high", "se"]].tolist()
            == rows.loc[i, ["csi_low", "csi_high", "se"]].tolist()
        )
        assert out.loc[i, "ci_basis"] == "answers"
    assert out.loc[3, ["csi", "csi_low", "csi_high", "se"]].isna().all()
    assert out.loc[0, "ci_basis"] == "respondents"
