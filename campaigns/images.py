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
    """Check the header, then decode twice in turn: the full image, then the thumbnail.

    The pixel count is checked on the header before anything is decoded, and
    at most one full-size decoded image is in memory at a time (about
    4 bytes a pixel, so at most 4 * MAX_IMAGE_PIXELS bytes per request).
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            if image_format not in FORMATS:
                raise ImageRejected(_wrong_type(field), field=field)
            if probe.width * probe.height > settings.MAX_IMAGE_PIXELS:
                raise ImageRejected(_bad_dimensions(field), field=field)
            probe.verify()
        return PreparedImage(
            extension=FORMATS[image_format],
            full=_reencode(data, image_format),
            thumb=_reencode(data, image_format, fit=THUMB_SIZE),
        )
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected(_bad_dimensions(field), field=field) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageRejected(f"The {_attr(field)} must be an image.", field=field) from None


def _reencode(data: bytes, image_format: str, *, fit: tuple[int, int] | None = None) -> bytes:
    """The first frame, decoded anew and encoded; `fit` shrinks it while decoding.

    `thumbnail()` on an image not yet loaded decodes a JPEG at 1/2, 1/4 or
    1/8 scale (`draft()`) and shrinks the others by `reduce()` before
    resampling, so the thumbnail never costs a second full-size copy.
    """
    with Image.open(io.BytesIO(data)) as image:
        if fit is None:
            image.load()
        else:
            image.thumbnail(fit)
        return _encode(image, image_format)


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


def _bad_dimensions(field: str) -> str:
    """Laravel's `dimensions` rule message, for more pixels than MAX_IMAGE_PIXELS."""
    return f"The {_attr(field)} has invalid image dimensions."


def _wrong_type(field: str) -> str:
    return f"The {_attr(field)} must be a file of type: jpeg, png, jpg, gif, webp."
