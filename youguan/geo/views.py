"""网络布局: the county map (outlets and facilities join it from the registry)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from youguan.auth.scope import ScopeSpec, scope_filter
from youguan.auth.service import scope_label
from youguan.geo.divisions import divisions
from youguan.geo.schemas import MapPage
from youguan.geo.service import county_summaries
from youguan.web import charts
from youguan.web.deps import CurrentActor
from youguan.web.pages import page

router = APIRouter()

# Reference data: every logged-in actor may read it, narrowed to a county regulator's county.
COUNTY_SCOPE = ScopeSpec(county="code", shared=True)


def map_charts(p: MapPage) -> dict[str, Any]:
    in_scope = {c.name: c for c in p.counties}
    regions = [
        charts.MapRegion(
            name=d.name,
            value=in_scope[d.name].admin_villages if d.name in in_scope else None,
            highlighted=d.name in in_scope,
        )
        for d in divisions().prefecture_counties()
    ]
    return {"county_map": charts.county_map(regions, value_name="建制村数")}


@page(router, "/network", name="geo.map", template="geo/map.html", charts=map_charts)
def network_map(actor: CurrentActor) -> MapPage:
    """The prefecture's counties on the map, with their reference counts."""
    prefix = scope_filter(actor, COUNTY_SCOPE).county_prefix
    return MapPage(
        title="网络布局",
        scope_label=scope_label(actor.role, actor.county_code, actor.brand, actor.entity_uscc),
        counties=county_summaries(prefix),
        map_url=charts.COUNTY_MAP_URL,
    )
