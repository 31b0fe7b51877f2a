"""Field parsers shared by the registry's input schemas. Each accepts what a person or a
spreadsheet sends (text, numbers from Excel cells, dates, Python values) and returns the canonical
value, or raises :class:`pydantic_core.PydanticCustomError` with a stable code and a Chinese reason.
``None`` always passes through (required fields are enforced by the schema)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic_core import PydanticCustomError

from youguan.geo.divisions import PREFECTURE_CODE, Level, divisions
from youguan.registry import rules
from youguan.registry.brands import brands
from youguan.registry.choices import Choices

Parser = Callable[[Any], Any]
_LIST_SEP = re.compile(r"[;；,，、\s]+")
_TRUE = {"true", "1", "是", "yes", "y", "t"}
_FALSE = {"false", "0", "否", "no", "n", "f"}


def fail(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed into Excel arrives as 532823105001.0
    return str(value).strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(max_len: int) -> Parser:
    def parse(value: Any) -> str | None:
        if value is None:
            return None
        s = _as_text(value)
        if len(s) > max_len:
            raise fail("text_too_long", f"不超过{max_len}个字符，实为{len(s)}个")
        if _CONTROL.search(s):  # a NUL or other control character (PostgreSQL refuses NUL)
            raise fail("control_characters", "含有不可见的控制字符")
        return s

    return parse


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


def code(value: Any) -> str | None:
    if value is None:
        return None
    s = _as_text(value)
    if not _CODE.match(s):
        raise fail("invalid_code", "编码只能由字母、数字和 . _ / - 组成，1–40位")
    return s


def uscc(value: Any) -> str | None:
    if value is None:
        return None
    s = rules.normalise_uscc(_as_text(value))
    problem = rules.uscc_problem(s)
    if problem:
        raise fail(*problem)
    return s


def plate(value: Any) -> str | None:
    if value is None:
        return None
    s = rules.normalise_plate(_as_text(value))
    problem = rules.plate_problem(s)
    if problem:
        raise fail(*problem)
    return s


def brand(value: Any) -> str | None:
    """A brand code, or its Chinese name or short name."""
    if value is None:
        return None
    s = _as_text(value)
    for info in brands().values():
        if s.lower() == info.code or s in (info.name, info.short):
            return info.code
    raise fail(
        "unknown_brand", f"未知品牌 {s}（应为品牌代码，如 {'、'.join(list(brands())[:5])} …）"
    )


def choice(choices: Choices) -> Parser:
    def parse(value: Any) -> str | None:
        if value is None:
            return None
        s = _as_text(value)
        found = choices.parse(s)
        if found is None:
            raise fail("unknown_choice", f"不认识的取值 {s}，应为 {choices.describe()}")
        return found

    return parse


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [p for p in _LIST_SEP.split(value.strip()) if p]
    if isinstance(value, Iterable):
        return [_as_text(v) for v in value if v is not None and _as_text(v)]
    return [p for p in _LIST_SEP.split(_as_text(value)) if p]


def choice_set(choices: Choices) -> Parser:
    """A set of choices written ``a;b`` (also ``,`` ``、`` ``；``), returned in canonical order."""

    def parse(value: Any) -> list[str] | None:
        if value is None:
            return None
        found: set[str] = set()
        for item in _items(value):
            code_ = choices.parse(item)
            if code_ is None:
                raise fail("unknown_choice", f"不认识的取值 {item}，应为 {choices.describe()}")
            found.add(code_)
        return [c for c in choices.codes if c in found]

    return parse


def date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise fail("invalid_date", "应为日期（YYYY-MM-DD），不应带时刻")
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = _as_text(value)
    s = s[:-9] if s.endswith(" 00:00:00") else s  # a date cell exported by some spreadsheets
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise fail("invalid_date", f"日期应为 YYYY-MM-DD，实为 {s}") from None


def boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    s = _as_text(value).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise fail("invalid_bool", f"应为 是/否（true/false/1/0），实为 {s}")


def integer(low: int, high: int) -> Parser:
    def parse(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise fail("invalid_int", "应为整数")
        if isinstance(value, float):
            if not value.is_integer():
                raise fail("invalid_int", f"应为整数，实为 {value}")
            n = int(value)
        else:
            try:
                n = int(_as_text(value))
            except ValueError:
                raise fail("invalid_int", f"应为整数，实为 {_as_text(value)}") from None
        if not low <= n <= high:
            raise fail("out_of_range", f"应在 {low}–{high} 之间，实为 {n}")
        return n

    return parse


def number(low: float, high: float, digits: int) -> Parser:
    """A number within [low, high], rounded to ``digits`` decimals (beyond them a value is noise,
    and a short value survives every spreadsheet round trip)."""

    def parse(value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise fail("invalid_number", "应为数字")
        try:
            x = float(value) if isinstance(value, int | float) else float(_as_text(value))
        except ValueError:
            raise fail("invalid_number", f"应为数字，实为 {_as_text(value)}") from None
        if math.isnan(x) or not low <= x <= high:
            raise fail("out_of_range", f"应在 {low:g}–{high:g} 之间，实为 {x:g}")
        return round(x, digits)

    return parse


def division(*levels: Level, in_prefecture: bool = False) -> Parser:
    """A known division code of one of ``levels`` (optionally inside the prefecture)."""
    names = "、".join(lv.label for lv in levels)

    def parse(value: Any) -> str | None:
        if value is None:
            return None
        s = _as_text(value)
        d = divisions().get(s)
        if d is None:
            raise fail("unknown_division", f"未知区划代码 {s}")
        if d.level not in levels:
            raise fail("wrong_division_level", f"应为{names}区划代码，{s} 是{d.level.label}")
        if in_prefecture and not d.in_prefecture:
            raise fail("division_outside_prefecture", f"{s} 不在本州（{PREFECTURE_CODE}）范围内")
        return s

    return parse


_village = division(Level.VILLAGE, in_prefecture=True)


def village_list(value: Any) -> list[str] | None:
    """Village-level codes of the prefecture, ``;``-separated; sorted and without repeats."""
    if value is None:
        return None
    return sorted({_village(item) for item in _items(value)})
