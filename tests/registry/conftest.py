"""The web fixtures (personas, API keys, a seeded register) for the registry's API and page
tests: ``world`` for reads, ``scratch`` — a second world of the module — for writes (each test
writes records of its own, so that they do not depend on one another's order)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.web.conftest import World, open_world, world  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("scratch"), sqlite_template) as w:
        yield w
