"""Accounts, tokens, API keys and roles of the LAN server (ARCHITECTURE.md §6)."""
