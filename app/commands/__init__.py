"""The ``hearth`` sub-commands, one module each."""
