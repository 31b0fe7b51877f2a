"""A file with one bad row of every kind: exactly those rows are rejected, with the right codes,
and every good row is committed."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from tests.ingest.factories import NOW, event, waybill, write_csv
from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.ingest import service
from youguan.ingest.outcome import SubmissionOut

SYSTEM = Actor.system("test")

# (row values, field, code). Data rows 1-20 are good; each bad row follows.
BAD_WAYBILLS = [
    ({"waybill_no": ""}, "waybill_no", "required"),
    ({"waybill_no": "Y" * 65}, "waybill_no", "too_long"),
    ({"brand": "fedex"}, "brand", "unknown_brand"),
    ({"brand": "sf"}, "brand", "brand_mismatch"),
    ({"accepted_at": "2024/05/01 10:00"}, "accepted_at", "invalid_timestamp"),
    ({"accepted_at": "1999-12-31 10:00:00"}, "accepted_at", "out_of_range"),
    ({"accepted_at": "2030-01-01 10:00:00"}, "accepted_at", "in_future"),
    ({"origin_code": "999999"}, "origin_code", "unknown_division"),
    ({"origin_code": "110105", "dest_code": "310101"}, "origin_code", "outside_prefecture"),
    ({"dest_code": ""}, "dest_code", "required"),
    ({"dest_country": "CHN"}, "dest_country", "invalid_country"),
    ({"service": "overnight"}, "service", "not_allowed"),
    ({"e_waybill": "maybe"}, "e_waybill", "invalid_bool"),
    ({"weight_g": "heavy"}, "weight_g", "invalid_int"),
    ({"weight_g": "-5"}, "weight_g", "negative_value"),
    ({"declared_value": "1,5"}, "declared_value", "invalid_number"),
    ({"sender_id_type": "passport"}, "sender_id_type", "not_allowed"),
]


def submit(ctx: Context, name: str, path: Path, **kw: object) -> SubmissionOut:
    return service.submit_file(ctx, SYSTEM, name, path, now=NOW, **kw)  # type: ignore[arg-type]


def test_waybills_one_bad_row_of_every_kind(ctx: Context, tmp_path: Path) -> None:
    good = [waybill(i) for i in range(20)]
    bad = [waybill(100 + i, **over) for i, (over, _, _) in enumerate(BAD_WAYBILLS)]
    # a foreign destination needs no dest_code; an invalid ID is a finding, not a reject
    good.append(waybill(200, dest_code="", dest_country="la"))
    good.append(waybill(201, sender_id_no="532801199001011230"))
    path = write_csv(tmp_path / "w.csv", [*good, *bad])
    with path.open("a", encoding="utf-8") as fh:  # and one record that cannot be split
        fh.write("YD9,yunda,too,few\n")
    result = submit(ctx, "waybills", path, brand="yunda")

    assert result.status == "committed"
    first_bad = len(good) + 1
    expected = {(first_bad + i, f, c) for i, (_, f, c) in enumerate(BAD_WAYBILLS)}
    expected.add((first_bad + len(BAD_WAYBILLS), "*", "malformed_row"))
    assert {(e.row, e.field, e.code) for e in result.errors} == expected
    assert all(e.message for e in result.errors)
    assert (result.rows, result.accepted, result.rejected, result.duplicates) == (
        len(good) + len(bad) + 1,
        len(good),
        len(bad) + 1,
        0,
    )
    stored = ctx.lake.arrow("waybills")
    assert sorted(stored["waybill_no"].to_pylist()) == sorted(r["waybill_no"] for r in good)
    by_no = {r["waybill_no"]: r for r in stored.to_pylist()}
    assert by_no[good[-1]["waybill_no"]]["sender_id_valid"] is False
    assert by_no[good[0]["waybill_no"]]["sender_id_valid"] is True
    assert by_no[good[-2]["waybill_no"]]["dest_country"] == "LA"
    assert by_no[good[-2]["waybill_no"]]["scope"] == "international"
    assert set(stored["source_row"].to_pylist()) == set(range(1, len(good) + 1))
    assert pc.all(pc.equal(stored["batch_id"], result.id)).as_py()

    quarantined = service.quarantine_rows(ctx, SYSTEM, result.id, limit=1000)
    assert [q["row"] for q in quarantined] == sorted(r for r, _, _ in expected)
    assert "sender_name" not in quarantined[0] and quarantined[0]["sender_name_masked"].endswith(
        "*"
    )


def test_events_rules_including_before_acceptance(ctx: Context, tmp_path: Path) -> None:
    submit(ctx, "waybills", write_csv(tmp_path / "w.csv", [waybill(i) for i in range(3)]))
    # waybill(1) was accepted 2024-05-02 09:01 Beijing time
    rows = [
        event(3, waybill_no="YD0000000001", occurred_at="2024-05-02 09:30:00"),
        event(4, waybill_no="YD0000000001", occurred_at="2024-05-02 08:00:00"),  # before
        event(5, event="teleported", raw_code="", raw_text=""),
        event(6, raw_code="", raw_text=""),
        event(7, location_code="532899"),
        event(8, raw_code="9901", raw_text="网点盘点"),  # unmapped: kept, not an error
        event(9, waybill_no="YD0000009999", occurred_at="2024-01-01 08:00:00"),  # unknown waybill
        *(event(n) for n in range(30, 35)),
    ]
    result = submit(ctx, "events", write_csv(tmp_path / "e.csv", rows))
    assert {(e.row, e.field, e.code) for e in result.errors} == {
        (2, "occurred_at", "before_acceptance"),
        (3, "event", "not_allowed"),
        (4, "event", "required"),
        (5, "location_code", "unknown_division"),
    }
    assert (result.status, result.accepted, result.rejected, result.unmapped) == (
        "committed",
        8,
        4,
        1,
    )
    late = next(e for e in result.errors if e.code == "before_acceptance")
    assert late.message == "发生时间“2024-05-02T08:00:00+08:00”早于该运单的收寄时间"
    stored = {r["source_row"]: r for r in ctx.lake.arrow("events").to_pylist()}
    assert set(stored) == {1, 6, 7, 8, 9, 10, 11, 12}
    assert stored[6]["mapped"] is False and stored[6]["event"] is None
    assert stored[6]["raw_code"] == "9901"
    assert stored[1]["event"] == "accepted" and stored[1]["mapped"] is True
    [code] = service.unmapped_codes(ctx, SYSTEM)
    assert (code.brand, code.raw_code, code.rows) == ("yunda", "9901", 1)


def test_statistics_are_refused_whole_on_any_bad_row(ctx: Context, tmp_path: Path) -> None:
    rows = [
        {
            "brand": "ems",
            "county_code": "532801",
            "month": "2024-04",
            "items_same_city": "10",
            "items_intercity": "20",
            "items_international": "0",
            "revenue_express": "100.5",
        },
        {
            "brand": "ems",
            "county_code": "110105",
            "month": "2024-04",
            "items_same_city": "10",
            "items_intercity": "-1",
            "items_international": "0",
            "revenue_express": "1",
        },
    ]
    result = submit(ctx, "statistics", write_csv(tmp_path / "s.csv", rows))
    assert result.status == "refused" and result.refusal is not None
    assert result.refusal.code == "over_threshold"
    assert {(e.row, e.field, e.code) for e in result.errors} == {
        (2, "county_code", "not_allowed"),
        (2, "items_intercity", "negative_value"),
    }
    assert ctx.lake.files("statistics") == []
    assert result.quarantine and (ctx.settings.home_dir / result.quarantine).is_file()
    fixed = submit(ctx, "statistics", write_csv(tmp_path / "s2.csv", rows[:1]))
    assert fixed.status == "committed" and fixed.accepted == 1
    [row] = ctx.lake.arrow("statistics").to_pylist()
    assert row["month"] == "2024-04" and row["reported_at"] == NOW


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("waybill_no,brand,occurred_at\n", "empty"),
        ("waybill_no,brand\nW1,yunda\n", "missing_columns"),
        (
            "waybill_no,brand,occurred_at,colour\nW1,yunda,2024-05-01 10:00:00,red\n",
            "unknown_columns",
        ),
    ],
)
def test_file_level_refusals_commit_nothing(
    ctx: Context, tmp_path: Path, content: str, code: str
) -> None:
    path = tmp_path / "e.csv"
    path.write_text(content, "utf-8")
    result = submit(ctx, "events", path)
    assert result.status == "refused" and result.refusal and result.refusal.code == code
    assert ctx.lake.version() == 0
