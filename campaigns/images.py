"""Entity images: an upload or a URL, decoded and re-encoded with Pillow, plus a thumbnail.

Nothing from the client is stored as sent: the bytes are opened as an image
(anything else is `ImageRejected`, a 422) and written anew, which drops
metadata and anything smuggled after the image data. `image_url` is fetched
by `config.outbound.public_fetch` (http/https only on every hop, public
addresses only, unless `IMAGE_URL_ALLOW_PRIVATE` is on for tests), within
`IMAGE_URL_DEADLINE` seconds in all and at most `MAX_UPLOAD_SIZE` bytes.
"""

import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from config import outbound

FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
THUMB_SIZE = (200, 200)
MAX_PIXELS = 40_000_000


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
    try:
        fetched = outbound.public_fetch(
            url,
            max_bytes=settings.MAX_UPLOAD_SIZE,
            deadline=settings.IMAGE_URL_DEADLINE,
            allow_private=settings.IMAGE_URL_ALLOW_PRIVATE,
        )
    except outbound.InvalidURL:
        raise ImageRejected(f"The {_attr(field)} format is invalid.", field=field) from None
    except outbound.NotPublic:
        message = f"The {_attr(field)} must point to a public address."
        raise ImageRejected(message, field=field) from None
    except outbound.TooLarge:
        raise ImageRejected(_too_large(field), field=field) from None
    except outbound.FetchError:
        message = f"The {_attr(field)} could not be downloaded."
        raise ImageRejected(message, field=field) from None
    return _prepare(fetched.content, field=field)


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
