"""Uploaded attachments (workspace-api-extras.md §4): storing them and referencing them.

Files go through Django's storage API (`STORAGES["attachments"]`: the file
system under MEDIA_ROOT by default, S3 by settings), named by a random
32-hex key that is also the capability in their URL. Only the uploader may
put an upload into a message; the message then keeps a copy of the stored
object, whatever the client sent for it.
"""

import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from conversations import exceptions
from conversations.models import Attachment, Message, attachment_storage

# An upload no message holds is deleted this long after its upload (§4.3's "after 24 h"):
# time enough for a client to upload, then post, retries included.
UNREFERENCED_GRACE = timedelta(hours=24)
# The types a browser shows as pictures; anything else (SVG included) is a download.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
PILLOW_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


def image_size(file, underlying_type: str) -> tuple[int, int] | None:
    """(width, height) of a picture of one of the four image types, read from its header only.

    None for anything else, an unreadable file, or more pixels than
    MAX_IMAGE_PIXELS (the campaign images' limit): such a file is a plain file.
    """
    if underlying_type not in IMAGE_TYPES:
        return None
    file.seek(0)
    try:
        with Image.open(file) as image:
            width, height = image.size
            known = image.format in PILLOW_FORMATS
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        return None
    finally:
        file.seek(0)
    if not known or width * height > settings.MAX_IMAGE_PIXELS:
        return None
    return width, height


def attachment_upload(
    *,
    uploader: User,
    file,
    file_name: str,
    underlying_type: str,
    attachment_id: str | None,
    url_for: Callable[[str, str], str],
) -> Attachment:
    """Store an uploaded file, or return the one already stored under `attachment_id`.

    A retry (same uploader, name and size) gets the stored object and writes
    nothing; any other reuse of the id is AttachmentIdTaken. `url_for(key,
    file_name)` is the adapter's absolute URL of the file.
    """
    attachment_id = attachment_id or str(uuid.uuid4())
    size = file.size
    existing = Attachment.objects.filter(attachment_id=attachment_id).first()
    if existing is not None:
        return _same_upload(existing, uploader=uploader, file_name=file_name, size=size)
    key = secrets.token_hex(16)
    dimensions = image_size(file, underlying_type)
    storage = attachment_storage()
    try:
        stored_name = storage.save(f"attachments/{key}", file)
    except OSError:
        raise exceptions.UploadFailed() from None
    try:
        with transaction.atomic():
            return Attachment.objects.create(
                attachment_id=attachment_id,
                key=key,
                uploader=uploader,
                file=stored_name,
                file_name=file_name,
                file_size=size,
                underlying_type=underlying_type,
                url_type=Attachment.UrlType.IMAGE if dimensions else Attachment.UrlType.FILE,
                url=url_for(key, file_name),
                image_width=dimensions[0] if dimensions else None,
                image_height=dimensions[1] if dimensions else None,
            )
    except IntegrityError:
        # The same id uploaded concurrently (an SDK retry racing the first try).
        storage.delete(stored_name)
        existing = Attachment.objects.filter(attachment_id=attachment_id).first()
        if existing is None:
            raise exceptions.UploadFailed() from None
        return _same_upload(existing, uploader=uploader, file_name=file_name, size=size)


def _same_upload(existing: Attachment, *, uploader: User, file_name: str, size: int) -> Attachment:
    if (existing.uploader_id, existing.file_name, existing.file_size) != (
        uploader.pk,
        file_name,
        size,
    ):
        raise exceptions.AttachmentIdTaken()
    return existing


def attachments_resolved(*, actor: User, attachments, kept=()) -> list[dict]:
    """Message attachments with each upload replaced by its stored object (§4.3).

    An upload of someone else is PermissionDenied, unless its id is in `kept`
    (the message already has it: an admin editing another's message keeps
    its files); ids that name no upload (link previews, GIFs) stay as sent.
    One query for the whole list.
    """
    attachments = list(attachments or ())
    ids = [item.get("attachment_id") for item in attachments]
    uploads = {a.attachment_id: a for a in Attachment.objects.filter(attachment_id__in=ids)}
    resolved = []
    for item in attachments:
        upload = uploads.get(item.get("attachment_id"))
        if upload is None:
            resolved.append(item)
            continue
        if upload.uploader_id != actor.pk and upload.attachment_id not in kept:
            raise exceptions.PermissionDenied("Only its uploader may attach an upload.")
        resolved.append(upload.as_object())
    return resolved


def attachment_by_key(*, key: str, file_name: str) -> Attachment | None:
    """The upload a file URL names; None unless both the key and the name match."""
    return Attachment.objects.filter(key=key, file_name=file_name).first()


def attachments_purge_unreferenced(*, now=None) -> int:
    """Delete, file and row, the uploads older than UNREFERENCED_GRACE that no message holds.

    The spec makes this optional housekeeping (§4.3); Parley does it, from
    `purge_removed_messages` (daily), so abandoned uploads do not pile up in
    storage. Every message row counts, removed ones included (a moderator may
    restore them, and `messages_purge` deletes them for good first). A message
    names an upload only in a write after the upload, so only messages written
    since the oldest candidate are read. Returns how many were deleted.
    """
    cutoff = (now or timezone.now()) - UNREFERENCED_GRACE
    candidates = list(Attachment.objects.filter(created_at__lt=cutoff).order_by("created_at"))
    if not candidates:
        return 0
    written = Message.all_objects.filter(updated_at__gte=candidates[0].created_at)
    held = set()
    for attachments in written.exclude(attachments=[]).values_list("attachments", flat=True):
        held.update(item.get("attachment_id") for item in attachments if isinstance(item, dict))
    unreferenced = [a for a in candidates if a.attachment_id not in held]
    for attachment in unreferenced:
        attachment.delete()
        attachment.file.storage.delete(attachment.file.name)
    return len(unreferenced)
