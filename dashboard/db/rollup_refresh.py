"""Keep the rollup tables equal to an aggregate of the raw answers.

Every write path (import, demo generator, edits) calls `refresh_rollups`
with the waves and branches it touched; those partitions are deleted and
rebuilt in SQL, so rollups never drift from the answers.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection

from dashboard.analytics.indices import to_index_sql
from dashboard.db.models.rollups import (
    DRIVER_PRODUCTS,
    DRIVER_SUMS,
    DRIVER_VARIABLES,
    ELEMENT_MOMENTS,
    ITEM_MEASURES,
)
from dashboard.db.rollup_pairs import refresh_indicator_pairs

_UNIT_KEYS = ("wave_id", "branch_id", "department_id", "channel")
# every table this module rebuilds; each is cleared per partition before the rebuild
ROLLUP_TABLES = (
    "rollup_item",
    "rollup_item_segment",
    "rollup_importance",
    "rollup_driver",
    "rollup_element",
    "rollup_loyalty",
    "rollup_indicator_pair",
)

# One row per scored answer with reverse coding applied; E and P share the
# item's scale, so reversing both keeps the gap's meaning.
_SCORED_ANSWERS = """
SELECT r.wave_id, r.branch_id, r.department_id, r.channel, r.segment, a.question_id,
       q.scale_min AS lo, q.scale_max AS hi,
       CAST(CASE WHEN q.reverse_coded THEN q.scale_min + q.scale_max - a.perception
                 ELSE a.perception END AS FLOAT) AS p,
       CAST(CASE WHEN q.reverse_coded THEN q.scale_min + q.scale_max - a.expectation
                 ELSE a.expectation END AS FLOAT) AS e
FROM answer a
JOIN response r ON r.id = a.response_id
JOIN question q ON q.id = a.question_id
WHERE q.qtype IN ('scale', 'nps') {where}
"""

_MEASURE_SQL = """
COUNT(x.p), COALESCE(SUM(x.p), 0), COALESCE(SUM(x.p * x.p), 0),
COUNT(x.e), COALESCE(SUM(x.e), 0), COALESCE(SUM(x.e * x.e), 0),
COUNT(x.p - x.e), COALESCE(SUM(x.p - x.e), 0), COALESCE(SUM((x.p - x.e) * (x.p - x.e)), 0),
SUM(CASE WHEN x.p = x.hi THEN 1 ELSE 0 END),
SUM(CASE WHEN x.p >= x.hi - 1 THEN 1 ELSE 0 END),
SUM(CASE WHEN x.p <= x.lo + 0.6 * (x.hi - x.lo) THEN 1 ELSE 0 END)
"""


def _partition_filter(
    prefix: str, wave_ids: Collection[int] | None, branch_ids: Collection[int] | None
) -> str:
    clauses = []
    if wave_ids is not None:
        clauses.append(f"{prefix}wave_id IN ({_int_list(wave_ids)})")
    if branch_ids is not None:
        clauses.append(f"{prefix}branch_id IN ({_int_list(branch_ids)})")
    return "".join(f" AND {c}" for c in clauses)


def _int_list(values: Collection[int]) -> str:
    # ids are integers from our own queries; int() makes injection impossible
    return ", ".join(str(int(v)) for v in values) or "NULL"


def refresh_rollups(
    conn: Connection,
    wave_ids: Collection[int] | None = None,
    branch_ids: Collection[int] | None = None,
) -> None:
    """Rebuild the rollup partitions for the given waves x branches (all when
    None) inside the caller's transaction."""
    where = _partition_filter("r.", wave_ids, branch_ids)
    if conn.dialect.name == "postgresql":
        # the GROUP BYs below spill to disk with the default 4 MB of work memory
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    for table in ROLLUP_TABLES:
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE 1=1{_partition_filter('', wave_ids, branch_ids)}")

    measures = ", ".join(ITEM_MEASURES)
    seg_keys = ", ".join((*_UNIT_KEYS, "segment", "question_id"))
    conn.exec_driver_sql(
        f"INSERT INTO rollup_item_segment ({seg_keys}, {measures}) "
        f"SELECT {', '.join('x.' + k for k in seg_keys.split(', '))}, {_MEASURE_SQL} "
        f"FROM ({_SCORED_ANSWERS.format(where=where)}) x "
        f"GROUP BY {', '.join('x.' + k for k in seg_keys.split(', '))}"
    )
    # The coarse table is a sum over segments of the fine one: far cheaper
    # than a second pass over the answers.
    item_keys = ", ".join((*_UNIT_KEYS, "question_id"))
    sums = ", ".join(f"SUM({m})" for m in ITEM_MEASURES)
    conn.exec_driver_sql(
        f"INSERT INTO rollup_item ({item_keys}, {measures}) "
        f"SELECT {item_keys}, {sums} FROM rollup_item_segment WHERE 1=1"
        f"{_partition_filter('', wave_ids, branch_ids)} GROUP BY {item_keys}"
    )
    imp_keys = ", ".join((*_UNIT_KEYS, "segment"))
    conn.exec_driver_sql(
        f"INSERT INTO rollup_importance ({imp_keys}, element, n, sum_points, sumsq_points) "
        f"SELECT {', '.join('r.' + k for k in imp_keys.split(', '))}, i.element, COUNT(*), "
        f"SUM(CAST(i.points AS FLOAT)), SUM(CAST(i.points AS FLOAT) * i.points) "
        f"FROM importance_allocation i JOIN response r ON r.id = i.response_id WHERE 1=1{where} "
        f"GROUP BY {', '.join('r.' + k for k in imp_keys.split(', '))}, i.element"
    )
    conn.exec_driver_sql(_driver_sql(where))
    conn.exec_driver_sql(element_moments_sql(where))
    conn.exec_driver_sql(_loyalty_sql(where))
    refresh_indicator_pairs(conn, where)
    refresh_customer_departments(conn)


