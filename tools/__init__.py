"""Tools for the project's developers, run as modules from the repository's root
(``python -m tools.fp16_storage``); the two that write checked-in files also as scripts
(``python tools/cli_reference.py``, ``python tools/translations.py``)."""
