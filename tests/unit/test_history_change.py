"""The plan history's cut of a long text to its changed part."""

from dashboard.services.plans import changed_part


def test_short_texts_are_kept_whole():
    assert changed_part("Queue times", "Queue time") == ("Queue times", "Queue time")
    assert changed_part(None, "x" * 500) == (None, "x" * 500)


def test_a_change_in_the_middle_keeps_thirty_characters_either_side():
    old = "a" * 100 + "OLD" + "b" * 100
    new = "a" * 100 + "NEW!" + "b" * 100
    context_a, context_b = "…" + "a" * 30, "b" * 30 + "…"
    assert changed_part(old, new) == (context_a + "OLD" + context_b, context_a + "NEW!" + context_b)


def test_an_appended_text_keeps_only_the_end():
    old = "x" * 200
    assert changed_part(old, old + " more") == ("…" + "x" * 30, "…" + "x" * 30 + " more")
