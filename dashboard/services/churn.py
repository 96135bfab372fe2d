"""Churn risk: training (time-aware), scoring, exposure and histories.

Snapshots: at the end of each wave, every active customer's features and
whether they left within the next 91 days. Only snapshots whose 91-day
window has closed by `today` are labelled. Split by time: the last
TEST_SNAPSHOTS (four) labelled snapshots test, the CALIBRATION_SNAPSHOTS
(two) before them calibrate, the rest train."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics import churn_model as cm
from dashboard.analytics.churn_features import FEATURES, features_at
from dashboard.auth.roles import AuthUser
from dashboard.auth.scope import Scope
from dashboard.auth.users import audit
from dashboard.db.bulk import bulk_insert
from dashboard.db.models import ChurnModel, Customer
from dashboard.queries import churn as q
from dashboard.services import export_cells

EXPORT_COLUMNS = (
    "external_ref",
    "name",
    "branch",
    "segment",
    "tier",
    "account_manager",
    "method",
    "probability",
    "points",
    "band",
    "reasons",
)
HORIZON_DAYS = 91
MIN_EVENTS = 50  # fewer churn outcomes than this: no model, the rules score
# The latest labelled snapshots are held out: a year of outcomes, so the AUC
# rests on enough churn events; the half-year before calibrates.
TEST_SNAPSHOTS = 4
CALIBRATION_SNAPSHOTS = 2
MIN_TRAIN_SNAPSHOTS = 2
ALGORITHM = "logistic regression (L2, standardised), Platt-calibrated on later waves"


def _histories(session: Session):
    starts, ends = q.wave_periods(session)
    return q.customers(session, Scope.everything()), q.responses(session), q.requests(session), starts, ends


def snapshots(session: Session, today: date, histories=None) -> pd.DataFrame:
    customers, responses, requests, starts, ends = histories or _histories(session)
    churned = pd.to_datetime(customers.set_index("customer_id")["churned_on"])
    frames = []
    for wave_id, end in ends.items():
        if end + timedelta(days=HORIZON_DAYS) > pd.Timestamp(today) or wave_id == ends.index[0]:
            continue  # outcome window still open, or no history before the first wave
        x = features_at(end, customers, responses, requests, starts)
        left = churned.reindex(x.index)
        y = ((left > end) & (left <= end + timedelta(days=HORIZON_DAYS))).astype(int)
        frames.append(x.assign(snapshot=end, churned=y.to_numpy()))
    return pd.concat(frames) if frames else pd.DataFrame(columns=[*FEATURES, "snapshot", "churned"])


def train(session: Session, today: date | None = None) -> ChurnModel | None:
    """Fit, calibrate and validate on time-ordered snapshots, store the new
    version, and rescore every active customer. None (rules only) when there
    are too few churn outcomes."""
    today = today or date.today()
    histories = _histories(session)
    data = snapshots(session, today, histories)
    dates = sorted(data["snapshot"].unique())
    held = TEST_SNAPSHOTS + CALIBRATION_SNAPSHOTS
    if len(dates) < held + MIN_TRAIN_SNAPSHOTS or int(data["churned"].sum()) < MIN_EVENTS:
        score_all(session, today, None, histories)
        return None
    test_dates, cal_dates, train_dates = dates[-TEST_SNAPSHOTS:], dates[-held:-TEST_SNAPSHOTS], dates[:-held]
    part = {
        name: data[data["snapshot"].isin(ds)]
        for name, ds in (("train", train_dates), ("cal", cal_dates), ("test", test_dates))
    }
    feats = list(FEATURES)
    params = cm.fit(part["train"][feats], part["train"]["churned"].to_numpy())
    params = cm.calibrate(params, part["cal"][feats], part["cal"]["churned"].to_numpy())
    test_y = part["test"]["churned"].to_numpy()
    metrics = cm.evaluate(params, part["test"][feats], test_y)
    metrics["split"] = {
        k: [str(pd.Timestamp(d).date()) for d in (v[0], v[-1])]
        for k, v in (("train", train_dates), ("calibrate", cal_dates), ("test", test_dates))
    }
    model = ChurnModel(
        trained_at=datetime.now().replace(microsecond=0),
        algorithm=ALGORITHM,
        params={k: v for k, v in asdict(params).items() if k not in ("metrics", "calibration")},
        metrics=metrics,
        calibration=cm.calibration_table(test_y, params.predict(part["test"][feats])),
        n_train=int(len(part["train"])),
    )
    session.add(model)
    session.flush()
    score_all(session, today, model, histories)
    return model


def _json(reasons: list[str]) -> str:
    return json.dumps(reasons)  # bulk loading writes the JSON column as text


def latest_model(session: Session) -> ChurnModel | None:
    return q.latest_model(session)


def _params(model: ChurnModel) -> cm.ChurnModelParams:
    return cm.ChurnModelParams(**model.params)


def score_all(session: Session, today: date, model: ChurnModel | None, histories=None) -> int:
    """Replace every stored score with one computed as of `today`."""
    customers, responses, requests, starts, _ends = histories or _histories(session)
    x = features_at(pd.Timestamp(today), customers, responses, requests, starts)
    q.delete_scores(session)
    if x.empty:
        return 0
    if model is not None:
        params = _params(model)
        base_rate = float(model.metrics.get("base_rate", 0.0))
        prob = params.predict(x)
        contrib = params.contributions(x)
        rows = [
            (
                int(cid),
                model.id,
                "model",
                today,
                float(p),
                None,
                cm.band(p, base_rate),
                _json(cm.top_reasons(contrib.loc[cid], x.loc[cid])),
            )
            for cid, p in zip(x.index, prob, strict=True)
        ]
    else:
        rules = cm.rule_score(x)
        rows = [
            (int(cid), None, "rules", today, None, float(r.points), r.band, _json(r.reasons))
            for cid, r in rules.iterrows()
        ]
    columns = ("customer_id", "model_id", "method", "as_of", "probability", "points", "band", "reasons")
    session.flush()
    bulk_insert(session.connection(), "churn_score", columns, rows)
    return len(rows)


def at_risk(session: Session, scope: Scope, **choice: str | None) -> pd.DataFrame:
    """Scored customers in scope matching the chosen branch code, segment and
    account manager (`q.ScoreFilter`; empty: any), riskiest first."""
    table = q.scored_customers(session, scope, q.ScoreFilter(**choice))
    key = "probability" if table["method"].eq("model").any() else "points"
    return table.sort_values(key, ascending=False, na_position="last").reset_index(drop=True)


def riskiest(session: Session, scope: Scope, limit: int, **choice: str | None) -> pd.DataFrame:
    """The top of `at_risk`, cut in SQL so a large book stays fast."""
    return q.riskiest(session, scope, limit, q.ScoreFilter(**choice))


def filter_options(session: Session, scope: Scope) -> dict[str, list[str]]:
    return q.filter_options(session, scope)


def customer_in_scope(session: Session, scope: Scope, customer_id: int) -> Customer | None:
    return q.customer_in_scope(session, scope, customer_id)


def customer_history(session: Session, scope: Scope, customer_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return q.customer_history(session, scope, customer_id)


def export_scores(session: Session, scope: Scope, user: AuthUser | None, chosen: dict, state: dict) -> str:
    """The chosen scored customers as CSV, with an audit entry (naming the
    page `state`) in the caller's write transaction."""
    table = at_risk(session, scope, **chosen)
    audit(session, "export", user, target="churn_scores", detail={"rows": len(table), "filters": state})
    return export_csv(table)


