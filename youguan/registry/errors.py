"""Errors of the registry services. A :class:`Problem` names the field, a stable English code and
a Chinese reason; a rejected write raises :class:`ValidationFailed` with every problem found, not
just the first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RegistryError(Exception):
    """Base class of registry service errors."""


class ValidationFailed(RegistryError, ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


class NotFound(RegistryError, LookupError):
    def __init__(self, entity: str, key: str) -> None:
        self.entity, self.key = entity, key
        super().__init__(f"未找到{entity} {key}")


class PermissionDenied(RegistryError, PermissionError):
    pass
