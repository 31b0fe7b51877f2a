"""Streamed uploads: a file sent over HTTP written to a private temporary file as it arrives.

:func:`spool_upload` reads the request body chunk by chunk — as ``multipart/form-data`` (a page's
form or ``curl -F file=@…``) or as the raw body with the file's own ``Content-Type`` — and:

- decides whether the file is acceptable from its name and declared type *before* the first byte
  of it is written (``accept`` raises :class:`~youguan.web.errors.UnsupportedMediaType`, 415);
- stops reading as soon as the file passes ``limit`` bytes
  (:class:`~youguan.web.errors.PayloadTooLarge`, 413) — the rest of the body is never read;
- checks a browser form's CSRF token, which must come before the file in the form (a page puts
  its hidden ``csrf_token`` field first), when the request relies on the session cookie and sent
  no ``X-CSRF-Token`` header; the route is marked with
  :func:`youguan.web.security.streams_its_form` so the global check leaves the form unread;
- writes to ``directory`` under a name of the form ``youguan-upload-<pid>-…`` (mode 0600), off the
  event loop, and removes the file if anything goes wrong. The caller owns the file afterwards
  and must delete it: it holds what the client sent, personal data included, in clear.

Starlette's own form parser is not used for these uploads because it reads the whole body before
the handler runs, keeps no size limit on files, and spools to an anonymous file without a name or
suffix for a reader that works by path.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

import anyio.to_thread
from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from youguan.errors import Invalid, YouguanError
from youguan.web import security
from youguan.web.errors import PayloadTooLarge
from youguan.web.uploads import limit_text, safe_filename

SPOOL_PREFIX = "youguan-upload-"
FLUSH_BYTES = 1 << 20  # written to disk (in a worker thread) in pieces of about this size
MAX_FIELDS = 16
MAX_FIELD_BYTES = 4096
FORM_OVERHEAD = 64 * 1024  # boundaries, part headers and small fields beyond the file itself

# (client file name or None, declared media type) → the suffix to spool under; raises 415.
Accept = Callable[[str | None, str], str]


class BadUpload(YouguanError):
    status = 400
    code = "bad_upload"


@dataclass
class SpooledUpload:
    path: Path  # the temporary file (the caller deletes it)
    filename: str | None  # the client's file name, made safe to show; None when it gave none
    media_type: str  # the file's declared type (the part's, or the body's)
    size: int
    fields: dict[str, str] = field(default_factory=dict)  # the form's other fields


def spool_directory(home: Path) -> Path:
    """Where uploads are spooled: the system's temporary directory, which must lie outside
    ``YOUGUAN_HOME`` (nothing in clear may ever be written under HOME)."""
    tmp = Path(tempfile.gettempdir()).resolve()
    home = home.resolve()
    if tmp == home or home in tmp.parents:
        raise RuntimeError(
            f"the temporary directory {tmp} lies inside YOUGUAN_HOME; set TMPDIR elsewhere"
        )
    return tmp


def sweep_spool(directory: Path) -> list[Path]:
    """Remove spool files left by processes that died (their pid is in the name)."""
    removed = []
    for path in directory.glob(f"{SPOOL_PREFIX}*"):
        pid = path.name[len(SPOOL_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"文件超过 {limit_text(limit)} 的上限；请拆分后分批报送", details={"limit_bytes": limit}
    )


def media_type_of(value: str | None) -> str:
    ctype, _ = parse_options_header(value)
    return ctype.decode("latin-1")


async def spool_upload(
    request: Request,
    *,
    limit: int,
    directory: Path,
    accept: Accept,
    file_field: str = "file",
) -> SpooledUpload:
    """The request's file written to ``directory`` (see the module docstring)."""
    media_type = media_type_of(request.headers.get("content-type"))
    multipart = media_type == "multipart/form-data"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + (FORM_OVERHEAD if multipart else 0):
        raise too_large(limit)  # said before a byte is read
    spool = _Spool(directory, limit)
    try:
        if multipart:
            need_csrf = security.csrf_required(request) and (
                request.headers.get(security.CSRF_HEADER) is None
            )
            form = _Form(request, spool, accept, file_field, need_csrf)
            await form.read()
            return form.result()
        name = _raw_filename(request)
        spool.open(accept(name, media_type))
        async for chunk in request.stream():
            await spool.write(chunk)
        await spool.close()
        return SpooledUpload(spool.path, name, media_type, spool.size)
    except BaseException:
        spool.discard()
        raise


