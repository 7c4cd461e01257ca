"""Bot tables (BASIC.md §7): the SQLite implementation of the BASIC host's ``DataService``.

``sqlite_store`` is the service; ``catalog`` creates and alters tables and keeps their
schemas; ``sql_query`` compiles parsed filters to parameterised SQL; ``convert`` maps BASIC
values to stored values and back; ``gbdata`` reads a bot's data files for import.
"""
