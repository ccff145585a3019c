"""A form field or query value as the value it names: a day, or a whole number of bounded length; None when the
text is not one, so the page says so or uses its default."""

from __future__ import annotations

from datetime import date


def iso_date(raw: str | None) -> date | None:
    """A day written YYYY-MM-DD (surrounding spaces ignored)."""
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def whole_number(raw: str | None, *, digits: int = 9) -> int | None:
    """A whole number of at most `digits` digits (surrounding spaces ignored); no sign, no separators."""
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= digits else None
