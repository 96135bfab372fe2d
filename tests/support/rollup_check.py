"""Recompute rollups from raw answers with pandas, to compare with the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import text

from dashboard.db.models import ITEM_MEASURES

KEYS = ["wave_id", "branch_id", "department_id", "channel", "segment", "question_id"]


def raw_answers(conn) -> pd.DataFrame:
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


def expected_rollup(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
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


def rollup_table(conn, name: str, keys: list[str]) -> pd.DataFrame:
    df = pd.read_sql(text(f"SELECT {', '.join(keys + list(ITEM_MEASURES))} FROM {name}"), conn)
    return df.sort_values(keys).reset_index(drop=True)


def assert_frames_equal(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert len(actual) == len(expected)
    pd.testing.assert_frame_equal(
        actual.astype(float, errors="ignore"),
        expected.astype(float, errors="ignore"),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
    )


def assert_rollups_match_answers(conn) -> None:
    raw = raw_answers(conn)
    assert_frames_equal(rollup_table(conn, "rollup_item_segment", KEYS), expected_rollup(raw, KEYS))
    coarse = [k for k in KEYS if k != "segment"]
    assert_frames_equal(rollup_table(conn, "rollup_item", coarse), expected_rollup(raw, coarse))
