"""Parameters: DOMAIN defaults, overrides from indicators.toml and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from youguan.indicators.parameters import (
    ParameterError,
    Parameters,
    load_parameters,
    parse_assignments,
)


def test_defaults_are_domains() -> None:
    p = Parameters()
    assert (p.limit_same_city_hours, p.limit_intercity_hours) == (24, 72)
    assert (p.window_same_city_days, p.window_intercity_days) == (3, 7)
    assert "other" not in p.accepted_id_types
    assert p.xray_required_transports == ("air", "rail")


def test_the_file_then_the_overrides_win(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    (tmp_path / "indicators.toml").write_text(
        '[parameters]\nwindow_intercity_days = 10\naccepted_id_types = ["resident_id"]\n',
        encoding="utf-8",
    )
    p = load_parameters(settings, {"window_same_city_days": "2"})
    assert (p.window_intercity_days, p.window_same_city_days) == (10, 2)
    assert p.accepted_id_types == ("resident_id",)
    assert p.fingerprint() != Parameters().fingerprint()
    assert load_parameters(make_settings(tmp_path / "elsewhere")) == Parameters()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"window": 3}, "未知参数"),
        ({"window_intercity_days": "seven"}, "整数"),
        ({"window_intercity_days": 0}, "正整数"),
        ({"accepted_id_types": ["passport"]}, "未知证件类型"),
        ({"xray_required_transports": "air,bus"}, "未知运输方式"),
    ],
)
def test_bad_overrides_name_the_parameter(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Parameters().replace(**changes)


def test_a_broken_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "indicators.toml").write_text("[parameters\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="TOML"):
        load_parameters(make_settings(tmp_path))


def test_command_line_assignments() -> None:
    assert parse_assignments(["a=1", " b = x,y "]) == {"a": "1", "b": "x,y"}
    with pytest.raises(ParameterError):
        parse_assignments(["a"])
