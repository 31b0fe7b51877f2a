from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from tests.ingest.factories import event, waybill, write_csv, write_parquet, write_xlsx
from youguan.ingest import readers
from youguan.ingest.errors import FileRefused, NeedsExactRead
from youguan.ingest.readers import Source
from youguan.ingest.schemas import dataset

EVENTS = dataset("events")
WAYBILLS = dataset("waybills")


def _read(source: Source) -> tuple[pa.Table, list[int], list[tuple[int, str]]]:
    batches = list(source.batches())
    table = pa.concat_tables([b.table for b in batches], promote_options="default")
    rows = [r for b in batches for r in b.rows.to_pylist()]
    bad = [x for b in batches for x in b.malformed]
    return table, rows, bad


def test_utf8_with_bom_and_chinese_headers(tmp_path: Path) -> None:
    rows = [event(i, facility="景洪分拨中心") for i in range(3)]
    header = [
        "运单号",
        "品牌",
        "轨迹状态",
        "发生时间",
        "地点区划代码",
        "企业原始状态码",
        "企业原始状态描述",
        "处理场所",
    ]
    path = write_csv(tmp_path / "e.csv", rows, encoding="utf-8-sig", header=header)
    source = Source(EVENTS, path)
    assert source.encoding == "utf-8-sig"
    table, numbers, _ = _read(source)
    assert table.column_names == [
        "waybill_no",
        "brand",
        "event",
        "occurred_at",
        "location_code",
        "raw_code",
        "raw_text",
        "facility",
    ]
    assert table["facility"].to_pylist() == ["景洪分拨中心"] * 3
    assert table["event"].to_pylist() == [None] * 3  # empty text is null
    assert numbers == [1, 2, 3]


def test_gb18030_is_detected_and_can_be_named(tmp_path: Path) -> None:
    rows = [event(i, facility="勐海县勐遮镇曼洪村驿站") for i in range(5)]
    path = write_csv(tmp_path / "e.csv", rows, encoding="gb18030")
    source = Source(EVENTS, path)
    assert source.encoding == "gb18030"
    table, _, _ = _read(source)
    assert table["raw_text"].to_pylist()[:3] == ["已揽收", "到达派件城市", "正常签收"]
    assert table["facility"].to_pylist()[0] == "勐海县勐遮镇曼洪村驿站"
    named, _, _ = _read(Source(EVENTS, path, encoding="GB18030"))
    assert named.equals(table)
    with pytest.raises(FileRefused) as info:
        Source(EVENTS, path, encoding="klingon")
    assert info.value.code == "unreadable"


def test_header_problems_refuse_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", [{**event(1), "colour": "red"}])
    with pytest.raises(FileRefused) as info:
        list(Source(EVENTS, path).batches())
    assert info.value.code == "unknown_columns" and "colour" in info.value.message
    path = write_csv(
        tmp_path / "d.csv",
        [event(1)],
        header=[
            "waybill_no",
            "运单号",
            "event",
            "occurred_at",
            "location_code",
            "raw_code",
            "raw_text",
        ],
    )
    with pytest.raises(FileRefused) as info:
        list(Source(EVENTS, path).batches())
    assert info.value.code == "duplicate_columns"
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(FileRefused) as info:
        Source(EVENTS, tmp_path / "x.pdf")
    assert info.value.code == "unsupported_format"
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(FileRefused) as info:
        Source(EVENTS, tmp_path / "empty.csv")
    assert info.value.code == "empty"


def test_malformed_records_are_numbered_by_the_exact_reader(tmp_path: Path) -> None:
    text = (
        "waybill_no,brand,occurred_at,raw_code\n"
        "W1,yunda,2024-05-01 10:00:00,1\n"
        "W2,yunda,2024-05-01 10:00:00,1,EXTRA\n"
        '"W3\nsplit",yunda,2024-05-01 10:00:00,1\n'
        "\n"
        "W4,yunda\n"
        "W5,yunda,2024-05-01 10:00:00,1\n"
    )
    path = tmp_path / "m.csv"
    path.write_text(text, "utf-8")
    source = Source(EVENTS, path)
    with pytest.raises(NeedsExactRead):
        list(source.batches())
    source.exact = True
    table, numbers, bad = _read(source)
    assert numbers == [1, 3, 5]
    assert table["waybill_no"].to_pylist() == ["W1", "W3\nsplit", "W5"]
    assert [r for r, _ in bad] == [2, 4]


def test_fast_csv_reads_in_bounded_batches_with_continuous_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", [event(i) for i in range(5000)])
    batches = list(Source(EVENTS, path, batch_bytes=16 << 10).batches())
    assert len(batches) > 5
    numbers = [r for b in batches for r in b.rows.to_pylist()]
    assert numbers == list(range(1, 5001))


def test_json_lines_with_mixed_types_late_keys_and_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(
        '{"waybill_no": 123, "brand": "yunda", "occurred_at": "2024-05-01 10:00:00"}\n'
        "\n"
        "not json\n"
        '{"waybill_no": "W2", "brand": "yunda", "occurred_at": "2024-05-01 10:00:00", '
        '"raw_code": 201}\n',
        "utf-8",
    )
    table, numbers, bad = _read(Source(EVENTS, path))
    assert table["waybill_no"].to_pylist() == ["123", "W2"]
    assert table["raw_code"].to_pylist() == [None, "201"]
    assert numbers == [1, 3] and bad == [(2, "json")]


def test_parquet_keeps_its_types(tmp_path: Path) -> None:
    rows = [
        {
            "waybill_no": "W1",
            "brand": "sf",
            "occurred_at": dt.datetime(2024, 5, 1, 2, 0),
            "event": "accepted",
        }
    ]
    table, numbers, _ = _read(Source(EVENTS, write_parquet(tmp_path / "e.parquet", rows)))
    assert pa.types.is_timestamp(table["occurred_at"].type) and numbers == [1]


@pytest.mark.parametrize("streaming", [False, True])
def test_excel_is_read_with_cell_types_turned_into_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streaming: bool
) -> None:
    if streaming:
        monkeypatch.setattr(readers, "EXCEL_STREAM_BYTES", 0)
    rows = [
        {
            **waybill(1),
            "accepted_at": dt.datetime(2024, 5, 1, 9, 30),
            "weight_g": 750,
            "declared_value": 12.5,
            "sender_phone": 13912345678,
            "xray": True,
        },
        {**waybill(2), "sender_name": None},
    ]
    path = write_xlsx(tmp_path / "w.xlsx", rows)
    table, numbers, _ = _read(Source(WAYBILLS, path))
    assert numbers == [1, 2]
    first = table.slice(0, 1).to_pylist()[0]
    assert first["accepted_at"] == "2024-05-01T09:30:00"
    assert first["weight_g"] == "750" and first["declared_value"] == "12.5"
    assert first["sender_phone"] == "13912345678" and first["xray"] == "true"
    assert table["sender_name"].to_pylist()[1] is None
