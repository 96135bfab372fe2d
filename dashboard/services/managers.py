"""Account-manager appraisal: managers ranked by their customers'
satisfaction with the rules of the branch rankings (empirical-Bayes
shrinkage, rank intervals, shared ranks, minimum n in respondents), the
managers whose customers are clearly more satisfied than the rest, and each
manager's weakest RATER element as a training need where the intervals show
one (analytics/appraisal.py).

Who sees whom is decided here, on the server, from the logged-in user:
executives and administrators every manager; a department head the managers
of customers in their scope (answers given to their units); a team member
only themselves, ranked among the managers of their unit's customers.

A team member's own figures, with their unit's (which they see on every
page), give the rest of the unit's managers by subtraction. So a team
member's row is shown only while those other managers hide each one of them
(analytics/disclosure.py: `min_units` managers and `min_n` respondents
beyond the largest); otherwise it is withheld whole (complementary
suppression; docs/SECURITY.md "Aggregates over units you cannot see").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.appraisal import outstanding, training_need
from dashboard.analytics.disclosure import pool_hides_each_unit
from dashboard.analytics.indices import csi_estimate, to_index, to_index_points
from dashboard.analytics.moments import TOO_FEW, Moments
from dashboard.analytics.ranking import RANKED, no_differences_detected, rank_units
from dashboard.auth.roles import TEAM_MEMBER, AuthUser
from dashboard.auth.scope import Scope
from dashboard.domain import ELEMENTS
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.managers import ELEMENT_CODES, elements_by_manager, managers, overall_by_manager
from dashboard.services.element_scales import element_scales
from dashboard.services.rankings import with_verdicts

NOT_MEASURED = "not measured"
REST_TOO_SMALL = "not shown: too few other account managers"  # the status of a withheld row
NEED_COLUMNS = (
    "weakest_index",
    "vs_others",
    "vs_others_low",
    "vs_others_high",
    "element_vs_rest",
    "element_vs_rest_low",
    "element_vs_rest_high",
)
PAIRS = [(x, y) for i, x in enumerate(ELEMENT_CODES) for y in ELEMENT_CODES[i:]]


@dataclass
class ManagerAppraisal:
    table: pd.DataFrame  # one row per manager the viewer may see (empty: none)
    organisation: dict = field(default_factory=dict)  # csi, csi_low, csi_high, n of the selection
    no_differences: bool = False  # between-manager variance estimated as zero
    ranked_among: int = 0  # managers ranked (the viewer may see fewer rows)
    test: str = ""  # the named test behind "outstanding"


@dataclass(frozen=True)
class WaveChoice:
    code: str  # a wave code or "all"
    wave_ids: tuple[int, ...] | None  # None: every wave
    options: dict[str, str]  # code -> label, "all" first


def wave_choice(session: Session, wanted: str | None) -> WaveChoice:
    """The wave a page asked for if it exists ("all": every wave), else the latest."""
    waves = reference.waves(session)
    codes = list(waves["code"])
    code = wanted if wanted in (*codes, "all") else (codes[-1] if codes else "all")
    ids = tuple(int(i) for i in waves.loc[waves["code"] == code, "wave_id"]) if code != "all" else None
    return WaveChoice(code, ids, {"all": "All waves", **dict(zip(waves["code"], waves["name"], strict=True))})


def viewer_scope(user: AuthUser | None) -> tuple[Scope, int | None]:
    """(scope, the one manager a team member may see, else None). No user,
    or a team member not linked to a staff record, sees nothing."""
    if user is None:
        return Scope.nothing(), None
    if user.role == TEAM_MEMBER:
        return (user.scope, user.staff_id) if user.staff_id is not None else (Scope.nothing(), None)
    return user.scope, None


def appraisal_for(
    session: Session, user: AuthUser | None, wave_ids: tuple[int, ...] | None, min_n: int, min_units: int
) -> ManagerAppraisal:
    """The appraisal the logged-in `user` may see, over the waves (None: all), surveys only."""
    scope, only = viewer_scope(user)
    return manager_appraisal(
        session, scope, Filters(wave_ids=wave_ids), min_n, only_manager=only, min_units=min_units
    )


def manager_appraisal(
    session: Session,
    scope: Scope,
    filters: Filters,
    min_n: int,
    only_manager: int | None = None,
    min_units: int | None = None,
) -> ManagerAppraisal:
    """Managers with customers' responses in `scope` and `filters`, ranked on
    overall satisfaction (0-100 index of the overall question's scale);
    `only_manager` keeps that manager's row alone (ranked among all), withheld
    unless the other managers pass the pool rule with `min_units`."""
    if only_manager is not None and min_units is None:
        raise ValueError("one manager's view needs min_units: the rest must hide each other manager")
    overall = overall_by_manager(session, scope, filters)
    org = overall_by_manager(session, scope, filters, by_manager=False)
    scale = org.attrs["scale"]
    if overall.empty or scale is None:
        return ManagerAppraisal(pd.DataFrame())
    lo, hi = scale
    org_m = Moments(*org[["n", "total", "total_sq"]].iloc[0].to_numpy(float))
    ranked = rank_units(overall.rename(columns={"manager_id": "unit"}), min_n=min_n)
    ranked = outstanding(ranked, org_m)
    test = ranked.attrs.get("test", "")
    for col in ("mean", "ci_low", "ci_high", "shrunk"):
        ranked[col] = to_index(ranked[col], lo, hi)
    for col in ("shrunk_sd", "vs_rest"):
        ranked[col] = to_index_points(ranked[col], lo, hi)
    hidden = ranked["status"] != RANKED  # below min n: no number is shown, only the count
    ranked.loc[hidden, ["mean", "ci_low", "ci_high", "vs_rest"]] = np.nan
    ranked = _with_training_needs(session, scope, filters, ranked, min_n)
    people = managers(session, ranked["unit"]).rename(columns={"manager_id": "unit"})
    ranked = ranked.merge(people, on="unit", how="left")
    ranked["code"] = ranked["employee_ref"]
    ranked.attrs.update(scale_min=lo, scale_max=hi)  # totals stay on the answer scale
    ranked = with_verdicts(ranked, "manager", min_n).table  # ranks and ties as for branches
    est = csi_estimate(org_m.n, org_m.total, org_m.total_sq, lo, hi, min_n=min_n)
    organisation = {"csi": est.value, "csi_low": est.ci_low, "csi_high": est.ci_high, "n": int(org_m.n)}
    view = ManagerAppraisal(
        ranked, organisation, no_differences_detected(ranked), int((ranked["status"] == RANKED).sum()), test
    )
    if only_manager is not None:
        rest = overall.loc[overall["manager_id"] != only_manager, "n"]
        own = ranked[ranked["unit"] == only_manager].reset_index(drop=True)
        if pool_hides_each_unit(rest, min_units, min_n):
            view.table = own
        else:
            view.table, view.no_differences = _withheld(own), False
    return view


def _withheld(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with every number blanked: who they are, not how they did."""
    numbers = [c for c in rows.columns if c not in ("unit", "code", "employee_ref", "name", "status")]
    out = rows.assign(**dict.fromkeys(numbers, None))
    out["status"], out["need_name"], out["weakest_name"] = REST_TOO_SMALL, "", ""
    out["outstanding"] = False
    return out


def _with_training_needs(
    session: Session, scope: Scope, filters: Filters, ranked: pd.DataFrame, min_n: int
) -> pd.DataFrame:
    """Columns need (element code, NO_CLEAR_WEAKNESS, TOO_FEW or NOT_MEASURED),
    need_name, weakest, weakest_index and the two intervals behind the verdict."""
    out = ranked.assign(need=NOT_MEASURED, need_name=NOT_MEASURED, weakest=None, weakest_name="")
    out = out.assign(n_elements=0.0, **dict.fromkeys(NEED_COLUMNS, np.nan))
    scales = element_scales(session, scope, filters)
    if not set(ELEMENT_CODES) <= set(scales):
        return out  # an element is missing or mixes scales in this selection
    per = elements_by_manager(session, scope, filters).set_index("manager_id")
    org = elements_by_manager(session, scope, filters, by_manager=False)
    if org.empty:
        return out
    org_row = org.iloc[0]
    rows = []
    for r in out.itertuples():
        if r.unit not in per.index:
            rows.append({"need": NOT_MEASURED})
            continue
        m = per.loc[r.unit]
        if r.status != RANKED or m["n"] < max(min_n, 2):
            rows.append({"need": TOO_FEW, "n_elements": m["n"]})
            continue
        sums, products = _matrices(m)
        rest = {e: _minus(org_row, m, e) for e in ELEMENT_CODES}
        need = training_need(m["n"], sums, products, rest, list(ELEMENT_CODES), scales)
        need["weakest"], need["weakest_index"] = need.pop("element"), need.pop("index")
        rows.append({**need, "n_elements": m["n"]})
    needs = pd.DataFrame(rows, index=out.index)
    out = out.drop(columns=[c for c in needs.columns if c in out.columns]).join(needs)
    out["need_name"] = out["need"].map(lambda v: ELEMENTS.get(v, v) if isinstance(v, str) else "")
    out["weakest_name"] = out["weakest"].map(lambda v: ELEMENTS.get(v, "") if isinstance(v, str) else "")
    return out


def _minus(org: pd.Series, manager: pd.Series, e: str) -> Moments:
    """Moments of element `e` over the rest of the organisation (org minus the manager)."""
    return Moments(
        org["n"] - manager["n"], org[f"s_{e}"] - manager[f"s_{e}"], org[f"p_{e}{e}"] - manager[f"p_{e}{e}"]
    )


def _matrices(row: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    sums = np.array([row[f"s_{e}"] for e in ELEMENT_CODES], dtype=float)
    k = len(ELEMENT_CODES)
    products = np.zeros((k, k))
    for x, y in PAIRS:
        i, j = ELEMENT_CODES.index(x), ELEMENT_CODES.index(y)
        products[i, j] = products[j, i] = row[f"p_{x}{y}"]
    return sums, products


REPORT_COLUMNS = (
    "rank_label",
    "employee_ref",
    "name",
    "status",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "shrunk",
    "rank_low",
    "rank_high",
    "vs_rest",
    "vs_rest_p_holm",
    "outstanding",
    "need_name",
    "weakest_name",
    "n_elements",
    *NEED_COLUMNS,
)


def manager_report(session: Session, scope: Scope, filters: Filters, min_n: int) -> dict:
    """The appraisal as `csat metrics managers` prints it: managers by their
    employee reference (never a database id), numbers below min_n left out."""
    view = manager_appraisal(session, scope, filters, min_n)
    table = view.table.reindex(columns=list(REPORT_COLUMNS)) if not view.table.empty else view.table
    return {
        "scale": "index: 0-100 index points of the overall question's scale; differences in index points",
        "min_n": min_n,
        "counted_in": "respondents",
        "organisation": view.organisation,
        "no_differences": view.no_differences,
        "outstanding_test": view.test,
        "training_need_rule": "weakest RATER element whose 99% interval (Bonferroni over five) lies below "
        "the manager's other elements (paired per respondent) or the rest of the selection (Welch)",
        "managers": table,
    }
