"""Pure rules: the USCC check character, scope validation, the scope filter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from youguan.auth.actor import Actor, Role
from youguan.auth.rules import USCC_ALPHABET, is_valid_uscc, scope_problems, uscc_check_char
from youguan.auth.scope import ScopeSpec, scope_filter

first17 = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


def test_published_usccs_validate() -> None:
    # the example code printed in explanations of GB 32100-2015, and two registered companies
    for code in ("91350100M000100Y43", "91110000710935732K", "91440300708461136T"):
        assert is_valid_uscc(code), code
        assert uscc_check_char(code[:17]) == code[17]
    assert not is_valid_uscc("91350100M000100Y44")


@given(first17)
def test_a_computed_check_character_always_validates(body: str) -> None:
    assert is_valid_uscc(body + uscc_check_char(body))


@given(first17, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_ALPHABET))
def test_any_single_substitution_is_detected(body: str, position: int, char: str) -> None:
    code = body + uscc_check_char(body)
    changed = code[:position] + char + code[position + 1 :]
    assert is_valid_uscc(changed) is (changed == code)


def test_malformed_usccs_are_refused() -> None:
    assert not is_valid_uscc("")
    assert not is_valid_uscc("9153" * 5)
    assert not is_valid_uscc("I" * 18)  # I is not in the alphabet


COUNTIES = {"532801", "532822", "532823"}
BRANDS = {"sf", "zto"}


def test_scope_fits_the_role() -> None:
    def p(role: Role, county: str | None = None, brand: str | None = None) -> dict[str, str]:
        return scope_problems(role, county, brand, None, counties=COUNTIES, brand_codes=BRANDS)

    assert p(Role.REGULATOR) == {} and p(Role.REGULATOR, "532801") == {}
    assert "county_code" in p(Role.REGULATOR, "530102")
    assert "county_code" in p(Role.ADMIN, "532801")
    assert p(Role.ENTERPRISE, brand="sf") == {}
    assert p(Role.ENTERPRISE)["brand"] == "企业账号必须指定品牌"
    assert "brand" in p(Role.ENTERPRISE, brand="xx")
    assert "brand" in p(Role.REGULATOR, brand="sf")
    assert "role" in p(Role.PUBLIC)


SPEC = ScopeSpec(brand="brand", county="county", entity="entity", public="published")


def test_the_scope_filter_reads_as_the_rules() -> None:
    admin = Actor("alice", Role.ADMIN, user_id=1)
    county = Actor("carol", Role.REGULATOR, user_id=3, county_code="532801")
    firm = Actor("dave", Role.ENTERPRISE, user_id=4, brand="sf", entity_uscc="X")
    assert scope_filter(admin, SPEC).unrestricted
    assert scope_filter(county, SPEC).county_prefix == "532801"
    f = scope_filter(firm, SPEC)
    assert (f.brand, f.entity, f.county_prefix) == ("sf", "X", None)
    assert scope_filter(Actor.anonymous(), SPEC).public_only
    assert scope_filter(Actor.anonymous(), SPEC, "change").deny
    assert scope_filter(firm, ScopeSpec(county="county")).deny  # no brand column: closed
    assert scope_filter(firm, ScopeSpec(county="c", shared=True)).unrestricted
    assert scope_filter(Actor.anonymous(), ScopeSpec(shared=True)).deny  # shared ≠ public
    assert scope_filter(Actor.system(), SPEC).unrestricted
