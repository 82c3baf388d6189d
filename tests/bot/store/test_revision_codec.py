"""The stored form of a revision: deflated JSON that reads back, and plain JSON from before still reads."""

from __future__ import annotations

import json

import pytest

from bot.store.revision_codec import decode_revision, encode_revision
from tests.bot.scenario import GOOD_ANSWER

REVISION = {
    "at": "2026-03-02T10:00:00+00:00",
    "message_id": "m1",
    "text": " ".join([GOOD_ANSWER] * 3),
    "edit": False,
    "feedback": {"overall": 3.4},
}


def test_a_revision_reads_back_as_written_and_smaller() -> None:
    stored = encode_revision(REVISION)
    assert stored.startswith("z:") and decode_revision(stored) == REVISION
    assert len(stored) < len(json.dumps(REVISION)) * 0.7


def test_a_short_revision_is_kept_as_plain_json() -> None:
    short = {**REVISION, "text": "I cut scope."}
    assert json.loads(encode_revision(short)) == short == decode_revision(encode_revision(short))


def test_a_revision_stored_as_plain_json_still_reads() -> None:
    assert decode_revision(json.dumps(REVISION)) == REVISION


@pytest.mark.parametrize("stored", ["z:not base64!", "z:aGVsbG8=", "[1, 2]", "nonsense"])
def test_an_unreadable_revision_is_a_value_error(stored: str) -> None:
    with pytest.raises(ValueError):
        decode_revision(stored)
