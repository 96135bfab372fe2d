"""The ACSI-method index service on the demo data: CSAT_MIN_N in respondents,
the segment filter refused, and bootstrap intervals from respondent resamples
that equal a resampling of the raw answers done here with pandas."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from dashboard.analytics.pls import pls_path_model
from dashboard.auth.scope import Scope
from dashboard.ingest.template_loader import builtin_template
from dashboard.queries.filters import Filters
from dashboard.services import metrics as svc
from dashboard.services.metrics_cli import compute_metric

EVERYONE = Scope.everything()


def _raw_wide(session: Session, codes: list[str]) -> pd.DataFrame:
    raw = pd.read_sql(
        text(
            "SELECT a.response_id, q.code, a.perception FROM answer a "
            "JOIN response r ON r.id = a.response_id "
            "JOIN question q ON q.id = a.question_id WHERE r.channel = 'survey'"
        ),
        session.connection(),
    )
    return raw.pivot_table(index="response_id", columns="code", values="perception")[codes].dropna()


def test_min_n_counts_respondents_and_segment_is_refused(demo_engine):
    with Session(demo_engine) as s:
        ok = svc.acsi(s, EVERYONE, Filters(), min_n=30, resamples=100)
        n = ok["n"]
        assert svc.acsi(s, EVERYONE, Filters(), min_n=n, resamples=100)["index"]
        refused = svc.acsi(s, EVERYONE, Filters(), min_n=n + 1, resamples=100)
        assert refused["status"] == "too few responses" and refused["n"] == n and "index" not in refused
        with pytest.raises(ValueError, match="segment"):
            svc.acsi(s, EVERYONE, Filters(segments=("retail",)), min_n=30, resamples=100)
        with pytest.raises(ValueError, match="segment"):
            compute_metric(s, "acsi", segments=("retail",), min_n=30, resamples=100)
        out = json.loads(compute_metric(s, "acsi", min_n=n + 1, resamples=100))
        assert out["status"] == "too few responses" and "index" not in out and "bootstrap" not in out


def test_bootstrap_equals_resampling_raw_answers(demo_engine):
    """Oracle: the respondents' complete cases read here with pandas, resampled
    with the same generator calls and refitted on the resampled rows."""
    model = builtin_template()["structural_model"]
    blocks, paths = model["constructs"], [tuple(p) for p in model["paths"]]
    codes = [c for items in blocks.values() for c in items]
    scales = {c: (0, 10) if c == "NPS" else (1, 10) if c == "OVERALL" else (1, 7) for c in codes}
    with Session(demo_engine) as s:
        got = svc.acsi(s, EVERYONE, Filters(), min_n=30, resamples=40, seed=3)
        wide = _raw_wide(s, codes)
    boot = got["bootstrap"]
    assert (boot["resamples"], boot["failed"], boot["seed"]) == (40, 0, 3)
    rng = np.random.default_rng(3)
    draws = []
    for _ in range(40):
        rows = np.sort(rng.integers(0, len(wide), len(wide)))
        draws.append(pls_path_model(wide.iloc[rows].reset_index(drop=True), blocks, paths, scales).index)
    table = boot["index"].set_index("construct")
    for construct in blocks:
        values = [d[construct] for d in draws]
        assert table.loc[construct, "low"] == pytest.approx(np.quantile(values, 0.025), abs=1e-6)
        assert table.loc[construct, "high"] == pytest.approx(np.quantile(values, 0.975), abs=1e-6)
        assert table.loc[construct, "low"] <= got["index"][construct] <= table.loc[construct, "high"]


def test_cli_states_resamples_seed_and_scale(demo_engine):
    with Session(demo_engine) as s:
        out = json.loads(compute_metric(s, "acsi", min_n=30, resamples=100))
    assert out["bootstrap"]["resamples"] == 100 and out["bootstrap"]["interval"] == "95% percentile"
    assert "0-100" in out["scale"] and out["min_n"] == 30
    for row in out["bootstrap"]["paths"]:
        assert row["low"] <= row["estimate"] <= row["high"]
    assert {r["construct"] for r in out["bootstrap"]["r_squared"]} == set(out["r_squared"])
