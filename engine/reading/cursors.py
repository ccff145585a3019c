"""Page cursors for keyset paging: a list's position as an opaque URL-safe string (unpadded base64url of its
UTF-8 text) and back. A cursor that is not one is refused with `cursor_invalid`, naming the list; each list
checks the position it reads out of it."""

from __future__ import annotations

import base64
import binascii

from engine.errors import ErrorCode, InvalidInput


def opaque(position: str) -> str:
    """The position as a cursor."""
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def revealed(cursor: str, of: str) -> str:
    """The position a cursor of `opaque` holds; anything else is refused as "not a cursor of `of`"."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, TypeError, binascii.Error) as exc:
        raise refused(of, exc) from None


def refused(of: str, why: object) -> InvalidInput:
    """The error for a cursor that holds no position of `of`."""
    return InvalidInput(ErrorCode.CURSOR_INVALID, f"not a {of} cursor: {why}", params={"field": "cursor"})
