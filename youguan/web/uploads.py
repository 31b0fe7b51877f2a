"""Uploaded files: written to a private temporary directory for the service that reads them by
path, within a size limit (413 beyond it), under a name safe to show and to record."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PureWindowsPath

from fastapi import Request, UploadFile

from youguan.web.errors import PayloadTooLarge, UnsupportedMediaType

CHUNK = 1 << 20
MAX_NAME = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_filename(name: str | None, default: str = "upload") -> str:
    """The last component of a client's file name (Windows or POSIX path), without control or
    path characters, at most :data:`MAX_NAME` characters with its extension kept."""
    base = PureWindowsPath(unicodedata.normalize("NFC", name or "")).name
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base:
        return default
    if len(base) > MAX_NAME:
        suffix = Path(base).suffix[:16]
        base = base[: MAX_NAME - len(suffix)] + suffix
    return base


def limit_text(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit} 字节"


@contextmanager
def saved_upload(upload: UploadFile, *, limit: int) -> Iterator[tuple[Path, str]]:
    """``(path, name)`` of the upload written to disk; the directory is removed afterwards.
    Raises :class:`~youguan.web.errors.PayloadTooLarge` past ``limit`` bytes."""
    name = safe_filename(upload.filename)
    with tempfile.TemporaryDirectory(prefix="youguan-upload-") as tmp:
        path = Path(tmp) / name
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(
                        f"文件 {name} 超过 {limit_text(limit)} 的上限",
                        details={"limit_bytes": limit, "file": name},
                    )
                out.write(chunk)
        yield path, name


def require_multipart(request: Request) -> None:
    """A dependency for upload endpoints: the body must be ``multipart/form-data`` (415)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise UnsupportedMediaType(
            f"请以 multipart/form-data 上传文件，而不是 {ctype or '（未注明）'}",
            details={"content_type": ctype, "accepted": ["multipart/form-data"]},
        )
