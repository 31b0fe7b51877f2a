"""The format guide: every example row passes validation as it is documented, every allowed
value has its Chinese meaning, and the documented personal-data fields are the protected ones."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.ingest import guide, service
from youguan.ingest.protect import PII_FIELDS
from youguan.ingest.public import PiiField
from youguan.ingest.schemas import DATASETS


@pytest.mark.parametrize("name", list(DATASETS))
def test_each_example_row_is_accepted(ctx: Context, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text(guide.template_csv(DATASETS[name]), encoding="utf-8")
    sf = Actor(name="dave", role=Role.ENTERPRISE, brand="sf")
    if name == "events":  # an event needs its waybill before it (not before acceptance)
        waybills = tmp_path / "waybills.csv"
        waybills.write_text(guide.template_csv(DATASETS["waybills"]), encoding="utf-8")
        service.submit_file(ctx, sf, "waybills", waybills)
    result = service.submit_file(ctx, sf, name, path)
    assert (result.status, result.accepted, result.rejected) == ("committed", 1, 0), result.errors


def test_every_allowed_value_has_a_chinese_meaning() -> None:
    for doc in guide.datasets():
        for column in doc.columns:
            for value in column.allowed or []:
                assert value.label != value.code, (doc.name, column.name, value.code)
    for column_name, labels in guide.VALUE_LABELS.items():
        allowed = {
            v
            for ds in DATASETS.values()
            for c in ds.columns
            if c.name == column_name
            for v in c.allowed or ()
        }
        assert set(labels) == allowed, column_name


def test_the_documented_personal_data_is_the_protected_data() -> None:
    assert set(typing.get_args(PiiField)) == set(PII_FIELDS)
    waybills = guide.describe(DATASETS["waybills"])
    assert {c.name for c in waybills.columns if c.personal_data} == set(PII_FIELDS)
    assert set(guide.EXAMPLES) == set(DATASETS)
    columns = {c.name for ds in DATASETS.values() for c in ds.columns}
    assert set(guide.NOTES_BY_COLUMN) <= columns
    for name, example in guide.EXAMPLES.items():
        assert set(example) <= {c.name for c in DATASETS[name].columns}, name
