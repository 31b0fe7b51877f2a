"""All configuration, read from ``YOUGUAN_*`` environment variables (DESIGN.md "State and
configuration"). Nothing here touches the disk or a database: :func:`get_settings` only parses the
environment. Secrets missing in development are generated under ``YOUGUAN_HOME`` by
:mod:`youguan.secrets` when the context is built, never at import time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that look like someone forgot to set a secret. Refused outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changethis", "changeme", "change-me", "secret", "password", "placeholder", "xxx", "todo"}
)
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """A setting is missing or unsafe for the chosen environment."""


class Settings(BaseSettings):
    """The one settings class. Every field maps to ``YOUGUAN_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="YOUGUAN_", extra="ignore")

    home: Path = Field(default=Path("./youguan-data"), description="Directory holding all state")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default the SQLite file youguan.db in HOME"
    )
    engine: Literal["duckdb", "spark"] = Field(default="duckdb", description="Lake query engine")
    spark_master: str = Field(default="local[2]", description="Spark master URL for engine=spark")
    secret_key: SecretStr | None = Field(default=None, description="Signs sessions and CSRF tokens")
    pii_key: SecretStr | None = Field(
        default=None, description="Keys the HMAC and AES-GCM protection of personal data"
    )
    env: Literal["development", "production"] = Field(default="development")
    auto_refresh: bool = Field(
        default=True,
        description="Recompute indicator facts and plan snapshots after each web submission",
    )

    @model_validator(mode="after")
    def _refuse_placeholders_outside_development(self) -> Settings:
        if self.env == "development":
            return self
        for name in ("secret_key", "pii_key"):
            value: SecretStr | None = getattr(self, name)
            raw = value.get_secret_value() if value is not None else ""
            if raw.strip().lower() in PLACEHOLDER_SECRETS or len(raw) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"YOUGUAN_{name.upper()} must be set to a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters when YOUGUAN_ENV={self.env}"
                )
        return self

    # Derived locations. All state lives under HOME unless a URL says otherwise.
    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def lake_dir(self) -> Path:
        return self.home_dir / "lake"

    @property
    def quarantine_dir(self) -> Path:
        return self.home_dir / "quarantine"

    @property
    def reports_dir(self) -> Path:
        return self.home_dir / "reports"

    @property
    def logs_dir(self) -> Path:
        return self.home_dir / "logs"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_dir / 'youguan.db'}"


@cache
def get_settings() -> Settings:
    """The process-wide settings, parsed once from the environment."""
    return Settings()
