"""Property-based run of every API operation in the OpenAPI document (schemathesis): no server
errors for valid and invalid inputs, as an administrator (session cookie + CSRF header) and as an
enterprise (API key).

Each operation gets its own Hypothesis run so that a failure names the operation; the fixed seed
keeps CI reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from tests.web.conftest import World, open_world
from youguan.auth import sessions

EXAMPLES_PER_OPERATION = 15


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("fuzz"), sqlite_template) as w:
        yield w


def _fuzz(world: World, headers: dict[str, str], cookies: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(20241129)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                case.call_and_validate(
                    headers=headers, cookies=cookies, checks=[not_a_server_error]
                )

            try:
                run()
            except Unsatisfiable:
                # no invalid input exists for an operation without parameters or body
                assert mode is GenerationMode.NEGATIVE, operation.label
    return [op.label for op in operations]


def test_no_server_error_as_an_administrator(fuzz_world: World) -> None:
    alice = fuzz_world.as_("alice")
    cookie = alice.client.cookies.get(sessions.SESSION_COOKIE) or ""
    labels = _fuzz(fuzz_world, {"X-CSRF-Token": alice.csrf()}, {sessions.SESSION_COOKIE: cookie})
    assert "POST /api/v1/users" in labels


def test_no_server_error_as_an_enterprise(fuzz_world: World) -> None:
    labels = _fuzz(fuzz_world, {"X-API-Key": fuzz_world.keys["zto"][1]}, {})
    assert "POST /api/v1/apikeys" in labels
