"""Logging set-up: human-readable lines on standard error (so ``--json`` output stays clean) and
a rotating file under HOME. Personal data is never passed to a logger in the first place; the
ingest package logs counts and codes, never values."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler


def configure(
    level: str = "INFO", log_dir: Path | None = None, console_level: str = "WARNING"
) -> None:
    """The file gets ``level`` and above; the console only warnings and errors by default, so
    progress bars and results stay readable; the file has the detail."""
    root = logging.getLogger()
    if getattr(root, "_youguan_configured", False):
        return
    root.setLevel(level)
    console = RichHandler(
        console=Console(stderr=True), show_path=False, rich_tracebacks=False, markup=False
    )
    console.setLevel(console_level)
    root.addHandler(console)
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(
            log_dir / "youguan.log", maxBytes=10_000_000, backupCount=5, encoding="utf-8"
        )
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(fh)
    for noisy in ("py4j", "alembic.runtime.migration", "httpx", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root._youguan_configured = True  # type: ignore[attr-defined]
