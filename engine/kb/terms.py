"""From a question to an FTS5 query: its terms, minus stop words and very common terms.

BM25 costs FTS5 one ``bm25()`` call per passage that matches any query term, and a term found
in a large share of the passages ("cells", "patients" in a medical collection) makes most of
the collection match while adding little weight: its IDF is small. So terms present in more
than ``max_df`` of the collection's passages are left out of the query, as long as at least
``min_terms`` terms remain (the rarest of the common ones are kept to make up the number).
Document frequencies come from an ``fts5vocab`` table over the index; terms are stemmed for
that lookup by the same FTS5 tokenizer (an in-memory FTS5 table), so Python never has to
re-implement the Porter stemmer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

import sqlean as sqlite3

from engine.kb.stopwords import STOPWORDS

FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
MAX_TERMS = 64
_TERM = re.compile(r"\w+", re.UNICODE)


def query_terms(text: str) -> list[str]:
    """Distinct lower-case words without stop words (all words if only stop words)."""
    words = list(dict.fromkeys(t.lower() for t in _TERM.findall(text)))
    kept = [w for w in words if w not in STOPWORDS]
    return (kept or words)[:MAX_TERMS]


def or_query(terms: Sequence[str]) -> str:
    """``"a" OR "b"``: a passage matches when it has any of the terms."""
    return " OR ".join(f'"{term}"' for term in terms)


class Stemmer:
    """Each word's index tokens, as the FTS5 tokenizer makes them (one connection a thread)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def tokens(self, words: Sequence[str]) -> list[list[str]]:
        conn = self._conn()
        conn.execute("DELETE FROM words")
        conn.executemany("INSERT INTO words (rowid, w) VALUES (?, ?)", enumerate(words))
        found: list[list[str]] = [[] for _ in words]
        for term, row in conn.execute("SELECT term, doc FROM words_vocab ORDER BY doc, offset"):
            found[int(row)].append(str(term))
        return found

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            conn.execute(f"CREATE VIRTUAL TABLE words USING fts5(w, tokenize='{FTS_TOKENIZER}')")
            conn.execute("CREATE VIRTUAL TABLE words_vocab USING fts5vocab(words, 'instance')")
            self._local.conn = conn
        return conn


def prune_common(terms: Sequence[str], tokens: Sequence[Sequence[str]],
                 frequencies: dict[str, int], total: int, max_df: float,
                 min_terms: int) -> list[str]:
    """``terms`` without those in more than ``max_df`` of ``total`` passages (see module)."""
    def df(index: int) -> int:  # a multi-token word is a phrase: at most its rarest token
        return min((frequencies.get(t, 0) for t in tokens[index]), default=0)

    present = [i for i in range(len(terms)) if df(i) > 0]
    rare = [i for i in present if df(i) <= max_df * total]
    common = sorted((i for i in present if i not in rare), key=df)
    keep = set(rare) | set(common[:max(0, min_terms - len(rare))])
    return [terms[i] for i in range(len(terms)) if i in keep]
