"""The web fixtures (personas, API keys, a seeded register) for the registry's API and page
tests."""

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.web.conftest import fresh, world  # noqa: F401  (fixtures)
