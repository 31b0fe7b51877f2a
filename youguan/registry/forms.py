"""The create and edit forms of the registry pages: which fields, in which order, with which
widget — labels come from the input schemas, choices from :mod:`youguan.registry.choices`, so a
form, an import file and an API body speak the same codes. Submitted values are text; the
services parse them with the same field parsers as an import row, and their problems come back
beside the fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from youguan.registry import service
from youguan.registry.choices import (
    COORD_SYSTEMS,
    ENTERPRISE_KINDS,
    FACILITY_TYPES,
    LICENCE_SCOPES,
    STATUSES,
    VEHICLE_KINDS,
    VEHICLE_TYPES,
)
from youguan.registry.errors import Problem
from youguan.registry.public import Option, brand_options, county_options, options

Widget = Literal["text", "date", "number", "select", "multi", "bool", "textarea"]
BOOL_OPTIONS = [Option(code="false", label="否"), Option(code="true", label="是")]


@dataclass(frozen=True)
class FieldDef:
    name: str
    widget: Widget = "text"
    choices: Callable[[], list[Option]] | None = None
    required: bool = False
    help: str = ""
    edit: bool = True  # shown on the edit form (the key and creation-only fields are not)
    step: str | None = None  # for number inputs


def _choices(c: Any) -> Callable[[], list[Option]]:
    return lambda: options(c)


def _brands() -> list[Option]:
    return brand_options(active_only=True)


FIELDS: dict[str, tuple[FieldDef, ...]] = {
    "enterprises": (
        FieldDef("uscc", required=True, edit=False, help="18 位，含校验位"),
        FieldDef("name", required=True),
        FieldDef("brand", "select", _brands, required=True),
        FieldDef("kind", "select", _choices(ENTERPRISE_KINDS), required=True),
        FieldDef("parent_uscc", help="分支机构必填"),
        FieldDef("licence_no"),
        FieldDef("licence_issuer"),
        FieldDef("licence_scope", "multi", _choices(LICENCE_SCOPES)),
        FieldDef("licence_valid_from", "date"),
        FieldDef("licence_valid_to", "date"),
        FieldDef("address"),
        FieldDef("county_code", "select", county_options, required=True),
        FieldDef("status", "select", _choices(STATUSES)),
        FieldDef("closed_on", "date", help="状态为关闭时填写"),
    ),
    "facilities": (
        FieldDef("code", required=True, edit=False, help="字母、数字和 . _ / -，最长 40 位"),
        FieldDef("name", required=True),
        FieldDef("type", "select", _choices(FACILITY_TYPES), required=True),
        FieldDef("brand", "select", _brands, help="公共设施可不填"),
        FieldDef("enterprise_uscc", help="须已在企业名录中"),
        FieldDef("division_code", required=True, help="村级代码（12 位）优先，也可填乡级或县级"),
        FieldDef("lon", "number", step="any"),
        FieldDef("lat", "number", step="any"),
        FieldDef("coord_system", "select", _choices(COORD_SYSTEMS), help="高德、腾讯地图为 GCJ-02"),
        FieldDef("address"),
        FieldDef("opened_on", "date", required=True),
        FieldDef("filed_on", "date", help="末端网点、营业网点应在开办后 20 日内备案"),
        FieldDef("status", "select", _choices(STATUSES)),
        FieldDef("closed_on", "date", help="状态为关闭时必填"),
        FieldDef("standardized", "bool"),
        FieldDef("sorting_lines", "number", step="1"),
        FieldDef("area_m2", "number", step="any"),
        FieldDef("daily_capacity", "number", step="1"),
        FieldDef("served_villages", help="村级代码，用分号分隔"),
        FieldDef("deliveries_per_week", "number", step="1"),
    ),
    "vehicles": (
        FieldDef("plate", required=True, edit=False, help="如 云K12345，新能源 云KD12345"),
        FieldDef("brand", "select", _brands, required=True),
        FieldDef("enterprise_uscc"),
        FieldDef("kind", "select", _choices(VEHICLE_KINDS), help="留空按品牌判断"),
        FieldDef("vehicle_type", "select", _choices(VEHICLE_TYPES), required=True),
        FieldDef("new_energy", "bool"),
        FieldDef("county_code", "select", county_options, required=True),
        FieldDef("status", "select", _choices(STATUSES)),
        FieldDef("registered_on", "date"),
        FieldDef("closed_on", "date", help="状态为关闭时填写"),
    ),
}


class FormField(BaseModel):
    """One field as the form shows it."""

    name: str
    label: str
    widget: str
    value: str = ""
    values: list[str] = []  # a multi-select's chosen codes
    options: list[Option] = []
    required: bool = False
    help: str = ""
    step: str | None = None
    errors: list[str] = []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def record_values(entity: str, obj: Any) -> dict[str, str]:
    """A stored record as form text (coordinates as entered, in their system)."""
    return {k: _text(v) for k, v in service.SPECS[entity].schema.from_record(obj).items()}


def form_fields(
    entity: str,
    *,
    editing: bool,
    values: Mapping[str, Any] | None = None,
    problems: list[Problem] | None = None,
) -> list[FormField]:
    """The fields of the create (``editing`` False) or edit form, filled and with problems."""
    labels = service.SPECS[entity].schema.labels
    values = values or {}
    errors: dict[str, list[str]] = {}
    for p in problems or []:
        errors.setdefault(p.field, []).append(p.message)
    out = []
    for d in FIELDS[entity]:
        if editing and not d.edit:
            continue
        raw = values.get(d.name)
        chosen = [v for v in (raw or "").split(";") if v] if d.widget == "multi" else []
        out.append(
            FormField(
                name=d.name,
                label=labels[d.name],
                widget=d.widget,
                value="" if raw is None else str(raw),
                values=chosen,
                options=BOOL_OPTIONS if d.widget == "bool" else (d.choices() if d.choices else []),
                required=d.required,
                help=d.help,
                step=d.step,
                errors=errors.get(d.name, []),
            )
        )
    return out


def submitted(entity: str, form: Any, *, editing: bool) -> dict[str, str]:
    """The form's values as the service takes them (text; a multi-select joined with ``;``);
    fields the form does not show are left out, so they keep their values."""
    out: dict[str, str] = {}
    for d in FIELDS[entity]:
        if editing and not d.edit:
            continue
        if d.widget == "multi":
            out[d.name] = ";".join(str(v) for v in form.getlist(d.name))
        else:
            value = form.get(d.name)
            out[d.name] = value.strip() if isinstance(value, str) else ""
    return out


def field_names(entity: str, *, editing: bool) -> set[str]:
    return {d.name for d in FIELDS[entity] if d.edit or not editing}
