"""Entity images: an upload or a URL, decoded and re-encoded with Pillow, plus a thumbnail.

Nothing from the client is stored as sent: the bytes are opened as an image
(anything else is `ImageRejected`, a 422) and written anew, which drops
metadata and anything smuggled after the image data. `image_url` is fetched
with a 5 s timeout and the upload size limit; every connection (redirects
included) goes to an address checked after DNS resolution, so the server can
never be made to reach loopback, private or link-local hosts (SSRF) unless
`IMAGE_URL_ALLOW_PRIVATE` is on (tests only).
"""

import http.client
import io
import ipaddress
import secrets
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
THUMB_SIZE = (200, 200)
MAX_PIXELS = 40_000_000
FETCH_TIMEOUT = 5


class ImageRejected(Exception):
    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PreparedImage:
    """A re-encoded image and its thumbnail, not stored yet."""

    extension: str
    full: bytes
    thumb: bytes


def image_from_upload(upload, *, field: str = "image") -> PreparedImage:
    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise ImageRejected(_too_large(field), field=field)
    return _prepare(upload.read(), field=field)


def image_from_url(url: str, *, field: str = "image_url") -> PreparedImage:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ImageRejected(f"The {_attr(field)} format is invalid.", field=field)
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _SafeHTTPHandler(), _SafeHTTPSHandler()
    )
    try:
        with opener.open(url, timeout=FETCH_TIMEOUT) as response:
            data = response.read(settings.MAX_UPLOAD_SIZE + 1)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        # urllib wraps errors raised while connecting in URLError.reason.
        if isinstance(getattr(error, "reason", error), _AddressRefused):
            message = f"The {_attr(field)} must point to a public address."
        else:
            message = f"The {_attr(field)} could not be downloaded."
        raise ImageRejected(message, field=field) from None
    if len(data) > settings.MAX_UPLOAD_SIZE:
        raise ImageRejected(_too_large(field), field=field)
    return _prepare(data, field=field)


def store_image(image: PreparedImage, *, folder: str) -> str:
    """Write the image and its `_thumb` under MEDIA_ROOT; return the image's relative path."""
    name = f"{folder}/{secrets.token_urlsafe(24)}"
    path = default_storage.save(f"{name}.{image.extension}", ContentFile(image.full))
    default_storage.save(f"{name}_thumb.{image.extension}", ContentFile(image.thumb))
    return path


def _prepare(data: bytes, *, field: str) -> PreparedImage:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise ImageRejected(_wrong_type(field), field=field)
            if image.width * image.height > MAX_PIXELS:
                raise ImageRejected(_too_large(field), field=field)
            image.load()
            return PreparedImage(
                extension=FORMATS[image.format],
                full=_encode(image, image.format),
                thumb=_encode(_thumbnail(image), image.format),
            )
    except ImageRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageRejected(f"The {_attr(field)} must be an image.", field=field) from None


def _thumbnail(image: Image.Image) -> Image.Image:
    thumb = image.copy()
    thumb.thumbnail(THUMB_SIZE)
    return thumb


def _encode(image: Image.Image, image_format: str) -> bytes:
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=image_format)
    return out.getvalue()


def _attr(field: str) -> str:
    return field.replace("_", " ")


def _too_large(field: str) -> str:
    return (
        f"The {_attr(field)} may not be greater than {settings.MAX_UPLOAD_SIZE // 1024} kilobytes."
    )


def _wrong_type(field: str) -> str:
    return f"The {_attr(field)} must be a file of type: jpeg, png, jpg, gif, webp."


# --- fetching only from public addresses ---------------------------------------


class _AddressRefused(OSError):
    pass


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _connect_checked(host: str, port: int, timeout) -> socket.socket:
    """Resolve once, refuse non-public addresses, and connect to the address that was checked."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    allowed = [info for info in infos if settings.IMAGE_URL_ALLOW_PRIVATE or _is_public(info[4][0])]
    if not allowed:
        raise _AddressRefused(f"{host} resolves to a non-public address")
    family, socktype, proto, _, address = allowed[0]
    sock = socket.socket(family, socktype, proto)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


class _SafeHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = _connect_checked(self.host, self.port, self.timeout)


class _SafeHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        sock = _connect_checked(self.host, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _SafeHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_SafeHTTPConnection, req)


class _SafeHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self):
        super().__init__(context=ssl.create_default_context())

    def https_open(self, req):
        return self.do_open(_SafeHTTPSConnection, req, context=self._context)
