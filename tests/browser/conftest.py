"""Browser tests: a real uvicorn server on 127.0.0.1 with a fresh HOME, driven by Debian's
Chromium through Playwright (no browser download).

Fixtures: ``live_server`` (URL and store, personas created), ``chromium`` (one browser per
session), ``visitor`` (a factory of :class:`Visitor`: one isolated browser context per persona
that records every request and console error and writes screenshots to
``test-artifacts/screenshots/``).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import uvicorn

from tests.auth.cheap_hashing import cheap_password_hashing
from tests.plan.factories import load_sample_actuals
from tests.web.conftest import World, open_world
from tests.web.personas import BY_NAME
from youguan.context import Context

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHART_TIMEOUT_MS = 15_000
ALL_CHARTS_DRAWN = (
    "() => [...document.querySelectorAll('[data-chart]')].every(e => e.dataset.chartReady === '1')"
)

__all__ = ["cheap_password_hashing"]


@dataclass
class LiveServer:
    url: str
    world: World

    @property
    def ctx(self) -> Context:
        return self.world.ctx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[LiveServer]:
    with open_world(tmp_path_factory.mktemp("browser-home"), sqlite_template) as world:
        load_sample_actuals(world.ctx, world.ctx.settings.home_dir)  # 规划监测 has figures
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(world.app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        try:
            yield LiveServer(url=f"http://127.0.0.1:{port}", world=world)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visitor:
    """One persona's browser: logs in through the form, visits pages, records what it saw."""

    persona: str
    server: LiveServer
    context: Any
    page: Any
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def login(self) -> None:
        if self.persona == "anon":
            return
        self.page.goto(f"{self.server.url}/login")
        self.page.fill("input[name=username]", self.persona)
        self.page.fill("input[name=password]", BY_NAME[self.persona].password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/login" not in self.page.url, f"{self.persona} could not log in"

    def visit(self, path: str, heading: str, charts: tuple[str, ...] = ()) -> Any:
        response = self.page.goto(f"{self.server.url}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        assert self.page.locator("html").get_attribute("lang") == "zh-CN"
        assert self.page.locator("h1").first.inner_text() == heading, path
        for name in charts:
            self.page.wait_for_selector(
                f'[data-chart="{name}"][data-chart-ready="1"]', timeout=CHART_TIMEOUT_MS
            )
        # every chart on the page is drawn, not only the expected ones
        self.page.wait_for_function(ALL_CHARTS_DRAWN, timeout=CHART_TIMEOUT_MS)
        self.screenshot(path)
        return self.page

    def screenshot(self, path: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        target = SCREENSHOTS / f"{self.persona}-{slug}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def assert_clean(self) -> None:
        """No request left this machine's server and nothing was logged as an error."""
        host = urlparse(self.server.url).netloc
        outside = [u for u in self.requests if urlparse(u).netloc not in (host, "")]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        assert not self.console_errors, self.console_errors


@pytest.fixture
def visitor(chromium: Any, live_server: LiveServer) -> Iterator[Callable[[str], Visitor]]:
    made: list[Visitor] = []

    def make(persona: str) -> Visitor:
        context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        v = Visitor(persona=persona, server=live_server, context=context, page=page)
        page.on("request", lambda req: v.requests.append(req.url))
        page.on(
            "console",
            lambda msg: v.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: v.console_errors.append(str(exc)))
        made.append(v)
        v.login()
        return v

    yield make
    for v in made:
        v.context.close()
