"""How long `trustguardian --help` takes, against a bare interpreter and a bare `import typer`.

Each command runs as a fresh process several times; the median is kept (the machine is shared,
so the minimum and maximum are printed too). Wall-clock time waits on whatever else the machine
runs; the CPU time the process itself used (user + system) does not, so both are given. The
console script is the one installed next to this interpreter (not a version manager's shim,
whose own start-up is not ours).

    python bench/cli_help.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def script() -> list[str]:
    """The installed `trustguardian` console script, or `python -m trustguardian` without it."""
    beside = Path(sys.executable).parent / "trustguardian"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("trustguardian")
    return [found] if found else [sys.executable, "-m", "trustguardian"]


def timed(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run (the command must succeed)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def main() -> None:
    """Times the three commands and prints the figures, then one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    commands = {
        "python_pass": [sys.executable, "-c", "pass"],
        "import_typer": [sys.executable, "-c", "import typer"],
        "help": [*script(), "--help"],
        "version": [*script(), "--version"],
        "group_help": [*script(), "touchpoints", "--help"],
    }
    timed(commands["help"], 1)  # warm the file cache and bytecode
    figures: dict[str, float | int | str] = {"runs": runs}
    for name, command in commands.items():
        times, cpus = timed(command, runs)
        median, cpu = statistics.median(times), statistics.median(cpus)
        figures[f"{name}_median_s"] = round(median, 4)
        figures[f"{name}_cpu_median_s"] = round(cpu, 4)
        print(
            f"{name:>13}: median {median * 1000:7.1f} ms "
            f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}), "
            f"CPU {cpu * 1000:6.1f} ms  {' '.join(command[-2:])}"
        )
    help_s = float(figures["help_median_s"])
    for baseline in ("python_pass", "import_typer"):
        ratio = help_s / float(figures[f"{baseline}_median_s"])
        cpu_ratio = float(figures["help_cpu_median_s"]) / float(figures[f"{baseline}_cpu_median_s"])
        figures[f"help_over_{baseline}"] = round(ratio, 2)
        figures[f"help_cpu_over_{baseline}"] = round(cpu_ratio, 2)
        print(f"--help / {baseline}: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU")
    figures["under_one_second"] = "yes" if help_s < 1.0 else "no"
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
