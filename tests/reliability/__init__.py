"""Reliability suite: attacks, chaos, disk full and overload tests (issue 10)."""
