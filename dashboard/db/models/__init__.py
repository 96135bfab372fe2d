"""All ORM models; importing this package registers every table on Base.metadata."""

from dashboard.db.base import Base
from dashboard.db.models.churn import ChurnModel, ChurnScore
from dashboard.db.models.org import Branch, BranchDepartment, Customer, Department, Staff
from dashboard.db.models.outcomes import ChurnEvent, ExternalBenchmark
from dashboard.db.models.plans import ImprovementPlan, PlanAction, PlanChange, PlanComment
from dashboard.db.models.rollups import (
    DRIVER_PRODUCTS,
    DRIVER_SUMS,
    DRIVER_VARIABLES,
    ITEM_MEASURES,
    CustomerDepartment,
    RollupDriver,
    RollupElement,
    RollupImportance,
    RollupIndicatorPair,
    RollupItem,
    RollupItemSegment,
    RollupLoyalty,
)
from dashboard.db.models.service import AuditScore, Commitment, ServiceRequest, ServiceStandard
from dashboard.db.models.survey import (
    Answer,
    ImportanceAllocation,
    ManagementAnswer,
    ManagementImportance,
    ManagementResponse,
    Question,
    Response,
    SurveyTemplate,
    Wave,
)
from dashboard.db.models.users import AppUser, AuditEntry, LoginSession, LoginThrottle

__all__ = [
    "DRIVER_PRODUCTS",
    "DRIVER_SUMS",
    "DRIVER_VARIABLES",
    "ITEM_MEASURES",
    "CustomerDepartment",
    "RollupDriver",
    "RollupElement",
    "Answer",
    "AppUser",
    "AuditEntry",
    "LoginSession",
    "LoginThrottle",
    "AuditScore",
    "Base",
    "Branch",
    "ChurnEvent",
    "ChurnModel",
    "ExternalBenchmark",
    "ChurnScore",
    "BranchDepartment",
    "Commitment",
    "Customer",
    "Department",
    "ImportanceAllocation",
    "ImprovementPlan",
    "ManagementAnswer",
    "ManagementImportance",
    "ManagementResponse",
    "PlanAction",
    "PlanChange",
    "PlanComment",
    "Question",
    "Response",
    "RollupImportance",
    "RollupIndicatorPair",
    "RollupItem",
    "RollupLoyalty",
    "RollupItemSegment",
    "ServiceRequest",
    "ServiceStandard",
    "Staff",
    "SurveyTemplate",
    "Wave",
]
