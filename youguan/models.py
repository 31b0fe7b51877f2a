"""Every ORM model, imported so that ``Base.metadata`` is complete (Alembic, schema tests).
Each package adds its ``models`` module here."""

from youguan.audit import models as audit_models
from youguan.db import Base
from youguan.geo import models as geo_models
from youguan.indicators import models as indicators_models
from youguan.lake import models as lake_models
from youguan.registry import models as registry_models

metadata = Base.metadata

__all__ = [
    "audit_models",
    "geo_models",
    "indicators_models",
    "lake_models",
    "metadata",
    "registry_models",
]
