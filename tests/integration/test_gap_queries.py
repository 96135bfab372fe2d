"""Gap 2-4 aggregates on hand-made records, on both backends."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Branch, Commitment, Customer, Department, ServiceRequest
from dashboard.queries import gaps


def _request(ref, branch, dept, customer, submitted, first, resolved, complaint=False):
    return ServiceRequest(
        external_ref=ref,
        customer_id=customer.id,
        branch_id=branch.id,
        department_id=dept.id,
        category="card",
        is_complaint=complaint,
        submitted_at=submitted,
        first_response_at=first,
        resolved_at=resolved,
        sla_hours=48.0,
    )


def test_request_performance_hand_worked(fresh_engine):
    with Session(fresh_engine) as s:
        b1, b2 = Branch(code="B1", name="One"), Branch(code="B2", name="Two")
        d = Department(code="D", name="Dept")
        s.add_all([b1, b2, d])
        s.flush()
        c = Customer(
            external_ref="C1", name="c", segment="retail", branch_id=b1.id, joined_on=date(2020, 1, 1)
        )
        s.add(c)
        promise = dict(element="S", text="promise", published_on=date(2020, 1, 1))
        s.add_all(
            [
                Commitment(code="ANSWER-24H", metric="first_response_hours", threshold_hours=24, **promise),
                # complaints resolved within 5 days, published on 2025-03-01: r3 counts, unresolved
                Commitment(
                    code="RESOLVE-5D",
                    metric="resolution_hours",
                    threshold_hours=120,
                    **{**promise, "published_on": date(2025, 3, 1)},
                ),
                # published after every request of the period: applies to none
                Commitment(
                    code="ANSWER-1H",
                    metric="first_response_hours",
                    threshold_hours=1,
                    **{**promise, "published_on": date(2025, 3, 10)},
                ),
            ]
        )
        s.flush()
        t0 = datetime(2025, 3, 3, 9, 0)
        s.add_all(
            [
                # resolved in 47.5 h (within SLA), first answer after 2 h
                _request("r1", b1, d, c, t0, datetime(2025, 3, 3, 11, 0), datetime(2025, 3, 5, 8, 30)),
                # resolved in 49 h (breach), first answer after 30 h
                _request("r2", b1, d, c, t0, datetime(2025, 3, 4, 15, 0), datetime(2025, 3, 5, 10, 0)),
                # never resolved, a complaint; first answer after 1 h
                _request("r3", b1, d, c, t0, datetime(2025, 3, 3, 10, 0), None, complaint=True),
                # other branch, outside the scope tested below
                _request("r4", b2, d, c, t0, datetime(2025, 3, 3, 10, 0), datetime(2025, 3, 3, 12, 0)),
                # outside the period
                _request("r5", b1, d, c, datetime(2024, 1, 1), None, None),
            ]
        )
        s.commit()
        scope = Scope(branch_ids=frozenset({b1.id}))
        totals, promises = gaps.request_performance(s, scope, date(2025, 1, 1), date(2025, 3, 31))
        first = totals.pop("mean_first_response_h")
        assert totals == {"n": 3, "within_sla": 1, "unresolved": 1, "complaints": 1}
        assert abs(first - (2 + 30 + 1) / 3) < 1e-6
        assert promises[["code", "n", "met"]].to_dict("records") == [
            {"code": "ANSWER-1H", "n": 0, "met": 0},
            {"code": "ANSWER-24H", "n": 3, "met": 2},  # r2 answered after 30 h
            {"code": "RESOLVE-5D", "n": 1, "met": 0},  # r3, the complaint, never resolved
        ]
        narrowed, _ = gaps.request_performance(
            s, Scope.everything(), date(2025, 1, 1), date(2025, 3, 31), branch_ids=(b2.id,)
        )
        assert narrowed["n"] == 1  # r4 only: the filter narrows like the scope
        retail, _ = gaps.request_performance(
            s, scope, date(2025, 1, 1), date(2025, 3, 31), segments=("retail",)
        )
        sme, sme_kept = gaps.request_performance(
            s, scope, date(2025, 1, 1), date(2025, 3, 31), segments=("sme",)
        )
        assert retail["n"] == 3 and sme["n"] == 0  # through the customer's segment (C1 is retail)
        assert sme_kept["n"].sum() == 0
        nothing, none_kept = gaps.request_performance(s, Scope.nothing(), date(2025, 1, 1), date(2025, 3, 31))
        assert nothing["n"] == 0 and nothing["mean_first_response_h"] is None
        assert none_kept["n"].sum() == 0


def test_management_believes_tangibles_matter_most_in_demo(demo_engine):
    """Gap 1 planted in the demo: managers give Tangibles the most points,
    customers give Reliability the most."""
    from dashboard.queries.filters import Filters

    with Session(demo_engine) as s:
        mgmt = gaps.management_importance(s, Scope.everything())
        cust = gaps.customer_importance(s, Scope.everything(), Filters())
    top_mgmt = mgmt.assign(mean=mgmt.total / mgmt.n).sort_values("mean").iloc[-1]["element"]
    top_cust = cust.assign(mean=cust.total / cust.n).sort_values("mean").iloc[-1]["element"]
    assert (top_mgmt, top_cust) == ("T", "R")
