"""Pure rules: USCC check characters (GB 32100-2015), plates, the 20-day filing rule, open days."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.registry.factories import REAL_CODES
from youguan.registry import rules
from youguan.registry.rules import (
    USCC_CHARSET,
    filed_within_deadline,
    is_open,
    is_valid_uscc,
    normalise_plate,
    plate_problem,
    uscc_check_char,
    uscc_problem,
)

bodies = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)


def test_weights_are_the_powers_of_three_of_the_standard() -> None:
    assert rules.USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", REAL_CODES)
def test_it_accepts_real_published_codes(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert is_valid_uscc(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("914403001922038217", "uscc_check"),  # Huawei, last character changed
        ("9144030071526726XH", "uscc_check"),  # Tencent, check G → H
        ("914403001922308216", "uscc_check"),  # Huawei, two body digits swapped
        ("91440300192203821", "uscc_length"),
        ("9144030019220382166", "uscc_length"),
        ("91440300I922038216", "uscc_charset"),  # I is not used
        ("91350100M0001TGQXM", "uscc_check"),  # an early Fujian pilot code outside the standard
    ],
)
def test_it_rejects_corrupted_codes_with_the_reason(code: str, reason: str) -> None:
    problem = uscc_problem(code)
    assert problem is not None and problem[0] == reason
    assert not is_valid_uscc(code)


def test_the_message_names_the_expected_check_character() -> None:
    assert uscc_problem("914403001922038217") == (
        "uscc_check",
        "校验位错误：第18位应为 6，实为 7",
    )


def test_codes_are_normalised_before_checking() -> None:
    assert is_valid_uscc(" 9144030071526726xg ")
    assert is_valid_uscc("91440300 7152 6726XG")


@given(bodies)
def test_any_body_with_its_check_character_is_valid(body: str) -> None:
    assert is_valid_uscc(body + uscc_check_char(body))


@given(bodies, st.integers(0, 17), st.integers(1, 30))
def test_any_single_character_change_is_detected(body: str, pos: int, shift: int) -> None:
    code = body + uscc_check_char(body)
    new_char = USCC_CHARSET[(USCC_CHARSET.index(code[pos]) + shift) % 31]
    changed = code[:pos] + new_char + code[pos + 1 :]
    assert changed != code
    assert not is_valid_uscc(changed)


@given(bodies, st.integers(0, 15))
def test_any_swap_of_two_different_adjacent_body_characters_is_detected(
    body: str, pos: int
) -> None:
    code = body + uscc_check_char(body)
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2 :]
    assert is_valid_uscc(swapped) == (swapped == code)


@pytest.mark.parametrize("bad", ["", "9144", "I" * 17])
def test_check_char_refuses_bad_bodies(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)


@pytest.mark.parametrize(
    ("raw", "plate"),
    [
        ("云K12345", "云K12345"),
        ("云k·D12345", "云KD12345"),
        (" 云K 1234挂", "云K1234挂"),
        ("云KF-1234A", "云KF1234A"),
    ],
)
def test_plates_are_normalised_and_accepted(raw: str, plate: str) -> None:
    assert normalise_plate(raw) == plate
    assert plate_problem(plate) is None


@pytest.mark.parametrize("bad", ["K12345", "云K1234", "云K123456789", "云KO1234", "X云12345"])
def test_malformed_plates_are_refused(bad: str) -> None:
    assert plate_problem(normalise_plate(bad)) == (
        "invalid_plate",
        "号牌格式不正确（如 云K12345 或新能源 云KD12345）",
    )


OPEN = dt.date(2021, 3, 1)


@pytest.mark.parametrize(
    ("type_", "filed", "as_of", "expected"),
    [
        ("last_mile_outlet", dt.date(2021, 3, 21), dt.date(2022, 1, 1), True),  # day 20
        ("last_mile_outlet", dt.date(2021, 3, 22), dt.date(2022, 1, 1), False),  # day 21
        ("last_mile_outlet", dt.date(2021, 2, 20), dt.date(2022, 1, 1), True),  # before opening
        ("last_mile_outlet", None, dt.date(2021, 3, 21), None),  # not yet due
        ("last_mile_outlet", None, dt.date(2021, 3, 22), False),  # overdue
        ("express_outlet", None, dt.date(2021, 6, 1), False),
        ("parcel_locker", None, dt.date(2021, 6, 1), None),  # rule does not apply
        ("parcel_locker", dt.date(2021, 5, 1), dt.date(2021, 6, 1), False),  # filed, late
    ],
)
def test_filing_within_twenty_days(
    type_: str, filed: dt.date | None, as_of: dt.date, expected: bool | None
) -> None:
    assert filed_within_deadline(type_, OPEN, filed, as_of=as_of) is expected


def test_a_facility_is_open_from_its_opening_day_until_the_day_before_closing() -> None:
    closed = dt.date(2022, 1, 1)
    assert not is_open(OPEN, None, OPEN - dt.timedelta(days=1))
    assert is_open(OPEN, None, OPEN)
    assert is_open(OPEN, closed, dt.date(2021, 12, 31))
    assert not is_open(OPEN, closed, closed)
    assert not is_open(None, None, OPEN)
