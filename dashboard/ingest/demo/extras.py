"""Everything around the survey: management beliefs (gap 1), standards
(gap 2), audits (gap 3), published promises (gap 4) and improvement plans."""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from dashboard.analytics.indices import to_index
from dashboard.db.bulk import bulk_insert, next_id
from dashboard.db.models import Commitment, ImprovementPlan, PlanAction, ServiceStandard
from dashboard.ingest.demo import plan
from dashboard.ingest.demo.simulate import Simulation, plan_effect
from dashboard.ingest.demo.world import World

MANAGEMENT_SURVEY_DATES = (date(2024, 3, 15), date(2026, 3, 15))
PUBLISHED_ON = date(2022, 1, 1)  # standards and commitments hold from the first wave on
# published promises: code, text, RATER element, measured by, threshold in hours
COMMITMENTS = (
    ("ANSWER-24H", "We answer every request within 24 hours.", "S", "first_response_hours", 24.0),
    ("RESOLVE-5D", "We resolve complaints within five working days.", "R", "resolution_hours", 120.0),
)


def write_extras(conn: Connection, rng, world: World, sim: Simulation, ids, inst) -> None:
    _management_survey(conn, rng, world, ids, inst)
    _audits(conn, rng, world, sim, ids)
    session = Session(bind=conn)
    for element, target in plan.STANDARD_TARGETS.items():
        session.add(
            ServiceStandard(
                element=element,
                target_index=target,
                valid_from=PUBLISHED_ON,
                sla_hours=48.0 if element == "S" else None,
                description=f"Company-wide target for {element}",
            )
        )
    session.add_all(
        Commitment(
            code=code,
            text=text,
            element=element,
            metric=metric,
            threshold_hours=hours,
            published_on=PUBLISHED_ON,
        )
        for code, text, element, metric, hours in COMMITMENTS
    )
    _plans(session, world, ids)
    session.flush()
    session.close()


def _management_survey(conn, rng, world: World, ids, inst) -> None:
    m0 = next_id(conn, "management_response")
    template_id = conn.exec_driver_sql(
        f"SELECT template_id FROM question WHERE id = {int(inst.overall_id)}"
    ).scalar_one()
    responses, answers, importance = [], [], []
    belief = np.array([plan.MANAGEMENT_EXPECTATION[e] for e in plan.ELEMENT_ORDER])
    alpha = np.array([plan.MANAGEMENT_IMPORTANCE[e] for e in plan.ELEMENT_ORDER]) * 0.8
    rid = m0
    for surveyed_on in MANAGEMENT_SURVEY_DATES:
        for (bi, di), staff_row in sorted(world.manager_of_unit.items()):
            responses.append(
                (
                    rid,
                    int(ids["staff"][staff_row]),
                    int(template_id),
                    int(ids["branch"][bi]),
                    int(ids["dept"][di]),
                    surveyed_on.isoformat(),
                )
            )
            values = np.clip(
                np.rint(belief[inst.item_element] + rng.normal(0, 0.5, inst.item_ids.size)), 1, 7
            )
            answers.extend(
                zip([rid] * values.size, inst.item_ids.tolist(), values.astype(int).tolist(), strict=True)
            )
            points = np.floor(rng.dirichlet(alpha) * 100).astype(int)
            points[np.argmax(points)] += 100 - points.sum()
            importance.extend((rid, e, int(p)) for e, p in zip(plan.ELEMENT_ORDER, points, strict=True))
            rid += 1
    bulk_insert(
        conn,
        "management_response",
        ("id", "staff_id", "template_id", "branch_id", "department_id", "surveyed_on"),
        responses,
    )
    bulk_insert(conn, "management_answer", ("management_response_id", "question_id", "expectation"), answers)
    bulk_insert(conn, "management_importance", ("management_response_id", "element", "points"), importance)


def _audits(conn, rng, world: World, sim: Simulation, ids) -> None:
    """Half-yearly audit of every branch and element, tracking true delivery."""
    rows = []
    a0 = next_id(conn, "audit_score")
    for wave in sim.waves[1::2]:
        for bi in range(len(world.branch_codes)):
            effects = world.unit_effects[bi].mean(axis=0).copy()
            for p in (plan.EFFECTIVE_PLAN, plan.INEFFECTIVE_PLAN):
                b, e, eff = plan_effect(
                    world, wave.start, p["branch"], p["element"], p["effect"], p["start_on"]
                )
                if b == bi:
                    effects[e] += eff
            for ei, element in enumerate(plan.ELEMENT_ORDER):
                score = float(np.clip(to_index(4.9 + effects[ei], 1, 7) + rng.normal(0, 3), 0, 100))
                rows.append(
                    (
                        a0 + len(rows),
                        int(ids["branch"][bi]),
                        None,
                        element,
                        "mystery_shopper" if ei % 2 else "audit",
                        wave.end.isoformat(),
                        round(score, 1),
                    )
                )
    bulk_insert(
        conn,
        "audit_score",
        ("id", "branch_id", "department_id", "element", "kind", "audited_on", "score"),
        rows,
    )


def _plans(session: Session, world: World, ids) -> None:
    def unit_ids(branch_code: str, dept_code: str) -> tuple[int, int, int]:
        bi, di = world.branch_codes.index(branch_code), world.dept_codes.index(dept_code)
        owner = world.manager_of_unit[(bi, di)]
        return int(ids["branch"][bi]), int(ids["dept"][di]), int(ids["staff"][owner])

    specs = [
        (
            plan.EFFECTIVE_PLAN,
            "SRV",
            "active",
            "guarantee",
            3.6,
            5.0,
            ["Call-back within 4 hours rule", "Second service desk at peak hours", "Weekly queue review"],
        ),
        (
            plan.INEFFECTIVE_PLAN,
            "ACC",
            "done",
            "guarantee",
            4.9,
            5.5,
            ["Personal greeting training", "Customer name on screen"],
        ),
        (
            {
                "title": "Riverside right-first-time programme",
                "branch": "B04",
                "element": "R",
                "items": ["R1", "R3", "R4"],
                "start_on": date(2026, 10, 1),
                "due_on": date(2027, 6, 30),
                "cost": 80_000.0,
            },
            "LEN",
            "planned",
            "commit",
            4.2,
            5.2,
            ["Checklist for loan files", "Four-eyes check on statements"],
        ),
        (
            {
                "title": "Eastbrook branch refurbishment",
                "branch": "B07",
                "element": "T",
                "items": ["T1", "T2"],
                "start_on": date(2026, 4, 1),
                "due_on": date(2026, 12, 31),
                "cost": 350_000.0,
            },
            "ACC",
            "active",
            "realise",
            4.0,
            5.3,
            ["New queue system", "Repaint and new furniture"],
        ),
    ]
    for spec, dept, status, stage, baseline, target, actions in specs:
        branch_id, dept_id, owner = unit_ids(spec["branch"], dept)
        p = ImprovementPlan(
            title=spec["title"],
            branch_id=branch_id,
            department_id=dept_id,
            element=spec["element"],
            item_codes=spec["items"],
            owner_id=owner,
            team=f"{spec['branch']} {dept} team",
            stage=stage,
            status=status,
            start_on=spec["start_on"],
            due_on=spec["due_on"],
            baseline_score=baseline,
            target_score=target,
            cost=spec["cost"],
            description=(
                f"Raise {spec['element']} at {spec['branch']} from {baseline} to {target} (7-point mean)."
            ),
        )
        for k, text in enumerate(actions):
            p.actions.append(
                PlanAction(
                    text=text, due_on=spec["start_on"].replace(day=28), done=status == "done" or k == 0
                )
            )
        session.add(p)