class _Spool:
    """One temporary file being written, with the size limit."""

    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = limit
        self.size = 0
        self._path: Path | None = None
        self._fh: IO[bytes] | None = None
        self._buffer = bytearray()

    @property
    def path(self) -> Path:
        assert self._path is not None
        return self._path

    @property
    def opened(self) -> bool:
        return self._path is not None

    def open(self, suffix: str) -> None:
        fd, name = tempfile.mkstemp(
            prefix=f"{SPOOL_PREFIX}{os.getpid()}-", suffix=suffix, dir=self.directory
        )
        self._path = Path(name)
        self._fh = os.fdopen(fd, "wb")

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise too_large(self.limit)
        self._buffer += data

    async def flush(self, force: bool = False) -> None:
        if self._fh is not None and self._buffer and (force or len(self._buffer) >= FLUSH_BYTES):
            data, self._buffer = bytes(self._buffer), bytearray()
            await anyio.to_thread.run_sync(self._fh.write, data)

    async def write(self, data: bytes) -> None:
        self.add(data)
        await self.flush()

    async def close(self) -> None:
        await self.flush(force=True)
        if self._fh is not None:
            fh, self._fh = self._fh, None
            await anyio.to_thread.run_sync(fh.close)

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)


class _Form:
    """A ``multipart/form-data`` body parsed as it streams (python-multipart's parser): small
    text fields kept, the one file part written to the spool."""

    def __init__(
        self, request: Request, spool: _Spool, accept: Accept, file_field: str, need_csrf: bool
    ) -> None:
        self.request = request
        self.spool = spool
        self.accept = accept
        self.file_field = file_field
        self.need_csrf = need_csrf
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.file_type = ""
        self.received = 0
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._is_file = False
        self._data = bytearray()
        self._ended = False

    async def read(self) -> None:
        _, options = parse_options_header(self.request.headers.get("content-type"))
        boundary = options.get(b"boundary")
        if not boundary:
            raise BadUpload("multipart/form-data 请求缺少 boundary 参数")
        callbacks: Any = {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_part,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_end": self._end,
        }
        try:
            parser = MultipartParser(boundary, callbacks)
        except ValueError as exc:
            raise BadUpload("multipart/form-data 的 boundary 无效") from exc
        overall = self.spool.limit + FORM_OVERHEAD
        try:
            async for chunk in self.request.stream():
                self.received += len(chunk)
                if self.received > overall:
                    raise too_large(self.spool.limit)
                parser.write(chunk)
                await self.spool.flush()
            parser.finalize()
        except MultipartParseError as exc:
            raise BadUpload("multipart/form-data 格式不正确，无法读取上传的文件") from exc
        await self.spool.close()
        if not self._ended:
            raise BadUpload("上传内容不完整（multipart 未正常结束）")
        if self.need_csrf:  # a form without a file part: still not to be taken cross-site
            security.check_csrf(self.request, self.fields.get(security.CSRF_FIELD))

    def result(self) -> SpooledUpload:
        if not self.spool.opened:
            raise Invalid(
                f"请选择要上传的文件（表单字段 {self.file_field}）",
                details={"field": self.file_field},
            )
        return SpooledUpload(
            self.spool.path, self.filename, self.file_type, self.spool.size, self.fields
        )

    # --- parser callbacks (synchronous; file bytes are only buffered here) -------------------
    def _part_begin(self) -> None:
        self._headers = {}
        self._name = None
        self._is_file = False
        self._data = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        name = options.get(b"name")
        if name is None:
            raise BadUpload("multipart 的某一部分缺少字段名（Content-Disposition: name）")
        self._name = name.decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.fields) >= MAX_FIELDS:
                raise BadUpload(f"表单字段过多（最多 {MAX_FIELDS} 个）")
            return
        if self._name != self.file_field or self.spool.opened:
            raise Invalid(
                f"只能上传一个文件，放在表单字段 {self.file_field} 中",
                details={"field": self._name},
            )
        if self.need_csrf:
            security.check_csrf(self.request, self.fields.get(security.CSRF_FIELD))
            self.need_csrf = False
        raw_name = options[b"filename"].decode("utf-8", "replace")
        self.filename = safe_filename(raw_name) if raw_name.strip() else None
        self.file_type = media_type_of(self._headers.get(b"content-type", b"").decode("latin-1"))
        self.spool.open(self.accept(self.filename, self.file_type))
        self._is_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self.spool.add(data[start:end])
            return
        self._data += data[start:end]
        if len(self._data) > MAX_FIELD_BYTES:
            raise BadUpload(f"表单字段 {self._name} 过长（最多 {MAX_FIELD_BYTES} 字节）")

    def _part_end(self) -> None:
        if not self._is_file and self._name is not None:
            self.fields[self._name] = self._data.decode("utf-8", "replace")

    def _end(self) -> None:
        self._ended = True


_FILENAME_STAR = re.compile(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)")


def _raw_filename(request: Request) -> str | None:
    """The file name of a raw-body upload: ``?filename=`` or ``Content-Disposition``."""
    name = request.query_params.get("filename")
    disposition = request.headers.get("content-disposition", "")
    if not name and disposition:
        star = _FILENAME_STAR.search(disposition)
        if star:
            name = unquote(star.group(1).strip().strip('"'))
        else:
            _, options = parse_options_header(disposition)
            plain = options.get(b"filename")
            name = plain.decode("utf-8", "replace") if plain else None
    return safe_filename(name) if name and name.strip() else None
