"""Enterprise API keys over HTTP: both headers, scope, revocation, last use, shown once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import World
from tests.web.personas import ALICE, DAVE, Browser


def test_a_key_authenticates_with_either_header(fresh: World) -> None:
    _, secret = fresh.keys["sf"]
    client = TestClient(fresh.app)
    for headers in ({"Authorization": f"Bearer {secret}"}, {"X-API-Key": secret}):
        me = client.get("/api/v1/me", headers=headers).json()
        assert me["role"] == "enterprise" and me["brand"] == "sf" and me["via"] == "api_key"


def test_a_key_acts_within_its_brand_only(fresh: World) -> None:
    _, secret = fresh.keys["sf"]
    zto_id, _ = fresh.keys["zto"]
    client = TestClient(fresh.app)
    headers = {"X-API-Key": secret}
    assert {k["brand"] for k in client.get("/api/v1/apikeys", headers=headers).json()["items"]} == {
        "sf"
    }
    assert client.get(f"/api/v1/apikeys/{zto_id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/users/{fresh.user_ids['erin']}", headers=headers).status_code == 404
    assert client.get("/overview.json", headers=headers).status_code == 403


def test_a_key_needs_no_csrf_token(fresh: World) -> None:
    _, secret = fresh.keys["sf"]
    client = TestClient(fresh.app)
    response = client.post(
        "/api/v1/apikeys", json={"name": "第二个"}, headers={"X-API-Key": secret}
    )
    assert response.status_code == 201 and response.json()["key"]["brand"] == "sf"


def test_a_revoked_key_stops_working_at_once(fresh: World) -> None:
    key_id, secret = fresh.keys["sf"]
    client = TestClient(fresh.app)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    revoked = Browser(fresh.app, DAVE).post(f"/api/v1/apikeys/{key_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "接口密钥无效或已吊销"


def test_a_bad_key_is_refused_without_falling_back_to_the_session(fresh: World) -> None:
    alice = Browser(fresh.app, ALICE)
    for bad in ("yg_0000000000_" + "A" * 43, "nonsense", fresh.keys["sf"][1][:-1] + "x"):
        response = alice.get("/api/v1/users", headers={"X-API-Key": bad})
        assert response.status_code == 401


def test_last_use_is_recorded(fresh: World) -> None:
    key_id, secret = fresh.keys["zto"]
    alice = Browser(fresh.app, ALICE)
    assert alice.get(f"/api/v1/apikeys/{key_id}").json()["last_used_at"] is None
    TestClient(fresh.app).get("/api/v1/me", headers={"X-API-Key": secret})
    assert alice.get(f"/api/v1/apikeys/{key_id}").json()["last_used_at"] is not None


def test_the_secret_is_shown_once_and_never_listed(fresh: World) -> None:
    dave = Browser(fresh.app, DAVE)
    created = dave.post("/account/keys", data={"name": "运单接口"})
    assert created.status_code == 201
    secret = created.text.split('id="new-key-secret">')[1].split("<")[0]
    assert secret.startswith("yg_")
    assert (
        TestClient(fresh.app).get("/api/v1/me", headers={"X-API-Key": secret}).json()["brand"]
        == "sf"
    )
    assert secret not in dave.get("/account").text
    assert secret not in dave.get("/api/v1/apikeys").text
