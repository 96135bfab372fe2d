"""Verbatim comment phrases by RATER element and sentiment, for demo data."""

from __future__ import annotations

NEGATIVE = {
    "R": [
        "You promised to call me back on Tuesday and nobody did.",
        "My statement had the wrong balance again.",
        "The transfer I asked for was done a week late.",
        "I had to ask three times before the error on my account was fixed.",
        "The loan decision came much later than promised.",
    ],
    "A": [
        "The adviser could not answer basic questions about my mortgage.",
        "Staff did not seem to know the new fee rules.",
        "I did not feel my data was handled safely.",
        "The person at the desk was curt with me.",
    ],
    "T": [
        "The branch looks tired and the queue machine was broken.",
        "The card reader at the counter never works.",
        "Brochures are out of date and hard to read.",
        "The waiting area is cramped and too warm.",
    ],
    "E": [
        "Nobody seemed interested in my situation.",
        "Opening hours do not suit anyone who works.",
        "I felt like a number, not a customer.",
        "They pushed a product I clearly did not need.",
    ],
    "S": [
        "I waited 40 minutes to be seen.",
        "Emails go unanswered for days.",
        "Nobody picks up the phone at the branch.",
        "It took two weeks to get a reply to my complaint.",
        "Staff were too busy to help me.",
    ],
}
POSITIVE = {
    "R": [
        "Everything was done exactly when they said it would be.",
        "No mistakes, as always.",
        "They kept every promise they made.",
    ],
    "A": [
        "Very knowledgeable adviser, I trust them completely.",
        "Polite and professional staff.",
        "I always feel safe dealing with them.",
    ],
    "T": [
        "The new branch layout is lovely.",
        "Clean, modern and easy to find your way.",
    ],
    "E": [
        "They really took the time to understand what I need.",
        "My account manager knows me and my business.",
        "Felt genuinely cared for.",
    ],
    "S": [
        "Quick answer to my question, thank you!",
        "They sorted my issue the same day.",
        "Always someone available to help.",
    ],
}
NEUTRAL = [
    "Fine overall.",
    "Nothing special to report.",
    "Service was okay.",
    "Average experience.",
]
