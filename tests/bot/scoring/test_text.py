"""Reading text fast: shorthand, sentence breaks and word counts give what their plain forms give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scoring.reading import words_of
from bot.scoring.text import _SENTENCE_END, Shorthand, count_words, read_answer, spelled_out
from tests.calibration.dataset import fitting_answers
from tests.shipped import shipped_bank

PIECES = ["eng", "(eng),", "tbh.", "u", "U?", "im", "w/e", "w/", "w/o", "~3", "&", "it's", "’", "pct", "q1", "id"]
PIECES += ["we", "cut", "the", "scope", "e.n.g", "...", "()", "x", "\t", "\n", "  ", "ENG", "b/c", "→"]


def test_real_answers_are_spelled_out_alike() -> None:
    abbreviations = shipped_bank().language.abbreviations
    shorthand = Shorthand(abbreviations)
    for answer in fitting_answers()[::5]:
        sentences = read_answer(answer.text).sentences
        assert shorthand.sentences(sentences) == [spelled_out(s, abbreviations) for s in sentences]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12), max_size=3), st.sampled_from(["", " ", "-"]))
def test_any_sentence_is_spelled_out_alike(sentences: list[list[str]], glue: str) -> None:
    texts = [glue.join(pieces) for pieces in sentences]
    for abbreviations in (shipped_bank().language.abbreviations, {"e.g": "for example", "": "x"}, {}):
        expected = [spelled_out(text, abbreviations) for text in texts]
        assert Shorthand(abbreviations).sentences(texts) == expected, abbreviations


PLAIN_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\[A-Za-z0-9•\-*~$€£])|[ \t]*\n\s*")
BREAK_CHARS = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\xa0", "\u2003", ".", "!", "?", ";", ",", ":", ")"]
BREAK_CHARS += ["a", "Z", "0", '"', "'", "(", "[", "•", "-", "*", "~", "$", "€", "£"]


@settings(max_examples=2000, deadline=None)
@given(st.text(st.sampled_from(BREAK_CHARS), max_size=16))
def test_sentences_break_where_the_plain_pattern_breaks(text: str) -> None:
    assert _SENTENCE_END.split(text) == PLAIN_SENTENCE_END.split(text)


def test_real_answers_break_where_the_plain_pattern_breaks() -> None:
    for answer in fitting_answers():
        text = answer.text.replace("\r\n", "\n").strip()
        assert _SENTENCE_END.split(text) == PLAIN_SENTENCE_END.split(text), answer.id


WORD_CHARS = [*"aZ09'’%.-/ ,;\t\n_é\x1cß", "\u2003", "\U0001f600", "İ", "x.y", "--", "e.g."]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(WORD_CHARS), max_size=14).map("".join))
def test_words_are_counted_and_split_as_the_plain_patterns_find_them(text: str) -> None:
    assert count_words(text) == len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’%.\-/]*", text))
    assert words_of(text) == re.findall(r"[a-z0-9']+", text)


def test_real_answers_are_counted_and_split_as_the_plain_patterns_find_them() -> None:
    for answer in fitting_answers():
        assert count_words(answer.text) == len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’%.\-/]*", answer.text))
        low = answer.text.lower()
        assert words_of(low) == re.findall(r"[a-z0-9']+", low)
