"""The one exception type that reaches the user as a single line."""


class UserError(Exception):
    """A problem the user can fix (bad name, bad value, missing data).

    The entrypoint prints ``str(error)`` as one line and exits non-zero; it never shows a
    traceback for these. The message says what is wrong and how to fix it.
    """


def first_line(error: BaseException) -> str:
    """``ExceptionType: first line of its message`` (at most 200 characters), for one-line reports."""
    lines = str(error).strip().splitlines()
    return type(error).__name__ + (f": {lines[0][:200]}" if lines else "")
