"""Who may do what: persona × endpoint, the expected answer for each.

Read a row as "alice gets 200, bob 200, carol 404, …". 404 means the record exists but is not in
the persona's scope (another brand's key or user, another county's user); 403 a missing
permission; 401 (API) or 303 → 登录 (pages) no login. Paths name records with ``{dave_id}``,
``{zto_key}`` etc., filled from the shared world.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import World

PERSONA_ORDER = ("alice", "bob", "carol", "dave", "erin", "anon")
PLAN = "/api/v1/plans/xsbn-2021-2025"
DRAFT = "/api/v1/plans/xsbn-draft-2026-2030"  # public: false (tests/plan/factories.py)

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
]


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
    if body == "new-user":
        body = {"username": f"new_{persona}", "display_name": "新人", "role": "regulator"}
    if body == "actuals-csv":
        body = None
        kwargs["files"] = {"file": ("实际值.csv", b"indicator,year,value\ndelay_rate,2023,0.5\n")}
    if body is not None:
        kwargs["json" if url.startswith("/api/") else "data"] = body
    response = browser.request(method, url, **kwargs)
    assert response.status_code == expected, response.text[:300]
    if url.startswith("/api/") and expected >= 400:
        error = response.json()["error"]
        assert error["code"] and error["message"]
    if expected == 303 and persona == "anon":
        assert response.headers["location"].startswith("/login?next=")
