"""Check characters against published examples and as properties."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from youguan.demo.checks import (
    USCC_CHARSET,
    is_valid_uscc,
    org_code_check_char,
    resident_id_check_char,
    resident_id_check_chars,
    uscc_check_char,
)
from youguan.demo.people import corrupt_ids, make_pool


def test_it_knows_the_published_resident_id_examples() -> None:
    # GB 11643-1999 appendix examples
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"


def test_it_knows_a_published_uscc_example() -> None:
    # the example printed on GB 32100-2015 explanatory material
    assert is_valid_uscc("91350100M000100Y43")
    assert not is_valid_uscc("91350100M000100Y44")


def test_org_code_check_of_a_known_code() -> None:
    # GB 11714 example D2143569-X
    assert org_code_check_char("D2143569") == "X"


@given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17))
def test_any_uscc_body_gets_a_check_that_validates_and_no_other_does(body: str) -> None:
    good = uscc_check_char(body)
    assert is_valid_uscc(body + good)
    assert all(not is_valid_uscc(body + c) for c in USCC_CHARSET if c != good)


@given(st.lists(st.text(alphabet="0123456789", min_size=17, max_size=17), min_size=1, max_size=20))
def test_vectorised_resident_check_equals_scalar(bodies: list[str]) -> None:
    digits = np.array([[int(c) for c in b] for b in bodies])
    assert list(resident_id_check_chars(digits)) == [resident_id_check_char(b) for b in bodies]


def test_pool_ids_are_valid_and_corruption_breaks_them() -> None:
    rng = np.random.default_rng(7)
    pool = make_pool(rng, 500, np.array(["532801"] * 500), 0.3)
    assert all(resident_id_check_char(s[:17]) == s[17] for s in pool.id_no)
    births = [s[6:14] for s in pool.id_no]
    assert all("19550101" <= b <= "20061231" for b in births)
    spoiled = corrupt_ids(rng, pool.id_no, np.arange(500) < 100)
    for s in spoiled[:100]:
        bad_check = resident_id_check_char(s[:17]) != s[17]
        bad_date = s[10:14] in {"0230", "1301", "0431", "0632", "0000"}
        assert bad_check or bad_date
    assert list(spoiled[100:]) == list(pool.id_no[100:])
