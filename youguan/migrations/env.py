"""Alembic environment. The engine is handed over by :func:`youguan.db.migrate`; with the alembic
command line, the URL comes from settings (``YOUGUAN_DATABASE_URL`` / ``YOUGUAN_HOME``)."""

from __future__ import annotations

from typing import Any

from alembic import context

from youguan.models import metadata

config = context.config


def _engine() -> Any:
    engine = config.attributes.get("engine")
    if engine is None:
        from youguan.db import make_engine
        from youguan.settings import get_settings

        engine = make_engine(get_settings().sqlalchemy_url)
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
