"""Turn simulated feedback into answers: item perceptions and expectations,
overall satisfaction, likelihood to recommend, importance points, comments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.analytics.indices import to_index
from dashboard.ingest.demo import comments, plan

EXPECTATION = np.array([plan.CUSTOMER_EXPECTATION[e] for e in plan.ELEMENT_ORDER])
WEIGHTS = np.array([plan.TRUE_DRIVER_WEIGHTS[e] for e in plan.ELEMENT_ORDER])
IMPORTANCE_ALPHA = np.array([plan.CUSTOMER_IMPORTANCE[e] for e in plan.ELEMENT_ORDER]) * 0.6
SEGMENT_EXPECTATION_SHIFT = np.array([0.0, 0.1, 0.3])  # retail, sme, corporate pay more, expect more


@dataclass(frozen=True)
class Instrument:
    """Question ids of the demo template, in item order."""

    item_ids: np.ndarray
    item_element: np.ndarray  # element index 0..4 of each item
    item_effect: np.ndarray
    overall_id: int
    nps_id: int


@dataclass
class AnswerBatch:
    answers: list[tuple]  # response_id, question_id, expectation, perception
    importance: list[tuple]  # response_id, element, points
    comments: list[str | None]


def make_answers(
    rng, inst: Instrument, response_ids, channel, base, effects, segment, expect_trait
) -> AnswerBatch:
    m = response_ids.size
    items = len(inst.item_ids)
    shift = np.where(channel == 1, np.where(rng.random(m) < 0.55, 1.6, -1.6), 0.0)  # comment cards: extremes
    latent = (
        4.9
        + (base + shift)[:, None]
        + effects[:, inst.item_element]
        + inst.item_effect
        + rng.normal(0.0, 0.85, (m, items))
    )
    p = np.clip(np.rint(latent), 1, 7).astype(int)
    e_latent = (
        EXPECTATION[inst.item_element]
        + (SEGMENT_EXPECTATION_SHIFT[segment] + expect_trait)[:, None]
        + rng.normal(0.0, 0.6, (m, items))
    )
    e = np.clip(np.rint(e_latent), 1, 7).astype(int)

    element_means = np.stack([p[:, inst.item_element == k].mean(axis=1) for k in range(5)], axis=1)
    # overall (1-10) rises with the weighted element scores (items 1-7), as a share of their scale
    overall_latent = 1 + 9 * (to_index(element_means, 1, 7) / 100) @ WEIGHTS + rng.normal(0.0, 0.7, m)
    overall = np.clip(np.rint(overall_latent), 1, 10).astype(int)
    overall = np.where(channel == 3, np.clip(np.rint(2.5 + rng.normal(0, 1, m)), 1, 5), overall)
    overall = np.where(channel == 4, np.clip(np.rint(9 + rng.normal(0, 0.8, m)), 7, 10), overall).astype(int)
    # the highly satisfied recommend far more (top-box effect)
    recommend = np.clip(np.rint(overall - 0.9 + 0.9 * (overall >= 9) + rng.normal(0, 0.9, m)), 0, 10).astype(
        int
    )

    has_items = channel <= 2
    survey = channel == 0
    rows: list[tuple] = []
    rid_items = np.repeat(response_ids[has_items], items).tolist()
    qid_items = np.tile(inst.item_ids, int(has_items.sum())).tolist()
    e_obj = e[has_items].astype(object)
    e_obj[~survey[has_items]] = None  # only the survey asks expectations
    rows.extend(zip(rid_items, qid_items, e_obj.ravel().tolist(), p[has_items].ravel().tolist(), strict=True))
    rows.extend(
        (rid, inst.overall_id, None, v)
        for rid, v in zip(response_ids.tolist(), overall.tolist(), strict=True)
    )
    rows.extend(
        (rid, inst.nps_id, None, v)
        for rid, v in zip(response_ids[survey].tolist(), recommend[survey].tolist(), strict=True)
    )

    importance = _importance(rng, response_ids[survey])
    return AnswerBatch(rows, importance, _comments(rng, channel, element_means, overall))


def _importance(rng, response_ids) -> list[tuple]:
    shares = rng.dirichlet(IMPORTANCE_ALPHA, response_ids.size) * 100
    points = np.floor(shares).astype(int)
    remainder = 100 - points.sum(axis=1)
    order = np.argsort(-(shares - points), axis=1)  # largest remainder rounding: sums to exactly 100
    for k in range(4):
        points[np.arange(len(points)), order[:, k]] += remainder > k
    rows = []
    for rid, row in zip(response_ids.tolist(), points.tolist(), strict=True):
        rows.extend((rid, el, pts) for el, pts in zip(plan.ELEMENT_ORDER, row, strict=True))
    return rows


def _comments(rng, channel, element_means, overall) -> list[str | None]:
    wants = np.where(channel == 0, 0.30, np.where(channel == 2, 0.5, 0.8))
    writes = (rng.random(channel.size) < wants) | (channel >= 3)
    deviation = element_means - element_means.mean(axis=1, keepdims=True)
    worst = deviation.argmin(axis=1)
    best = deviation.argmax(axis=1)
    picks = rng.random(channel.size)
    out: list[str | None] = []
    for i in range(channel.size):
        if not writes[i]:
            out.append(None)
            continue
        negative = channel[i] == 3 or (channel[i] != 4 and (overall[i] <= 5 or deviation[i, worst[i]] < -0.9))
        positive = channel[i] == 4 or overall[i] >= 9
        if negative:
            pool = comments.NEGATIVE[plan.ELEMENT_ORDER[worst[i]]]
        elif positive:
            pool = comments.POSITIVE[plan.ELEMENT_ORDER[best[i]]]
        else:
            pool = comments.NEUTRAL
        out.append(pool[int(picks[i] * len(pool))])
    return out
