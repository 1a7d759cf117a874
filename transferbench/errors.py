"""The one exception type that reaches the user as a single line."""


class UserError(Exception):
    """A problem the user can fix (bad name, bad value, missing data).

    The entrypoint prints ``str(error)`` as one line and exits non-zero; it never shows a
    traceback for these. The message says what is wrong and how to fix it.
    """
