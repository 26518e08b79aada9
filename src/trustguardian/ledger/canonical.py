"""RFC 8785 JSON Canonicalization Scheme (JCS) for ledger entries."""

from __future__ import annotations

from typing import Any, cast

import orjson
import rfc8785

__all__ = ["CanonicalizationError", "canonical_json", "canonical_json_plain"]

CanonicalizationError = rfc8785.CanonicalizationError


def canonical_json(obj: object) -> bytes:
    """Serialize ``obj`` to its RFC 8785 canonical JSON bytes (UTF-8, no whitespace).

    Accepts ``None``, ``bool``, ``int`` (within +-2**53-1), finite ``float``, ``str``,
    lists/tuples and dicts with ``str`` keys; anything else raises
    :class:`CanonicalizationError` (a :class:`ValueError`).
    """
    return rfc8785.dumps(cast(Any, obj))


# For JSON made only of str, int (|n| <= 2**53 - 1), bool, None, lists and dicts with ASCII keys,
# RFC 8785 output is exactly what orjson writes with sorted keys: no whitespace, UTF-8 text, and
# the same escapes (\b \t \n \f \r, \u00xx in lower case, nothing else). It is an order of
# magnitude faster than the general implementation, which matters on the ingest and verify paths;
# tests/ledger/test_ledger_canonical_plain.py holds the two to the same output.
def canonical_json_plain(obj: object) -> bytes:
    """RFC 8785 bytes of plain JSON (no floats, ASCII keys); anything else raises ValueError."""
    try:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError as exc:
        raise ValueError(str(exc)) from exc
