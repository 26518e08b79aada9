"""Brand benchmark: what the brand costs a public page, which reads it on every render.

    python bench/brand.py [--repeat 200] [--backends sqlite,postgresql]

Per backend, with a brand saved in the console (every field and an 8 KB PNG logo):
- brand_read: `service.brand.brand_in_force` (one read transaction: the brand row without its
  logo, merged with settings) vs the raw baseline `SELECT company_name FROM brand` on a pooled
  connection;
- home: `GET /` through the real app (TestClient: templates, brand, headers) with the brand;
- css: `GET /static/public.css` (the brand's variables before the static file);
- logo: `GET /brand/logo`.

Prints median and p95 milliseconds, the brand read's ratio to the raw read and its share of the
home page, then one JSON line of all figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from common import context, database, percentile
from trustguardian.asgi import create_app
from trustguardian.service.brand import brand_in_force, set_brand

VALUES: dict[str, str | None] = {
    "company_name": "Bottega Rossi S.p.A.",
    "primary_color": "#b41e28",
    "accent_color": "#f0c000",
    "on_primary_color": "#ffffff",
    "footer_text": "Bottega Rossi S.p.A. · Via Roma 1, Milano",
    "privacy_url": "https://bottegarossi.example/privacy",
    "contact_url": "https://bottegarossi.example/contatti",
    "sender_name": "Bottega Rossi",
    "sender_address": "privacy@bottegarossi.example",
}
# A PNG signature and 8 KB after it: the read under test never decodes the logo.
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(8192)


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    action()  # warm caches and connections once
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        found.append((time.perf_counter() - start) * 1000)
    return found


def run(backend: str, repeat: int, workdir: Path) -> dict[str, float]:
    url, drop = database(backend, workdir)
    ctx = context(url, workdir)
    try:
        set_brand(ctx, values=VALUES, logo=LOGO, actor="bench")

        def raw() -> object:
            with ctx.engine.connect() as conn:
                return conn.execute(text("SELECT company_name FROM brand")).scalar_one()

        with TestClient(create_app(ctx)) as client:
            samples = {
                "home": timed(lambda: client.get("/"), repeat),
                "css": timed(lambda: client.get("/static/public.css"), repeat),
                "logo": timed(lambda: client.get("/brand/logo"), repeat),
                "brand_read": timed(lambda: brand_in_force(ctx), repeat),
                "raw_read": timed(raw, repeat),
            }
    finally:
        ctx.engine.dispose()
        drop()
    figures: dict[str, float] = {}
    for name, values in samples.items():
        figures[f"{name}_ms_p50"] = round(statistics.median(values), 3)
        figures[f"{name}_ms_p95"] = round(percentile(values, 0.95), 3)
    figures["brand_read_ratio"] = round(
        figures["brand_read_ms_p50"] / figures["raw_read_ms_p50"], 1
    )
    figures["brand_share_of_home"] = round(figures["brand_read_ms_p50"] / figures["home_ms_p50"], 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    result: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            figures = run(backend, args.repeat, Path(workdir))
            result[backend] = figures
            print(f"{backend}:")
            for name in ("brand_read", "raw_read", "home", "css", "logo"):
                print(
                    f"  {name:<11} p50 {figures[f'{name}_ms_p50']:8.3f} ms"
                    f"   p95 {figures[f'{name}_ms_p95']:8.3f} ms"
                )
            print(
                f"  brand read / raw read: {figures['brand_read_ratio']}x;"
                f" share of the home page: {figures['brand_share_of_home']:.0%}"
            )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
