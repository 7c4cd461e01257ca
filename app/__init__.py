"""Hearth's composition root: the ``hearth`` CLI, settings, data paths and the wiring of the
engine, its storage backends and the shells (desktop, terminal, LAN server).

``app`` may import ``engine`` and ``ui``; nothing imports ``app``.
"""
