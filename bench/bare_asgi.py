"""The bare arm of bench/http_checks.py: an ASGI app that reads the request body and answers
a fixed JSON object, served by the same uvicorn, protocol class and worker count as
`trustguardian serve`.

    python bench/bare_asgi.py PORT WORKERS
"""

from __future__ import annotations

import sys

from starlette.types import Receive, Scope, Send

ANSWER = b'{"allowed":true,"reason":"consent_given"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": ANSWER})


def main() -> None:
    import uvicorn

    from trustguardian.api.protocols import HttpWithHeaderDeadline

    port, workers = int(sys.argv[1]), int(sys.argv[2])
    uvicorn.run(
        "bare_asgi:app",
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        http=HttpWithHeaderDeadline,
    )


if __name__ == "__main__":
    main()
