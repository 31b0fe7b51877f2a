"""Pure rules: scope validation and the scope filter (USCC checks: tests/registry)."""

from __future__ import annotations

from youguan.auth.actor import Actor, Role
from youguan.auth.rules import scope_problems
from youguan.auth.scope import ScopeSpec, scope_filter

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