def exposure(table: pd.DataFrame) -> dict:
    """Customers at high/medium risk and the revenue at risk (expected loss =
    sum of probability x annual revenue; with rules, revenue of high-risk customers)."""
    if table.empty:
        return {"customers": 0, "high": 0, "medium": 0, "revenue_at_risk": None, "method": None}
    method = table["method"].iloc[0]
    revenue = table["annual_revenue"].astype(float)
    if method == "model":
        at_risk_revenue = float((table["probability"].astype(float) * revenue).sum(skipna=True))
    else:
        at_risk_revenue = float(revenue[table["band"] == "high"].sum(skipna=True))
    return {
        "customers": int(len(table)),
        "high": int((table["band"] == "high").sum()),
        "medium": int((table["band"] == "medium").sum()),
        "revenue_at_risk": at_risk_revenue if revenue.notna().any() else None,
        "method": method,
    }


def exposure_from_aggregates(agg: pd.DataFrame) -> dict:
    """exposure() computed from q.score_exposure rows (SQL aggregates)."""
    if agg.empty:
        return {"customers": 0, "high": 0, "medium": 0, "revenue_at_risk": None, "method": None}
    method = agg["method"].iloc[0]
    by_band = agg.groupby("band")["customers"].sum()
    if method == "model":
        revenue = agg["expected_loss"].astype(float).sum(skipna=True)
    else:
        revenue = agg.loc[agg["band"] == "high", "revenue"].astype(float).sum(skipna=True)
    return {
        "customers": int(agg["customers"].sum()),
        "high": int(by_band.get("high", 0)),
        "medium": int(by_band.get("medium", 0)),
        "revenue_at_risk": float(revenue) if agg["revenue"].notna().any() else None,
        "method": method,
    }


