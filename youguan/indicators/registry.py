"""The registry of indicator definitions.

Each provider module exports ``DEFINITIONS``, a tuple of :class:`Definition`. A new indicator is a
new definition in a provider (or a new provider listed here); the evaluation, the facts, the
command line and the API pick it up without change.
"""

from __future__ import annotations

import importlib
from functools import cache

from youguan.indicators.definitions import Category, Definition

PROVIDERS = ("youguan.quality.definitions", "youguan.security.definitions")


class UnknownIndicator(KeyError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"未知指标 {self.code!r}；可用指标：{', '.join(registry())}"


@cache
def registry() -> dict[str, Definition]:
    """Every definition by code, in display order (quality first, then security)."""
    found: dict[str, Definition] = {}
    for name in PROVIDERS:
        for d in importlib.import_module(name).DEFINITIONS:
            if d.code in found:
                raise ValueError(f"indicator {d.code!r} is defined twice ({name})")
            found[d.code] = d
    categories = list(Category)
    ordered = sorted(found.values(), key=lambda d: (categories.index(d.category), d.order))
    return {d.code: d for d in ordered}


def definition(code: str) -> Definition:
    try:
        return registry()[code]
    except KeyError:
        raise UnknownIndicator(code) from None


def codes() -> list[str]:
    return list(registry())
