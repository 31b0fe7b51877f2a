"""The plan evaluation report as a Word document (python-docx), in the layout of an official
report: title page, numbered chapters, the full indicator table with status colours, charts, the
plan audit, a chapter per area and the provenance of every figure.

Fonts: 宋体 (SimSun) body and 黑体 (SimHei) headings are set on the styles *and* on every run, in
``w:eastAsia`` (the attribute Word uses for Chinese) with ``w:lang eastAsia=zh-CN``; the theme
font attributes of the default template are removed because they override named fonts.
LibreOffice without SimSun substitutes Noto CJK through fontconfig.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from youguan.reports.charts import Chart
from youguan.reports.fonts import (
    BODY_FONT,
    HEADING_FONT,
    LATIN_BODY_FONT,
    LATIN_HEADING_FONT,
)
from youguan.reports.plan_report import PlanReport, Row, ink_for, numeral

BODY_SIZE = Pt(12)  # 小四
TABLE_SIZE = Pt(8)
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _fonts(element: Any, latin: str, east_asia: str) -> None:
    """Name the fonts of a style's or run's ``w:rPr`` for Latin and East Asian text."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _setup_styles(doc: Any) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    _fonts(normal.element, LATIN_BODY_FONT, BODY_FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.35
    # Document defaults too, so that anything without a style still shows Chinese.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            holder = _RprHolder(rpr_default)
            _fonts(holder, LATIN_BODY_FONT, BODY_FONT)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12)):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element, LATIN_HEADING_FONT, HEADING_FONT)
    title_ppr = styles["Title"].element.pPr
    if title_ppr is not None and title_ppr.find(qn("w:pBdr")) is not None:
        title_ppr.remove(title_ppr.find(qn("w:pBdr")))  # the template's blue rule
    for name in ("Caption", "Table Grid"):
        if name in [s.name for s in styles]:
            _fonts(styles[name].element, LATIN_BODY_FONT, BODY_FONT)


class _RprHolder:
    """Adapter giving ``w:rPrDefault`` the ``get_or_add_rPr`` of a style element."""

    def __init__(self, element: Any) -> None:
        self.element = element

    def get_or_add_rPr(self) -> Any:
        return self.element.find(qn("w:rPr"))


def _run(
    paragraph: Any,
    text: str,
    *,
    bold: bool = False,
    size: Any = None,
    heading: bool = False,
    colour: str | None = None,
) -> Any:
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size is not None:
        run.font.size = size
    if colour is not None:
        run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
    if heading:
        _fonts(run._element, LATIN_HEADING_FONT, HEADING_FONT)
    else:
        _fonts(run._element, LATIN_BODY_FONT, BODY_FONT)
    return run


def _para(
    doc: Any,
    text: str = "",
    *,
    indent: bool = True,
    align: Any = None,
    bold: bool = False,
    size: Any = None,
    heading: bool = False,
) -> Any:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(24)  # two characters, as official text
    if align is not None:
        p.alignment = align
    if text:
        _run(p, text, bold=bold, size=size, heading=heading)
    return p


def _heading(doc: Any, text: str, level: int) -> None:
    h = doc.add_heading(level=level)
    _run(h, text, heading=True)


def _shade(cell: Any, colour: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour.lstrip("#").upper())
    tcpr.append(shd)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _table(
    doc: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    shading: dict[tuple[int, int], str] | None = None,
) -> Any:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell.paragraphs[0], text, bold=True, size=TABLE_SIZE, heading=True)
        _shade(cell, "#E7E6E6")
    _repeat_header(table.rows[0])
    for i, values in enumerate(rows):
        cells = table.add_row().cells
        for j, (cell, text) in enumerate(zip(cells, values, strict=True)):
            colour = (shading or {}).get((i, j))
            if colour:
                _shade(cell, colour)
            _run(
                cell.paragraphs[0],
                text,
                size=TABLE_SIZE,
                colour=ink_for(colour) if colour else None,
            )
    for row in table.rows:
        for cell in row.cells:
            fmt = cell.paragraphs[0].paragraph_format
            fmt.line_spacing, fmt.space_after = 1.0, Pt(0)
    _widths(table, widths)
    doc.add_paragraph()
    return table


def _widths(table: Any, widths: Sequence[float]) -> None:
    """Fixed column widths. Word reads the cells' ``w:tcW``, LibreOffice the table grid
    (``w:gridCol``): set both, and a fixed layout so neither re-flows the columns."""
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _indicator_table(doc: Any, rows: Sequence[Row], report: PlanReport) -> None:
    outlook = "差距" if report.mode == "final" else "预测与所需增长"
    header = [
        "序号",
        "指标（单位）",
        "基期值",
        "目标值",
        f"{report.year}年里程碑",
        f"{report.year}年实际",
        "状态",
        "比率",
        outlook,
    ]
    body = [
        [
            str(i),
            f"{r.name}（{r.unit}）",
            r.baseline,
            r.target,
            r.milestone,
            r.actual,
            r.status_label,
            r.ratio,
            r.outlook,
        ]
        for i, r in enumerate(rows, 1)
    ]
    shading = {(i, 6): r.colour for i, r in enumerate(rows)}
    _table(doc, header, body, [1.0, 3.6, 1.3, 1.4, 1.4, 1.4, 1.6, 1.0, 3.9], shading=shading)


