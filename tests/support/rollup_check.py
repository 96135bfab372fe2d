"""The rollup oracle: rollups recomputed with pandas from the raw answers (in
the database, or in a responses file), independently of the SQL that builds
them, and compared with the tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

ITEM_KEYS = ["wave_id", "branch_id", "department_id", "channel", "segment", "question_id"]
ITEM_MEASURES = ["n_p", "sum_p", "sumsq_p", "n_e", "sum_e", "sumsq_e", "n_gap", "sum_gap", "sumsq_gap"]
ITEM_MEASURES += ["top1", "top2", "low"]
IMPORTANCE_KEYS = [*ITEM_KEYS[:5], "element"]
IMPORTANCE_MEASURES = ["n", "sum_points", "sumsq_points"]
ELEMENT_KEYS = [*ITEM_KEYS[:5], "element", "scale_min", "scale_max"]
ELEMENT_MEASURES = [f"{stat}_{m}" for m in ("e", "p", "gap") for stat in ("n", "sum", "sumsq")]
TEXT_KEYS = ("channel", "segment", "element")


def _reverse_coded(df: pd.DataFrame, perception: str, expectation: str) -> pd.DataFrame:
    """p, e and g = p - e on the question's scale lo..hi, reversed = lo + hi - x."""
    rev = df["reverse_coded"].astype(bool)
    for col, out in ((perception, "p"), (expectation, "e")):
        v = df[col].astype(float)
        df[out] = np.where(rev, df["lo"] + df["hi"] - v, v)
    df["g"] = df["p"] - df["e"]
    return df


def raw_answers(conn) -> pd.DataFrame:
    """Every scale/NPS answer in the database, long form."""
    df = pd.read_sql(
        text(
            "SELECT r.id AS response_id, r.wave_id, r.branch_id, r.department_id, r.channel, r.segment, "
            "a.question_id, q.element, a.expectation, a.perception, q.scale_min AS lo, q.scale_max AS hi, "
            "q.reverse_coded "
            "FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
            "WHERE q.qtype IN ('scale', 'nps')"
        ),
        conn,
    )
    return _reverse_coded(df, "perception", "expectation")


def _ids(conn, table: str, key: str = "code") -> dict[str, int]:
    return dict(conn.execute(text(f"SELECT {key}, id FROM {table}")).all())


def _segment(row: dict[str, str], segments: dict[str, str]) -> str | None:
    """The file's segment, else the customer's."""
    return row.get("segment") or segments.get(row.get("customer_ref", ""))


def _file_rows(conn, raw: pd.DataFrame) -> pd.DataFrame:
    """The partition keys of each row of a wide responses file, as database ids."""
    segments = dict(conn.execute(text("SELECT external_ref, segment FROM customer")).all())
    base = pd.DataFrame(
        {
            "row": raw.index,
            "wave_id": raw["wave"].map(_ids(conn, "wave")),
            "branch_id": raw["branch_code"].map(_ids(conn, "branch")),
            "department_id": raw["department_code"].map(_ids(conn, "department")),
            "channel": raw.get("channel", pd.Series("", index=raw.index)).replace("", "survey"),
            "segment": [_segment(row, segments) for row in raw.to_dict("records")],
        }
    )
    return base


