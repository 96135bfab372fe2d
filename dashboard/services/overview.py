"""Home page use case: the organisation's headline numbers from rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.indices import csi_estimate, to_index_points
from dashboard.analytics.moments import Moments
from dashboard.analytics.significance import welch_test
from dashboard.analytics.topbox import nps_estimate, share_estimate
from dashboard.auth.scope import Scope
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.gaps import company_standards
from dashboard.queries.rollups import item_moments
from dashboard.services.changes import biggest_movers
from dashboard.services.drilldown import element_profile, profile_bars
from dashboard.services.metrics import unit_ranking
from dashboard.services.rankings import RankingView, with_verdicts


@dataclass
class HomeSummary:
    trend: pd.DataFrame  # label, csi, csi_low, csi_high, n per wave (overall satisfaction CSI)
    elements: pd.DataFrame  # element, csi, csi_low, csi_high, n for the latest wave
    latest_label: str | None
    latest: object | None  # Estimate of overall CSI, latest wave
    change: object | None  # Welch test latest vs previous wave
    change_points: float | None  # the change on the 0-100 index
    nps: object | None
    units: int
    responses_latest: int
    latest_code: str | None = None
    top_box: object | None = None  # Estimate: share of top-2-box overall satisfaction, latest wave
    ranking: pd.DataFrame | None = None  # branches on overall satisfaction, latest wave
    branch_verdicts: RankingView | None = None  # which of those branches differ (pairwise tests)


def _targets(session: Session) -> dict[str, float]:
    """Company-wide service standards in force today (target index per element)."""
    company = company_standards(session, date.today())
    return dict(zip(company["element"], company["target_index"].astype(float), strict=True))


def estimate_rows(df: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Add csi, csi_low, csi_high (95% CI) and n per row of moments;
    suppressed rows get NaN."""
    ests = [
        csi_estimate(r.n_p, r.sum_p, r.sumsq_p, r.scale_min, r.scale_max, min_n=min_n)
        for r in df.itertuples(index=False)
    ]

    def col(attr: str) -> list[float]:
        return [np.nan if e.suppressed else getattr(e, attr) for e in ests]

    return df.assign(
        csi=col("value"), csi_low=col("ci_low"), csi_high=col("ci_high"), n=df["n_p"].astype(int)
    )


def home_summary(session: Session, scope: Scope, *, min_n: int) -> HomeSummary:
    """Overall CSI trend with the significance of the last change, NPS and
    the RATER profile of the latest wave, all on the survey channel."""
    waves = reference.waves(session)
    filters = Filters()
    overall = item_moments(session, scope, filters, by=("wave_id", "construct", "scale_min", "scale_max"))
    headline = overall[overall["construct"] == "overall"].merge(waves[["wave_id", "name"]], on="wave_id")
    trend = estimate_rows(headline, min_n).rename(columns={"name": "label"})
    units = len(reference.units(session, scope))
    if trend.empty:
        return HomeSummary(trend, pd.DataFrame(), None, None, None, None, None, units, 0)

    last = trend.iloc[-1]
    latest_wave = int(last["wave_id"])
    latest = csi_estimate(last.n_p, last.sum_p, last.sumsq_p, last.scale_min, last.scale_max, min_n=min_n)
    change = change_points = None
    # a change involving a hidden wave would reveal it (the previous index is on the chart)
    if len(trend) > 1 and min(trend.iloc[-2].n_p, last.n_p) >= min_n:
        prev = trend.iloc[-2]
        change = welch_test(
            Moments(prev.n_p, prev.sum_p, prev.sumsq_p), Moments(last.n_p, last.sum_p, last.sumsq_p)
        )
        change_points = to_index_points(change.diff, last.scale_min, last.scale_max)
    rec = overall[(overall["construct"] == "recommend") & (overall["wave_id"] == latest_wave)]
    nps = None
    if not rec.empty and rec.iloc[0].n_p >= min_n:
        r = rec.iloc[0]
        nps = nps_estimate(int(r.top2), int(r.low), int(r.n_p))

    # the drill-down's profile: minimum and n count respondents, CIs too
    profile = element_profile(session, scope, Filters(wave_ids=(latest_wave,)), min_n)
    elements = profile_bars(profile)
    elements["target"] = elements["element"].map(_targets(session))
    top_box = share_estimate(int(last["top2"]), int(last["n_p"]), min_n=min_n)
    branch_verdicts = with_verdicts(
        unit_ranking(session, scope, Filters(wave_ids=(latest_wave,)), "branch", None, min_n=min_n),
        "branch",
        min_n,
    )
    ranking = branch_verdicts.table
    if len(trend) > 1 and not ranking.empty:
        ranking = _with_movers(session, scope, ranking, int(trend.iloc[-2]["wave_id"]), latest_wave, min_n)
    code = waves.loc[waves["wave_id"] == latest_wave, "code"].iloc[0]
    return HomeSummary(
        trend,
        elements,
        str(last["label"]),
        latest,
        change,
        change_points,
        nps,
        units,
        int(last["n_p"]),
        str(code),
        top_box,
        ranking,
        branch_verdicts,
    )


def _with_movers(session, scope, ranking, previous_wave, latest_wave, min_n) -> pd.DataFrame:
    """Each branch's change from the previous wave on the 0-100 index, with
    whether its Welch test calls it significant (NaN: under min n in a wave)."""
    moved = biggest_movers(session, scope, Filters(), previous_wave, latest_wave, "branch", min_n=min_n)
    if moved.empty:
        return ranking.assign(change=np.nan, change_significant=False)
    out = ranking.merge(
        moved[["unit", "change", "significant"]].rename(columns={"significant": "change_significant"}),
        on="unit",
        how="left",
    )
    out["change_significant"] = out["change_significant"].fillna(False).astype(bool)
    return out
