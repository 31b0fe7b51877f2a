"""The registry: immutable, versioned definitions. A definition's text and compiled SQL are pinned
per version in ``definition_versions.json``: changing a rule without a new version fails here.
After a deliberate new version, refresh the file with ``YOUGUAN_UPDATE_DEFINITIONS=1 pytest
tests/indicators/test_registry.py``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import ibis
import pytest

from youguan.context import Context
from youguan.indicators.definitions import Category, Definition, Measure
from youguan.indicators.evaluate import scope_for_dates
from youguan.indicators.items import ITEM_SCHEMA, build_items
from youguan.indicators.lakeview import LakeView
from youguan.indicators.parameters import Parameters
from youguan.indicators.registry import definition, registry

PINNED = Path(__file__).with_name("definition_versions.json")
DOMAIN_CODES = {
    "on_time_72h_rate",
    "delay_rate",
    "loss_per_100k",
    "damage_per_100k",
    "shortage_per_100k",
    "transit_hours_mean",
    "transit_hours_p50",
    "transit_hours_p90",
    "e_waybill_rate",
    "real_name_rate",
    "inspection_rate",
    "xray_rate",
    "xray_required_rate",
}


def digest(d: Definition) -> str:
    """Text, unit, measure and the SQL of every expression of a definition."""
    items = ibis.table(ITEM_SCHEMA, name="items")
    p = Parameters()
    exprs = {"population": d.population(items, p)}
    if d.numerator is not None:
        exprs["numerator"] = d.numerator(items, p)
    if d.value is not None:
        exprs["value"] = d.value(items, p)
    if d.pending is not None:
        exprs["pending"] = d.pending(items, p)
    sql = ibis.to_sql(items.select(**exprs), dialect="duckdb")
    text = "\n".join([d.text, d.unit.value, d.measure.value, str(d.quantile), sql])
    return hashlib.sha256(text.encode()).hexdigest()


def test_every_domain_indicator_is_registered() -> None:
    assert set(registry()) >= DOMAIN_CODES
    assert {d.category for d in registry().values()} == set(Category)
    assert definition("transit_hours_p90").measure is Measure.QUANTILE


def test_definitions_do_not_change_without_a_new_version() -> None:
    current = {code: {"version": d.version, "digest": digest(d)} for code, d in registry().items()}
    if os.environ.get("YOUGUAN_UPDATE_DEFINITIONS"):
        pinned = json.loads(PINNED.read_text()) if PINNED.exists() else {}
        for code, entry in current.items():
            pinned.setdefault(code, {})[str(entry["version"])] = entry["digest"]
        PINNED.write_text(json.dumps(pinned, indent=2, sort_keys=True) + "\n")
    pinned = json.loads(PINNED.read_text())
    for code, entry in current.items():
        versions = pinned.get(code, {})
        assert str(entry["version"]) in versions, f"{code} v{entry['version']} is not pinned"
        assert versions[str(entry["version"])] == entry["digest"], (
            f"{code} changed without a new version: give it version {entry['version'] + 1}"
        )


def test_definitions_are_immutable() -> None:
    d = definition("delay_rate")
    with pytest.raises(AttributeError):
        d.version = 2  # type: ignore[misc]


def test_the_item_table_has_the_documented_columns(ctx: Context) -> None:
    scope = scope_for_dates(
        dt.date(2025, 1, 1), dt.date(2025, 1, 31), dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    )
    items = build_items(LakeView.current(ctx.lake), scope, Parameters())
    assert {n: str(t) for n, t in items.schema().items()} == ITEM_SCHEMA
