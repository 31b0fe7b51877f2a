"""``youguan kpi`` as DESIGN.md "Stable interfaces" states it, ``youguan compute`` and the
``youguan indicators`` commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.indicators.factories import T0, LakeFactory, days, hours
from youguan import cli_support
from youguan.cli import app
from youguan.context import Context
from youguan.indicators.registry import codes

runner = CliRunner()
AS_OF = (T0 + days(30)).isoformat()


@pytest.fixture
def home(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Context:
    """The CLI builds its own context on the same store as ``ctx``."""
    monkeypatch.setattr(cli_support, "get_settings", lambda: ctx.settings)
    lake = LakeFactory(ctx)
    lake.item(brand="sf").delivered(after=hours(72))
    lake.item(brand="sf").delivered(after=hours(73))
    lake.item(brand="zto", direction="inbound", xray=False).delivered(after=hours(20))
    lake.item(brand="zto", scope="international")
    lake.commit()
    return ctx


def _run(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_kpi_json_is_the_documented_document(home: Context) -> None:
    doc = _run(
        "kpi", "--from", "2025-03-01", "--to", "2025-03-31", "--by", "brand,county",
        "--as-of", AS_OF, "--json",
    )  # fmt: skip
    assert list(doc) == ["from", "to", "as_of", "by", "rows"]
    assert (doc["from"], doc["to"], doc["by"]) == ("2025-03-01", "2025-03-31", ["brand", "county"])
    assert doc["as_of"] == "2025-04-02T02:00:00+00:00"
    assert [(r["brand"], r["county"]) for r in doc["rows"]] == [
        ("sf", "532801"),
        ("zto", "532822"),
        ("zto", "532823"),
    ]
    sf = doc["rows"][0]
    assert list(sf)[:4] == ["brand", "county", "items", "pending"]
    assert set(sf) == {"brand", "county", "items", "pending", *codes()}
    assert (sf["items"], sf["pending"], sf["on_time_72h_rate"]) == (2, 0, 0.5)
    assert sf["transit_hours_mean"] == 72.5  # hours
    assert sf["loss_per_100k"] == 0.0  # per 100 000
    zto_menghai = doc["rows"][1]
    assert zto_menghai["xray_rate"] == 0.0 and zto_menghai["e_waybill_rate"] == 1.0
    abroad = doc["rows"][2]
    assert abroad["on_time_72h_rate"] is None and abroad["real_name_rate"] == 1.0
    for row in doc["rows"]:
        for code in codes():
            if code.endswith("_rate") and row[code] is not None:
                assert 0 <= row[code] <= 1


def test_kpi_without_by_is_the_whole_prefecture(home: Context) -> None:
    doc = _run("kpi", "--from", "2025-03-01", "--to", "2025-03-31", "--as-of", AS_OF, "--json")
    assert doc["by"] == [] and len(doc["rows"]) == 1
    assert doc["rows"][0]["items"] == 4


def test_a_naive_as_of_time_is_beijing_time(home: Context) -> None:
    doc = _run(
        "kpi", "--from", "2025-03-01", "--to", "2025-03-31", "--as-of", "2025-03-04T10:00",
        "--json",
    )  # fmt: skip
    assert doc["as_of"] == "2025-03-04T02:00:00+00:00"
    assert doc["rows"][0]["pending"] == 3


def test_kpi_prints_a_table_and_exports(home: Context, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["kpi", "--from", "2025-03-01", "--to", "2025-03-31", "--by", "brand", "--as-of", AS_OF,
         "--out", str(tmp_path / "kpi.xlsx")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "快递服务72小时准时率" in result.stdout and "50.00%" in result.stdout
    wb = load_workbook(tmp_path / "kpi.xlsx")
    sheet = wb["指标"]
    assert sheet["A1"].value == "品牌" and sheet["A2"].value == "顺丰"
    assert sheet["D2"].value == 0.5 and sheet["D2"].number_format == "0.00%"
    assert "口径说明" in wb.sheetnames
    csv_result = runner.invoke(
        app,
        ["kpi", "--from", "2025-03-01", "--to", "2025-03-31", "--as-of", AS_OF, "--json",
         "--out", str(tmp_path / "kpi.csv")],
    )  # fmt: skip
    assert json.loads(csv_result.stdout)["rows"][0]["items"] == 4
    with (tmp_path / "kpi.csv").open(encoding="utf-8-sig") as fh:
        header, row = list(csv.reader(fh))
    assert header[:3] == ["收寄快件数", "待评价快件数", "快递服务72小时准时率"]
    assert row[0] == "4"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2025-3-1", "--to", "2025-03-31"], "--from"),
        (["--from", "2025-03-31", "--to", "2025-03-01"], "早于"),
        (["--from", "2025-03-01", "--to", "2025-03-31", "--by", "colour"], "colour"),
        (["--from", "2025-03-01", "--to", "2025-03-31", "--as-of", "tomorrow"], "--as-of"),
        (["--from", "2025-03-01", "--to", "2025-03-31", "--param", "window=3"], "window"),
        (["--from", "2025-03-01", "--to", "2025-03-31", "--out", "x.pdf"], ".xlsx"),
    ],
)
def test_kpi_refuses_bad_options_with_one_line(
    home: Context, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["kpi", *args])
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_kpi_params_change_the_figures(home: Context) -> None:
    doc = _run(
        "kpi", "--from", "2025-03-01", "--to", "2025-03-31", "--as-of", AS_OF, "--json",
        "--param", "limit_intercity_hours=96",
    )  # fmt: skip
    assert doc["rows"][0]["delay_rate"] == 0.0


def test_compute_then_values_and_drill(home: Context, tmp_path: Path) -> None:
    summary = _run("compute", "--as-of", AS_OF, "--json")
    assert summary["kind"] == "full" and summary["facts"] > 0
    again = _run("compute", "--as-of", AS_OF, "--json")
    assert (again["kind"], again["facts"]) == ("incremental", 0)
    values = _run(
        "indicators", "values", "on_time_72h_rate", "--from", "2025-01-01", "--to", "2025-12-31",
        "--by", "year,brand", "--json",
    )  # fmt: skip
    assert [(f["brand"], f["value"]) for f in values["facts"]] == [("sf", 0.5), ("zto", 1.0)]
    sf = values["facts"][0]["id"]
    drill = _run("indicators", "drill", str(sf), "--json")
    assert drill["total"] == 1 and drill["which"] == "shortfall"
    result = runner.invoke(app, ["indicators", "drill", str(sf), "--out", str(tmp_path / "d.csv")])
    assert result.exit_code == 0 and (tmp_path / "d.csv").exists()
    missing = runner.invoke(app, ["indicators", "drill", "999999"])
    assert missing.exit_code == 2 and "999999" in missing.stderr


def test_definitions_and_parameters_are_listed(home: Context) -> None:
    listed = _run("indicators", "list", "--json")
    assert [d["code"] for d in listed] == codes()
    shown = _run("indicators", "show", "loss_per_100k", "--json")
    assert shown["local_method"] is True and "彻底延误" in shown["text"]
    params = _run("indicators", "params", "--json")
    assert params["window_intercity_days"] == 7
    unknown = runner.invoke(app, ["indicators", "show", "nope"])
    assert unknown.exit_code == 2 and "nope" in unknown.stderr
