"""No module of the package grows past the size one reader can hold: 400 lines."""

from __future__ import annotations

from pathlib import Path

import trustguardian

PACKAGE = Path(trustguardian.__file__).parent
MAX_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 100, f"found only {len(modules)} modules under {PACKAGE}"
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in modules}
    over = [
        f"{p.relative_to(PACKAGE.parent)}: {n} lines"
        for p, n in sorted(sizes.items())
        if n > MAX_LINES
    ]
    assert not over, f"modules over {MAX_LINES} lines (split them along a seam):\n" + "\n".join(
        over
    )
