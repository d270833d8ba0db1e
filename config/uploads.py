"""A cap on the whole multipart body, files included, before any of it is read.

Django bounds the non-file part of a body by DATA_UPLOAD_MAX_MEMORY_SIZE but
streams file parts of any size to a temporary file; the image check
(MAX_UPLOAD_SIZE) then sees only what was already written. Neither dialect
takes more than one image of MAX_UPLOAD_SIZE plus small fields, so a body
declaring more than DATA_UPLOAD_MAX_MEMORY_SIZE (MAX_UPLOAD_SIZE + 1 MiB) is
refused at once: 413 in the dialect's format, like any other body that size.
A body without a Content-Length is measured first (ChunkedBodyMiddleware).
"""

import tempfile

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import LimitedStream


class BodySizeLimitHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS; passes every chunk on to the next handler."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and content_length > limit:
            raise RequestDataTooBig("The multipart body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


class ChunkedBodyMiddleware:
    """A body sent without Content-Length (`Transfer-Encoding: chunked`) under the same cap.

    Django reads exactly CONTENT_LENGTH bytes of a WSGI body, so a chunked body
    would read as empty (its JSON or form silently dropped) and never meet the
    limits above. It is read here up to one byte past DATA_UPLOAD_MAX_MEMORY_SIZE
    (spooled to disk beyond FILE_UPLOAD_MAX_MEMORY_SIZE) and given the length
    read: within the limit it parses like any body, beyond it the parsers see a
    body over the limit, a 413 in the dialect's format. The rest is never read.
    """

    CHUNK = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            self._read_within_the_limit(request)
        return self.get_response(request)

    def _read_within_the_limit(self, request) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        source = request.environ["wsgi.input"]
        # The request's body from here on: it goes when the request does.
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        size = 0
        while limit is None or size <= limit:
            want = self.CHUNK if limit is None else min(self.CHUNK, limit + 1 - size)
            data = source.read(want)
            if not data:
                break
            spool.write(data)
            size += len(data)
        spool.seek(0)
        request.META["CONTENT_LENGTH"] = str(size)
        request._stream = LimitedStream(spool, size)
