"""Filtered listing of enterprises, facilities and vehicles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.registry.factories import (
    ALICE,
    LOCAL_SF,
    LOCAL_ZTO,
    MENGHAI,
    enterprise,
    network,
    vehicle,
)
from youguan.context import Context
from youguan.registry import service
from youguan.registry.service import (
    EnterpriseFilter,
    FacilityFilter,
    VehicleFilter,
    list_enterprises,
    list_facilities,
    list_vehicles,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def loaded(ctx: Context) -> Context:
    with ctx.transaction() as s:
        for data in network():
            service.create_facility(s, ALICE, data)
        service.create_enterprise(s, ALICE, enterprise())
        service.create_enterprise(
            s,
            ALICE,
            enterprise(
                uscc=LOCAL_ZTO,
                name="勐海中通快递有限公司",
                brand="zto",
                kind="legal_entity",
                parent_uscc=None,
                county_code=MENGHAI,
            ),
        )
        service.create_vehicle(s, ALICE, vehicle())
        service.create_vehicle(
            s, ALICE, vehicle(plate="云KD00001", new_energy=True, vehicle_type="van")
        )
        service.create_vehicle(
            s,
            ALICE,
            vehicle(plate="云K00002", brand="zto", enterprise_uscc=LOCAL_ZTO, county_code=MENGHAI),
        )
    return ctx


def codes(ctx: Context, **kw: Any) -> list[str]:
    with ctx.read() as s:
        return [f.code for f in list_facilities(s, FacilityFilter(**kw)).items]


def test_facilities_by_brand_type_and_status(loaded: Context) -> None:
    assert codes(loaded) == ["E1", "E2", "E3", "K1", "L1", "P1", "S1", "S2", "V1", "V2"]
    assert codes(loaded, brand="zto") == ["E2", "E3", "S2"]
    assert codes(loaded, type="sorting_center") == ["S1", "S2"]
    assert codes(loaded, status="closed") == ["L1", "S2"]
    assert codes(loaded, brand="zto", type="express_outlet") == ["E2", "E3"]
    assert codes(loaded, standardized=True) == ["E1", "P1"]


def test_facilities_by_division_prefix(loaded: Context) -> None:
    assert codes(loaded, division="532822") == ["E2", "S2"]  # county
    assert codes(loaded, division="532801103") == ["E1", "V1", "V2"]  # township
    assert codes(loaded, division="532801103201") == ["E1", "V2"]  # village


def test_facilities_active_on_a_date(loaded: Context) -> None:
    assert codes(loaded, active_on=dt.date(2020, 1, 1)) == ["E2", "E3", "P1", "S1"]
    assert codes(loaded, active_on=dt.date(2023, 1, 1)) == [
        "E1",
        "E2",
        "E3",
        "K1",
        "P1",
        "S1",
        "V1",
        "V2",
    ]


def test_facilities_filed_late(loaded: Context) -> None:
    # E2 filed on day 29; E1 and L1 never filed, long past the deadline; E3 filed on day 9;
    # the rule does not apply to the other types
    assert codes(loaded, filed_late=True) == ["E1", "E2", "L1"]
    assert "E3" in codes(loaded, filed_late=False) and "E2" not in codes(loaded, filed_late=False)


def test_text_search_and_pagination(loaded: Context) -> None:
    assert codes(loaded, q="sorting") == ["S1", "S2"]
    assert codes(loaded, q="v2") == ["V2"]  # case-insensitive, in the code
    assert codes(loaded, q="100%") == []  # LIKE wildcards are escaped
    with loaded.read() as s:
        page = list_facilities(s, FacilityFilter(limit=3, offset=3))
    assert [f.code for f in page.items] == ["K1", "L1", "P1"]
    assert (page.total, page.limit, page.offset) == (10, 3, 3)


def test_enterprise_filters(loaded: Context) -> None:
    with loaded.read() as s:

        def keys(**kw: Any) -> list[str]:
            return [e.uscc for e in list_enterprises(s, EnterpriseFilter(**kw)).items]

        assert sorted(keys()) == sorted([LOCAL_SF, LOCAL_ZTO])
        assert keys(kind="branch") == [LOCAL_SF]
        assert keys(county="532822") == [LOCAL_ZTO]
        assert keys(q="中通") == [LOCAL_ZTO]
        assert keys(brand="sf", status="active") == [LOCAL_SF]


def test_vehicle_filters(loaded: Context) -> None:
    with loaded.read() as s:

        def plates(**kw: Any) -> list[str]:
            return [v.plate for v in list_vehicles(s, VehicleFilter(**kw)).items]

        assert plates() == ["云K00002", "云K12345", "云KD00001"]
        assert plates(new_energy=True) == ["云KD00001"]
        assert plates(vehicle_type="truck", brand="sf") == ["云K12345"]
        assert plates(county=MENGHAI) == ["云K00002"]
        assert plates(enterprise_uscc=LOCAL_ZTO) == ["云K00002"]
        assert plates(q="kd") == ["云KD00001"]
