"""The plan API: every endpoint and status code — the public reads a published plan, a hidden one
is a 404; imports report errors by row; 413 and 415; corrections are audited; reads never write;
the report is made once and then served from the cache."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.plan.factories import HIDDEN_PLAN_ID, SHIPPED_PLAN_ID
from tests.registry.factories import network
from tests.web.conftest import World, build_world, open_world
from youguan.audit.models import AuditLog
from youguan.audit.service import history
from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.plan.actuals import MAX_UPLOAD_BYTES
from youguan.plan.models import PlanActual
from youguan.registry import service as registry

API = "/api/v1/plans"
PLAN = f"{API}/{SHIPPED_PLAN_ID}"
HIDDEN = f"{API}/{HIDDEN_PLAN_ID}"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ROWS = """indicator,year,value,note
express_volume,2021,2100,年报
express_volume,2022,2900,
express_volume,2023,3600.8,
bogus,2023,1,
delay_rate,2023,<3,
on_time_72h_rate,2023,91%,
text_delay_rate,2023,0.4,
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("plan-api"), sqlite_template) as w:
        upload = w.as_("bob").post(
            f"{PLAN}/actuals", files={"file": ("张三填报.csv", ROWS.encode(), "text/csv")}
        )
        assert upload.status_code == 200, upload.text
        yield w


@pytest.fixture
def fresh(ctx: Context) -> World:
    return build_world(ctx)


