"""Scope in the registry services, told with the web personas: alice (州局 admin) and bob (州局
regulator) see everything; carol keeps 景洪's register; dave (顺丰) and erin (中通) see their own
brand's records and the public facilities, and keep no register at all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.registry.factories import (
    LOCAL_SF,
    SEED_FACILITIES,
    facility,
    seed_registry,
)
from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import REGISTRY_WRITE
from youguan.context import Context
from youguan.registry import aggregates, io, queries, service
from youguan.registry.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.postgres

ALICE = Actor("alice", Role.ADMIN, user_id=1)
BOB = Actor("bob", Role.REGULATOR, user_id=2)
CAROL = Actor("carol", Role.REGULATOR, user_id=3, county_code="532801")
DAVE = Actor("dave", Role.ENTERPRISE, user_id=4, brand="sf")
ERIN = Actor("erin", Role.ENTERPRISE, user_id=5, brand="zto")
DAVE_WRITER = Actor(
    "dave", Role.ENTERPRISE, user_id=4, brand="sf", grants=frozenset({REGISTRY_WRITE})
)
ANON = Actor.anonymous()
TODAY = dt.date(2025, 1, 1)


@pytest.fixture
def seeded(ctx: Context) -> Context:
    seed_registry(ctx)
    return ctx


def codes(ctx: Context, actor: Actor) -> list[str]:
    with ctx.read() as s:
        return [f.code for f in queries.list_facilities(s, actor=actor).items]


def test_each_persona_lists_the_facilities_of_its_scope(seeded: Context) -> None:
    everything = sorted(SEED_FACILITIES[k]["code"] for k in SEED_FACILITIES)
    assert codes(seeded, ALICE) == codes(seeded, BOB) == everything
    assert codes(seeded, CAROL) == ["PO-JH-01", "SF-JH-01"]  # 景洪 only
    assert codes(seeded, DAVE) == ["SF-JH-01", "SF-ML-01", "VP-ML-01"]  # sf and the public point
    assert codes(seeded, ERIN) == ["VP-ML-01", "ZTO-MH-01"]
    assert codes(seeded, ANON) == []
    with seeded.read() as s:
        assert [e.brand for e in queries.list_enterprises(s, actor=DAVE).items] == ["sf"]
        assert [v.plate for v in queries.list_vehicles(s, actor=CAROL).items] == ["云K20001"]
        assert [v.plate for v in queries.list_vehicles(s, actor=ERIN).items] == ["云K30001"]


def test_a_record_out_of_scope_is_not_found_like_a_missing_one(seeded: Context) -> None:
    with seeded.read() as s:
        zto = service.lookup(s, ALICE, service.FACILITIES, "ZTO-MH-01")
        for actor in (CAROL, DAVE, ANON):
            with pytest.raises(NotFound, match="未找到网点与设施 ZTO-MH-01"):
                service.lookup(s, actor, service.FACILITIES, "ZTO-MH-01")
            with pytest.raises(NotFound):
                service.load(s, actor, service.FACILITIES, zto.id)
        assert service.load(s, ERIN, service.FACILITIES, zto.id).code == "ZTO-MH-01"
        public = service.lookup(s, DAVE, service.FACILITIES, "VP-ML-01")
        assert public.brand is None


def test_a_county_regulator_changes_only_her_county(seeded: Context) -> None:
    with seeded.transaction() as s:
        f = service.update_facility(s, CAROL, "SF-JH-01", {"name": "顺丰景洪营业部"})
        assert f.name == "顺丰景洪营业部"
        with pytest.raises(NotFound):  # 勐海's record: she cannot even see it
            service.update_facility(s, CAROL, "ZTO-MH-01", {"name": "x"})
        with pytest.raises(NotFound):
            service.close_facility(s, CAROL, "ZTO-MH-01", closed_on=TODAY)
        with pytest.raises(PermissionDenied) as moved:  # moving hers out of 景洪
            moves = {"division_code": "532822101", "lon": None, "lat": None}
            service.update_facility(s, CAROL, "SF-JH-01", moves)
        assert moved.value.details == {"field": "division_code"}
        assert "只能维护景洪市的网点与设施" in moved.value.message
        with pytest.raises(PermissionDenied) as elsewhere:
            service.create_facility(
                s, CAROL, facility(code="NEW-MH", division_code="532822101", lon=None, lat=None)
            )
        assert elsewhere.value.status == 403
        new = facility(code="NEW-JH", division_code="532801001", lon=None, lat=None)
        assert service.create_facility(s, CAROL, new).division_code == "532801001"


def test_enterprises_do_not_keep_the_register(seeded: Context) -> None:
    with seeded.transaction() as s:
        with pytest.raises(PermissionDenied, match="无权维护名录"):
            service.update_facility(s, DAVE, "SF-JH-01", {"name": "x"})
        with pytest.raises(NotFound):  # another brand's: not found before anything else
            service.update_facility(s, DAVE, "ZTO-MH-01", {"name": "x"})
        with pytest.raises(PermissionDenied):
            service.create_facility(s, DAVE, facility(code="SF-NEW", brand="sf"))


def test_an_enterprise_granted_the_register_keeps_only_its_brands_records(
    seeded: Context,
) -> None:
    with seeded.transaction() as s:
        service.update_facility(s, DAVE_WRITER, "SF-ML-01", {"address": "磨憨口岸大道8号"})
        with pytest.raises(PermissionDenied) as public:  # sees the public point, cannot change it
            service.update_facility(s, DAVE_WRITER, "VP-ML-01", {"name": "x"})
        assert public.value.details == {"field": "brand"}
        assert "不在您的管辖范围（本企业（顺丰））内" in public.value.message
        with pytest.raises(PermissionDenied) as other:
            service.create_facility(s, DAVE_WRITER, facility(code="ZTO-NEW", brand="zto"))
        assert other.value.details == {"field": "brand"}
        created = service.create_facility(
            s, DAVE_WRITER, facility(code="SF-NEW", brand="sf", enterprise_uscc=LOCAL_SF)
        )
        assert created.brand == "sf"


def test_aggregates_count_what_the_actor_sees(seeded: Context) -> None:
    with seeded.read() as s:
        assert aggregates.facility_counts(s, as_of=TODAY) == 5
        assert aggregates.facility_counts(s, as_of=TODAY, actor=CAROL) == 2
        assert aggregates.facility_counts(s, as_of=TODAY, actor=DAVE) == 3
        rows = aggregates.facility_count_rows(s, as_of=TODAY, by=["brand"], actor=ERIN)
        assert [(r.brand, r.count) for r in rows] == [("zto", 1), (None, 1)]
        by_county = aggregates.facility_count_rows(s, as_of=TODAY, by=["county", "type"])
        assert [(r.type, r.county, r.count) for r in by_county] == [
            ("express_outlet", "532801", 1),
            ("express_outlet", "532822", 1),
            ("express_outlet", "532823", 1),
            ("universal_post_office", "532801", 1),
            ("village_service_point", "532823", 1),
        ]
        # 景洪's townships: 勐龙镇 (邮政局所) and 允景洪街道 (顺丰)
        covered = aggregates.covered_townships(
            s, as_of=TODAY, types=["universal_post_office", "express_outlet"], county="532801"
        )
        assert covered == {"532801103", "532801001"}
        assert aggregates.covered_townships(
            s, as_of=TODAY, types=["express_outlet"], actor=ERIN
        ) == {"532822101"}
        assert aggregates.directly_served_villages(s, as_of=TODAY, actor=DAVE) == {"532823105201"}
        assert aggregates.directly_served_villages(s, as_of=TODAY, actor=CAROL) == set()


def test_export_and_import_stay_in_scope(seeded: Context, tmp_path: Path) -> None:
    with seeded.read() as s:
        n = io.export_file(s, "facilities", tmp_path / "carol.csv", actor=CAROL)
        assert n == 2
        assert io.export_file(s, "facilities", tmp_path / "all.csv") == 5
    text = (tmp_path / "all.csv").read_text("utf-8-sig")
    path = tmp_path / "import.csv"
    header, *rows = text.splitlines()
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    with seeded.transaction() as s:
        report = io.import_file(s, CAROL, "facilities", path)
    # a row identical to the stored record changes nothing, whoever imports it
    assert (report.rows, report.unchanged, report.rejected) == (5, 5, 0)
    changed = path.read_text("utf-8").replace("中通勐海营业部", "中通勐海营业部（改）")
    path.write_text(changed, "utf-8")
    with seeded.transaction() as s:
        report = io.import_file(s, CAROL, "facilities", path)
    assert report.rejected == 1
    (error,) = report.errors
    assert (error.field, error.code) == ("division_code", "out_of_scope")
    assert "ZTO-MH-01 不在您的管辖范围（景洪市）内" in error.message


def test_the_map_and_its_county_figures_are_scoped(seeded: Context) -> None:
    from youguan.registry.network import NetworkQuery, map_points, summarise

    q = NetworkQuery(as_of=TODAY)
    with seeded.transaction() as s:
        unplaced = facility(code="SF-NOXY", brand="sf", lon=None, lat=None)
        service.create_facility(s, ALICE, unplaced | {"enterprise_uscc": LOCAL_SF})
    with seeded.read() as s:
        points, unplotted = map_points(s, DAVE, q)
        assert sorted(p.code for p in points) == ["SF-JH-01", "SF-ML-01", "VP-ML-01"]
        assert unplotted == 1  # SF-NOXY has no coordinates
        assert map_points(s, ERIN, q)[1] == 0
        summary = summarise(s, CAROL, NetworkQuery(as_of=TODAY, type="express_outlet"))
        (jinghong,) = summary.counties
        assert (jinghong.code, jinghong.facilities, jinghong.outlets) == ("532801", 1, 1)
        assert summary.prefecture is None and summary.radius_basis == "快递营业网点"
        everyone = summarise(s, BOB, q)
        assert everyone.prefecture is not None and everyone.prefecture.facilities == 6
        assert [c.served_villages for c in everyone.counties] == [0, 0, 1]
