"""What every command shares: building the context, clear one-line failures (exit 2), JSON on
standard output and everything else (progress, logs, warnings) on standard error."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from youguan.context import Context, build_context
from youguan.logs import configure
from youguan.settings import SettingsError, get_settings

# Human output goes to standard error so that `--json` output alone is on standard output.
err = Console(stderr=True)
out = Console()

EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Stop with a one-line reason on standard error."""
    err.print(f"[bold red]错误[/]: {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def cli_context() -> Iterator[Context]:
    try:
        settings = get_settings()
    except (SettingsError, ValueError) as exc:
        fail(f"配置无效 (invalid settings): {exc}")
    configure(log_dir=settings.logs_dir)
    ctx = build_context(settings)
    try:
        ensure_current(ctx)
        yield ctx
    finally:
        ctx.close()


def ensure_current(ctx: Context) -> None:
    """Bring a store created by an older version up to date before a command uses it, so that
    no command meets a missing table (``youguan init`` does the same explicitly)."""
    from youguan.context import initialise
    from youguan.db import current_heads, script_heads

    try:
        if current_heads(ctx.engine) == script_heads(ctx.engine):
            return
        err.print("数据存储需要初始化或升级，正在执行 (migrating the store) …")
        initialise(ctx)
    except Exception as exc:  # the database is unreachable or the migration failed
        fail(f"无法初始化数据存储 (cannot initialise the store): {exc}")


def emit_json(document: Any) -> None:
    """Write one JSON document to standard output, nothing else."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str, indent=2) + "\n")
    sys.stdout.flush()


def progress(transient: bool = False) -> Progress:
    """A Rich progress bar on standard error, for long-running work."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=transient,
    )
