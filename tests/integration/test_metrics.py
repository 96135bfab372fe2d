"""Metric services on the demo data: they equal a raw-answer computation and
they find the structure the demo planted (docs/DEMO-DATA.md)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Branch, Wave
from dashboard.ingest.demo import plan
from dashboard.queries.filters import Filters
from dashboard.services import changes
from dashboard.services import metrics as svc
from dashboard.services.metrics_cli import compute_metric

EVERYONE = Scope.everything()


def _waves(session, before: str | None = None, since: str | None = None) -> tuple[int, ...]:
    stmt = select(Wave.id)
    if before:
        stmt = stmt.where(Wave.code < before)
    if since:
        stmt = stmt.where(Wave.code >= since)
    return tuple(session.scalars(stmt))


def test_element_csi_equals_raw_answer_computation(demo_engine):
    with Session(demo_engine) as s:
        got = svc.csi_by(s, EVERYONE, Filters(), ("element",), min_n=10).set_index("element")
        raw = pd.read_sql(
            text(
                "SELECT q.element, a.perception FROM answer a JOIN response r ON r.id = a.response_id "
                "JOIN question q ON q.id = a.question_id WHERE r.channel = 'survey' AND q.element IS NOT NULL"
            ),
            s.connection(),
        )
    expected = 100 * (raw.groupby("element")["perception"].mean() - 1) / 6
    assert got["csi"].to_dict() == pytest.approx(expected.to_dict())
    assert got["n"].to_dict() == raw.groupby("element").size().to_dict()


def test_overall_ranking_means_equal_raw_branch_means(demo_engine):
    with Session(demo_engine) as s:
        ranked = svc.unit_ranking(s, EVERYONE, Filters(), "branch", None, min_n=10).set_index("code")
        raw = pd.read_sql(
            text(
                "SELECT b.code, a.perception FROM answer a JOIN response r ON r.id = a.response_id "
                "JOIN question q ON q.id = a.question_id JOIN branch b ON b.id = r.branch_id "
                "WHERE r.channel = 'survey' AND q.construct = 'overall'"
            ),
            s.connection(),
        )
    expected = 100 * (raw.groupby("code")["perception"].mean() - 1) / 9
    assert ranked["mean"].to_dict() == pytest.approx(expected.to_dict())
    assert ranked["n"].to_dict() == raw.groupby("code").size().to_dict()


@pytest.mark.parametrize(("branch", "element"), [(b, e) for (b, e) in plan.WEAK_ELEMENTS])
def test_planted_weak_elements_rank_last(demo_engine, branch, element):
    with Session(demo_engine) as s:
        waves = _waves(s, before="2024-Q3") if branch == plan.EFFECTIVE_PLAN["branch"] else None
        ranked = svc.unit_ranking(s, EVERYONE, Filters(wave_ids=waves), "branch", element, min_n=10)
    ranked = ranked[ranked["status"] == "ranked"]
    assert ranked.iloc[-1]["code"] == branch, ranked[["code", "mean", "rank"]]


def test_small_branch_is_suppressed_not_ranked_in_a_single_wave(demo_engine):
    with Session(demo_engine) as s:
        latest = max(_waves(s))
        ranked = svc.unit_ranking(s, EVERYONE, Filters(wave_ids=(latest,)), "branch", None, min_n=10)
    kiosk = ranked[ranked["code"] == "B12"]
    assert kiosk.empty or (kiosk["status"] == "too few responses").all()


def test_management_overrates_tangibles_and_drivers_match_customers(demo_engine):
    with Session(demo_engine) as s:
        report = json.loads(compute_metric(s, "gaps", min_n=10))
        drivers = svc.drivers(s, EVERYONE, Filters(), min_n=30)
    ranks = pd.DataFrame(report["gap1_importance"]).set_index("element")
    assert ranks["management_importance_rank"].idxmin() == "T"
    assert ranks["customer_importance_rank"].idxmin() == "R"
    summary = pd.DataFrame(report["summary"])
    gap1 = summary[summary["gap"] == 1].set_index("element")
    assert gap1.loc["T", "value"] > 0.5  # managers believe customers expect more of Tangibles
    assert gap1.loc["T", "ci_low"] < gap1.loc["T", "value"] < gap1.loc["T", "ci_high"]
    top_two = drivers.sort_values("lmg", ascending=False)["driver"].head(2).tolist()
    assert set(top_two) == {"R", "S"}
    assert drivers.attrs["r_squared"] > 0.3


def test_effective_plan_shows_as_a_significant_change(demo_engine):
    with Session(demo_engine) as s:
        branch = s.scalar(select(Branch.id).where(Branch.code == plan.EFFECTIVE_PLAN["branch"]))
        before = svc.csi_by(
            s,
            EVERYONE,
            Filters(wave_ids=_waves(s, before="2024-Q3"), branch_ids=(branch,)),
            ("element",),
            min_n=10,
        )
        after = svc.csi_by(
            s,
            EVERYONE,
            Filters(wave_ids=_waves(s, since="2025-Q1"), branch_ids=(branch,)),
            ("element",),
            min_n=10,
        )
    delta = after.set_index("element")["csi"] - before.set_index("element")["csi"]
    assert delta["S"] > 8 and delta["S"] == delta.max()


def test_metrics_cli_prints_json(demo_engine, monkeypatch):
    from dashboard.cli import main

    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    out = runner.invoke(main, ["metrics", "csi", "--by", "element", "--wave", "2026-Q3"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["rows"]
    assert {r["element"] for r in rows} == set("RATES") and all("csi_low" in r for r in rows)
    out = runner.invoke(main, ["metrics", "change", "--wave", "2026-Q2", "--wave", "2026-Q3"])
    assert json.loads(out.output)["test"] == "Welch two-sample t-test"
    out = runner.invoke(main, ["metrics", "csi", "--branch", "NOPE"])
    assert out.exit_code != 0 and "unknown branch: NOPE" in out.output


def test_weighted_index_equals_raw_respondent_computation(demo_engine):
    with Session(demo_engine) as s:
        got = svc.weighted_csi(s, EVERYONE, Filters(), min_n=30)
        raw = pd.read_sql(
            text(
                "SELECT a.response_id, q.element, q.construct, a.perception FROM answer a "
                "JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
                "WHERE r.channel = 'survey' AND (q.element IS NOT NULL OR q.construct = 'overall')"
            ),
            s.connection(),
        )
        points = pd.read_sql(
            text(
                "SELECT i.element, AVG(i.points) AS mean_points FROM importance_allocation i "
                "JOIN response r ON r.id = i.response_id WHERE r.channel = 'survey' GROUP BY i.element"
            ),
            s.connection(),
        ).set_index("element")["mean_points"]
    complete = raw.groupby("response_id").filter(lambda g: g["construct"].eq("overall").any())
    per = (
        complete[complete["element"].notna()]
        .pivot_table(index="response_id", columns="element", values="perception", aggfunc="mean")
        .dropna()
    )
    csi = 100 * (per.mean() - 1) / 6
    w = points / points.sum()
    assert got["n"] == len(per)
    assert got["stated_weighted"]["value"] == pytest.approx(float((csi * w).sum()))
    assert got["unweighted"]["value"] == pytest.approx(float(csi.mean()))
    assert sum(got["derived_weights"].values()) == pytest.approx(1.0)
    lo, hi = got["stated_weighted"]["ci_low"], got["stated_weighted"]["ci_high"]
    assert lo < got["stated_weighted"]["value"] < hi


def test_loyalty_by_level_equals_raw_and_shows_the_top_box_effect(demo_engine):
    with Session(demo_engine) as s:
        got = svc.loyalty(s, EVERYONE, Filters(), min_n=10).set_index("level")
        raw = pd.read_sql(
            text(
                "SELECT a.response_id, q.construct, a.perception FROM answer a "
                "JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
                "WHERE r.channel = 'survey' AND q.construct IN ('overall', 'recommend')"
            ),
            s.connection(),
        )
    wide = raw.pivot_table(index="response_id", columns="construct", values="perception").dropna()
    expected = wide.groupby("overall")["recommend"].agg(n="size", promoters=lambda v: (v >= 9).sum())
    assert got["n"].to_dict() == {int(k): int(v) for k, v in expected["n"].items()}
    shown = got[got["n"] >= 10]
    assert shown["loyal"].to_dict() == {int(k): int(expected.loc[k, "promoters"]) for k in shown.index}
    small = got[got["n"] < 10]  # a level under the minimum keeps only its n
    assert small[["loyal", "rate", "mean_recommend"]].isna().all().all()
    assert (small["status"] == "too few responses").all()
    # the highly satisfied are far more loyal than the merely satisfied (DOMAIN 4)
    assert got.loc[10, "rate"] > 2 * got.loc[8, "rate"]


def test_acsi_from_rollups_equals_pls_on_raw_answers(demo_engine):
    from dashboard.analytics.pls import pls_path_model
    from dashboard.ingest.template_loader import builtin_template

    model = builtin_template()["structural_model"]
    with Session(demo_engine) as s:
        got = svc.acsi(s, EVERYONE, Filters(), min_n=30, resamples=100)
        raw = pd.read_sql(
            text(
                "SELECT a.response_id, q.code, a.perception FROM answer a "
                "JOIN response r ON r.id = a.response_id "
                "JOIN question q ON q.id = a.question_id WHERE r.channel = 'survey'"
            ),
            s.connection(),
        )
    codes = [c for items in model["constructs"].values() for c in items]
    wide = raw.pivot_table(index="response_id", columns="code", values="perception")[codes].dropna()
    scales = {c: (0, 10) if c == "NPS" else (1, 10) if c == "OVERALL" else (1, 7) for c in codes}
    expected = pls_path_model(wide, model["constructs"], [tuple(p) for p in model["paths"]], scales)
    assert got["n"] == len(wide)
    assert got["index"] == pytest.approx(expected.index, abs=1e-6)
    assert got["r_squared"] == pytest.approx(expected.r_squared, abs=1e-6)
    # the PLS paths recover the planted drivers: Reliability and Responsiveness lead
    paths = got["paths"].set_index("from")["coefficient"]
    assert set(paths.drop("satisfaction").nlargest(2).index) == {"reliability", "responsiveness"}
    # a single-indicator construct's index is that item's CSI
    assert got["index"]["satisfaction"] == pytest.approx(100 * (wide["OVERALL"].mean() - 1) / 9)


def test_movers_and_unit_comparison_match_raw_welch_tests(demo_engine):
    from scipy import stats

    with Session(demo_engine) as s:
        w1, w2 = (
            s.scalar(select(Wave.id).where(Wave.code == "2024-Q2")),
            s.scalar(select(Wave.id).where(Wave.code == "2025-Q2")),
        )
        moved = changes.biggest_movers(s, EVERYONE, Filters(), w1, w2, "branch", min_n=10)
        compared = json.loads(compute_metric(s, "change", branches=("B02", "B05"), min_n=10))
        raw = pd.read_sql(
            text(
                "SELECT w.code AS wave, b.code AS branch, a.perception FROM answer a "
                "JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
                "JOIN wave w ON w.id = r.wave_id JOIN branch b ON b.id = r.branch_id "
                "WHERE r.channel = 'survey' AND q.construct = 'overall'"
            ),
            s.connection(),
        )
    assert list(moved["change"].abs()) == sorted(moved["change"].abs(), reverse=True)
    top = moved.iloc[0]
    a = raw[(raw.wave == "2024-Q2") & (raw.branch == top.code)].perception
    b = raw[(raw.wave == "2025-Q2") & (raw.branch == top.code)].perception
    assert top.p_value == pytest.approx(stats.ttest_ind(b, a, equal_var=False).pvalue)  # oracle: scipy
    assert (moved["n_prev"] >= 10).all() and (moved["n_curr"] >= 10).all()
    a, b = raw[raw.branch == "B02"].perception, raw[raw.branch == "B05"].perception
    assert compared["p_value"] == pytest.approx(stats.ttest_ind(b, a, equal_var=False).pvalue)


def test_headline_top_boxes_equal_raw_shares(demo_engine):
    with Session(demo_engine) as s:
        got = svc.headline(s, EVERYONE, Filters(), min_n=10)
        raw = pd.read_sql(
            text(
                "SELECT a.perception FROM answer a JOIN response r ON r.id = a.response_id "
                "JOIN question q ON q.id = a.question_id "
                "WHERE r.channel = 'survey' AND q.construct = 'overall'"
            ),
            s.connection(),
        )["perception"]
    assert got["overall_top_box_pct"]["value"] == pytest.approx(100 * (raw == 10).mean())
    assert got["overall_top2_box_pct"]["value"] == pytest.approx(100 * (raw >= 9).mean())
    assert got["overall_csi"]["n"] == len(raw)


def test_element_csi_ci_uses_the_viewers_respondents(demo_engine):
    """Element rows take their CI from the respondents' element means of the
    viewer's scope: a branch head's CIs equal the drill-down narrowed to that
    branch, and are wider than the organisation's."""
    from dashboard.services.drilldown import element_profile

    with Session(demo_engine) as s:
        branch = s.scalar(select(Branch.id).where(Branch.code == "B03"))
        head = Scope(branch_ids=frozenset({branch}), label="head of B03")
        mine = svc.csi_by(s, head, Filters(), ("element",), min_n=10).set_index("element")
        narrowed = element_profile(s, EVERYONE, Filters(branch_ids=(branch,)), 10).set_index("element")
        everyone = svc.csi_by(s, EVERYONE, Filters(), ("element",), min_n=10).set_index("element")
        by_wave = svc.csi_by(s, head, Filters(), ("wave_id", "element"), min_n=10)
        items = svc.csi_by(s, head, Filters(), ("element", "code"), min_n=10)
    cols = ["csi", "csi_low", "csi_high", "se"]
    assert (mine["ci_basis"] == "respondents").all() and (by_wave["ci_basis"] == "respondents").all()
    assert mine[cols].to_numpy() == pytest.approx(narrowed.loc[mine.index, cols].to_numpy(), rel=1e-12)
    assert (mine["se"] > everyone["se"]).all()
    # a single item has one answer per respondent: its t interval already counts respondents
    assert (items["ci_basis"] == "respondents").all()