def _envelope(response: object, status: int, code: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text[:300]  # type: ignore[attr-defined]
    error: dict[str, object] = response.json()["error"]  # type: ignore[attr-defined]
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


# --- reads ------------------------------------------------------------------------------------


def test_the_public_lists_published_plans_and_the_staff_all(world: World) -> None:
    public = world.as_("anon").get(API).json()
    assert [p["id"] for p in public["items"]] == [SHIPPED_PLAN_ID]
    assert public["items"][0]["public"] is True and public["total"] == 1
    staff = world.as_("carol").get(API).json()
    assert [p["id"] for p in staff["items"]] == [SHIPPED_PLAN_ID, HIDDEN_PLAN_ID]
    second = world.as_("alice").get(API, params={"page": 2, "page_size": 1}).json()
    assert (second["total"], [p["id"] for p in second["items"]]) == (2, [HIDDEN_PLAN_ID])
    by_key = world.as_("anon").client.get(API, headers={"X-API-Key": world.keys["sf"][1]})
    assert by_key.json()["total"] == 1  # an enterprise sees what the public sees
    _envelope(world.as_("anon").get(API, params={"page_size": 501}), 422, "validation_error")


def test_indicators_are_paged_and_a_hidden_plan_is_not_found(world: World) -> None:
    first = world.as_("anon").get(f"{PLAN}/indicators").json()
    assert (first["total"], len(first["items"]), first["page_size"]) == (54, 50, 50)
    rest = world.as_("anon").get(f"{PLAN}/indicators", params={"page": 2}).json()
    assert len(rest["items"]) == 4
    volume = next(i for i in first["items"] if i["code"] == "express_volume")
    assert (volume["baseline"], volume["target"], volume["table_row"]) == ("1455.56", "6526.73", 6)
    assert world.as_("bob").get(f"{HIDDEN}/indicators").json()["total"] == 2
    for persona in ("dave", "anon"):
        error = _envelope(world.as_(persona).get(f"{HIDDEN}/indicators"), 404, "not_found")
        assert HIDDEN_PLAN_ID in str(error["message"])
    _envelope(world.as_("alice").get(f"{API}/no-such-plan/indicators"), 404, "not_found")
    _envelope(world.as_("alice").get(f"{API}/Bad_Id/indicators"), 422, "validation_error")


def test_status_in_a_year_with_its_provenance(world: World) -> None:
    staff = world.as_("bob").get(f"{PLAN}/status", params={"year": 2023}).json()
    rows = {r["code"]: r for r in staff["indicators"]}
    volume = rows["express_volume"]
    assert (volume["actual"], volume["actual_source"], volume["status"]) == (
        3600.8,
        "manual",
        "on_track",  # 35.3 % a year against 35.0 % needed
    )
    assert volume["series"] == {"2021": 2100.0, "2022": 2900.0, "2023": 3600.8}
    assert volume["provenance"]["file"] == "张三填报.csv"  # the uploaded name, not a temp path
    assert rows["on_time_72h_rate"]["actual"] == 91.0
    assert sum(staff["counts"].values()) == 48
    public = world.as_("anon").get(f"{PLAN}/status", params={"year": 2023}).json()
    prov = {r["code"]: r for r in public["indicators"]}["express_volume"]["provenance"]
    assert prov == {"method": "import"}  # no file names for the public
    assert "张三" not in world.as_("anon").get(f"{PLAN}/status?year=2023").text


@pytest.mark.parametrize(
    ("query", "status"), [({}, 422), ({"year": 2020}, 422), ({"year": "x"}, 422)]
)
def test_status_needs_a_year_of_the_period(
    world: World, query: dict[str, object], status: int
) -> None:
    error = _envelope(world.as_("anon").get(f"{PLAN}/status", params=query), status)
    assert error["details"]


def test_a_hidden_plan_status_is_for_the_staff(world: World) -> None:
    assert world.as_("carol").get(f"{HIDDEN}/status", params={"year": 2027}).status_code == 200
    for persona in ("dave", "erin", "anon"):
        _envelope(world.as_(persona).get(f"{HIDDEN}/status", params={"year": 2027}), 404)


def test_the_audit_keeps_both_numbers(world: World) -> None:
    report = world.as_("anon").get(f"{PLAN}/audit").json()
    assert report["plan"] == SHIPPED_PLAN_ID and len(report["findings"]) == 7
    growth = [f for f in report["findings"] if f["kind"] == "growth_mismatch"]
    assert growth and all(f["stated"] is not None and f["computed"] is not None for f in growth)
    assert all(f["tolerance"] for f in growth)
    _envelope(world.as_("erin").get(f"{HIDDEN}/audit"), 404)
    assert world.as_("alice").get(f"{HIDDEN}/audit").json()["findings"] == []


# --- reads never write; the refresh does ------------------------------------------------------


def _count(ctx: Context, model: type[PlanActual] | type[AuditLog]) -> int:
    with ctx.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_reads_write_nothing_and_the_refresh_is_a_permitted_change(fresh: World) -> None:
    with fresh.ctx.transaction() as s:
        for data in network():
            registry.create_facility(s, Actor.system("tests"), data)
    anon, alice = fresh.as_("anon"), fresh.as_("alice")  # logging in is audited: before counting
    before = (_count(fresh.ctx, PlanActual), _count(fresh.ctx, AuditLog))
    for path in ("/status?year=2023", "/audit", "/indicators", "/report?year=2023"):
        assert anon.get(PLAN + path).status_code == 200, path
        assert alice.get(PLAN + path).status_code == 200, path
    assert (_count(fresh.ctx, PlanActual), _count(fresh.ctx, AuditLog)) == before
    _envelope(fresh.as_("anon").post(f"{PLAN}/actuals/refresh"), 401, "not_authenticated")
    _envelope(fresh.as_("dave").post(f"{PLAN}/actuals/refresh"), 403, "forbidden")
    county = _envelope(fresh.as_("carol").post(f"{PLAN}/actuals/refresh"), 403, "forbidden")
    assert "县级账号" in str(county["message"])
    done = fresh.as_("bob").post(f"{PLAN}/actuals/refresh")
    assert done.status_code == 200 and done.json()["stored"] > 0
    status = fresh.as_("anon").get(f"{PLAN}/status?year=2022").json()
    parks = {r["code"]: r for r in status["indicators"]}["express_parks"]
    assert (parks["actual"], parks["actual_source"]) == (1.0, "registry")
    assert parks["provenance"]["as_of"] == "2022-12-31"
    with fresh.ctx.read() as s:
        (entry,) = history(s, entity="plan", action="plan.actuals.refresh")
    assert entry.actor == "bob"


# --- import -----------------------------------------------------------------------------------


def test_an_import_reports_errors_by_row_and_keeps_the_good_rows(fresh: World) -> None:
    response = fresh.as_("alice").post(
        f"{PLAN}/actuals", files={"file": ("2023年实际值.csv", ROWS.encode(), "text/csv")}
    )
    assert response.status_code == 200
    result = response.json()
    assert result["file"] == "2023年实际值.csv"
    assert (result["rows"], result["accepted"], result["rejected"], result["created"]) == (
        7,
        4,
        3,
        4,
    )
    assert [(e["row"], e["field"], e["code"]) for e in result["errors"]] == [
        (5, "indicator", "unknown_indicator"),
        (6, "value", "invalid_number"),
        (8, "indicator", "restated_indicator"),
    ]
    assert all(e["message"] for e in result["errors"])
    again = fresh.as_("alice").post(
        f"{PLAN}/actuals",
        files={"file": ("fix.csv", b"indicator,year,value\nexpress_volume,2023,3700\n")},
    )
    assert (again.json()["corrected"], again.json()["created"]) == (1, 0)


def test_an_excel_import(fresh: World) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["指标", "年份", "数值"])
    ws.append(["快递业务量", 2023, 3600.8])
    ws.append(["express_volume", 2022, "abc"])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = fresh.as_("bob").post(
        f"{PLAN}/actuals", files={"file": ("actuals.xlsx", buffer.getvalue())}
    )
    result = response.json()
    assert (result["accepted"], [(e["row"], e["code"]) for e in result["errors"]]) == (
        1,
        [(3, "invalid_number")],
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "缺少表头"),
        ("cols.csv", b"indicator,value\nexpress_volume,3\n", "缺少列：year"),
        ("broken.xlsx", b"not a zip", "无法读取 Excel 文件"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_422_and_writes_nothing(
    fresh: World, name: str, content: bytes, message: str
) -> None:
    error = _envelope(
        fresh.as_("alice").post(f"{PLAN}/actuals", files={"file": (name, content)}), 422
    )
    assert message in str(error["message"])
    assert _count(fresh.ctx, PlanActual) == 0


def test_413_and_415(fresh: World) -> None:
    alice = fresh.as_("alice")
    big = b"indicator,year,value\n" + b"x" * MAX_UPLOAD_BYTES
    error = _envelope(
        alice.post(f"{PLAN}/actuals", files={"file": ("big.csv", big)}), 413, "payload_too_large"
    )
    assert error["details"] == {"limit_bytes": MAX_UPLOAD_BYTES, "file": "big.csv"}
    pdf = alice.post(f"{PLAN}/actuals", files={"file": ("actuals.pdf", b"%PDF-1.4")})
    error = _envelope(pdf, 415, "unsupported_media_type")
    assert "不支持的文件类型 .pdf" in str(error["message"])
    as_json = alice.post(f"{PLAN}/actuals", json={"indicator": "express_volume"})
    _envelope(as_json, 415, "unsupported_media_type")
    as_text = alice.post(f"{PLAN}/actuals", content=b"a,b", headers={"Content-Type": "text/csv"})
    _envelope(as_text, 415, "unsupported_media_type")  # refused by the body guard
    assert _count(fresh.ctx, PlanActual) == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("anon", 401), ("dave", 403), ("erin", 403), ("carol", 403)]
)
def test_importing_needs_plan_write_for_the_plans_division(
    fresh: World, persona: str, status: int
) -> None:
    response = fresh.as_(persona).post(
        f"{PLAN}/actuals", files={"file": ("a.csv", b"indicator,year,value\n")}
    )
    _envelope(response, status)
    hidden = fresh.as_(persona).post(
        f"{HIDDEN}/actuals", files={"file": ("a.csv", b"indicator,year,value\n")}
    )
    assert hidden.status_code == status  # refused before the plan is even looked up


