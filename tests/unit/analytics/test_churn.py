"""Churn features on hand-made histories, the rule-based score, ECE and the
calibration table (dashboard/analytics/churn_features.py, churn_model.py)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from dashboard.analytics.churn_features import consecutive_dissatisfied, features_at
from dashboard.analytics.churn_model import (
    calibration_table,
    expected_calibration_error,
    rule_score,
    top_reasons,
)

WAVES = pd.Series({w: pd.Timestamp(f"2024-{3 * w - 2:02d}-01") for w in (1, 2, 3, 4)})  # quarters of 2024


def _customers():
    return pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "joined_on": ["2020-01-01", "2023-07-01", "2020-01-01", "2024-10-01"],
            "churned_on": [None, None, "2024-06-15", None],
            "segment": ["retail", "sme", "retail", "corporate"],
            "tier": ["standard", "gold", "standard", "vip"],
            "manager_left_on": [None, "2024-08-01", None, None],
        }
    )


def _responses():
    rows = [  # customer, wave, date, overall (1-10), gap
        (1, 1, "2024-02-01", 5, -1.0),  # dissatisfied
        (1, 2, "2024-05-01", 8, 0.0),  # satisfied: breaks the streak
        (1, 3, "2024-08-01", 4, -2.0),  # dissatisfied
        (1, 4, "2024-11-01", 3, -2.5),  # dissatisfied -> streak 2 at year end
        (2, 4, "2024-10-15", 9, 0.5),
    ]
    return pd.DataFrame(rows, columns=["customer_id", "wave_id", "submitted_at", "overall", "gap"])


def _requests():
    rows = [  # customer, submitted, resolved, complaint, sla hours, rating
        (2, "2024-03-01 10:00", None, True, 120.0, None),  # old, still open, out of SLA
        (2, "2024-12-20 10:00", "2024-12-20 12:00", False, 48.0, 1),  # quick but rated 1
        (1, "2024-09-10 09:00", "2024-09-20 09:00", True, 120.0, 3),  # complaint in wave 3, 240 h > SLA
    ]
    return pd.DataFrame(
        rows, columns=["customer_id", "submitted_at", "resolved_at", "is_complaint", "sla_hours", "rating"]
    )


def test_streak_counts_trailing_dissatisfied_waves():
    waves = pd.DataFrame({"dissatisfied": [True, False, True, True]})
    assert consecutive_dissatisfied(waves) == 2
    assert consecutive_dissatisfied(pd.DataFrame({"dissatisfied": [True, True, False]})) == 0


def test_features_on_hand_made_histories():
    x = features_at(pd.Timestamp("2024-12-31"), _customers(), _responses(), _requests(), WAVES)
    assert list(x.index) == [1, 2, 4]  # customer 3 churned in June
    one, two, four = x.loc[1], x.loc[2], x.loc[4]
    assert one["last_overall"] == 3 and one["overall_change"] == -1 and one["gap_last"] == -2.5
    assert one["recent_overall"] == 5.0  # (5 + 8 + 4 + 3) / 4, the last four responses
    assert two["recent_overall"] == 9.0
    assert one["consecutive_dissatisfied"] == 2  # waves 3 (rating 4 + complaint) and 4 (rating 3)
    assert one["complaints_365d"] == 1 and one["unresolved_complaints"] == 0 and one["sla_breaches_365d"] == 1
    assert two["unresolved_complaints"] == 1 and two["sla_breaches_365d"] == 1  # open far past its SLA
    assert two["low_resolution_rating"] == 1 and two["manager_left_365d"] == 1
    assert two["consecutive_dissatisfied"] == 0  # satisfied in its latest wave with a signal
    assert (
        two["tenure_years"] == pytest.approx(1.5, abs=0.01)
        and two["segment_sme"] == 1
        and two["tier_gold"] == 1
    )
    assert four["no_response_yet"] == 1 and four["days_since_response"] == 10  # capped at ten years
    assert four["last_overall"] == pytest.approx(_responses()["overall"].mean())
    assert four["recent_overall"] == pytest.approx(_responses()["overall"].mean())


def test_features_do_not_look_ahead():
    x = features_at(pd.Timestamp("2024-06-30"), _customers(), _responses(), _requests(), WAVES)
    assert x.loc[1, "last_overall"] == 8 and x.loc[1, "consecutive_dissatisfied"] == 0
    assert x.loc[1, "recent_overall"] == 6.5  # (5 + 8) / 2: later answers unseen
    assert x.loc[2, "manager_left_365d"] == 0  # the manager leaves in August
    assert x.loc[2, "unresolved_complaints"] == 1
    assert 3 not in x.index and 4 not in x.index  # left on 06-15; joins in October


def test_rule_score_points_and_bands():
    x = pd.DataFrame(
        {
            "consecutive_dissatisfied": [0, 2, 5, 0],
            "unresolved_complaints": [0, 1, 0, 0],
            "manager_left_365d": [0, 0, 1, 1],
        }
    )
    scored = rule_score(x)
    assert scored["points"].tolist() == [0.0, 3.5, 6.0, 2.0]  # the streak counts up to four waves
    assert scored["band"].tolist() == ["low", "high", "high", "medium"]
    assert scored["reasons"].iloc[1] == ["dissatisfied in 2 consecutive waves", "1 unresolved complaint"]


def test_expected_calibration_error_hand_worked():
    # bin 0.0-0.1: p = 0.05, 0.05 observed 0, 1 -> |0.5 - 0.05| = 0.45, weight 2/4
    # bin 0.9-1.0: p = 0.95, 0.95 observed 1, 1 -> |1 - 0.95| = 0.05, weight 2/4
    y, p = np.array([0, 1, 1, 1]), np.array([0.05, 0.05, 0.95, 0.95])
    assert expected_calibration_error(y, p) == pytest.approx(0.5 * 0.45 + 0.5 * 0.05)
    table = calibration_table(y, p)
    assert [(r["bin"], r["n"], r["observed"]) for r in table] == [("0.0-0.1", 2, 0.5), ("0.9-1.0", 2, 1.0)]


def test_reasons_in_plain_words():
    contributions = pd.Series(
        {"manager_left_365d": 0.9, "consecutive_dissatisfied": 0.6, "tier_vip": 0.05, "gap_last": -0.4}
    )
    values = pd.Series(
        {"manager_left_365d": 1.0, "consecutive_dissatisfied": 3.0, "tier_vip": 1.0, "gap_last": 1.0}
    )
    assert top_reasons(contributions, values) == [
        "account manager left in the last 12 months",
        "dissatisfied in 3 consecutive waves",
    ]


def test_a_reason_is_not_restated_by_another():
    # "never answered" implies "not answered for a long time": the next reason takes the slot
    contributions = pd.Series({"days_since_response": 0.8, "no_response_yet": 0.7, "sla_breaches_365d": 0.3})
    values = pd.Series({"days_since_response": 10.0, "no_response_yet": 1.0, "sla_breaches_365d": 2.0})
    assert top_reasons(contributions, values) == [
        "never answered a survey",
        "2 service requests past their SLA",
    ]
    answered_once = values.copy()
    answered_once["no_response_yet"] = 0.0
    assert top_reasons(contributions, answered_once)[0] == "has not answered a survey for a long time"


def test_bands_are_relative_to_the_base_rate():
    from dashboard.analytics.churn_model import band

    assert [band(p, 0.03) for p in (0.02, 0.05, 0.09, 0.30)] == ["low", "medium", "high", "high"]
    assert band(0.5, 0.0) == "low"


def test_export_neutralises_spreadsheet_formulas():
    from dashboard.services.churn import export_csv

    table = pd.DataFrame(
        {
            "external_ref": ["C1", "C2"],
            "name": ['=HYPERLINK("http://x","y")', " =2+2"],
            "branch": ["B01", "B01"],
            "segment": ["retail", "retail"],
            "tier": ["gold", "gold"],
            "account_manager": [None, "  @SUM(1)"],
            "method": ["model", "model"],
            "probability": [0.2, 0.1],
            "points": [None, None],
            "band": ["high", "medium"],
            "reasons": [["1 unresolved complaint", "account manager left in the last 12 months"], []],
        }
    )
    text = export_csv(table)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["external_ref", "name", "branch"]
    assert rows[1][1] == '\'=HYPERLINK("http://x","y")'
    assert rows[1][-1] == "1 unresolved complaint; account manager left in the last 12 months"
    assert rows[2][:2] == ["C2", "' =2+2"] and rows[2][5] == "'  @SUM(1)"  # leading spaces hide nothing
    assert text.splitlines()[2].startswith('"C2","\' =2+2",')  # text cells are quoted
