"""English stop words dropped from full-text queries (never from the index itself).

The list is Lucene's classic English set plus common question words, which carry no topic
in a chat question ("what", "how", "does").
"""

from __future__ import annotations

STOPWORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with", "what", "which", "who", "whom",
    "whose", "when", "where", "why", "how", "do", "does", "did", "doing", "done", "can",
    "could", "would", "should", "shall", "may", "might", "must", "i", "me", "my", "we",
    "our", "you", "your", "he", "him", "his", "she", "her", "its", "them", "from", "about",
    "than", "so", "too", "very", "just", "also", "any", "all", "some", "been", "being",
    "have", "has", "had", "having", "am", "were", "over", "under", "again", "further",
    "once", "here", "both", "each", "few", "more", "most", "other", "own", "same", "only",
])