# --- correction -------------------------------------------------------------------------------


def test_a_correction_is_audited_with_both_values(fresh: World) -> None:
    bob = fresh.as_("bob")
    url = f"{PLAN}/actuals/delay_rate/2023"
    first = bob.request("PUT", url, json={"value": 0.55, "note": "抽样复核"})
    assert first.status_code == 200
    body = first.json()
    assert (body["value"], body["source"], body["source_label"], body["recorded_by"]) == (
        0.55,
        "manual",
        "人工填报",
        "bob",
    )
    assert body["provenance"] == {"method": "entry"} and body["note"] == "抽样复核"
    assert bob.request("PUT", url, json={"value": 0.52}).json()["value"] == 0.52
    with fresh.ctx.read() as s:
        entries = history(s, entity="plan_actual")
    assert [e.action for e in entries] == ["plan.actual.correct", "plan.actual.create"]
    correction = entries[0]
    assert correction.actor == "bob"
    assert correction.before is not None and correction.after is not None
    assert (correction.before["value"], correction.after["value"]) == (0.55, 0.52)
    status = fresh.as_("anon").get(f"{PLAN}/status?year=2023").json()
    rows = {r["code"]: r for r in status["indicators"]}
    assert rows["delay_rate"]["actual"] == 0.52
    assert rows["text_delay_rate"]["actual"] == 0.52  # the text restates the table row


