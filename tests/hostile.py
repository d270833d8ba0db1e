"""A local image host that behaves badly on purpose, and a listener that counts who connects.

Both bind 127.0.0.1 on an ephemeral port; tests that fetch from them turn
on `allow_private` (`IMAGE_URL_ALLOW_PRIVATE`), which must leave every other
rule in force.
"""

import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image

SLOW_BODY_BYTES = 30


def png_bytes(size=(40, 30), colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


class HostileServer:
    """`/image.png`; `/redirect?to=URL` (302); `/loop` (redirects to itself);
    `/slow-body` (a byte a second of a 30-byte body); `/slow-headers` (the
    status line and headers a byte a second); `/stream?bytes=N` (N bytes, no
    Content-Length).

    `requested` lists the paths asked for; `sent[path]` counts the bytes a
    slow path got out before the client hung up.
    """

    def __init__(self):
        self.requested: list[str] = []
        self.sent: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                host.requested.append(self.path)
                route = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(route.query).items()}
                if route.path == "/image.png":
                    self._answer(200, png_bytes())
                elif route.path == "/redirect":
                    self._answer(302, b"", Location=query["to"])
                elif route.path == "/loop":
                    self._answer(302, b"", Location="/loop")
                elif route.path == "/stream":
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"x" * int(query["bytes"]))
                    self.close_connection = True
                elif route.path == "/slow-body":
                    self.send_response(200)
                    self.send_header("Content-Length", str(SLOW_BODY_BYTES))
                    self.end_headers()
                    self._trickle(route.path, b"x" * SLOW_BODY_BYTES)
                elif route.path == "/slow-headers":
                    self._trickle(route.path, b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx")
                else:
                    self._answer(404, b"")

            def _answer(self, status, body, **headers):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _trickle(self, path, data):
                host.sent[path] = 0
                for byte in data:
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return  # the client hung up
                    host.sent[path] += 1
                    time.sleep(1)

            def log_message(self, *args):
                pass

        return Handler


class CountingListener:
    """A TCP port standing for a local service (an FTP server): it counts the connections."""

    def __init__(self):
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()

    def __enter__(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._sock.close()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(b"220 ready\r\n")
