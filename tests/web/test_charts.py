"""Chart options (pure): a small series beside a large one gets an axis of its own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from youguan.web import charts

MONTHS = ["2026-01", "2026-02", "2026-03"]


def test_a_rate_far_below_the_others_is_drawn_on_a_right_axis() -> None:
    series = {"准时率": [92.1, 93.4, None], "延误率": [0.4, 0.3, 0.35]}
    assert charts.small_beside(series) == ["延误率"]
    option = charts.line(MONTHS, series, unit="%", right=["延误率"])
    assert isinstance(option["yAxis"], list) and len(option["yAxis"]) == 2
    by_name = {s["name"]: s for s in option["series"]}
    assert by_name["延误率"]["yAxisIndex"] == 1 and "yAxisIndex" not in by_name["准时率"]


def test_series_of_one_scale_share_one_axis() -> None:
    series = {"实名收寄率": [98.8, 98.9, 99.0], "过机安检率": [98.1, 98.4, 98.6]}
    assert charts.small_beside(series) == []
    assert isinstance(charts.line(MONTHS, series, unit="%")["yAxis"], dict)
    assert charts.small_beside({"准时率": [None, None, None], "延误率": [0.4, 0.3, 0.2]}) == []


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.lists(st.floats(0, 100)), max_size=4))
def test_the_largest_series_is_never_moved(series: dict[str, list[float]]) -> None:
    moved = charts.small_beside(series)
    peaks = {n: max(v) for n, v in series.items() if v}
    if peaks:
        assert max(peaks, key=lambda n: peaks[n]) not in moved
    assert set(moved) <= set(peaks)
