"""Dependency audit for CI: pip-audit over the packages Trust Guardian runs on.

Policy:
- audited: the runtime dependency closure of `trustguardian` at the versions installed here
  (test tools and unrelated system packages are not shipped, so they are not audited);
- a known vulnerability fails CI unless its id is in `.ci/audit-ignore` with a reason;
- when the advisory service cannot be reached (a network-less runner, or a package mirror
  without PyPI's JSON API, as on our CI machine), the audit is reported as NOT done and CI goes
  on: no network is not a finding, and the next networked run audits. Packages without advisory
  data are named.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).parent
NETWORK = re.compile(r"ConnectionError|Max retries|Name or service not known|timed out|Temporary")


def closure(root: str) -> dict[str, str]:
    """Name -> installed version of `root` and everything it needs at run time (no extras)."""
    seen: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist.version
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            marker = requirement.split(";", 1)
            if len(marker) == 2 and not _marker_holds(marker[1]):
                continue
            todo.append(re.split(r"[\s<>=!~\[;(]", requirement, maxsplit=1)[0])
    seen.pop("trustguardian", None)
    return seen


def _marker_holds(marker: str) -> bool:
    from packaging.markers import Marker

    return Marker(marker).evaluate({"extra": ""})


def ignored() -> set[str]:
    path = HERE / "audit-ignore"
    if not path.exists():
        return set()
    return {line.split("#", 1)[0].strip() for line in path.read_text().splitlines()} - {""}


def main() -> int:
    pins = closure("trustguardian")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())))
    command = [sys.executable, "-m", "pip_audit", "-r", handle.name, "--no-deps"]
    command += ["--disable-pip", "--progress-spinner", "off", "--format", "json"]
    done = subprocess.run(  # noqa: S603 -- our own fixed command line
        command,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1) or not done.stdout.strip():
        if NETWORK.search(done.stderr):
            print("pip-audit: advisory service unreachable; dependency audit NOT done this run")
            return 0
        print(done.stderr, file=sys.stderr)
        return 2
    report = json.loads(done.stdout)
    skipped = [d["name"] for d in report.get("dependencies", []) if d.get("skip_reason")]
    if skipped and len(skipped) == len(report.get("dependencies", [])):
        # PyPI's JSON API answers 404 for everything behind a mirror that only serves the
        # simple index: that is an unreachable advisory service, not a clean bill of health.
        print(
            f"pip-audit: no advisory data for any of {len(skipped)} packages (PyPI JSON API not "
            "reachable from here); dependency audit NOT done this run"
        )
        return 0
    if skipped:
        print(f"pip-audit: not audited (no advisory data): {', '.join(sorted(skipped))}")
    allowed = ignored()
    found = [
        (dep["name"], dep["version"], vuln["id"], vuln.get("fix_versions", []))
        for dep in report.get("dependencies", [])
        for vuln in dep.get("vulns", [])
    ]
    failing = [f for f in found if f[2] not in allowed]
    for name, version, vuln_id, fixes in found:
        state = "ignored (see .ci/audit-ignore)" if vuln_id in allowed else "FAIL"
        print(f"pip-audit: {name} {version}: {vuln_id} fixed in {fixes or '-'}: {state}")
    print(f"pip-audit: {len(pins)} runtime packages audited, {len(failing)} failing advisories")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