# A customer's departments: wherever they answered a survey or raised a request.
CUSTOMER_DEPARTMENTS_SQL = (
    "INSERT INTO customer_department (department_id, customer_id) "
    "SELECT department_id, customer_id FROM response WHERE customer_id IS NOT NULL "
    "UNION SELECT department_id, customer_id FROM service_request WHERE customer_id IS NOT NULL"
)


def refresh_customer_departments(conn: Connection) -> None:
    """Rebuild `customer_department` whole (about a second at a million
    responses): partial upkeep would leave pairs behind when rows move."""
    conn.exec_driver_sql("DELETE FROM customer_department")
    conn.exec_driver_sql(CUSTOMER_DEPARTMENTS_SQL)


def _loyalty_sql(where: str) -> str:
    """Per respondent the overall-satisfaction answer and the recommend
    answer; per cell and level, respondents and promoters (9-10)."""
    keys = ", ".join((*_UNIT_KEYS, "segment"))
    r_keys = ", ".join("r." + k for k in keys.split(", "))
    x_keys = ", ".join("x." + k for k in keys.split(", "))
    return (
        f"INSERT INTO rollup_loyalty ({keys}, level, n, promoters, sum_recommend) "
        f"SELECT {x_keys}, x.level, COUNT(*), SUM(CASE WHEN x.rec >= 9 THEN 1 ELSE 0 END), SUM(x.rec) FROM ("
        f"SELECT {r_keys}, MAX(CASE WHEN q.construct = 'overall' THEN a.perception END) AS level, "
        f"CAST(MAX(CASE WHEN q.construct = 'recommend' THEN a.perception END) AS FLOAT) AS rec "
        f"FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
        f"WHERE q.construct IN ('overall', 'recommend') AND a.perception IS NOT NULL{where} "
        f"GROUP BY r.id, {r_keys}) x WHERE x.level IS NOT NULL AND x.rec IS NOT NULL "
        f"GROUP BY {x_keys}, x.level"
    )


def _driver_sql(where: str) -> str:
    """Per respondent: mean perception of each RATER element and overall
    satisfaction on 0-100; then per cell n, sums and cross-products of those
    complete cases, from which correlations follow exactly."""
    p = "(CASE WHEN q.reverse_coded THEN q.scale_min + q.scale_max - a.perception ELSE a.perception END)"
    per_element = ", ".join(
        f"AVG(CASE WHEN q.element = '{v}' THEN CAST({p} AS FLOAT) END) AS v_{v.lower()}"
        for v in DRIVER_VARIABLES
        if v != "O"
    )
    overall_index = to_index_sql(p, "q.scale_min", "q.scale_max")  # each answer on its own scale
    overall = f"AVG(CASE WHEN q.construct = 'overall' THEN {overall_index} END) AS v_o"
    names = [v.lower() for v in DRIVER_VARIABLES]
    sums = ", ".join(f"SUM(x.v_{v})" for v in names)
    products = ", ".join(f"SUM(x.v_{a} * x.v_{b})" for i, a in enumerate(names) for b in names[i:])
    complete = " AND ".join(f"x.v_{v} IS NOT NULL" for v in names)
    keys = ", ".join((*_UNIT_KEYS, "segment"))
    return (
        f"INSERT INTO rollup_driver ({keys}, n, {', '.join(DRIVER_SUMS)}, {', '.join(DRIVER_PRODUCTS)}) "
        f"SELECT {', '.join('x.' + k for k in keys.split(', '))}, COUNT(*), {sums}, {products} FROM ("
        f"SELECT {', '.join('r.' + k for k in keys.split(', '))}, {per_element}, {overall} "
        f"FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
        f"WHERE a.perception IS NOT NULL AND q.qtype IN ('scale', 'nps'){where} "
        f"GROUP BY r.id, {', '.join('r.' + k for k in keys.split(', '))}) x "
        f"WHERE {complete} GROUP BY {', '.join('x.' + k for k in keys.split(', '))}"
    )


def element_moments_sql(where: str) -> str:
    """Per respondent and RATER element (and item scale): the mean scored E,
    P and P - E over the element's items (P - E is NULL unless both are
    answered, so its mean is over the paired items); then per cell n, sum
    and sum of squares of each."""
    keys = ", ".join((*_UNIT_KEYS, "segment"))
    r_keys = ", ".join("r." + k for k in keys.split(", "))
    x_keys = ", ".join("x." + k for k in keys.split(", "))
    scored = "CAST(CASE WHEN q.reverse_coded THEN q.scale_min + q.scale_max - a.{0} ELSE a.{0} END AS FLOAT)"
    e, p = scored.format("expectation"), scored.format("perception")
    moments = ", ".join(
        f"COUNT(x.{m}), COALESCE(SUM(x.{m}), 0), COALESCE(SUM(x.{m} * x.{m}), 0)" for m in ("e", "p", "gap")
    )
    return (
        f"INSERT INTO rollup_element ({keys}, element, scale_min, scale_max, {', '.join(ELEMENT_MOMENTS)}) "
        f"SELECT {x_keys}, x.element, x.lo, x.hi, {moments} FROM ("
        f"SELECT {r_keys}, q.element, q.scale_min AS lo, q.scale_max AS hi, "
        f"AVG({e}) AS e, AVG({p}) AS p, AVG({p} - {e}) AS gap "
        f"FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
        f"WHERE q.element IS NOT NULL{where} "
        f"GROUP BY r.id, {r_keys}, q.element, q.scale_min, q.scale_max) x "
        f"GROUP BY {x_keys}, x.element, x.lo, x.hi"
    )
