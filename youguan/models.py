"""Every ORM model, imported so that ``Base.metadata`` is complete (Alembic, schema tests).
Each package adds its ``models`` module here."""

from youguan.audit import models as audit_models
from youguan.auth import models as auth_models
from youguan.db import Base
from youguan.geo import models as geo_models
from youguan.indicators import models as indicators_models
from youguan.ingest import models as ingest_models
from youguan.lake import models as lake_models
from youguan.plan import models as plan_models
from youguan.registry import models as registry_models

metadata = Base.metadata

__all__ = [
    "audit_models",
    "auth_models",
    "geo_models",
    "indicators_models",
    "ingest_models",
    "lake_models",
    "metadata",
    "plan_models",
    "registry_models",
]