def exposure_summary(session: Session, scope: Scope, **choice: str | None) -> dict:
    return exposure_from_aggregates(q.score_exposure(session, scope, q.ScoreFilter(**choice)))


def exposure_overview(session: Session, scope: Scope, **choice: str | None) -> tuple[dict, pd.DataFrame]:
    """(exposure of the filtered selection, exposure by branch of the whole
    scope): one aggregate query when no filter is set, the common case."""
    everything = q.score_exposure(session, scope)
    chosen = q.ScoreFilter(**choice)
    selection = q.score_exposure(session, scope, chosen) if chosen.narrows else everything
    return exposure_from_aggregates(selection), _by_branch_from_aggregates(everything)


def _by_branch_from_aggregates(agg: pd.DataFrame) -> pd.DataFrame:
    if agg.empty:
        return pd.DataFrame(columns=["branch", "customers", "high", "medium", "revenue_at_risk"])
    rows = [{"branch": b, **exposure_from_aggregates(part)} for b, part in agg.groupby("branch")]
    return pd.DataFrame(rows).sort_values("high", ascending=False).reset_index(drop=True)


def score_count(session: Session) -> int:
    return q.score_count(session)


def model_report(model: ChurnModel) -> dict:
    return {
        "version": model.id,
        "trained_at": model.trained_at,
        "algorithm": model.algorithm,
        **model.metrics,
        "calibration": model.calibration,
        "n_train": model.n_train,
    }


def mean_or_nan(values) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def export_table(table: pd.DataFrame) -> pd.DataFrame:
    """Scored customers in the export's columns (reasons joined with '; ')."""
    out = table.reindex(columns=list(EXPORT_COLUMNS)).copy()
    out["account_manager"] = out["account_manager"].fillna("")
    out["reasons"] = out["reasons"].map(lambda r: "; ".join(r) if isinstance(r, list) else "")
    return out


def export_csv(table: pd.DataFrame) -> str:
    """Scored customers as CSV text, every cell made formula-inert."""
    return export_cells.to_csv(export_table(table))


def export_xlsx(table: pd.DataFrame) -> bytes:
    """Scored customers as an .xlsx workbook, every cell made formula-inert."""
    return export_cells.to_xlsx(export_table(table), sheet="churn risk")
