"""The smoke test's plumbing: commands that must succeed, and an HTTP client that records every
answer and keeps cookies by hand (the console's are scoped to /console)."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path


def say(message: str) -> None:
    print(f"wheel-smoke: {message}", flush=True)


def run(
    cmd: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 900,
) -> str:
    """Runs a command; on failure prints its output and stops the script."""
    done = subprocess.run(  # noqa: S603 -- our own command lines, no shell
        cmd,
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"wheel-smoke: FAILED: {' '.join(cmd[:4])} ... exited {done.returncode}")
    return done.stdout


class Links(HTMLParser):
    """Collects the same-site URLs of a page (links, assets, frames) and its hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name in ("href", "src"):
            if a.get(name):
                self.urls.append(a[name])
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.hidden[a["name"]] = a.get("value", "")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def html(self) -> bool:
        return self.headers.get("content-type", "").startswith("text/html")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Client:
    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        cookies: bool = True,
    ) -> Answer:
        """One request; cookies are kept by hand (the console's are scoped to /console)."""
        sent = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies and self.cookies and path.startswith("/console"):
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        url = self.base + path  # always http://127.0.0.1:PORT
        req = urllib.request.Request(url, data=body, method=method, headers=sent)  # noqa: S310
        try:
            with self.opener.open(req, timeout=120) as resp:
                answer = Answer(
                    resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
                )
                raw = resp.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())
            raw = exc.headers.get_all("Set-Cookie") or []
        except (OSError, urllib.error.URLError) as exc:
            answer = Answer(0, {}, str(exc).encode())
            raw = []
        for line in raw:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value.strip('"'):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.checked[f"{method} {path}"] = answer.status
        return answer

    def expect(
        self, method: str, path: str, allowed: tuple[int, ...] = (200,), **kw: object
    ) -> Answer:
        """A request whose status must be one of `allowed` (never a 5xx or a dropped line)."""
        answer = self.request(method, path, **kw)  # type: ignore[arg-type]
        if answer.status not in allowed:
            detail = re.sub(r"\s+", " ", answer.text)[:200]
            self.failures.append(f"{method} {short(path)} answered {answer.status}: {detail}")
        return answer

    def assets(self, page: Answer) -> None:
        """Fetches what a page loads from us (scripts, styles, images, frames)."""
        parser = Links()
        parser.feed(page.text)
        for url in parser.urls:
            path = local(url)
            if (
                path
                and f"GET {path}" not in self.checked
                and re.search(r"\.(js|css|png|svg|ico|woff2?|map)(\?|$)", path)
            ):
                self.expect("GET", path)


def short(path: str) -> str:
    return re.sub(r"[A-Za-z0-9_-]{40,}(\.[A-Za-z0-9_-]+)?", "<token>", path)


def local(url: str) -> str | None:
    """The path (with query) of a same-site URL, or None for another site or a fragment."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (
        parts.netloc and not parts.netloc.startswith(("127.0.0.1", "localhost"))
    ):
        return None
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
