from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from youguan.secrets import resolve_keys
from youguan.settings import Settings, SettingsError, get_settings

GOOD = "x" * 40


def test_it_reads_youguan_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("YOUGUAN_HOME", str(tmp_path))
    monkeypatch.setenv("YOUGUAN_ENGINE", "spark")
    monkeypatch.setenv("YOUGUAN_SPARK_MASTER", "local[1]")
    s = Settings()
    assert s.home_dir == tmp_path.resolve()
    assert s.engine == "spark"
    assert s.spark_master == "local[1]"
    assert s.sqlalchemy_url == f"sqlite:///{tmp_path.resolve() / 'youguan.db'}"
    assert s.lake_dir == tmp_path.resolve() / "lake"


def test_it_prefers_an_explicit_database_url() -> None:
    s = Settings(database_url="postgresql+psycopg://u@h/db")
    assert s.sqlalchemy_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("secret", ["changethis", "", "secret", "short-but-not-placeholder"])
def test_it_refuses_placeholder_secrets_in_production(secret: str) -> None:
    with pytest.raises((SettingsError, ValueError), match="YOUGUAN_SECRET_KEY"):
        Settings(env="production", secret_key=secret, pii_key=GOOD)  # type: ignore[arg-type]


def test_it_refuses_missing_secrets_in_production() -> None:
    with pytest.raises((SettingsError, ValueError)):
        Settings(env="production")


def test_it_accepts_real_secrets_in_production() -> None:
    s = Settings(env="production", secret_key=GOOD, pii_key=GOOD + "y")  # type: ignore[arg-type]
    keys = resolve_keys(s)
    assert keys.secret_key == GOOD.encode()
    assert keys.pii_key == (GOOD + "y").encode()


def test_it_generates_development_keys_once_and_keeps_them(tmp_path: Path) -> None:
    s = Settings(home=tmp_path)
    first = resolve_keys(s)
    second = resolve_keys(Settings(home=tmp_path))
    assert first == second
    assert len(first.pii_key) >= 32
    secrets_file = tmp_path / "secrets.json"
    assert secrets_file.stat().st_mode & 0o777 == 0o600


def test_get_settings_is_cached() -> None:
    get_settings.cache_clear()
    assert get_settings() is get_settings()
    get_settings.cache_clear()


def test_importing_the_package_creates_no_engine_or_file(tmp_path: Path) -> None:
    code = (
        "import os, youguan.cli, youguan.web.app, youguan.models, youguan.context;"
        "print(sorted(os.listdir('.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"YOUGUAN_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "[]"
    assert not (tmp_path / "home").exists()
