"""Indicator cross-product rollup for templates with a structural model.

Per response the model's indicators are pivoted into one row (reverse coding
applied), complete cases are summed per cell in SQL, and the wide result
(a few thousand cells) is unpivoted into one row per indicator pair.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection

from dashboard.db.bulk import bulk_insert

_KEYS = ("wave_id", "branch_id", "department_id", "channel")


def model_indicators(conn: Connection, template_id: int, model: dict) -> list[int]:
    codes = [c for items in model["constructs"].values() for c in items]
    rows = dict(
        conn.exec_driver_sql(f"SELECT code, id FROM question WHERE template_id = {int(template_id)}").all()
    )
    return [int(rows[c]) for c in codes if c in rows]


def refresh_indicator_pairs(conn: Connection, where: str) -> None:
    """Rebuild pairs for the partition `where` (a filter on alias r)."""
    templates = conn.exec_driver_sql(
        "SELECT id, structural_model FROM survey_template WHERE structural_model IS NOT NULL"
    ).all()
    for template_id, model in templates:
        model = json.loads(model) if isinstance(model, str) else model
        if not model:
            continue
        qids = model_indicators(conn, template_id, model)
        if len(qids) < 2:
            continue
        _refresh_template(conn, qids, where)


def _refresh_template(conn: Connection, qids: list[int], where: str) -> None:
    p = "(CASE WHEN q.reverse_coded THEN q.scale_min + q.scale_max - a.perception ELSE a.perception END)"
    pivot = ", ".join(f"MAX(CASE WHEN a.question_id = {q} THEN CAST({p} AS FLOAT) END) AS v{q}" for q in qids)
    pairs = [(a, b) for i, a in enumerate(qids) for b in qids[i:]]
    sums = ", ".join(f"SUM(x.v{q})" for q in qids)
    products = ", ".join(f"SUM(x.v{a} * x.v{b})" for a, b in pairs)
    complete = " AND ".join(f"x.v{q} IS NOT NULL" for q in qids)
    r_keys = ", ".join(f"r.{k}" for k in _KEYS)
    x_keys = ", ".join(f"x.{k}" for k in _KEYS)
    sql = (
        f"SELECT {x_keys}, COUNT(*), {sums}, {products} FROM ("
        f"SELECT {r_keys}, {pivot} FROM answer a JOIN response r ON r.id = a.response_id "
        f"JOIN question q ON q.id = a.question_id "
        f"WHERE a.question_id IN ({', '.join(map(str, qids))}) AND a.perception IS NOT NULL{where} "
        f"GROUP BY r.id, {r_keys}) x WHERE {complete} GROUP BY {x_keys}"
    )
    position = {q: i for i, q in enumerate(qids)}
    out = []
    for row in conn.exec_driver_sql(sql):
        keys, n = tuple(row[:4]), row[4]
        sum_of = row[5 : 5 + len(qids)]
        for (a, b), ab in zip(pairs, row[5 + len(qids) :], strict=True):
            out.append((*keys, a, b, n, sum_of[position[a]], sum_of[position[b]], ab))
    bulk_insert(
        conn,
        "rollup_indicator_pair",
        (*_KEYS, "question_a", "question_b", "n", "sum_a", "sum_b", "sum_ab"),
        out,
    )
