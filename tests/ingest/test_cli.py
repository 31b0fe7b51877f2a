from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_PII_KEY, TEST_SECRET_KEY
from tests.ingest.factories import event, waybill, write_csv, write_jsonl
from youguan import cli_support
from youguan.cli import app
from youguan.settings import get_settings

Invoke = Callable[..., tuple[int, str, str]]
STABLE_KEYS = {
    "dataset",
    "batch_id",
    "rows",
    "accepted",
    "rejected",
    "duplicates",
    "errors",
    "quarantine",
}


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    monkeypatch.setenv("YOUGUAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("YOUGUAN_PII_KEY", TEST_PII_KEY)
    monkeypatch.setenv("YOUGUAN_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setattr(cli_support, "configure", lambda **_: None)  # no global log handlers
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, result.stdout, result.stderr

    assert invoke("init")[0] == 0
    yield invoke
    get_settings.cache_clear()


def test_ingest_json_is_the_stable_document_alone_on_stdout(run: Invoke, tmp_path: Path) -> None:
    rows = [event(i) for i in range(6)] + [event(9, event="bogus", raw_code="", raw_text="")]
    code, out, err = run("ingest", "events", str(write_csv(tmp_path / "e.csv", rows)), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) >= STABLE_KEYS
    assert (doc["dataset"], doc["rows"], doc["accepted"], doc["rejected"], doc["duplicates"]) == (
        "events",
        7,
        6,
        1,
        0,
    )
    assert doc["errors"] == [
        {"row": 7, "field": "event", "code": "not_allowed", "message": doc["errors"][0]["message"]}
    ]
    assert Path(doc["quarantine"]).is_file()
    code, out, _ = run("ingest", "events", str(tmp_path / "e.csv"), "--json")
    assert code == 0 and json.loads(out)["duplicates"] == 6

    code, out, _ = run("ingest", "show", doc["batch_id"], "--json")
    assert code == 0 and json.loads(out)["id"] == doc["batch_id"]
    code, out, _ = run("ingest", "quarantine", doc["batch_id"], "--json")
    assert code == 0 and [r["row"] for r in json.loads(out)] == [7]
    code, out, _ = run("ingest", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    code, out, _ = run("ingest", "unmapped", "--json")
    assert code == 0 and json.loads(out) == []


def test_nothing_committed_exits_2_with_the_report(run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("waybill_no,brand,colour\nW1,yunda,red\n", "utf-8")
    code, out, _ = run("ingest", "events", str(path), "--json")
    assert code == 2
    doc = json.loads(out)
    assert doc["status"] == "refused" and doc["refusal"]["code"] == "unknown_columns"
    code, out, err = run("ingest", "events", str(path))
    assert code == 2 and out == "" and "colour" in err


def test_brand_option_jsonl_correction_and_unmask(run: Invoke, tmp_path: Path) -> None:
    rows = [{k: v for k, v in waybill(i).items() if k != "brand"} for i in range(3)]
    code, out, err = run(
        "ingest",
        "waybills",
        str(write_jsonl(tmp_path / "w.jsonl", rows)),
        "--brand",
        "yunda",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["accepted"] == 3
    fixed = write_csv(tmp_path / "fix.csv", [waybill(1, weight_g="42")])
    code, out, _ = run("ingest", "waybills", str(fixed), "--correct", "--json")
    assert code == 0 and json.loads(out)["corrected"] == 1
    code, out, _ = run(
        "ingest",
        "unmask",
        "yunda",
        waybill(1)["waybill_no"],
        "sender_phone",
        "--reason",
        "申诉核实",
    )
    assert code == 0 and out.strip() == waybill(1)["sender_phone"]


def test_lake_check_and_compact(run: Invoke, tmp_path: Path) -> None:
    for i in range(3):
        path = write_csv(tmp_path / f"e{i}.csv", [event(j) for j in range(i * 5, i * 5 + 5)])
        assert run("ingest", "events", str(path), "--json")[0] == 0
    code, out, _ = run("lake", "compact", "--json")
    assert code == 0
    [part] = json.loads(out)["partitions"]
    assert (part["files_before"], part["files_after"], part["rows"]) == (3, 1, 15)
    code, out, _ = run("lake", "check", "--json")
    assert code == 0 and json.loads(out)["clean"] is True
