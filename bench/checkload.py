"""Load for single contact checks over HTTP: `wrk` (C, a Lua script for the bodies) when it is
installed, else Python threads with keep-alive clients. The Python generator needs a core of its
own on a small machine, so its figures understate the server; the result says which one ran.

Both send the same workload: POST /v1/checks for the e-mail of a random person among `subjects`
(90%) or of a stranger (10%), purpose `newsletter`, channel e-mail, over `clients` connections.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from common import percentile

LUA = """
local subjects = __SUBJECTS__
local token = "__TOKEN__"
local path = "__PATH__"
local n = 0
local threads = {}
counts = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(2026 + id)
end
function request()
  if path ~= "/v1/checks" then
    return wrk.format("GET", path)
  end
  n = n + 1
  local value
  if math.random() < 0.9 then
    value = "person" .. math.random(0, subjects - 1) .. "@example.com"
  else
    value = "stranger" .. id .. "-" .. n .. "@example.org"
  end
  local body = '{"identifier":{"kind":"email","value":"' .. value .. '"},'
    .. '"purpose":"newsletter","channel":"email"}'
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  local reason = string.match(body, '"reason":"([%w_]+)"') or ("http_" .. status)
  if status ~= 200 then reason = "http_" .. status end
  counts[reason] = (counts[reason] or 0) + 1
end
function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("counts")) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"p50_ms":%.3f,'
    .. '"p99_ms":%.3f,"socket_errors":%d,"reasons":{%s}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ",")))
end
"""


@dataclass
class Load:
    generator: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run(
    base: str,
    token: str,
    *,
    subjects: int,
    clients: int,
    seconds: float,
    requests: int,
    workdir: Path,
    path: str = "/v1/checks",
    rnd: random.Random,
) -> Load:
    """Checks (or GETs of `path`) for `seconds` with wrk, else `requests` of them in Python."""
    if have_wrk():
        return _wrk(base, token, subjects, clients, seconds, workdir, path)
    return _python(base, token, subjects, clients, requests, path, rnd)


def _wrk(
    base: str, token: str, subjects: int, clients: int, seconds: float, workdir: Path, path: str
) -> Load:
    script = workdir / "checks.lua"
    script.write_text(
        LUA.replace("__SUBJECTS__", str(subjects))
        .replace("__TOKEN__", token)
        .replace("__PATH__", path)
    )
    threads = max(1, min(2, clients))
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    found = json.loads(line.removeprefix("RESULT "))
    reasons: dict[str, int] = found["reasons"]
    errors = found["socket_errors"] + sum(v for k, v in reasons.items() if k.startswith("http_"))
    return Load(
        "wrk",
        found["requests"],
        found["seconds"],
        found["p50_ms"],
        found["p99_ms"],
        errors,
        reasons,
    )


def _python(
    base: str,
    token: str,
    subjects: int,
    clients: int,
    requests: int,
    path: str,
    rnd: random.Random,
) -> Load:
    """`requests` calls split over `clients` threads, each with its own keep-alive client."""
    bodies = [
        {
            "identifier": {
                "kind": "email",
                "value": f"person{rnd.randrange(subjects)}@example.com"
                if rnd.random() < 0.9
                else f"stranger{n}@example.org",
            },
            "purpose": "newsletter",
            "channel": "email",
        }
        for n in range(requests)
    ]
    latencies: list[float] = []
    reasons: dict[str, int] = {}
    errors = [0]
    lock = threading.Lock()

    def worker(mine: list[dict[str, object]]) -> None:
        local: list[float] = []
        seen: dict[str, int] = {}
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
            for item in mine:
                start = time.perf_counter()
                if path == "/v1/checks":
                    answer = client.post(path, json=item, timeout=30)
                else:
                    answer = client.get(path, timeout=30)
                local.append((time.perf_counter() - start) * 1000)
                reason = (
                    answer.json().get("reason", "ok")
                    if answer.status_code == 200
                    else f"http_{answer.status_code}"
                )
                seen[reason] = seen.get(reason, 0) + 1
        with lock:
            latencies.extend(local)
            for k, v in seen.items():
                reasons[k] = reasons.get(k, 0) + v
                errors[0] += v if k.startswith("http_") else 0

    threads = [threading.Thread(target=worker, args=(bodies[i::clients],)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    return Load(
        "python",
        len(latencies),
        wall,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        errors[0],
        reasons,
    )


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children still running."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for each in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        direct = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, direct):
        found += [child, *_children(child)]
    return found
