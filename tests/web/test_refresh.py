"""After a web submission commits rows, the application recomputes the facts it touches and the
plans' actuals of those years in the background (``youguan.web.refresh``): a regulator's pages
follow the enterprises' uploads without anyone running ``youguan compute``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.conftest import make_settings
from tests.ingest.factories import waybill
from tests.ingest.test_api import csv_bytes, post_file
from tests.web.conftest import World, build_world
from youguan.auth.actor import Actor
from youguan.context import build_context, initialise
from youguan.indicators import service as indicators
from youguan.indicators.models import Fact
from youguan.plan import service as plans
from youguan.web.refresh import Refresher


@pytest.fixture
def world(tmp_path: Path, sqlite_template: Path) -> Iterator[World]:
    home = tmp_path / "home"
    home.mkdir()
    (home / "youguan.db").write_bytes(sqlite_template.read_bytes())
    ctx = build_context(make_settings(home, auto_refresh=True))
    initialise(ctx)
    try:
        yield build_world(ctx)
    finally:
        ctx.close()


def refresher(world: World) -> Refresher:
    found = world.app.state.refresher
    assert isinstance(found, Refresher)
    return found


def test_an_upload_refreshes_the_facts_and_the_plan_actuals_of_its_year(world: World) -> None:
    with world.ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Fact)) == 0
    sf = [waybill(i, brand="sf", waybill_no=f"SFRF{i}", e_waybill="是") for i in range(3)]
    sf.append(waybill(3, brand="sf", waybill_no="SFRF3", e_waybill="否"))
    assert post_file(world, "sf", "waybills", csv_bytes(sf)).status_code == 201
    assert refresher(world).wait(120), "the refresh did not finish"
    zto = [waybill(i, brand="zto", waybill_no=f"ZTRF{i}", e_waybill="否") for i in range(5)]
    assert post_file(world, "zto", "waybills", csv_bytes(zto)).status_code == 201
    assert refresher(world).wait(120), "the refresh did not finish"
    done = refresher(world)
    assert done.last_error is None and done.runs == 2
    assert done.last is not None and done.last["years"] == [2024]

    system = Actor.system("tests")
    values = indicators.indicator_values(
        world.ctx,
        system,
        "e_waybill_rate",
        date_from=dt.date(2024, 5, 1),
        date_to=dt.date(2024, 5, 31),
        by=["month", "brand"],
    )
    by_brand = {f.brand: f.value for f in values.facts}
    assert by_brand["sf"] == pytest.approx(0.75) and by_brand["zto"] == 0.0

    actual = plans.list_actuals(world.ctx, year=2024, indicator="e_waybill_rate", actor=system)
    assert [(a.source, round(a.value, 4)) for a in actual] == [("computed", round(300 / 9, 4))]
    assert not plans.list_actuals(world.ctx, year=2023, indicator="e_waybill_rate", actor=system)


def test_a_refused_upload_refreshes_nothing(world: World) -> None:
    bad = [waybill(i, brand="sf", waybill_no=f"SFBAD{i}", origin_code="999999") for i in range(3)]
    response = post_file(world, "sf", "waybills", csv_bytes(bad))
    assert response.status_code in (201, 422), response.text
    assert refresher(world).wait(30)
    assert refresher(world).runs == 0


def test_the_refresh_is_off_when_the_deployment_says_so(tmp_path: Path) -> None:
    from youguan.web.app import create_app

    with build_context(make_settings(tmp_path)) as ctx:  # tests default to auto_refresh=False
        app = create_app(ctx=ctx)
        assert getattr(app.state, "refresher", None) is None
