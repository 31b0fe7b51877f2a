"""The OpenAPI document, stable operation ids and offline interactive docs."""

from __future__ import annotations

import re
from importlib import resources

from fastapi.testclient import TestClient

from tests.web.conftest import World


def test_every_operation_has_a_stable_unique_snake_case_id(world: World) -> None:
    doc = TestClient(world.app).get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for path in doc["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids
    assert {"health", "me", "users_list", "users_get", "apikeys_create", "apikeys_revoke"} <= set(
        ids
    )
    assert all(p.startswith("/api/v1/") for p in doc["paths"]), "pages stay out of the API document"


def test_no_two_paths_are_the_same_template(world: World) -> None:
    """OpenAPI forbids paths that differ only in their parameters' names (``/a/{x}`` and
    ``/a/{y}``): client generators reject such a document."""
    doc = TestClient(world.app).get("/api/v1/openapi.json").json()
    shapes = [re.sub(r"\{[^}]+\}", "{}", path) for path in doc["paths"]]
    assert len(shapes) == len(set(shapes)), sorted(s for s in shapes if shapes.count(s) > 1)


def test_every_operation_documents_the_error_envelope(world: World) -> None:
    doc = TestClient(world.app).get("/api/v1/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ref = op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorEnvelope"), (method, path)


def test_lists_document_the_page_size_maximum(world: World) -> None:
    doc = TestClient(world.app).get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in doc["paths"]["/api/v1/users"]["get"]["parameters"]}
    assert params["page_size"]["schema"]["maximum"] == 500


def test_the_docs_are_served_from_vendored_assets(world: World) -> None:
    client = TestClient(world.app)
    html = client.get("/api/v1/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert not re.search(r"https?://", html.replace("http://www.w3.org", "")), "no CDN"
    for asset in re.findall(r'"(/static/[^"?]+)', html):
        assert client.get(asset).status_code == 200, asset


def test_vendored_assets_carry_their_licences() -> None:
    vendor = resources.files("youguan.web").joinpath("static", "vendor")
    for name in (
        "echarts/echarts.min.js",
        "echarts/LICENSE",
        "echarts/NOTICE",
        "htmx/htmx.min.js",
        "htmx/LICENSE",
        "swagger-ui/LICENSE",
        "swagger-ui/swagger-ui-bundle.js",
    ):
        assert vendor.joinpath(name).is_file(), name
