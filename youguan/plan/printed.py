"""Numbers as a plan prints them (DOMAIN.md §4.1–4.2).

A plan's figures are kept as printed, because the audit's tolerance is half a unit of the last
digit the plan printed (``25%`` → ±0.5 percentage point, ``2.38%`` → ±0.005) and because a bound
such as ``<0.8`` is a bound, not the number 0.8. Spacing is normalised (``1 746.06`` →
``1746.06``) and full-width or typographic signs become ASCII (``≤95`` → ``<=95``), but the digits
are kept exactly, trailing zeros included (``35.0%`` keeps one decimal).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

Bound = Literal["<", "<=", ">", ">="]

_TRANSLATE = str.maketrans(
    {
        "＜": "<",
        "＞": ">",
        "≤": "≦",
        "≥": "≧",
        "％": "%",
        "－": "-",
        "−": "-",
        "＋": "+",
        "．": ".",
        "，": ",",
    }
)
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f\u3000]+")
_PRINTED = re.compile(
    r"^(?P<bound><=|>=|<|>|≦|≧)?(?P<sign>[+-])?(?P<int>\d+)(?:\.(?P<frac>\d+))?(?P<pct>%)?$"
)


class PrintedError(ValueError):
    """Text that is not a printed number."""


@dataclass(frozen=True)
class Printed:
    """A number as printed: its normalised text, value, bound, decimals and percent sign."""

    printed: str
    value: float
    bound: Bound | None = None
    decimals: int = 0
    percent: bool = False

    @property
    def tolerance(self) -> float:
        """Half a unit of the last printed digit, in the printed unit (DOMAIN §4.2)."""
        return 0.5 * 10.0 ** (-self.decimals)

    @property
    def is_bound(self) -> bool:
        return self.bound is not None

    def __str__(self) -> str:
        return self.printed


def normalise(text: str) -> str:
    """Remove spacing (also thin and full-width spaces) and thousands separators; ASCII signs."""
    t = _SPACES.sub("", text.translate(_TRANSLATE))
    # A comma between digit groups is a thousands separator, never a decimal mark here.
    return re.sub(r"(?<=\d),(?=\d{3}(?:\D|$))", "", t)


def parse_printed(raw: str | float | int, *, allow_percent: bool = True) -> Printed:
    """Parse ``"<0.8"``, ``"1 746.06"``, ``"35.0%"``, ``"≥95"`` or a number."""
    if isinstance(raw, bool):
        raise PrintedError(f"“{raw}” 不是数字")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise PrintedError(f"“{raw}” 不是有限的数字")
        text = repr(raw) if isinstance(raw, float) else str(raw)
        if "e" in text or "E" in text:
            text = f"{raw:f}".rstrip("0").rstrip(".")
    else:
        text = str(raw)
    t = normalise(text)
    m = _PRINTED.match(t)
    if m is None:
        raise PrintedError(f"“{text}” 不是可识别的数字（例如 12.05、<0.8、>=95、25%）")
    if m["pct"] and not allow_percent:
        raise PrintedError(f"“{text}” 不应带百分号（单位已在 unit 中给出）")
    bound_map: dict[str, Bound] = {"<": "<", "<=": "<=", "≦": "<=", ">": ">", ">=": ">=", "≧": ">="}
    bound = bound_map[m["bound"]] if m["bound"] else None
    sign = m["sign"] or ""
    frac = m["frac"] or ""
    digits = m["int"] + (f".{frac}" if m["frac"] is not None else "")
    value = float(f"{'-' if sign == '-' else ''}{digits}")
    printed = f"{bound or ''}{'-' if sign == '-' else ''}{digits}{'%' if m['pct'] else ''}"
    return Printed(
        printed=printed, value=value, bound=bound, decimals=len(frac), percent=bool(m["pct"])
    )


def format_number(value: float, decimals: int) -> str:
    """A value printed with ``decimals`` digits after the point (no thousands separator)."""
    decimals = max(decimals, 0)
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


_DISPLAY_BOUNDS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def with_unit(number: str, unit: str, bound: str | None = None) -> str:
    """A figure with its unit as Chinese text prints it: ``95%``, ``12.05亿元``, ``≤0.5%``,
    ``十万分之5`` (that unit reads before the number)."""
    sign = _DISPLAY_BOUNDS.get(bound or "", "")
    if unit.strip() == "十万分之":
        return f"{sign}十万分之{number}"
    return f"{sign}{number}{unit.strip()}"


def display(value: Printed, unit: str) -> str:
    """A printed figure with its unit (bounds shown as <, ≤, >, ≥)."""
    digits = value.printed.lstrip("<>=").removesuffix("%")
    return with_unit(digits, unit, value.bound)
