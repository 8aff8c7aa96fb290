"""Text about values the kit does not trust, made so that making it cannot fail.

Faults and error messages describe what a route, gate, policy or source handed over.
Those objects are outside the kit's control: their ``__str__`` or ``__repr__`` may raise,
return something odd, or be megabytes long. A fault that cannot be written is an order
lost (TERMINAL-1), so every description goes through here: bounded, and never raising
an ``Exception`` (an interrupt such as KeyboardInterrupt still propagates).
"""

from __future__ import annotations

import reprlib

LIMIT = 200
"""Characters of a value's text kept in a message; the rest is counted, not shown."""

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = LIMIT


def show(value: object) -> str:
    """``repr(value)``, clipped to :data:`LIMIT`; a placeholder if repr() fails."""
    try:
        return _plain(_REPR.repr(value))
    except Exception as failure:
        return f"<{type_name(value)} object; repr() raised {type_name(failure)}>"


def describe_exception(error: BaseException) -> str:
    """``"TypeName: message"`` for a fault, whatever the exception's ``__str__`` does."""
    try:
        text = _plain(str(error))
    except Exception as failure:
        text = f"<str() raised {type_name(failure)}>"
    return f"{type_name(error)}: {text}"


def type_name(value: object) -> str:
    """The qualified name of ``value``'s type, or ``"object"`` if even that is odd."""
    try:
        name = type(value).__qualname__
    except Exception:
        return "object"
    return name if type(name) is str else "object"


def _plain(text: str) -> str:
    """An exact ``str`` no longer than LIMIT (a ``str`` subclass may override anything)."""
    text = str.__str__(text)
    if len(text) <= LIMIT:
        return text
    return f"{text[:LIMIT]}... ({len(text) - LIMIT} more characters)"