def _chart(doc: Any, chart: Chart, number: int) -> None:
    doc.add_picture(io.BytesIO(chart.png), width=Cm(chart.width_cm))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True  # the caption stays under its chart
    caption = _para(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(caption, f"图{number}  {chart.title}", size=Pt(10), heading=True)


def _page_number_footer(section: Any) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "— ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    _run(p, " —")


def render_docx(report: PlanReport) -> bytes:
    """The report as a .docx file (bytes)."""
    doc = Document()
    _setup_styles(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.5)
    _page_number_footer(section)

    # Title page
    for _ in range(4):
        doc.add_paragraph()
    _para(
        doc,
        report.office,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        bold=True,
        size=Pt(20),
        heading=True,
    )
    doc.add_paragraph()
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, report.title, heading=True, size=Pt(22), bold=True)
    doc.add_paragraph()
    _para(
        doc,
        f"（评估年度：{report.year}年）",
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=Pt(14),
    )
    for _ in range(6):
        doc.add_paragraph()
    _para(doc, report.office, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14))
    _para(doc, report.date_text, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14))
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)

    chapter = 0
    figure = 0

    def chapter_heading(text: str) -> None:
        nonlocal chapter
        chapter += 1
        _heading(doc, f"{numeral(chapter)}、{text}", 1)

    chapter_heading("总体情况")
    for text in report.summary:
        _para(doc, text)
    _heading(doc, "（一）主要成效", 2)
    for text in report.achievements or ["暂无已实现或按计划推进的指标。"]:
        _para(doc, text)
    _heading(doc, "（二）存在的差距", 2)
    for text in report.shortfalls or ["暂无进展不足的指标。"]:
        _para(doc, text)
    if report.gaps:
        _heading(doc, "（三）数据缺口", 2)
        _para(
            doc,
            f"以下指标暂无可用实际值或基期值，无法评估：{'、'.join(report.gaps)}。"
            "建议落实数据来源，在下一次评估前补齐。",
        )
    for chart in report.overview:
        figure += 1
        _chart(doc, chart, figure)

    chapter_heading("主要指标完成情况")
    _para(
        doc,
        "表中状态颜色：" + "；".join(item[1] for item in report.legend) + "。"
        "基期值、目标值按规划原文照录（“<”表示界限值）。",
    )
    _indicator_table(doc, report.rows, report)

    chapter_heading("分领域评估")
    for i, sec in enumerate(report.sections, 1):
        _heading(doc, f"（{numeral(i)}）{sec.title}", 2)
        for text in sec.paragraphs:
            _para(doc, text)
        _indicator_table(doc, sec.rows, report)
        if sec.chart is not None:
            figure += 1
            _chart(doc, sec.chart, figure)

    chapter_heading("规划核查")
    if report.findings:
        _para(
            doc,
            "按 DOMAIN §4.2 核查规划自身的算术（年均增长与基期、目标的一致性，容差为印刷末位的"
            "半个单位）以及正文与附表的一致性。以下问题保留两个数字，供核定目标时参考，评估中不作"
            "改动。",
        )
        _table(
            doc,
            ["指标", "问题类型", "规划所列", "核算/正文", "说明"],
            [[f.indicator, f.kind, f.stated, f.computed, f.message] for f in report.findings],
            [2.6, 2.4, 1.6, 1.6, 8.4],
        )
    else:
        _para(doc, "未发现规划文本中的数字问题。")

    if report.proposals:
        chapter_heading("下一规划期目标建议")
        if report.proposal_note:
            _para(doc, report.proposal_note)
        _table(
            doc,
            ["指标", "单位", "基期值", "趋势方案", "积极方案", "稳健方案", "依据"],
            [
                [p.name, p.unit, p.baseline, p.trend, p.ambitious, p.conservative, p.basis]
                for p in report.proposals
            ],
            [3.4, 1.2, 1.6, 1.6, 1.6, 1.6, 5.6],
        )

    chapter_heading("数据来源与口径")
    _table(
        doc,
        ["指标", "年份", "来源", "出处"],
        [[p.indicator, p.year, p.source, p.detail] for p in report.provenance],
        [4.0, 1.2, 1.8, 9.6],
    )
    for text in report.method:
        _para(doc, text)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
