"""Errors of the registry services. A :class:`Problem` names the field, a stable English code and
a Chinese reason; a rejected write raises :class:`ValidationFailed` with every problem found, not
just the first.

They are :class:`youguan.errors.YouguanError` subclasses, so every front end maps them the same
way: the API answers 404 / 403 / 422 with the error envelope (``details`` of a
:class:`ValidationFailed` is its problems as ``[{"field", "code", "message"}]``, the shape of a
request validation error), and pages show the problems beside their fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from youguan import errors


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RegistryError(errors.YouguanError):
    """Base class of registry service errors."""


class ValidationFailed(RegistryError, errors.Invalid, ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        message = "输入有误：" + "；".join(p.message for p in self.problems)
        super().__init__(message, details=[p.as_dict() for p in self.problems])


class NotFound(RegistryError, errors.NotFound, LookupError):
    def __init__(self, entity: str, key: str) -> None:
        self.entity, self.key = entity, key
        super().__init__(f"未找到{entity} {key}", details={"entity": entity, "key": key})


class PermissionDenied(RegistryError, errors.PermissionDenied, PermissionError):
    """A write the actor may not make: no ``registry.write``, or a record (as it is or as it
    would become) outside the actor's scope; ``details`` names the field when there is one."""
