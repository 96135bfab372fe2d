"""Rollup tables equal a direct aggregate of the raw answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import text

from dashboard.db.rollup_refresh import refresh_rollups
from tests.support.rollup_check import (
    ELEMENT_KEYS,
    ELEMENT_MEASURES,
    IMPORTANCE_KEYS,
    IMPORTANCE_MEASURES,
    ITEM_KEYS,
    assert_rollups_match_answers,
    assert_same_rollup,
    element_rollup,
    importance_rollup,
    item_rollup,
    raw_answers,
    raw_importance,
    rollup_table,
)


def test_rollups_equal_raw_aggregate(demo_engine):
    with demo_engine.connect() as conn:
        assert_rollups_match_answers(conn)


def test_importance_rollup_equals_raw(demo_engine):
    with demo_engine.connect() as conn:
        expected = importance_rollup(raw_importance(conn))
        actual = rollup_table(conn, "rollup_importance", IMPORTANCE_KEYS, IMPORTANCE_MEASURES)
    assert len(expected) > 0
    assert_same_rollup(actual, expected)


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
            raw = raw_answers(conn)
            assert_same_rollup(
                rollup_table(conn, "rollup_item_segment", ITEM_KEYS), item_rollup(raw, ITEM_KEYS)
            )
            assert_same_rollup(
                rollup_table(conn, "rollup_element", ELEMENT_KEYS, ELEMENT_MEASURES),
                element_rollup(raw, "response_id"),
            )
        finally:
            trans.rollback()


def test_driver_rollup_equals_per_respondent_computation(demo_engine):
    with demo_engine.connect() as conn:
        raw = pd.read_sql(
            text(
                "SELECT a.response_id, r.wave_id, r.branch_id, r.department_id, r.channel, r.segment, "
                "q.element, "
                "q.construct, q.scale_min, q.scale_max, q.reverse_coded, a.perception FROM answer a "
                "JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
                "WHERE a.perception IS NOT NULL"
            ),
            conn,
        )
        actual = pd.read_sql(text("SELECT * FROM rollup_driver"), conn)
    p = raw["perception"].astype(float)
    raw["p"] = p.where(~raw["reverse_coded"].astype(bool), raw["scale_min"] + raw["scale_max"] - p)
    keys = ["response_id", "wave_id", "branch_id", "department_id", "channel", "segment"]
    el = raw[raw["element"].notna()].pivot_table(index=keys, columns="element", values="p", aggfunc="mean")
    ov = (
        raw[raw["construct"] == "overall"]
        .assign(o=lambda d: 100 * (d.p - d.scale_min) / (d.scale_max - d.scale_min))
        .set_index(keys)["o"]
    )
    per = el.join(ov, how="inner").dropna().reset_index()
    cell = keys[1:]
    grouped = per.groupby(cell)
    expected = grouped.size().rename("n").to_frame()
    expected["s_r"] = grouped["R"].sum()
    expected["p_so"] = grouped.apply(lambda g: (g["S"] * g["o"]).sum(), include_groups=False)
    merged = actual.set_index(cell)[["n", "s_r", "p_so"]].sort_index()
    expected = expected.sort_index()
    assert len(merged) == len(expected) > 0
    assert np.allclose(merged.to_numpy(float), expected.to_numpy(float))


def test_every_rollup_table_is_refreshed_per_partition():
    """A rollup table missing from the partition delete would make a partial
    refresh collide with its own rows."""
    from dashboard.db.base import Base
    from dashboard.db.rollup_refresh import ROLLUP_TABLES

    assert set(ROLLUP_TABLES) == {t for t in Base.metadata.tables if t.startswith("rollup_")}
