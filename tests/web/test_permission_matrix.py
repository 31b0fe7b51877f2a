"""Who may do what: persona × endpoint, the expected answer for each.

Read a row as "alice gets 200, bob 200, carol 404, …". 404 means the record exists but is not in
the persona's scope (another brand's key, user or register record, another county's user or
record); 403 a missing
permission; 401 (API) or 303 → 登录 (pages) no login. Paths name records with ``{dave_id}``,
``{zto_key}``, ``{sf_jh}`` (the seeded register, ``tests.registry.factories``) etc., filled from
the shared world.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.registry.factories import uscc
from tests.web.conftest import World

PERSONA_ORDER = ("alice", "bob", "carol", "dave", "erin", "anon")
PLAN = "/api/v1/plans/xsbn-2021-2025"
DRAFT = "/api/v1/plans/xsbn-draft-2026-2030"  # public: false (tests/plan/factories.py)
VALUES = "/api/v1/indicators/on_time_72h_rate/values"
YEAR = "from=2025-01-01&to=2025-12-31"

EARLY = {"closed_on": "1990-01-01"}  # before the record opened: refused once allowed to try
NOT_A_DATE = {"closed_on": "soon"}
ACTIVE = {"status": "active"}  # a change that changes nothing
UNMASK = {"brand": "sf", "waybill_no": "SF00000001", "field": "sender_name", "reason": "核查实名"}

# (method, path, body, {persona: status}) — body is JSON for /api, form data for pages
MATRIX: list[tuple[str, str, Any, tuple[int, int, int, int, int, int]]] = [
    #                                                         alice bob carol dave erin anon
    ("GET", "/api/v1/health", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/me", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/divisions/532801", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/users", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/users/{dave_id}", None, (200, 200, 404, 200, 404, 401)),
    ("GET", "/api/v1/users/{erin_id}", None, (200, 200, 404, 404, 200, 401)),
    ("GET", "/api/v1/users/{carol_id}", None, (200, 200, 200, 404, 404, 401)),
    ("GET", "/api/v1/users/{alice_id}", None, (200, 200, 404, 404, 404, 401)),
    ("POST", "/api/v1/users", "new-user", (201, 403, 403, 403, 403, 401)),
    ("PATCH", "/api/v1/users/{carol_id}", {"display_name": "卡萝"}, (200, 403, 403, 403, 403, 401)),
    ("GET", "/api/v1/apikeys", None, (200, 403, 403, 200, 200, 401)),
    ("GET", "/api/v1/apikeys/{sf_key}", None, (200, 403, 403, 200, 404, 401)),
    ("GET", "/api/v1/apikeys/{zto_key}", None, (200, 403, 403, 404, 200, 401)),
    ("POST", "/api/v1/apikeys", {"name": "新接口", "brand": "sf"}, (201, 403, 403, 201, 403, 401)),
    ("POST", "/api/v1/apikeys/{zto_key}/revoke", None, (200, 403, 403, 404, 200, 401)),
    # plans: a published plan is everyone's to read, the draft only the staff's (404, not 403);
    # figures are entered by plan.write holders of the plan's division (not a county's regulator)
    ("GET", "/api/v1/plans", None, (200, 200, 200, 200, 200, 200)),
    ("GET", f"{PLAN}/indicators", None, (200, 200, 200, 200, 200, 200)),
    ("GET", f"{DRAFT}/indicators", None, (200, 200, 200, 404, 404, 404)),
    ("GET", f"{PLAN}/status?year=2023", None, (200, 200, 200, 200, 200, 200)),
    ("GET", f"{DRAFT}/status?year=2027", None, (200, 200, 200, 404, 404, 404)),
    ("GET", f"{PLAN}/audit", None, (200, 200, 200, 200, 200, 200)),
    ("GET", f"{DRAFT}/audit", None, (200, 200, 200, 404, 404, 404)),
    ("GET", f"{PLAN}/report?year=2023&format=html", None, (200, 200, 200, 200, 200, 200)),
    ("GET", f"{DRAFT}/report?year=2027&format=html", None, (200, 200, 200, 404, 404, 404)),
    ("POST", f"{PLAN}/actuals", "actuals-csv", (200, 200, 403, 403, 403, 401)),
    ("PUT", f"{PLAN}/actuals/delay_rate/2023", {"value": 0.5}, (200, 200, 403, 403, 403, 401)),
    ("PUT", f"{DRAFT}/actuals/delay_rate/2027", {"value": 0.4}, (200, 200, 403, 403, 403, 401)),
    ("POST", f"{PLAN}/actuals/refresh", None, (200, 200, 403, 403, 403, 401)),
    ("GET", "/plans", None, (200, 200, 200, 403, 403, 303)),
    ("GET", "/plans.json", None, (200, 200, 200, 403, 403, 401)),
    ("GET", "/plans?plan=xsbn-draft-2026-2030", None, (200, 200, 200, 403, 403, 303)),
    ("GET", "/plans/xsbn-2021-2025/indicators/delay_rate", None, (200, 200, 200, 403, 403, 303)),
    (
        "GET",
        "/plans/xsbn-2021-2025/indicators/delay_rate.json",
        None,
        (200, 200, 200, 403, 403, 401),
    ),
    (
        "POST",
        "/plans/xsbn-2021-2025/indicators/delay_rate/actual",
        {"year": "2023", "value": "0.5"},
        (303, 303, 403, 403, 403, 303),
    ),
    ("POST", "/plans/xsbn-2021-2025/refresh", {}, (200, 200, 403, 403, 403, 303)),
    ("GET", "/overview", None, (200, 200, 200, 403, 403, 303)),
    ("GET", "/overview.json", None, (200, 200, 200, 403, 403, 401)),
    ("GET", "/network", None, (200, 200, 200, 200, 200, 303)),
    ("GET", "/network.json", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/public", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/public.json", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/login", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/account", None, (200, 200, 200, 200, 200, 303)),
    ("GET", "/admin/users", None, (200, 403, 403, 403, 403, 303)),
    ("GET", "/admin/users.json", None, (200, 403, 403, 403, 403, 401)),
    # page forms: another brand's key is not found; the public is sent to 登录
    ("POST", "/account/keys/{sf_key}/revoke", {}, (303, 403, 403, 303, 404, 303)),
    ("POST", "/admin/users/{erin_id}/enable", {}, (303, 403, 403, 403, 403, 303)),
    # registry API: carol keeps 景洪; dave (顺丰) and erin (中通) see their brand and the public
    # facilities (public_ml, run by no brand) and keep no register
    ("GET", "/api/v1/facilities", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/facilities/{sf_jh}", None, (200, 200, 200, 200, 404, 401)),
    ("GET", "/api/v1/facilities/{zto_mh}", None, (200, 200, 404, 404, 200, 401)),
    ("GET", "/api/v1/facilities/{public_ml}", None, (200, 200, 404, 200, 200, 401)),
    ("GET", "/api/v1/facilities/{sf_jh}/history", None, (200, 200, 200, 200, 404, 401)),
    ("GET", "/api/v1/facilities/export", None, (200, 200, 200, 200, 200, 401)),
    ("POST", "/api/v1/facilities", "new-facility", (201, 201, 201, 403, 403, 401)),
    ("POST", "/api/v1/facilities", "new-facility-menghai", (201, 201, 403, 403, 403, 401)),
    ("PATCH", "/api/v1/facilities/{sf_jh}", ACTIVE, (200, 200, 200, 403, 403, 401)),
    ("PATCH", "/api/v1/facilities/{zto_mh}", ACTIVE, (200, 200, 404, 403, 403, 401)),
    ("POST", "/api/v1/facilities/{zto_mh}/close", EARLY, (422, 422, 404, 403, 403, 401)),
    ("POST", "/api/v1/facilities/import", "upload", (200, 200, 200, 403, 403, 401)),
    ("GET", "/api/v1/enterprises", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/enterprises/{sf_ent}", None, (200, 200, 200, 200, 404, 401)),
    ("GET", "/api/v1/enterprises/{zto_ent}", None, (200, 200, 404, 404, 200, 401)),
    ("GET", "/api/v1/enterprises/{zto_ent}/history", None, (200, 200, 404, 404, 200, 401)),
    ("GET", "/api/v1/enterprises/export", None, (200, 200, 200, 200, 200, 401)),
    ("POST", "/api/v1/enterprises", "new-enterprise", (201, 201, 201, 403, 403, 401)),
    ("PATCH", "/api/v1/enterprises/{zto_ent}", ACTIVE, (200, 200, 404, 403, 403, 401)),
    ("POST", "/api/v1/enterprises/{sf_ent}/close", NOT_A_DATE, (422, 422, 422, 403, 403, 401)),
    ("POST", "/api/v1/enterprises/import", "upload", (200, 200, 200, 403, 403, 401)),
    ("GET", "/api/v1/vehicles", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/vehicles/{sf_van}", None, (200, 200, 200, 200, 404, 401)),
    ("GET", "/api/v1/vehicles/{zto_truck}", None, (200, 200, 404, 404, 200, 401)),
    ("GET", "/api/v1/vehicles/{sf_van}/history", None, (200, 200, 200, 200, 404, 401)),
    ("GET", "/api/v1/vehicles/export", None, (200, 200, 200, 200, 200, 401)),
    ("POST", "/api/v1/vehicles", "new-vehicle", (201, 201, 201, 403, 403, 401)),
    ("PATCH", "/api/v1/vehicles/{zto_truck}", ACTIVE, (200, 200, 404, 403, 403, 401)),
    ("POST", "/api/v1/vehicles/{zto_truck}/close", EARLY, (422, 422, 404, 403, 403, 401)),
    ("POST", "/api/v1/vehicles/import", "upload", (200, 200, 200, 403, 403, 401)),
    ("GET", "/api/v1/network/counts?by=county", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/network/counties", None, (200, 200, 200, 200, 200, 401)),
    # 网络布局 pages
    ("GET", "/network/facilities", None, (200, 200, 200, 200, 200, 303)),
    ("GET", "/network/facilities.json", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/network/facilities/{sf_jh}", None, (200, 200, 200, 200, 404, 303)),
    ("GET", "/network/facilities/{zto_mh}.json", None, (200, 200, 404, 404, 200, 401)),
    ("GET", "/network/facilities/new", None, (200, 200, 200, 403, 403, 303)),
    ("GET", "/network/facilities/{zto_mh}/edit", None, (200, 200, 404, 403, 403, 303)),
    ("POST", "/network/facilities/new", {}, (422, 422, 422, 403, 403, 303)),
    ("POST", "/network/facilities/{zto_mh}/edit", {}, (422, 422, 404, 403, 403, 303)),
    ("POST", "/network/facilities/{zto_mh}/close", EARLY, (422, 422, 404, 403, 403, 303)),
    ("GET", "/network/enterprises", None, (200, 200, 200, 200, 200, 303)),
    ("GET", "/network/enterprises/{zto_ent}", None, (200, 200, 404, 404, 200, 303)),
    ("GET", "/network/enterprises/new", None, (200, 200, 200, 403, 403, 303)),
    ("GET", "/network/vehicles", None, (200, 200, 200, 200, 200, 303)),
    ("GET", "/network/vehicles/{sf_van}", None, (200, 200, 200, 200, 404, 303)),
    ("GET", "/network/vehicles/{zto_truck}/edit", None, (200, 200, 404, 403, 403, 303)),
    ("GET", "/network/import", None, (200, 200, 200, 403, 403, 303)),
    ("GET", "/network/import.json", None, (200, 200, 200, 403, 403, 401)),
    ("POST", "/network/import", {"entity": "facilities"}, (422, 422, 422, 403, 403, 303)),
    # submissions: enterprises send (data.submit) and read their own brand's batches (another
    # brand's is not found); regulators read every brand's; the formats are everyone's; nobody
    # here holds pii.unmask
    ("GET", "/api/v1/datasets", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/datasets/waybills?format=csv", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/datasets/parcels", None, (404, 404, 404, 404, 404, 404)),
    ("POST", "/api/v1/datasets/events/submissions", "events-csv", (403, 403, 403, 201, 201, 401)),
    ("POST", "/api/v1/datasets/parcels/submissions", "events-csv", (403, 403, 403, 404, 404, 401)),
    ("GET", "/api/v1/submissions", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/submissions?brand=sf&status=committed", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/submissions/{sf_batch}", None, (200, 200, 200, 200, 404, 401)),
    ("GET", "/api/v1/submissions/{zto_batch}", None, (200, 200, 200, 404, 200, 401)),
    ("GET", "/api/v1/submissions/{sf_batch}/quarantine", None, (200, 200, 200, 200, 404, 401)),
    (
        "GET",
        "/api/v1/submissions/{zto_batch}/quarantine?format=csv",
        None,
        (200, 200, 200, 404, 200, 401),
    ),
    ("GET", "/api/v1/submissions/unmapped", None, (200, 200, 200, 200, 200, 401)),
    ("POST", "/api/v1/pii/unmask", UNMASK, (403, 403, 403, 403, 403, 401)),
    ("GET", "/submissions", None, (200, 200, 200, 200, 200, 303)),
    ("GET", "/submissions.json", None, (200, 200, 200, 200, 200, 401)),
    ("POST", "/submissions", "events-form", (403, 403, 403, 303, 303, 303)),
    ("GET", "/submissions/{sf_batch}", None, (200, 200, 200, 200, 404, 303)),
    ("GET", "/submissions/{zto_batch}.json", None, (200, 200, 200, 404, 200, 401)),
    ("GET", "/submissions/{sf_batch}/status", None, (200, 200, 200, 200, 404, 303)),
    ("GET", "/submissions/guide", None, (200, 200, 200, 200, 200, 303)),
    ("GET", "/submissions/guide.json", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/submissions/unmapped", None, (200, 200, 200, 200, 200, 303)),
    ("GET", "/submissions/unmapped.json", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/submissions/unmask", None, (403, 403, 403, 403, 403, 303)),
    ("POST", "/submissions/unmask", UNMASK, (403, 403, 403, 403, 403, 303)),
    # indicators (tests.indicators.seed): dave (顺丰) never reads 中通's facts nor the all-brand
    # totals, carol (景洪) never another county's nor the prefecture's
    ("GET", "/api/v1/indicators", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/indicators/delay_rate", None, (200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/indicators/nope_rate", None, (404, 404, 404, 404, 404, 401)),
    ("GET", f"{VALUES}?{YEAR}&by=brand", None, (200, 200, 200, 200, 200, 401)),
    ("GET", f"{VALUES}/export?{YEAR}&format=csv", None, (200, 200, 200, 200, 200, 401)),
    ("GET", f"{VALUES}?{YEAR}&by=scope", None, (422, 422, 422, 422, 422, 401)),
    ("GET", "/api/v1/facts/{sf_fact}", None, (200, 200, 200, 200, 404, 401)),
    ("GET", "/api/v1/facts/{zto_fact}", None, (200, 200, 404, 404, 200, 401)),
    ("GET", "/api/v1/facts/{all_fact}", None, (200, 200, 404, 404, 404, 401)),
    ("GET", "/api/v1/facts/{jh_fact}", None, (200, 200, 200, 404, 404, 401)),
    ("GET", "/api/v1/facts/{sf_fact}/rows", None, (200, 200, 200, 200, 404, 401)),
    ("GET", "/api/v1/facts/{zto_fact}/rows", None, (200, 200, 404, 404, 200, 401)),
    (
        "GET",
        "/api/v1/facts/{zto_fact}/rows/export?format=csv",
        None,
        (200, 200, 404, 404, 200, 401),
    ),
]


def _body(sentinel: str, persona: str, path: str) -> dict[str, Any]:
    """A body that only this persona sends (so every creation is new)."""
    n = PERSONA_ORDER.index(persona)
    if sentinel == "new-user":
        return {"username": f"new_{persona}", "display_name": "新人", "role": "regulator"}
    if sentinel.startswith("new-facility"):
        division = "532822101" if sentinel.endswith("menghai") else "532801003"
        return {
            "code": f"{sentinel}-{persona}",
            "name": "新网点",
            "type": "letterbox",
            "division_code": division,
            "opened_on": "2025-01-01",
        }
    if sentinel == "new-enterprise":
        return {
            "uscc": uscc(f"91532801MA6K2000{n}"),
            "name": "新企业",
            "brand": "sf",
            "kind": "legal_entity",
            "county_code": "532801",
        }
    if sentinel == "new-vehicle":
        return {
            "plate": f"云K6000{n}",
            "brand": "sf",
            "vehicle_type": "van",
            "county_code": "532801",
        }
    raise ValueError(sentinel)


UPLOAD_KEYS = {"facilities": "code", "enterprises": "uscc", "vehicles": "plate"}


def _cases() -> list[Any]:
    cases = []
    for method, path, body, expected in MATRIX:
        for persona, status in zip(PERSONA_ORDER, expected, strict=True):
            cases.append(
                pytest.param(persona, method, path, body, status, id=f"{persona}-{method} {path}")
            )
    return cases


@pytest.mark.parametrize(("persona", "method", "path", "body", "expected"), _cases())
def test_permission_matrix(
    world: World, persona: str, method: str, path: str, body: Any, expected: int
) -> None:
    browser = world.as_(persona)
    url = path.format(**world.ids())
    kwargs: dict[str, Any] = {}
    if body == "actuals-csv":
        kwargs["files"] = {"file": ("实际值.csv", b"indicator,year,value\ndelay_rate,2023,0.5\n")}
    elif body in ("events-csv", "events-form"):  # one tracking event of the sender's brand
        n = PERSONA_ORDER.index(persona)
        content = f"waybill_no,event,occurred_at\nPM{n:08d},accepted,2024-05-02T10:00:00+08:00\n"
        kwargs["files"] = {"file": ("轨迹.csv", content.encode(), "text/csv")}
        if body == "events-form":
            kwargs["data"] = {"dataset": "events"}
    elif body == "upload":  # a register file with its key column and no rows
        entity = url.split("/")[3]
        kwargs["files"] = {
            "file": (f"{entity}.csv", f"{UPLOAD_KEYS[entity]}\n".encode(), "text/csv")
        }
    elif isinstance(body, str):
        kwargs["json"] = _body(body, persona, url)
    elif body is not None:
        kwargs["json" if url.startswith("/api/") else "data"] = body
    response = browser.request(method, url, **kwargs)
    assert response.status_code == expected, response.text[:300]
    if url.startswith("/api/") and expected >= 400:
        error = response.json()["error"]
        assert error["code"] and error["message"]
    if expected == 303 and persona == "anon":
        assert response.headers["location"].startswith("/login?next=")
