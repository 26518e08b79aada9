"""Every word the reports write in English has its Italian in the catalog."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.pofile import read_po

import trustguardian.reports as reports_package
from trustguardian.domain.registry import SAFEGUARDS
from trustguardian.i18n import LOCALE_DIR
from trustguardian.reports.i18n import translator
from trustguardian.reports.inspection_cases import HEADERS
from trustguardian.reports.register import COLUMNS, DEFAULT_SUBJECTS
from trustguardian.service.accountability.records import SECURITY_MEASURES

FOLDER = Path(reports_package.__file__).parent


def _italian() -> dict[tuple[str | None, str], str]:
    with (LOCALE_DIR / "it" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {(m.context, str(m.id)): str(m.string) for m in read_po(f) if m.id and m.string}


def _is_t(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"


def _translated_literals() -> set[str]:
    """What the reports pass to `t`: `t("...")`, and `t(h) for h in ("...", ...)`."""
    found: set[str] = set()
    for path in FOLDER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if _is_t(node):
                assert isinstance(node, ast.Call)
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
            if isinstance(node, ast.GeneratorExp | ast.ListComp) and _is_t(node.elt):
                for generator in node.generators:
                    if isinstance(generator.iter, ast.Tuple):
                        found.update(
                            e.value for e in generator.iter.elts if isinstance(e, ast.Constant)
                        )
    return found


def test_every_translated_string_of_the_reports_has_its_italian() -> None:
    words = _translated_literals()
    words |= {label for _, _, label in COLUMNS} | set(HEADERS)
    words |= {DEFAULT_SUBJECTS, SECURITY_MEASURES}
    italian = _italian()
    assert len(words) > 120
    assert sorted(w for w in words if (None, w) not in italian) == []
    assert [code for code in SAFEGUARDS if ("transfer safeguard", code) not in italian] == []


def test_placeholders_survive_translation() -> None:
    t = translator("it")
    assert t("Generated {at}; {n} activities.", at="oggi", n=3) == "Generato il oggi; 3 attività."
    assert translator("en")("none") == "none"
    assert t.code("status", "expired") == "scaduto"
    assert translator("en").code("status", "expired") == "expired"
    assert t.code("safeguard", "scc") == "clausole contrattuali tipo"
    assert translator("en").code("basis", "consent") == "consent"
