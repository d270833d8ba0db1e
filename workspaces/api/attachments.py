"""attachments/upload and the files it stores (workspace-api-extras.md §4).

The upload is multipart only, streamed through upload handlers that stop
reading past PARLEY_ATTACHMENT_MAX_BYTES (413 code 205), stored through the
storage API. Files are served at `/attachments/<key>/<file_name>`, a
capability URL without authentication, never as a page: the four image types
inline as themselves, everything else as an `application/octet-stream`
download, always with `nosniff` and a sandboxing CSP.
"""

import mimetypes
import re
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from conversations.attachments import IMAGE_TYPES, attachment_by_key, attachment_upload
from workspaces.api.errors import Code, TwistError
from workspaces.api.extras import PostOnlySchema, TwistExtrasView

ATTACHMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
FILE_NAME_MAX = 255
OCTET_STREAM = "application/octet-stream"
# Room for the text fields and the multipart framing beside the file itself.
FIELDS_ALLOWANCE = 1024 * 1024


class AttachmentSizeLimit(FileUploadHandler):
    """First of the upload's handlers: refuses a body or a file over the attachment limit.

    A declared length over the limit is refused before anything is read; a
    file that grows past it (chunked, or a lying length) stops the reading.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = settings.PARLEY_ATTACHMENT_MAX_BYTES
        if content_length and content_length > limit + FIELDS_ALLOWANCE:
            raise RequestDataTooBig("The upload exceeds PARLEY_ATTACHMENT_MAX_BYTES.")

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.PARLEY_ATTACHMENT_MAX_BYTES:
            raise RequestDataTooBig("The file exceeds PARLEY_ATTACHMENT_MAX_BYTES.")
        return raw_data

    def file_complete(self, file_size):
        return None


@extend_schema_field({"type": "string", "format": "binary"})
class _FilePart(serializers.Field):
    """For the schema only: the view reads the part itself."""


class TwistUploadInput(serializers.Serializer):
    file = _FilePart(help_text="The file (a part named file_name is accepted instead).")
    attachment_id = serializers.CharField(
        required=False, help_text="1 to 64 of [A-Za-z0-9_-]; a uuid4 when absent. Reuse: a retry."
    )
    file_name = serializers.CharField(required=False, help_text="Default: the part's filename.")
    file_size = serializers.IntegerField(required=False, help_text="Ignored: the bytes count.")
    underlying_type = serializers.CharField(required=False)


class TwistAttachmentOutput(serializers.Serializer):
    """The attachment object: always these twelve keys, `null` where not applicable."""

    attachment_id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()
    url_type = serializers.ChoiceField(choices=["image", "file"])
    file_name = serializers.CharField()
    file_size = serializers.IntegerField(min_value=0)
    underlying_type = serializers.CharField()
    image = serializers.URLField(allow_null=True)
    image_width = serializers.IntegerField(allow_null=True, min_value=0)
    image_height = serializers.IntegerField(allow_null=True, min_value=0)
    duration = serializers.CharField(allow_null=True)
    upload_state = serializers.ChoiceField(choices=["uploaded"])


def clean_file_name(name: str | None) -> str:
    """A basename without control characters, at most 255 characters; else `upload`."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:FILE_NAME_MAX] or "upload"


def _underlying_type(given, part, file_name: str) -> str:
    """The field, else the part's type, else a guess from the name; `application/octet-stream`
    says nothing, so it never wins over a better answer (the SDK sends it by default)."""
    for declared in (given, getattr(part, "content_type", None)):
        declared = declared.strip() if isinstance(declared, str) else ""
        if declared and declared != OCTET_STREAM:
            return declared[:255]
    return mimetypes.guess_type(file_name)[0] or OCTET_STREAM


class AttachmentUpload(TwistExtrasView):
    """Upload a file (multipart/form-data); put the object it answers into a message's
    `attachments`. Re-sending the same `attachment_id`, name and size returns the stored
    object (the SDK retries)."""

    schema = PostOnlySchema()
    scope = "attachments:write"
    parser_classes = [MultiPartParser]
    input_serializer = TwistUploadInput
    output_serializer = TwistAttachmentOutput

    def initialize_request(self, request, *args, **kwargs):
        request.upload_handlers = [
            AttachmentSizeLimit(request),
            MemoryFileUploadHandler(request),
            TemporaryFileUploadHandler(request),
        ]
        return super().initialize_request(request, *args, **kwargs)

    def get(self, request):
        raise TwistError(Code.BAD_REQUEST)

    def post(self, request):
        if not request.content_type.startswith("multipart/form-data"):
            raise TwistError(Code.MISSING_ARGUMENT)
        try:
            fields, files = request.POST, request.FILES
        except ParseError:
            raise TwistError(Code.UPLOAD_FAILED) from None
        part = files.get("file") or files.get("file_name")
        if part is None:
            raise TwistError(Code.MISSING_ARGUMENT)
        attachment_id = fields.get("attachment_id")
        if attachment_id is not None and not ATTACHMENT_ID.fullmatch(attachment_id):
            raise TwistError(Code.INVALID_ARGUMENT)
        file_name = clean_file_name(fields.get("file_name") or part.name)
        attachment = attachment_upload(
            uploader=request.user,
            file=part,
            file_name=file_name,
            underlying_type=_underlying_type(fields.get("underlying_type"), part, file_name),
            attachment_id=attachment_id,
            url_for=lambda key, name: request.build_absolute_uri(
                f"/attachments/{key}/{quote(name, safe='')}"
            ),
        )
        return Response(TwistAttachmentOutput(attachment.as_object()).data)


@require_safe
def attachment_file(request, key: str, file_name: str):
    """An uploaded file by its capability URL; 404 unless key and name both match."""
    attachment = attachment_by_key(key=key, file_name=file_name)
    if attachment is None:
        raise Http404
    try:
        stored = attachment.file.open("rb")
    except OSError:
        raise Http404 from None
    if attachment.is_image and attachment.underlying_type in IMAGE_TYPES:
        response = FileResponse(stored, content_type=attachment.underlying_type)
        response["Content-Disposition"] = "inline"
    else:
        response = FileResponse(
            stored,
            as_attachment=True,
            filename=attachment.file_name,
            content_type=OCTET_STREAM,
        )
    response["Content-Length"] = str(attachment.file_size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"
    return response
