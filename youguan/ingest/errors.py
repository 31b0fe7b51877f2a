"""Exceptions of the ingest package. Messages are Chinese (they reach the submitter) and never
contain personal data; ``code`` is a stable English identifier."""

from __future__ import annotations


class IngestError(Exception):
    code = "ingest_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class FileRefused(IngestError):
    """The file as a whole cannot be taken: unreadable, unknown or missing columns, empty, or
    over the dataset's reject threshold. Nothing is committed."""

    code = "refused"


class NotFound(IngestError):
    """No such submission, or not visible to this actor (the API answers 404 either way)."""

    code = "not_found"


class Forbidden(IngestError):
    """The actor lacks the permission for this action (the API answers 403)."""

    code = "forbidden"


class NeedsExactRead(Exception):
    """Internal: the fast reader met a row it cannot place (a malformed CSV record); the file is
    read again with the exact reader, which numbers every row."""
