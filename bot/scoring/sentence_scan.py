"""An answer's sentences joined into one string, so a pattern set scans the answer once and says which
sentence each match is in."""

from __future__ import annotations

from collections.abc import Sequence

# A full stop and blank line: no pattern is written to match across it.
_SEPARATOR = ".\n\n"


class JoinedSentences:
    """Lower-cased sentences joined into one string, with where each one starts."""

    def __init__(self, sentences: Sequence[str]) -> None:
        self.sentences = [s.lower() for s in sentences]
        self.text = _SEPARATOR.join(self.sentences)
        self.starts: list[int] = []
        offset = 0
        for sentence in self.sentences:
            self.starts.append(offset)
            offset += len(sentence) + len(_SEPARATOR)
