"""The indicator package's errors as the platform's errors (``youguan.errors``), so the web answers
them with the one error envelope and the right status: a fact out of scope or an unknown indicator
is 404, a bad dimension, parameter or export format 422.

The package's own exceptions stay plain (``LookupError``/``ValueError`` subclasses) because the
command line and the engine raise them too; the web maps them here, once, for the API and the
pages alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from youguan import errors
from youguan.indicators.dimensions import DimensionError
from youguan.indicators.export import ExportError
from youguan.indicators.parameters import ParameterError
from youguan.indicators.registry import UnknownIndicator
from youguan.indicators.service import NotFound

NOT_FOUND = (NotFound, UnknownIndicator)
INVALID = (DimensionError, ParameterError, ExportError)


@contextmanager
def web_errors() -> Iterator[None]:
    """Re-raise the indicator package's errors as :mod:`youguan.errors` (404 / 422)."""
    try:
        yield
    except NOT_FOUND as exc:
        code = exc.code if isinstance(exc, UnknownIndicator) else None
        raise errors.NotFound(str(exc), details={"indicator": code} if code else None) from None
    except INVALID as exc:
        raise errors.Invalid(str(exc)) from None
