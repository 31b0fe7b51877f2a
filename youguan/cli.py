"""The ``youguan`` command (DESIGN.md "Stable interfaces"). Commands call services directly,
never through HTTP. Each capability contributes a Typer sub-app from its own ``cli`` module."""

from __future__ import annotations

import typer

from youguan.auth.cli import apikey_app, user_app
from youguan.cli_support import cli_context, emit_json, err, fail
from youguan.demo.cli import demo
from youguan.indicators import cli as indicators_cli
from youguan.ingest import cli as ingest_cli
from youguan.lake import cli as lake_cli
from youguan.plan.cli import app as plan_app
from youguan.registry.cli import app as registry_app
from youguan.reports.cli import app as report_app

app = typer.Typer(
    name="youguan",
    help="数字邮管 — 邮政快递行业监管数据平台 (youguan)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(plan_app, name="plan")
app.add_typer(report_app, name="report")

app.add_typer(registry_app, name="registry")

app.add_typer(ingest_cli.app, name="ingest")
app.add_typer(lake_cli.app, name="lake")


@app.command()
def init(json_out: bool = typer.Option(False, "--json", help="Print a JSON summary")) -> None:
    """创建或升级数据存储并加载参考数据 (create or migrate the stores, load reference data)."""
    from youguan.context import initialise

    with cli_context() as ctx:
        try:
            changed = initialise(ctx)
        except Exception as exc:  # a migration or I/O problem: say what, not a traceback
            fail(f"初始化失败 (init failed): {exc}")
        summary = {
            "home": str(ctx.settings.home_dir),
            "database": ctx.engine.url.render_as_string(hide_password=True),
            "loaded": changed,
        }
    if json_out:
        emit_json(summary)
    else:
        err.print(
            f"已初始化 {summary['home']} (数据库 {summary['database']}); 更新参考数据: "
            f"区划 {changed['divisions']} 条, 品牌 {changed['brands']} 个"
        )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
) -> None:
    """启动网页与 API 服务 (serve the web platform and the API)."""
    import uvicorn

    from youguan.context import initialise
    from youguan.web.app import create_app

    with cli_context() as ctx:
        initialise(ctx)
        err.print(f"youguan 正在运行: http://{host}:{port}/  (Ctrl+C 停止)")
        uvicorn.run(create_app(ctx=ctx), host=host, port=port, log_level="warning")


app.command("demo")(demo)  # a top-level command of DESIGN.md
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.command("kpi")(indicators_cli.kpi)
app.command("compute")(indicators_cli.compute)
app.add_typer(indicators_cli.app, name="indicators")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
