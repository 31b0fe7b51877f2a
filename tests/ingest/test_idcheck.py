from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from youguan.ingest.idcheck import check_char, is_valid_id, valid_id_mask

TODAY = dt.date(2025, 6, 1)


def _with_check(first17: str) -> str:
    return first17 + check_char(first17)


def test_the_standard_example_number_is_valid() -> None:
    # GB 11643-1999 appendix example: 11010519491231002X
    assert check_char("11010519491231002") == "X"
    assert is_valid_id("11010519491231002X", today=TODAY)
    assert is_valid_id(" 11010519491231002x ", today=TODAY)


def test_each_rule_rejects() -> None:
    good = _with_check("53280119900101123")
    assert is_valid_id(good, today=TODAY)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert not is_valid_id(wrong_check, today=TODAY)
    assert not is_valid_id(_with_check("53280119900230123"), today=TODAY)  # 30 February
    assert not is_valid_id(_with_check("53280120300101123"), today=TODAY)  # born in the future
    assert not is_valid_id(_with_check("53280118990101123"), today=TODAY)  # before 1900
    assert not is_valid_id(_with_check("99280119900101123"), today=TODAY)  # no province 99
    assert not is_valid_id("5328011990010112", today=TODAY)  # too short
    assert not is_valid_id("532801199001011X3", today=TODAY)


def test_fifteen_digit_numbers_only_behind_the_flag() -> None:
    old = "110105491231002"
    assert not is_valid_id(old, today=TODAY)
    assert is_valid_id(old, today=TODAY, allow_15=True)
    assert not is_valid_id("110105491331002", today=TODAY, allow_15=True)  # month 13


def test_the_column_check_agrees_and_keeps_nulls() -> None:
    values = ["11010519491231002X", "110105194912310021", None, "abc", "110105491231002", ""]
    assert valid_id_mask(pa.array(values), today=TODAY).to_pylist() == [
        True,
        False,
        None,
        False,
        False,
        False,
    ]
    assert valid_id_mask(pa.array(values), today=TODAY, allow_15=True).to_pylist()[4] is True


id_like = st.one_of(
    st.builds(
        lambda p, y, m, d, s: f"{p}0102{y:04d}{m:02d}{d:02d}{s:03d}",
        st.sampled_from(["11", "53", "99", "00"]),
        st.integers(1890, 2030),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 999),
    ).flatmap(lambda s17: st.sampled_from([s17 + check_char(s17), s17 + "X", s17 + "0"])),
    st.text(alphabet="0123456789Xx ", min_size=0, max_size=20),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), id_like), max_size=30), st.booleans())
def test_vectorised_check_equals_the_reference(values: list[str | None], allow_15: bool) -> None:
    got = valid_id_mask(pa.array(values, pa.string()), today=TODAY, allow_15=allow_15).to_pylist()
    want = [None if v is None else is_valid_id(v, today=TODAY, allow_15=allow_15) for v in values]
    assert got == want


def test_birth_dates_must_exist() -> None:
    for first17 in ("11010219000229000", "11010220230229000", "11010220230431000"):
        number = first17 + check_char(first17)
        assert not is_valid_id(number, today=TODAY)
        assert valid_id_mask(pa.array([number]), today=TODAY).to_pylist() == [False]
    leap = "11010220240229000"
    assert valid_id_mask(pa.array([leap + check_char(leap)]), today=TODAY).to_pylist() == [True]
