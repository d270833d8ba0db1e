"""Fetching a URL that a client chose, without letting the client reach our own network (SSRF).

`public_fetch()` is the only way Parley makes a request to an address a
client names (`image_url` today; webhooks will call it with
`schemes=("https",), max_redirects=0`). For every hop, redirects included:

- the scheme must be one of `schemes` (http/https by default): no ftp, file
  or data URLs, whatever a redirect says;
- the host is resolved once and every address it answers must pass
  (`is_public_address`: one private answer refuses the host); the connection
  goes to an address that was checked, so a second DNS answer cannot swap in
  a private one (DNS rebinding);
- one deadline covers the whole fetch: resolution, connection, TLS handshake,
  every redirect and every read, so a server sending a byte at a time cannot
  hold the worker past it;
- at most `max_bytes` of body are read.

`allow_private` lifts only the address check (for tests against a local
server); the scheme, deadline and size rules always hold.
"""

import functools
import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024
USER_AGENT = "Parley"

# IPv6 prefixes that carry an IPv4 address in their last 32 bits and can
# deliver to it: IPv4-compatible (::/96) and NAT64 (RFC 6052 and RFC 8215).
_EMBEDDING_IPV4 = tuple(
    ipaddress.ip_network(prefix) for prefix in ("::/96", "64:ff9b::/96", "64:ff9b:1::/48")
)

# getaddrinfo() has no timeout of its own; it runs here so the fetch can stop
# waiting at its deadline. A few workers bound how many slow lookups pile up:
# past that, lookups queue and fail at their deadline (closed, not open).
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="public-fetch-dns")


class FetchError(Exception):
    """The URL could not be fetched."""


class InvalidURL(FetchError):
    """The URL itself is unusable: a scheme not allowed, no host, a bad port."""


class RedirectRefused(FetchError):
    """A redirect pointed to a scheme not allowed, or there were too many redirects."""


class NotPublic(FetchError):
    """The host resolves to an address that is not public."""


class TooLarge(FetchError):
    """The body is larger than `max_bytes`."""


class DeadlineExceeded(FetchError):
    """The whole fetch took longer than its deadline."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content: bytes
    status: int = 200
    headers: tuple = ()


def public_fetch(
    url: str,
    *,
    max_bytes: int,
    deadline: float,
    schemes: tuple[str, ...] = ("http", "https"),
    max_redirects: int = 5,
    allow_private: bool = False,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict | None = None,
    any_status: bool = False,
) -> Fetched:
    """GET `url` from a public address within `deadline` seconds; the body is at most `max_bytes`.

    Raises a `FetchError` subclass for every failure, never an OSError or an
    http.client exception. With `any_status` (webhook deliveries: a POST of
    `body` with `headers`, no redirects) every answer is returned, a 3xx
    included, and the caller judges its status.
    """
    expires = time.monotonic() + deadline
    target = _parse(url, schemes, error=InvalidURL)
    for _ in range(max_redirects + 1):
        try:
            connection = _connect(target, expires=expires, allow_private=allow_private)
            try:
                response = _get(connection, target, method=method, body=body, headers=headers)
                if any_status:
                    content = _read_capped(response, max_bytes, truncate=True)
                    return Fetched(
                        url=target.geturl(),
                        content=content,
                        status=response.status,
                        headers=tuple(response.getheaders()),
                    )
                if response.status in REDIRECT_STATUSES:
                    location = response.getheader("Location", "")
                    target = _parse(
                        urllib.parse.urljoin(target.geturl(), location),
                        schemes,
                        error=RedirectRefused,
                    )
                    continue
                if response.status != 200:
                    raise FetchError(f"HTTP {response.status}")
                return Fetched(url=target.geturl(), content=_read_capped(response, max_bytes))
            finally:
                connection.close()
        except TimeoutError:
            # Every timeout is the deadline: each wait is only what remains of it.
            raise DeadlineExceeded(f"{url} took longer than {deadline} s") from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise FetchError(f"{url}: {error}") from None
    raise RedirectRefused(f"{url}: more than {max_redirects} redirects")


def is_public_address(address: str) -> bool:
    """Whether an IP address is globally routable unicast, also for IPv4 embedded in IPv6."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in network for network in _EMBEDDING_IPV4):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


