"""Stopping an answer that loops (issue 12): small local models sometimes repeat one sentence,
or a few words, until the token cap. :class:`RepetitionGuard` watches the streamed text and
says when it loops, so the turn stops the model at once and tells the user why.

Two signs of a loop, both cheap enough to test after every streamed piece:

* the same sentence (case, spacing and punctuation ignored; at least ``MIN_SENTENCE_WORDS``
  words) ends ``sentence_repeats`` times;
* the answer's last words are one short unit (1 to ``MAX_PERIOD`` words) repeated back to back
  until they cover at least ``min_loop_words`` words (``word word word…``, ``I'm sorry. I'm
  sorry.``) with the unit seen at least ``unit_repeats`` times.

:meth:`kept` is the answer without the repeats (their first occurrence stays), which is what
the conversation records, so the next turn's prompt does not invite the same loop.
"""

from __future__ import annotations

import re

MIN_SENTENCE_WORDS = 4
MAX_PERIOD = 30
STOPPED_NOTE = "(I stopped this answer because it was repeating itself.)"
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n+")
_WORD = re.compile(r"\w+(?:'\w+)?")


class RepetitionGuard:
    """Feed the visible answer piece by piece; :attr:`looping` turns true once it loops."""

    def __init__(self, *, sentence_repeats: int = 3, unit_repeats: int = 3,
                 min_loop_words: int = 12) -> None:
        self.sentence_repeats = sentence_repeats
        self.unit_repeats = unit_repeats
        self.min_loop_words = min_loop_words
        self.looping = False
        self._text = ""
        self._scanned = 0  # where the next sentence starts in _text
        self._seen: dict[str, int] = {}
        self._second: dict[str, int] = {}  # where each sentence was first repeated
        self._cut: int | None = None  # where the repeats begin in _text, once looping

    def feed(self, text: str) -> bool:
        """Add the next piece of the answer; True when the answer now loops."""
        if self.looping or not text:
            return self.looping
        self._text += text
        self._check_sentences()
        if not self.looping:
            self._check_tail()
        return self.looping

    def kept(self) -> str:
        """The answer so far without its repeats (all of it when it does not loop)."""
        return (self._text if self._cut is None or not self.looping
                else self._text[:self._cut]).rstrip()

    def _check_sentences(self) -> None:
        for match in _SENTENCE_END.finditer(self._text, self._scanned):
            sentence = self._text[self._scanned:match.end()]
            key = " ".join(w.lower() for w in _WORD.findall(sentence))
            start, self._scanned = self._scanned, match.end()
            if len(key.split()) < MIN_SENTENCE_WORDS:
                continue
            count = self._seen[key] = self._seen.get(key, 0) + 1
            if count == 2:
                self._second[key] = start
            if count >= self.sentence_repeats:
                self.looping = True
                self._cut = self._second.get(key, start)  # keep the first occurrence only
                return

    def _check_tail(self) -> None:
        words = list(_WORD.finditer(self._text[-4000:]))
        offset = max(0, len(self._text) - 4000)
        if not self._text[-1:].isspace() and words and words[-1].end() + offset == len(
                self._text):
            words = words[:-1]  # the last word may still be growing
        keys = [w[0].lower() for w in words]
        for period in range(1, MAX_PERIOD + 1):
            repeats = max(self.unit_repeats, -(-self.min_loop_words // period))
            span = period * repeats
            if span > len(keys):
                break
            tail = keys[-span:]
            if all(tail[i] == tail[i - period] for i in range(period, span)):
                self.looping = True
                first_repeat = words[len(words) - span + period]
                self._cut = first_repeat.start() + offset
                return


def without_repeats(text: str) -> str:
    """A complete answer with a loop cut off after its first occurrence (BASIC ``LLM``
    results, which are not streamed)."""
    guard = RepetitionGuard()
    for piece in re.split(r"(?<=\s)", text):
        if guard.feed(piece):
            return guard.kept()
    return text
