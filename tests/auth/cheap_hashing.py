"""A fast argon2 profile for tests: the production profile costs ~150 ms per hash, which would
dominate suites that create personas per test. Tests of the profile itself use the real one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from youguan.auth import passwords

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setattr(passwords, "_hasher", lambda: CHEAP)
    yield
    mp.undo()