# --- one hop -------------------------------------------------------------------------


def _parse(url: str, schemes: tuple[str, ...], *, error: type[FetchError]):
    target = urllib.parse.urlsplit(url)
    try:
        usable = target.scheme in schemes and target.hostname and target.port != 0
    except ValueError:  # a port that is no number or out of range
        usable = False
    if not usable:
        raise error(f"{url}: only {', '.join(schemes)} URLs with a host")
    return target


def _connect(target, *, expires: float, allow_private: bool) -> http.client.HTTPConnection:
    """A connection whose socket is already open to a checked address of the target's host."""
    port = target.port or (443 if target.scheme == "https" else 80)
    addresses = _resolve(target.hostname, port, expires)
    # Every address must be public, not just one: a name that also answers a
    # private address is refused (spec: "all addresses global").
    if not addresses or not (
        allow_private or all(is_public_address(info[4][0]) for info in addresses)
    ):
        raise NotPublic(f"{target.hostname} resolves to an address that is not public")
    sock = _open(addresses, expires)
    if target.scheme == "https":
        sock = _tls_context().wrap_socket(
            sock, server_hostname=target.hostname, do_handshake_on_connect=False
        )
        sock.expires = expires
        sock.do_handshake()
        connection = http.client.HTTPSConnection(target.hostname, port, context=_tls_context())
    else:
        connection = http.client.HTTPConnection(target.hostname, port)
    # A connection that has its socket never resolves the host again.
    connection.sock = sock
    return connection


def _resolve(host: str, port: int, expires: float) -> list:
    lookup = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return lookup.result(timeout=_remaining(expires))
    except TimeoutError:
        lookup.cancel()
        raise


def _open(addresses: list, expires: float) -> socket.socket:
    error = OSError("no address")
    for family, socktype, proto, _, address in addresses:
        sock = _DeadlineSocket(family, socktype, proto)
        sock.expires = expires
        try:
            sock.connect(address)
        except TimeoutError:
            sock.close()
            raise
        except OSError as refused:
            sock.close()
            error = refused
            continue
        return sock
    raise error


def _get(
    connection: http.client.HTTPConnection, target, *, method="GET", body=None, headers=None
) -> http.client.HTTPResponse:
    path = urllib.parse.urlunsplit(("", "", target.path or "/", target.query, ""))
    connection.request(
        method,
        path,
        body=body,
        headers={"User-Agent": USER_AGENT, "Connection": "close", **(headers or {})},
    )
    return connection.getresponse()


def _read_capped(
    response: http.client.HTTPResponse, max_bytes: int, *, truncate: bool = False
) -> bytes:
    """At most `max_bytes` of the body: more is TooLarge, or (`truncate`) cut off."""
    if truncate:
        return response.read(max_bytes)
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"Content-Length {declared} > {max_bytes}")
    body = bytearray()
    while chunk := response.read(min(CHUNK, max_bytes + 1 - len(body))):
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(f"more than {max_bytes} bytes")
    return bytes(body)


# --- sockets that keep to the deadline ---------------------------------------------------


def _remaining(expires: float) -> float:
    remaining = expires - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline reached")
    return remaining


class _KeepsDeadline:
    """Each blocking call may wait only for what remains until `expires`.

    A socket timeout bounds one call; a server that answers every call just
    in time would never trip it. Re-arming the timeout before each call with
    the time left makes it one deadline for the whole fetch.
    """

    expires: float

    def connect(self, *args):
        self.settimeout(_remaining(self.expires))
        return super().connect(*args)

    def sendall(self, *args):
        self.settimeout(_remaining(self.expires))
        return super().sendall(*args)

    def recv_into(self, *args):
        self.settimeout(_remaining(self.expires))
        return super().recv_into(*args)


class _DeadlineSocket(_KeepsDeadline, socket.socket):
    pass


class _DeadlineSSLSocket(_KeepsDeadline, ssl.SSLSocket):
    def do_handshake(self, *args):
        self.settimeout(_remaining(self.expires))
        return super().do_handshake(*args)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The system's trusted CAs and hostname checks; its sockets keep the deadline."""
    context = ssl.create_default_context()
    context.sslsocket_class = _DeadlineSSLSocket
    return context
