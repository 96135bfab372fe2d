"""The planted truths of the demo world, in one place, so the tests that
check the analytics find them can read them instead of repeating numbers."""

from __future__ import annotations

from datetime import date

BRANCHES = [  # code, name, region, relative size
    ("B01", "Central", "Central", 1.6),
    ("B02", "Harbour", "South", 1.2),
    ("B03", "Northgate", "North", 1.0),
    ("B04", "Riverside", "East", 1.1),
    ("B05", "Old Town", "Central", 0.9),
    ("B06", "Westfield", "West", 1.0),
    ("B07", "Eastbrook", "East", 0.9),
    ("B08", "Hillcrest", "North", 0.8),
    ("B09", "Lakeside", "West", 0.8),
    ("B10", "Southpark", "South", 0.7),
    ("B11", "University", "Central", 0.6),
    ("B12", "Airport Kiosk", "South", 0.04),  # tiny: tests min-n suppression
]
DEPARTMENTS = [
    ("ACC", "Accounts & Cards"),
    ("LEN", "Lending"),
    ("BUS", "Business Banking"),
    ("WEA", "Wealth & Advice"),
    ("INS", "Insurance"),
    ("SRV", "Service Desk"),
]
SMALL_BRANCH_DEPARTMENTS = ("ACC", "SRV")  # the kiosk runs only these
SEGMENTS = {"retail": 0.70, "sme": 0.22, "corporate": 0.08}
SEGMENT_DEPARTMENTS = {
    "retail": {"ACC": 0.40, "LEN": 0.20, "INS": 0.15, "SRV": 0.20, "WEA": 0.05},
    "sme": {"BUS": 0.55, "LEN": 0.25, "ACC": 0.10, "SRV": 0.10},
    "corporate": {"BUS": 0.60, "WEA": 0.25, "LEN": 0.15},
}

ELEMENT_ORDER = ("R", "A", "T", "E", "S")
# Customers' true drivers of overall satisfaction and their stated importance.
TRUE_DRIVER_WEIGHTS = {"R": 0.34, "S": 0.28, "A": 0.18, "E": 0.13, "T": 0.07}
CUSTOMER_IMPORTANCE = {"R": 30, "S": 25, "A": 18, "E": 15, "T": 12}
CUSTOMER_EXPECTATION = {"R": 6.4, "S": 6.2, "A": 6.1, "E": 5.8, "T": 5.2}
# Management believes Tangibles matter most (gap 1, the classic finding).
MANAGEMENT_IMPORTANCE = {"T": 31, "A": 22, "R": 18, "S": 15, "E": 14}
MANAGEMENT_EXPECTATION = {"T": 6.5, "A": 6.1, "R": 5.6, "S": 5.5, "E": 5.6}
STANDARD_TARGETS = {"T": 85.0, "A": 78.0, "R": 75.0, "S": 70.0, "E": 70.0}

# Branch x element weaknesses on the 7-point perception scale.
WEAK_ELEMENTS = {("B02", "S"): -1.0, ("B04", "R"): -0.8, ("B07", "T"): -0.9}
STRONG_ELEMENTS = {("B09", "E"): 0.5}
# Lending is weak on Reliability in every branch.
DEPARTMENT_EFFECTS = {("LEN", "R"): -0.45}

# The plan that worked: Harbour's responsiveness programme.
EFFECTIVE_PLAN = {
    "title": "Harbour responsiveness programme",
    "branch": "B02",
    "element": "S",
    "items": ["S2", "S3", "S4"],
    "start_on": date(2024, 7, 1),
    "due_on": date(2025, 6, 30),
    "effect": 0.8,  # reached two quarters after the start
    "cost": 120_000.0,
}
# A plan that changed nothing (the control).
INEFFECTIVE_PLAN = {
    "title": "Hillcrest personal attention campaign",
    "branch": "B08",
    "element": "E",
    "items": ["E1", "E3"],
    "start_on": date(2025, 1, 1),
    "due_on": date(2025, 12, 31),
    "effect": 0.0,
    "cost": 45_000.0,
}

# Churn: per-quarter log-odds contributions. Strong enough that the planted
# drivers dominate churn (about 1% of customers a quarter), so a model can
# find them despite sparse surveys.
CHURN_BASE_LOGIT = -6.8
CHURN_PER_DISSATISFIED_WAVE = 1.2  # consecutive dissatisfied waves (capped at 4)
CHURN_UNRESOLVED_COMPLAINT = 3.5  # an unresolved complaint in the last two quarters
CHURN_MANAGER_LEFT = 4.0  # own account manager left in the last four quarters
CHURN_LATE_RESOLUTION = 1.2  # a request resolved after its SLA in the last four quarters
ACCOUNT_MANAGER_LEAVE_SHARE = 0.18

FIRST_WAVE = (2022, 1)
LAST_WAVE = (2026, 3)
