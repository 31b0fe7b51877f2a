"""Secret keys: from settings, or in development generated once and kept under HOME.

In production a missing or placeholder secret is refused when settings are parsed
(:class:`youguan.settings.Settings`); here we only resolve the bytes.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from youguan.settings import Settings, SettingsError

SECRETS_FILE = "secrets.json"


@dataclass(frozen=True)
class Keys:
    secret_key: bytes
    pii_key: bytes


def _load_or_create(path: Path) -> dict[str, str]:
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"secret_key": secrets.token_urlsafe(48), "pii_key": secrets.token_urlsafe(48)}
    # Create with 0600 from the start so the key is never world-readable, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    return data


def resolve_keys(settings: Settings) -> Keys:
    """Return the keys to use; in development generate missing ones under HOME once."""
    configured = {
        "secret_key": settings.secret_key.get_secret_value() if settings.secret_key else None,
        "pii_key": settings.pii_key.get_secret_value() if settings.pii_key else None,
    }
    if None in configured.values():
        if settings.env != "development":
            raise SettingsError("YOUGUAN_SECRET_KEY and YOUGUAN_PII_KEY are required in production")
        stored = _load_or_create(settings.home_dir / SECRETS_FILE)
        configured = {k: v or stored[k] for k, v in configured.items()}
    return Keys(
        secret_key=str(configured["secret_key"]).encode(),
        pii_key=str(configured["pii_key"]).encode(),
    )
