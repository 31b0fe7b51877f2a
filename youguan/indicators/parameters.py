"""The configurable parameters of the indicator definitions (DOMAIN.md §2.3 and §2.4).

Defaults are DOMAIN's: time limits of GB/T 27917 (24 h same-city, 72 h inter-city, unless the
waybill promises otherwise), the complete-delay window (3 / 7 days, **[P]** proposed by this
project), the identity documents accepted for 实名收寄, and the YZ 0139 transport modes that require
X-ray screening. A deployment overrides them in ``$YOUGUAN_HOME/indicators.toml``::

    [parameters]
    window_intercity_days = 10

Every computation run stores the parameters it used next to the facts it wrote, and definition
texts are rendered with them, so a figure always names the limits it was computed with.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from youguan.ingest.schemas import ID_TYPES, TRANSPORTS
from youguan.settings import Settings

PARAMETERS_FILE = "indicators.toml"


class ParameterError(ValueError):
    """A parameter override is unknown or has the wrong type."""


@dataclass(frozen=True)
class ParameterInfo:
    label: str  # Chinese, shown beside the figure
    unit: str
    source: str  # the rule it comes from; "[P]" marks a local proposal


@dataclass(frozen=True)
class Parameters:
    limit_same_city_hours: int = 24
    limit_intercity_hours: int = 72
    window_same_city_days: int = 3
    window_intercity_days: int = 7
    accepted_id_types: tuple[str, ...] = (
        "resident_id",
        "temp_resident_id",
        "military_id",
        "hk_mo_tw_permit",
        "foreign_passport",
    )
    checksum_id_types: tuple[str, ...] = ("resident_id", "temp_resident_id")
    xray_required_transports: tuple[str, ...] = ("air", "rail")

    def __post_init__(self) -> None:
        for name in ("limit_same_city_hours", "limit_intercity_hours"):
            if getattr(self, name) <= 0:
                raise ParameterError(f"{name} 必须为正整数 (must be positive)")
        for name in ("window_same_city_days", "window_intercity_days"):
            if getattr(self, name) <= 0:
                raise ParameterError(f"{name} 必须为正整数 (must be positive)")
        unknown = set(self.accepted_id_types) - set(ID_TYPES)
        if unknown:
            raise ParameterError(f"accepted_id_types: 未知证件类型 {sorted(unknown)}")
        unknown = set(self.xray_required_transports) - set(TRANSPORTS)
        if unknown:
            raise ParameterError(f"xray_required_transports: 未知运输方式 {sorted(unknown)}")

    # seconds, for the engines (integer arithmetic only: see items.py)
    @property
    def limit_same_city_s(self) -> int:
        return self.limit_same_city_hours * 3600

    @property
    def limit_intercity_s(self) -> int:
        return self.limit_intercity_hours * 3600

    @property
    def window_same_city_s(self) -> int:
        return self.window_same_city_days * 86_400

    @property
    def window_intercity_s(self) -> int:
        return self.window_intercity_days * 86_400

    def as_dict(self) -> dict[str, Any]:
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in dataclasses.fields(self)
        }

    def fingerprint(self) -> str:
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def text_values(self) -> dict[str, str]:
        """Values for rendering definition texts (lists joined with the Chinese comma)."""
        out: dict[str, str] = {}
        for name, value in self.as_dict().items():
            out[name] = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
        return out

    def replace(self, **changes: Any) -> Parameters:
        return dataclasses.replace(self, **_coerce(changes))


PARAMETER_INFO: dict[str, ParameterInfo] = {
    "limit_same_city_hours": ParameterInfo(
        "同城时限", "小时", "GB/T 27917；运单有承诺时限的按承诺时限"
    ),
    "limit_intercity_hours": ParameterInfo(
        "异地时限", "小时", "GB/T 27917；运单有承诺时限的按承诺时限"
    ),
    "window_same_city_days": ParameterInfo("同城彻底延误时限", "天", "[P] 本地口径"),
    "window_intercity_days": ParameterInfo("异地彻底延误时限", "天", "[P] 本地口径"),
    "accepted_id_types": ParameterInfo(
        "实名收寄认可的证件类型", "", "《邮件快件实名收寄管理办法》"
    ),
    "checksum_id_types": ParameterInfo(
        "按 GB 11643 校验码核验的证件类型", "", "GB 11643-1999 公民身份号码"
    ),
    "xray_required_transports": ParameterInfo(
        "须过机安检的运输方式", "", "YZ 0139-2015（另含跨境、跨省寄递）"
    ),
}


def _coerce(changes: dict[str, Any]) -> dict[str, Any]:
    names = {f.name: f for f in dataclasses.fields(Parameters)}
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in names:
            raise ParameterError(f"未知参数 {key!r}；可用参数：{', '.join(names)}")
        default = getattr(Parameters(), key)
        if isinstance(default, tuple):
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ParameterError(f"参数 {key} 应为字符串列表")
            out[key] = tuple(value)
        else:
            try:
                out[key] = int(value)
            except (TypeError, ValueError):
                raise ParameterError(f"参数 {key} 应为整数，得到 {value!r}") from None
    return out


def load_parameters(settings: Settings, overrides: dict[str, Any] | None = None) -> Parameters:
    """The deployment's parameters: defaults, then ``$YOUGUAN_HOME/indicators.toml``, then
    ``overrides`` (e.g. ``kpi --param``)."""
    params = Parameters()
    path = Path(settings.home_dir) / PARAMETERS_FILE
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(f"{path}: 不是有效的 TOML：{exc}") from None
        section = data.get("parameters", {})
        if not isinstance(section, dict):
            raise ParameterError(f"{path}: [parameters] 应为表")
        params = params.replace(**section)
    if overrides:
        params = params.replace(**overrides)
    return params


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["a=1", "b=x,y"]`` → ``{"a": "1", "b": "x,y"}`` (command-line ``--param``)."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"参数应写作 名称=值，得到 {item!r}")
        out[key.strip()] = value.strip()
    return out
