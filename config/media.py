"""Uploaded images under MEDIA_URL, served by the application itself, with DEBUG on or off.

Only what `campaigns.images.store_image` writes can come out: a name
`<folder>/<name>.<png|jpeg|gif|webp>` whose first bytes are that image
type's signature. The Content-Type comes from this fixed list, never from a
guess on the name or the content, and `X-Content-Type-Options: nosniff` keeps
browsers from guessing either; a sandboxing CSP means that even a file
opened as a document runs nothing. Anything else, SVG and HTML included, is
404. Stored names are random and never reused, so a response may be cached
for good.
"""

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

STORED_NAME = re.compile(r"[a-z]+/[\w-]+\.(?P<extension>png|jpeg|gif|webp)")

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def _is_signature_of(extension: str, head: bytes) -> bool:
    return {
        "png": head.startswith(b"\x89PNG\r\n\x1a\n"),
        "jpeg": head.startswith(b"\xff\xd8\xff"),
        "gif": head.startswith((b"GIF87a", b"GIF89a")),
        "webp": head.startswith(b"RIFF") and head[8:12] == b"WEBP",
    }[extension]


@require_safe
def media_file(request, name: str):
    match = STORED_NAME.fullmatch(name)
    if match is None:
        raise Http404
    extension = match["extension"]
    try:
        stored = default_storage.open(name, "rb")
    except OSError:
        raise Http404 from None
    head = stored.read(12)
    if not _is_signature_of(extension, head):
        stored.close()
        raise Http404
    stored.seek(0)
    response = FileResponse(stored, content_type=CONTENT_TYPES[extension])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
