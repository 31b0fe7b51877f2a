"""Each persona sees only its own scope, in lists as well as single records."""

from __future__ import annotations

from tests.web.conftest import World


def _usernames(world: World, persona: str) -> set[str]:
    body = world.as_(persona).get("/api/v1/users").json()
    assert body["total"] == len(body["items"])
    return {u["username"] for u in body["items"]}


def test_it_lists_every_account_to_the_prefecture(world: World) -> None:
    assert {"alice", "bob", "carol", "dave", "erin"} <= _usernames(world, "alice")
    assert {"alice", "bob", "carol", "dave", "erin"} <= _usernames(world, "bob")


def test_a_county_regulator_sees_only_accounts_of_her_county(world: World) -> None:
    assert _usernames(world, "carol") == {"carol"}


def test_an_enterprise_sees_only_accounts_of_its_brand(world: World) -> None:
    assert _usernames(world, "dave") == {"dave"}
    assert _usernames(world, "erin") == {"erin"}


def test_an_enterprise_sees_only_its_brands_keys(world: World) -> None:
    brands = {k["brand"] for k in world.as_("dave").get("/api/v1/apikeys").json()["items"]}
    assert brands == {"sf"}
    brands = {k["brand"] for k in world.as_("alice").get("/api/v1/apikeys").json()["items"]}
    assert {"sf", "zto"} <= brands


def test_a_county_regulators_overview_shows_only_her_county(world: World) -> None:
    carol = world.as_("carol").get("/overview.json").json()
    assert [c["name"] for c in carol["counties"]] == ["景洪市"]
    assert carol["scope_label"] == "景洪市"
    bob = world.as_("bob").get("/overview.json").json()
    assert [c["name"] for c in bob["counties"]] == ["景洪市", "勐海县", "勐腊县"]


def test_a_county_regulators_map_lists_only_her_county(world: World) -> None:
    carol = world.as_("carol").get("/network.json").json()
    assert [c["code"] for c in carol["summary"]["counties"]] == ["532801"]
    assert carol["summary"]["prefecture"] is None


def test_the_account_page_shows_an_enterprise_its_scope_and_keys(world: World) -> None:
    page = world.as_("dave").get("/account.json").json()
    assert page["me"]["scope_label"] == "顺丰"
    assert page["can_manage_keys"] is True
    assert {k["brand"] for k in page["keys"]} == {"sf"}
    html = world.as_("dave").get("/account").text
    assert "本企业接口密钥" in html and world.keys["zto"][1][:13] not in html


def test_me_describes_the_caller(world: World) -> None:
    me = world.as_("carol").get("/api/v1/me").json()
    assert me["role"] == "regulator" and me["county_code"] == "532801" and me["via"] == "session"
    anon = world.as_("anon").get("/api/v1/me").json()
    assert anon["authenticated"] is False and anon["permissions"] == []