def file_answers(conn, path: Path) -> pd.DataFrame:
    """Answers of a wide responses CSV in long form, keyed by database ids."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    template_of = dict(conn.execute(text("SELECT id, template_id FROM wave")).all())
    questions = pd.read_sql(
        text(
            "SELECT id AS question_id, template_id, code, element, scale_min AS lo, scale_max AS hi, "
            "reverse_coded "
            "FROM question WHERE qtype IN ('scale', 'nps')"
        ),
        conn,
    )
    base = _file_rows(conn, raw)
    base["template_id"] = base["wave_id"].map(template_of)
    cells = []
    for col in raw.columns:
        code, part = (col[:-2], col[-1]) if col[-2:] in ("_E", "_P") else (col, "P")
        values = pd.to_numeric(raw[col].replace("", np.nan), errors="coerce")
        cells.append(pd.DataFrame({"row": raw.index, "code": code, "part": part, "value": values}))
    long = pd.concat(cells).dropna(subset=["value"])
    wide = long.pivot_table(index=["row", "code"], columns="part", values="value", aggfunc="first")
    wide = wide.reindex(columns=["E", "P"]).reset_index()
    df = wide.merge(base, on="row").merge(questions, on=["template_id", "code"])  # drops non-questions
    return _reverse_coded(df, "P", "E")


def item_rollup(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """rollup_item(_segment) measures computed from long-form answers."""
    df = df.assign(
        p2=df.p**2,
        e2=df.e**2,
        g2=df.g**2,
        top1=(df.p == df.hi).astype(int),
        top2=(df.p >= df.hi - 1).astype(int),
        low=(df.p <= df.lo + 0.6 * (df.hi - df.lo)).astype(int),
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
    return _normalise(out.reset_index(), keys)


def element_rollup(df: pd.DataFrame, respondent: str) -> pd.DataFrame:
    """rollup_element measures from long-form answers: each respondent's mean
    e, p and g over one element's items (pandas' mean skips the missing, so
    g's mean is over the items with both answered), then per cell the count,
    sum and sum of squares of those means."""
    df = df[df["element"].notna()].rename(columns={"lo": "scale_min", "hi": "scale_max"})
    means = df.groupby([*ELEMENT_KEYS, respondent])[["e", "p", "g"]].mean().reset_index()
    spec = {}
    for m, col in (("e", "e"), ("p", "p"), ("gap", "g")):
        means[f"{col}2"] = means[col] ** 2
        spec |= {f"n_{m}": (col, "count"), f"sum_{m}": (col, "sum"), f"sumsq_{m}": (f"{col}2", "sum")}
    out = means.groupby(ELEMENT_KEYS).agg(**spec)
    return _normalise(out.reset_index(), ELEMENT_KEYS)


def raw_importance(conn) -> pd.DataFrame:
    """Every stated-importance allocation in the database, long form."""
    return pd.read_sql(
        text(
            "SELECT r.wave_id, r.branch_id, r.department_id, r.channel, r.segment, i.element, i.points "
            "FROM importance_allocation i JOIN response r ON r.id = i.response_id"
        ),
        conn,
    )


def file_importance(conn, path: Path) -> pd.DataFrame:
    """The IMP_* columns of a wide responses CSV, long form."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    base = _file_rows(conn, raw)
    imp = raw[[c for c in raw.columns if c.startswith("IMP_")]].replace("", np.nan).astype(float)
    imp = imp.dropna(how="all").stack().rename("points").reset_index()
    imp.columns = ["row", "column", "points"]
    imp["element"] = imp["column"].str[-1]
    return imp.merge(base, on="row")


def importance_rollup(df: pd.DataFrame) -> pd.DataFrame:
    """rollup_importance measures computed from long-form allocations."""
    df = df.assign(sq=df.points.astype(float) ** 2)
    out = df.groupby(IMPORTANCE_KEYS).agg(
        n=("points", "count"), sum_points=("points", "sum"), sumsq_points=("sq", "sum")
    )
    return _normalise(out.reset_index(), IMPORTANCE_KEYS)


def rollup_table(conn, table: str, keys: list[str], measures: list[str] = ITEM_MEASURES) -> pd.DataFrame:
    """A rollup table's rows, sorted by key, in the pandas aggregate's shape."""
    df = pd.read_sql(text(f"SELECT {', '.join(keys + measures)} FROM {table}"), conn)
    return _normalise(df, keys)


def _normalise(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    for k in keys:
        df[k] = df[k].astype(str) if k in TEXT_KEYS else df[k].astype("int64")
    measures = [c for c in df.columns if c not in keys]
    df[measures] = df[measures].astype(float)
    return df.sort_values(keys).reset_index(drop=True)


def assert_same_rollup(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert len(actual) == len(expected)
    pd.testing.assert_frame_equal(actual, expected, check_exact=False, rtol=1e-9)


COARSE_KEYS = [k for k in ITEM_KEYS if k != "segment"]


def assert_rollups_match_answers(conn) -> None:
    """Both item rollups and the element rollup, whole, equal the aggregate of
    every answer in the database."""
    raw = raw_answers(conn)
    for table, keys in (("rollup_item_segment", ITEM_KEYS), ("rollup_item", COARSE_KEYS)):
        assert_same_rollup(rollup_table(conn, table, keys), item_rollup(raw, keys))
    elements = rollup_table(conn, "rollup_element", ELEMENT_KEYS, ELEMENT_MEASURES)
    assert_same_rollup(elements, element_rollup(raw, "response_id"))


def assert_rollups_match_file(conn, path: Path) -> None:
    """The rollups of the waves a responses file is in equal the aggregate of
    the file's answers (and of its importance points, when it has any)."""
    answers = file_answers(conn, path)
    waves = set(answers["wave_id"])

    def of_file_waves(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["wave_id"].isin(waves)].reset_index(drop=True)

    for table, keys in (("rollup_item_segment", ITEM_KEYS), ("rollup_item", COARSE_KEYS)):
        assert_same_rollup(of_file_waves(rollup_table(conn, table, keys)), item_rollup(answers, keys))
    elements = of_file_waves(rollup_table(conn, "rollup_element", ELEMENT_KEYS, ELEMENT_MEASURES))
    assert_same_rollup(elements, element_rollup(answers, "row"))
    if "IMP_R" in pd.read_csv(path, nrows=0).columns:
        got = of_file_waves(rollup_table(conn, "rollup_importance", IMPORTANCE_KEYS, IMPORTANCE_MEASURES))
        assert_same_rollup(got, importance_rollup(file_importance(conn, path)))
