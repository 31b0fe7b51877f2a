"""Chinese fonts for charts and documents.

Charts (matplotlib) need a font with CJK glyphs installed on the machine: Debian's
``fonts-noto-cjk`` (Noto Sans/Serif CJK SC) or the Windows fonts. Without one, Chinese would be
drawn as boxes, so we fail with a clear message instead of producing an unreadable report.

Word documents name fonts rather than embed them: 宋体 (SimSun) for body text and 黑体 (SimHei) for
headings, as Chinese official documents use; where those are missing (LibreOffice on Linux),
fontconfig substitutes Noto CJK for Chinese text (``w:lang eastAsia=zh-CN`` tells it the script).
"""

from __future__ import annotations

from functools import cache

# Preference order: sans for charts (screen and print), with the usual Windows/macOS names after.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "SimSun",
)

BODY_FONT = "SimSun"  # 宋体
HEADING_FONT = "SimHei"  # 黑体
LATIN_BODY_FONT = "Times New Roman"
LATIN_HEADING_FONT = "Arial"
FALLBACK_BODY_FONT = "Noto Serif CJK SC"
FALLBACK_HEADING_FONT = "Noto Sans CJK SC"


class FontError(RuntimeError):
    """No font with Chinese glyphs is installed."""


@cache
def chart_font() -> str:
    """The family name of an installed CJK font for matplotlib."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise FontError(
        "未找到中文字体，图表中的汉字将无法显示：请安装 fonts-noto-cjk（Debian/Ubuntu："
        "apt-get install fonts-noto-cjk），或安装黑体/宋体后重试。"
    )
