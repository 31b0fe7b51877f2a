"""``youguan user …`` and ``youguan apikey …``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_PII_KEY, TEST_SECRET_KEY
from youguan.cli import app
from youguan.settings import get_settings


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path):  # type: ignore[no-untyped-def]
    import shutil

    shutil.copy(sqlite_template, tmp_path / "youguan.db")
    monkeypatch.setenv("YOUGUAN_HOME", str(tmp_path))
    monkeypatch.setenv("YOUGUAN_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("YOUGUAN_PII_KEY", TEST_PII_KEY)
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str) -> object:
        return runner.invoke(app, list(args), catch_exceptions=False)

    yield invoke
    get_settings.cache_clear()


def test_user_add_list_disable(run) -> None:  # type: ignore[no-untyped-def]
    added = run(
        "user",
        "add",
        "carol",
        "--role",
        "regulator",
        "--name",
        "卡萝",
        "--county",
        "532801",
        "--json",
    )
    assert added.exit_code == 0, added.output
    doc = json.loads(added.stdout)
    assert doc["user"]["scope_label"] == "景洪市" and len(doc["password"]) >= 10
    listed = json.loads(run("user", "list", "--json").stdout)
    assert [u["username"] for u in listed["items"]] == ["carol"]
    assert run("user", "disable", "carol").exit_code == 0
    listed = json.loads(run("user", "list", "--json").stdout)
    assert listed["items"][0]["status"] == "disabled"


def test_user_add_refuses_a_bad_scope_with_a_reason(run) -> None:  # type: ignore[no-untyped-def]
    result = run("user", "add", "dave", "--role", "enterprise", "--name", "戴夫")
    assert result.exit_code == 2 and "企业账号必须指定品牌" in result.output


def test_apikey_create_list_revoke(run) -> None:  # type: ignore[no-untyped-def]
    created = json.loads(
        run("apikey", "create", "--brand", "sf", "--name", "运单", "--json").stdout
    )
    assert created["secret"].startswith("yg_")
    prefix = created["key"]["prefix"]
    listed = json.loads(run("apikey", "list", "--brand", "sf", "--json").stdout)
    assert [k["prefix"] for k in listed["items"]] == [prefix]
    assert json.loads(run("apikey", "list", "--brand", "zto", "--json").stdout)["items"] == []
    assert run("apikey", "revoke", prefix).exit_code == 0
    listed = json.loads(run("apikey", "list", "--json").stdout)
    assert listed["items"][0]["status"] == "revoked"
    assert run("apikey", "revoke", "nope").exit_code == 2
