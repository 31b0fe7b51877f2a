"""Charts of the plan evaluation (matplotlib, Agg, no pyplot state): each rendered once as PNG
(for Word) and SVG with text as paths (for HTML, self-contained and readable without fonts)."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from youguan.plan.rules import STATUS_COLOURS, STATUS_LABELS, STATUSES
from youguan.plan.schemas import IndicatorStatus
from youguan.reports.fonts import chart_font

DPI = 200
_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    png: bytes
    svg: str  # an <svg> element, no XML prologue, ready to inline
    width_cm: float = 15.5


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(
        {
            "font.family": [chart_font()],
            "axes.unicode_minus": False,  # the CJK fonts lack U+2212
            "svg.fonttype": "path",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8,
            "legend.fontsize": 8,
        }
    ):
        yield


def _render(key: str, title: str, draw: Callable[[Any], None], size: tuple[float, float]) -> Chart:
    from matplotlib.figure import Figure

    with _style():
        fig = Figure(figsize=size, layout="constrained")
        draw(fig)
        png, svg = io.BytesIO(), io.StringIO()
        fig.savefig(png, format="png", dpi=DPI)
        # No metadata block: no creation date (reproducible output), no external namespaces.
        fig.savefig(
            svg, format="svg", metadata=dict.fromkeys(("Creator", "Date", "Format", "Type"))
        )
    return Chart(key, title, png.getvalue(), _XML_PROLOGUE.sub("", svg.getvalue(), count=1))


def status_overview(rows: Sequence[IndicatorStatus], title: str) -> Chart:
    """How many indicators are in each status (a horizontal bar per status)."""
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
    labels = [STATUS_LABELS[s] for s in STATUSES][::-1]
    values = [counts[s] for s in STATUSES][::-1]
    colours = [STATUS_COLOURS[s] for s in STATUSES][::-1]

    def draw(fig: Any) -> None:
        ax = fig.subplots()
        bars = ax.barh(labels, values, color=colours)
        ax.bar_label(bars, padding=3, fontsize=8)
        ax.set_xlabel("指标数（项）")
        ax.set_title(title)
        ax.set_xlim(0, max([*values, 1]) * 1.15)

    return _render("status_overview", title, draw, (6.2, 2.8))


def progress_ratios(rows: Sequence[IndicatorStatus], title: str) -> Chart | None:
    """The Open SDG ratio of each indicator that has one, coloured by status, with the
    thresholds 0.6 and 0.95 marked."""
    data = [r for r in rows if r.ratio is not None and r.path != "annual"]
    if not data:
        return None
    data.sort(key=lambda r: r.ratio or 0.0)

    def draw(fig: Any) -> None:
        ax = fig.subplots()
        shown = [max(-1.0, min(2.0, r.ratio or 0.0)) for r in data]
        ax.barh([r.name for r in data], shown, color=[STATUS_COLOURS[r.status] for r in data])
        for x, label in ((0.6, "0.6"), (0.95, "0.95")):
            ax.axvline(x, color="#555555", lw=0.8, ls="--")
            ax.text(
                x + 0.02,
                0.01,
                label,
                transform=ax.get_xaxis_transform(),
                fontsize=7,
                ha="left",
                va="bottom",
                color="#555555",
            )
        ax.axvline(0, color="#000000", lw=0.8)
        ax.set_xlim(-1.05, 2.05)
        ax.set_xlabel("进展比率 R = 实际年均增长 ÷ 所需年均增长（显示范围 −1 至 2）")
        ax.set_title(title)

    return _render("progress_ratios", title, draw, (6.2, 0.9 + 0.26 * len(data)))


def area_trends(key: str, rows: Sequence[IndicatorStatus], title: str) -> Chart | None:
    """Small multiples: for each indicator with actuals, the actuals, the plan's milestone path,
    the target and the projection interval in the target year."""
    data = [r for r in rows if r.series]
    if not data:
        return None
    cols = min(3, len(data))
    nrows = math.ceil(len(data) / cols)

    def draw(fig: Any) -> None:
        axes = fig.subplots(nrows, cols, squeeze=False)
        for ax in axes.flat[len(data) :]:
            ax.set_visible(False)
        for ax, r in zip(axes.flat, data, strict=False):
            baseline = _number(r.baseline)
            target = _number(r.target)
            assert target is not None
            if r.milestones:
                ax.plot(
                    list(r.milestones),
                    list(r.milestones.values()),
                    ls="--",
                    color="#888888",
                    lw=1,
                    label="规划路径",
                )
            xs = sorted(r.series)
            points = [(y, r.series[y]) for y in xs]
            if baseline is not None and r.baseline_year is not None:
                points = sorted({**dict(points), r.baseline_year: baseline}.items())
            ax.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                marker="o",
                ms=3,
                color=STATUS_COLOURS[r.status],
                lw=1.5,
                label="实际",
            )
            ax.plot(
                [r.target_year],
                [target],
                marker="*",
                ms=9,
                color="#1B7837",
                ls="none",
                label="目标",
            )
            if r.projection is not None:
                low = r.projection_low if r.projection_low is not None else r.projection
                high = r.projection_high if r.projection_high is not None else r.projection
                ax.errorbar(
                    [r.target_year],
                    [r.projection],
                    yerr=[[r.projection - low], [high - r.projection]],
                    fmt="o",
                    ms=3,
                    color="#4575B4",
                    capsize=3,
                    label="预测",
                )
            ax.set_title(f"{r.name}（{r.unit}）", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.xaxis.get_major_locator().set_params(integer=True)
        legend: dict[str, Any] = {}
        for ax in axes.flat[: len(data)]:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                legend.setdefault(label, handle)
        fig.legend(
            list(legend.values()), list(legend), loc="outside lower center", ncols=4, frameon=False
        )
        fig.suptitle(title, fontsize=10)

    return _render(key, title, draw, (6.4, 0.6 + 2.0 * nrows))


def _number(printed: str | None) -> float | None:
    if printed is None:
        return None
    from youguan.plan.printed import parse_printed

    return parse_printed(printed).value
