"""Where uploaded import files wait between preview and confirmation, and their clean-up."""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import TempFolderStorage

NAME_PREFIX = "upload-"


def upload_dir() -> Path:
    path = Path(settings.PLANWERK_IMPORT_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_age() -> int:
    return int(getattr(settings, "PLANWERK_IMPORT_UPLOAD_MAX_AGE", 3600))


class ImportUploadStorage(TempFolderStorage):
    """django-import-export's temp folder storage, in one known folder that can be purged.

    Names are random and never contain a path (the confirm form echoes them back).
    """

    def get_full_path(self):
        return str(upload_dir() / os.path.basename(self.name))

    def _open(self, mode="r"):
        if not self.name:
            self.name = f"{NAME_PREFIX}{uuid.uuid4().hex}"
        encoding = None if "b" in mode else self.encoding
        return open(self.get_full_path(), mode, encoding=encoding)  # noqa: SIM115

    def save(self, data):
        with self._open(mode="wb" if isinstance(data, bytes) else "w") as file:
            file.write(data)

    def save_chunks(self, chunks) -> None:
        """Write an upload chunk by chunk (never the whole file in memory at once)."""
        with self._open(mode="wb") as file:
            for chunk in chunks:
                file.write(chunk)

    def exists(self) -> bool:
        return bool(self.name) and os.path.exists(self.get_full_path())

    def remove(self):
        """Delete the file; a file that is already gone is fine (cancelled twice, purged)."""
        if self.name:
            try:
                os.remove(self.get_full_path())
            except FileNotFoundError:
                pass


def purge_stale_uploads(*, older_than: int | None = None, now: float | None = None) -> int:
    """Delete uploads older than ``older_than`` seconds (default: the setting); their count."""
    limit = (now if now is not None else time.time()) - (
        max_age() if older_than is None else older_than
    )
    removed = 0
    for path in upload_dir().iterdir():
        if not path.is_file():
            continue
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
