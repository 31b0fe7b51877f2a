"""Pure rules of the registry: identifier check characters, vehicle plates, the 备案 deadline,
when a facility is open, and the parameters of the coverage definitions (DOMAIN.md §1, §5).

Hand-written because no maintained Python library implements GB 32100-2015; the arithmetic is
a dozen lines and is tested against real published codes and with hypothesis.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_today() -> dt.date:
    """Today in Asia/Shanghai (DOMAIN.md §1: periods are local calendar periods)."""
    return dt.datetime.now(LOCAL_TZ).date()


# --- 统一社会信用代码 (GB 32100-2015) ------------------------------------------------------------

# The code's 31 characters: digits and capitals without I, O, S, V, Z; a character's value is its
# index. The weight of position i (0-based) is 3**i mod 31, the check character is the one whose
# value makes the weighted sum ≡ 0 (mod 31).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
USCC_LENGTH = 18
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}


def normalise_uscc(value: str) -> str:
    """Upper case without surrounding or inner blanks (codes are often copied with spaces)."""
    return re.sub(r"\s+", "", value).upper()


def uscc_check_char(body: str) -> str:
    """The GB 32100-2015 check character of a 17-character body."""
    if len(body) != USCC_LENGTH - 1:
        raise ValueError(f"a USCC body has 17 characters, not {len(body)}")
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the USCC character set") from None
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> tuple[str, str] | None:
    """Why ``code`` (normalised) is not a valid USCC: ``(error code, 中文原因)``, or None."""
    if len(code) != USCC_LENGTH:
        return "uscc_length", f"应为18位，实为{len(code)}位"
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        return "uscc_charset", f"含有不允许的字符 {''.join(bad)}（不使用 I、O、S、V、Z）"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return "uscc_check", f"校验位错误：第18位应为 {expected}，实为 {code[17]}"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(normalise_uscc(code)) is None


# --- 机动车号牌 (GA 36) -------------------------------------------------------------------------

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Province character, issuing-office letter, then 5 characters (ordinary plates) or 6 (new-energy
# plates, GA 36-2018); the letters I and O are never used after the office letter.
_PLATE = re.compile(rf"^[{PLATE_PROVINCES}][A-Z][A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂学警]$")


def normalise_plate(value: str) -> str:
    """Upper case without blanks, dots and dashes (``云K·D12345`` → ``云KD12345``)."""
    return re.sub(r"[\s·•.\-]+", "", value).upper()


def plate_problem(plate: str) -> tuple[str, str] | None:
    if not _PLATE.match(plate):
        return "invalid_plate", "号牌格式不正确（如 云K12345 或新能源 云KD12345）"
    return None


# --- 备案 (filing) of outlets -------------------------------------------------------------------

# DOMAIN.md §1: a 末端网点 is filed within 20 days of opening; changes within 10 days. Calendar
# days (the regulation counts 日, not 工作日).
FILING_DEADLINE_DAYS = 20
CHANGE_FILING_DEADLINE_DAYS = 10
# Facility types the 20-day filing rule applies to [P]: outlets run by express enterprises.
FILING_REQUIRED_TYPES = frozenset({"express_outlet", "last_mile_outlet"})


def filing_delay_days(opened_on: dt.date | None, filed_on: dt.date | None) -> int | None:
    """Days from opening to filing (negative when filed before opening), or None."""
    if opened_on is None or filed_on is None:
        return None
    return (filed_on - opened_on).days


def filed_within_deadline(
    type_: str, opened_on: dt.date | None, filed_on: dt.date | None, *, as_of: dt.date
) -> bool | None:
    """Whether the facility met the 20-day filing deadline: True when filed in time, False when
    filed late or still unfiled after the deadline, None when not yet due or the rule does not
    apply (a type outside :data:`FILING_REQUIRED_TYPES` that was never filed)."""
    delay = filing_delay_days(opened_on, filed_on)
    if delay is not None:
        return delay <= FILING_DEADLINE_DAYS
    if type_ not in FILING_REQUIRED_TYPES or opened_on is None:
        return None
    return None if (as_of - opened_on).days <= FILING_DEADLINE_DAYS else False


# --- Open on a date ---------------------------------------------------------------------------


def is_open(opened_on: dt.date | None, closed_on: dt.date | None, as_of: dt.date) -> bool:
    """A facility is open on ``as_of`` from its opening day up to the day before ``closed_on``
    (the closing day is the first day it no longer serves). Suspension is a current status,
    not a dated period, so it does not change historical counts."""
    return opened_on is not None and opened_on <= as_of and (closed_on is None or closed_on > as_of)


# --- Which facility types may carry which attributes ------------------------------------------

SORTING_LINE_TYPES = frozenset({"sorting_center", "logistics_park", "intl_express_center"})

# DOMAIN.md §5 [P]: a 建制村 is directly served (快递直投到村) when express items are handed over at
# a fixed point in the village on a regular schedule. Fixed points are these types, located in the
# village or listing it in ``served_villages`` with at least this many deliveries a week.
DIRECT_SERVICE_TYPES = frozenset(
    {
        "universal_post_office",
        "express_outlet",
        "last_mile_outlet",
        "parcel_locker",
        "village_service_point",
    }
)
MIN_SCHEDULED_DELIVERIES_PER_WEEK = 1

# The township-level units that count for coverage (DOMAIN.md §5): 乡, 镇 and 街道. The
# statistical 类似乡级单位 (state farms, the prison) are left out of the denominator [P].
COVERAGE_TOWNSHIP_KINDS = ("town", "township", "subdistrict")

# Coordinates of China (with a margin): a wider box means swapped or garbled coordinates.
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)
# Decimals of a degree kept for coordinates: 1e-7 degree ≈ 1 cm.
COORD_DIGITS = 7
# How far (degrees, ≈ 5 km) a point may lie outside its county's bounding box.
COUNTY_BOX_MARGIN = 0.05
