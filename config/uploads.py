"""A cap on the whole multipart body, files included, before any of it is read.

Django bounds the non-file part of a body by DATA_UPLOAD_MAX_MEMORY_SIZE but
streams file parts of any size to a temporary file; the image check
(MAX_UPLOAD_SIZE) then sees only what was already written. Neither dialect
takes more than one image of MAX_UPLOAD_SIZE plus small fields, so a body
declaring more than DATA_UPLOAD_MAX_MEMORY_SIZE (MAX_UPLOAD_SIZE + 1 MiB) is
refused at once: 413 in the dialect's format, like any other body that size.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


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
