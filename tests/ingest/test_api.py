"""The submissions API: every status code of the upload (201 with rejected rows, 202, 401, 403,
404, 413 while streaming, 415, 422 with the error list), brand isolation, exactly-once through
the API, personal data nowhere in clear after an upload (files under HOME, responses, the spool),
the quarantine as JSON and CSV, unmapped codes, the formats, and audited unmasking."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.ingest.factories import FRANK, add_unmasker, event, waybill, write_csv, write_xlsx
from tests.web.conftest import World, open_world
from tests.web.personas import Browser
from youguan.audit.models import AuditLog
from youguan.ingest import service
from youguan.ingest.receive import Limits
from youguan.web.streaming import SPOOL_PREFIX

API = "/api/v1"
CSV = "text/csv"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("ingest-api"), sqlite_template) as w:
        add_unmasker(w.ctx)
        yield w


@pytest.fixture
def limits(world: World) -> Iterator[Any]:
    """Set the app's upload limits for one test."""

    def set_limits(**values: int) -> None:
        world.app.state.submission_limits = Limits(**values)

    yield set_limits
    world.app.state.submission_limits = Limits()


def key(world: World, brand: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[brand][1]}"}


def sf_waybills(prefix: str, n: int, **over: Any) -> list[dict[str, Any]]:
    return [waybill(i, brand="sf", waybill_no=f"{prefix}{i:06d}", **over) for i in range(n)]


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return write_csv(Path(tmp) / "f.csv", rows).read_bytes()


def post_file(
    world: World, brand: str, dataset: str, content: bytes, name: str = "w.csv", **kwargs: Any
) -> httpx.Response:
    client = world.as_("anon").client
    return client.post(
        f"{API}/datasets/{dataset}/submissions",
        files={"file": (name, content, kwargs.pop("media_type", CSV))},
        headers=key(world, brand) | kwargs.pop("headers", {}),
        **kwargs,
    )


def lake_rows(world: World, dataset: str, brand: str) -> int:
    return world.ctx.lake.arrow(dataset, brands=[brand]).num_rows


def spool_files() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"))


# --- 201, 202 -----------------------------------------------------------------------------------


def test_it_commits_an_upload_and_reports_its_rejected_rows(world: World) -> None:
    rows = [*sf_waybills("SFA", 5), waybill(99, brand="sf", waybill_no="SFA-BAD", service="x")]
    response = post_file(world, "sf", "waybills", csv_bytes(rows), name="五月运单.csv")
    assert response.status_code == 201, response.text
    doc = response.json()
    assert (doc["rows"], doc["accepted"], doc["rejected"], doc["duplicates"]) == (6, 5, 1, 0)
    assert doc["status"] == "committed" and doc["brand"] == "sf" and doc["kind"] == "append"
    assert doc["source_name"] == "五月运单.csv" and doc["submitter"].startswith("apikey:")
    assert [(e["row"], e["field"], e["code"]) for e in doc["errors"]] == [
        (6, "service", "not_allowed")
    ]
    assert "服务类型" in doc["errors"][0]["message"]
    assert response.headers["location"] == f"{API}/submissions/{doc['id']}"
    again = world.as_("anon").client.get(response.headers["location"], headers=key(world, "sf"))
    assert again.status_code == 200 and again.json()["accepted"] == 5
    assert again.json()["errors"] == doc["errors"]


