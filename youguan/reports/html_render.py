"""The plan evaluation report as one self-contained HTML page (Jinja2): styles inline, charts
inlined as SVG (text drawn as paths, so no font is needed to read them), nothing fetched."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from youguan.reports.plan_report import PlanReport, numeral


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("youguan.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["numeral"] = numeral
    return env


def render_html(report: PlanReport) -> str:
    return _env().get_template("plan_report.html").render(report=report)
