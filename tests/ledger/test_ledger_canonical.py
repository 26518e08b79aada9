"""RFC 8785 (JCS) canonical JSON, checked against published vectors."""

from __future__ import annotations

import json
import math
import struct

import pytest

from trustguardian.ledger import CanonicalizationError, canonical_json

# cyberphone/json-canonicalization testdata/input/weird.json -> testdata/output/weird.json
WEIRD_IN = (
    '{"\\u20ac": "Euro Sign", "1": "One", "\\u0080": "Control\\u007f",'
    ' "\\ud83d\\ude02": "Smiley", "\\u00f6": "Latin Small Letter O With Diaeresis",'
    ' "\\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge"}'
)
WEIRD_OUT = (
    '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
    '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
    '"\U0001f602":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
).encode()

# testdata/input/values.json -> testdata/output/values.json
VALUES_IN = (
    '{"numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],'
    ' "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
    ' "literals": [null, true, false]}'
)
VALUES_OUT = (
    '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],'
    '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}'
).encode()

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical serialization.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def test_key_order_unicode_and_escapes() -> None:
    assert canonical_json(json.loads(WEIRD_IN)) == WEIRD_OUT


def test_numbers_escaping_literals() -> None:
    assert canonical_json(json.loads(VALUES_IN)) == VALUES_OUT


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_number_serialization(bits: str, expected: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_json(value) == expected.encode()


def test_simple_structures() -> None:
    assert canonical_json({"b": [1, {"z": None, "a": True}], "a": "x"}) == (
        b'{"a":"x","b":[1,{"a":true,"z":null}]}'
    )
    assert canonical_json(("t", 1.0, -0.0)) == b'["t",1,0]'
    # UTF-16 code unit order: U+1F602 (D83D DE02) sorts before U+FB33.
    assert canonical_json({"\ufb33": 1, "\U0001f602": 2}) == '{"\U0001f602":2,"\ufb33":1}'.encode()


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, 2**53, {1: "int key"}, b"bytes", {"s": {1, 2}}]
)
def test_rejects_non_json_values(bad: object) -> None:
    with pytest.raises(CanonicalizationError):
        canonical_json(bad)
