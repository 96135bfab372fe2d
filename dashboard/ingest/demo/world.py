"""The demo organisation: branches, departments, staff and customers as
numpy arrays (for the simulation) plus the rows to store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from dashboard.ingest.demo import plan

EPOCH = date(1970, 1, 1)


def to_date(days: int) -> date:
    return EPOCH + timedelta(days=int(days))


def to_days(d: date) -> int:
    return (d - EPOCH).days


@dataclass
class World:
    branch_codes: list[str]
    dept_codes: list[str]
    units: list[tuple[int, int]]  # (branch index, department index)
    unit_effects: np.ndarray  # branch x department x element, 7-point units
    # staff
    staff_rows: list[tuple]
    manager_of_unit: dict[tuple[int, int], int]  # unit -> staff row index
    am_staff_index: np.ndarray  # staff row index of each account manager
    am_branch: np.ndarray
    am_left_day: np.ndarray  # days since epoch, or a far-future sentinel
    # customers
    n_customers: int
    segment: np.ndarray  # index into SEGMENT_NAMES
    tier: np.ndarray  # 0 standard, 1 gold, 2 vip
    branch: np.ndarray
    dept: np.ndarray
    am: np.ndarray  # index into am_* arrays, -1 for none
    joined_day: np.ndarray
    trait: np.ndarray  # persistent satisfaction level
    expect_trait: np.ndarray
    revenue: np.ndarray


SEGMENT_NAMES = list(plan.SEGMENTS)
TIER_NAMES = ["standard", "gold", "vip"]
NEVER = 10**6


def build_world(rng: np.random.Generator, n_customers: int) -> World:
    branch_codes = [b[0] for b in plan.BRANCHES]
    dept_codes = [d[0] for d in plan.DEPARTMENTS]
    units = [
        (bi, di)
        for bi, b in enumerate(branch_codes)
        for di, d in enumerate(dept_codes)
        if b != "B12" or d in plan.SMALL_BRANCH_DEPARTMENTS
    ]
    effects = _unit_effects(rng, branch_codes, dept_codes)
    staff_rows, manager_of_unit, am_idx, am_branch, am_left = _staff(rng, branch_codes, dept_codes, units)

    segment = rng.choice(len(SEGMENT_NAMES), size=n_customers, p=list(plan.SEGMENTS.values()))
    sizes = np.array([b[3] for b in plan.BRANCHES])
    branch = rng.choice(len(branch_codes), size=n_customers, p=sizes / sizes.sum())
    dept = _home_departments(rng, segment, branch, units, dept_codes)
    vip_p = np.array([0.02, 0.08, 0.30])[segment]
    gold_p = np.array([0.15, 0.20, 0.25])[segment]
    u = rng.random(n_customers)
    tier = np.where(u < vip_p, 2, np.where(u < vip_p + gold_p, 1, 0))
    am = _assign_account_managers(rng, segment, tier, branch, am_branch)

    start_2022 = to_days(date(2022, 1, 1))
    existing = rng.random(n_customers) < 0.65
    joined = np.where(
        existing,
        rng.integers(to_days(date(2012, 1, 1)), start_2022, n_customers),
        rng.integers(start_2022, to_days(date(2026, 9, 1)), n_customers),
    )
    revenue_scale = np.array([1_200.0, 18_000.0, 250_000.0])[segment] * np.array([1.0, 1.8, 4.0])[tier]
    revenue = np.round(revenue_scale * rng.lognormal(0.0, 0.5, n_customers), 2)
    return World(
        branch_codes=branch_codes,
        dept_codes=dept_codes,
        units=units,
        unit_effects=effects,
        staff_rows=staff_rows,
        manager_of_unit=manager_of_unit,
        am_staff_index=am_idx,
        am_branch=am_branch,
        am_left_day=am_left,
        n_customers=n_customers,
        segment=segment,
        tier=tier,
        branch=branch,
        dept=dept,
        am=am,
        joined_day=joined,
        trait=rng.normal(0.0, 0.45, n_customers),
        expect_trait=rng.normal(0.0, 0.3, n_customers),
        revenue=revenue,
    )


def _unit_effects(rng, branch_codes, dept_codes) -> np.ndarray:
    """Small random unit differences plus the planted weak/strong elements."""
    effects = rng.normal(0.0, 0.12, (len(branch_codes), len(dept_codes), 5))
    elements = plan.ELEMENT_ORDER
    for (b, e), delta in {**plan.WEAK_ELEMENTS, **plan.STRONG_ELEMENTS}.items():
        effects[branch_codes.index(b), :, elements.index(e)] += delta
    for (d, e), delta in plan.DEPARTMENT_EFFECTS.items():
        effects[:, dept_codes.index(d), elements.index(e)] += delta
    return effects


def _staff(rng, branch_codes, dept_codes, units):
    rows: list[tuple] = []  # employee_ref, name, branch_i, dept_i, title, is_am, is_mgr, start, left
    manager_of_unit: dict[tuple[int, int], int] = {}
    am_idx, am_branch, am_left = [], [], []
    dept_names = dict(plan.DEPARTMENTS)
    branch_names = {b[0]: b[1] for b in plan.BRANCHES}
    for bi, di in units:
        b, d = branch_codes[bi], dept_codes[di]
        manager_of_unit[(bi, di)] = len(rows)
        rows.append(
            (
                f"M-{b}-{d}",
                f"Head of {dept_names[d]}, {branch_names[b]}",
                bi,
                di,
                "department head",
                False,
                True,
                date(2015, 1, 1),
                None,
            )
        )
        if d not in ("BUS", "WEA", "LEN"):
            continue
        for k in range(2):
            leaves = rng.random() < plan.ACCOUNT_MANAGER_LEAVE_SHARE
            left_day = (
                int(rng.integers(to_days(date(2022, 6, 1)), to_days(date(2026, 6, 1)))) if leaves else NEVER
            )
            am_idx.append(len(rows))
            am_branch.append(bi)
            am_left.append(left_day)
            rows.append(
                (
                    f"AM-{b}-{d}-{k + 1}",
                    f"Account manager {b}-{d}-{k + 1}",
                    bi,
                    di,
                    "account manager",
                    True,
                    False,
                    date(2016, 1, 1),
                    to_date(left_day) if leaves else None,
                )
            )
            if leaves:  # a successor takes over new business
                rows.append(
                    (
                        f"AM-{b}-{d}-{k + 1}R",
                        f"Account manager {b}-{d}-{k + 1} (successor)",
                        bi,
                        di,
                        "account manager",
                        True,
                        False,
                        to_date(left_day + 1),
                        None,
                    )
                )
    return rows, manager_of_unit, np.array(am_idx), np.array(am_branch), np.array(am_left)


def _home_departments(rng, segment, branch, units, dept_codes) -> np.ndarray:
    available = {bi: {dept_codes[di] for b2, di in units if b2 == bi} for bi, _ in units}
    dept = np.empty(len(segment), dtype=int)
    for si, seg in enumerate(SEGMENT_NAMES):
        for bi, allowed in available.items():
            mask = (segment == si) & (branch == bi)
            prefs = {d: p for d, p in plan.SEGMENT_DEPARTMENTS[seg].items() if d in allowed}
            if not prefs:
                prefs = {sorted(allowed)[0]: 1.0}
            codes = list(prefs)
            probs = np.array(list(prefs.values()))
            picks = rng.choice(len(codes), size=int(mask.sum()), p=probs / probs.sum())
            dept[mask] = [dept_codes.index(codes[i]) for i in picks]
    return dept


def _assign_account_managers(rng, segment, tier, branch, am_branch) -> np.ndarray:
    """Business, corporate and VIP customers have an account manager of their branch."""
    am = np.full(len(segment), -1)
    needs = (segment > 0) | (tier == 2)
    for bi in np.unique(branch):
        pool = np.flatnonzero(am_branch == bi)
        mask = needs & (branch == bi)
        if len(pool) and mask.any():
            am[mask] = rng.choice(pool, size=int(mask.sum()))
    return am
