"""Where the web app finds its routes and templates: one line per capability.

To add a capability's pages and API (see ``youguan/web/README.md``):

- JSON API: a module ``youguan/<pkg>/api.py`` with ``router = APIRouter(tags=["<pkg>"])`` (paths
  relative to ``/api/v1``) — add ``"youguan.<pkg>.api"`` to :data:`API_MODULES`.
- HTML pages: a module ``youguan/<pkg>/views.py`` with ``router = APIRouter()`` whose pages are
  declared with :func:`youguan.web.pages.page` — add ``"youguan.<pkg>.views"`` to
  :data:`VIEW_MODULES`. Templates live in ``youguan/<pkg>/templates/<pkg>/``; the package's
  ``templates`` folder is found automatically.
"""

from __future__ import annotations

API_MODULES: tuple[str, ...] = (
    "youguan.web.api",
    "youguan.auth.api",
    "youguan.geo.api",
    "youguan.indicators.api",
    "youguan.plan.api",
    "youguan.registry.api",
    "youguan.ingest.api",
)

VIEW_MODULES: tuple[str, ...] = (
    "youguan.web.views",
    "youguan.auth.views",
    "youguan.indicators.views",
    "youguan.quality.views",
    "youguan.security.views",
    "youguan.plan.views",
    "youguan.registry.views",
    "youguan.ingest.views",
)
