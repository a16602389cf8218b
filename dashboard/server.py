"""Serve the wall from a background thread, so ``crisiswatch demo`` can run it beside the pipeline."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import dash
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class ServedWall:
    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_in_thread(app: dash.Dash, host: str = "127.0.0.1", port: int = 8050, quiet: bool = True) -> ServedWall:
    """Start serving now and return at once; ``port=0`` picks a free port (see ``.url``)."""
    if quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(host, port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="crisiswatch-wall", daemon=True)
    thread.start()
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return ServedWall(f"http://{shown}:{server.server_port}/", server, thread)
