"""Serving the app with uvicorn (one worker: the sequencer is in-process).

On shutdown (SIGTERM, Ctrl-C) uvicorn first waits for open connections to finish. A request
waiting for the writer would keep its connection open for as long as the writer needs, so the
writer is told to stop first: every request still waiting for it is answered ``503
unavailable`` at once, the group in flight is written and answered, and the writer lock is
released when the app's lifespan closes the platform, so a standby takes over.
"""

from __future__ import annotations

import socket

import uvicorn
from fastapi import FastAPI

# seconds uvicorn waits for open connections (a market stream never ends by itself) before it
# cancels them and closes the platform
GRACEFUL_SHUTDOWN_SECONDS = 10


class Server(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        edge = getattr(getattr(app, "state", None), "edge", None)
        if edge is not None:
            edge.platform.sequencer.begin_stop()
        await super().shutdown(sockets)


def serve(app: FastAPI, host: str, port: int) -> None:
    # uvicorn would take X-Forwarded-Proto from a local client as the scheme; the platform
    # decides that itself (QINGSHAN_TRUST_FORWARDED_PROTO), so uvicorn trusts no proxy header
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=False,
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
    Server(config).run()
