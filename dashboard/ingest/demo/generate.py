"""Write the simulated demo world into an empty, migrated database."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from dashboard.db.bulk import bulk_insert, next_id, reset_sequence, table_columns
from dashboard.db.models import Response
from dashboard.db.rollup_refresh import refresh_rollups
from dashboard.ingest.demo import plan
from dashboard.ingest.demo.answers import Instrument, make_answers
from dashboard.ingest.demo.extras import write_extras
from dashboard.ingest.demo.simulate import CHANNEL_NAMES, Simulation, simulate
from dashboard.ingest.demo.users import create_demo_users
from dashboard.ingest.demo.world import SEGMENT_NAMES, TIER_NAMES, World, build_world, to_date
from dashboard.ingest.template_loader import builtin_template, parse_template, save_template

Progress = Callable[[str], None]
RESPONSES_PER_CUSTOMER = 3.2  # what the simulation yields per customer; kept with headroom
CHUNK = 25_000


class DemoError(RuntimeError):
    pass


@dataclass
class DemoResult:
    responses: int
    customers: int
    answers: int
    service_requests: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


def generate_demo(
    engine: Engine, responses: int = 20_000, seed: int = 42, progress: Progress | None = None
) -> DemoResult:
    """Fill an empty database with `responses` survey responses (exactly) and
    everything around them, deterministically for a given seed."""
    if responses < 100:
        raise DemoError("the demo needs at least 100 responses to show anything meaningful")
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Response)).scalar_one():
            raise DemoError(
                "the database already holds responses; the demo needs an empty database "
                "(delete the SQLite file or use a fresh DATABASE_URL)"
            )
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB page cache for the bulk load
        else:
            _skip_foreign_key_triggers(conn, say)
        n_customers = int(np.ceil(responses / RESPONSES_PER_CUSTOMER * 1.15))
        say(f"simulating {n_customers:,} customers over {len(range(19))} quarters ...")
        world = build_world(rng, n_customers)
        sim = simulate(world, rng)
        kept = _keep_exactly(rng, sim, responses)
        say(f"writing organisation, {n_customers:,} customers and the template ...")
        ids = _write_org(conn, world, sim)
        inst, wave_ids = _write_template_and_waves(conn, rng, sim)
        n_answers = _write_responses(conn, rng, world, sim, kept, ids, inst, wave_ids, say)
        say("writing service requests ...")
        n_requests = _write_requests(conn, world, sim, ids)
        write_extras(conn, rng, world, sim, ids, inst)
        say("building rollups ...")
        refresh_rollups(conn)
        for table in (
            "branch",
            "department",
            "staff",
            "customer",
            "response",
            "service_request",
            "survey_template",
            "question",
            "wave",
        ):
            reset_sequence(conn, table)
    with (
        engine.connect() as conn
    ):  # fresh planner statistics: PostgreSQL misplans the big tables without them
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    say("creating demo users ...")
    create_demo_users(engine)
    seconds = time.perf_counter() - t0
    say(f"done: {responses:,} responses, {n_answers:,} answers in {seconds:.1f} s")
    return DemoResult(responses, n_customers, n_answers, n_requests, seconds)


def _skip_foreign_key_triggers(conn: Connection, say: Progress) -> None:
    """On PostgreSQL, per-row foreign-key triggers cost ~10x the COPY itself.
    The generator assigns every id itself, so references hold by
    construction; skip the triggers for this transaction when the role may
    (superuser), otherwise load with them, only slower."""
    is_super = conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
    if is_super:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    else:
        say("note: not a superuser, so foreign keys are checked row by row (slower load)")


def _keep_exactly(rng, sim: Simulation, responses: int) -> np.ndarray:
    total = sim.slots["customer"].size
    if total < responses:
        raise DemoError(f"simulation produced only {total} responses for {responses} asked")
    keep = np.sort(rng.choice(total, size=responses, replace=False))
    order = np.lexsort((sim.slots["minute"][keep], sim.slots["day"][keep]))
    return keep[order]  # chronological, so ids grow with time


def _write_org(conn: Connection, world: World, sim: Simulation) -> dict[str, np.ndarray]:
    b0, d0, s0, c0 = (next_id(conn, t) for t in ("branch", "department", "staff", "customer"))
    branch_ids = np.arange(b0, b0 + len(world.branch_codes))
    dept_ids = np.arange(d0, d0 + len(world.dept_codes))
    bulk_insert(
        conn,
        "branch",
        ("id", "code", "name", "region"),
        [(int(branch_ids[i]), c, n, r) for i, (c, n, r, _) in enumerate(plan.BRANCHES)],
    )
    bulk_insert(
        conn,
        "department",
        ("id", "code", "name"),
        [(int(dept_ids[i]), c, n) for i, (c, n) in enumerate(plan.DEPARTMENTS)],
    )
    bulk_insert(
        conn,
        "branch_department",
        ("branch_id", "department_id"),
        [(int(branch_ids[b]), int(dept_ids[d])) for b, d in world.units],
    )
    staff_ids = np.arange(s0, s0 + len(world.staff_rows))
    bulk_insert(
        conn,
        "staff",
        (
            "id",
            "employee_ref",
            "name",
            "branch_id",
            "department_id",
            "job_title",
            "is_account_manager",
            "is_manager",
            "started_on",
            "left_on",
        ),
        [
            (
                int(staff_ids[i]),
                ref,
                name,
                int(branch_ids[b]),
                int(dept_ids[d]),
                title,
                is_am,
                is_mgr,
                start.isoformat(),
                left.isoformat() if left else None,
            )
            for i, (ref, name, b, d, title, is_am, is_mgr, start, left) in enumerate(world.staff_rows)
        ],
    )
    customer_ids = np.arange(c0, c0 + world.n_customers)
    am_staff = np.where(world.am >= 0, staff_ids[world.am_staff_index[np.maximum(world.am, 0)]], -1)
    churned = sim.churned_day
    bulk_insert(
        conn,
        "customer",
        table_columns("customer"),
        (
            (
                int(customer_ids[i]),
                f"C{i + 1:07d}",
                f"Customer {i + 1}",
                SEGMENT_NAMES[world.segment[i]],
                TIER_NAMES[world.tier[i]],
                int(branch_ids[world.branch[i]]),
                int(am_staff[i]) if am_staff[i] >= 0 else None,
                to_date(world.joined_day[i]).isoformat(),
                to_date(churned[i]).isoformat() if churned[i] >= 0 else None,
                float(world.revenue[i]),
            )
            for i in range(world.n_customers)
        ),
    )
    return {"branch": branch_ids, "dept": dept_ids, "staff": staff_ids, "customer": customer_ids}


def _write_template_and_waves(conn: Connection, rng, sim: Simulation) -> tuple[Instrument, np.ndarray]:
    session = Session(bind=conn)
    template = save_template(session, parse_template(builtin_template(), "servqual22.yaml"))
    session.flush()
    by_code = {q.code: q for q in template.questions}
    items = [q for q in template.questions if q.element is not None]
    w0 = next_id(conn, "wave")
    wave_ids = np.arange(w0, w0 + len(sim.waves))
    bulk_insert(
        conn,
        "wave",
        ("id", "code", "name", "template_id", "period_start", "period_end"),
        [
            (int(wave_ids[i]), w.code, w.name, template.id, w.start.isoformat(), w.end.isoformat())
            for i, w in enumerate(sim.waves)
        ],
    )
    session.close()
    inst = Instrument(
        item_ids=np.array([q.id for q in items]),
        item_element=np.array([plan.ELEMENT_ORDER.index(q.element) for q in items]),
        item_effect=rng.normal(0.0, 0.15, len(items)),
        overall_id=by_code["OVERALL"].id,
        nps_id=by_code["NPS"].id,
    )
    return inst, wave_ids


def _timestamp(day: np.ndarray, minute: np.ndarray) -> list[str]:
    base = date(1970, 1, 1)
    return [
        f"{(base + timedelta(days=int(d))).isoformat()} {m // 60:02d}:{m % 60:02d}:00.000000"
        for d, m in zip(day.tolist(), minute.tolist(), strict=True)
    ]


def _write_responses(conn, rng, world, sim, kept, ids, inst, wave_ids, say) -> int:
    slots = sim.slots
    r0 = next_id(conn, "response")
    n_answers = 0
    for start in range(0, kept.size, CHUNK):
        sel = kept[start : start + CHUNK]
        rids = np.arange(r0 + start, r0 + start + sel.size)
        cust = slots["customer"][sel]
        channel = slots["channel"][sel]
        batch = make_answers(
            rng,
            inst,
            rids,
            channel,
            slots["base"][sel],
            slots["effects"][sel],
            world.segment[cust],
            world.expect_trait[cust],
        )
        stamps = _timestamp(slots["day"][sel], slots["minute"][sel])
        bulk_insert(
            conn,
            "response",
            table_columns("response"),
            zip(
                rids.tolist(),
                [f"D{r:08d}" for r in rids.tolist()],
                wave_ids[slots["wave"][sel]].tolist(),
                ids["customer"][cust].tolist(),
                ids["branch"][world.branch[cust]].tolist(),
                ids["dept"][world.dept[cust]].tolist(),
                [CHANNEL_NAMES[c] for c in channel.tolist()],
                [SEGMENT_NAMES[s] for s in world.segment[cust].tolist()],
                stamps,
                batch.comments,
                strict=True,
            ),
        )
        n_answers += bulk_insert(
            conn, "answer", ("response_id", "question_id", "expectation", "perception"), batch.answers
        )
        bulk_insert(conn, "importance_allocation", ("response_id", "element", "points"), batch.importance)
        say(f"  responses {min(start + CHUNK, kept.size):,}/{kept.size:,}")
    return n_answers


CATEGORIES = ["account", "card", "loan", "online banking", "fees"]


def _write_requests(conn, world, sim, ids) -> int:
    req = sim.requests
    s0 = next_id(conn, "service_request")
    n = req["customer"].size
    order = np.lexsort((req["submitted_minute"], req["submitted_day"]))
    submitted = np.array(_timestamp(req["submitted_day"], req["submitted_minute"]), dtype=object)
    base_minutes = req["submitted_day"].astype(np.int64) * 1440 + req["submitted_minute"]

    def after(hours: np.ndarray) -> list[str | None]:
        minutes = base_minutes + np.rint(np.maximum(hours, 0) * 60).astype(np.int64)
        stamps = _timestamp(minutes // 1440, minutes % 1440)
        return [s if h >= 0 else None for s, h in zip(stamps, hours.tolist(), strict=True)]

    first = np.array(after(req["first_hours"]), dtype=object)
    resolved = np.array(after(req["resolved_hours"]), dtype=object)
    escalated = (req["resolved_hours"] < 0) | (req["resolved_hours"] > req["sla_hours"])
    esc_at = np.array(after(np.where(escalated, req["sla_hours"], -1.0)), dtype=object)
    rows = (
        (
            s0 + k,
            f"SR{s0 + k:08d}",
            int(ids["customer"][req["customer"][i]]),
            int(ids["branch"][req["branch"][i]]),
            int(ids["dept"][req["dept"][i]]),
            CATEGORIES[req["category"][i]],
            bool(req["is_complaint"][i]),
            submitted[i],
            first[i],
            resolved[i],
            float(req["sla_hours"][i]),
            bool(escalated[i]),
            None,
            esc_at[i],
            bool(req["resolved_hours"][i] >= 0) if resolved[i] else None,
            int(req["rating"][i]) if resolved[i] else None,
        )
        for k, i in enumerate(order.tolist())
    )
    bulk_insert(
        conn,
        "service_request",
        table_columns("service_request"),
        rows,
    )
    return n
