"""Vocabulary of the field (see docs/DOMAIN-MODEL.md): RATER elements, feedback
channels, roles. Pure constants, importable from every layer."""

from __future__ import annotations

# RATER elements in the order charts show them; colours are fixed per element
# so that every chart in the product speaks the same visual language.
ELEMENTS: dict[str, str] = {
    "R": "Reliability",
    "A": "Assurance",
    "T": "Tangibles",
    "E": "Empathy",
    "S": "Responsiveness",
}
ELEMENT_COLOURS: dict[str, str] = {
    "R": "#1f77b4",
    "A": "#9467bd",
    "T": "#8c564b",
    "E": "#e377c2",
    "S": "#ff7f0e",
}
# The same hues darkened where needed so that element names written in them
# reach WCAG AA contrast (4.5:1) on white; charts keep ELEMENT_COLOURS.
ELEMENT_TEXT_COLOURS: dict[str, str] = {
    "R": "#1f77b4",
    "A": "#8e62b5",
    "T": "#8c564b",
    "E": "#a7588f",
    "S": "#b75b0a",
}

# Feedback channels and their known bias (DOMAIN 7). Only "survey" is a
# representative sample, so indices default to it.
CHANNELS: dict[str, str] = {
    "survey": "Questionnaire / survey (representative)",
    "comment_card": "Comment card (skewed to the very pleased or displeased)",
    "onsite_report": "On-site report by staff",
    "complaint": "Complaint (negative only)",
    "praise": "Praise / compliment (positive only)",
}
REPRESENTATIVE_CHANNEL = "survey"

# Customer segments the filter bar offers and the drill-down groups by.
SEGMENTS = ("retail", "sme", "corporate")

QUESTION_TYPES = ("scale", "nps", "text", "choice")

# Non-RATER constructs a template may declare (ACSI/ECSI model and headline items).
HEADLINE_CONSTRUCTS = ("overall", "recommend")

PLAN_STAGES = ("assess", "commit", "realise", "guarantee")
PLAN_STATUSES = ("planned", "active", "done", "cancelled")
