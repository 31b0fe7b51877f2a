"""Choices with labels and colours (STYLE.md habit 10): a stable ASCII code is stored, a Chinese
label and a colour are shown. Declare one as a :class:`ChoiceEnum`::

    class KeyStatus(ChoiceEnum):
        ACTIVE = "active", "有效", "#1a7f37"
        REVOKED = "revoked", "已吊销", "#8c959f"

``KeyStatus.ACTIVE == "active"``, ``KeyStatus("active").label == "有效"``; pydantic and SQLAlchemy
store the code. Templates show one with the ``badge`` macro (``web/templates/macros.html``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class ChoiceEnum(StrEnum):
    label: str
    color: str

    def __new__(cls, value: str, label: str = "", color: str = "#57606a") -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        obj.color = color
        return obj

    @classmethod
    def options(cls) -> list[dict[str, str]]:
        """``[{"code", "label", "color"}]`` in declaration order (for selects, legends, JSON)."""
        return [{"code": c.value, "label": c.label, "color": c.color} for c in cls]

    @classmethod
    def label_of(cls, code: Any) -> str:
        try:
            return cls(code).label
        except ValueError:
            return str(code)
