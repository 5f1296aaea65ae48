"""tg's error type and the user location every error names.

Every error the package raises for a user's mistake is a `TgError` whose
message starts with the user's `file:line` (the first frame outside this
package, so code that AutoGraph converted, which keeps the user's file name
and line numbers, counts as the user's). `TgError` subclasses `ValueError`;
`TgTypeError` also subclasses `TypeError` for the mistakes Python reports as
type errors (a wrong dtype, a missing argument).
"""
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class TgError(ValueError):
    """A tg compile, trace or run error; the message names the user's line."""


class TgTypeError(TgError, TypeError):
    """A TgError that Python would report as a TypeError (dtypes, arity)."""


def user_location(skip=1):
    """(file, line) of the innermost frame outside the tg package."""
    frame = sys._getframe(skip)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) or "/tests/" in filename:
            return filename, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


def error(message, kind=TgError, loc=None):
    """A `kind` error whose message starts with the user's file:line."""
    file, line = loc or user_location(2)
    return kind("%s:%d: error: %s" % (file, line, message))
