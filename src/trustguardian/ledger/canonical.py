"""RFC 8785 JSON Canonicalization Scheme (JCS) for ledger entries."""

from __future__ import annotations

from typing import Any, cast

import rfc8785

__all__ = ["CanonicalizationError", "canonical_json"]

CanonicalizationError = rfc8785.CanonicalizationError


def canonical_json(obj: object) -> bytes:
    """Serialize ``obj`` to its RFC 8785 canonical JSON bytes (UTF-8, no whitespace).

    Accepts ``None``, ``bool``, ``int`` (within +-2**53-1), finite ``float``, ``str``,
    lists/tuples and dicts with ``str`` keys; anything else raises
    :class:`CanonicalizationError` (a :class:`ValueError`).
    """
    return rfc8785.dumps(cast(Any, obj))
