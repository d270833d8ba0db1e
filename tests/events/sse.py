"""A small Server-Sent Events client over real HTTP, for the stream tests."""

import http.client
import json
import time


class Stream:
    """`Stream(port, path, headers)`: the response status and headers, then `next_frame()`."""

    def __init__(self, port, path, headers=None, *, method="GET", body=None, timeout=15.0):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.conn.request(method, path, body=body, headers=headers or {})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.headers = {k.lower(): v for k, v in self.response.getheaders()}

    def json(self):
        return json.loads(self.response.read())

    def next_frame(self) -> dict:
        """The next block: `{"id", "event", "data", "comment", "retry"}` (those present)."""
        frame = {}
        while True:
            try:
                line = self.response.readline()
            except TimeoutError:
                raise AssertionError(f"no frame in time (so far {frame})") from None
            if not line:
                raise AssertionError(f"stream ended (so far {frame})")
            line = line.decode().rstrip("\n")
            if line == "":
                if frame:
                    return frame
                continue
            if line.startswith(":"):
                frame["comment"] = line[1:].strip()
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            frame[name] = json.loads(value) if name == "data" else value

    def next_event(self, *, within: float = 15.0) -> dict:
        """The next frame with an `event:` line (bare ids and keepalives are skipped)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            frame = self.next_frame()
            if "event" in frame:
                return frame
        raise AssertionError(f"no event within {within} s")

    def events_until(self, event_type: str) -> list[dict]:
        """Every event frame up to and including the first of `event_type`."""
        frames = []
        while True:
            frame = self.next_event()
            frames.append(frame)
            if frame["event"] == event_type:
                return frames

    def close(self):
        self.conn.close()
