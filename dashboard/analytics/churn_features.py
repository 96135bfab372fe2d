"""Churn features per customer at an observation date, from their history:
survey responses, service requests, account-manager departures. Pure pandas,
so hand-made histories test it.

A wave counts as *dissatisfied* for a customer when they rated overall
satisfaction at or below DISSATISFIED_AT (of 10) in it or filed a complaint
in it; a wave in which they gave a satisfied rating ends the streak; waves
without any signal neither extend nor break it (DOMAIN 6: consecutive
dissatisfied waves)."""

from __future__ import annotations

import numpy as np
import pandas as pd

DISSATISFIED_AT = 6  # overall satisfaction 1-10
RECENT_RESPONSES = 4  # responses averaged for the customer's recent level
FEATURES = (
    "last_overall",
    "recent_overall",
    "overall_change",
    "no_response_yet",
    "consecutive_dissatisfied",
    "gap_last",
    "complaints_365d",
    "unresolved_complaints",
    "sla_breaches_365d",
    "low_resolution_rating",
    "tenure_years",
    "manager_left_365d",
    "days_since_response",
    "segment_retail",
    "segment_sme",
    "tier_gold",
    "tier_vip",
)


def consecutive_dissatisfied(wave_signals: pd.DataFrame) -> int:
    """`wave_signals`: one row per wave with signal, ordered oldest first,
    column `dissatisfied` (bool). The length of the trailing run of True."""
    run = 0
    for flag in wave_signals["dissatisfied"].to_numpy()[::-1]:
        if not flag:
            break
        run += 1
    return run


def features_at(
    as_of: pd.Timestamp,
    customers: pd.DataFrame,
    responses: pd.DataFrame,
    requests: pd.DataFrame,
    wave_starts: pd.Series,
) -> pd.DataFrame:
    """One row per customer active at `as_of` (joined, not yet churned).

    customers: customer_id, joined_on, churned_on, segment, tier, manager_left_on
    responses: customer_id, wave_id, submitted_at, overall (1-10), gap (mean P-E)
    requests: customer_id, submitted_at, resolved_at, is_complaint, sla_hours, rating (1-5)
    wave_starts: wave_id -> period start, to order waves.
    """
    as_of = pd.Timestamp(as_of)
    active = customers[
        (pd.to_datetime(customers["joined_on"]) <= as_of)
        & (customers["churned_on"].isna() | (pd.to_datetime(customers["churned_on"]) > as_of))
    ].set_index("customer_id")
    out = pd.DataFrame(index=active.index)
    seen = responses[pd.to_datetime(responses["submitted_at"]) <= as_of].sort_values("submitted_at")
    by_customer = seen.groupby("customer_id")
    last = by_customer.tail(1).set_index("customer_id")
    previous = by_customer.nth(-2).set_index("customer_id") if len(seen) else seen.set_index("customer_id")
    out["last_overall"] = last["overall"].reindex(out.index)
    # the mean of the last few ratings estimates a customer's lasting level
    # better than one answer does
    recent = by_customer.tail(RECENT_RESPONSES).groupby("customer_id")["overall"].mean()
    out["recent_overall"] = recent.reindex(out.index)
    out["overall_change"] = (last["overall"] - previous["overall"]).reindex(out.index).fillna(0.0)
    out["no_response_yet"] = out["last_overall"].isna().astype(float)
    typical = seen["overall"].mean() if len(seen) else 7.0
    out["last_overall"] = out["last_overall"].fillna(typical)
    out["recent_overall"] = out["recent_overall"].fillna(typical)
    out["gap_last"] = last["gap"].reindex(out.index).fillna(0.0)
    days = (as_of - pd.to_datetime(last["submitted_at"])).dt.days
    out["days_since_response"] = days.reindex(out.index).fillna(3650).clip(upper=3650) / 365.0

    reqs = requests[pd.to_datetime(requests["submitted_at"]) <= as_of]
    submitted = pd.to_datetime(reqs["submitted_at"])
    resolved = pd.to_datetime(reqs["resolved_at"])
    recent = submitted > as_of - pd.Timedelta(days=365)
    open_at = resolved.isna() | (resolved > as_of)
    hours = (resolved - submitted).dt.total_seconds() / 3600
    late = (open_at & ((as_of - submitted).dt.total_seconds() / 3600 > reqs["sla_hours"])) | (
        ~open_at & (hours > reqs["sla_hours"])
    )
    complaints = reqs["is_complaint"].astype(bool)
    frame = pd.DataFrame(
        {
            "customer_id": reqs["customer_id"],
            "complaint_recent": complaints & recent,
            "unresolved": complaints & open_at,
            "breach_recent": late & recent,
            "low_rating": recent & (reqs["rating"] <= 2),
        }
    ).groupby("customer_id")
    out["complaints_365d"] = frame["complaint_recent"].sum().reindex(out.index).fillna(0)
    out["unresolved_complaints"] = frame["unresolved"].sum().reindex(out.index).fillna(0)
    out["sla_breaches_365d"] = frame["breach_recent"].sum().reindex(out.index).fillna(0)
    out["low_resolution_rating"] = frame["low_rating"].sum().reindex(out.index).fillna(0)

    out["consecutive_dissatisfied"] = (
        _streaks(seen, reqs[complaints], wave_starts, as_of).reindex(out.index).fillna(0)
    )
    out["tenure_years"] = ((as_of - pd.to_datetime(active["joined_on"])).dt.days / 365.25).clip(lower=0)
    left = pd.to_datetime(active["manager_left_on"])
    out["manager_left_365d"] = ((left <= as_of) & (left > as_of - pd.Timedelta(days=365))).astype(float)
    for segment in ("retail", "sme"):
        out[f"segment_{segment}"] = (active["segment"] == segment).astype(float)
    for tier in ("gold", "vip"):
        out[f"tier_{tier}"] = (active["tier"] == tier).astype(float)
    return out[list(FEATURES)].astype(float)


def _streaks(responses, complaints, wave_starts: pd.Series, as_of) -> pd.Series:
    """Trailing dissatisfied-wave streak per customer."""
    starts = pd.to_datetime(wave_starts).sort_values()
    signals = []
    if len(responses):
        r = responses.assign(dissatisfied=responses["overall"] <= DISSATISFIED_AT)
        signals.append(r.groupby(["customer_id", "wave_id"])["dissatisfied"].max().reset_index())
    if len(complaints):
        idx = (
            np.searchsorted(
                starts.to_numpy(), pd.to_datetime(complaints["submitted_at"]).to_numpy(), side="right"
            )
            - 1
        )
        waves = starts.index.to_numpy()[np.clip(idx, 0, len(starts) - 1)]
        signals.append(
            pd.DataFrame(
                {"customer_id": complaints["customer_id"].to_numpy(), "wave_id": waves, "dissatisfied": True}
            )
        )
    if not signals:
        return pd.Series(dtype=float)
    waves = pd.concat(signals).groupby(["customer_id", "wave_id"])["dissatisfied"].max().reset_index()
    waves["order"] = waves["wave_id"].map({w: i for i, w in enumerate(starts.index)})
    waves = waves.sort_values(["customer_id", "order"])
    return waves.groupby("customer_id").apply(consecutive_dissatisfied, include_groups=False).astype(float)
