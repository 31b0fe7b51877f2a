"""The plan evaluation report: one model rendered as Word and HTML; Chinese survives LibreOffice."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.conftest import make_settings
from youguan.auth.actor import Actor
from youguan.context import Context, build_context, initialise
from youguan.plan import service as plan_service
from youguan.reports import fonts
from youguan.reports.docx_render import render_docx
from youguan.reports.html_render import render_html
from youguan.reports.plan_report import PlanReport
from youguan.reports.service import ReportError, plan_report, write_plan_report

ACTUALS = """indicator,year,value
business_volume_value,2021,5.1
business_volume_value,2022,6.2
business_volume_value,2023,7.4
business_volume_value,2025,11.6
express_volume,2021,2100
express_volume,2022,2900
express_volume,2023,3600.8
express_volume,2025,6700
delay_rate,2023,0.55
delay_rate,2025,0.45
damage_per_100k,2023,12
on_time_72h_rate,2023,91
on_time_72h_rate,2025,92
new_jobs,2023,0.9
smart_postbox_coverage,2023,60
"""
TITLE_MID = "《西双版纳州邮政业“十四五”发展规划》实施情况中期评估报告"
TITLE_FINAL = "《西双版纳州邮政业“十四五”发展规划》实施情况终期评估报告"


@pytest.fixture(scope="module")
def loaded(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """One store with the actuals for the whole module: building the report (charts) takes
    seconds, and these tests only read."""
    home = tmp_path_factory.mktemp("report-home")
    shutil.copy(sqlite_template, home / "youguan.db")
    with build_context(make_settings(home)) as context:
        initialise(context)
        path = home / "actuals.csv"
        path.write_text(ACTUALS, encoding="utf-8")
        assert plan_service.import_actuals(context, path, Actor.system()).errors == []
        yield context


@pytest.fixture(scope="module")
def midterm(loaded: Context) -> PlanReport:
    return plan_report(loaded, 2023, date=dt.date(2024, 3, 1))


def test_the_model_says_what_the_office_needs(midterm: PlanReport) -> None:
    assert midterm.title == TITLE_MID
    assert (midterm.mode, midterm.office, midterm.date_text) == (
        "midterm",
        "西双版纳州邮政管理局",
        "2024年3月1日",
    )
    assert len(midterm.rows) == 54
    assert sum(midterm.counts.values()) == 48  # restatements counted once
    assert any("快递服务 72 小时准时率" in s and "已达到" in s for s in midterm.achievements)
    assert any("快递损毁率" in s and "出现倒退" in s for s in midterm.shortfalls)
    assert [s.title for s in midterm.sections][:3] == ["发展规模", "服务能力", "服务质量"]
    assert len(midterm.findings) == 7
    assert midterm.charts and all(c.png.startswith(b"\x89PNG") for c in midterm.charts)
    assert all(c.svg.startswith("<svg") for c in midterm.charts)
    row = next(r for r in midterm.rows if r.code == "business_volume_value")
    assert (row.baseline, row.target, row.milestone, row.actual) == (
        "3.95",
        "12.05",
        "7.71",
        "7.40",
    )
    assert row.status_label == "需加快推进" and "尚需年均 27.61%" in row.outlook
    prov = next(p for p in midterm.provenance if p.indicator == "完成全州邮政业务总量")
    assert "actuals.csv 第 4 行" in prov.detail
    assert midterm.proposals == []


def test_the_final_report_judges_2025_and_proposes_the_next_plan(loaded: Context) -> None:
    final = plan_report(loaded, 2025, date=dt.date(2026, 3, 1))
    assert final.title == TITLE_FINAL and final.mode == "final"
    volume = next(r for r in final.rows if r.code == "express_volume")
    assert volume.status == "achieved"
    bvv = next(r for r in final.rows if r.code == "business_volume_value")
    assert bvv.outlook == "差 0.45亿元"  # 12.05 − 11.60
    names = {p.name for p in final.proposals}
    assert {"快递业务量", "完成全州邮政业务总量", "快递延误率"} <= names
    delay = next(p for p in final.proposals if p.name == "快递延误率")
    assert delay.trend.startswith("<")


def test_the_word_document_has_the_table_the_charts_and_chinese_fonts(
    midterm: PlanReport, tmp_path: Path
) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(render_docx(midterm))
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "西双版纳州邮政管理局" in text and TITLE_MID in text and "2024年3月1日" in text
    for heading in ("一、总体情况", "二、主要指标完成情况", "三、分领域评估", "四、规划核查"):
        assert heading in text
    full = next(t for t in doc.tables if t.rows[0].cells[1].text == "指标（单位）")
    assert len(full.rows) == 1 + 54
    cells = [c.text for c in full.rows[1].cells]
    assert cells[:6] == ["1", "完成全州邮政业务总量（亿元）", "3.95", "12.05", "7.71", "7.40"]
    assert cells[6] == "需加快推进"
    shading = full.rows[1].cells[6]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
    assert shading == "F1A340"
    audit = next(t for t in doc.tables if t.rows[0].cells[1].text == "问题类型")
    assert len(audit.rows) == 1 + 7
    assert len(doc.inline_shapes) == len(midterm.charts) >= 3
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == fonts.BODY_FONT
    heading = doc.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) == fonts.HEADING_FONT
    assert heading.get(qn("w:asciiTheme")) is None  # theme fonts would override the names
    run = doc.paragraphs[4].runs[0]
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) in (fonts.BODY_FONT, fonts.HEADING_FONT)


def test_the_html_version_has_the_same_content(midterm: PlanReport) -> None:
    html = render_html(midterm)
    assert html.startswith("<!doctype html>")
    assert TITLE_MID in html and "2024年3月1日" in html
    assert html.count("<svg") == len(midterm.charts)
    assert "完成全州邮政业务总量（亿元）" in html and "需加快推进" in html
    for fetch in ('src="http', "src='http", 'href="http', "<link", "url(http", "@import"):
        assert fetch not in html  # self-contained: nothing fetched
    for f in midterm.findings:
        assert f.message.replace("“", "&#8220;")[:10] in html or f.message[:10] in html


def test_write_by_extension(loaded: Context, tmp_path: Path) -> None:
    docx = write_plan_report(loaded, 2023, tmp_path / "r.docx", date=dt.date(2024, 3, 1))
    html = write_plan_report(loaded, 2023, tmp_path / "r.html", refresh=False)
    assert docx.read_bytes().startswith(b"PK") and "<svg" in html.read_text("utf-8")
    with pytest.raises(ReportError):
        write_plan_report(loaded, 2023, tmp_path / "r.pdf")


def test_a_missing_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    fonts.chart_font.cache_clear()
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    try:
        with pytest.raises(fonts.FontError, match="fonts-noto-cjk"):
            fonts.chart_font()
    finally:
        fonts.chart_font.cache_clear()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice not installed")
def test_libreoffice_renders_the_chinese(midterm: PlanReport, tmp_path: Path) -> None:
    docx = tmp_path / "report.docx"
    docx.write_bytes(render_docx(midterm))
    profile = tmp_path / "lo-profile"  # its own profile: no clash with another LibreOffice
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "report.pdf"
    fonts_listed = subprocess.run(
        ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert "CJK" in fonts_listed  # Noto CJK substituted for SimSun/SimHei
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    squashed = "".join(text.split())
    assert "西双版纳州邮政管理局" in squashed
    assert "实施情况中期评估报告" in squashed
    assert "主要指标完成情况" in squashed and "需加快推进" in squashed
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 5000
