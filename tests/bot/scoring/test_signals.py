"""The quantity pattern, written for speed, finds what its plain form finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scoring.signals import Vocabulary, lowered
from tests.calibration.dataset import fitting_answers
from tests.shipped import shipped_bank

CHARS = [*"$€£0123456789 .,kmbx%a-'", "\u0663", "\xa0", "\t", "hours", "ms", "pp", "1.5", " points"]


def plain_quantity() -> tuple[Vocabulary, object]:
    language = shipped_bank().language
    units = "|".join(language.units)
    plain = lowered(rf"(?=[$€£0-9])(?:[$€£]\s?\d[\d,.]*\s?[kmb]?\b|\b\d[\d,.]*\s?(?:{units})|\b\d[\d,.]*\b)")
    return Vocabulary(language), plain


def test_real_answers_have_the_same_quantities() -> None:
    vocabulary, plain = plain_quantity()
    for answer in fitting_answers():
        text = answer.text.lower()
        assert [m.span() for m in vocabulary.quantity.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(CHARS), max_size=14))
def test_any_text_has_the_same_quantities(pieces: list[str]) -> None:
    vocabulary, plain = plain_quantity()
    text = "".join(pieces)
    assert [m.span() for m in vocabulary.quantity.finditer(text)] == [m.span() for m in plain.finditer(text)]
