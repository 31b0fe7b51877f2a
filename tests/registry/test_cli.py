"""``youguan registry import|export|list``: exit codes, JSON on standard output, reasons on
standard error."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_PII_KEY, TEST_SECRET_KEY
from tests.registry.factories import LOCAL_SF, enterprise
from tests.registry.test_io import FACILITY_HEADER, ROWS, write_csv
from youguan.cli import app
from youguan.registry.io import COLUMNS
from youguan.settings import get_settings

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sqlite_template, home / "youguan.db")
    monkeypatch.setenv("YOUGUAN_HOME", str(home))
    monkeypatch.delenv("YOUGUAN_DATABASE_URL", raising=False)
    monkeypatch.setenv("YOUGUAN_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("YOUGUAN_PII_KEY", TEST_PII_KEY)
    monkeypatch.setenv("YOUGUAN_ENV", "development")
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["registry", *args])
    return result.exit_code, result.stdout, result.stderr


def load_enterprise(tmp_path: Path) -> None:
    header = list(COLUMNS["enterprises"])
    path = write_csv(
        tmp_path / "e.csv", header, [[enterprise().get(c, "") for c in header]], "utf-8"
    )
    assert invoke("import", "enterprises", str(path))[0] == 0


def test_import_reports_rejected_rows_and_exits_zero(home: Path, tmp_path: Path) -> None:
    load_enterprise(tmp_path)
    path = write_csv(tmp_path / "f.csv", FACILITY_HEADER, ROWS, "gb18030")
    code, stdout, _ = invoke("import", "facilities", str(path), "--json")
    assert code == 0
    report = json.loads(stdout)  # the JSON document alone is on standard output
    assert (report["created"], report["rejected"], report["encoding"]) == (2, 10, "gb18030")
    assert report["errors"][0] == {
        "row": 3,
        "field": "opened_on",
        "code": "invalid_date",
        "message": "开办日期：日期应为 YYYY-MM-DD，实为 2021-02-30",
    }


def test_human_output_goes_to_standard_error(home: Path, tmp_path: Path) -> None:
    load_enterprise(tmp_path)
    path = write_csv(tmp_path / "f.csv", FACILITY_HEADER, ROWS, "utf-8")
    code, stdout, stderr = invoke("import", "facilities", str(path))
    assert code == 0 and stdout == ""
    assert "共 12 行，新增 2，更新 0，未变 0，拒绝 10" in stderr
    assert "invalid_date" in stderr


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "文件不存在"), (b"code,colour\nF-1,red\n", "未知的列：colour")],
)
def test_unusable_files_exit_2_with_a_one_line_reason(
    home: Path, tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "f.csv"
    if content is not None:
        path.write_bytes(content)
    code, stdout, stderr = invoke("import", "facilities", str(path), "--json")
    assert code == 2 and stdout == ""
    assert reason in stderr and len(stderr.strip().splitlines()) == 1


def test_export_list_and_reimport(home: Path, tmp_path: Path) -> None:
    load_enterprise(tmp_path)
    path = write_csv(tmp_path / "f.csv", FACILITY_HEADER, ROWS, "utf-8")
    invoke("import", "facilities", str(path))

    out = tmp_path / "export.xlsx"
    code, _, stderr = invoke("export", "facilities", str(out), "--brand", "sf")
    assert code == 0 and "已导出网点与设施 1 条" in stderr
    code, stdout, _ = invoke("import", "facilities", str(out), "--json")
    assert code == 0 and json.loads(stdout)["unchanged"] == 1

    code, stdout, _ = invoke("list", "facilities", "--division", "532823105", "--json")
    listing = json.loads(stdout)
    assert code == 0 and listing["total"] == 2
    assert [i["code"] for i in listing["items"]] == ["F-1", "F-12"]
    assert listing["items"][0]["enterprise_uscc"] == LOCAL_SF

    code, stdout, stderr = invoke("list", "facilities", "--active-on", "2021-02-01")
    assert code == 0 and stdout == "" and "共 0 条，本页没有记录" in stderr

    code, stdout, _ = invoke("list", "enterprises")
    assert code == 0 and "顺丰" in stdout and "分支机构" in stdout


def test_bad_export_arguments_exit_2(home: Path, tmp_path: Path) -> None:
    code, _, stderr = invoke("export", "vehicles", str(tmp_path / "v.json"))
    assert code == 2 and "不支持导出为 .json" in stderr
    code, _, stderr = invoke("list", "vehicles", "--type", "truck")
    assert code == 2 and "只适用于 facilities" in stderr
