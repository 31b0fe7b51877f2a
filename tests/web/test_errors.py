"""One JSON error envelope for every API error; Chinese error pages for the HTML side."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import World
from youguan.errors import RateLimited


def _envelope(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert not body["error"]["message"].isascii(), "messages are Chinese"
    return dict(body["error"])


@pytest.fixture(scope="module")
def client(world: World) -> TestClient:
    return TestClient(world.app, raise_server_exceptions=False)


def test_an_unknown_path_is_a_404_envelope(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and _envelope(response)["code"] == "not_found"


def test_a_missing_login_is_a_401_envelope(client: TestClient) -> None:
    response = client.get("/api/v1/users")
    assert response.status_code == 401 and _envelope(response)["code"] == "not_authenticated"


def test_a_missing_permission_is_a_403_envelope(world: World) -> None:
    response = world.as_("bob").get("/api/v1/apikeys")
    assert response.status_code == 403
    error = _envelope(response)
    assert error["code"] == "forbidden" and error["details"] == {"permission": "apikeys.manage"}


def test_a_wrong_method_is_a_405_envelope(client: TestClient) -> None:
    response = client.delete("/api/v1/health")
    assert response.status_code == 405 and _envelope(response)["code"] == "method_not_allowed"


def test_validation_errors_name_the_field_in_chinese(world: World) -> None:
    response = world.as_("alice").post("/api/v1/users", json={"username": "x", "role": "boss"})
    assert response.status_code == 422
    error = _envelope(response)
    fields = {d["field"]: d["message"] for d in error["details"]}
    assert fields["username"] == "至少需要 2 个字符"
    assert fields["display_name"] == "必填"
    assert "role" in fields
    assert error["message"].startswith("输入有误：")


def test_a_domain_rule_is_a_422_with_the_field(world: World) -> None:
    body = {"username": "zed", "display_name": "Z", "role": "enterprise", "brand": "nope"}
    response = world.as_("alice").post("/api/v1/users", json=body)
    assert response.status_code == 422
    assert _envelope(response)["details"] == {"fields": {"brand": "未知品牌代码 nope"}}


def test_a_page_size_over_the_maximum_is_refused(client: TestClient) -> None:
    response = client.get("/api/v1/divisions?page_size=501")
    assert response.status_code == 422
    assert _envelope(response)["details"][0]["field"] == "page_size"


def test_a_body_over_the_limit_is_a_413_envelope(world: World) -> None:
    world.app.state.max_body_bytes = 1000
    try:
        key = world.keys["sf"][1]
        response = TestClient(world.app).post(
            "/api/v1/apikeys",
            content=b"{" + b" " * 2000 + b"}",
            headers={"X-API-Key": key, "Content-Type": "application/json"},
        )
    finally:
        del world.app.state.max_body_bytes
    assert response.status_code == 413 and _envelope(response)["code"] == "payload_too_large"


def test_a_body_of_an_unread_type_is_a_415_envelope(world: World) -> None:
    response = TestClient(world.app).post(
        "/api/v1/apikeys",
        content=b"name=x",
        headers={"X-API-Key": world.keys["sf"][1], "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert _envelope(response)["details"]["content_type"] == "text/plain"


def test_rate_limits_and_crashes_use_the_envelope(world: World) -> None:
    from fastapi import FastAPI

    from youguan.web import errors

    app = FastAPI()
    errors.install(app)

    @app.get("/api/v1/limited")
    def limited() -> None:
        raise RateLimited("请求过于频繁", retry_after=30)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/api/v1/limited")
    assert response.status_code == 429 and response.headers["retry-after"] == "30"
    assert _envelope(response)["code"] == "rate_limited"
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    error = _envelope(response)
    assert error["code"] == "internal_error" and "secret" not in response.text


@pytest.mark.parametrize(
    ("persona", "path", "status", "heading"),
    [
        ("dave", "/admin/users", 403, "没有权限"),
        ("alice", "/no/such/page", 404, "页面不存在"),
        ("dave", "/overview", 403, "没有权限"),
    ],
)
def test_pages_answer_errors_with_a_chinese_page(
    world: World, persona: str, path: str, status: int, heading: str
) -> None:
    response = world.as_(persona).get(path)
    assert response.status_code == status
    assert '<html lang="zh-CN">' in response.text and f"<h1>{heading}</h1>" in response.text
    assert "返回首页" in response.text
    assert "本页数据（JSON）" not in response.text  # an error has no twin to link to


def test_a_page_needing_login_redirects_to_login_and_back(client: TestClient) -> None:
    response = client.get("/admin/users?page=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/users%3Fpage%3D2"
