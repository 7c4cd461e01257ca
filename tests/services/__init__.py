"""Real servers for tests, started once per test session on loopback (PostgreSQL, Redis, S3).

Each module offers a session-scoped fixture that starts its server on a free 127.0.0.1 port
in a temporary folder and stops it at the end, or calls ``require_service`` when the server
cannot be had (a skip locally, a failure in CI).
"""
