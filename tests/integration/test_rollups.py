"""Rollup tables equal a direct aggregate of the raw answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import text

from dashboard.db.models import ITEM_MEASURES
from dashboard.db.rollup_refresh import refresh_rollups

KEYS = ["wave_id", "branch_id", "department_id", "channel", "segment", "question_id"]


def _raw_answers(conn) -> pd.DataFrame:
    df = pd.read_sql(
        text(
            "SELECT r.wave_id, r.branch_id, r.department_id, r.channel, r.segment, a.question_id, "
            "a.expectation, a.perception, q.scale_min, q.scale_max, q.reverse_coded "
            "FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
            "WHERE q.qtype IN ('scale', 'nps')"
        ),
        conn,
    )
    rev = df["reverse_coded"].astype(bool)
    for col, out in (("perception", "p"), ("expectation", "e")):
        v = df[col].astype(float)
        df[out] = np.where(rev, df["scale_min"] + df["scale_max"] - v, v)
    df["g"] = df["p"] - df["e"]
    return df


def _expected(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    hi, lo = df["scale_max"], df["scale_min"]
    df = df.assign(
        p2=df.p**2,
        e2=df.e**2,
        g2=df.g**2,
        top1=(df.p == hi).astype(int),
        top2=(df.p >= hi - 1).astype(int),
        low=(df.p <= lo + 0.6 * (hi - lo)).astype(int),
    )
    out = df.groupby(keys).agg(
        n_p=("p", "count"),
        sum_p=("p", "sum"),
        sumsq_p=("p2", "sum"),
        n_e=("e", "count"),
        sum_e=("e", "sum"),
        sumsq_e=("e2", "sum"),
        n_gap=("g", "count"),
        sum_gap=("g", "sum"),
        sumsq_gap=("g2", "sum"),
        top1=("top1", "sum"),
        top2=("top2", "sum"),
        low=("low", "sum"),
    )
    return out.reset_index().sort_values(keys).reset_index(drop=True)


def _table(conn, name: str, keys: list[str]) -> pd.DataFrame:
    df = pd.read_sql(text(f"SELECT {', '.join(keys + list(ITEM_MEASURES))} FROM {name}"), conn)
    return df.sort_values(keys).reset_index(drop=True)


def _assert_equal(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert len(actual) == len(expected)
    pd.testing.assert_frame_equal(
        actual.astype(float, errors="ignore"),
        expected.astype(float, errors="ignore"),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
    )


def test_rollups_equal_raw_aggregate(demo_engine):
    with demo_engine.connect() as conn:
        raw = _raw_answers(conn)
        _assert_equal(_table(conn, "rollup_item_segment", KEYS), _expected(raw, KEYS))
        coarse = [k for k in KEYS if k != "segment"]
        _assert_equal(_table(conn, "rollup_item", coarse), _expected(raw, coarse))


def test_importance_rollup_equals_raw(demo_engine):
    with demo_engine.connect() as conn:
        raw = pd.read_sql(
            text(
                "SELECT r.wave_id, r.branch_id, r.department_id, r.channel, r.segment, i.element, i.points "
                "FROM importance_allocation i JOIN response r ON r.id = i.response_id"
            ),
            conn,
        )
        keys = ["wave_id", "branch_id", "department_id", "channel", "segment", "element"]
        expected = (
            raw.assign(p2=raw.points.astype(float) ** 2)
            .groupby(keys)
            .agg(n=("points", "count"), sum_points=("points", "sum"), sumsq_points=("p2", "sum"))
            .reset_index()
            .sort_values(keys)
            .reset_index(drop=True)
        )
        actual = (
            pd.read_sql(
                text(f"SELECT {', '.join(keys)}, n, sum_points, sumsq_points FROM rollup_importance"), conn
            )
            .sort_values(keys)
            .reset_index(drop=True)
        )
        assert len(expected) > 0
        pd.testing.assert_frame_equal(actual, expected, check_dtype=False)


def test_partial_refresh_after_an_edit_matches_full_aggregate(demo_engine):
    """Editing answers of one wave x branch and refreshing only that
    partition leaves every rollup equal to the raw aggregate."""
    with demo_engine.connect() as conn:
        trans = conn.begin()
        try:
            wave_id, branch_id = conn.execute(
                text("SELECT wave_id, branch_id FROM response ORDER BY id LIMIT 1")
            ).one()
            conn.execute(
                text(
                    "UPDATE answer SET perception = 1 WHERE response_id IN "
                    "(SELECT id FROM response WHERE wave_id = :w AND branch_id = :b)"
                ),
                {"w": wave_id, "b": branch_id},
            )
            refresh_rollups(conn, wave_ids=[wave_id], branch_ids=[branch_id])
            raw = _raw_answers(conn)
            _assert_equal(_table(conn, "rollup_item_segment", KEYS), _expected(raw, KEYS))
        finally:
            trans.rollback()
