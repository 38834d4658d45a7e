"""The upload size limit: enforced while the request streams in, before anything parses it."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.formats import number_format
from django.utils.translation import gettext

REFUSED_ATTR = "planwerk_upload_refused_size"
# Room for the other form fields and the multipart framing in a request's Content-Length.
FORM_OVERHEAD = 64 * 1024


def max_bytes() -> int:
    return int(settings.PLANWERK_UPLOAD_MAX_BYTES)


#: Form fields whose files are documents (attachments/admin.py: the inlines' prefix); they
#: have their own limit, PLANWERK_ATTACHMENT_MAX_BYTES.
ATTACHMENT_FIELD_PREFIX = "attachments-"


def limit_for(field_name: str | None) -> int:
    if field_name and field_name.startswith(ATTACHMENT_FIELD_PREFIX):
        return int(settings.PLANWERK_ATTACHMENT_MAX_BYTES)
    return max_bytes()


def _megabytes(size: int) -> str:
    value = round(size / (1024 * 1024), 1)
    return number_format(value, decimal_pos=0 if value == int(value) else 1)


def too_large_message(size: int, limit: int | None = None) -> str:
    """``limit``: the one that was exceeded (default: the import uploads')."""
    return gettext("The file is too large (%(size)s MB). At most %(limit)s MB are allowed.") % {
        "size": _megabytes(size),
        "limit": _megabytes(max_bytes() if limit is None else limit),
    }


class SizeLimitUploadHandler(FileUploadHandler):
    """Skip an uploaded file once it is larger than the limit.

    The rest of the request is still read (so the CSRF token and other fields arrive), but the
    file's bytes are thrown away instead of being kept in memory or on disk. The size seen is
    left on the request for the view to report.
    """

    request_size = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_size = content_length

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = limit_for(self.field_name)
        if self.request_size and self.request_size > self.limit + FORM_OVERHEAD:
            self._refuse(self.request_size)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse(max(self.received, self.request_size or 0))
        return raw_data

    def _refuse(self, size: int):
        setattr(self.request, REFUSED_ATTR, size)
        raise SkipFile

    def file_complete(self, file_size):
        return None


def refused_size(request) -> int | None:
    """The size of an upload the handler refused in this request, if any."""
    return getattr(request, REFUSED_ATTR, None)
