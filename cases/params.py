"""Values read from a query string or a small posted form outside a Django form. An address
is easily edited by hand (or by a probe), so a value that makes no sense falls back to a
default instead of raising deep inside the ORM or the database driver."""

from __future__ import annotations

from collections.abc import Collection

# Keys are 64-bit (DEFAULT_AUTO_FIELD is BigAutoField); a larger number overflows the
# database integer.
MAX_ID = 2**63 - 1


def int_param(
    value: str | None, allowed: Collection[int] | None = None, default: int | None = None
) -> int | None:
    """``value`` as a whole number if it is plain ASCII digits within the database's range
    (and, given ``allowed``, one of those), else ``default``. ``str.isdigit`` alone is not
    enough: it passes "²", which int() refuses, and "٣", which int() reads as 3."""
    if not value or len(value) > len(str(MAX_ID)) or not (value.isascii() and value.isdigit()):
        return default
    number = int(value)
    if number > MAX_ID or (allowed is not None and number not in allowed):
        return default
    return number


def choice_param(value: str | None, choices: Collection[str], default: str = "") -> str:
    """``value`` if it is one of ``choices`` (a filter the screen offers), else ``default``."""
    return value if value in choices else default


def search_text(value: str | None) -> str:
    """Search words without surrounding spaces and without NUL characters, which
    PostgreSQL refuses in a query."""
    return (value or "").replace("\x00", "").strip()
