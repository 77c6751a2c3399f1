"""Errors that are the user's to fix.

Every user mistake is reported as one clear sentence naming the place (file, row,
column or field), the bad value and what is expected. Front ends (CLI, app) show
the message and exit non-zero; they never show a traceback for an ``InputError``.
"""


class InputError(ValueError):
    """Bad input: the message is one sentence a planner can act on."""
