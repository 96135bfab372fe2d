"""One demo login per role (README lists them). Demo only: the password is public."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.auth.users import NewUser, create_user
from dashboard.db.models import ImprovementPlan, Staff
from dashboard.ingest.demo import plan

DEMO_PASSWORD = "demo-password"
DEMO_USERS = (
    NewUser("admin", DEMO_PASSWORD, "admin", "Ada Admin"),
    NewUser("executive", DEMO_PASSWORD, "executive", "Erin Executive"),
    NewUser(
        "head.lending",
        DEMO_PASSWORD,
        "department_head",
        "Lee Lending (head of Lending)",
        department_code="LEN",
    ),
    NewUser(
        "head.harbour", DEMO_PASSWORD, "department_head", "Hana Harbour (Harbour branch)", branch_code="B02"
    ),
)
TEAM_USER = "team.harbour"  # the owner of the Harbour responsiveness plan, unit B02/SRV
DEMO_USERNAMES = tuple(u.username for u in DEMO_USERS) + (TEAM_USER,)


def create_demo_users(engine: Engine) -> list[str]:
    with Session(engine) as session, session.begin():
        for spec in DEMO_USERS:
            create_user(session, spec)
        owner_ref = session.scalar(
            select(Staff.employee_ref)
            .join(ImprovementPlan, ImprovementPlan.owner_id == Staff.id)
            .where(ImprovementPlan.title == plan.EFFECTIVE_PLAN["title"])
        )
        create_user(
            session,
            NewUser(
                TEAM_USER,
                DEMO_PASSWORD,
                "team_member",
                "Tom Team (Harbour service desk)",
                branch_code=plan.EFFECTIVE_PLAN["branch"],
                department_code="SRV",
                staff_ref=owner_ref,
            ),
        )
    return list(DEMO_USERNAMES)
