from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import free_port


class VarnishStub:
    """Records the purge requests a Varnish would get; answers ``status`` (200 by default)."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        self.status = 200
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):
                stub.requests.append((self.command, self.headers["Surrogate-Key"]))
                self.send_response(stub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def purged(self) -> list[set[str]]:
        return [set(header.split()) for _method, header in self.requests]
