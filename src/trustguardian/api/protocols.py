"""The HTTP protocol `trustguardian serve` runs: uvicorn's httptools protocol (what uvicorn
itself picks, httptools being a dependency) with the header timeout of `api.timeouts`. A
module-level class, so that a spawned worker finds it by name."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from trustguardian.api.timeouts import HeaderDeadline


class HttpWithHeaderDeadline(HeaderDeadline, HttpToolsProtocol):
    pass
