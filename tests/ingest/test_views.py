"""The 数据报送 pages: an upload through the form lands on its submission with its errors and
rejected rows; CSRF on the streamed form; 413/415 shown on the page; a running submission is
polled; the staff see every brand with filters; the format guide, the unmapped codes, the
brand's indicators section; unmasking shows the value once and is audited. JSON twins too."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.ingest.factories import FRANK, add_unmasker, waybill, write_csv
from tests.web.conftest import World, open_world
from tests.web.personas import Browser
from youguan.audit.models import AuditLog
from youguan.ingest import models as m
from youguan.ingest.receive import Limits
from youguan.lake.locks import FileLock
from youguan.lake.store import STAGING


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("ingest-views"), sqlite_template) as w:
        add_unmasker(w.ctx)
        yield w


def csv_file(rows: list[dict[str, Any]]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return write_csv(Path(tmp) / "f.csv", rows).read_bytes()


def upload(browser: Browser, content: bytes, name: str = "运单.csv", **data: str) -> Any:
    return browser.post(
        "/submissions",
        data={"dataset": "waybills", **data},
        files={"file": (name, content, "text/csv")},
    )


def test_an_upload_through_the_form_lands_on_its_errors_and_rejected_rows(world: World) -> None:
    dave = world.as_("dave")
    rows = [waybill(i, brand="sf", waybill_no=f"SFPAGE{i}") for i in range(4)]
    rows.append(waybill(9, brand="sf", waybill_no="SFPAGE-BAD", origin_code="999999"))
    response = upload(dave, csv_file(rows), name="五月运单.csv")
    assert response.status_code == 303, response.text[:300]
    target = response.headers["location"]
    assert re.fullmatch(r"/submissions/[0-9a-f]{32}", target)
    page = dave.get(target)
    assert page.status_code == 200
    assert "<h1>报送批次详情</h1>" in page.text and "五月运单.csv" in page.text
    assert 'data-testid="errors"' in page.text and 'data-row="5"' in page.text
    assert "不是有效的行政区划代码" in page.text
    assert 'data-testid="quarantine-download"' in page.text
    twin = dave.get(target + ".json").json()
    assert twin["submission"]["status"] == "committed" and twin["submission"]["accepted"] == 4
    assert [(e["row"], e["field_label"], e["code"]) for e in twin["errors"]["items"]] == [
        (5, "收寄地区划代码", "unknown_division")
    ]
    [rejected] = twin["rejected_rows"]
    assert rejected["row"] == 5 and rejected["sender_name_masked"].endswith("*")
    assert twin["quarantine_csv"].endswith("/quarantine?format=csv")
    listing = dave.get("/submissions")
    assert f'href="{target}"' in listing.text and "已入库" in listing.text
    assert dave.get(target + "/status").headers["hx-refresh"] == "true"  # finished: reload


def test_the_streamed_form_checks_its_csrf_token(world: World) -> None:
    dave = world.as_("dave")
    content = csv_file([waybill(1, brand="sf", waybill_no="SFCSRF1")])
    missing = dave.client.post(
        "/submissions", data={"dataset": "waybills"}, files={"file": ("a.csv", content, "text/csv")}
    )
    assert missing.status_code == 403 and "CSRF" in missing.text
    wrong = dave.client.post(
        "/submissions",
        data={"csrf_token": "0" * 64, "dataset": "waybills"},
        files={"file": ("a.csv", content, "text/csv")},
    )
    assert wrong.status_code == 403
    header = dave.client.post(  # HTMX and scripts send the header instead of the field
        "/submissions",
        data={"dataset": "waybills"},
        files={"file": ("a.csv", content, "text/csv")},
        headers={"X-CSRF-Token": dave.csrf()},
    )
    assert header.status_code == 303


def test_upload_errors_are_shown_on_the_page(world: World) -> None:
    dave = world.as_("dave")
    png = dave.post(
        "/submissions",
        data={"dataset": "waybills"},
        files={"file": ("照片.png", b"\x89PNG", "image/png")},
    )
    assert png.status_code == 415 and 'data-testid="upload-error"' in png.text
    assert "照片.png" in png.text and "<h1>数据报送</h1>" in png.text
    no_dataset = upload(dave, csv_file([waybill(1, brand="sf")]), dataset="")
    assert no_dataset.status_code == 422 and "请选择要报送的数据集" in no_dataset.text
    world.app.state.submission_limits = Limits(max_bytes=1024)
    try:
        big = upload(dave, b"waybill_no\n" + b"SF1\n" * 1000)
    finally:
        world.app.state.submission_limits = Limits()
    assert big.status_code == 413 and "1024 字节" in big.text
    refused = upload(dave, b"waybill_no,colour\nSF1,red\n")
    assert refused.status_code == 303  # a refused file is a submission too: its page says why
    page = dave.get(refused.headers["location"])
    assert "已拒收" in page.text and "colour" in page.text and 'data-testid="refusal"' in page.text


def test_a_running_submission_is_polled_until_it_has_finished(world: World) -> None:
    batch = "ab" * 16
    with world.ctx.transaction() as s:
        s.add(
            m.Submission(
                id=batch,
                dataset="waybills",
                brand="sf",
                status=m.VALIDATING,
                submitter="dave",
                submitter_role="enterprise",
                source_name="大文件.csv",
            )
        )
    lock = FileLock(world.ctx.settings.lake_dir / STAGING / f"{batch}.lock")
    assert lock.acquire(blocking=False)  # alive: a recovery sweep leaves it alone
    try:
        dave = world.as_("dave")
        page = dave.get(f"/submissions/{batch}")
        assert f'hx-get="/submissions/{batch}/status"' in page.text
        assert 'hx-trigger="every 2s"' in page.text and "校验中" in page.text
        panel = dave.get(f"/submissions/{batch}/status")
        assert panel.status_code == 200 and "hx-refresh" not in panel.headers
        assert "<html" not in panel.text and 'data-status="validating"' in panel.text
    finally:
        lock.release()
    with world.ctx.transaction() as s:
        row = s.get(m.Submission, batch)
        assert row is not None
        row.status = m.COMMITTED
    panel = world.as_("dave").get(f"/submissions/{batch}/status")
    assert panel.headers["hx-refresh"] == "true" and "hx-get" not in panel.text


def test_a_large_upload_through_the_form_goes_to_its_page_at_once(world: World) -> None:
    world.app.state.submission_limits = Limits(wait_bytes=100)
    try:
        rows = [waybill(i, brand="sf", waybill_no=f"SFBIG{i}") for i in range(30)]
        response = upload(world.as_("dave"), csv_file(rows))
    finally:
        world.app.state.submission_limits = Limits()
    assert response.status_code == 303
    twin = world.as_("dave").get(response.headers["location"] + ".json").json()
    assert twin["submission"]["status"] in ("received", "validating", "committed")


def test_the_staff_see_every_brand_with_filters_and_enterprises_their_own(world: World) -> None:
    bob = world.as_("bob").get("/submissions.json?page_size=500").json()
    assert bob["staff"] and not bob["can_submit"] and bob["scope_label"] == "全部品牌"
    assert {"sf", "zto"} <= {s["brand"] for s in bob["submissions"]["items"]}
    assert bob["indicators"] is None
    html = world.as_("carol").get("/submissions").text
    assert 'name="brand"' in html and 'name="received_from"' in html
    zto = world.as_("bob").get("/submissions.json?brand=zto&dataset=events&status=").json()
    assert {s["brand"] for s in zto["submissions"]["items"]} == {"zto"}
    assert zto["filters"] == {"brand": "zto", "dataset": "events"}
    future = world.as_("bob").get("/submissions.json?received_from=2999-01-01").json()
    assert future["submissions"]["total"] == 0
    assert "没有符合条件的报送批次" in world.as_("bob").get("/submissions?brand=ems").text
    dave = world.as_("dave").get("/submissions.json?page_size=500").json()
    assert not dave["staff"] and dave["can_submit"] and dave["scope_label"] == "顺丰"
    assert {s["brand"] for s in dave["submissions"]["items"]} == {"sf"}
    assert 'name="brand"' not in world.as_("dave").get("/submissions").text
    section = dave["indicators"]  # the world holds facts: sf's own, never the all-brand totals
    assert section["brand"] == "sf" and len(section["months"]) == 6
    assert "本企业指标 · 顺丰" in world.as_("dave").get("/submissions").text


def test_an_enterprise_without_submissions_is_told_what_to_do(fresh_world: World) -> None:
    erin = fresh_world.as_("erin")
    with fresh_world.ctx.transaction() as s:
        for sub in s.scalars(select(m.Submission).where(m.Submission.brand == "zto")):
            s.delete(sub)
    page = erin.get("/submissions")
    assert "本企业还没有报送过数据" in page.text and 'data-testid="upload-form"' in page.text


@pytest.fixture
def fresh_world(ctx: Any) -> World:
    from tests.web.conftest import build_world

    return build_world(ctx)


def test_the_guide_and_the_unmapped_codes(world: World) -> None:
    guide = world.as_("erin").get("/submissions/guide")
    assert "<h1>数据格式说明</h1>" in guide.text and 'data-dataset="statistics"' in guide.text
    assert "标准快递" in guide.text and "/api/v1/datasets/waybills?format=csv" in guide.text
    twin = world.as_("erin").get("/submissions/guide.json").json()
    assert [d["name"] for d in twin["datasets"]] == ["waybills", "events", "security", "statistics"]
    unmapped = world.as_("dave").get("/submissions/unmapped.json").json()
    assert [(c["brand"], c["raw_code"]) for c in unmapped["codes"]["items"]] == [("sf", "ZZ9")]
    staff = world.as_("bob").get("/submissions/unmapped?brand=zto")
    assert 'data-brand="zto"' in staff.text and 'data-brand="sf"' not in staff.text
    assert world.as_("bob").get("/submissions/unmapped?brand=nope").status_code == 422


def test_unmasking_on_the_page_shows_the_value_once_and_is_audited(world: World) -> None:
    row = waybill(3, brand="sf", waybill_no="SFSHOW1")
    assert upload(world.as_("dave"), csv_file([row])).status_code == 303
    frank = Browser(world.app, FRANK)
    form = frank.get("/submissions/unmask")
    assert form.status_code == 200 and 'data-testid="unmask-form"' in form.text
    assert "查看个人信息明文" in frank.get("/submissions").text  # its tab
    fields = {"brand": "sf", "waybill_no": "SFSHOW1", "field": "sender_id_no", "reason": "公安协查"}
    shown = frank.post("/submissions/unmask", data=fields)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert row["sender_id_no"] in shown.text and 'data-testid="unmask-result"' in shown.text
    assert row["sender_id_no"] not in frank.get("/submissions/unmask").text
    refused = frank.post("/submissions/unmask", data=fields | {"reason": " "})
    assert refused.status_code == 422 and row["sender_id_no"] not in refused.text
    unknown = frank.post("/submissions/unmask", data=fields | {"waybill_no": "NOPE"})
    assert unknown.status_code == 404 and "没有这个运单" in unknown.text
    with world.ctx.read() as s:
        entries = list(s.scalars(select(AuditLog).where(AuditLog.action == "pii.unmask")))
    assert [(e.actor, e.entity_id, (e.after or {})["field"]) for e in entries] == [
        ("frank", "sf/SFSHOW1", "sender_id_no")
    ]
    assert world.as_("bob").post("/submissions/unmask", data=fields).status_code == 403


def test_the_errors_table_is_paginated(world: World) -> None:
    rows = [waybill(i, brand="sf", waybill_no=f"SFPG{i}") for i in range(60)]
    rows += [
        waybill(100 + i, brand="sf", waybill_no=f"SFPGX{i}", weight_g="heavy") for i in range(55)
    ]
    response = upload(world.as_("dave"), csv_file(rows))
    target = response.headers["location"]
    first = world.as_("dave").get(target + ".json").json()
    assert first["errors"]["total"] == 55 and len(first["errors"]["items"]) == 50
    second = world.as_("dave").get(target + ".json?page=2").json()
    assert [e["row"] for e in second["errors"]["items"]] == list(range(111, 116))
    assert 'rel="next"' in world.as_("dave").get(target).text


def test_the_brand_sees_its_own_indicators_once_computed(fresh_world: World) -> None:
    from youguan.indicators.facts import compute

    ctx = fresh_world.ctx
    rows = [waybill(i, brand="sf", waybill_no=f"SFKPI{i}", e_waybill="是") for i in range(3)]
    rows.append(waybill(3, brand="sf", waybill_no="SFKPI3", e_waybill="否"))
    assert upload(fresh_world.as_("dave"), csv_file(rows)).status_code == 303
    zto = [waybill(i, brand="zto", waybill_no=f"ZTKPI{i}", e_waybill="否") for i in range(5)]
    assert upload(fresh_world.as_("erin"), csv_file(zto)).status_code == 303
    assert fresh_world.as_("dave").get("/submissions.json").json()["indicators"] is None
    assert "暂无本企业的指标" in fresh_world.as_("dave").get("/submissions").text
    compute(ctx, full=True)
    dave = fresh_world.as_("dave").get("/submissions.json").json()["indicators"]
    assert dave["brand"] == "sf" and dave["months"][-1]["period"] == "2024-05"
    figure = dave["months"][-1]["figures"]["e_waybill_rate"]
    assert figure["value"] == pytest.approx(0.75) and figure["text"] == "75.00%"
    assert figure["denominator"] == 4 and figure["url"]
    described = {d["code"]: d for d in dave["definitions"]}
    assert "电子运单" in described["e_waybill_rate"]["text"]
    erin = fresh_world.as_("erin").get("/submissions.json").json()["indicators"]
    assert erin["brand"] == "zto"
    assert erin["months"][-1]["figures"]["e_waybill_rate"]["value"] == 0.0
    page = fresh_world.as_("dave").get("/submissions").text
    assert 'data-brand="sf"' in page and "75.00%" in page and figure["url"] in page