def test_a_correction_refused(fresh: World) -> None:
    alice = fresh.as_("alice")
    _envelope(alice.request("PUT", f"{PLAN}/actuals/no_such/2023", json={"value": 1}), 404)
    error = _envelope(
        alice.request("PUT", f"{PLAN}/actuals/delay_rate/2023", json={"value": 120}), 422
    )
    assert error["details"][0]["code"] == "out_of_range"  # type: ignore[index]
    restated = alice.request("PUT", f"{PLAN}/actuals/text_delay_rate/2023", json={"value": 0.4})
    assert _envelope(restated, 422)["details"][0]["code"] == "restated_indicator"  # type: ignore[index]
    error = _envelope(
        alice.request("PUT", f"{PLAN}/actuals/delay_rate/1990", json={"value": 0.4}), 422
    )
    assert error["details"][0]["code"] == "year_out_of_range"  # type: ignore[index]
    _envelope(alice.request("PUT", f"{PLAN}/actuals/delay_rate/2023", json={}), 422)
    _envelope(alice.request("PUT", f"{PLAN}/actuals/delay_rate/99999", json={"value": 1}), 422)
    _envelope(
        fresh.as_("anon").request("PUT", f"{PLAN}/actuals/delay_rate/2023", json={"value": 1}), 401
    )
    _envelope(
        fresh.as_("dave").request("PUT", f"{PLAN}/actuals/delay_rate/2023", json={"value": 1}), 403
    )
    _envelope(
        fresh.as_("carol").request("PUT", f"{PLAN}/actuals/delay_rate/2023", json={"value": 1}), 403
    )
    assert _count(fresh.ctx, PlanActual) == 0


# --- report -----------------------------------------------------------------------------------


def test_the_report_is_built_once_then_served_from_the_cache(world: World) -> None:
    anon = world.as_("anon")
    first = anon.get(f"{PLAN}/report", params={"year": 2023})
    assert first.status_code == 200 and first.headers["content-type"] == DOCX
    assert first.content.startswith(b"PK")  # a .docx is a zip
    disposition = first.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="{SHIPPED_PLAN_ID}-2023-report.docx"' in disposition
    assert "filename*=UTF-8''" in disposition
    assert first.headers["x-report-cache"] == "miss"
    second = anon.get(f"{PLAN}/report", params={"year": 2023})
    assert second.headers["x-report-cache"] == "hit" and second.content == first.content
    html = anon.get(f"{PLAN}/report", params={"year": 2023, "format": "html"})
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["content-disposition"].startswith("inline;")
    assert "实施情况中期评估报告" in html.text
    assert "张三填报.csv" not in html.text  # the public's copy names no files
    staff = world.as_("bob").get(f"{PLAN}/report", params={"year": 2023, "format": "html"})
    assert "张三填报.csv" in staff.text
    cached = sorted(p.name for p in (world.ctx.settings.reports_dir / "plan").iterdir())
    assert len(cached) == 3 and all(n.startswith(f"{SHIPPED_PLAN_ID}-2023-") for n in cached)


def test_new_data_makes_a_new_report(fresh: World) -> None:
    anon = fresh.as_("anon")
    assert anon.get(f"{PLAN}/report?year=2025").headers["x-report-cache"] == "miss"
    assert anon.get(f"{PLAN}/report?year=2025").headers["x-report-cache"] == "hit"
    fresh.as_("alice").request("PUT", f"{PLAN}/actuals/express_volume/2025", json={"value": 6700})
    again = anon.get(f"{PLAN}/report?year=2025")
    assert again.headers["x-report-cache"] == "miss"
    assert "终期评估报告" in anon.get(f"{PLAN}/report?year=2025&format=html").text
    files = list((fresh.ctx.settings.reports_dir / "plan").glob("*.docx"))
    assert len(files) == 1  # the stale report was removed


def test_report_refusals(world: World) -> None:
    _envelope(world.as_("anon").get(f"{HIDDEN}/report?year=2027"), 404)
    _envelope(world.as_("anon").get(f"{PLAN}/report?year=2030"), 422)
    _envelope(world.as_("anon").get(f"{PLAN}/report?year=2023&format=pdf"), 422)
    _envelope(world.as_("anon").get(f"{PLAN}/report"), 422)


def test_stable_operation_ids(world: World) -> None:
    doc = world.as_("anon").get("/api/v1/openapi.json").json()
    ids = {
        op["operationId"]
        for path, ops in doc["paths"].items()
        if "/plans" in path
        for op in ops.values()
    }
    assert ids == {
        "plans_list",
        "plan_indicators_list",
        "plan_status_get",
        "plan_audit_get",
        "plan_report_get",
        "plan_actuals_import",
        "plan_actual_set",
        "plan_actuals_refresh",
    }
