from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