@pytest.mark.parametrize(
    ("media_type", "writer", "query"),
    [
        ("text/csv", "csv", ""),
        ("application/x-ndjson", "jsonl", ""),
        ("application/vnd.apache.parquet", "parquet", ""),
        ("application/octet-stream", "parquet", "?filename=轨迹.parquet"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", ""),
    ],
)
def test_a_file_may_be_the_raw_body_in_each_format(
    world: World, media_type: str, writer: str, query: str
) -> None:
    prefix = f"RAW{writer.upper()}{len(query)}"
    rows = [event(i, brand="zto", waybill_no=f"{prefix}{i // 3:04d}") for i in range(9)]
    response = world.as_("anon").client.post(
        f"{API}/datasets/events/submissions{query}",
        content=_encode(rows, writer),
        headers=key(world, "zto") | {"Content-Type": media_type},
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    assert (doc["rows"], doc["accepted"], doc["rejected"]) == (9, 9, 0)
    assert doc["source_format"] == {"xlsx": "excel"}.get(writer, writer)
    if query:
        assert doc["source_name"] == "轨迹.parquet"


def _encode(rows: list[dict[str, Any]], writer: str) -> bytes:
    if writer == "csv":
        return csv_bytes(rows)
    if writer == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f.{writer}"
        if writer == "parquet":
            pq.write_table(pa.Table.from_pylist(rows), path)
        else:
            write_xlsx(path, rows)
        return path.read_bytes()


def test_a_large_upload_is_answered_202_and_runs_in_the_background(
    world: World, limits: Any
) -> None:
    limits(wait_bytes=1024)  # "large": over 1 KB
    rows = sf_waybills("SFBG", 40)
    response = post_file(world, "sf", "waybills", csv_bytes(rows))
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "received" and body["status_label"] == "已接收"
    assert response.headers["location"] == body["status_url"] == f"{API}/submissions/{body['id']}"
    doc = _poll(world, body["status_url"], "sf")
    assert doc["status"] == "committed" and doc["accepted"] == 40
    # committed is visible a moment before the thread ends and deletes the file
    deadline = time.monotonic() + 30
    while [p for p in spool_files() if _ours(p)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in spool_files() if _ours(p)]


def test_prefer_respond_async_gets_202_for_any_size(world: World) -> None:
    rows = [event(i, brand="sf", waybill_no=f"PREF{i // 3:04d}") for i in range(3)]
    response = post_file(
        world, "sf", "events", csv_bytes(rows), headers={"Prefer": "respond-async"}
    )
    assert response.status_code == 202, response.text
    assert response.headers["preference-applied"] == "respond-async"
    assert _poll(world, response.headers["location"], "sf")["accepted"] == 3


def _poll(world: World, url: str, brand: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        doc: dict[str, Any] = world.as_("anon").client.get(url, headers=key(world, brand)).json()
        if doc["status"] not in ("received", "validating") or time.monotonic() > deadline:
            return doc
        time.sleep(0.1)


def _ours(path: Path) -> bool:
    return path.name.startswith(f"{SPOOL_PREFIX}{os.getpid()}-")


# --- exactly once, brand isolation ----------------------------------------------------------------


def test_a_resubmission_through_the_api_adds_nothing(world: World) -> None:
    content = csv_bytes(sf_waybills("SFRE", 12))
    first = post_file(world, "sf", "waybills", content)
    assert first.status_code == 201 and first.json()["accepted"] == 12
    before = lake_rows(world, "waybills", "sf")
    second = post_file(world, "sf", "waybills", content)
    assert second.status_code == 201
    assert (second.json()["accepted"], second.json()["duplicates"]) == (0, 12)
    assert lake_rows(world, "waybills", "sf") == before


def test_an_enterprise_cannot_submit_another_brands_rows(world: World) -> None:
    rows = [*sf_waybills("SFMIX", 4), waybill(7, brand="zto", waybill_no="ZTO-BY-DAVE")]
    zto_before = lake_rows(world, "waybills", "zto")
    response = post_file(world, "sf", "waybills", csv_bytes(rows))
    assert response.status_code == 201
    doc = response.json()
    assert [(e["row"], e["field"], e["code"]) for e in doc["errors"]] == [
        (5, "brand", "brand_mismatch")
    ]
    assert lake_rows(world, "waybills", "zto") == zto_before
    only_zto = post_file(world, "sf", "waybills", csv_bytes([waybill(8, brand="zto")]))
    assert only_zto.status_code == 422  # all rejected: over the block threshold, nothing kept
    assert only_zto.json()["error"]["details"]["errors"][0]["code"] == "brand_mismatch"


def test_erin_cannot_read_daves_batches(world: World) -> None:
    sf_batch = world.submissions["sf_batch"]
    erin = world.as_("anon").client
    for path in ("", "/quarantine", "/quarantine?format=csv"):
        response = erin.get(f"{API}/submissions/{sf_batch}{path}", headers=key(world, "zto"))
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    listed = erin.get(f"{API}/submissions?page_size=500", headers=key(world, "zto")).json()
    assert listed["items"] and {s["brand"] for s in listed["items"]} == {"zto"}
    other = erin.get(f"{API}/submissions?brand=sf", headers=key(world, "zto")).json()
    assert other["total"] == 0
    assert world.as_("erin").get(f"{API}/submissions/{sf_batch}").status_code == 404
    assert world.as_("bob").get(f"{API}/submissions/{sf_batch}").status_code == 200


# --- 401, 403, 404, 413, 415, 422 ----------------------------------------------------------------


def test_without_credentials_the_api_answers_401(world: World) -> None:
    client = world.as_("anon").client
    content = csv_bytes(sf_waybills("SF401", 1))
    for headers in ({}, {"X-API-Key": "yg_0000000000_" + "x" * 43}):
        response = client.post(
            f"{API}/datasets/waybills/submissions",
            content=content,
            headers=headers | {"Content-Type": CSV},
        )
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "not_authenticated"
    assert client.get(f"{API}/submissions").status_code == 401


def test_a_regulator_may_not_submit(world: World) -> None:
    for persona in ("alice", "bob", "carol"):
        response = world.as_(persona).post(
            f"{API}/datasets/waybills/submissions",
            content=csv_bytes(sf_waybills("SF403", 1)),
            headers={"Content-Type": CSV},
        )
        assert response.status_code == 403, persona
        assert "报送数据" in response.json()["error"]["message"]


def test_an_unknown_dataset_is_404_before_the_body_is_read(world: World) -> None:
    status, body, pulled = _stream(
        world, "/api/v1/datasets/parcels/submissions", key(world, "sf"), 50
    )
    assert status == 404 and "waybills" in body["error"]["message"]
    assert pulled <= 1


def test_an_upload_over_the_limit_is_refused_while_streaming(world: World, limits: Any) -> None:
    limits(max_bytes=64 * 1024)
    headers = key(world, "sf") | {"Content-Type": CSV}
    status, body, pulled = _stream(world, "/api/v1/datasets/waybills/submissions", headers, 400)
    assert status == 413 and body["error"]["code"] == "payload_too_large"
    assert body["error"]["details"]["limit_bytes"] == 64 * 1024
    assert pulled <= 6, pulled  # 16 KB chunks: stopped at the fifth, not after all 400
    boundary = "yg-test-boundary"
    multipart = key(world, "sf") | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, body, pulled = _stream(
        world, "/api/v1/datasets/waybills/submissions", multipart, 400, boundary=boundary
    )
    assert status == 413 and pulled <= 7, (status, pulled)
    assert not [p for p in spool_files() if _ours(p)]
    declared = world.as_("anon").client.post(  # a declared length over the limit: said at once
        f"{API}/datasets/waybills/submissions", content=b"x" * 70_000, headers=headers
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["details"] == {"limit_bytes": 64 * 1024}


def test_a_file_no_reader_takes_is_415_before_it_is_read(world: World) -> None:
    client = world.as_("anon").client
    for headers, query in (
        ({"Content-Type": "image/png"}, ""),
        ({"Content-Type": "application/octet-stream"}, ""),
        ({"Content-Type": "application/octet-stream"}, "?filename=运单.docx"),
    ):
        response = client.post(
            f"{API}/datasets/waybills/submissions{query}",
            content=b"x" * 100,
            headers=key(world, "sf") | headers,
        )
        assert response.status_code == 415, (headers, query)
        assert response.json()["error"]["code"] == "unsupported_media_type"
    part = post_file(world, "sf", "waybills", b"\x89PNG", name="运单.png", media_type="image/png")
    assert part.status_code == 415 and "运单.png" in part.json()["error"]["message"]
    # a browser may label a .csv file as Excel: the extension decides for a form's file
    labelled = post_file(
        world,
        "sf",
        "waybills",
        csv_bytes(sf_waybills("SFLBL", 2)),
        media_type="application/vnd.ms-excel",
    )
    assert labelled.status_code == 201, labelled.text
    status, _, pulled = _stream(
        world,
        "/api/v1/datasets/waybills/submissions",
        key(world, "sf") | {"Content-Type": "image/png"},
        50,
    )
    assert status == 415 and pulled <= 1


def test_a_refused_file_is_422_with_its_error_list_and_commits_nothing(world: World) -> None:
    before = lake_rows(world, "waybills", "sf")
    bad = [waybill(i, brand="sf", waybill_no=f"SFBAD{i}", accepted_at="soon") for i in range(6)]
    response = post_file(world, "sf", "waybills", csv_bytes(sf_waybills("SFOK", 2) + bad))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "submission_refused" and "阈值" in error["message"]
    doc = error["details"]
    assert doc["status"] == "refused" and doc["refusal"]["code"] == "over_threshold"
    assert [e["row"] for e in doc["errors"]] == [3, 4, 5, 6, 7, 8]
    assert {e["code"] for e in doc["errors"]} == {"invalid_timestamp"}
    assert lake_rows(world, "waybills", "sf") == before
    # the refused batch keeps its rejected rows for download
    rows = world.as_("dave").get(f"{API}/submissions/{doc['id']}/quarantine").json()
    assert rows["total"] == 6 and [r["row"] for r in rows["items"]] == [3, 4, 5, 6, 7, 8]

    unknown = post_file(world, "sf", "waybills", b"waybill_no,colour\nSF1,red\n")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"]["refusal"]["code"] == "unknown_columns"
    assert "colour" in unknown.json()["error"]["message"]
    gbk = "运单号,品牌\nSFGBK1,sf\n".encode("gbk")
    declared = post_file(world, "sf", "waybills", gbk, params={"encoding": "gbk"})
    assert declared.status_code == 422  # read as GBK: the header is understood, columns missing
    assert declared.json()["error"]["details"]["refusal"]["code"] == "missing_columns"
    assert post_file(world, "sf", "waybills", gbk, params={"encoding": "rot13"}).status_code == 422
    unreadable = post_file(world, "sf", "waybills", b"PK\x03\x04broken", name="w.xlsx")
    assert unreadable.status_code == 422
    assert unreadable.json()["error"]["details"]["status"] == "refused"


def test_a_malformed_multipart_body_is_400_and_a_form_without_file_422(world: World) -> None:
    client = world.as_("anon").client
    broken = client.post(
        f"{API}/datasets/waybills/submissions",
        content=b"--b\r\nContent-Disposition: form-data; name=file; filename=a.csv\r\n\r\nx",
        headers=key(world, "sf") | {"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "bad_upload"
    no_boundary = client.post(
        f"{API}/datasets/waybills/submissions",
        content=b"x",
        headers=key(world, "sf") | {"Content-Type": "multipart/form-data"},
    )
    assert no_boundary.status_code == 400
    fileless = client.post(
        f"{API}/datasets/waybills/submissions",
        files={"note": (None, "没有文件")},
        headers=key(world, "sf"),
    )
    assert fileless.status_code == 422 and fileless.json()["error"]["details"] == {"field": "file"}
    two = client.post(
        f"{API}/datasets/waybills/submissions",
        files=[("file", ("a.csv", b"a", CSV)), ("file", ("b.csv", b"b", CSV))],
        headers=key(world, "sf"),
    )
    assert two.status_code == 422 and "一个文件" in two.json()["error"]["message"]


def _stream(
    world: World, path: str, headers: dict[str, str], chunks: int, boundary: str | None = None
) -> tuple[int, dict[str, Any], int]:
    """POST a body of ``chunks`` pieces of 16 KB through the ASGI interface, counting how many
    pieces the application pulled before it answered."""
    pulled = 0
    piece = b"waybill_no,brand\n" + b"SF0000000001,sf\n" * 1023

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        if boundary:
            pulled += 1
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
        for _ in range(chunks):
            pulled += 1
            yield piece[: 16 * 1024]

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=world.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(path, content=body(), headers=headers)

    # A fresh thread: a session-scoped browser (Playwright's sync API) may hold this thread's loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        response = pool.submit(lambda: asyncio.run(send())).result()
    return response.status_code, response.json(), pulled


# --- personal data --------------------------------------------------------------------------------


def test_no_plaintext_personal_data_in_home_or_responses_after_an_api_upload(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = world.ctx.settings.home_dir
    spooled: list[Path] = []
    submit = service.submit_file

    def watching(ctx: Any, actor: Any, dataset_name: str, path: Path, **kw: Any) -> Any:
        spooled.append(Path(path))
        assert Path(path).is_file() and home not in Path(path).resolve().parents
        return submit(ctx, actor, dataset_name, path, **kw)

    monkeypatch.setattr(service, "submit_file", watching)
    rows = sf_waybills("SFPII", 20)
    rows += [
        waybill(30, brand="sf", waybill_no="SFPII-X1", service="bogus"),  # quarantined
        waybill(31, brand="sf", waybill_no="SFPII-X2", sender_phone="1" * 300),  # too long
    ]
    secrets = {r[k] for r in rows for k in ("sender_id_no", "sender_name", "sender_phone")}
    texts = []
    response = post_file(world, "sf", "waybills", csv_bytes(rows))
    assert response.status_code == 201 and response.json()["rejected"] == 2
    batch = response.json()["id"]
    texts.append(response.text)
    dave = world.as_("dave")
    for url in (
        f"{API}/submissions/{batch}",
        f"{API}/submissions/{batch}/quarantine",
        f"{API}/submissions/{batch}/quarantine?format=csv",
        f"{API}/submissions?page_size=500",
        f"/submissions/{batch}",
        f"/submissions/{batch}.json",
    ):
        got = dave.get(url)
        assert got.status_code == 200, url
        texts.append(got.text)
    quarantined = dave.get(f"{API}/submissions/{batch}/quarantine").json()["items"]
    assert quarantined[0]["sender_phone_masked"].startswith("139****")
    assert spooled and not any(p.exists() for p in spooled)  # the spool file is gone
    leaks = [s for s in secrets for t in texts if s in t]
    for path in (p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        leaks += [f"{path.name}: {s}" for s in secrets if s.encode() in data]
    assert leaks == []


def test_unmasking_needs_the_permission_a_reason_and_is_audited(world: World) -> None:
    row = waybill(1, brand="sf", waybill_no="SFUNMASK1")
    assert post_file(world, "sf", "waybills", csv_bytes([row])).status_code == 201
    body = {"brand": "sf", "waybill_no": "SFUNMASK1", "field": "sender_phone", "reason": "投诉核查"}
    assert world.as_("bob").post(f"{API}/pii/unmask", json=body).status_code == 403
    assert world.as_("dave").post(f"{API}/pii/unmask", json=body).status_code == 403
    frank = Browser(world.app, FRANK)
    response = frank.post(f"{API}/pii/unmask", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "brand": "sf",
        "waybill_no": "SFUNMASK1",
        "field": "sender_phone",
        "field_label": "寄件人电话",
        "value": row["sender_phone"],
        "audited": True,
    }
    assert response.headers["cache-control"] == "no-store"
    assert frank.post(f"{API}/pii/unmask", json=body | {"reason": " "}).status_code == 422
    assert frank.post(f"{API}/pii/unmask", json=body | {"field": "brand"}).status_code == 422
    missing = frank.post(f"{API}/pii/unmask", json=body | {"waybill_no": "NOPE"})
    assert missing.status_code == 404
    with world.ctx.read() as s:
        entries = list(
            s.scalars(
                select(AuditLog).where(AuditLog.action == "pii.unmask", AuditLog.actor == "frank")
            )
        )
    assert [(e.entity_id, (e.after or {})["reason"]) for e in entries] == [
        ("sf/SFUNMASK1", "投诉核查")
    ]


# --- lists, quarantine, unmapped codes, formats ---------------------------------------------------


def test_the_list_is_paginated_filtered_and_scoped(world: World) -> None:
    bob = world.as_("bob")
    everything = bob.get(f"{API}/submissions?page_size=500").json()
    assert {"sf", "zto"} <= {s["brand"] for s in everything["items"]}
    assert "errors" not in everything["items"][0]
    first = bob.get(f"{API}/submissions?page_size=2").json()
    assert len(first["items"]) == 2 and first["total"] == everything["total"] > 2
    refused = bob.get(f"{API}/submissions?status=refused&page_size=500").json()["items"]
    assert refused and {s["status"] for s in refused} == {"refused"}
    events = bob.get(f"{API}/submissions?dataset=events&brand=zto&page_size=500").json()["items"]
    assert world.submissions["zto_batch"] in {s["id"] for s in events}
    assert {(s["dataset"], s["brand"]) for s in events} == {("events", "zto")}
    future = bob.get(f"{API}/submissions?received_from=2999-01-01").json()
    assert future["total"] == 0
    assert bob.get(f"{API}/submissions?status=lost").status_code == 422
    assert bob.get(f"{API}/submissions?received_to=9999-12-31").status_code == 422
    assert bob.get(f"{API}/submissions?dataset=parcels").status_code == 422


def test_the_quarantine_as_json_pages_and_as_a_csv_download(world: World) -> None:
    batch = world.submissions["sf_batch"]
    dave = world.as_("dave")
    page = dave.get(f"{API}/submissions/{batch}/quarantine?page_size=1").json()
    assert page["total"] == 1 and page["items"][0]["row"] == 8
    assert page["items"][0]["codes"] == "invalid_timestamp"
    assert page["items"][0]["occurred_at"] == "yesterday"
    download = dave.get(f"{API}/submissions/{batch}/quarantine?format=csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert download.content.startswith(codecs.BOM_UTF8)
    table = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [(r["row"], r["codes"]) for r in table] == [("8", "invalid_timestamp")]
    clean = post_file(world, "sf", "events", csv_bytes([event(1, brand="sf", waybill_no="CLEAN1")]))
    empty = dave.get(f"{API}/submissions/{clean.json()['id']}/quarantine?format=csv")
    assert empty.status_code == 200
    assert empty.content.decode("utf-8-sig").splitlines() == [
        ",".join(["row", "fields", "codes", "messages", *_event_columns()])
    ]
    assert dave.get(f"{API}/submissions/{clean.json()['id']}/quarantine").json()["total"] == 0
    assert dave.get(f"{API}/submissions/{'0' * 32}").status_code == 404
    assert dave.get(f"{API}/submissions/not-an-id").status_code == 422


def _event_columns() -> list[str]:
    from youguan.ingest.schemas import EVENTS_DATASET

    return [c.name for c in EVENTS_DATASET.columns]


def test_unmapped_codes_are_counted_per_brand_within_scope(world: World) -> None:
    dave = world.as_("dave").get(f"{API}/submissions/unmapped?page_size=500").json()
    assert ("sf", "ZZ9", "神秘状态", 1) in [
        (c["brand"], c["raw_code"], c["raw_text"], c["rows"]) for c in dave["items"]
    ]
    assert {(c["brand"], c["brand_label"]) for c in dave["items"]} == {("sf", "顺丰")}
    bob = world.as_("bob").get(f"{API}/submissions/unmapped?page_size=500").json()
    assert {("sf", "ZZ9"), ("zto", "ZZ9")} <= {(c["brand"], c["raw_code"]) for c in bob["items"]}
    only = world.as_("bob").get(f"{API}/submissions/unmapped?brand=zto").json()
    assert {c["brand"] for c in only["items"]} == {"zto"}
    assert world.as_("dave").get(f"{API}/submissions/unmapped?brand=zto").json()["items"] == []
    assert world.as_("bob").get(f"{API}/submissions/unmapped?brand=fedex").status_code == 422


def test_the_formats_describe_every_dataset_for_an_exporter(world: World) -> None:
    client = world.as_("anon").client
    catalogue = client.get(f"{API}/datasets").json()
    assert [d["name"] for d in catalogue["datasets"]] == [
        "waybills",
        "events",
        "security",
        "statistics",
    ]
    assert "是" in catalogue["true_words"] and ".parquet" in catalogue["extensions"]
    waybills = catalogue["datasets"][0]
    columns = {c["name"]: c for c in waybills["columns"]}
    assert columns["sender_id_no"]["personal_data"] is True
    assert columns["sender_id_no"]["label"] == "证件号码"
    assert columns["waybill_no"]["required"] is True and columns["service"]["required"] is False
    assert {"code": "standard", "label": "标准快递"} in columns["service"]["allowed"]
    assert columns["accepted_at"]["type"] == "timestamp"
    assert waybills["key"] == ["brand", "waybill_no"] and waybills["key_labels"] == [
        "品牌",
        "运单号",
    ]
    template = client.get(f"{API}/datasets/events?format=csv")
    assert template.status_code == 200
    header, example = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert header == _event_columns() and example[0] == "SF1234567890"
    assert client.get(f"{API}/datasets/events").json()["label"] == "快件轨迹"
