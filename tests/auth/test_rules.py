"""Pure rules: scope validation and the scope filter (USCC checks: tests/registry)."""

from __future__ import annotations

from youguan.auth.actor import Actor, Role
from youguan.auth.rules import scope_problems
from youguan.auth.scope import (
    DENIED,
    ScopeSpec,
    restrict_table,
    scope_filter,
    violations,
    visible,
)

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


SHARED = ScopeSpec(brand="brand", county="division", entity="entity", shared=True)


class Row:
    __scope__ = SHARED

    def __init__(self, brand: str | None, division: str, entity: str | None = None) -> None:
        self.brand, self.division, self.entity = brand, division, entity


def test_rows_without_a_brand_of_a_shared_model_are_seen_by_every_enterprise() -> None:
    firm = Actor("dave", Role.ENTERPRISE, user_id=4, brand="sf")
    f = scope_filter(firm, SHARED)
    assert (f.brand, f.unbranded) == ("sf", True)
    assert not scope_filter(firm, SHARED, "change").unbranded  # seen, not changed
    public, own, other = Row(None, "532823"), Row("sf", "532801"), Row("zto", "532822")
    assert [visible(r, firm) for r in (public, own, other)] == [True, True, False]
    assert violations(other, firm) == ["brand"]
    assert violations(public, firm, "change") == ["brand"]
    # an account limited to one legal entity: its own entity's rows and the public ones
    narrow = Actor("dave", Role.ENTERPRISE, user_id=4, brand="sf", entity_uscc="X")
    assert visible(Row("sf", "532801", "X"), narrow) and visible(public, narrow)
    assert violations(Row("sf", "532801", "Y"), narrow) == ["entity"]
    # a model that shares nothing keeps unbranded rows from enterprises
    closed = ScopeSpec(brand="brand", county="division")
    assert not scope_filter(firm, closed).unbranded
    assert violations(public, firm, spec=closed) == ["brand"]


def test_county_and_brand_violations_name_the_column() -> None:
    carol = Actor("carol", Role.REGULATOR, user_id=3, county_code="532801")
    assert violations(Row("zto", "532822101"), carol, "change") == ["division"]
    assert violations(Row("zto", "532801101"), carol, "change") == []
    assert violations(Row("zto", "532801"), Actor.anonymous()) == [DENIED]
    assert visible(Row(None, "532801"), Actor("bob", Role.REGULATOR, user_id=2))


def test_the_lake_filter_applies_the_same_rules() -> None:
    import ibis

    table = ibis.memtable(
        {
            "brand": ["sf", None, "zto", "sf"],
            "division": ["532801001", "532823105", "532822101", "532822101"],
            "entity": ["X", None, "Z", "Y"],
        }
    )

    def rows(actor: Actor, spec: ScopeSpec = SHARED) -> list[tuple[str | None, str]]:
        out = (
            restrict_table(table, actor, spec)
            .order_by(["division", "brand"])
            .to_pyarrow()
            .to_pylist()
        )
        return [(r["brand"], r["division"]) for r in out]

    dave = Actor("dave", Role.ENTERPRISE, user_id=4, brand="sf")
    assert rows(dave) == [("sf", "532801001"), ("sf", "532822101"), (None, "532823105")]
    assert rows(dave, ScopeSpec(brand="brand")) == [("sf", "532801001"), ("sf", "532822101")]
    narrow = Actor("dave", Role.ENTERPRISE, user_id=4, brand="sf", entity_uscc="X")
    assert rows(narrow) == [("sf", "532801001"), (None, "532823105")]
    carol = Actor("carol", Role.REGULATOR, user_id=3, county_code="532822")
    assert rows(carol) == [("sf", "532822101"), ("zto", "532822101")]
