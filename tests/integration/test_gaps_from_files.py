"""Done-when for the gaps page from real data: a database built from the
sample files only (no demo) on SQLite and PostgreSQL shows all five gaps,
and every value, n and 95% interval matches a pandas/scipy computation on
the same files (never the product's functions). A database lacking an
input says which one and how to import it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlalchemy import text
from sqlalchemy.orm import Session
from statsmodels.stats.proportion import proportion_confint

from dashboard.auth.scope import Scope
from dashboard.queries.filters import Filters
from dashboard.services.benchmarks import benchmark_comparison
from dashboard.services.channel_view import channel_view
from dashboard.services.gaps import gaps_report
from dashboard.services.gaps_view import gaps_view
from dashboard.services.metrics_cli import compute_metric
from tests.integration.import_fixtures import SAMPLES, load_samples, read_sample, run_import

MIN_N = 2  # the samples hold 17 survey respondents and 2 managers
RATER = list("RATES")
T = 0.975


def _load(engine, skip: tuple[str, ...] = ()) -> None:
    load_samples(engine)
    run_import(engine, "template", SAMPLES / "management_template.yaml")
    for kind in ("management_survey", "standards", "audits", "promises", "churn_events"):
        if kind not in skip:
            run_import(engine, kind, SAMPLES / f"{kind}.csv")


def _long(frame: pd.DataFrame, suffix: str, key: str) -> pd.DataFrame:
    """Answers of a wide file as (key, element, code, value), empty cells dropped."""
    cols = [c for c in frame.columns if c.endswith(suffix) and c[0] in RATER and c[1].isdigit()]
    out = frame.melt(id_vars=[key], value_vars=cols, var_name="code", value_name="value")
    out = out[out["value"] != ""].astype({"value": float})
    out["code"] = out["code"].str.removesuffix(suffix)
    out["element"] = out["code"].str[0]
    return out


def _t_half(means: pd.Series) -> float:
    return stats.t.ppf(T, len(means) - 1) * means.std(ddof=1) / np.sqrt(len(means))


def _index(x):  # the samples' RATER items are on 1-7
    return (x - 1) / 6 * 100


def _expected() -> dict:
    resp = read_sample("responses.csv")
    survey = resp[resp["channel"].isin(["", "survey"])]
    e, p = _long(survey, "_E", "response_id"), _long(survey, "_P", "response_id")
    pairs = e.merge(p, on=["response_id", "element", "code"], suffixes=("_e", "_p"))
    pairs["gap"] = pairs["value_p"] - pairs["value_e"]
    mgmt = read_sample("management_survey.csv")
    beliefs = _long(mgmt.assign(row=range(len(mgmt))), "_E", "row").merge(
        mgmt.assign(row=range(len(mgmt)))[["row", "respondent_ref"]], on="row"
    )
    standards = read_sample("standards.csv")
    company = standards[(standards["branch_code"] == "") & (standards["department_code"] == "")]
    target = company.set_index("element")["target_index"].astype(float)
    audits = read_sample("audits.csv").astype({"score": float})
    out = {}
    for el in RATER:
        ce = e[e["element"] == el]
        c_means = ce.groupby("response_id")["value"].mean()
        m_means = beliefs[beliefs["element"] == el].groupby("respondent_ref")["value"].mean()
        welch = stats.ttest_ind(m_means, c_means, equal_var=False)
        diff = beliefs.loc[beliefs["element"] == el, "value"].mean() - ce["value"].mean()
        vm, vc = m_means.var(ddof=1) / len(m_means), c_means.var(ddof=1) / len(c_means)
        half1 = stats.t.ppf(T, welch.df) * np.sqrt(vm + vc)
        out[(1, el)] = (diff, half1, min(len(c_means), len(m_means)))
        belief_index = _index(beliefs.loc[beliefs["element"] == el, "value"].mean())
        half2 = _t_half(m_means) / 6 * 100
        out[(2, el)] = (target[el] - belief_index, half2, len(m_means))
        cp = p[p["element"] == el]
        p_means = cp.groupby("response_id")["value"].mean()
        out[(3, el, "survey")] = (
            _index(cp["value"].mean()) - target[el],
            _t_half(p_means) / 6 * 100,
            len(p_means),
        )
        scores = audits.loc[audits["element"] == el, "score"]
        half3 = _t_half(scores) if len(scores) > 1 else np.nan
        out[(3, el, "audit")] = (scores.mean() - target[el], half3, len(scores))
        item_gaps = pairs[pairs["element"] == el].groupby("code")["gap"].mean()
        g_means = pairs[pairs["element"] == el].groupby("response_id")["gap"].mean()
        out[(5, el)] = (item_gaps.mean(), _t_half(g_means), len(g_means))
    out.update(_promises())
    return out


def _promises() -> dict:
    """Gap 4 from the requests file: requests submitted from the promise's
    publication; resolution promises count complaints only."""
    requests = read_sample("service_requests.csv")
    submitted = pd.to_datetime(requests["submitted_at"])
    out = {}
    for promise in read_sample("promises.csv").itertuples():
        counted = submitted >= pd.Timestamp(promise.published_on)
        column = "first_response_at" if promise.metric == "first_response_hours" else "resolved_at"
        if promise.metric == "resolution_hours":
            counted &= requests["is_complaint"].str.lower().isin(["yes", "true", "1", "y", "t"])
        done = pd.to_datetime(requests[column].replace("", None))
        hours = (done - submitted).dt.total_seconds() / 3600
        met = counted & done.notna() & (hours <= float(promise.threshold_hours))
        n, k = int(counted.sum()), int(met.sum())
        low, high = proportion_confint(k, n, method="wilson")
        out[(4, promise.element)] = (100 * k / n, (100 * low, 100 * high), n)
    return out


def test_every_gap_matches_pandas_on_the_sample_files(fresh_engine):
    _load(fresh_engine)
    with Session(fresh_engine) as session:
        report = gaps_report(session, Scope.everything(), Filters(), MIN_N)
    summary = report["summary"]
    assert set(summary["gap"]) == {1, 2, 3, 4, 5}
    assert (summary["status"] == "shown").sum() >= 26  # only Assurance has no audit in the samples
    expected = _expected()
    checked = 0
    for r in summary.itertuples():
        key = (
            (r.gap, r.element, "survey" if "survey" in r.measure else "audit")
            if r.gap == 3
            else (r.gap, r.element)
        )
        value, half, n = expected[key]
        if r.status == "missing input":
            assert key == (3, "A", "audit") and n == 0
            continue
        assert r.value == pytest.approx(value) and r.n == n, r
        low, high = half if isinstance(half, tuple) else (value - half, value + half)
        if np.isnan(low):
            assert np.isnan(r.ci_low) and n == 1  # one audit has no interval
        else:
            assert (r.ci_low, r.ci_high) == pytest.approx((low, high)), r
        checked += 1
    assert checked == 26
    assert report["missing"] == {
        3: [
            "gap 3 needs delivery audits for Assurance in this selection "
            "(none in your scope, units or period)"
        ]
    }


def test_minimum_n_suppresses_with_n_shown(fresh_engine):
    """With the default minimum of 10 respondents, two managers are too few:
    gaps 1 and 2 are suppressed, their n kept; 17 customers are enough."""
    _load(fresh_engine)
    with Session(fresh_engine) as session:
        summary = gaps_report(session, Scope.everything(), Filters(), 10)["summary"]
    mgmt = summary[summary["gap"].isin([1, 2])]
    assert (mgmt["status"] == "too few respondents").all() and mgmt["value"].isna().all()
    assert (mgmt["n"] == 2).all()
    customers = summary[summary["gap"] == 5]
    assert (customers["status"] == "shown").all() and (customers["n"] == 17).all()


def test_a_missing_input_is_named_with_its_import_command(fresh_engine):
    _load(fresh_engine, skip=("standards", "promises"))
    with Session(fresh_engine) as session:
        view = gaps_view(session, Scope.everything(), Filters(), MIN_N)
    assert view.missing[2] == ["gap 2 needs service standards: import them with `csat import standards`"]
    assert "gap 4 needs published promises: import them with `csat import promises`" in view.missing[4]
    assert view.table[["gap2", "gap3", "gap4"]].isna().all().all()
    assert view.table["gap5"].notna().all()  # what needs no standard is still shown


def test_channels_show_volume_and_tone_beside_the_survey(fresh_engine):
    _load(fresh_engine)
    resp = read_sample("responses.csv").assign(channel=lambda d: d["channel"].replace("", "survey"))
    with Session(fresh_engine) as session:
        table = channel_view(session, Scope.everything(), Filters(), MIN_N)
    volume = resp.groupby(["wave", "channel"]).size()
    got = table.set_index(["wave", "channel"])
    assert got["responses"].to_dict() == volume.to_dict()
    overall = resp[resp["OVERALL"] != ""].astype({"OVERALL": float})
    for (wave, channel), values in overall.groupby(["wave", "channel"])["OVERALL"]:
        row = got.loc[(wave, channel)]
        assert row["rated"] == len(values)
        if len(values) >= MIN_N:
            assert row["csi"] == pytest.approx((values.mean() - 1) / 9 * 100)  # OVERALL is on 1-10
            half = stats.t.ppf(T, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)) / 9 * 100
            assert row["csi_high"] - row["csi"] == pytest.approx(half)
        else:
            assert row["suppressed"] and np.isnan(row["csi"])


def test_benchmarks_sit_beside_our_index_for_the_same_period(fresh_engine):
    """Oracle: pandas over responses.csv (survey channel) and benchmarks.csv."""
    _load(fresh_engine)
    run_import(fresh_engine, "benchmarks", SAMPLES / "benchmarks.csv")
    with Session(fresh_engine) as session:
        table = benchmark_comparison(session, Scope.everything(), MIN_N).set_index("period")
    resp = read_sample("responses.csv")
    survey = resp[resp["channel"].isin(["", "survey"])]
    assert table.loc["2025", "status"] == "no survey wave within this period" and table.loc["2025", "n"] == 0
    half_year = table.loc["2026-H1"]  # both sample waves lie in the first half of 2026
    overall = survey["OVERALL"].astype(float)
    assert half_year["waves"] == "S-2026-Q1, S-2026-Q2" and half_year["n"] == len(overall)
    assert half_year["own_index"] == pytest.approx((overall.mean() - 1) / 9 * 100)
    assert half_year["difference"] == pytest.approx(half_year["own_index"] - 75.8)
    quarter = table.loc["2026-Q1"]  # the competitor's Responsiveness index, first quarter only
    q1 = survey[survey["wave"] == "S-2026-Q1"]
    s_items = _long(q1, "_P", "response_id").query("element == 'S'")
    assert quarter["what"] == "Responsiveness" and quarter["n"] == s_items["response_id"].nunique()
    assert quarter["own_index"] == pytest.approx(_index(s_items["value"].mean()))
    assert quarter["own_low"] < quarter["own_index"] < quarter["own_high"]


def test_csat_metrics_gaps_shows_the_page_numbers(sqlite_engine):
    _load(sqlite_engine)
    with Session(sqlite_engine) as session:
        report = gaps_report(session, Scope.everything(), Filters(), MIN_N)
        printed = json.loads(compute_metric(session, "gaps", min_n=MIN_N))
    cli = printed["summary"]  # JSON: a missing number is null
    assert len(cli) == len(report["summary"]) and printed["min_n"] == MIN_N
    for got, want in zip(cli, report["summary"].to_dict("records"), strict=True):
        for column in ("gap", "element", "measure", "n", "status", "source", "unit", "method"):
            assert got[column] == want[column]
        for column in ("value", "ci_low", "ci_high"):
            assert got[column] == (None if np.isnan(want[column]) else pytest.approx(want[column]))


def test_a_branch_viewer_sees_only_its_branch(sqlite_engine):
    """North Quay's viewer: its managers, audits and responses only (pandas
    over the files restricted to branch N01)."""
    _load(sqlite_engine)
    with Session(sqlite_engine) as session:
        north = int(session.scalar(text("SELECT id FROM branch WHERE code = 'N01'")))
        scope = Scope(branch_ids=frozenset({north}))
        summary = gaps_report(session, scope, Filters(), 1)["summary"]
        channels = channel_view(session, scope, Filters(), 1)
    resp = read_sample("responses.csv")
    mine = resp[resp["branch_code"] == "N01"].assign(channel=lambda d: d["channel"].replace("", "survey"))
    assert channels["responses"].sum() == len(mine)
    audits = read_sample("audits.csv")
    audited = summary[summary["measure"] == "audit score − target"].set_index("element")["n"]
    assert audited.to_dict() == {
        e: int((audits["branch_code"].eq("N01") & audits["element"].eq(e)).sum()) for e in RATER
    }
    managers = read_sample("management_survey.csv")
    assert (
        summary.loc[summary["gap"] == 2, "n"]
        == managers.loc[managers["branch_code"] == "N01", "respondent_ref"].nunique()
    ).all()
    survey_n = len(mine[mine["channel"] == "survey"])
    assert (summary.loc[summary["gap"] == 5, "n"] == survey_n).all()


def test_beliefs_on_another_scale_are_not_compared(sqlite_engine, tmp_path):
    """A management template on 1-5 against customers' 1-7 items: gap 1 says
    why it cannot be computed; gap 2 (an index) still can."""
    load_samples(sqlite_engine)
    template = (SAMPLES / "management_template.yaml").read_text(encoding="utf-8")
    template = template.replace("code: SERVQUAL22-MGMT", "code: MGMT5").replace(
        "{min: 1, max: 7}", "{min: 1, max: 5}"
    )
    (tmp_path / "mgmt5.yaml").write_text(template, encoding="utf-8")
    run_import(sqlite_engine, "template", tmp_path / "mgmt5.yaml")
    survey = read_sample("management_survey.csv").assign(template_code="MGMT5")
    items = [c for c in survey.columns if c.endswith("_E") and not c.startswith("IMP_")]
    survey[items] = survey[items].map(lambda v: v if v == "" else str(min(int(v), 5)))
    survey.to_csv(tmp_path / "mgmt5.csv", index=False)
    run_import(sqlite_engine, "management_survey", tmp_path / "mgmt5.csv")
    run_import(sqlite_engine, "standards", SAMPLES / "standards.csv")
    with Session(sqlite_engine) as session:
        report = gaps_report(session, Scope.everything(), Filters(), MIN_N)
    summary = report["summary"]
    assert (summary.loc[summary["gap"] == 1, "status"] == "missing input").all()
    assert (
        "gap 1 needs management's beliefs about Reliability on the customers' 1-7 scale"
        in report["missing"][1]
    )
    beliefs = survey.melt(id_vars=["respondent_ref"], value_vars=[c for c in items if c.startswith("R")])
    beliefs = beliefs[beliefs["value"] != ""].astype({"value": float})
    gap2 = summary[(summary["gap"] == 2) & (summary["element"] == "R")].iloc[0]
    assert gap2["value"] == pytest.approx(85 - (beliefs["value"].mean() - 1) / 4 * 100)
