"""Churn model: L2-regularised logistic regression on standardised features,
Platt-calibrated on later waves than it was fitted on, evaluated on later
waves still (time-aware validation). Stored as plain numbers (JSON), never
pickled. Also the transparent rule-based score used before any churn
outcome is known."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

BANDS = ((3.0, "high"), (1.5, "medium"), (0.0, "low"))  # multiples of the base churn rate
RULE_BANDS = ((3.0, "high"), (1.5, "medium"), (0.0, "low"))


@dataclass
class ChurnModelParams:
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    platt_a: float = 1.0
    platt_b: float = 0.0
    metrics: dict = field(default_factory=dict)
    calibration: list[dict] = field(default_factory=list)

    def logit(self, x: pd.DataFrame) -> np.ndarray:
        z = (x[self.features].to_numpy(float) - np.array(self.mean)) / np.array(self.scale)
        return z @ np.array(self.coef) + self.intercept

    def predict(self, x: pd.DataFrame) -> np.ndarray:
        """Calibrated probability."""
        return 1.0 / (1.0 + np.exp(-(self.platt_a * self.logit(x) + self.platt_b)))

    def contributions(self, x: pd.DataFrame) -> pd.DataFrame:
        """Per feature, coefficient x standardised value: how far this customer's
        value pushes the log-odds above (positive) or below the average customer."""
        z = (x[self.features].to_numpy(float) - np.array(self.mean)) / np.array(self.scale)
        return pd.DataFrame(z * np.array(self.coef) * self.platt_a, columns=self.features, index=x.index)


def fit(train_x: pd.DataFrame, train_y: np.ndarray, c: float = 1.0) -> ChurnModelParams:
    mean = train_x.mean().to_numpy(float)
    scale = train_x.std(ddof=0).replace(0, 1.0).to_numpy(float)
    z = (train_x.to_numpy(float) - mean) / scale
    model = LogisticRegression(C=c, max_iter=2000).fit(z, train_y)
    return ChurnModelParams(
        list(train_x.columns),
        mean.tolist(),
        scale.tolist(),
        model.coef_[0].tolist(),
        float(model.intercept_[0]),
    )


def calibrate(params: ChurnModelParams, x: pd.DataFrame, y: np.ndarray) -> ChurnModelParams:
    """Platt scaling on held-out (later) data: p = sigmoid(a * logit + b)."""
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(params.logit(x).reshape(-1, 1), y)
    params.platt_a, params.platt_b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    return params


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Sum over equal-width probability bins of (bin share) x |observed rate - mean predicted|."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(y[mask].mean() - p[mask].mean())
    return float(total)


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    y, p = np.asarray(y, float), np.asarray(p, float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            rows.append(
                {
                    "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                    "n": int(mask.sum()),
                    "predicted": float(p[mask].mean()),
                    "observed": float(y[mask].mean()),
                }
            )
    return rows


def evaluate(params: ChurnModelParams, x: pd.DataFrame, y: np.ndarray) -> dict:
    p = params.predict(x)
    return {
        "auc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else math.nan,
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
        "n": int(len(y)),
        "events": int(y.sum()),
        "base_rate": float(y.mean()),
    }


def band(probability: float, base_rate: float) -> str:
    """Risk relative to the average customer: high at 3x the base rate or
    more, medium from 1.5x (absolute cut-offs mean nothing when a quarter's
    churn rate is a few per cent)."""
    ratio = probability / base_rate if base_rate > 0 else 0.0
    return next(label for threshold, label in BANDS if ratio >= threshold)


REASONS = {
    "consecutive_dissatisfied": lambda v: f"dissatisfied in {int(v)} consecutive wave{'s' if v != 1 else ''}",
    "unresolved_complaints": lambda v: f"{int(v)} unresolved complaint{'s' if v != 1 else ''}",
    "manager_left_365d": lambda v: "account manager left in the last 12 months",
    "last_overall": lambda v: f"low overall satisfaction ({v:.0f}/10)",
    "recent_overall": lambda v: f"low satisfaction over recent surveys (average {v:.1f}/10)",
    "overall_change": lambda v: f"satisfaction fell by {abs(v):.0f} point{'s' if abs(v) != 1 else ''}",
    "complaints_365d": lambda v: f"{int(v)} complaint{'s' if v != 1 else ''} in the last 12 months",
    "sla_breaches_365d": lambda v: f"{int(v)} service request{'s' if v != 1 else ''} past their SLA",
    "low_resolution_rating": lambda v: "rated a resolved request poorly",
    "gap_last": lambda v: f"perceptions below expectations (gap {v:+.1f})",
    "tenure_years": lambda v: f"short relationship ({v:.1f} years)",
    "days_since_response": lambda v: "has not answered a survey for a long time",
    "no_response_yet": lambda v: "never answered a survey",
    "segment_retail": lambda v: "retail segment",
    "segment_sme": lambda v: "SME segment",
    "tier_gold": lambda v: "gold tier",
    "tier_vip": lambda v: "VIP tier",
}


# A reason that only restates another one present for the same customer.
IMPLIED_BY = {"days_since_response": "no_response_yet"}


def top_reasons(contributions: pd.Series, values: pd.Series, k: int = 3, minimum: float = 0.15) -> list[str]:
    """The k features pushing risk up most, in plain words."""
    restated = [name for name, by in IMPLIED_BY.items() if values.get(by, 0) > 0]
    pushing = contributions.drop(restated, errors="ignore")
    ranked = pushing[pushing > minimum].sort_values(ascending=False).head(k)
    return [REASONS.get(name, lambda v, n=name: n)(float(values[name])) for name in ranked.index]


def rule_score(x: pd.DataFrame) -> pd.DataFrame:
    """The transparent score used while no churn outcomes exist: points for
    consecutive dissatisfied waves (1 each, up to 4), an unresolved complaint
    (1.5) and a departed account manager (2). Bands: 3+ high, 1.5+ medium."""
    streak = x["consecutive_dissatisfied"].clip(upper=4)
    unresolved = (x["unresolved_complaints"] > 0) * 1.5
    manager = x["manager_left_365d"] * 2.0
    points = streak + unresolved + manager
    reasons = [
        [
            r
            for r, on in (
                (REASONS["consecutive_dissatisfied"](s), s > 0),
                (REASONS["unresolved_complaints"](u), u > 0),
                (REASONS["manager_left_365d"](1), m > 0),
            )
            if on
        ]
        for s, u, m in zip(streak, x["unresolved_complaints"], x["manager_left_365d"], strict=True)
    ]
    return pd.DataFrame(
        {
            "points": points,
            "band": [next(lbl for t, lbl in RULE_BANDS if p >= t) for p in points],
            "reasons": reasons,
        },
        index=x.index,
    )
