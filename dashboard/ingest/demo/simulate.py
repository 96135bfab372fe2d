"""Quarter-by-quarter simulation of the demo customers: latent satisfaction,
service requests, feedback, account-manager departures and churn.

Churn is caused here by the drivers DOMAIN 6 names (consecutive dissatisfied
quarters, unresolved complaints, requests resolved after their SLA, the
account manager leaving), so the churn
model has real structure to find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from dashboard.ingest.demo import plan
from dashboard.ingest.demo.world import World, to_days

CHANNEL_NAMES = ["survey", "comment_card", "onsite_report", "complaint", "praise"]
SURVEY_RESPONSE_RATE = 0.33
OTHER_CHANNEL_RATES = {1: 0.012, 2: 0.009, 4: 0.006}  # per active customer and quarter
DISSATISFIED_BELOW = -0.55  # latent level below which a customer is dissatisfied
WEIGHTS = np.array([plan.TRUE_DRIVER_WEIGHTS[e] for e in plan.ELEMENT_ORDER])


@dataclass
class WavePeriod:
    code: str
    name: str
    start: date
    end: date


def quarters() -> list[WavePeriod]:
    (y, q), out = plan.FIRST_WAVE, []
    while (y, q) <= plan.LAST_WAVE:
        start = date(y, 3 * q - 2, 1)
        end = date(y + (q == 4), (3 * q) % 12 + 1, 1)
        out.append(WavePeriod(f"{y}-Q{q}", f"Q{q} {y}", start, date.fromordinal(end.toordinal() - 1)))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


@dataclass
class Simulation:
    waves: list[WavePeriod]
    churned_day: np.ndarray
    slots: dict[str, np.ndarray] = field(default_factory=dict)  # response candidates
    requests: dict[str, np.ndarray] = field(default_factory=dict)


def plan_effect(
    world: World, t_start: date, bi_code: str, element: str, effect: float, start: date
) -> tuple[int, int, float]:
    """(branch index, element index, effect at a wave starting t_start)."""
    bi = world.branch_codes.index(bi_code)
    ei = plan.ELEMENT_ORDER.index(element)
    if t_start < start:
        return bi, ei, 0.0
    quarters_in = (t_start.year - start.year) * 4 + (t_start.month - start.month) // 3
    return bi, ei, effect * (0.5 if quarters_in == 0 else 1.0)


def simulate(world: World, rng: np.random.Generator) -> Simulation:
    waves = quarters()
    n = world.n_customers
    churned_day = np.full(n, -1)
    drift = np.zeros(n)
    consecutive = np.zeros(n, dtype=int)
    unresolved_until = np.full(n, -1)  # wave index until which an unresolved complaint weighs
    late_until = np.full(n, -1)  # ... and a request resolved after its SLA
    slot_parts: list[dict[str, np.ndarray]] = []
    request_parts: list[dict[str, np.ndarray]] = []

    for t, wave in enumerate(waves):
        start, end = to_days(wave.start), to_days(wave.end)
        active = (world.joined_day <= end) & (churned_day < 0)
        idx = np.flatnonzero(active)
        effects = world.unit_effects[world.branch[idx], world.dept[idx]].copy()
        for p in (plan.EFFECTIVE_PLAN, plan.INEFFECTIVE_PLAN):
            bi, ei, eff = plan_effect(
                world, wave.start, p["branch"], p["element"], p["effect"], p["start_on"]
            )
            effects[world.branch[idx] == bi, ei] += eff
        am = world.am[idx]
        am_left_recent = (
            (am >= 0)
            & (world.am_left_day[np.maximum(am, 0)] <= end)
            & (world.am_left_day[np.maximum(am, 0)] > end - 365)
        )
        drift[idx] = 0.6 * drift[idx] + rng.normal(0.0, 0.35, idx.size)
        recent_unresolved = unresolved_until[idx] >= t
        base = world.trait[idx] + drift[idx] + 0.015 * t - 0.35 * am_left_recent - 0.4 * recent_unresolved
        level = base + effects @ WEIGHTS
        dissatisfied = level < DISSATISFIED_BELOW
        consecutive[idx] = np.where(dissatisfied, consecutive[idx] + 1, 0)

        request_parts.append(_requests(world, rng, idx, dissatisfied, effects, start, end))
        unresolved_complaint = np.zeros(idx.size, dtype=bool)
        got = request_parts[-1]
        bad = got["is_complaint"] & (got["resolved_hours"] < 0)
        unresolved_complaint[np.searchsorted(idx, got["customer"][bad])] = True
        unresolved_until[idx[unresolved_complaint]] = t + 1
        late = got["resolved_hours"] > got["sla_hours"]
        late_until[got["customer"][late]] = t + 3  # the last four quarters

        slot_parts.append(_feedback_slots(rng, idx, t, base, effects, start, end, got))

        logit = (
            plan.CHURN_BASE_LOGIT
            + plan.CHURN_PER_DISSATISFIED_WAVE * np.minimum(consecutive[idx], 4)
            + plan.CHURN_UNRESOLVED_COMPLAINT * (unresolved_until[idx] >= t)
            + plan.CHURN_MANAGER_LEFT * am_left_recent
            + plan.CHURN_LATE_RESOLUTION * (late_until[idx] >= t)
            + 0.25 * (world.segment[idx] == 0)
        )
        churn = rng.random(idx.size) < 1.0 / (1.0 + np.exp(-logit))
        churned_day[idx[churn]] = end + rng.integers(1, 90, int(churn.sum()))

    sim = Simulation(waves=waves, churned_day=churned_day)
    sim.slots = {k: np.concatenate([p[k] for p in slot_parts]) for k in slot_parts[0]}
    sim.requests = {k: np.concatenate([p[k] for p in request_parts]) for k in request_parts[0]}
    return sim


def _requests(world, rng, idx, dissatisfied, effects, start, end) -> dict[str, np.ndarray]:
    counts = rng.poisson(0.20 + 0.15 * dissatisfied)
    who = np.repeat(np.arange(idx.size), counts)
    m = who.size
    s_effect = effects[who, plan.ELEMENT_ORDER.index("S")]
    complaint = rng.random(m) < 0.12 + 0.30 * dissatisfied[who]
    slow = np.exp(-1.2 * np.minimum(s_effect, 0.5))  # weak responsiveness -> slower
    first = rng.lognormal(np.log(8.0), 0.8, m) * slow
    resolve = first + rng.lognormal(np.log(30.0), 0.9, m) * slow * np.where(complaint, 1.8, 1.0)
    unresolved = rng.random(m) < 0.04 + 0.06 * complaint + 0.10 * np.clip(-s_effect, 0, 1)
    sla = np.where(complaint, 120.0, 48.0)
    return {
        "customer": idx[who],
        "branch": world.branch[idx[who]],
        "dept": world.dept[idx[who]],
        "submitted_day": rng.integers(start, end + 1, m),
        "submitted_minute": rng.integers(8 * 60, 18 * 60, m),
        "is_complaint": complaint,
        "first_hours": np.round(first, 2),
        "resolved_hours": np.where(unresolved, -1.0, np.round(resolve, 2)),
        "sla_hours": sla,
        "rating": np.clip(np.round(4.4 - 0.012 * resolve - 1.5 * unresolved + rng.normal(0, 0.6, m)), 1, 5),
        "category": rng.integers(0, 5, m),
    }


def _feedback_slots(rng, idx, t, base, effects, start, end, requests) -> dict[str, np.ndarray]:
    """Candidate responses of this quarter on every channel."""
    parts = [np.flatnonzero(rng.random(idx.size) < SURVEY_RESPONSE_RATE)]
    channels = [np.zeros(parts[0].size, dtype=int)]
    for ch, rate in OTHER_CHANNEL_RATES.items():
        chosen = np.flatnonzero(rng.random(idx.size) < rate)
        parts.append(chosen)
        channels.append(np.full(chosen.size, ch))
    # half of complaint requests also arrive as complaint feedback
    complainers = requests["customer"][
        requests["is_complaint"] & (rng.random(requests["customer"].size) < 0.5)
    ]
    pos = np.searchsorted(idx, complainers)
    parts.append(pos)
    channels.append(np.full(pos.size, 3))
    who = np.concatenate(parts)
    return {
        "customer": idx[who],
        "wave": np.full(who.size, t),
        "channel": np.concatenate(channels),
        "base": base[who],
        "effects": effects[who],
        "day": rng.integers(start, end + 1, who.size),
        "minute": rng.integers(7 * 60, 21 * 60, who.size),
    }
