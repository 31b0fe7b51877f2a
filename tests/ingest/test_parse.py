from __future__ import annotations

import datetime as dt

import pyarrow as pa

from youguan.ingest.parse import (
    parse_bool,
    parse_float,
    parse_int,
    parse_month,
    parse_timestamp,
)

UTC = dt.UTC


def test_booleans_accept_the_documented_words() -> None:
    got = parse_bool(pa.array(["true", "FALSE", "1", "0", "是", "否", " True ", "", None, "maybe"]))
    assert got.values.to_pylist()[:7] == [True, False, True, False, True, False, True]
    assert got.values.to_pylist()[7:9] == [None, None]
    assert got.bad is not None
    assert got.bad.to_pylist() == [False] * 9 + [True]


def test_integers_and_numbers() -> None:
    ints = parse_int(pa.array(["12", " -3 ", "4.0", "4.5", "x", None]))
    assert ints.values.to_pylist() == [12, -3, 4, None, None, None]
    assert ints.bad is not None
    assert ints.bad.to_pylist() == [False, False, False, True, True, False]
    nums = parse_float(pa.array(["1.5", "2", ".5", "1e3", "1,5"]))
    assert nums.values.to_pylist() == [1.5, 2.0, 0.5, 1000.0, None]
    assert nums.bad is not None and nums.bad.to_pylist() == [False] * 4 + [True]


def test_timestamps_naive_are_beijing_time_and_offsets_are_honoured() -> None:
    got = parse_timestamp(
        pa.array(
            [
                "2024-03-01 08:30:00",
                "2024-03-01T08:30",
                "2024-03-01T00:30:00Z",
                "2024-03-01T08:30:00+08:00",
                "2024-03-01T09:30:00.250+0900",
                "2024-02-30 10:00:00",  # impossible date
                "2024/03/01 08:30",  # not ISO 8601
                "2024-03-01",  # no time
                None,
            ]
        )
    )
    expected = dt.datetime(2024, 3, 1, 0, 30, tzinfo=UTC)
    values = got.values.to_pylist()
    assert values[:4] == [expected] * 4
    assert values[4] == expected + dt.timedelta(milliseconds=250)
    assert values[5:] == [None] * 4
    assert got.bad is not None
    assert got.bad.to_pylist() == [False] * 5 + [True] * 3 + [False]


def test_one_impossible_date_among_many_is_isolated() -> None:
    texts = ["2024-03-01 08:30:00"] * 1000
    texts[637] = "2024-13-01 08:30:00"
    texts[900] = "2023-02-29T08:30:00+08:00"
    texts[901] = "2024-02-29T24:00:00+08:00"
    texts[902] = "2024-02-29T23:59:59+08:00"  # a real leap day
    got = parse_timestamp(pa.array(texts))
    assert got.bad is not None
    assert [i for i, e in enumerate(got.bad.to_pylist()) if e] == [637, 900, 901]


def test_typed_timestamps_from_parquet() -> None:
    naive = pa.array([dt.datetime(2024, 3, 1, 8, 30)], pa.timestamp("ms"))
    assert parse_timestamp(naive).values.to_pylist() == [dt.datetime(2024, 3, 1, 0, 30, tzinfo=UTC)]
    aware = pa.array([dt.datetime(2024, 3, 1, 8, 30, tzinfo=UTC)], pa.timestamp("s", "UTC"))
    assert parse_timestamp(aware).values.to_pylist() == [dt.datetime(2024, 3, 1, 8, 30, tzinfo=UTC)]


def test_months() -> None:
    got = parse_month(pa.array(["2024-03", "202403", "2024-03-01", "2024-3", "2024-13", None]))
    assert got.values.to_pylist() == ["2024-03", "2024-03", "2024-03", None, None, None]
    assert got.bad is not None
    assert got.bad.to_pylist() == [False, False, False, True, True, False]
